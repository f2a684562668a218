"""The forms of the order pages (measures/order_views.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from measures.forms import DateInput, VersionedForm
from measures.models import ActAppendix, LegalAct, Roadmap
from measures.orders import SIGNATURE_EXTENSIONS, items_from_text, items_text
from schools.models import WorkingGroup
from schools.selectors import organisations_serving


class OrderForm(VersionedForm, forms.ModelForm):
    """The text of a draft order; its items as one text, one item per line (numbered when
    printed, never typed)."""

    items_text = forms.CharField(
        label=_("Пункты"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Пункты отделяйте пустой строкой; номера пунктов ставятся сами. Ссылки на "
            "приложения пишите так: «(приложение 2)»."
        ),
    )

    class Meta:
        model = LegalAct
        fields = [
            "kind",
            "issuer",
            "number",
            "date",
            "place",
            "title",
            "preamble",
            "signatory_position",
            "signatory_name",
        ]
        widgets = {
            "date": DateInput(),
            "title": forms.Textarea(attrs={"rows": 2}),
            "preamble": forms.Textarea(attrs={"rows": 4}),
            "signatory_position": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {
            "kind": _("Вид документа"),
            "issuer": _("Издал"),
            "number": _("Номер"),
            "date": _("Дата"),
            "place": _("Место издания"),
            "title": _("Заголовок"),
            "preamble": _("Преамбула"),
            "signatory_position": _("Должность подписывающего"),
            "signatory_name": _("Подписывающий (И.О. Фамилия)"),
        }
        help_texts = {
            "preamble": _("Основание и цель; заканчивается словом «приказываю:»."),
            "number": _("Как в журнале регистрации: «31», «76-Д»."),
        }

    def __init__(self, *args: Any, act: LegalAct, **kwargs: Any) -> None:
        super().__init__(*args, instance=act, version=act.version, **kwargs)
        self.fields["issuer"].queryset = organisations_serving(act.municipality).order_by("name")
        self.fields["issuer"].empty_label = None
        self.fields["title"].required = True
        if not self.is_bound:
            self.initial["items_text"] = items_text(act.items)

    def clean_number(self) -> str:
        return " ".join(self.cleaned_data["number"].split())

    def save(self, commit: bool = False) -> LegalAct:  # the service saves (measures.orders)
        act = super().save(commit=False)
        act.items = items_from_text(self.cleaned_data.get("items_text", ""))
        return act


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class RoadmapChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Roadmap) -> str:
        label = f"{_short(obj.title, 80)} ({obj.period_display})"
        if obj.amends_id:
            return _("Изменения в «%(roadmap)s»") % {"roadmap": label}
        return label


class AppendixForm(forms.Form):
    kind = forms.ChoiceField(label=_("Что приложить"), choices=ActAppendix.Kind.choices)
    roadmap = RoadmapChoice(
        label=_("Дорожная карта"), queryset=Roadmap.objects.none(), required=False
    )
    working_group = forms.ModelChoiceField(
        label=_("Рабочая группа"), queryset=WorkingGroup.objects.none(), required=False
    )
    year = forms.IntegerField(
        label=_("Год"),
        required=False,
        min_value=2000,
        max_value=2100,
        help_text=_("Для перечня школ и наставнических пар"),
    )
    title = forms.CharField(
        label=_("Заголовок"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Оставьте пустым — заголовок по виду приложения."),
    )
    mark = forms.ChoiceField(
        label=_("Отметка на приложении"),
        choices=ActAppendix.Mark.choices,
        initial=ActAppendix.Mark.APPENDIX,
    )

    def __init__(self, *args: Any, act: LegalAct, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["roadmap"].queryset = Roadmap.objects.filter(
            municipality=act.municipality_id, status=Roadmap.Status.DRAFT
        ).order_by("-starts_on", "title")
        self.fields["working_group"].queryset = WorkingGroup.objects.filter(
            municipality=act.municipality_id
        ).order_by("-year")
        self.fields["working_group"].label_from_instance = lambda g: f"{g.title}, {g.year}"


class NewOrderForm(forms.Form):
    roadmap = RoadmapChoice(
        label=_("Утверждаемая дорожная карта (проект)"),
        queryset=Roadmap.objects.none(),
        empty_label=None,
    )

    def __init__(self, *args: Any, roadmaps: QuerySet[Roadmap], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["roadmap"].queryset = roadmaps


class OrderFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Статус"),
        required=False,
        choices=[("", _("Все")), *LegalAct.Status.choices],
    )
    year = forms.TypedChoiceField(label=_("Год"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("Все годы")), *[(y, y) for y in years]]


class SignatureForm(VersionedForm, forms.Form):
    file = forms.FileField(
        label=_("Файл подписи"),
        required=False,
        help_text=_("Отсоединённая подпись: .sig, .p7s или .sgn, до 1 МБ."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(SIGNATURE_EXTENSIONS)}),
    )
    owner = forms.CharField(label=_("Владелец сертификата"), max_length=300)
    serial = forms.CharField(label=_("Номер сертификата"), max_length=100)
    valid_from = forms.DateField(label=_("Действителен с"), widget=DateInput())
    valid_to = forms.DateField(label=_("Действителен по"), widget=DateInput())
