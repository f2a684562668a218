"""A value as the unit reads it: parsed from what a person types or a table holds, checked
against the unit, and written back the Russian way. One definition for the form and the import.

Yes/no is stored as 1 (да) or 0 (нет)."""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from monitoring.models import Indicator

Unit = Indicator.Unit
TWO_PLACES = Decimal("0.01")
LIMIT = Decimal("9999999999.99")  # the column holds 12 digits, 2 after the point
_YES = {"да", "yes", "1", "+", "true", "истина", "есть", "выполнено"}
_NO = {"нет", "no", "0", "-", "−", "–", "false", "ложь"}
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


class ValueRefused(ValueError):
    """The text is not a value of the unit; `message` says why, in Russian."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_value(unit: str, raw: object) -> Decimal | None:
    """The value of `raw` (text typed or a table cell: str, int, float, Decimal, bool) in
    `unit`; None for an empty cell; ValueRefused with a Russian message when it is not one.

    Percentages are 0–100 («85,5», «85.5 %»), counts whole and not negative, points not
    negative, percentage points −100…100, yes/no «да»/«нет» (also 1/0, +/−). Numbers are kept
    to two decimals (a table's 85,33333 becomes 85,33)."""
    if raw is None:
        return None
    text = ("да" if raw else "нет") if isinstance(raw, bool) else _SPACES.sub("", str(raw))
    if not text:
        return None
    if unit == Unit.BOOLEAN:
        word = text.lower().rstrip(".")
        if word in _YES:
            return Decimal(1)
        if word in _NO:
            return Decimal(0)
        raise ValueRefused(
            _("Для показателя «да/нет» укажите «да» или «нет», а не «%(text)s».") % {"text": text}
        )
    if unit == Unit.PERCENT:
        text = text.removesuffix("%")
    number_text = text.replace(",", ".")
    if not number_text.isascii():  # «٣» and other scripts' digits: not what was meant
        raise ValueRefused(_("«%(text)s» — не число.") % {"text": text})
    try:
        number = Decimal(number_text)
    except InvalidOperation:
        raise ValueRefused(_("«%(text)s» — не число.") % {"text": text}) from None
    if not number.is_finite():
        raise ValueRefused(_("«%(text)s» — не число.") % {"text": text})
    if (number and number.adjusted() > 12) or abs(number) > LIMIT:
        raise ValueRefused(_("Слишком большое число: %(text)s.") % {"text": text})
    number = number.quantize(TWO_PLACES, rounding=ROUND_HALF_UP) + 0  # «-0» is 0
    if unit == Unit.PERCENT and not Decimal(0) <= number <= Decimal(100):
        raise ValueRefused(_("Процент должен быть от 0 до 100, а не %(text)s.") % {"text": text})
    if unit == Unit.PERCENTAGE_POINTS and not Decimal(-100) <= number <= Decimal(100):
        raise ValueRefused(_("Процентные пункты — от −100 до 100, а не %(text)s.") % {"text": text})
    if unit == Unit.COUNT and (number < 0 or number != number.to_integral_value()):
        raise ValueRefused(
            _("Количество — целое неотрицательное число, а не %(text)s.") % {"text": text}
        )
    if unit == Unit.POINTS and number < 0:
        raise ValueRefused(_("Баллы не могут быть отрицательными: %(text)s.") % {"text": text})
    return number


def number_text(value: Decimal) -> str:
    """85.50 → «85,5», 12.00 → «12», −0.30 → «−0,3»."""
    text = format(value.normalize() if value == value.to_integral_value() else value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",").replace("-", "−")


def format_value(unit: str, value: Decimal | None) -> str:
    """A value as people write it: «85,5 %», «да», «12», «4,2», «−0,3 п.п.»; «—» for none."""
    if value is None:
        return "—"
    if unit == Unit.BOOLEAN:
        return _("да") if value else _("нет")
    text = number_text(value)
    if unit == Unit.PERCENT:
        return f"{text}\u00a0%"
    if unit == Unit.PERCENTAGE_POINTS:
        return f"{text}\u00a0{_('п.п.')}"
    return text


def input_text(unit: str, value: Decimal | None) -> str:
    """A value as a form field shows it back for editing: «85,5», «да»."""
    if value is None:
        return ""
    if unit == Unit.BOOLEAN:
        return _("да") if value else _("нет")
    return number_text(value).replace("−", "-")


def share_text(unit: str, average: Decimal | None) -> str:
    """The schools' average of a value as people read it: for yes/no the share of schools
    with «да» (««да» у 50 % школ»), else the value; «—» for none."""
    if average is None:
        return "—"
    if unit == Unit.BOOLEAN:
        share = (Decimal(average) * 100).quantize(Decimal("1"))
        return _("«да» у %(share)s\u00a0%% школ") % {"share": share}
    return format_value(unit, Decimal(average).quantize(Decimal("0.1")))


def check_measured_on(day: date) -> None:
    """ValueRefused for a measurement date that cannot be: before 2000 or after today."""
    if day.year < 2000:
        raise ValueRefused(_("Дата измерения — не раньше 2000 года."))
    if day > timezone.localdate():
        raise ValueRefused(_("Дата измерения не может быть позже сегодняшнего дня."))
