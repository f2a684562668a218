"""Deadlines as people write them: «Февраль 2022г.», «Ежегодно в декабре», «По графику ИМЦ».

`parse_deadline(text, period)` is a pure function (no database) from the text of a roadmap's
«Сроки реализации» cell and the roadmap's period to a `Deadline`:

- `kind`: date, by_date, month, range, dates, recurring, continuous, as_needed, external, unknown;
- `start`, `end`: the span the text names;
- `due_dates`: the control dates inside the period, one per occurrence;
- `recurrence`: yearly, half_yearly, quarterly, termly, monthly, weekly or "";
- `external_body`: the body whose schedule is meant («Минпросвещения КБР»);
- `needs_review` and a Russian `note` when a person should look at it.

The grammar composes. A phrase is read as up to four parts, in any order and punctuation:

- a *schedule of another body* («по графику Рособрнадзора», «в сроки, установленные
  Минпросвещения России»; «по графику проведения ВПР» names a schedule, not a body);
- a *recurrence* («ежемесячно», «(ежеквартально)», «1 раз в четверть», «по четвергам»,
  «до 15 числа каждого месяца», «2 раза в год (май, декабрь)», «далее ежегодно»);
- *remarks* in brackets that are neither («(ГИА)»), which are kept in the text and ignored; a
  bracket that names time joins the span («(в течение учебного года)»), and a full date in
  brackets must agree with the words («вторая среда марта (13.03.24)») or the phrase is flagged;
- a *span*: a point (a date, a month, a decade, a quarter, a half-year, a school term, a season,
  a year, a school year and its halves, the start or the end of the school year, the n-th
  weekday of a month), a range of points («с … по …», «… – …», «III–IV квартал»), a list of
  points or ranges («май, декабрь», «4, 9 и 23 сентября»), optionally after «в течение»,
  «в период», «до», «не позднее», «к», «с». «До/к <год>» is flagged: its start or its end?
  A phrase counted from an event («за 2 недели до…», «в течение месяца») is flagged too.

Meaning: a point is due at its end (a month on its last day, a quarter on its last day, a school
term at the end of the term: I — 1 Sep–31 Oct, II — 1 Nov–31 Dec, III — 1 Jan–31 Mar, IV —
1 Apr–31 May); «в течение» a span shorter than a year is that span, due at its end; «в течение»
a year or longer is continuous. A recurrence limited by a span gives its dates inside the span (a
school-year span skips June–August for monthly, weekly and termly work). An academic year runs
1 September – 31 August; «начало учебного года» is 1 September and «конец учебного года» 31 May.

Every point without a year takes it from the period's own calendar: it stands for each of its
occurrences that lie wholly inside the period, so in an academic period (2023-09-01:2024-08-31)
«октябрь» is October 2023 and «май» May 2024, and in a multi-year calendar period it recurs each
year. Continuous, as-needed and external deadlines have no due dates. A text that cannot be read
with certainty is flagged for review with a note saying what to check; nothing here raises.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db import models
from django.utils.translation import gettext, gettext_noop
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
    TERMLY = "termly", _("раз в четверть")
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
    ("январ", 1), ("феврал", 2), ("март", 3), ("апрел", 4), ("ма[йяею]", 5), ("июн", 6),
    ("июл", 7), ("август", 8), ("сентябр", 9), ("октябр", 10), ("ноябр", 11), ("декабр", 12),
    ("янв", 1), ("фев", 2), ("мар", 3), ("апр", 4), ("авг", 8), ("сен", 9), ("окт", 10),
    ("ноя", 11), ("дек", 12),
]  # fmt: skip
MONTH_RE = "(?:" + "|".join(stem for stem, _ in MONTHS) + r")[а-я]*\.?"
ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
YEAR_RE = r"\d{2,5}"
YEAR_TAIL = r"(?:\s+(\d{2,5}))?"
ACADEMIC_RE = r"(?:уч\.?\s*(?:г\.?|год[а-я]*)?|учебн[а-я]*\s+год[а-я]*)"
ORDINAL_RE = r"[1-4]|i{1,3}|iv|перв[а-я]*|втор[а-я]*|трет[а-я]*|четв[её]рт[а-я]*"
WEEKDAYS = {"понедельник": 0, "вторник": 1, "сред": 2, "четверг": 3, "пятниц": 4, "суббот": 5,
            "воскресень": 6}  # fmt: skip
WEEKDAY_STEMS = "понедельник|вторник|сред|четверг|пятниц|суббот|воскресень"
WEEKDAY_NAMES = [  # for messages only: translated at use time
    gettext_noop("понедельник"),
    gettext_noop("вторник"),
    gettext_noop("среда"),
    gettext_noop("четверг"),
    gettext_noop("пятница"),
    gettext_noop("суббота"),
    gettext_noop("воскресенье"),
]
TERMS = {1: (9, 1, 10, 31), 2: (11, 1, 12, 31), 3: (1, 1, 3, 31), 4: (4, 1, 5, 31)}
OUTSIDE_NOTE = gettext_noop("Срок вне периода дорожной карты.")  # a copied roadmap lists it as is
SUMMER = {6, 7, 8}
SCHOOL_MONTHS_ONLY = {"monthly", "weekly", "termly"}  # inside a school year: no summer dates
TERM_NOTE = gettext_noop(
    "Границы четверти приняты по месяцам; уточните день по календарному графику."
)
END_OF_SCHOOL_YEAR_NOTE = gettext_noop(
    "Конец учебного года принят 31 мая; уточните день по календарному графику."
)


def month_number(word: str) -> int:
    for stem, number in MONTHS:
        if re.match(stem, word):
            return number
    raise Unsure(gettext("не распознан месяц «%(word)s»") % {"word": word})


def ordinal(raw: str) -> int:
    raw = raw.strip()
    if raw in ROMAN:
        return ROMAN[raw]
    if raw.isdigit():
        return int(raw)
    for prefix, number in (("перв", 1), ("втор", 2), ("трет", 3), ("четв", 4)):
        if raw.startswith(prefix):
            return number
    raise Unsure(gettext("не распознан номер «%(raw)s»") % {"raw": raw})


def normalise(text: str, *, lower: bool = True) -> str:
    value = text.lower() if lower else text
    value = value.replace("ё", "е").replace("Ё", "Е").replace("\u00a0", " ")
    value = re.sub(r"[‐‑‒–—―−]", "-", value)
    value = re.sub(r"\s*-\s*", " - ", value)
    value = re.sub(r"\b(\d{1,2}) - (?:го|ого|е|ое)(?=\s)", r"\1", value, flags=re.I)  # «22-го»
    value = re.sub(r"(\d)\s*г\.?\s*(?=\s|$|,|-|;|\))", r"\1 ", value, flags=re.I)  # «2022г.»
    # «сентябрь, 2023 - май, 2024»: a comma between a month and its year does not part them
    value = re.sub(rf"(?<![а-яa-z])({MONTH_RE})\s*,\s*(\d{{4}})(?!\d)", r"\1 \2", value, flags=re.I)
    value = re.sub(r"\s+", " ", value).strip(" .;,")
    return value


def check_year(raw: str) -> int:
    year = int(raw)
    if len(raw) == 2:
        year += 2000
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Unsure(gettext("год «%(raw)s» вне допустимого диапазона") % {"raw": raw})
    return year


def is_academic(period: Period) -> bool:
    """A period of whole school years (1 September – 31 August)."""
    start, end = period
    return (start.month, start.day, end.month, end.day) == (9, 1, 8, 31)


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def safe_date(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise Unsure(
            gettext("нет такой даты: %(day)02d.%(month)02d.%(year)s")
            % {"day": day, "month": month, "year": year}
        ) from None


# --- Points: a date, month, decade, quarter, half-year, term, season, year, school year --------


@dataclass
class Point:
    start_month: int
    start_day: int
    end_month: int
    end_day: int | None  # None: the last day of end_month
    year: int | None  # None: the text gave no year
    end_year_offset: int = 0  # an academic year (or a winter) ends the next calendar year
    is_day: bool = False
    school: bool = False  # a school year: monthly work inside it skips the summer
    note: str = ""
    nth_weekday: tuple[int, int] | None = None  # «вторая среда марта»: (2, 2); last: (-1, …)
    half: int | None = None  # «1 полугодие» without a year: the calendar's or the school's half

    def span(self, year: int) -> tuple[date, date]:
        if self.nth_weekday is not None:
            n, weekday = self.nth_weekday
            days = [
                date(year, self.start_month, d)
                for d in range(1, calendar.monthrange(year, self.start_month)[1] + 1)
                if date(year, self.start_month, d).weekday() == weekday
            ]
            return days[n - 1 if n > 0 else -1], days[n - 1 if n > 0 else -1]
        start = safe_date(year, self.start_month, self.start_day)
        end_year = year + self.end_year_offset
        if self.end_day is None:
            end = month_end(end_year, self.end_month)
        else:
            end = safe_date(end_year, self.end_month, self.end_day)
        return start, end

    def long(self) -> bool:
        """A year or more: «в течение» it is continuous work, not a span with a due date."""
        if self.is_day:
            return False
        start, end = self.span(2023)
        return (end - start).days >= 360


def _year_of(m: re.Match[str], group: int) -> int | None:
    raw = m.group(group)
    return check_year(raw) if raw else None


def parse_point(text: str) -> Point | None:
    """One point in time, or None when the text is not one; Unsure when it is one but broken."""
    value = text.strip(" .,-")
    value = re.sub(r"^(?:(?:в|во|на|к|за|до)\s+|по (?:итогам|окончании|завершении)\s+)", "", value)
    if m := re.fullmatch(
        rf"({ORDINAL_RE})\s*-?\s*(?:е|ое|я|ая|ья|й)?\s*(полугоди|четверт)[а-я]*\s+"
        rf"(?:({YEAR_RE})\s*[-/]\s*({YEAR_RE})\s*)?{ACADEMIC_RE}",
        value,
    ):  # «1 полугодие 2023-2024 учебного года»: the school's halves are Sep–Dec and Jan–May
        n = ordinal(m[1])
        first = check_year(m[3]) if m[3] else None
        if first is not None and check_year(m[4]) != first + 1:
            raise Unsure(
                gettext("учебный год «%(value)s» должен охватывать два соседних года")
                % {"value": value}
            )
        if m[2] == "полугоди":
            if n > 2:
                raise Unsure(gettext("в учебном году два полугодия, а не %(n)s") % {"n": n})
            sm, sd, em, ed = (9, 1, 12, 31) if n == 1 else (1, 1, 5, 31)
        else:
            sm, sd, em, ed = TERMS[n]
        year = None if first is None else first + (1 if sm < 9 else 0)
        return Point(sm, sd, em, ed, year, school=True)
    if m := re.fullmatch(rf"({YEAR_RE})\s*[-/]\s*({YEAR_RE})\s*{ACADEMIC_RE}", value):
        first, second = check_year(m[1]), check_year(m[2])
        if second != first + 1:
            raise Unsure(
                gettext("учебный год «%(value)s» должен охватывать два соседних года")
                % {"value": value}
            )
        return Point(9, 1, 8, None, first, end_year_offset=1, school=True)
    if re.fullmatch(rf"(?:начал[а-я]*|старт[а-я]*)\s+{ACADEMIC_RE}", value):
        return Point(9, 1, 9, 1, None, is_day=True, school=True)
    if re.fullmatch(rf"(?:конц[а-я]*|конец|окончани[а-я]*|завершени[а-я]*)\s+{ACADEMIC_RE}", value):
        return Point(
            5, 31, 5, 31, None, is_day=True, school=True, note=gettext(END_OF_SCHOOL_YEAR_NOTE)
        )
    if m := re.fullmatch(
        rf"(конц[а-я]*|конец|окончани[а-я]*|завершени[а-я]*|начал[а-я]*)\s+({ORDINAL_RE})\s*-?\s*"
        r"(?:я|ая|ья|й|ей|ой)?\s*(?:учебн[а-я]*\s+)?четверт[а-я]*",
        value,
    ):  # «конец четвертой четверти»: the last day of that term (the terms' conventional ends)
        sm, sd, em, ed = TERMS[ordinal(m[2])]
        month, day = (sm, sd) if m[1].startswith("начал") else (em, ed)
        note = gettext(END_OF_SCHOOL_YEAR_NOTE if (month, day) == (5, 31) else TERM_NOTE)
        return Point(month, day, month, day, None, is_day=True, school=True, note=note)
    if re.fullmatch(rf"(?:текущ[а-я]*\s+|всего\s+)?{ACADEMIC_RE}", value):
        return Point(9, 1, 8, None, None, end_year_offset=1, school=True)
    value = re.sub(r"\s*(?:г\.?г?\.?|гг\.?|года?|годы|году|годах|годов)$", "", value).strip()

    if m := re.fullmatch(r"(\d{1,2})[./](\d{1,2})[./](\d{2,5})", value):
        day, month, year = int(m[1]), int(m[2]), check_year(m[3])
        if not 1 <= month <= 12:
            raise Unsure(
                gettext("нет месяца %(month)s в дате «%(value)s»")
                % {"month": month, "value": value}
            )
        safe_date(year, month, day)
        return Point(month, day, month, day, year, is_day=True)
    if m := re.fullmatch(r"(\d{1,2})\.(\d{1,2})", value):  # «01.09» without a year
        day, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise Unsure(
                gettext("нет месяца %(month)s в дате «%(value)s»")
                % {"month": month, "value": value}
            )
        safe_date(2024, month, day)
        return Point(month, day, month, day, None, is_day=True)
    if m := re.fullmatch(
        rf"(перв|втор|трет|четв[её]рт|последн)[а-я]*\s+({WEEKDAY_STEMS})[а-я]*\s+({MONTH_RE})"
        rf"{YEAR_TAIL}",
        value,
    ):
        n = -1 if m[1] == "последн" else ordinal(m[1])
        weekday = next(d for stem, d in WEEKDAYS.items() if m[2].startswith(stem))
        month = month_number(m[3])
        return Point(month, 1, month, 1, _year_of(m, 4), is_day=True, nth_weekday=(n, weekday))
    if m := re.fullmatch(rf"(\d{{1,2}})\s+({MONTH_RE}){YEAR_TAIL}", value):
        day, month = int(m[1]), month_number(m[2])
        safe_date(_year_of(m, 3) or 2024, month, day)  # 2024: a leap year accepts 29 февраля
        return Point(month, day, month, day, _year_of(m, 3), is_day=True)
    if m := re.fullmatch(rf"({MONTH_RE}){YEAR_TAIL}", value):
        month = month_number(m[1])
        return Point(month, 1, month, None, _year_of(m, 2))
    if m := re.fullmatch(
        rf"({ORDINAL_RE})\s*-?\s*(?:я|ая|ья|й|ой|ий)?\s*декад[а-я]*\s+({MONTH_RE}){YEAR_TAIL}",
        value,
    ):
        n, month = ordinal(m[1]), month_number(m[2])
        if n > 3:
            raise Unsure(gettext("в месяце три декады, а не %(n)s") % {"n": n})
        first, last = (1, 10) if n == 1 else (11, 20) if n == 2 else (21, None)
        return Point(month, first, month, last, _year_of(m, 3))
    if m := re.fullmatch(
        rf"({ORDINAL_RE})\s*-?\s*(?:й|ой|ий)?\s*(?:квартал[а-я]*|кв\.?){YEAR_TAIL}", value
    ):
        q = ordinal(m[1])
        return Point(3 * q - 2, 1, 3 * q, None, _year_of(m, 2))
    if m := re.fullmatch(rf"({ORDINAL_RE})\s*-?\s*(?:е|ое)?\s*полугоди[а-я]*{YEAR_TAIL}", value):
        h = ordinal(m[1])
        if h > 2:
            raise Unsure(gettext("в году два полугодия, а не %(half)s") % {"half": h})
        year = _year_of(m, 2)
        return Point(6 * h - 5, 1, 6 * h, None, year, half=h if year is None else None)
    if m := re.fullmatch(
        rf"({ORDINAL_RE})\s*-?\s*(?:я|ая|ья|й)?\s*(?:учебн[а-я]*\s+)?четверт[а-я]*{YEAR_TAIL}",
        value,
    ):
        sm, sd, em, ed = TERMS[ordinal(m[1])]
        return Point(sm, sd, em, ed, _year_of(m, 2))
    if m := re.fullmatch(rf"(весн|весен|лет|осен|зим)[а-я]*(?:\s+период[а-я]*)?{YEAR_TAIL}", value):
        season = m[1]
        if season == "зим":
            if m[2]:
                raise Unsure(
                    gettext("«%(value)s»: уточните, какая зима (декабрь–февраль) имеется в виду")
                    % {"value": value}
                )
            return Point(12, 1, 2, None, None, end_year_offset=1)
        first = {"весн": 3, "весен": 3, "лет": 6, "осен": 9}[season]
        return Point(first, 1, first + 2, None, _year_of(m, 2))
    if m := re.fullmatch(r"(\d{4,5})", value):
        return Point(1, 1, 12, None, check_year(m[1]))
    return None


def _spans(point: Point, period: Period | None) -> list[tuple[date, date]]:
    """The spans a point stands for: one with its year, or each one wholly inside the period."""
    if point.year is not None:
        return [point.span(point.year)]
    if period is None:
        raise Unsure(gettext("год не указан, а период дорожной карты не задан"))
    if point.half is not None and is_academic(period):  # the period's own calendar: a school
        sm, em = (9, 12) if point.half == 1 else (1, 5)  # year's halves are Sep–Dec and Jan–May
        point = Point(sm, 1, em, None, None, school=True)
    spans = []
    for year in range(period[0].year - 1, period[1].year + 1):
        try:
            start, end = point.span(year)
        except Unsure:  # 29 февраля in a common year
            continue
        if period[0] <= start and end <= period[1]:
            spans.append((start, end))
    if not spans:
        raise Unsure(
            gettext("год не указан, и срок не помещается в период дорожной карты; укажите год")
        )
    return spans


# --- A span: a point, a range of points or a list of them ------------------------------------


@dataclass
class Span:
    """What the part of a phrase that names time stands for."""

    spans: list[tuple[date, date]]  # sorted; several when a yearless point recurs or a list
    kind: str  # date, month, range, dates
    long: bool = False  # a year or more
    school: bool = False
    yearless: bool = False
    listed: bool = False
    note: str = ""


def _point_kind(point: Point) -> str:
    if point.is_day:
        return Kind.DATE
    same_month = point.start_month == point.end_month and point.end_year_offset == 0
    if same_month and point.start_day == 1 and point.end_day is None:
        return Kind.MONTH
    return Kind.RANGE


def _expand(value: str) -> str:
    """Rewrite the shorthand of ranges into «A - B» with both ends whole."""
    # «с 1 по 10 ноября», «1-10 ноября», «13 - 14 декабря 2023»
    value = re.sub(
        rf"(?:^|(?<=\s))(?:с\s+)?(\d{{1,2}})\s+(?:-|по|до)\s+(\d{{1,2}})\s+({MONTH_RE})",
        r"\1 \3 - \2 \3",
        value,
    )
    # «III - IV квартал», «1 - 2 полугодие», «I - II четверть»
    value = re.sub(
        rf"\b({ORDINAL_RE})\s+-\s+({ORDINAL_RE})\s*-?\s*(?:й|ой|ий|е|ое|я|ая)?\s*"
        r"(квартал[а-я]*|кв\.?|полугоди[а-я]*|четверт[а-я]*)",
        r"\1 \3 - \2 \3",
        value,
    )
    return value


def parse_span(value: str, period: Period | None) -> Span | None:
    """A point, a range («с A по B», «A - B») or a list («A, B и C»); None if not one."""
    value = _expand(value.strip(" ,.-"))
    value = re.sub(r"^в период\s+", "", value)
    if not value:
        return None
    parts = [p.strip() for p in re.split(r"\s*[,;]\s*|\s+и\s+", value) if p.strip(" .-")]
    if len(parts) > 1:
        # «4, 9 и 23 сентября»: bare days take the month (and year) written once at the end
        named = [p for p in parts if not BARE_YEAR_RE.fullmatch(p)]
        tail = named and re.fullmatch(
            rf"\d{{1,2}}\s+((?:{MONTH_RE})(?:\s+\d{{2,5}})?.*)", named[-1]
        )
        if tail:
            parts = [f"{p} {tail[1]}" if re.fullmatch(r"\d{1,2}", p) else p for p in parts]
        parts = _distribute_years(parts)
    if len(parts) > 1:
        return _list(parts, period)
    return _one(parts[0], period)


YEAR_WORD_RE = r"(?:гг?\.?|год(?:а|ы|у|ов|ах|ам)?)"
BARE_YEAR_RE = re.compile(rf"(\d{{4}})\s*{YEAR_WORD_RE}?")
PLURAL_YEARS_RE = re.compile(r"\d{4}\s*(?:гг|годы|годов|годах|годам)\.?")
DATED_RE = re.compile(rf"(.*?\D)\s*(\d{{4}})(?:\s*{YEAR_WORD_RE})?")


def _yearless_point(text: str) -> bool:
    try:
        point = parse_point(text)
    except Unsure:
        return False
    return point is not None and point.year is None


def _distribute_years(parts: list[str]) -> list[str]:
    """Bare years in a list: «май 2023, 2024 гг.» is May of each year, «январь, 2024» one month.

    Bare years after a point with its year repeat that point (and the yearless points just
    before it: «март, июнь 2023, 2024 гг.») in each of them; a bare year after a point without
    one is its year; bare years alone are whole years.
    """
    out: list[str] = []
    group: list[str] = []  # the points (without their year) the bare years repeat
    group_year = ""
    pending: list[int] = []  # yearless points since the last dated one, by index in out
    open_group: list[int] = []  # the points of the group still to be given the group's year
    for part in parts:
        bare = BARE_YEAR_RE.fullmatch(part)
        if bare and group:
            for index in open_group:
                out[index] = f"{out[index]} {group_year}"
            open_group = []
            out.extend(f"{prefix} {bare[1]}" for prefix in group)
            pending = []
            continue
        if bare and out and not DATED_RE.fullmatch(out[-1]) and not BARE_YEAR_RE.fullmatch(out[-1]):
            out[-1] = f"{out[-1]} {bare[1]}"  # «январь, 2024»
            pending = []
            continue
        if bare:
            out.append(part)
            continue
        dated = DATED_RE.fullmatch(part)
        if dated and not BARE_YEAR_RE.fullmatch(part):
            if group and dated[2] == group_year and not pending and out:
                group.append(dated[1].strip())  # «май 2023, декабрь 2023, 2024 гг.»
            else:
                group = [out[i] for i in pending] + [dated[1].strip()]
                open_group = list(pending)
                group_year = dated[2]
            pending = []
            out.append(part)
            continue
        group = []
        if _yearless_point(part):
            pending.append(len(out))
        else:
            pending = []
        out.append(part)
    return out


def _year_list(first: str, point: Point, last: str) -> Span:
    """«май 2023 - 2024 гг.»: the point in each year from its own to the last one named."""
    assert point.year is not None
    final = int(BARE_YEAR_RE.fullmatch(last)[1])  # type: ignore[index]
    if not PLURAL_YEARS_RE.fullmatch(last):
        raise Unsure(
            gettext("«%(first)s - %(last)s»: неясно, каждый год или весь период; уточните срок")
            % {"first": first, "last": last}
        )
    if not point.year < final <= point.year + 10:
        raise Unsure(
            gettext("«%(first)s - %(last)s»: годы идут не по порядку; уточните срок")
            % {"first": first, "last": last}
        )
    spans = [point.span(year) for year in range(point.year, final + 1)]
    return Span(spans, Kind.DATES, listed=True)


def _one(value: str, period: Period | None) -> Span | None:
    point = parse_point(value)
    if point is not None:
        spans = _spans(point, period)
        return Span(
            spans,
            _point_kind(point),
            long=point.long(),
            school=point.school,
            yearless=point.year is None,
            note=point.note,
        )
    m = re.fullmatch(r"(?:с\s+)?(.+?)\s+(?:-|по|до)\s+(.+)", value)
    if not m:
        return None
    if re.fullmatch(rf"{YEAR_RE}\s*-\s*{YEAR_RE}\s*{ACADEMIC_RE}", value):
        return None
    first, second = parse_point(m[1]), parse_point(m[2])
    if first is None or second is None:
        return None
    if (
        re.fullmatch(r".+?\s+-\s+.+", value)
        and not value.startswith("с ")
        and BARE_YEAR_RE.fullmatch(m[2])
        and first.year is not None
        and (first.start_month, first.start_day, first.end_month, first.end_day) != (1, 1, 12, None)
    ):  # «май 2023 - 2024 гг.», not «в 2023 - 2024 гг.»
        return _year_list(m[1], first, m[2])
    if first.year is None and second.year is not None:
        wraps = (first.start_month, first.start_day) > (second.end_month, second.end_day or 31)
        first.year = second.year - second.end_year_offset - (1 if wraps else 0)
    if first.year is not None:
        start = first.span(first.year)[0]
        end = second.span(second.year if second.year is not None else first.year)[1]
        if end < start and second.year is None:
            end = second.span(first.year + 1)[1]
        if end < start:
            raise Unsure(gettext("период заканчивается раньше, чем начинается"))
        return Span([(start, end)], Kind.RANGE, long=(end - start).days >= 360)
    if period is None:
        raise Unsure(gettext("год не указан, а период дорожной карты не задан"))
    spans = []
    for year in range(period[0].year - 1, period[1].year + 1):
        try:
            start = first.span(year)[0]
            end = second.span(year)[1]
            if end < start:
                end = second.span(year + 1)[1]
        except Unsure:
            continue
        if period[0] <= start and end <= period[1]:
            spans.append((start, end))
    if not spans:
        raise Unsure(
            gettext("год не указан, и период не помещается в период дорожной карты; укажите год")
        )
    long = (spans[0][1] - spans[0][0]).days >= 360
    return Span(spans, Kind.RANGE, long=long, yearless=True)


def _list(parts: list[str], period: Period | None) -> Span | None:
    points = [parse_point(p) for p in parts]
    if any(p is None for p in points):
        # «ноябрь-декабрь 2023 г., март-апрель 2024 г.»: each part a range, due at its end
        ones = [_one(p, period) for p in parts]
        if any(o is None for o in ones):
            return None
        spans = sorted(s for o in ones if o is not None for s in o.spans)
        yearless = any(o.yearless for o in ones if o is not None)
        return Span(spans, Kind.DATES, yearless=yearless, listed=True)
    # «Март, июнь 2022»: a year written once at the end belongs to every part before it
    last_year = points[-1].year  # type: ignore[union-attr]
    spans: list[tuple[date, date]] = []
    yearless = False
    for point in points:
        assert point is not None
        if point.year is None and last_year is not None:
            point.year = last_year
        yearless = yearless or point.year is None
        spans.extend(_spans(point, period))
    spans.sort()
    return Span(spans, Kind.DATES, yearless=yearless, listed=True)


# --- The other parts: a schedule, a recurrence, remarks ---------------------------------------

AS_NEEDED_RE = re.compile(
    r"^(?:по мере (?:необходимости|поступлени|проведени|готовност|возникновени)"
    r"|при необходимости|по необходимости|по запросу|по потребности|по запросам)"
)
EXTERNAL_RE = re.compile(
    r"(?:^|\s|,)(?:по|в соответствии с|согласно|в сроки,? по|в сроки,? согласно)\s+"
    r"(?P<what>графику|график[а-я]*|плану|план[а-я]*|приказу|приказ[а-я]*|срокам|расписанию"
    r"|отдельному графику|отдельному плану|дорожной карт[а-я]*|порядку|порядк[а-я]*"
    r"|региональн[а-я]* дорожн[а-я]* карт[а-я]*|календар[а-я]*)"
    r"(?P<body>.*)$"
    r"|(?:^|\s|,)в (?:сроки|срок|период),? (?:установленн|определенн|утвержденн)[а-я]*"
    r"(?P<body2>.*)$"
)
TRAILING_WEEKDAY_RE = re.compile(
    rf"(?:\s*,\s*(?:(?:в|во)\s+)?|\s+(?:в|во)\s+)((?:{WEEKDAY_STEMS})[а-я]*)$"
)
REMARK_RE = re.compile(r"(?:^|[\s,;])(?:в соответствии с|согласно)\s")
SCHEDULE_RE = re.compile(
    r"^(?:проведени|впр|гиа|егэ|огэ|гвэ|нико|pisa|итогов|олимпиад|мониторинг|оценочн|курс"
    r"|обучени|аттестаци|конкурс|семинар|заседани|совещани|мероприяти|экзамен|выезд)"
)
CONTINUOUS_RE = re.compile(
    r"^(?:постоянно|систематически|весь период|на протяжении|в период реализации"
    r"|регулярно|ежедневно|в постоянном режиме|в течение)"
)
RELATIVE_RE = re.compile(
    r"(?:\d+\s*|\b)(?:дн[а-я]*|недел[а-я]*|месяц[а-я]*|рабоч[а-я]*)\s+(?:со дня|с момента|после"
    r"|до начала|до дня|с даты|до проведения)"
    r"|за (?:\d+|одн[а-я]*|две|два|три|четыре|пять|десять)\s*(?:дн|недел|месяц|календ|рабоч)"
    r"|^в течение (?:\d+\s*)?(?:дн|недел|месяц[а-я]*(?:\s|$)|рабоч|календарн)"
    r"|^(?:после|по окончании|по завершении|по факту)\s+"
    r"(?!четверт|года|учебного|полугоди|квартал|кажд)"
)
RECURRING_WORDS = {
    "yearly": r"ежегодн[а-я]*|каждый год|(?:(?:1|один) )?раз в год",
    "half_yearly": r"в конце (?:каждого )?полугодия|(?:1 )?раз в полугодие|(?:1 )?раз в полгода"
    r"|по полугодиям|2 раза в год"
    r"|дважды в год|каждое полугодие",
    "quarterly": r"в конце (?:каждого )?квартала|ежеквартальн[а-я]*|(?:1 )?раз в квартал"
    r"|по кварталам|каждый квартал"
    r"|по итогам (?:каждого )?квартала",
    "termly": r"в конце (?:каждой )?четверти|ежечетвертн[а-я]*|(?:1 )?раз в четверть"
    r"|по четвертям|каждую четверть"
    r"|по итогам (?:каждой |учебной |учебных )?четверт(?:и|ей)"
    r"|по окончании (?:каждой )?четверти",
    "monthly": r"в конце (?:каждого )?месяца|ежемесячн[а-я]*|каждый месяц|каждого месяца"
    r"|(?:1 )?раз в месяц|по месяцам",
    "weekly": r"еженедельн[а-я]*|(?:1 )?раз в неделю|каждую неделю",
}
RECURRING_RE = re.compile(
    "|".join(
        rf"(?P<{name}>(?<![а-я])(?:{words})(?![а-я]))" for name, words in RECURRING_WORDS.items()
    )
)
WEEKDAY_RE = re.compile(
    r"по\s+(понедельник|вторник|сред|четверг|пятниц|суббот|воскресень)ам(?![а-я])"
    r"|кажд[а-я]+\s+(понедельник|вторник|сред|четверг|пятниц|суббот|воскресень)[а-я]*"
)
DAY_OF_MONTH_RE = re.compile(r"(?:(?:до|не позднее|к)\s+)?(\d{1,2})\s*(?:-?го)?\s+числа")


TIMEISH_RE = re.compile(
    rf"(?<![а-я])(?:{MONTH_RE}|квартал|полугоди|четверт|декад|учебн|в течение|период|числа"
    r"|весн|осен|зим)|\b\d{4}\b|\d{1,2}\.\d{1,2}"
)


@dataclass
class Parts:
    recurrence: str = ""
    weekday: int | None = None
    day: int | None = None
    anchors: list[str] = field(default_factory=list)  # bracketed points of a recurrence
    checks: list[str] = field(default_factory=list)  # «(13.03.24)»: a date that confirms the text
    weekdays: list[int] = field(default_factory=list)  # «24 мая (среда)»: the day's weekday
    later: bool = False  # «… – далее ежегодно»


def _take_recurrence(value: str, parts: Parts) -> str:
    value = re.sub(r"не реже (?:1|одного) раза в", "1 раз в", value)  # a minimum is the rhythm
    value = re.sub(r"^(?:по мере необходимости|при необходимости)[\s,]*", "", value)
    found = set()
    if m := WEEKDAY_RE.search(value):
        word = m[1] or m[2]
        parts.weekday = next(n for stem, n in WEEKDAYS.items() if word.startswith(stem))
        found.add("weekly")
        value = value[: m.start()] + " " + value[m.end() :]
    for m in list(RECURRING_RE.finditer(value)):
        found.add(m.lastgroup or "")
    value = RECURRING_RE.sub(" ", value)
    if re.search(r"(?:^|\s)далее(?:\s|$)", value):
        parts.later = True
        value = re.sub(r"(?:^|\s)-?\s*далее(?:\s|$)", " ", value)
    on_day = re.search(rf"(?:^|[\s,])(?:в|во)\s+({WEEKDAY_STEMS})[а-я]*(?![а-я])", value)
    if found == {"weekly"} and parts.weekday is None and on_day:  # «еженедельно в среду»
        parts.weekday = next(n for stem, n in WEEKDAYS.items() if on_day[1] == stem)
        value = value[: on_day.start()] + " " + value[on_day.end() :]
    if found and (m := DAY_OF_MONTH_RE.search(value)):
        parts.day = int(m[1])
        if not 1 <= parts.day <= 31:
            raise Unsure(gettext("нет %(day)s числа в месяце") % {"day": parts.day})
        value = value[: m.start()] + " " + value[m.end() :]
    found.discard("")
    if len(found) > 1:
        names = ", ".join(sorted(str(Recurrence(r).label) for r in found))
        raise Unsure(
            gettext("названо несколько периодичностей (%(names)s); оставьте одну")
            % {"names": names}
        )
    parts.recurrence = found.pop() if found else ""
    return re.sub(r"\s+", " ", value).strip(" ,;-")


def _take_brackets(value: str, parts: Parts) -> str:
    """Brackets: a recurrence joins the phrase, a list of months anchors it, else a remark."""

    def bracket(m: re.Match[str]) -> str:
        inner = m[1].strip(" ,.;")
        if RECURRING_RE.search(inner) or WEEKDAY_RE.search(inner):
            return f" {inner} "
        if re.fullmatch(rf"(?:{MONTH_RE}|\d{{1,2}}\s+{MONTH_RE}|[\s,;и]+)+", inner):
            parts.anchors.append(inner)
            return " "
        if re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{2,4}", inner):
            parts.checks.append(inner)
            return " "
        if m := re.fullmatch(rf"({WEEKDAY_STEMS})[а-я]*", inner):
            parts.weekdays.append(next(n for stem, n in WEEKDAYS.items() if m[1] == stem))
            return " "
        if TIMEISH_RE.search(inner) and not EXTERNAL_RE.search(inner):
            return f" {inner} "  # «(в течение учебного года)», «(до 20 числа)»: part of the span
        return " "  # a remark such as «(ГИА)» or «(по согласованию)»

    return re.sub(r"\(([^()]*)\)?", bracket, value).strip()


# --- The parser ----------------------------------------------------------------------------


def parse_deadline(text: str, period: Period | None = None) -> Deadline:
    """Read a deadline as written; never raises (a failure becomes needs_review)."""
    result = Deadline(text=text)
    try:
        _parse(result, normalise(text or ""), normalise(text or "", lower=False), period)
    except Unsure as exc:
        result.needs_review = True
        result.note = gettext("Срок требует проверки: %(error)s.") % {"error": exc}
        result.due_dates = []
    except Exception as exc:  # the engine must not break an import; say so instead
        result.kind = Kind.UNKNOWN
        result.needs_review = True
        result.note = gettext("Срок не распознан (%(error)s): укажите его вручную.") % {
            "error": exc.__class__.__name__
        }
        result.due_dates = []
    if result.kind == Kind.UNKNOWN and not result.needs_review:
        result.needs_review = True
        result.note = result.note or gettext("Срок не распознан: укажите его вручную.")
    if result.start and result.end and result.end < result.start:
        result.start = None
    if result.kind == Kind.RANGE and result.start and result.start == result.end:
        result.kind = Kind.DATE  # «с 23 февраля 2024 года по 23 февраля 2024 года»: one day
    return result


def _parse(result: Deadline, value: str, cased: str, period: Period | None) -> None:
    """`value` is the normalised text in lower case; `cased` the same as written."""
    if not value:
        result.needs_review = True
        result.note = gettext("Срок не указан: укажите его.")
        return
    if AS_NEEDED_RE.search(value) and not (RECURRING_RE.search(value) or "не реже" in value):
        result.kind = Kind.AS_NEEDED
        return
    if re.search(r"^по (?:итогам|окончании|завершении) (учебного )?(года|полугодия)$", value):
        _after_school_period(result, value, period)
        return
    if m := EXTERNAL_RE.search(value):
        rest = value[: m.start()].strip(" ,;-")
        if _external(result, value, cased, m, rest, period):
            return
        value = rest
    value = re.sub(r"\s*включительно", "", value)
    if (m := REMARK_RE.search(value)) and m.start() > 0:
        value = value[: m.start()].strip(" ,;-")  # «… в соответствии с учебным планом»: a remark
    if RELATIVE_RE.search(value):
        raise Unsure(gettext("срок отсчитывается от события, а не от даты; укажите дату"))
    parts = Parts()
    if not (RECURRING_RE.search(value) or WEEKDAY_RE.search(value)):
        value = TRAILING_WEEKDAY_RE.sub(r" (\1)", value)  # «1 июля, в субботу»: as if bracketed
    value = _take_brackets(value, parts)
    value = _take_recurrence(value, parts)
    if parts.recurrence:
        _recurring(result, value, parts, period)
        return
    if parts.anchors:
        raise Unsure(
            gettext("в скобках названы месяцы «%(months)s»; уточните срок")
            % {"months": ", ".join(parts.anchors)}
        )
    _plain(result, value, period)
    if parts.checks:
        _confirm(result, value, parts.checks, period)
    if parts.weekdays:
        _weekdays(result, value, parts.weekdays)


def _weekdays(result: Deadline, value: str, weekdays: list[int]) -> None:
    """«24 мая (среда)», «1 июля, в субботу»: the weekday must fit the date; it names the year."""
    names = ", ".join(gettext(WEEKDAY_NAMES[w]) for w in weekdays)
    wrong = Unsure(
        gettext("день недели (%(names)s) не совпадает с датой «%(value)s»; проверьте её")
        % {"names": names, "value": value}
    )
    if result.kind == Kind.DATE and len(weekdays) == 1:
        fit = [d for d in result.due_dates if d.weekday() == weekdays[0]]
        if not fit:
            raise wrong
        if len(fit) < len(result.due_dates):  # the weekday fits one year of the period only
            result.due_dates = fit
            result.start, result.end = fit[0], fit[-1]
            result.recurrence = "" if len(fit) == 1 else result.recurrence
            years = ", ".join(str(d.year) for d in fit)
            result.note = gettext("Год определён по дню недели: %(years)s.") % {"years": years}
        return
    if result.kind == Kind.RANGE and not result.recurrence and result.start and result.end:
        ends = [result.start, result.end]
        if len(weekdays) == 2 and [d.weekday() for d in ends] == weekdays:
            return
        if len(weekdays) == 1 and weekdays[0] in {d.weekday() for d in ends}:
            return
        raise wrong
    if result.kind == Kind.DATES and result.due_dates:
        if {d.weekday() for d in result.due_dates} <= set(weekdays):
            return
        raise wrong
    raise Unsure(
        gettext("день недели (%(names)s) не относится к сроку «%(value)s»; проверьте срок")
        % {"names": names, "value": value}
    )


def _confirm(result: Deadline, value: str, checks: list[str], period: Period | None) -> None:
    """«Вторая среда марта (13.03.24)»: the date in brackets must be one the words name."""
    named = []
    for check in checks:
        point = parse_point(check)
        assert point is not None and point.year is not None
        named.append(point.span(point.year)[0])
    if result.kind != Kind.UNKNOWN and not set(named) <= set(result.due_dates):
        listed = ", ".join(checks)
        raise Unsure(
            gettext("дата в скобках (%(dates)s) не совпадает со сроком «%(value)s»; проверьте её")
            % {"dates": listed, "value": value}
        )
    result.kind = Kind.DATE if len(named) == 1 else Kind.DATES
    result.recurrence = ""
    result.start, result.end = min(named), max(named)
    result.due_dates = _inside(named, period)
    result.note = ""
    if len(result.due_dates) < len(set(named)):
        result.needs_review = True
        result.note = gettext(OUTSIDE_NOTE)


def _external(
    result: Deadline,
    value: str,
    cased: str,
    m: re.Match[str],
    rest: str,
    period: Period | None,
) -> bool:
    """Another body's schedule; True when that is the whole reading."""
    group = "body" if m["body"] is not None else "body2"
    source = cased if len(cased) == len(value) else value
    body = source[m.start(group) : m.end(group)].strip(" ,.;:")
    body = re.sub(r"^(?:приказом|графиком|планом|распоряжением|письмом)\s+", "", body, flags=re.I)
    # «согласно Порядку и Плану-графику проведения ВПР»: the documents named together
    body = re.sub(
        r"^(?:-\s*график[а-я]*\s+)?(?:и\s+(?:план[а-я]*(?:\s*-\s*график[а-я]*)?|график[а-я]*"
        r"|порядк[а-я]*|расписани[а-я]*)\s+)*",
        "",
        body,
        flags=re.I,
    )
    body = re.sub(r"\s*\([^()]*\)?\s*$", "", body)  # «Рособрнадзора (ВПР)»: a remark
    what = m["what"] or ""
    if what.startswith(("отдельн", "дорожн", "регион")):
        body = ""
    schedule = ""
    if SCHEDULE_RE.search(body.lower()):
        schedule, body = body, ""
    if rest:
        parts = Parts()
        try:
            rest_value = _take_recurrence(_take_brackets(rest, parts), parts)
        except Unsure:
            return False
        if not parts.recurrence or rest_value:
            return False  # «постоянно … по отдельному графику»: the rest is the reading
        result.recurrence = parts.recurrence
    result.kind = Kind.EXTERNAL
    result.external_body = body
    if schedule:
        result.note = gettext(
            "Дата определяется графиком «%(schedule)s»: внесите её, когда он станет известен."
        ) % {"schedule": schedule}
    else:
        result.note = gettext(
            "Дата определяется другим органом: внесите её, когда станет известна."
        )
    return True


