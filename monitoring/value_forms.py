"""The form of one value: the stage, the value as a person types it («85,5», «да»), its source
and the date it was measured; checked against the indicator's unit by monitoring.values."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from monitoring.models import Indicator, MonitoringStage
from monitoring.values import ValueRefused, check_measured_on, parse_value
from roadmap_portal.forms import CleanTextMixin

# what the value field accepts, as the hint under it says (the check is parse_value's)
ACCEPTED = {
    Indicator.Unit.PERCENT: _("Процент от 0 до 100, например «85,5»."),
    Indicator.Unit.COUNT: _("Целое число, 0 или больше, например «3»."),
    Indicator.Unit.POINTS: _("Баллы, 0 или больше, например «4,2»."),
    Indicator.Unit.PERCENTAGE_POINTS: _("Процентные пункты от −100 до 100, например «-0,3»."),
    Indicator.Unit.BOOLEAN: _("«да» или «нет»."),
}


def accepted(unit: str) -> str:
    return str(ACCEPTED.get(unit, ""))


class StageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: MonitoringStage) -> str:
        return _("%(stage)s (%(start)s – %(end)s)") % {
            "stage": obj,
            "start": obj.starts_on.strftime("%d.%m.%Y"),
            "end": obj.ends_on.strftime("%d.%m.%Y"),
        }


class MeasuredOnField(forms.DateField):
    """The date a value was measured, as people write it (dd.mm.yyyy), not before 2000 and
    not after today: the value form's and the table upload's."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Дата измерения"))
        kwargs.setdefault("input_formats", ["%d.%m.%Y", "%Y-%m-%d"])
        kwargs.setdefault(
            "widget",
            forms.DateInput(
                format="%d.%m.%Y", attrs={"placeholder": _("дд.мм.гггг"), "inputmode": "numeric"}
            ),
        )
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": _("Дата — в виде дд.мм.гггг, например 15.10.2025."),
                "required": _("Укажите дату измерения."),
            },
        )
        super().__init__(**kwargs)

    def validate(self, value: date | None) -> None:
        super().validate(value)
        if value is not None:
            try:
                check_measured_on(value)
            except ValueRefused as refused:
                raise forms.ValidationError(refused.message) from None


class ValueForm(CleanTextMixin, forms.Form):
    stage = StageChoiceField(
        label=_("Этап мониторинга"),
        queryset=MonitoringStage.objects.none(),
        empty_label=None,
        error_messages={"invalid_choice": _("Выберите этап мониторинга из списка.")},
    )
    value = forms.CharField(
        label=_("Значение"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    source = forms.CharField(
        label=_("Источник"),
        max_length=500,
        required=False,
        help_text=_("Откуда взято значение, например «ФИС ОКО, ВПР-2025»."),
    )
    measured_on = MeasuredOnField()
    # the version of the value the form was opened on (0: there was none), and its stage:
    # a save over a value someone changed meanwhile is refused (StaleEdit)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    opened_stage = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self, *args: Any, indicator: Indicator, stages: QuerySet[MonitoringStage], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.fields["stage"].queryset = stages
        self.fields["value"].help_text = accepted(indicator.unit)

    def clean_value(self) -> Any:
        try:
            value = parse_value(self.indicator.unit, self.cleaned_data["value"])
        except ValueRefused as refused:
            raise forms.ValidationError(refused.message) from None
        if value is None:
            raise forms.ValidationError(_("Укажите значение."))
        return value

    def expected_version(self) -> int | None:
        """The version the save expects: the one opened, or 0 (no value) when the user chose
        another stage than the form was opened on — a value already there is not overwritten
        unseen."""
        stage = self.cleaned_data["stage"]
        if self.cleaned_data.get("opened_stage") != stage.pk:
            return 0
        return self.cleaned_data.get("version")
