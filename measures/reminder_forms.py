"""The forms of the reminder pages: a person's «Настройки напоминаний» and the filters of the
«Напоминания» log (their state is in the URL)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from measures.models import (
    DEFAULT_OVERDUE_EVERY,
    DEFAULT_REMINDER_HOUR,
    REMINDER_OFFSETS,
    Reminder,
    ReminderSettings,
)

OFFSET_LABELS = {
    14: _("за 14 дней"),
    7: _("за 7 дней"),
    3: _("за 3 дня"),
    1: _("за 1 день"),
    0: _("в день срока"),
}


def _person_label(user: Any) -> str:
    return user.get_full_name() or user.get_username()


class SubstituteChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return _person_label(obj)


class ReminderSettingsForm(forms.Form):
    offsets = forms.TypedMultipleChoiceField(
        label=_("Напоминать до контрольной даты"),
        choices=[(d, OFFSET_LABELS[d]) for d in REMINDER_OFFSETS],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Ничего не отмечено — напоминания только после срока."),
    )
    overdue_every = forms.IntegerField(
        label=_("После срока — напоминать каждые N дней"),
        min_value=1,
        max_value=30,
        initial=DEFAULT_OVERDUE_EVERY,
        error_messages={
            "required": _("Укажите число дней от 1 до 30."),
            "invalid": _("Укажите число дней от 1 до 30."),
            "min_value": _("Укажите число дней от 1 до 30."),
            "max_value": _("Укажите число дней от 1 до 30."),
        },
    )
    hour = forms.TypedChoiceField(
        label=_("Час отправки"),
        choices=[(h, f"{h:02d}:00") for h in range(24)],
        coerce=int,
        initial=DEFAULT_REMINDER_HOUR,
        help_text=_("По московскому времени, в рабочие дни."),
    )
    paused_until = forms.DateField(
        label=_("Не присылать до (включительно)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Например, на время отпуска. Пусто — присылать."),
        error_messages={"invalid": _("Введите дату.")},
    )
    digest_enabled = forms.BooleanField(
        label=_("Присылать ежедневную сводку о сроках"), required=False
    )
    weekly_enabled = forms.BooleanField(
        label=_("Получать еженедельную сводку по муниципалитету"), required=False
    )
    weekly_substitute = SubstituteChoice(
        label=_("Вместо меня сводку получает"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("— никто —"),
        help_text=_("Координатор, отключивший сводку, выбирает, кто получает её вместо него."),
    )

    def __init__(self, *args: Any, prefs: ReminderSettings, substitutes: Any, **kwargs: Any):
        """`substitutes`: the users who may receive the weekly summary instead; None when the
        weekly fields are not shown (not a coordinator or a working-group chair)."""
        initial = {
            "offsets": list(prefs.offsets),
            "overdue_every": prefs.overdue_every,
            "hour": prefs.hour,
            "paused_until": prefs.paused_until,
            "digest_enabled": prefs.digest_enabled,
            "weekly_enabled": prefs.weekly_enabled,
            "weekly_substitute": prefs.weekly_substitute_id,
        }
        super().__init__(*args, initial=initial, **kwargs)
        if substitutes is None:
            del self.fields["weekly_enabled"], self.fields["weekly_substitute"]
        else:
            self.fields["weekly_substitute"].queryset = substitutes

    @property
    def shows_weekly(self) -> bool:
        return "weekly_enabled" in self.fields

    def clean_paused_until(self) -> Any:
        day = self.cleaned_data.get("paused_until")
        if day is not None and day < timezone.localdate():
            raise forms.ValidationError(_("Дата не может быть в прошлом."))
        return day


class LogFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Статус"), required=False)
    kind = forms.ChoiceField(label=_("Вид"), required=False)
    recipient = forms.CharField(label=_("Получатель"), required=False, max_length=100)
    school = forms.CharField(label=_("Школа"), required=False, max_length=100)
    date_from = forms.DateField(
        label=_("День с"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Введите дату.")},
    )
    date_to = forms.DateField(
        label=_("День по"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Введите дату.")},
    )
    municipality = forms.ChoiceField(label=_("Муниципалитет"), required=False)

    def __init__(self, data: Any, *, municipalities: list[tuple[int, str]]) -> None:
        super().__init__(data)
        self.fields["status"].choices = [("", _("Все")), *Reminder.Status.choices]
        self.fields["kind"].choices = [("", _("Все")), *Reminder.Kind.choices]
        if len(municipalities) > 1:
            self.fields["municipality"].choices = [("", _("Все"))] + [
                (str(pk), name) for pk, name in municipalities
            ]
        else:
            del self.fields["municipality"]