def _plain(result: Deadline, value: str, period: Period | None) -> None:
    """A span without a recurrence: a point, a range, a list; by a date; continuous."""
    mode = "point"
    school = False  # the school year is named and then narrowed to a span
    end_named = None  # «до конца 2023 года»: the end of a year is named, not its start
    if m := re.match(r"^(?:до|не позднее|в срок до|в срок не позднее|к)\s+", value):
        mode = "by"
        value = value[m.end() :]
        end_named = re.match(r"^(?:конца|концу|окончания|окончанию|завершения)\s+", value)
        value = value[end_named.end() :] if end_named else value
        if re.fullmatch(r"(?:текущего\s+)?(?:года|периода|учебного года|реализации.*)", value):
            _by_end_of(result, value, period)
            return
    elif CONTINUOUS_RE.search(value):
        mode = "within"
        value = re.sub(
            r"^(?:постоянно|систематически|регулярно|ежедневно|в постоянном режиме)[\s,]*",
            "",
            value,
        )
        value = re.sub(r"^(?:в течение|на протяжении|в период)\s*", "", value)
        value = re.sub(r"^(?:всего|всей|всех)\s+", "", value).strip(" ,-")
        if m := re.match(rf"(?:текущего\s+)?{ACADEMIC_RE}\s+(?=(?:в период\s+)?с\s)", value):
            value, school = value[m.end() :], True  # «… учебного года с сентября по май»
        if re.fullmatch(
            r"|период[а-я]*(?: реализации.*)?|реализации.*|года|год|программы|срока.*|"
            r"действия.*|(?:календарного )?года|дорожной карты|проекта|весь период"
            rf"|(?:текущего\s+)?{ACADEMIC_RE}",
            value,
        ):
            result.kind = Kind.CONTINUOUS
            if period is not None:
                result.start, result.end = period
            return
    elif value.startswith("с ") and not re.search(r"\s(?:по|до|-)\s", value):
        point = parse_point(value[2:])
        if point is not None:
            result.kind = Kind.CONTINUOUS
            result.start = _spans(point, period)[0][0]
            if period is not None:
                result.end = period[1]
            result.note = gettext(
                "Указано только начало: работа ведётся с этой даты до конца периода."
            )
            return
    span = parse_span(value, period)
    if span is None:
        return
    if mode == "within" and (span.long or span.school or school) and not span.listed:
        result.kind = Kind.CONTINUOUS
        result.start, result.end = span.spans[0][0], span.spans[-1][1]
        if period is not None and span.yearless:
            result.start, result.end = max(result.start, period[0]), min(result.end, period[1])
        return
    if mode == "by" and span.long and not end_named:
        raise Unsure(
            gettext("«%(value)s»: неясно, к началу или к концу срока; укажите дату")
            % {"value": value}
        )
    if mode == "by":
        result.kind = Kind.BY_DATE
        ends = [end for _, end in span.spans]
        result.end = ends[-1]
        result.due_dates = _inside(ends, period)
    else:
        result.kind = span.kind
        result.start, result.end = span.spans[0][0], span.spans[-1][1]
        result.due_dates = _inside([end for _, end in span.spans], period)
    if len(span.spans) > 1 and not span.listed:
        result.recurrence = Recurrence.YEARLY
        result.note = gettext("Год не указан: срок повторяется в каждом году периода.")
    result.note = " ".join(n for n in (result.note, span.note) if n)
    if len(result.due_dates) < len({end for _, end in span.spans}):
        result.needs_review = True
        result.note = (
            gettext(OUTSIDE_NOTE)
            if not result.due_dates
            else gettext("Часть дат вне периода дорожной карты: проверьте годы.")
        )


