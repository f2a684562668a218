"""Forms of the catalogue of indicators (with its targets by year) and of the monitoring stages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from measures.forms import DateInput, VersionedForm
from measures.models import Measure, Roadmap
from monitoring.models import Indicator, MonitoringStage
from monitoring.values import ValueRefused, input_text, parse_value
from roadmap_portal.forms import CleanTextMixin

YEAR_ERRORS = {
    "min_value": _("Год — от 2000 до 2100."),
    "max_value": _("Год — от 2000 до 2100."),
    "invalid": _("Год — четыре цифры, например 2026."),
}


class MeasureChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Measure) -> str:
        title = obj.title if len(obj.title) <= 120 else obj.title[:119].rstrip() + "…"
        return f"{obj.number} {title}" if obj.number else title


class IndicatorForm(VersionedForm, forms.ModelForm):
    """An indicator of the catalogue. The baseline is typed as the unit reads it («85,5», «да»)
    and checked by monitoring.values.parse_value, like every value of the indicator."""

    baseline = forms.CharField(
        label=_("Базовое значение"),
        required=False,
        max_length=50,
        help_text=_("С чего начинали: число или «да»/«нет»; для процентов — от 0 до 100."),
    )
    baseline_year = forms.IntegerField(
        label=_("Год базового значения"),
        required=False,
        min_value=2000,
        max_value=2100,
        error_messages=YEAR_ERRORS,
    )
    # the texts' limits are the form's (the columns are TEXT): a title is a line, a method a
    # paragraph or two
    title = forms.CharField(label=_("Название"), max_length=1000, widget=forms.Textarea)
    method = forms.CharField(
        label=_("Как измеряется"),
        max_length=5000,
        required=False,
        widget=forms.Textarea,
        help_text=_("Формула или порядок расчёта: что делится на что, кто считает."),
    )
    source = forms.CharField(
        label=_("Источник данных"),
        max_length=2000,
        required=False,
        widget=forms.Textarea,
        help_text=_("Откуда берутся данные: ФИС ОКО, отчёт ОО-1, анкетирование…"),
    )

    class Meta:
        model = Indicator
        fields = [
            "code", "title", "unit", "direction", "level", "baseline", "baseline_year",
            "method", "source", "roadmaps", "measures",
        ]  # fmt: skip
        labels = {
            "code": _("Код"),
            "title": _("Название"),
            "unit": _("Единица измерения"),
            "direction": _("Направление"),
            "level": _("Уровень"),
            "baseline_year": _("Год базового значения"),
            "method": _("Как измеряется"),
            "source": _("Источник данных"),
            "roadmaps": _("Дорожные карты"),
            "measures": _("Мероприятия"),
        }
        help_texts = {
            "code": _("Короткий код для таблиц значений, например «ВПР-1». Не повторяется "
                      "в муниципалитете."),
            "level": _("Школа — значение по каждой школе; муниципалитет — одно значение на "
                       "муниципалитет."),
            "method": _("Формула или порядок расчёта: что делится на что, кто считает."),
            "source": _("Откуда берутся данные: ФИС ОКО, отчёт ОО-1, анкетирование…"),
            "roadmaps": _("Дорожные карты, в которых записан этот показатель."),
            "measures": _("Мероприятия дорожных карт муниципалитета, которые служат показателю "
                          "(удерживайте Ctrl, чтобы выбрать несколько)."),
        }  # fmt: skip
        widgets = {
            "title": forms.Textarea(attrs={"rows": 2}),
            "method": forms.Textarea(attrs={"rows": 3}),
            "source": forms.Textarea(attrs={"rows": 2}),
            "direction": forms.RadioSelect,
            "level": forms.RadioSelect,
            "roadmaps": forms.CheckboxSelectMultiple,
        }
        error_messages = {
            "baseline_year": YEAR_ERRORS,
            "code": {"required": _("Укажите код показателя.")},
            "title": {"required": _("Укажите название показателя.")},
        }

    def __init__(self, *args: object, roadmaps: QuerySet[Roadmap], **kwargs: object) -> None:
        instance = kwargs.get("instance")
        editing = instance is not None and instance.pk is not None
        if editing and "initial" not in kwargs:
            kwargs["initial"] = {"baseline": input_text(instance.unit, instance.baseline)}
        super().__init__(*args, version=instance.version if editing else None, **kwargs)
        if not editing:
            del self.fields["version"]
        roadmaps = roadmaps.order_by("-starts_on", "title")
        self.fields["roadmaps"].queryset = roadmaps
        self.fields["roadmaps"].label_from_instance = lambda r: f"{r.title} ({r.period_display})"
        measures = (
            Measure.objects.filter(roadmap__in=roadmaps)
            .select_related("roadmap")
            .order_by("-roadmap__starts_on", "roadmap__title", "roadmap_id", "position", "pk")
        )
        field = MeasureChoiceField(
            queryset=measures,
            required=False,
            label=self.fields["measures"].label,
            help_text=self.fields["measures"].help_text,
            widget=forms.SelectMultiple(attrs={"size": 10}),
        )
        self.fields["measures"] = field
        groups: dict[int, tuple[str, list]] = {}
        for measure in measures:
            title = groups.setdefault(measure.roadmap_id, (measure.roadmap.title, []))
            title[1].append((measure.pk, field.label_from_instance(measure)))
        field.choices = [(title, options) for title, options in groups.values()]
        self.fields["title"].widget.attrs["maxlength"] = 1000
        self.fields["baseline_year"].widget.attrs.update(min=2000, max=2100)

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()

    def clean(self) -> dict:
        data = super().clean()
        for name in ("title", "method", "source"):
            if isinstance(data.get(name), str):
                data[name] = data[name].strip()
        unit = data.get("unit")
        raw = data.get("baseline") or ""
        data["baseline"] = None
        if unit and raw:
            try:
                data["baseline"] = parse_value(unit, raw)
            except ValueRefused as refused:
                self.add_error("baseline", refused.message)
        if data.get("baseline") is not None and not data.get("baseline_year"):
            self.add_error(
                "baseline_year", _("Укажите год, к которому относится базовое значение.")
            )
        return data


class TargetForm(CleanTextMixin, forms.Form):
    year = forms.IntegerField(
        label=_("Год"), required=False, min_value=2000, max_value=2100, error_messages=YEAR_ERRORS
    )
    target = forms.CharField(label=_("Целевое значение"), required=False, max_length=50)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return data.get("year") is None and not data.get("target")


class BaseTargetFormSet(forms.BaseFormSet):
    def targets(self, unit: str) -> list[tuple[int, Decimal]] | None:
        """The targets by year, each checked against the unit; None (with the errors on their
        rows) when one is not right. Blank rows and rows marked to remove are left out."""
        result: dict[int, Decimal] = {}
        ok = self.is_valid()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.errors:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            if form.is_blank():
                continue
            year, raw = form.cleaned_data.get("year"), form.cleaned_data.get("target")
            if year is None:
                form.add_error("year", _("Укажите год целевого значения."))
            if not raw:
                form.add_error("target", _("Укажите целевое значение или очистите строку."))
            if year is None or not raw:
                ok = False
                continue
            try:
                value = parse_value(unit, raw)
            except ValueRefused as refused:
                form.add_error("target", refused.message)
                ok = False
                continue
            if year in result:
                form.add_error("year", _("Цель на %(year)s год уже указана выше.") % {"year": year})
                ok = False
                continue
            result[year] = value
        return sorted(result.items()) if ok else None


TargetFormSet = forms.formset_factory(
    TargetForm, formset=BaseTargetFormSet, extra=2, can_delete=True, max_num=30, validate_max=True
)

DEFAULT_WINDOWS = {
    # (month, day) of the start and of the end, in the stage's year: the stages of a roadmap
    # of a calendar year, as the seeds hold them (Черекский район: February, June, autumn)
    MonitoringStage.Kind.ENTRY: ((2, 1), (2, 28)),
    MonitoringStage.Kind.INTERIM: ((6, 1), (6, 20)),
    MonitoringStage.Kind.FINAL: ((10, 1), (11, 30)),
}


def default_window(kind: str, year: int) -> tuple[date, date]:
    """The usual window of a stage in `year`."""
    (m1, d1), (m2, d2) = DEFAULT_WINDOWS[kind]
    return date(year, m1, d1), date(year, m2, d2)


class StageForm(CleanTextMixin, forms.ModelForm):
    """A monitoring stage; an empty window takes the usual one of its kind."""

    class Meta:
        model = MonitoringStage
        fields = ["kind", "year", "starts_on", "ends_on", "roadmap"]
        labels = {
            "kind": _("Этап"),
            "year": _("Год"),
            "starts_on": _("Начало окна"),
            "ends_on": _("Окончание окна"),
            "roadmap": _("Дорожная карта"),
        }
        help_texts = {
            "year": _(
                "Год, с целевыми значениями которого сравниваются значения этапа; окно этапа "
                "начинается в этом году."
            ),
            "starts_on": _(
                "Когда измеряют и вносят значения. Если оставить пустым — обычные сроки: "
                "входной 1–28 февраля, промежуточный 1–20 июня, итоговый 1 октября – 30 ноября."
            ),
            "roadmap": _("Необязательно: если этап проводится по одной дорожной карте."),
        }
        widgets = {"starts_on": DateInput(), "ends_on": DateInput()}
        error_messages = {
            "year": YEAR_ERRORS,
            "kind": {"required": _("Выберите этап.")},
        }

    def __init__(self, *args: object, roadmaps: QuerySet[Roadmap], today: date, **kwargs: object):
        super().__init__(*args, **kwargs)
        self.fields["starts_on"].required = False
        self.fields["ends_on"].required = False
        self.fields["roadmap"].queryset = roadmaps.order_by("-starts_on", "title")
        self.fields["roadmap"].empty_label = _("— все дорожные карты муниципалитета —")
        self.fields["year"].widget.attrs.update(min=2000, max=2100)
        self.fields["year"].validators += [MinValueValidator(2000), MaxValueValidator(2100)]
        if self.instance.pk is None:
            year = today.year
            starts_on, ends_on = default_window(MonitoringStage.Kind.ENTRY, year)
            self.initial.update(
                kind=MonitoringStage.Kind.ENTRY, year=year, starts_on=starts_on, ends_on=ends_on
            )

    def clean(self) -> dict:
        data = super().clean()
        kind, year = data.get("kind"), data.get("year")
        if kind and year and 2000 <= year <= 2100:
            starts_on, ends_on = default_window(kind, year)
            data["starts_on"] = data.get("starts_on") or starts_on
            data["ends_on"] = data.get("ends_on") or ends_on
            self.instance.starts_on, self.instance.ends_on = data["starts_on"], data["ends_on"]
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("Окончание окна раньше его начала."))
        if starts_on and year and starts_on.year != year:
            self.add_error(
                "starts_on",
                _("Окно этапа %(year)s года должно начинаться в %(year)s году.") % {"year": year},
            )
        if "year" not in self.errors and (not starts_on or not ends_on):
            self.add_error("starts_on", _("Укажите начало и окончание окна."))
        return data

    def validate_unique(self) -> None:
        # the municipality is not a field of the form: the service checks kind + year
        pass
