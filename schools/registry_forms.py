"""Forms of the registry pages (schools, designations, mentor pairings, agreements)."""

from __future__ import annotations

import datetime

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from measures.forms import DateInput, VersionedForm
from roadmap_portal.forms import CleanTextMixin
from schools import registry
from schools.models import (
    MentorPairing,
    Municipality,
    PartnershipAgreement,
    Person,
    School,
    SchoolDesignation,
)


class RegistryFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Категория"),
        required=False,
        choices=[("", _("Все категории")), *SchoolDesignation.Kind.choices],
    )
    year = forms.TypedChoiceField(label=_("Год"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: object, years: list[int], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("Все годы")), *[(y, y) for y in years]]


class SchoolForm(CleanTextMixin, forms.ModelForm):
    class Meta:
        model = School
        fields = ["name", "short_name", "code", "address", "director"]
        widgets = {"name": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        director = self.fields["director"]
        director.queryset = Person.objects.filter(municipality=self.instance.municipality_id)
        director.empty_label = _("— не указан —")


class DesignationForm(CleanTextMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Категория"), choices=SchoolDesignation.Kind.choices)
    year = forms.IntegerField(label=_("Год"), min_value=2000, max_value=2100)
    basis_act = forms.ModelChoiceField(
        label=_("Документ-основание"),
        queryset=SchoolDesignation.objects.none(),
        required=False,
        empty_label=_("— документ не внесён в портал —"),
        help_text=_("Приказ региона, перечень ФИОКО или приказ управления образования."),
    )
    basis = forms.CharField(
        label=_("Основание, как записано"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Например: «Приказ Минпросвещения КБР от 15.01.2022 № 22-01/15». "),
    )

    def __init__(self, *args: object, municipality: Municipality, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["basis_act"].queryset = registry.acts_for_designation(municipality)
        self.fields["year"].initial = datetime.date.today().year


class DesignationEndForm(CleanTextMixin, forms.Form):
    ended_on = forms.DateField(label=_("Снята с категории с"), widget=DateInput())
    reason = forms.CharField(
        label=_("Причина"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Например: «Исключена из перечня приказом от 10.09.2023 № 450»."),
    )


class PairingForm(VersionedForm, forms.ModelForm):
    """A pairing: a new one, or one changed (carrying the version it was opened on)."""

    class Meta:
        model = MentorPairing
        fields = ["mentor", "supported", "starts_on", "ends_on"]
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}

    def __init__(self, *args: object, municipality: Municipality, **kwargs: object) -> None:
        instance = kwargs.get("instance")
        super().__init__(*args, version=instance.version if instance else None, **kwargs)
        if self.instance.pk is None:  # a new pairing has no version yet
            del self.fields["version"]
        own = Q(municipality=municipality)
        if self.instance.pk:  # a mentor of another municipality stays choosable
            own |= Q(pk=self.instance.mentor_id)
        self.fields["mentor"].queryset = School.objects.filter(own)
        self.fields["supported"].queryset = municipality.schools.all()
        for name in ("mentor", "supported"):
            self.fields[name].empty_label = _("— выберите школу —")

    def clean(self) -> dict:
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("Окончание — раньше начала."))
        if data.get("mentor") and data.get("mentor") == data.get("supported"):
            self.add_error("supported", _("Школа не может быть наставником самой себе."))
        return data

    def validate_constraints(self, exclude: object = None) -> None:
        """The constraints' messages are the service's own (in Russian, by field)."""


class PairingEndForm(forms.Form):
    ends_on = forms.DateField(label=_("Пара заканчивается"), widget=DateInput())


class AgreementForm(CleanTextMixin, forms.Form):
    number = forms.CharField(label=_("Номер"), max_length=50, required=False)
    signed_on = forms.DateField(label=_("Дата подписания"), widget=DateInput())
    starts_on = forms.DateField(label=_("Действует с"), widget=DateInput())
    ends_on = forms.DateField(label=_("Действует по"), widget=DateInput())
    term_text = forms.CharField(
        label=_("Срок, как записан"), max_length=100, required=False,
        help_text=_("Например: «2022–2023 учебный год»."),
    )  # fmt: skip
    mentor_director = forms.ModelChoiceField(
        label=_("Руководитель школы-наставника"), queryset=Person.objects.none()
    )
    supported_director = forms.ModelChoiceField(
        label=_("Руководитель поддерживаемой школы"), queryset=Person.objects.none()
    )
    standard_items = forms.TypedMultipleChoiceField(
        label=_("Предмет соглашения (типовая форма)"),
        required=False,
        coerce=int,
        choices=[(i, text) for i, text in enumerate(registry.STANDARD_AGREEMENT_ITEMS)],
        widget=forms.CheckboxSelectMultiple,
    )
    extra_items = forms.CharField(
        label=_("Другие пункты"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Каждый пункт — с новой строки; они идут после пунктов типовой формы."),
    )

    def __init__(
        self,
        data: object = None,
        *,
        pairing: MentorPairing,
        agreement: PartnershipAgreement | None = None,
    ) -> None:
        self.texts_before = []
        if agreement is not None:
            self.texts_before = [item.text for item in agreement.items.all()]
            initial = self.initial_from(agreement)
        else:  # a new agreement: the pairing's term and the schools' directors
            initial = {
                "starts_on": pairing.starts_on,
                "ends_on": pairing.ends_on,
                "mentor_director": pairing.mentor.director_id,
                "supported_director": pairing.supported.director_id,
            }
        super().__init__(data, initial=initial)
        people = Person.objects.filter(
            municipality__in={pairing.mentor.municipality_id, pairing.supported.municipality_id}
        )
        self.fields["mentor_director"].queryset = people
        self.fields["supported_director"].queryset = people
        for name in ("mentor_director", "supported_director"):
            self.fields[name].empty_label = _("— выберите сотрудника —")

    @staticmethod
    def initial_from(agreement: PartnershipAgreement) -> dict:
        standard = [str(text) for text in registry.STANDARD_AGREEMENT_ITEMS]
        texts = [item.text for item in agreement.items.all()]
        return {
            "number": agreement.number,
            "signed_on": agreement.signed_on,
            "starts_on": agreement.starts_on,
            "ends_on": agreement.ends_on,
            "term_text": agreement.term_text,
            "mentor_director": agreement.mentor_director_id,
            "supported_director": agreement.supported_director_id,
            "standard_items": [standard.index(t) for t in texts if t in standard],
            "extra_items": "\n".join(t for t in texts if t not in standard),
        }

    def items(self) -> list[str]:
        """The subject items in order: the checked standard ones, then the typed ones."""
        chosen = sorted(self.cleaned_data.get("standard_items") or [])
        standard = [str(registry.STANDARD_AGREEMENT_ITEMS[i]) for i in chosen]
        extra = [line.strip() for line in self.cleaned_data.get("extra_items", "").split("\n")]
        items = list(dict.fromkeys(standard + [line for line in extra if line]))
        # the items the agreement had keep their order; new ones follow
        before = {text: position for position, text in enumerate(self.texts_before)}
        return sorted(items, key=lambda text: before.get(text, len(before)))

    def clean(self) -> dict:
        data = super().clean()
        if not self.errors and not self.items():
            self.add_error(
                "standard_items",
                _("Отметьте или впишите хотя бы один пункт предмета соглашения."),
            )
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("«Действует по» — раньше «действует с»."))
        return data