def _by_end_of(result: Deadline, rest: str, period: Period | None) -> None:
    result.kind = Kind.BY_DATE
    if period is None:
        raise Unsure(gettext("не задан период дорожной карты"))
    years = range(period[0].year - 1, period[1].year + 1)
    if "учебного" in rest:
        ends = [date(y, 5, 31) for y in years]
        result.note = gettext(END_OF_SCHOOL_YEAR_NOTE)
    elif rest.startswith(("период", "реализации")):
        ends = [period[1]]
    else:
        ends = [date(y, 12, 31) for y in years]
    ends = _inside(ends, period)
    if not ends:
        raise Unsure(gettext("конец года не попадает в период дорожной карты"))
    result.end = ends[-1]
    result.due_dates = ends
    if len(ends) > 1:
        result.recurrence = Recurrence.YEARLY


def _inside(dates: list[date], period: Period | None) -> list[date]:
    if period is None:
        return sorted(set(dates))
    return sorted({d for d in dates if period[0] <= d <= period[1]})


def _after_school_period(result: Deadline, value: str, period: Period | None) -> None:
    """«По итогам учебного года»: a yearly report whose exact day the text does not give."""
    result.kind = Kind.RECURRING
    academic = "учебного" in value
    years = range(period[0].year, period[1].year + 1) if period else range(0)
    if value.endswith("года"):
        result.recurrence = Recurrence.YEARLY
        month, day = (6, 30) if academic else (12, 31)
        dates = [date(y, month, day) for y in years]
    else:
        result.recurrence = Recurrence.HALF_YEARLY
        dates = [d for y in years for d in (date(y, 6, 30), date(y, 12, 31))]
    result.due_dates = _inside(dates, period)
    if period is not None:
        result.start, result.end = period
    result.needs_review = True
    result.note = (
        gettext("«По итогам…»: контрольная дата принята 30 июня; уточните её.")
        if academic and value.endswith("года")
        else gettext("«По итогам…»: контрольная дата принята на конец периода; уточните её.")
    )


