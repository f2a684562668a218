"""Deadlines as people write them: «Февраль 2022г.», «Ежегодно в декабре», «По графику ИМЦ».

`parse_deadline(text, period)` is a pure function (no database) from the text of a roadmap's
«Сроки реализации» cell and the roadmap's period to a `Deadline`:

- `kind`: date, by_date, month, range, dates, recurring, continuous, as_needed, external, unknown;
- `start`, `end`: the span the text names;
- `due_dates`: the control dates inside the period, one per occurrence;
- `recurrence`: yearly, half_yearly, quarterly, monthly, weekly or "";
- `external_body`: the body whose schedule is meant («Минпросвещения КБР»);
- `needs_review` and a Russian `note` when a person should look at it.

Meaning: a month is due on its last day, a range at the end of its last month, a quarter on its
last day; a missing year comes from the period, and in a multi-year period a date or month
without a year recurs in each year; an academic year runs 1 September – 31 August; continuous,
as-needed and external deadlines have no due dates. A text that cannot be read with certainty
is flagged for review, never guessed silently, and nothing here raises.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

MIN_YEAR, MAX_YEAR = 2000, 2100


class Kind(models.TextChoices):
    """The kinds of deadline: the one definition the engine, the model and the forms share."""

    DATE = "date", _("Дата")
    BY_DATE = "by_date", _("До даты")
    MONTH = "month", _("Месяц")
    RANGE = "range", _("Период")
    DATES = "dates", _("Несколько дат")
    RECURRING = "recurring", _("Регулярно")
    CONTINUOUS = "continuous", _("Постоянно")
    AS_NEEDED = "as_needed", _("По мере необходимости")
    EXTERNAL = "external", _("По графику другого органа")
    UNKNOWN = "unknown", _("Не распознан")


class Recurrence(models.TextChoices):
    """How often a recurring deadline comes back; "" is no recurrence."""

    YEARLY = "yearly", _("ежегодно")
    HALF_YEARLY = "half_yearly", _("раз в полугодие")
    QUARTERLY = "quarterly", _("ежеквартально")
    MONTHLY = "monthly", _("ежемесячно")
    WEEKLY = "weekly", _("еженедельно")


@dataclass
class Deadline:
    text: str
    kind: str = Kind.UNKNOWN
    start: date | None = None
    end: date | None = None
    due_dates: list[date] = field(default_factory=list)
    recurrence: str = ""
    external_body: str = ""
    needs_review: bool = False
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "kind": self.kind,
            "start": self.start.isoformat() if self.start else None,
            "end": self.end.isoformat() if self.end else None,
            "due_dates": [d.isoformat() for d in self.due_dates],
            "recurrence": self.recurrence or None,
            "external_body": self.external_body or None,
            "needs_review": self.needs_review,
            "note": self.note or None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Deadline:
        """The inverse of as_dict (the JSON kept in an import preview)."""
        return cls(
            text=data.get("text") or "",
            kind=data["kind"],
            start=date.fromisoformat(data["start"]) if data.get("start") else None,
            end=date.fromisoformat(data["end"]) if data.get("end") else None,
            due_dates=[date.fromisoformat(d) for d in data.get("due_dates") or []],
            recurrence=data.get("recurrence") or "",
            external_body=data.get("external_body") or "",
            needs_review=bool(data.get("needs_review")),
            note=data.get("note") or "",
        )

    def summary(self) -> str:
        return describe(
            self.kind, self.start, self.end, self.due_dates, self.recurrence, self.external_body
        )


Period = tuple[date, date]


class Unsure(Exception):
    """The text has the shape of a deadline but a part of it cannot be trusted."""


# --- Words ---------------------------------------------------------------------------------

MONTHS = [
    ("январ", 1), ("феврал", 2), ("март", 3), ("апрел", 4), ("ма[йяе]", 5), ("июн", 6),
    ("июл", 7), ("август", 8), ("сентябр", 9), ("октябр", 10), ("ноябр", 11), ("декабр", 12),
    ("янв", 1), ("фев", 2), ("мар", 3), ("апр", 4), ("авг", 8), ("сен", 9), ("окт", 10),
    ("ноя", 11), ("дек", 12),
]  # fmt: skip
MONTH_RE = "(?:" + "|".join(stem for stem, _ in MONTHS) + r")[а-я]*\.?"
ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
YEAR_RE = r"\d{2,5}"
ACADEMIC_RE = r"(?:уч\.?\s*(?:г\.?|год[а-я]*)?|учебн[а-я]*\s+год[а-я]*)"


def month_number(word: str) -> int:
    for stem, number in MONTHS:
        if re.match(stem, word):
            return number
    raise Unsure(f"не распознан месяц «{word}»")


def normalise(text: str, *, lower: bool = True) -> str:
    value = text.lower() if lower else text
    value = value.replace("ё", "е").replace("Ё", "Е").replace("\u00a0", " ")
    value = re.sub(r"[‐‑‒–—―−]", "-", value)
    value = re.sub(r"\s*-\s*", " - ", value)
    value = re.sub(r"(\d)\s*г\.?\s*(?=\s|$|,|-)", r"\1 ", value, flags=re.I)  # «2022г.»
    value = re.sub(r"\s+", " ", value).strip(" .;,")
    return value


def check_year(raw: str) -> int:
    year = int(raw)
    if len(raw) == 2:
        year += 2000
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Unsure(f"год «{raw}» вне допустимого диапазона")
    return year


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def safe_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise Unsure(f"нет такой даты: {day:02d}.{month:02d}.{year}") from None


# --- Points: one date, month, quarter, half-year, year or academic year ----------------------


@dataclass
class Point:
    start_month: int
    start_day: int
    end_month: int
    end_day: int | None  # None: the last day of end_month
    year: int | None  # None: the text gave no year
    end_year_offset: int = 0  # an academic year ends the next calendar year
    is_day: bool = False

    def span(self, year: int) -> tuple[date, date]:
        start = safe_date(year, self.start_month, self.start_day)
        end_year = year + self.end_year_offset
        if self.end_day is None:
            end = month_end(end_year, self.end_month)
        else:
            end = safe_date(end_year, self.end_month, self.end_day)
        return start, end


QUARTER_RE = r"(?P<q>[1-4]|i{1,3}|iv)\s*-?\s*(?:й|ой|ий)?\s*(?:квартал[а-я]*|кв\.?)"
HALF_RE = r"(?P<h>[12]|i{1,2}|перв[а-я]*|втор[а-я]*)\s*-?\s*(?:е|ое)?\s*полугоди[а-я]*"


def parse_point(text: str) -> Point | None:
    """One point in time, or None when the text is not one; Unsure when it is one but broken."""
    value = text.strip(" .,")
    value = re.sub(r"^(?:в|во|на|к|за)\s+", "", value)
    if m := re.fullmatch(rf"({YEAR_RE})\s*[-/]\s*({YEAR_RE})\s*{ACADEMIC_RE}", value):
        first, second = check_year(m[1]), check_year(m[2])
        if second != first + 1:
            raise Unsure(f"учебный год «{value}» должен охватывать два соседних года")
        return Point(9, 1, 8, None, first, end_year_offset=1)
    value = re.sub(r"\s*(?:г\.?г?\.?|гг\.?|года?|годы)$", "", value).strip()

    if m := re.fullmatch(r"(\d{1,2})[./](\d{1,2})[./](\d{2,5})", value):
        day, month, year = int(m[1]), int(m[2]), check_year(m[3])
        if not 1 <= month <= 12:
            raise Unsure(f"нет месяца {month} в дате «{value}»")
        safe_date(year, month, day)
        return Point(month, day, month, day, year, is_day=True)
    if m := re.fullmatch(rf"(\d{{1,2}})\s+({MONTH_RE})(?:\s+({YEAR_RE}))?", value):
        day, month = int(m[1]), month_number(m[2])
        year = check_year(m[3]) if m[3] else None
        safe_date(year or 2024, month, day)  # 2024: a leap year accepts 29 февраля
        return Point(month, day, month, day, year, is_day=True)
    if m := re.fullmatch(rf"({MONTH_RE})(?:\s+({YEAR_RE}))?", value):
        month = month_number(m[1])
        return Point(month, 1, month, None, check_year(m[2]) if m[2] else None)
    if m := re.fullmatch(rf"{QUARTER_RE}(?:\s+({YEAR_RE}))?", value):
        q = ROMAN.get(m["q"]) or int(m["q"])
        year = check_year(m[m.lastindex]) if m.lastindex and m.lastindex > 1 else None
        return Point(3 * q - 2, 1, 3 * q, None, year)
    if m := re.fullmatch(rf"{HALF_RE}(?:\s+({YEAR_RE}))?", value):
        raw = m["h"]
        h = 1 if raw in {"1", "i"} or raw.startswith("перв") else 2
        year = check_year(m[m.lastindex]) if m.lastindex and m.lastindex > 1 else None
        return Point(6 * h - 5, 1, 6 * h, None, year)
    if m := re.fullmatch(r"(\d{4,5})", value):
        return Point(1, 1, 12, None, check_year(m[1]))
    return None


# --- The parser ----------------------------------------------------------------------------

AS_NEEDED_RE = re.compile(
    r"^(?:по мере (?:необходимости|поступлени|проведени|готовност|возникновени)"
    r"|при необходимости|по необходимости|по запросу|по потребности)"
)
EXTERNAL_RE = re.compile(
    r"(?:^|\s)(?:по|в соответствии с|согласно|в сроки,? установленные|в сроки по)\s+"
    r"(?P<what>графику|график[а-я]*|плану|план[а-я]*|приказу|приказ[а-я]*|срокам|расписанию"
    r"|отдельному графику|отдельному плану|дорожной карт[а-я]*"
    r"|региональн[а-я]* дорожн[а-я]* карт[а-я]*)"
    r"(?P<body>.*)$"
)
CONTINUOUS_RE = re.compile(
    r"^(?:постоянно|систематически|в течение|весь период|на протяжении|в период реализации"
    r"|регулярно|ежедневно|в постоянном режиме)"
)
RECURRING_WORDS = {
    "yearly": r"ежегодн[а-я]*|каждый год|далее ежегодно",
    "half_yearly": r"(?:1 )?раз в полугодие|(?:1 )?раз в полгода|по полугодиям|2 раза в год",
    "quarterly": r"ежеквартальн[а-я]*|(?:1 )?раз в квартал|по кварталам",
    "monthly": r"ежемесячн[а-я]*|каждый месяц|каждого месяца|(?:1 )?раз в месяц",
    "weekly": r"еженедельн[а-я]*|(?:1 )?раз в неделю",
}


def parse_deadline(text: str, period: Period | None = None) -> Deadline:
    """Read a deadline as written; never raises (a failure becomes needs_review)."""
    result = Deadline(text=text)
    try:
        _parse(result, normalise(text or ""), normalise(text or "", lower=False), period)
    except Unsure as exc:
        result.kind = Kind.UNKNOWN if result.kind == Kind.UNKNOWN else result.kind
        result.needs_review = True
        result.note = f"Срок требует проверки: {exc}."
        result.due_dates = []
    except Exception as exc:  # the engine must not break an import; say so instead
        result.kind = Kind.UNKNOWN
        result.needs_review = True
        result.note = f"Срок не распознан ({exc.__class__.__name__})."
        result.due_dates = []
    if result.kind == Kind.UNKNOWN and not result.needs_review:
        result.needs_review = True
        result.note = result.note or "Срок не распознан: укажите его вручную."
    return result


def _parse(result: Deadline, value: str, cased: str, period: Period | None) -> None:
    """`value` is the normalised text in lower case; `cased` the same as written."""
    if not value:
        result.needs_review = True
        result.note = "Срок не указан."
        return
    if AS_NEEDED_RE.search(value):
        result.kind = Kind.AS_NEEDED
        return
    for recurrence, words in RECURRING_WORDS.items():
        if m := re.search(rf"(?:^|\s|-\s)(?:{words})(?:\s|$|,)", value + " "):
            _recurring(result, value, m, recurrence, period)
            return
    if CONTINUOUS_RE.search(value):
        _continuous(result, value, period)
        return
    if m := re.search(
        r"^по (?:итогам|окончании|завершении) (учебного )?(года|полугодия|четверти)", value
    ):
        _after_school_period(result, m, period)
        return
    if m := EXTERNAL_RE.search(value):
        result.kind = Kind.EXTERNAL
        body = (cased if len(cased) == len(value) else value)[m.start("body") : m.end("body")]
        body = body.strip(" ,.")
        if m["what"].startswith(("отдельн", "дорожн", "регион")) or not body:
            body = ""
        result.external_body = body
        result.note = "Дата определяется другим органом: внесите её, когда станет известна."
        return
    if re.search(r"^(?:до|не позднее|в срок до|к|до конца)\s", value):
        _by_date(result, value, period)
        return
    if "," in value or ";" in value or re.search(r"\sи\s", value):
        _dates(result, value, period)
        return
    if _range(result, value, period):
        return
    _single(result, value, period)


def _years(period: Period | None) -> list[int]:
    if period is None:
        return []
    return list(range(period[0].year, period[1].year + 1))


def _inside(dates: list[date], period: Period | None) -> list[date]:
    if period is None:
        return sorted(set(dates))
    return sorted({d for d in dates if period[0] <= d <= period[1]})


def _spans(point: Point, period: Period | None) -> list[tuple[date, date]]:
    """The spans a point stands for: one with its year, or one per year of the period."""
    if point.year is not None:
        return [point.span(point.year)]
    years = _years(period)
    if not years:
        raise Unsure("год не указан, а период дорожной карты не задан")
    if point.end_year_offset:
        years = years[:-1] or years
    return [point.span(year) for year in years]


def _apply_spans(result: Deadline, spans: list[tuple[date, date]], period: Period | None) -> None:
    result.start, result.end = spans[0][0], spans[-1][1]
    if len(spans) > 1:
        result.recurrence = "yearly"
        result.note = "Год не указан: срок повторяется в каждом году периода."
    result.due_dates = _inside([end for _, end in spans], period)
    if not result.due_dates:
        result.needs_review = True
        result.note = "Срок вне периода дорожной карты."


def _single(result: Deadline, value: str, period: Period | None) -> None:
    point = parse_point(value)
    if point is None:
        return
    if point.is_day:
        result.kind = Kind.DATE
    elif point.start_month == point.end_month and point.end_year_offset == 0:
        result.kind = Kind.MONTH
    else:
        result.kind = Kind.RANGE
    _apply_spans(result, _spans(point, period), period)


def _range(result: Deadline, value: str, period: Period | None) -> bool:
    m = re.fullmatch(r"(?:с\s+)?(.+?)\s+(?:-|по|до)\s+(.+)", value)
    if not m:
        return False
    if re.fullmatch(rf"{YEAR_RE}\s*-\s*{YEAR_RE}\s*{ACADEMIC_RE}", value):
        return False  # an academic year, read as one point
    first, second = parse_point(m[1]), parse_point(m[2])
    if first is None or second is None:
        return False
    if first.year is None and second.year is not None:
        first.year = second.year - (1 if first.start_month > second.end_month else 0)
    result.kind = Kind.RANGE
    if first.year is not None:
        start = first.span(first.year)[0]
        end = second.span(second.year if second.year is not None else first.year)[1]
        if end < start:
            raise Unsure("период заканчивается раньше, чем начинается")
        _apply_spans(result, [(start, end)], period)
        return True
    spans = []
    for year in _years(period) or [None]:
        if year is None:
            raise Unsure("год не указан, а период дорожной карты не задан")
        start = first.span(year)[0]
        end_year = year + (1 if second.end_month < first.start_month else 0)
        spans.append((start, second.span(end_year)[1]))
    if any(end < start for start, end in spans):
        raise Unsure("период заканчивается раньше, чем начинается")
    _apply_spans(result, spans, period)
    return True


def _dates(result: Deadline, value: str, period: Period | None) -> None:
    parts = [p for p in re.split(r"\s*[,;]\s*|\s+и\s+", value) if p]
    points = [parse_point(p) for p in parts]
    if any(p is None for p in points):
        return
    # «Март, июнь 2022»: a year written once at the end belongs to every part
    last_year = points[-1].year
    spans: list[tuple[date, date]] = []
    for point in points:
        if point.year is None and last_year is not None:
            point.year = last_year
        spans.extend(_spans(point, period))
    spans.sort()
    result.kind = Kind.DATES
    result.start, result.end = spans[0][0], spans[-1][1]
    result.due_dates = _inside([end for _, end in spans], period)
    outside = len({end for _, end in spans}) - len(result.due_dates)
    if outside:
        result.needs_review = True
        result.note = "Часть дат вне периода дорожной карты."


def _by_date(result: Deadline, value: str, period: Period | None) -> None:
    rest = re.sub(r"^(?:до|не позднее|в срок до|к)\s+", "", value)
    rest = re.sub(r"^конца\s+", "", rest)
    if re.fullmatch(r"(?:конца\s+)?(?:года|периода|учебного года)", rest):
        result.kind = Kind.BY_DATE
        if period is None:
            raise Unsure("не задан период дорожной карты")
        if "учебного" in rest:
            ends = [date(y, 8, 31) for y in _years(period)]
        elif rest.startswith("период"):
            ends = [period[1]]
        else:
            ends = [date(y, 12, 31) for y in _years(period)]
        result.end = ends[-1]
        result.due_dates = _inside(ends, period)
        if len(ends) > 1:
            result.recurrence = "yearly"
        return
    point = parse_point(rest)
    if point is None:
        return
    result.kind = Kind.BY_DATE
    spans = _spans(point, period)
    result.end = spans[-1][1]
    result.due_dates = _inside([end for _, end in spans], period)
    if len(spans) > 1:
        result.recurrence = "yearly"
        result.note = "Год не указан: срок повторяется в каждом году периода."
    if not result.due_dates:
        result.needs_review = True
        result.note = "Срок вне периода дорожной карты."


def _continuous(result: Deadline, value: str, period: Period | None) -> None:
    result.kind = Kind.CONTINUOUS
    if m := re.search(rf"({YEAR_RE})\s*[-/]\s*({YEAR_RE})\s*(?:уч|учебн)", value):
        first, second = check_year(m[1]), check_year(m[2])
        if second != first + 1:
            raise Unsure("учебный год должен охватывать два соседних года")
        result.start, result.end = date(first, 9, 1), date(second, 8, 31)
    elif m := re.search(rf"({YEAR_RE})\s*-\s*({YEAR_RE})", value):
        first, second = check_year(m[1]), check_year(m[2])
        if second < first:
            raise Unsure("период заканчивается раньше, чем начинается")
        result.start, result.end = date(first, 1, 1), date(second, 12, 31)
    elif m := re.search(rf"(?:^|\s)({YEAR_RE})(?:\s|$)", value):
        year = check_year(m[1])
        result.start, result.end = date(year, 1, 1), date(year, 12, 31)
    elif period is not None:
        result.start, result.end = period


def _after_school_period(result: Deadline, m: re.Match[str], period: Period | None) -> None:
    """«По итогам учебного года»: a yearly report whose exact day the text does not give."""
    result.kind = Kind.RECURRING
    academic = bool(m[1])
    unit = m[2]
    if unit == "года":
        result.recurrence = "yearly"
        month, day = (6, 30) if academic else (12, 31)
        dates = [date(y, month, day) for y in _years(period)]
    else:
        result.recurrence = "half_yearly"
        dates = [d for y in _years(period) for d in (date(y, 6, 30), date(y, 12, 31))]
    result.due_dates = _inside(dates, period)
    if period is not None:
        result.start, result.end = period
    result.needs_review = True
    result.note = (
        "«По итогам…»: контрольная дата принята "
        f"{'30 июня' if academic and unit == 'года' else 'на конец периода'}; уточните её."
    )


def _every(recurrence: str, start: date, end: date) -> list[date]:
    """Due dates of a recurrence: the last day of each month, quarter, half-year or year."""
    if recurrence == "weekly":
        first = start + timedelta(days=(6 - start.weekday()) % 7)  # Sundays
        return [first + timedelta(weeks=n) for n in range((end - first).days // 7 + 1)]
    step = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}[recurrence]
    dates = []
    year, month = start.year, start.month
    while True:
        if month % step == 0 or step == 1:
            due = month_end(year, month)
            if due > end:
                break
            if due >= start:
                dates.append(due)
        month += 1
        if month > 12:
            year, month = year + 1, 1
        if date(year, month, 1) > end:
            break
    return dates


def _recurring(
    result: Deadline, value: str, m: re.Match[str], recurrence: str, period: Period | None
) -> None:
    result.kind = Kind.RECURRING
    result.recurrence = recurrence
    anchor = (value[: m.start()] + " " + value[m.end() :]).strip(" ,-")
    anchor = re.sub(r"\s*-?\s*далее$", "", anchor).strip(" ,-")
    if period is None:
        raise Unsure("не задан период дорожной карты")
    start, end = period
    if recurrence != "yearly":
        if since := re.search(r"(?:^|\s)с\s+(.+)$", anchor):
            point = parse_point(since[1])
            if point is None:
                raise Unsure(f"не распознано начало «{since[1]}»")
            start = _spans(point, period)[0][0] if point.year is None else point.span(point.year)[0]
            result.start = start
        elif re.search(r"(?:^|\s)с$", anchor) or anchor.endswith("с…"):
            result.needs_review = True
            result.note = "Начало не указано: принято начало периода."
        elif anchor:
            result.needs_review = True
            result.note = f"Часть «{anchor}» не учтена: контрольные даты — конец каждого периода."
        result.start = result.start or period[0]
        result.end = end
        result.due_dates = _inside(_every(recurrence, max(start, period[0]), end), period)
        return
    # yearly: a day or month in each year, from the first year the text names
    anchor = re.sub(r"^(?:в|во)\s+", "", anchor)
    anchor = re.sub(r"^(?:до|не позднее|к)\s+", "", anchor)
    if not anchor:
        result.start, result.end = period
        result.due_dates = _inside([date(y, 12, 31) for y in _years(period)], period)
        result.note = "Месяц не указан: контрольная дата — конец каждого года."
        return
    point = parse_point(anchor)
    if point is None:
        raise Unsure(f"не распознана часть «{anchor}»")
    first_year = point.year or period[0].year
    point.year = None
    spans = [point.span(y) for y in range(first_year, period[1].year + 1)]
    result.start = spans[0][0] if spans else period[0]
    result.end = period[1]
    result.due_dates = _inside([span_end for _, span_end in spans], period)
    if not result.due_dates:
        result.needs_review = True
        result.note = "Ни одна контрольная дата не попадает в период дорожной карты."


def describe(
    kind: str,
    start: date | None,
    end: date | None,
    due_dates: list[date],
    recurrence: str = "",
    external_body: str = "",
    shown: int = 6,
) -> str:
    """How the portal understood a deadline, in one line a coordinator can check."""

    def fmt(d: date) -> str:
        return d.strftime("%d.%m.%Y")

    parts = [str(Kind(kind).label) if kind in Kind.values else kind]
    if recurrence:
        parts.append(
            str(Recurrence(recurrence).label) if recurrence in Recurrence.values else recurrence
        )
    if kind == Kind.EXTERNAL and external_body:
        parts.append(external_body)
    if kind == Kind.CONTINUOUS and start and end:
        parts.append(f"{fmt(start)}–{fmt(end)}")
    if due_dates:
        listed = ", ".join(fmt(d) for d in due_dates[:shown])
        if len(due_dates) > shown:
            listed += f" … всего {len(due_dates)}"
        parts.append(f"контрольные даты: {listed}")
    elif kind not in {Kind.CONTINUOUS, Kind.AS_NEEDED, Kind.EXTERNAL, Kind.UNKNOWN}:
        parts.append("контрольных дат в периоде нет")
    return "; ".join(parts)