def _every(
    recurrence: str,
    start: date,
    end: date,
    *,
    weekday: int | None = None,
    day: int | None = None,
) -> list[date]:
    """Due dates of a recurrence inside [start, end]: the end of each month, quarter, term…"""
    if recurrence == Recurrence.WEEKLY:
        target = 6 if weekday is None else weekday  # Sundays unless a weekday is named
        first = start + timedelta(days=(target - start.weekday()) % 7)
        return [first + timedelta(weeks=n) for n in range((end - first).days // 7 + 1)]
    dates = []
    for year in range(start.year, end.year + 1):
        if recurrence == Recurrence.TERMLY:
            dates += [date(year, em, ed) for _, _, em, ed in TERMS.values()]
            continue
        step = {"monthly": 1, "quarterly": 3, "half_yearly": 6, "yearly": 12}[recurrence]
        for month in range(step, 13, step):
            if day is not None:
                dates.append(date(year, month, min(day, calendar.monthrange(year, month)[1])))
            else:
                dates.append(month_end(year, month))
    return sorted(d for d in dates if start <= d <= end)


def _recurring(result: Deadline, value: str, parts: Parts, period: Period | None) -> None:
    result.kind = Kind.RECURRING
    result.recurrence = parts.recurrence
    if period is None:
        raise Unsure(gettext("не задан период дорожной карты"))
    value = re.sub(r"^(?:в|во)\s+(?!течени|период)", "", value).strip(" ,-")
    anchors = parts.anchors
    if parts.recurrence in (Recurrence.YEARLY, Recurrence.HALF_YEARLY) and value and not anchors:
        span = _limit_or_anchor(value, period)
        if span is not None and not span.long and not span.school:
            anchors = [value]
            value = ""
    if anchors:
        _anchored(result, anchors, parts, period)
        return
    limits: list[tuple[date, date]] = [period]
    school = False
    if since := re.fullmatch(r"с\s*(.*)", value):
        if not since[1] or since[1] in {"…", "..."}:
            result.needs_review = True
            result.note = gettext("Начало не указано: принято начало периода; уточните его.")
        else:
            point = parse_point(since[1])
            if point is None:
                raise Unsure(gettext("не распознано начало «%(start)s»") % {"start": since[1]})
            limits = [(_spans(point, period)[0][0], period[1])]
    elif value:
        span = _limit_or_anchor(value, period)
        if span is None:
            raise Unsure(
                gettext("часть «%(value)s» не распознана; проверьте периодичность и сроки")
                % {"value": value}
            )
        limits = span.spans
        school = span.school
    dates: list[date] = []
    for start, end in limits:
        start, end = max(start, period[0]), min(end, period[1])
        if start > end:
            continue
        found = _every(parts.recurrence, start, end, weekday=parts.weekday, day=parts.day)
        if school and parts.recurrence in SCHOOL_MONTHS_ONLY:
            found = [d for d in found if d.month not in SUMMER]
        dates += found
    result.start = max(limits[0][0], period[0])
    result.end = min(limits[-1][1], period[1])
    result.due_dates = _inside(dates, period)
    if not result.due_dates:
        result.needs_review = True
        result.note = gettext(
            "Ни одна контрольная дата не попадает в период дорожной карты: проверьте годы."
        )
    elif parts.recurrence == Recurrence.YEARLY and not value and not result.note:
        result.note = gettext("Месяц не указан: контрольная дата — конец каждого года.")


def _limit_or_anchor(value: str, period: Period) -> Span | None:
    value = re.sub(r"^(?:в течение|на протяжении|в период)\s+", "", value)
    if re.fullmatch(r"(?:всего\s+)?(?:периода|года)", value):
        return Span([period], Kind.RANGE, long=True)
    if re.fullmatch(rf"(?:всего\s+|текущего\s+)?{ACADEMIC_RE}", value):
        return Span([period], Kind.RANGE, long=True, school=True)
    return parse_span(value, period)


def _anchored(result: Deadline, anchors: list[str], parts: Parts, period: Period) -> None:
    """«Ежегодно в декабре», «2 раза в год (май, декабрь)», «Февраль 2022 – далее ежегодно»."""
    dates: list[date] = []
    first_named: date | None = None  # «Февраль 2022 – далее ежегодно» starts in February 2022
    for anchor in anchors:
        anchor = re.sub(
            r"^(?:в течение|на протяжении|в период|до|не позднее|к|в|во)\s+", "", anchor
        )
        texts = [p.strip() for p in re.split(r"\s*[,;]\s*|\s+и\s+", anchor) if p.strip()]
        for text in _distribute_years(texts):
            point = parse_point(text)
            if point is None:
                span = _one(text, period)  # «ежегодно с сентября по октябрь»: a yearly range
                if span is None:
                    raise Unsure(gettext("не распознана часть «%(part)s»") % {"part": text})
                dates += [end for _, end in span.spans]
                continue
            first_year = point.year
            if first_year is not None:
                named = point.span(first_year)[0]
                first_named = min(first_named or named, named)
            point.year = None
            try:
                spans = _spans(point, period)
            except Unsure:
                spans = []
            dates += [end for _, end in spans if first_year is None or end.year >= first_year]
    result.start, result.end = period
    result.due_dates = _inside(dates, period)
    if result.due_dates and first_named:
        result.start = max(period[0], first_named)
    if not result.due_dates:
        result.needs_review = True
        result.note = gettext(
            "Ни одна контрольная дата не попадает в период дорожной карты: проверьте годы."
        )


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
            listed += gettext(" … всего %(count)s") % {"count": len(due_dates)}
        parts.append(gettext("контрольные даты: %(dates)s") % {"dates": listed})
    elif kind not in {Kind.CONTINUOUS, Kind.AS_NEEDED, Kind.EXTERNAL, Kind.UNKNOWN}:
        parts.append(gettext("контрольных дат в периоде нет"))
    return "; ".join(parts)
