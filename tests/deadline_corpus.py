"""Deadline phrases beyond the seeds, each with the reading a careful person gives it.

Every phrase is read under two periods: the calendar years 2023–2024 (CAL) and the school year
2023/24 (ACAD, 1 Sep 2023 – 31 Aug 2024). An expectation is either `FLAG` (the phrase cannot be
read with certainty under that period, so the engine must ask a person) or a reading `R(...)`:
kind, control dates, recurrence and, where it matters, start, end and the body of a schedule.

The readings were written by hand from the meaning of the phrase, never from the engine's output;
the small date helpers below (month ends, weekdays) only spell out long lists of control dates.
Each phrase names its source: a published document (URL) or, for the families the issue names,
issue 9; a phrase marked COMPOSED is a variant of an issue-9 family written for this corpus to
exercise the composition of its parts (punctuation, brackets, order), not a published wording.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

CAL = (date(2023, 1, 1), date(2024, 12, 31))
ACAD = (date(2023, 9, 1), date(2024, 8, 31))
PERIODS = {"CAL": CAL, "ACAD": ACAD}


@dataclass(frozen=True)
class R:
    kind: str
    due: tuple[str, ...] = ()
    rec: str = ""
    start: str | None = None
    end: str | None = None
    body: str | None = None


FLAG = "flag"


@dataclass
class Case:
    text: str
    family: str
    source: str
    cal: R | str
    acad: R | str
    extra: dict = field(default_factory=dict)


# --- helpers that spell out long lists of control dates ----------------------------------------


def months(first: tuple[int, int], last: tuple[int, int], day: int | None = None, skip=()):
    """The last day (or `day`) of each month from first=(year, month) to last, inclusive."""
    out = []
    year, month = first
    while (year, month) <= last:
        if month not in skip:
            length = calendar.monthrange(year, month)[1]
            out.append(date(year, month, min(day, length) if day else length).isoformat())
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return tuple(out)


def weekdays(start: date, end: date, weekday: int):
    """Every `weekday` (Monday 0) from start to end."""
    first = start + timedelta(days=(weekday - start.weekday()) % 7)
    return tuple(
        (first + timedelta(weeks=n)).isoformat() for n in range((end - first).days // 7 + 1)
    )


def yearly(md: str, years=(2023, 2024)):
    return tuple(f"{y}-{md}" for y in years)


SUMMER = (6, 7, 8)
TERM_ENDS_CAL = ("2023-03-31", "2023-05-31", "2023-10-31", "2023-12-31",
                 "2024-03-31", "2024-05-31", "2024-10-31", "2024-12-31")  # fmt: skip
TERM_ENDS_ACAD = ("2023-10-31", "2023-12-31", "2024-03-31", "2024-05-31")

# --- sources ---------------------------------------------------------------------------------

ISSUE = "issue 9, «Deadlines: families still misread or unread»"
COMPOSED = "COMPOSED variant of an issue-9 family"
KBR = "https://base.garant.ru/30523923/ (дорожная карта ГИА-11, Кабардино-Балкария, 2014)"
KRD = (
    "https://base.garant.ru/43653516/ (приказ МОН Краснодарского края от 13.11.2015 № 5976, "
    "дорожная карта ГИА-11 на 2016 год)"
)
VPR23 = "https://www.consultant.ru/document/cons_doc_LAW_440070/ (график ВПР, 2023)"
VPR24 = "https://www.consultant.ru/document/cons_doc_LAW_469003/ (график ВПР, 2024)"
SPB = "https://school247spb.ru/basic-education/educational-schedule/ (учебный график 2023/24)"
GUL = "https://gul13.tvoysadik.ru/file/card?id=2263 (календарный учебный план-график 2023/24)"
TYUM = "https://tyumen-gov.ru/doc/16972 (план мероприятий, Тюмень)"
DZEN = "https://dzen.ru/a/ZZ6LsOs1ch7L-7qf (сроки ГИА в 2024 году)"
NEVA = "https://neva.today/news/2024/2/13/496002 (расписание ГИА 2024)"
RUSUAZ = "https://rusuaz.blogspot.com (организация учебного года 2022/2023)"
FCGSEN = "http://fcgsen.ru/v-2022-godu-edinyj-gosekzamen-projdyot-v-dokovidnom-formate"
CHEL = "https://chelyab-gov.ru/doc/119281 (сетевой план-график, Озерск, 2011–2013)"
KEMER = "https://kemer-gov.ru/doc/73793 (распоряжение Коллегии АКО от 30.10.2009 № 1021-р)"
RAMBLER = (
    "https://news.rambler.ua/community/54199759 (дорожная карта Минпросвещения, контрольные даты)"
)
IRO38 = "https://new.iro38.ru/archives/3292 (мониторинг отчётов МОУО)"
CONS_GIA = (
    "https://consultant.ru/document/cons_doc_LAW_438904/ (методические рекомендации ГИА 2024)"
)
KALM = "http://studydoc.ru/doc/720605/razvitie-obrazovaniya-v-kalmanskom-rajone"
MURM = "https://lawmix.ru/zakonodatelstvo/1081805?page=2 (план-график РСОКО, Мурманская область)"
KOR = "https://school9-kor-kubannet.ru/ (ГИА-9, итоговое собеседование 2023/24)"
CHECHNYA = "https://base.garant.ru/408317607 (приказ о пробном ОГЭ, Чеченская Республика)"
VCP = "https://consultant.ru/document/cons_doc_LAW_356201/ (ВЦП «Качество образования»)"
MGSSHI = "https://mgsshi.by/ (календарь четвертей и каникул 2022/2023)"
LIFE = "https://life.ru/p/1621473/amp (сроки ЕГЭ 2024)"
RASSK = "https://shkola5rasskazovo-r68.gosweb.gosuslugi.ru/glavnoe/vpr (ВПР)"
ROGOV = "https://shkolarogovatovskaya-r31.gosweb.gosuslugi.ru/ (новость о ВПР)"
SPASSK = "https://spasskrono.ucoz.net/news/ (ВПР перенесены на осень 2022 года)"
AZNED = "https://azned.net/?p=63610 (сроки ВПР)"
PSIHO = "https://dzen.ru/psihoreflex?tab=articles (ВПР 2026)"
MOIKA = "https://moika78.ru/news/2022-10-07/815652 (даты ЕГЭ 2023)"
TAMBOV = "https://tambov-gid.ru/news/obschestvo/k-2023-godu-v-rossii-otkazhutsya-ot-ucheby-v-tretyu-smenu.htm"

# --- the corpus ------------------------------------------------------------------------------

CASES: list[Case] = [
    # Spans inside a year («в течение <month/quarter/half>»: that span, due at its end)
    Case("в течение I полугодия 2023 года", "span inside a year", ISSUE,
         R("range", ("2023-06-30",), start="2023-01-01", end="2023-06-30"), FLAG),
    Case("в течение мая 2023 года", "span inside a year", ISSUE,
         R("month", ("2023-05-31",), start="2023-05-01"), FLAG),
    Case("в течение 1 квартала 2023 г.", "span inside a year", ISSUE,
         R("range", ("2023-03-31",), start="2023-01-01"), FLAG),
    Case("В течение II полугодия 2023 г.", "span inside a year", COMPOSED,
         R("range", ("2023-12-31",), start="2023-07-01"), R("range", ("2023-12-31",))),
    Case("в течение III четверти", "school term", COMPOSED,
         R("range", yearly("03-31"), "yearly"), R("range", ("2024-03-31",), start="2024-01-01")),
    Case("в течение 2024 года", "continuous", COMPOSED,
         R("continuous", start="2024-01-01", end="2024-12-31"),
         R("continuous", start="2024-01-01", end="2024-12-31")),
    Case("в течение 2023-2024 учебного года", "continuous", COMPOSED,
         R("continuous", start="2023-09-01", end="2024-08-31"),
         R("continuous", start="2023-09-01", end="2024-08-31")),
    Case("в течение всего периода", "continuous", KBR,
         R("continuous", start="2023-01-01", end="2024-12-31"),
         R("continuous", start="2023-09-01", end="2024-08-31")),
    Case("постоянно", "continuous", COMPOSED,
         R("continuous", start="2023-01-01", end="2024-12-31"),
         R("continuous", start="2023-09-01", end="2024-08-31")),
    # A recurrence in brackets, limited to its span
    Case("в течение учебного года (ежемесячно)", "recurrence in brackets", ISSUE,
         R("recurring", months((2023, 1), (2024, 12), skip=SUMMER), "monthly"),
         R("recurring", months((2023, 9), (2024, 5)), "monthly")),
    Case("Ежемесячно (в течение учебного года)", "recurrence in brackets", COMPOSED,
         R("recurring", months((2023, 1), (2024, 12), skip=SUMMER), "monthly"),
         R("recurring", months((2023, 9), (2024, 5)), "monthly")),
    Case("в течение 2023 г. (ежеквартально)", "recurrence in brackets", ISSUE,
         R("recurring", ("2023-03-31", "2023-06-30", "2023-09-30", "2023-12-31"), "quarterly"),
         R("recurring", ("2023-09-30", "2023-12-31"), "quarterly")),
    Case("ежеквартально, в течение 2024 года", "recurrence in brackets", COMPOSED,
         R("recurring", ("2024-03-31", "2024-06-30", "2024-09-30", "2024-12-31"), "quarterly"),
         R("recurring", ("2024-03-31", "2024-06-30"), "quarterly")),
    Case("в течение 2023-2024 учебного года (ежемесячно)", "recurrence in brackets", COMPOSED,
         R("recurring", months((2023, 9), (2024, 5)), "monthly"),
         R("recurring", months((2023, 9), (2024, 5)), "monthly")),
    Case("в течение года (ежеквартально)", "recurrence in brackets", COMPOSED,
         R("recurring", ("2023-03-31", "2023-06-30", "2023-09-30", "2023-12-31",
                         "2024-03-31", "2024-06-30", "2024-09-30", "2024-12-31"), "quarterly"),
         R("recurring", ("2023-09-30", "2023-12-31", "2024-03-31", "2024-06-30"), "quarterly")),
    Case("с сентября 2023 г. ежемесячно", "recurrence with a start", COMPOSED,
         R("recurring", months((2023, 9), (2024, 12)), "monthly", start="2023-09-01"),
         R("recurring", months((2023, 9), (2024, 8)), "monthly", start="2023-09-01")),
    Case("Ежемесячно с 01.10.2023", "recurrence with a start", COMPOSED,
         R("recurring", months((2023, 10), (2024, 12)), "monthly", start="2023-10-01"),
         R("recurring", months((2023, 10), (2024, 8)), "monthly", start="2023-10-01")),
    # A month and its year separated by a comma: one month
    Case("январь, 2024", "month, year", ISSUE,
         R("month", ("2024-01-31",)), R("month", ("2024-01-31",))),
    Case("сентябрь, 2023", "month, year", COMPOSED,
         R("month", ("2023-09-30",)), R("month", ("2023-09-30",))),
    Case("декабрь, 2023 г.", "month, year", COMPOSED,
         R("month", ("2023-12-31",)), R("month", ("2023-12-31",))),
    Case("Май, 2024 г.", "month, year", COMPOSED,
         R("month", ("2024-05-31",)), R("month", ("2024-05-31",))),
    # School terms
    Case("по итогам четверти", "school term", ISSUE,
         R("recurring", TERM_ENDS_CAL, "termly"), R("recurring", TERM_ENDS_ACAD, "termly")),
    Case("1 раз в четверть", "school term", ISSUE,
         R("recurring", TERM_ENDS_CAL, "termly"), R("recurring", TERM_ENDS_ACAD, "termly")),
    Case("ежечетвертно", "school term", COMPOSED,
         R("recurring", TERM_ENDS_CAL, "termly"), R("recurring", TERM_ENDS_ACAD, "termly")),
    Case("II четверть", "school term", COMPOSED,
         R("range", yearly("12-31"), "yearly"), R("range", ("2023-12-31",), start="2023-11-01")),
    Case("по итогам I четверти", "school term", COMPOSED,
         R("range", yearly("10-31"), "yearly"), R("range", ("2023-10-31",), start="2023-09-01")),
    # Day-of-month and weekday recurrences
    Case("до 15 числа каждого месяца", "day of month", ISSUE,
         R("recurring", months((2023, 1), (2024, 12), day=15), "monthly"),
         R("recurring", months((2023, 9), (2024, 8), day=15), "monthly")),
    Case("до 25 числа каждого месяца", "day of month", KBR,
         R("recurring", months((2023, 1), (2024, 12), day=25), "monthly"),
         R("recurring", months((2023, 9), (2024, 8), day=25), "monthly")),
    Case("до 5 числа каждого месяца", "day of month", COMPOSED,
         R("recurring", months((2023, 1), (2024, 12), day=5), "monthly"),
         R("recurring", months((2023, 9), (2024, 8), day=5), "monthly")),
    Case("ежемесячно, до 10 числа", "day of month", COMPOSED,
         R("recurring", months((2023, 1), (2024, 12), day=10), "monthly"),
         R("recurring", months((2023, 9), (2024, 8), day=10), "monthly")),
    Case("1 раз в месяц (до 20 числа)", "day of month", COMPOSED,
         R("recurring", months((2023, 1), (2024, 12), day=20), "monthly"),
         R("recurring", months((2023, 9), (2024, 8), day=20), "monthly")),
    Case("не позднее 25 числа каждого месяца", "day of month", COMPOSED,
         R("recurring", months((2023, 1), (2024, 12), day=25), "monthly"),
         R("recurring", months((2023, 9), (2024, 8), day=25), "monthly")),
    Case("до 20 числа месяца, следующего за отчетным", "day of month", COMPOSED, FLAG, FLAG),
    Case("по четвергам", "weekday", ISSUE,
         R("recurring", weekdays(*CAL, 3), "weekly"), R("recurring", weekdays(*ACAD, 3), "weekly")),
    Case("по пятницам", "weekday", COMPOSED,
         R("recurring", weekdays(*CAL, 4), "weekly"), R("recurring", weekdays(*ACAD, 4), "weekly")),
    Case("еженедельно по понедельникам", "weekday", COMPOSED,
         R("recurring", weekdays(*CAL, 0), "weekly"), R("recurring", weekdays(*ACAD, 0), "weekly")),
    Case("по средам", "weekday", COMPOSED,
         R("recurring", weekdays(*CAL, 2), "weekly"), R("recurring", weekdays(*ACAD, 2), "weekly")),
    # Seasonal windows and named months of a recurrence
    Case("2 раза в год (май, декабрь)", "recurrence with months", ISSUE,
         R("recurring", ("2023-05-31", "2023-12-31", "2024-05-31", "2024-12-31"), "half_yearly"),
         R("recurring", ("2023-12-31", "2024-05-31"), "half_yearly")),
    Case("2 раза в год (апрель, октябрь)", "recurrence with months", COMPOSED,
         R("recurring", ("2023-04-30", "2023-10-31", "2024-04-30", "2024-10-31"), "half_yearly"),
         R("recurring", ("2023-10-31", "2024-04-30"), "half_yearly")),
    Case("ежегодно (сентябрь)", "recurrence with months", COMPOSED,
         R("recurring", yearly("09-30"), "yearly"), R("recurring", ("2023-09-30",), "yearly")),
    Case("ежегодно, декабрь", "recurrence with months", COMPOSED,
         R("recurring", yearly("12-31"), "yearly"), R("recurring", ("2023-12-31",), "yearly")),
    Case("Ежегодно, в течение сентября", "recurrence with months", COMPOSED,
         R("recurring", yearly("09-30"), "yearly"), R("recurring", ("2023-09-30",), "yearly")),
    Case("ежегодно до 1 июня", "recurrence with months", COMPOSED,
         R("recurring", yearly("06-01"), "yearly"), R("recurring", ("2024-06-01",), "yearly")),
    Case("ежегодно", "recurrence", COMPOSED,
         R("recurring", yearly("12-31"), "yearly"), R("recurring", ("2023-12-31",), "yearly")),
    Case("ежеквартально", "recurrence", COMPOSED,
         R("recurring", ("2023-03-31", "2023-06-30", "2023-09-30", "2023-12-31",
                         "2024-03-31", "2024-06-30", "2024-09-30", "2024-12-31"), "quarterly"),
         R("recurring", ("2023-09-30", "2023-12-31", "2024-03-31", "2024-06-30"), "quarterly")),
    Case("ежемесячно", "recurrence", COMPOSED,
         R("recurring", months((2023, 1), (2024, 12)), "monthly"),
         R("recurring", months((2023, 9), (2024, 8)), "monthly")),
    Case("ежемесячно, ежеквартально", "recurrence", COMPOSED, FLAG, FLAG),
    # Ranges of quarters, days, months
    Case("III-IV квартал 2023", "range", ISSUE,
         R("range", ("2023-12-31",), start="2023-07-01"), R("range", ("2023-12-31",))),
    Case("IV квартал 2023 г.", "range", COMPOSED,
         R("range", ("2023-12-31",), start="2023-10-01"), R("range", ("2023-12-31",))),
    Case("I-II квартал 2024", "range", COMPOSED,
         R("range", ("2024-06-30",), start="2024-01-01"), R("range", ("2024-06-30",))),
    Case("1-2 квартал 2024 г.", "range", COMPOSED,
         R("range", ("2024-06-30",), start="2024-01-01"), R("range", ("2024-06-30",))),
    Case("с 1 по 10 ноября 2023", "range", ISSUE,
         R("range", ("2023-11-10",), start="2023-11-01"), R("range", ("2023-11-10",))),
    Case("с 10 по 20 января 2024 г.", "range", COMPOSED,
         R("range", ("2024-01-20",), start="2024-01-10"), R("range", ("2024-01-20",))),
    Case("1-10 сентября 2023", "range", COMPOSED,
         R("range", ("2023-09-10",), start="2023-09-01"), R("range", ("2023-09-10",))),
    Case("май-июнь 2023 года (ГИА)", "range with a remark", ISSUE,
         R("range", ("2023-06-30",), start="2023-05-01"), FLAG),
    Case("май-июнь 2024 г. (ГИА-9, ГИА-11)", "range with a remark", COMPOSED,
         R("range", ("2024-06-30",), start="2024-05-01"), R("range", ("2024-06-30",))),
    Case("март 2024 (ВПР)", "range with a remark", COMPOSED,
         R("month", ("2024-03-31",)), R("month", ("2024-03-31",))),
    Case("апрель-май 2024 года (по графику ВПР)", "range with a remark", COMPOSED,
         R("range", ("2024-05-31",), start="2024-04-01"), R("range", ("2024-05-31",))),
    Case("в период с сентября по декабрь 2023 г.", "range", ISSUE,
         R("range", ("2023-12-31",), start="2023-09-01"), R("range", ("2023-12-31",))),
    Case("в период с октября по ноябрь 2023 года", "range", COMPOSED,
         R("range", ("2023-11-30",), start="2023-10-01"), R("range", ("2023-11-30",))),
    Case("в период с января по март 2024 г.", "range", COMPOSED,
         R("range", ("2024-03-31",), start="2024-01-01"), R("range", ("2024-03-31",))),
    Case("сентябрь 2023 - май 2024", "range", COMPOSED,
         R("range", ("2024-05-31",), start="2023-09-01"), R("range", ("2024-05-31",))),
    Case("сентябрь-май", "range", COMPOSED,
         R("range", ("2024-05-31",), start="2023-09-01"), R("range", ("2024-05-31",))),
    Case("октябрь-декабрь", "range", COMPOSED,
         R("range", yearly("12-31"), "yearly"), R("range", ("2023-12-31",), start="2023-10-01")),
    Case("январь-март", "range", COMPOSED,
         R("range", yearly("03-31"), "yearly"), R("range", ("2024-03-31",), start="2024-01-01")),
    # Decades and seasons
    Case("1 декада сентября", "decade", ISSUE,
         R("range", yearly("09-10"), "yearly"), R("range", ("2023-09-10",), start="2023-09-01")),
    Case("2 декада октября 2023", "decade", COMPOSED,
         R("range", ("2023-10-20",), start="2023-10-11"), R("range", ("2023-10-20",))),
    Case("3 декада мая", "decade", COMPOSED,
         R("range", yearly("05-31"), "yearly"), R("range", ("2024-05-31",), start="2024-05-21")),
    Case("первая декада сентября 2023 г.", "decade", COMPOSED,
         R("range", ("2023-09-10",)), R("range", ("2023-09-10",))),
    Case("весна 2023", "season", ISSUE,
         R("range", ("2023-05-31",), start="2023-03-01"), FLAG),
    Case("осень 2023", "season", COMPOSED,
         R("range", ("2023-11-30",), start="2023-09-01"), R("range", ("2023-11-30",))),
    Case("весна 2024 г.", "season", COMPOSED,
         R("range", ("2024-05-31",), start="2024-03-01"), R("range", ("2024-05-31",))),
    Case("в весенний период", "season", COMPOSED,
         R("range", yearly("05-31"), "yearly"), R("range", ("2024-05-31",), start="2024-03-01")),
    Case("в осенний период", "season", COMPOSED,
         R("range", yearly("11-30"), "yearly"), R("range", ("2023-11-30",), start="2023-09-01")),
    Case("зима 2024", "season", COMPOSED, FLAG, FLAG),
    # Points relative to the school year, and the period's own calendar
    Case("конец учебного года", "school-year point", ISSUE,
         R("date", yearly("05-31"), "yearly"), R("date", ("2024-05-31",))),
    Case("начало учебного года", "school-year point", ISSUE,
         R("date", yearly("09-01"), "yearly"), R("date", ("2023-09-01",))),
    Case("до конца учебного года", "school-year point", COMPOSED,
         R("by_date", yearly("05-31"), "yearly"), R("by_date", ("2024-05-31",))),
    Case("к началу учебного года", "school-year point", COMPOSED,
         R("by_date", yearly("09-01"), "yearly"), R("by_date", ("2023-09-01",))),
    Case("до начала учебного года", "school-year point", COMPOSED,
         R("by_date", yearly("09-01"), "yearly"), R("by_date", ("2023-09-01",))),
    Case("август-сентябрь", "school-year point", ISSUE,
         R("range", yearly("09-30"), "yearly"), FLAG),
    Case("октябрь", "period calendar", ISSUE,
         R("month", yearly("10-31"), "yearly"), R("month", ("2023-10-31",), start="2023-10-01")),
    Case("май", "period calendar", ISSUE,
         R("month", yearly("05-31"), "yearly"), R("month", ("2024-05-31",), start="2024-05-01")),
    Case("до 1 октября", "period calendar", COMPOSED,
         R("by_date", yearly("10-01"), "yearly"), R("by_date", ("2023-10-01",))),
    Case("май, декабрь", "period calendar", COMPOSED,
         R("dates", ("2023-05-31", "2023-12-31", "2024-05-31", "2024-12-31")),
         R("dates", ("2023-12-31", "2024-05-31"))),
    Case("Декабрь 2023, май 2024", "dates", COMPOSED,
         R("dates", ("2023-12-31", "2024-05-31")), R("dates", ("2023-12-31", "2024-05-31"))),
    Case("март, июнь, сентябрь, декабрь 2023", "dates", COMPOSED,
         R("dates", ("2023-03-31", "2023-06-30", "2023-09-30", "2023-12-31")), FLAG),
    Case("до 01.09.2023", "by a date", COMPOSED,
         R("by_date", ("2023-09-01",)), R("by_date", ("2023-09-01",))),
    Case("не позднее 20 декабря 2023 г.", "by a date", COMPOSED,
         R("by_date", ("2023-12-20",)), R("by_date", ("2023-12-20",))),
    # Schedules of other bodies, and schedules that are not bodies
    Case("в сроки, установленные Минпросвещения России", "external", ISSUE,
         R("external", body="Минпросвещения России"), R("external", body="Минпросвещения России")),
    Case("по графику проведения ВПР", "external", ISSUE,
         R("external", body=""), R("external", body="")),
    Case("в сроки, установленные Рособрнадзором", "external", COMPOSED,
         R("external", body="Рособрнадзором"), R("external", body="Рособрнадзором")),
    Case("в сроки, установленные приказом Минпросвещения России", "external", COMPOSED,
         R("external", body="Минпросвещения России"), R("external", body="Минпросвещения России")),
    Case("по графику проведения ГИА", "external", COMPOSED,
         R("external", body=""), R("external", body="")),
    Case("по графику проведения олимпиады", "external", COMPOSED,
         R("external", body=""), R("external", body="")),
    Case("согласно графику проведения оценочных процедур", "external", COMPOSED,
         R("external", body=""), R("external", body="")),
    Case("по графику Рособрнадзора (ВПР)", "external", COMPOSED,
         R("external", body="Рособрнадзора"), R("external", body="Рособрнадзора")),
    Case("по графику ФЦТ", "external", KBR, R("external", body="ФЦТ"), R("external", body="ФЦТ")),
    # Relative to an event, or asked of a person
    Case("в течение месяца", "relative", COMPOSED, FLAG, FLAG),
    Case("в течение 10 дней после проведения", "relative", COMPOSED, FLAG, FLAG),
    Case("Не позднее чем за 2 недели до начала экзаменационного периода", "relative", CONS_GIA,
         FLAG, FLAG),
    Case("по итогам полугодия", "after a period", COMPOSED, FLAG, FLAG),
    Case("по итогам учебного года", "after a period", COMPOSED, FLAG, FLAG),
    # Published phrases, read as published
    Case("январь-февраль 2014", "outside the period", KBR, FLAG, FLAG),
    Case("январь-май 2014", "outside the period", KBR, FLAG, FLAG),
    Case("июль - август 2015", "outside the period", KRD, FLAG, FLAG),
    Case("в срок до 10 августа 2015 года", "outside the period", KRD, FLAG, FLAG),
    Case("2008 - 2010 ежемесячно", "outside the period", TYUM, FLAG, FLAG),
    Case("2008 - 2010", "outside the period", TYUM, FLAG, FLAG),
    Case("не позднее 25 октября 2019 года", "outside the period", IRO38, FLAG, FLAG),
    Case("2015-2019 годы", "outside the period", KALM, FLAG, FLAG),
    Case("До 03.02.2023", "by a date", VPR23, R("by_date", ("2023-02-03",)), FLAG),
    Case("До 09.02.2023", "by a date", VPR23, R("by_date", ("2023-02-09",)), FLAG),
    Case("06.02.2023 - 30.05.2023", "range", VPR23,
         R("range", ("2023-05-30",), start="2023-02-06"), FLAG),
    Case("01.03.2023 - 26.05.2023", "range", VPR23,
         R("range", ("2023-05-26",), start="2023-03-01"), FLAG),
    Case("21.02.2023", "date", VPR23, R("date", ("2023-02-21",)), FLAG),
    Case("До 09.02.2024", "by a date", VPR24,
         R("by_date", ("2024-02-09",)), R("by_date", ("2024-02-09",))),
    Case("До 14.02.2024", "by a date", VPR24,
         R("by_date", ("2024-02-14",)), R("by_date", ("2024-02-14",))),
    Case("1 сентября — 27 октября", "range", SPB,
         R("range", yearly("10-27"), "yearly"), R("range", ("2023-10-27",), start="2023-09-01")),
    Case("6 ноября — 29 декабря", "range", SPB,
         R("range", yearly("12-29"), "yearly"), R("range", ("2023-12-29",), start="2023-11-06")),
    Case("9 января — 15 марта", "range", SPB,
         R("range", yearly("03-15"), "yearly"), R("range", ("2024-03-15",), start="2024-01-09")),
    Case("27 марта — 20 мая", "range", SPB,
         R("range", yearly("05-20"), "yearly"), R("range", ("2024-05-20",), start="2024-03-27")),
    Case("С 28 октября по 05 ноября 2023 года", "range", SPB,
         R("range", ("2023-11-05",), start="2023-10-28"), R("range", ("2023-11-05",))),
    Case("С 30 декабря 2023 года по 08 января 2024 года", "range", SPB,
         R("range", ("2024-01-08",), start="2023-12-30"), R("range", ("2024-01-08",))),
    Case("С 18 марта по 26 марта 2024 года", "range", SPB,
         R("range", ("2024-03-26",), start="2024-03-18"), R("range", ("2024-03-26",))),
    Case("С 12 по 18 февраля 2024 года", "range", SPB,
         R("range", ("2024-02-18",), start="2024-02-12"), R("range", ("2024-02-18",))),
    Case("27 октября 2023 года", "date", SPB,
         R("date", ("2023-10-27",)), R("date", ("2023-10-27",))),
    Case("15 марта 2024 года", "date", SPB, R("date", ("2024-03-15",)), R("date", ("2024-03-15",))),
    Case("6-7 сентября", "range", SPB,
         R("range", yearly("09-07"), "yearly"), R("range", ("2023-09-07",), start="2023-09-06")),
    Case("13-14 декабря", "range", SPB,
         R("range", yearly("12-14"), "yearly"), R("range", ("2023-12-14",))),
    Case("20-21 декабря", "range", SPB,
         R("range", yearly("12-21"), "yearly"), R("range", ("2023-12-21",))),
    Case("24-25 апреля", "range", SPB,
         R("range", yearly("04-25"), "yearly"), R("range", ("2024-04-25",))),
    Case("15-16 мая", "range", SPB, R("range", yearly("05-16"), "yearly"), R("range", ("2024-05-16",))),
    Case("11 – 17 октября", "range", SPB,
         R("range", yearly("10-17"), "yearly"), R("range", ("2023-10-17",), start="2023-10-11")),
    Case("06 – 12 декабря", "range", SPB,
         R("range", yearly("12-12"), "yearly"), R("range", ("2023-12-12",), start="2023-12-06")),
    Case("01.10.2023 - 15.10.2023", "range", GUL,
         R("range", ("2023-10-15",), start="2023-10-01"), R("range", ("2023-10-15",))),
    Case("сентябрь-декабрь 2023г", "range", GUL,
         R("range", ("2023-12-31",), start="2023-09-01"), R("range", ("2023-12-31",))),
    Case("январь-май 2024г.", "range", GUL,
         R("range", ("2024-05-31",), start="2024-01-01"), R("range", ("2024-05-31",))),
    Case("С 01 июня по 31 августа 2024 года", "range", GUL,
         R("range", ("2024-08-31",), start="2024-06-01"), R("range", ("2024-08-31",))),
    Case("до 31.08.2024года", "by a date", GUL,
         R("by_date", ("2024-08-31",)), R("by_date", ("2024-08-31",))),
    Case("31 мая 2024 года", "date", GUL, R("date", ("2024-05-31",)), R("date", ("2024-05-31",))),
    Case("с 01 сентября 2023года", "since", GUL,
         R("continuous", start="2023-09-01", end="2024-12-31"),
         R("continuous", start="2023-09-01", end="2024-08-31")),
    Case("С 1 января", "since", KEMER,
         R("continuous", start="2023-01-01", end="2024-12-31"),
         R("continuous", start="2024-01-01", end="2024-08-31")),
    Case("с 22 марта по 22 апреля", "range", DZEN,
         R("range", yearly("04-22"), "yearly"), R("range", ("2024-04-22",), start="2024-03-22")),
    Case("с 23 мая по 1 июля", "range", DZEN,
         R("range", yearly("07-01"), "yearly"), R("range", ("2024-07-01",), start="2024-05-23")),
    Case("с 4 по 23 сентября", "range", DZEN,
         R("range", yearly("09-23"), "yearly"), R("range", ("2023-09-23",), start="2023-09-04")),
    Case("с 23 апреля по 18 мая", "range", DZEN,
         R("range", yearly("05-18"), "yearly"), R("range", ("2024-05-18",))),
    Case("с 21 мая по 2 июля", "range", DZEN,
         R("range", yearly("07-02"), "yearly"), R("range", ("2024-07-02",))),
    Case("с 3 по 24 сентября", "range", DZEN,
         R("range", yearly("09-24"), "yearly"), R("range", ("2023-09-24",))),
    Case("с 22 марта по 12 апреля", "range", NEVA,
         R("range", yearly("04-12"), "yearly"), R("range", ("2024-04-12",))),
    Case("с 15 по 22 апреля", "range", NEVA,
         R("range", yearly("04-22"), "yearly"), R("range", ("2024-04-22",), start="2024-04-15")),
    Case("с 23 мая по 18 июня", "range", NEVA,
         R("range", yearly("06-18"), "yearly"), R("range", ("2024-06-18",))),
    Case("с 20 июня по 1 июля", "range", NEVA,
         R("range", yearly("07-01"), "yearly"), R("range", ("2024-07-01",))),
    Case("с 24 мая по 14 июня", "range", NEVA,
         R("range", yearly("06-14"), "yearly"), R("range", ("2024-06-14",))),
    Case("с 21 марта по 18 апреля", "range", FCGSEN,
         R("range", yearly("04-18"), "yearly"), R("range", ("2024-04-18",))),
    Case("с 26 мая по 2 июля", "range", FCGSEN,
         R("range", yearly("07-02"), "yearly"), R("range", ("2024-07-02",))),
    Case("с 9 января 2023 г. по 25 марта 2023 г.", "range", RUSUAZ,
         R("range", ("2023-03-25",), start="2023-01-09"), FLAG),
    Case("с 3 апреля 2023 г. по 31 мая 2023 г.", "range", RUSUAZ,
         R("range", ("2023-05-31",), start="2023-04-03"), FLAG),
    Case("с 26 марта 2023 г. по 2 апреля 2023 г. включительно", "range", RUSUAZ,
         R("range", ("2023-04-02",), start="2023-03-26"), FLAG),
    Case("с 20 февраля 2023 г. по 26 февраля 2023 г.", "range", RUSUAZ,
         R("range", ("2023-02-26",), start="2023-02-20"), FLAG),
    Case("I квартал", "quarter", CHEL,
         R("range", yearly("03-31"), "yearly"), R("range", ("2024-03-31",), start="2024-01-01")),
    Case("II квартал", "quarter", CHEL,
         R("range", yearly("06-30"), "yearly"), R("range", ("2024-06-30",), start="2024-04-01")),
    Case("III квартал", "quarter", CHEL, R("range", yearly("09-30"), "yearly"), FLAG),
    Case("IV квартал", "quarter", CHEL,
         R("range", yearly("12-31"), "yearly"), R("range", ("2023-12-31",), start="2023-10-01")),
    Case("10 февраля", "date", RAMBLER,
         R("date", yearly("02-10"), "yearly"), R("date", ("2024-02-10",))),
    Case("20 марта", "date", RAMBLER,
         R("date", yearly("03-20"), "yearly"), R("date", ("2024-03-20",))),
    # Published phrases, a second search
    Case("4 квартал 2006 г.", "outside the period", MURM, FLAG, FLAG),
    Case("14 февраля 2024 г.", "date", KOR, R("date", ("2024-02-14",)), R("date", ("2024-02-14",))),
    Case("вторая среда марта (13.03.24)", "date confirmed in brackets", KOR,
         R("date", ("2024-03-13",)), R("date", ("2024-03-13",))),
    Case("третий понедельник апреля (13.04.24)", "date confirmed in brackets", KOR,
         FLAG, FLAG),  # 13.04.2024 is a Saturday: the words and the date disagree
    Case("не позднее, чем за две недели до начала проведения итогового собеседования",
         "relative", KOR, FLAG, FLAG),
    Case("13 января 2024 года", "date", CHECHNYA,
         R("date", ("2024-01-13",)), R("date", ("2024-01-13",))),
    Case("20 января 2024 года", "date", CHECHNYA,
         R("date", ("2024-01-20",)), R("date", ("2024-01-20",))),
    Case("в 2023 году", "year", VCP,
         R("range", ("2023-12-31",), start="2023-01-01"), R("range", ("2023-12-31",))),
    Case("в 2024 году", "year", VCP,
         R("range", ("2024-12-31",), start="2024-01-01"), FLAG),
    Case("С 01.01.2024г. по 08.01.2023г.", "range", GUL, FLAG, FLAG),  # ends before it starts
    Case("15.05.2024г. по 30.05.2024г.", "range", GUL,
         R("range", ("2024-05-30",), start="2024-05-15"), R("range", ("2024-05-30",))),
    Case("01.09-31.12.2023г", "range", GUL,
         R("range", ("2023-12-31",), start="2023-09-01"), R("range", ("2023-12-31",))),
    Case("01.01-31.05.2024г", "range", GUL,
         R("range", ("2024-05-31",), start="2024-01-01"), R("range", ("2024-05-31",))),
    Case("01.06 - 31.08.2024 г", "range", GUL,
         R("range", ("2024-08-31",), start="2024-06-01"), R("range", ("2024-08-31",))),
    Case("с 04.11. по 06.11.2023", "range", GUL,
         R("range", ("2023-11-06",), start="2023-11-04"), R("range", ("2023-11-06",))),
    Case("с 1 сентября 2022 г. по 29 октября 2022 г.", "outside the period", MGSSHI, FLAG, FLAG),
    Case("с 1 июня 2023 г. по 31 августа 2023 г.", "range", MGSSHI,
         R("range", ("2023-08-31",), start="2023-06-01"), FLAG),
    Case("с 12 июня 2023 г. по 31 августа 2023 г. включительно", "range", RUSUAZ,
         R("range", ("2023-08-31",), start="2023-06-12"), FLAG),
    Case("4, 9 и 23 сентября", "dates", NEVA,
         R("dates", ("2023-09-04", "2023-09-09", "2023-09-23",
                     "2024-09-04", "2024-09-09", "2024-09-23")),
         R("dates", ("2023-09-04", "2023-09-09", "2023-09-23"))),
    Case("с 22 марта по 1 июля", "range", LIFE,
         R("range", yearly("07-01"), "yearly"), R("range", ("2024-07-01",), start="2024-03-22")),
    Case("4–9 сентября", "range", LIFE,
         R("range", yearly("09-09"), "yearly"), R("range", ("2023-09-09",), start="2023-09-04")),
    Case("не позднее, чем за 3 месяца до начала учебного года", "relative", RASSK, FLAG, FLAG),
    Case("с 11 апреля по 16 мая 2025 года", "outside the period", RASSK, FLAG, FLAG),
    Case("с 11 апреля по 16 мая", "range", ROGOV,
         R("range", yearly("05-16"), "yearly"), R("range", ("2024-05-16",), start="2024-04-11")),
    Case("в период с 19 сентября по 24 октября", "range", SPASSK,
         R("range", yearly("10-24"), "yearly"), R("range", ("2023-10-24",), start="2023-09-19")),
    Case("до 5 сентября", "by a date", SPASSK,
         R("by_date", yearly("09-05"), "yearly"), R("by_date", ("2023-09-05",))),
    Case("С 1 марта по 25 марта", "range", AZNED,
         R("range", yearly("03-25"), "yearly"), R("range", ("2024-03-25",), start="2024-03-01")),
    Case("С 15 марта", "since", AZNED,
         R("continuous", start="2023-03-15", end="2024-12-31"),
         R("continuous", start="2024-03-15", end="2024-08-31")),
    Case("С 15 марта по 20 мая", "range", AZNED,
         R("range", yearly("05-20"), "yearly"), R("range", ("2024-05-20",))),
    Case("до 20 мая", "by a date", AZNED,
         R("by_date", yearly("05-20"), "yearly"), R("by_date", ("2024-05-20",))),
    Case("с 20 апреля по 20 мая", "range", PSIHO,
         R("range", yearly("05-20"), "yearly"), R("range", ("2024-05-20",), start="2024-04-20")),
    Case("с 26 мая по 1 июля", "range", MOIKA,
         R("range", yearly("07-01"), "yearly"), R("range", ("2024-07-01",))),
    Case("6-19 сентября", "range", MOIKA,
         R("range", yearly("09-19"), "yearly"), R("range", ("2023-09-19",), start="2023-09-06")),
    Case("с 21 апреля по 1 июля", "range", MOIKA,
         R("range", yearly("07-01"), "yearly"), R("range", ("2024-07-01",))),
    Case("до 15 декабря 2021 года, а далее — один раз в полгода", "recurrence with a start",
         TAMBOV, FLAG, FLAG),
    Case("до конца 2023 года", "by a date", TAMBOV,
         R("by_date", ("2023-12-31",)), R("by_date", ("2023-12-31",))),
    Case("к 2023–2024 учебному году", "by a date", TAMBOV, FLAG, FLAG),  # its start or its end?
    # School halves, lists of ranges, recurrences named by their end
    Case("1 полугодие 2023-2024 учебного года", "school term", COMPOSED,
         R("range", ("2023-12-31",), start="2023-09-01"), R("range", ("2023-12-31",))),
    Case("II полугодие учебного года", "school term", COMPOSED,
         R("range", yearly("05-31"), "yearly"), R("range", ("2024-05-31",), start="2024-01-01")),
    Case("ноябрь-декабрь 2023 г., март-апрель 2024 г.", "dates", COMPOSED,
         R("dates", ("2023-12-31", "2024-04-30")), R("dates", ("2023-12-31", "2024-04-30"))),
    Case("ежегодно в период с сентября по октябрь", "recurrence with months", COMPOSED,
         R("recurring", yearly("10-31"), "yearly"), R("recurring", ("2023-10-31",), "yearly")),
    Case("в конце каждой четверти", "school term", COMPOSED,
         R("recurring", TERM_ENDS_CAL, "termly"), R("recurring", TERM_ENDS_ACAD, "termly")),
    Case("по мере необходимости, не реже 1 раза в квартал", "recurrence", COMPOSED,
         R("recurring", ("2023-03-31", "2023-06-30", "2023-09-30", "2023-12-31",
                         "2024-03-31", "2024-06-30", "2024-09-30", "2024-12-31"), "quarterly"),
         R("recurring", ("2023-09-30", "2023-12-31", "2024-03-31", "2024-06-30"), "quarterly")),
    Case("3 раза в год", "recurrence", COMPOSED, FLAG, FLAG),  # which three dates?
    Case("ежегодно, по итогам года", "recurrence", COMPOSED, FLAG, FLAG),  # which day?
]  # fmt: skip


# --- held-out phrases (collected by the "heldout-deadlines" helper) ---------------------------
# Published wordings found with the search tool, none of them in the corpus above; each reading
# was written from the phrase's meaning before the engine was run on it.

PODOLSK = (
    "https://31.schoolpodolsk.ru/file/card?id=5432 (календарный план воспитательной работы 2023/24)"
)
FEOD = "https://feospecschool2.krymschool.ru/file/card?id=1415 (календарный план воспитательной работы 2023/24)"
FKPVR = "https://4ege.ru/materials_podgotovka/68309 (федеральный календарный план воспитательной работы 2023/24)"
LIP46 = "http://shkola46lip.ru/node/477 (расписание ОГЭ 2023)"
OBYEKTIV = "https://obyektiv.press/node/129163 (расписание ОГЭ 2023)"
CONS_IS = "https://consultant.ru/document/cons_doc_LAW_430519/ (итоговое сочинение, инструкция)"
LOGKI = "https://www.logki-school.ru/dopsved/fg (неделя функциональной грамотности)"
NEVA_RONO = (
    "http://nevarono.tunev.gov.spb.ru/roo/1-roo/30098 (мониторинг функциональной грамотности)"
)
SARPA = "https://shkolasarpinskaya-r08.gosweb.gosuslugi.ru/roditelyam-i-uchenikam/novosti (ВПР осенью 2022)"
LIB201 = "http://library201097.narod.ru/169/index224.html (этапы планирования работы школы)"
SHAHTY21 = "https://xn--21-8kc3bfr2e.xn--p1ai/content/ (единый график оценочных процедур, Шахты)"
ELETS = "https://eletsnourazvitie.ru/2022-2023-2/ (график оценочных процедур 2023/24)"
KRD_AUG = KRD
VLADIKAVKAZ = "https://vladikavkaz-news.net/society/2025/05/06/249988.html (период ЕГЭ)"
NOVG = "https://lawmix.ru/zakonodatelstvo/1113258?page=3 (дорожная карта, Новгородская область)"
VLADIMIR = "https://base.garant.ru/19356217/ (система программных мероприятий, Владимир)"
BIZPRAVO = "http://businesspravo.ru/Docum/DocumShow_DocumID_158659.html (постановление № 815)"
KALIN = "http://kalin-gov.ru/doc/62774 (программа развития образования Калининграда)"
RYAZAN = "https://ryazan-gov.ru/doc/59367 (программа развития образования, Чучковский район)"
MORDOVIA = "https://lawmix.ru/zakonodatelstvo/1487172 (госпрограмма, Мордовия)"
CHAAHOL = "https://chaa-hol.rtyva.ru/special/?returnUrl=%2Fnode%2F28779 (муниципальная программа)"
MEDGORA = "https://obrazovanie-medgora.edusite.ru/p403aa1.html (система работы со ШНОР)"
TAMBOV07 = "https://base.garant.ru/28127007/ (график отчётов ПНПО, Тамбовская область)"
ROSTOV12 = "https://lawmix.ru/zakonodatelstvo/1322217 (подготовка школ к учебному году, Ростов)"
IRK14 = "https://base.garant.ru/34780845 (ВЦП, Иркутская область)"
OREL03 = "https://orel-gov.ru/doc/31819 (готовность учебных заведений, Орёл)"
MAZAN = "http://filling-form.ru/blank/50414/index.html?page=3 (инструкция по делопроизводству)"
BRUO = "https://bruo.dagestanschool.ru/news/item/1083 (ВПР 2024)"
UFA = "https://pressaufa.ru/2020/03/20/sroki-provedenija-vpr-prodleny (сроки ВПР)"
SAROV = "https://sarov24.ru/obschestvo/11753 (ВПР осенью 2020)"
PRITOBOL = "https://pritobolroo.ucoz.ru/news/2017-02-13 (ВПР)"
NOVOCH = "http://school2novoch.ru/собеседование.html (итоговое собеседование 2024)"
SATKA = "https://sch10satka.ru/about/news/2437217 (итоговое собеседование)"
FAKTOR = "https://faktor-info.ru/3171824 (итоговое собеседование, Подмосковье)"
USISHIN = "https://usishin.dagestanschool.ru/?section_id=118 (итоговое собеседование 2021/22)"
GARANT_IS = "https://base.garant.ru/411083318/ (инструкция, итоговое собеседование)"
OSNOVNOJ = "https://shkolaosnovnoj-r64.gosweb.gosuslugi.ru/ (ВПР 2023)"
LIP48 = (
    "https://sh48-lipeck-r42.gosweb.gosuslugi.ru/roditelyam-i-uchenikam/kanikuly (каникулы 2023/24)"
)
PENATY = "https://penaty.ru/каникулы-на-2022-2023-уч-год/ (учебные периоды и каникулы 2023/24)"
YALTA8 = "http://yalta8.ru/index.php/usloviya-obucheniya/uchebnye-periody (учебные периоды 2023/24)"
DZEN_K = "https://dzen.ru/list/new-year/do-kakogo-chisla-kanikuly-v-kolledje-zimoi-2023 (каникулы 2023/24)"
MURM_PROF = "https://citymurmansk.ru/prokuratura_razy/2023/10/17/?newsid=25896 (профориентация)"
BG3 = "https://shkola3-bg.edusite.ru/p167aa1.html (профминимум)"

Y, M, D, B = "yearly", "month", "date", "by_date"


def _date_yearly(md: str, acad: str) -> tuple[R, R]:
    return R(D, yearly(md), Y), R(D, (acad,))


def _range_yearly(start_md: str, end_md: str, acad_start: str) -> tuple[R, R]:
    acad_end = f"{acad_start[:4]}-{end_md}"
    return R("range", yearly(end_md), Y), R("range", (acad_end,), start=acad_start)


def _weekday_2023(md: str) -> tuple[R, str]:
    """A day and month with its weekday in brackets: the weekday fits 2023 only."""
    return R(D, (f"2023-{md}",)), FLAG


HELDOUT: list[Case] = [
    Case("1 сентября", "date", PODOLSK, *_date_yearly("09-01", "2023-09-01")),
    Case("3 сентября", "date", PODOLSK, *_date_yearly("09-03", "2023-09-03")),
    Case("5 октября", "date", PODOLSK, *_date_yearly("10-05", "2023-10-05")),
    Case("Каждый понедельник", "weekday", PODOLSK,
         R("recurring", weekdays(*CAL, 0), "weekly"), R("recurring", weekdays(*ACAD, 0), "weekly")),
    Case("2-4 октября", "range", PODOLSK, *_range_yearly("10-02", "10-04", "2023-10-02")),
    Case("10-13 октября", "range", PODOLSK, *_range_yearly("10-10", "10-13", "2023-10-10")),
    Case("13-20 ноября", "range", PODOLSK, *_range_yearly("11-13", "11-20", "2023-11-13")),
    Case("12-15 декабря", "range", PODOLSK, *_range_yearly("12-12", "12-15", "2023-12-12")),
    Case("19-22 декабря", "range", PODOLSK, *_range_yearly("12-19", "12-22", "2023-12-19")),
    Case("27-29 декабря", "range", PODOLSK, *_range_yearly("12-27", "12-29", "2023-12-27")),
    Case("Сентябрь-декабрь", "range", PODOLSK,
         R("range", yearly("12-31"), Y), R("range", ("2023-12-31",), start="2023-09-01")),
    Case("сентябрь, в течение года", "ambiguous", FEOD, FLAG, FLAG),  # September, or all year?
    Case("В течение учебного года", "continuous", FEOD,
         R("continuous"), R("continuous", start="2023-09-01", end="2024-08-31")),
    Case("01.09", "date", FEOD, *_date_yearly("09-01", "2023-09-01")),
    Case("08.09", "date", FEOD, *_date_yearly("09-08", "2023-09-08")),
    Case("04.10", "date", FEOD, *_date_yearly("10-04", "2023-10-04")),
    Case("8 сентября", "date", FKPVR, *_date_yearly("09-08", "2023-09-08")),
    Case("10 сентября", "date", FKPVR, *_date_yearly("09-10", "2023-09-10")),
    Case("1 октября", "date", FKPVR, *_date_yearly("10-01", "2023-10-01")),
    Case("4 октября", "date", FKPVR, *_date_yearly("10-04", "2023-10-04")),
    # The weekday in brackets names the year: 24 May is a Wednesday in 2023, a Friday in 2024
    Case("24 мая (среда)", "date with its weekday", LIP46, *_weekday_2023("05-24")),
    Case("30 мая (вторник)", "date with its weekday", LIP46, *_weekday_2023("05-30")),
    Case("2 июня (пятница)", "date with its weekday", LIP46, *_weekday_2023("06-02")),
    Case("3 июня (суббота)", "date with its weekday", LIP46, *_weekday_2023("06-03")),
    Case("6 июня (вторник)", "date with its weekday", LIP46, *_weekday_2023("06-06")),
    Case("9 июня (пятница)", "date with its weekday", LIP46, *_weekday_2023("06-09")),
    Case("14 июня (среда)", "date with its weekday", LIP46, *_weekday_2023("06-14")),
    Case("17 июня (суббота)", "date with its weekday", LIP46, *_weekday_2023("06-17")),
    Case("26 июня (понедельник)", "date with its weekday", LIP46, *_weekday_2023("06-26")),
    Case("27 июня (вторник)", "date with its weekday", LIP46, *_weekday_2023("06-27")),
    Case("с 24 мая по 1 июля", "range", OBYEKTIV, *_range_yearly("05-24", "07-01", "2024-05-24")),
    Case("с 21 апреля по 16 мая", "range", OBYEKTIV, *_range_yearly("04-21", "05-16", "2024-04-21")),
    Case("2 и 3 июня", "dates", OBYEKTIV,
         R("dates", ("2023-06-02", "2023-06-03", "2024-06-02", "2024-06-03")),
         R("dates", ("2024-06-02", "2024-06-03"))),
    Case("До 1 июля", "by a date", OBYEKTIV, R(B, yearly("07-01"), Y), R(B, ("2024-07-01",))),
    Case("Не позднее чем за день до проведения итогового сочинения (изложения)", "relative",
         CONS_IS, FLAG, FLAG),
    Case("В период с 05.12.2022 по 09.12.2022", "outside the period", LOGKI, FLAG, FLAG),
    Case("25-26 января 2023 года", "range", NEVA_RONO,
         R("range", ("2023-01-26",), start="2023-01-25"), FLAG),
    Case("с 19 сентября по 24 октября 2022 года", "outside the period", SARPA, FLAG, FLAG),
    Case("до 5 сентября этого года", "relative", SARPA, FLAG, FLAG),  # which year is «этот»?
    Case("вторая учебная четверть", "school term", LIB201,
         R("range", yearly("12-31"), Y), R("range", ("2023-12-31",), start="2023-11-01")),
    Case("третья учебная четверть", "school term", LIB201,
         R("range", yearly("03-31"), Y), R("range", ("2024-03-31",), start="2024-01-01")),
    Case("конец четвертой четверти", "school-year point", LIB201,
         R(D, yearly("05-31"), Y), R(D, ("2024-05-31",))),
    Case("по отдельному графику", "external", SHAHTY21, R("external", body=""), R("external", body="")),
    Case("1 полугодие", "school term", ELETS,  # the period's own calendar: a calendar half
         R("range", yearly("06-30"), Y), R("range", ("2023-12-31",), start="2023-09-01")),
    Case("август", "period calendar", KRD_AUG,
         R(M, yearly("08-31"), Y), R(M, ("2024-08-31",), start="2024-08-01")),
    Case("23 мая", "date", VLADIKAVKAZ, *_date_yearly("05-23", "2024-05-23")),
    Case("2013 год", "outside the period", NOVG, FLAG, FLAG),
    Case("2012", "outside the period", VLADIMIR, FLAG, FLAG),
    Case("до 30 октября 2009 г.", "outside the period", BIZPRAVO, FLAG, FLAG),
    Case("до 10 декабря 2009 г.", "outside the period", BIZPRAVO, FLAG, FLAG),
    Case("2009-2013 гг.", "outside the period", KALIN, FLAG, FLAG),
    Case("2010 - 2012 годы", "outside the period", RYAZAN, FLAG, FLAG),
    Case("2014-2020 годы", "outside the period", MORDOVIA, FLAG, FLAG),
    Case("в 2025 году", "outside the period", VCP, FLAG, FLAG),
    Case("в 2022 году", "outside the period", VCP, FLAG, FLAG),
    Case("2024-2026 годы", "outside the period", CHAAHOL, FLAG, FLAG),
    Case("2023 год", "year", MEDGORA,
         R("range", ("2023-12-31",), start="2023-01-01"), R("range", ("2023-12-31",))),
    Case("Ежемесячно до 15 числа месяца, следующего за отчетным периодом", "day of month",
         TAMBOV07, FLAG, FLAG),
    Case("к началу 2012/2013 учебного года", "outside the period", ROSTOV12, FLAG, FLAG),
    Case("осенне-зимний период 2012-2013 годов", "outside the period", ROSTOV12, FLAG, FLAG),
    Case("30 июня, 7 августа, 22 октября, 4 декабря 2014 г.", "outside the period", IRK14,
         FLAG, FLAG),
    Case("2014 - 2018 годы", "outside the period", IRK14, FLAG, FLAG),
    Case("к новому 2003-2004 учебному году", "outside the period", OREL03, FLAG, FLAG),
    Case("в месячный срок со дня образования", "relative", MAZAN, FLAG, FLAG),
    Case("до 17 мая", "by a date", BRUO, R(B, yearly("05-17"), Y), R(B, ("2024-05-17",))),
    Case("до 25 мая", "by a date", UFA, R(B, yearly("05-25"), Y), R(B, ("2024-05-25",))),
    Case("с 14 апреля по 14 мая", "range", UFA, *_range_yearly("04-14", "05-14", "2024-04-14")),
    Case("с 14 сентября по 12 октября", "range", SAROV,
         *_range_yearly("09-14", "10-12", "2023-09-14")),
    Case("18 апреля", "date", PRITOBOL, *_date_yearly("04-18", "2024-04-18")),
    Case("во вторую среду февраля", "weekday of a month", NOVOCH,
         R(D, ("2023-02-08", "2024-02-14"), Y), R(D, ("2024-02-14",))),
    # «рабочая» среда / понедельник depends on the production calendar (holidays, transfers)
    Case("во вторую рабочую среду марта", "weekday of a month", NOVOCH, FLAG, FLAG),
    Case("первый рабочий понедельник мая", "weekday of a month", NOVOCH, FLAG, FLAG),
    Case("25 января", "date", SATKA, *_date_yearly("01-25", "2024-01-25")),
    Case("8 февраля", "date", SATKA, *_date_yearly("02-08", "2024-02-08")),
    Case("15 марта и 15 мая", "dates", SATKA,
         R("dates", ("2023-03-15", "2023-05-15", "2024-03-15", "2024-05-15")),
         R("dates", ("2024-03-15", "2024-05-15"))),
    Case("9 февраля", "date", FAKTOR, *_date_yearly("02-09", "2024-02-09")),
    Case("до 26 января", "by a date", FAKTOR, R(B, yearly("01-26"), Y), R(B, ("2024-01-26",))),
    Case("9 марта и 16 мая", "dates", FAKTOR,
         R("dates", ("2023-03-09", "2023-05-16", "2024-03-09", "2024-05-16")),
         R("dates", ("2024-03-09", "2024-05-16"))),
    Case("9 февраля 2022 года", "outside the period", USISHIN, FLAG, FLAG),
    Case("16 мая 2022 года", "outside the period", USISHIN, FLAG, FLAG),
    Case("Не позднее чем за день до проведения итогового собеседования", "relative", GARANT_IS,
         FLAG, FLAG),
    Case("согласно Порядку и Плану-графику проведения ВПР", "external", OSNOVNOJ,
         R("external", body=""), R("external", body="")),
    # Ranges with each end's weekday in brackets (all of them right)
    Case("с 28 октября 2023 года (суббота) по 05 ноября 2023 года (воскресенье)",
         "range with weekdays", LIP48, R("range", ("2023-11-05",), start="2023-10-28"),
         R("range", ("2023-11-05",), start="2023-10-28")),
    Case("с 30 декабря 2023 года (суббота) по 07 января 2024 года (воскресенье)",
         "range with weekdays", LIP48, R("range", ("2024-01-07",), start="2023-12-30"),
         R("range", ("2024-01-07",), start="2023-12-30")),
    Case("с 10 февраля 2024 года (суббота) по 18 февраля 2024 года (воскресенье)",
         "range with weekdays", LIP48, R("range", ("2024-02-18",), start="2024-02-10"),
         R("range", ("2024-02-18",), start="2024-02-10")),
    Case("с 23 марта 2024 года (суббота) по 31 марта 2024 года (воскресенье)",
         "range with weekdays", LIP48, R("range", ("2024-03-31",), start="2024-03-23"),
         R("range", ("2024-03-31",), start="2024-03-23")),
    Case("с 29 апреля 2024 года (понедельник) по 01 мая 2024 года (среда)",
         "range with weekdays", LIP48, R("range", ("2024-05-01",), start="2024-04-29"),
         R("range", ("2024-05-01",), start="2024-04-29")),
    Case("с 09 мая 2024 года (четверг) по 10 мая 2024 года (пятница)",
         "range with weekdays", LIP48, R("range", ("2024-05-10",), start="2024-05-09"),
         R("range", ("2024-05-10",), start="2024-05-09")),
    Case("с 23 февраля 2024 года (пятница) по 23 февраля 2024 года (пятница)",
         "range with weekdays", LIP48, R(D, ("2024-02-23",)), R(D, ("2024-02-23",))),
    Case("с 08 марта 2024 года (пятница) по 08 марта 2024 года (пятница)",
         "range with weekdays", LIP48, R(D, ("2024-03-08",)), R(D, ("2024-03-08",))),
    Case("01 сентября 2023 года – 27 октября 2023 года", "range", PENATY,
         R("range", ("2023-10-27",), start="2023-09-01"),
         R("range", ("2023-10-27",), start="2023-09-01")),
    Case("28 октября 2023 года – 06 ноября 2022 года", "range", PENATY, FLAG, FLAG),  # ends first
    Case("07 ноября 2023 года – 28 декабря 2023 года", "range", PENATY,
         R("range", ("2023-12-28",), start="2023-11-07"),
         R("range", ("2023-12-28",), start="2023-11-07")),
    Case("29 декабря 2023 года – 8 января 2024 года", "range", PENATY,
         R("range", ("2024-01-08",), start="2023-12-29"),
         R("range", ("2024-01-08",), start="2023-12-29")),
    Case("9 января 2024 года – 22 марта 2024 года", "range", PENATY,
         R("range", ("2024-03-22",), start="2024-01-09"),
         R("range", ("2024-03-22",), start="2024-01-09")),
    Case("12 февраля 2024 года – 18 февраля 2024 года", "range", PENATY,
         R("range", ("2024-02-18",), start="2024-02-12"),
         R("range", ("2024-02-18",), start="2024-02-12")),
    Case("23 марта 2024 года – 31 марта 2024 года", "range", PENATY,
         R("range", ("2024-03-31",), start="2024-03-23"),
         R("range", ("2024-03-31",), start="2024-03-23")),
    Case("1 апреля 2024 года – 24 мая 2024 года", "range", PENATY,
         R("range", ("2024-05-24",), start="2024-04-01"),
         R("range", ("2024-05-24",), start="2024-04-01")),
    Case("2, 3 мая 2024 года", "dates", PENATY,
         R("dates", ("2024-05-02", "2024-05-03")), R("dates", ("2024-05-02", "2024-05-03"))),
    Case("25 мая 2024 года – 31 августа 2024 года", "range", PENATY,
         R("range", ("2024-08-31",), start="2024-05-25"),
         R("range", ("2024-08-31",), start="2024-05-25")),
    Case("с 28 октября по 06 ноября 2023 года", "range", YALTA8,
         R("range", ("2023-11-06",), start="2023-10-28"),
         R("range", ("2023-11-06",), start="2023-10-28")),
    Case("с 29 декабря 2023 года по 08 января 2024 года", "range", YALTA8,
         R("range", ("2024-01-08",), start="2023-12-29"),
         R("range", ("2024-01-08",), start="2023-12-29")),
    Case("с 16 марта по 24 марта 2023 года", "range", YALTA8,
         R("range", ("2023-03-24",), start="2023-03-16"), FLAG),
    Case("с 17 февраля по 25 февраля 2024 года", "range", YALTA8,
         R("range", ("2024-02-25",), start="2024-02-17"),
         R("range", ("2024-02-25",), start="2024-02-17")),
    Case("с 30 октября по 5 ноября", "range", DZEN_K,
         *_range_yearly("10-30", "11-05", "2023-10-30")),
    Case("с 1 по 8 января", "range", DZEN_K, *_range_yearly("01-01", "01-08", "2024-01-01")),
    Case("с 19 по 25 февраля", "range", DZEN_K, *_range_yearly("02-19", "02-25", "2024-02-19")),
    Case("в течение учебного года в соответствии с учебным планом, календарным учебным "
         "графиком и планом внеурочной деятельности", "continuous with a remark", MURM_PROF,
         R("continuous"), R("continuous", start="2023-09-01", end="2024-08-31")),
    Case("С 1 сентября 2023 г.", "since", BG3,
         R("continuous", start="2023-09-01", end="2024-12-31"),
         R("continuous", start="2023-09-01", end="2024-08-31")),
]  # fmt: skip


# A second held-out round, collected after the engine was fixed for the first one and written
# down before it was run: it measures the fixed engine on phrases it had not seen.
TRUD = "https://trud.ru/article/22-05-2024/1617911_opublikovano_raspisanie_ege.html (расписание ЕГЭ 2024)"
TVN = "http://www.tvn-tv.ru/news/education/sroki_ege_2024.html (сроки ЕГЭ 2024)"
ICNOV = "https://ic-nov.jimdofree.com/гиа-егэ-огэ/ (расписание ЕГЭ 2024, пересдачи)"
LIFE2 = LIFE
MANO = "https://mano.pro/node/4737 (расписание ЕГЭ, ОГЭ 2024)"
OBRN = "https://obrnadzor-gov.ru/samyj-podrobnyj-gid-po-glavnomu-ekzamenu-v-strane/ (ЕГЭ 2023)"
SARANSK = "https://shkola33saransk-r13.gosweb.gosuslugi.ru/ (школьный этап ВсОШ 2023/24)"
ROSTOV1 = "https://school1-rostov.ru/oczenochnyie-proczeduryi/vsosh.html (ВсОШ 2023/24)"
KLGD = "https://lic-int-shili-kaliningrad-r27.gosweb.gosuslugi.ru/ (этапы ВсОШ)"
KOVROV = "https://school9kovrov.ru/detyam/olimpiady-i-konkursy/57646 (школьный этап ВсОШ 2023)"
KLGD29 = "https://sh29-kaliningrad-r27.gosweb.gosuslugi.ru/ (школьный этап ВсОШ)"
OZERSK39 = "http://duts.ozersk39.ru/index.php/component/content/article/60/1227 (ВсОШ)"
PPT804 = "https://pravo.ppt.ru/prikaz/minprosveshcheniya-rossii/n-804-289059 (приказ № 804)"

ROUND2: list[Case] = [
    Case("28 мая", "date", TRUD, *_date_yearly("05-28", "2024-05-28")),
    Case("4 июня", "date", TRUD, *_date_yearly("06-04", "2024-06-04")),
    Case("17 и 18 июня", "dates", TRUD,
         R("dates", ("2023-06-17", "2023-06-18", "2024-06-17", "2024-06-18")),
         R("dates", ("2024-06-17", "2024-06-18"))),
    Case("20 июня", "date", TRUD, *_date_yearly("06-20", "2024-06-20")),
    Case("1 июля", "date", TRUD, *_date_yearly("07-01", "2024-07-01")),
    Case("22-го марта", "date", TVN, *_date_yearly("03-22", "2024-03-22")),
    Case("26 и 29 числа", "ambiguous", TVN, FLAG, FLAG),  # of which month?
    Case("до 18 июня", "by a date", TVN, R(B, yearly("06-18"), Y), R(B, ("2024-06-18",))),
    Case("До 2 июля", "by a date", TVN, R(B, yearly("07-02"), Y), R(B, ("2024-07-02",))),
    Case("4 и 5 июля", "dates", ICNOV,
         R("dates", ("2023-07-04", "2023-07-05", "2024-07-04", "2024-07-05")),
         R("dates", ("2024-07-04", "2024-07-05"))),
    Case("с марта по июль", "range", LIFE2,
         R("range", yearly("07-31"), Y), R("range", ("2024-07-31",), start="2024-03-01")),
    Case("в период с 23 мая по 1 июля", "range", LIFE2,
         *_range_yearly("05-23", "07-01", "2024-05-23")),
    Case("24 и 25 мая 2024 года", "dates", MANO,
         R("dates", ("2024-05-24", "2024-05-25")), R("dates", ("2024-05-24", "2024-05-25"))),
    Case("21 и 22 мая", "dates", MANO,
         R("dates", ("2023-05-21", "2023-05-22", "2024-05-21", "2024-05-22")),
         R("dates", ("2024-05-21", "2024-05-22"))),
    Case("1 июля, в субботу", "date with its weekday", OBRN, R(D, ("2023-07-01",)), FLAG),
    Case("с 18 сентября по 27 октября", "range", SARANSK,
         *_range_yearly("09-18", "10-27", "2023-09-18")),
    Case("в течение учебного года с сентября по май", "continuous", ROSTOV1,
         R("continuous"), R("continuous", start="2023-09-01", end="2024-05-31")),
    Case("сентябрь-октябрь", "range", KLGD,
         R("range", yearly("10-31"), Y), R("range", ("2023-10-31",), start="2023-09-01")),
    Case("26 сентября–27 октября 2023", "range", KOVROV,
         R("range", ("2023-10-27",), start="2023-09-26"),
         R("range", ("2023-10-27",), start="2023-09-26")),
    Case("С 23 сентября", "since", KLGD29,
         R("continuous", start="2023-09-23", end="2024-12-31"),
         R("continuous", start="2023-09-23", end="2024-08-31")),
    Case("до конца октября", "by a date", KLGD29, R(B, yearly("10-31"), Y), R(B, ("2023-10-31",))),
    Case("С 1 сентября", "since", OZERSK39,
         R("continuous", start="2023-09-01", end="2024-12-31"),
         R("continuous", start="2023-09-01", end="2024-08-31")),
    Case("ориентировочно 20 сентября", "approximate", OZERSK39, FLAG, FLAG),
    Case("в 2023/24 учебном году", "school year", PPT804,
         R("range", ("2024-08-31",), start="2023-09-01"),
         R("range", ("2024-08-31",), start="2023-09-01")),
]  # fmt: skip

# --- the review of the engine: a list of bare years after a point, a comma inside a range end ---
# Found by a reviewer (the first phrase of each family) and its neighbours, written for this corpus.
# A list of years repeats the point in each year («май 2023, 2024 гг.» is May 2023 and May 2024,
# never May 2023 and the whole of 2024); «сентябрь, 2023 - май, 2024» is one range. In the school
# year 2023/24 half of such a list lies outside the period, so the engine must ask a person.

REVIEW = "review of the deadline engine (D2, D3)"
YL, MY = "list of years", "month, year in a range"


def _both(md: str) -> R:
    return R("dates", yearly(md))


REVIEWED: list[Case] = [
    Case("май 2023, 2024 гг.", YL, REVIEW, _both("05-31"), FLAG),
    Case("к 1 сентября 2023 и 2024 гг.", YL, REVIEW, R(B, yearly("09-01")), FLAG),
    Case("до 1 октября 2023, 2024 гг.", YL, REVIEW, R(B, yearly("10-01")), FLAG),
    Case("в марте 2023, 2024 годов", YL, REVIEW, _both("03-31"), FLAG),
    Case("ежегодно в мае 2023-2024 гг.", YL, REVIEW,
         R("recurring", yearly("05-31"), Y), R("recurring", ("2024-05-31",), Y)),
    Case("ежегодно в мае 2023, 2024 гг.", YL, REVIEW,
         R("recurring", yearly("05-31"), Y), R("recurring", ("2024-05-31",), Y)),
    Case("май 2023 - 2024 гг.", YL, REVIEW, _both("05-31"), FLAG),
    Case("май 2023 - 2024", YL, REVIEW, FLAG, FLAG),  # each May, or May 2023 to the end of 2024?
    Case("декабрь 2023, 2024", YL, REVIEW, _both("12-31"), FLAG),
    Case("декабрь 2023 и 2024 годов", YL, REVIEW, _both("12-31"), FLAG),
    Case("март, июнь 2023, 2024 гг.", YL, REVIEW,
         R("dates", ("2023-03-31", "2023-06-30", "2024-03-31", "2024-06-30")), FLAG),
    Case("1 сентября 2023, 2024 гг.", YL, REVIEW, R("dates", yearly("09-01")), FLAG),
    Case("до 25 декабря 2023, 2024 годов", YL, REVIEW, R(B, yearly("12-25")), FLAG),
    Case("не позднее 1 июня 2023, 2024 гг.", YL, REVIEW, R(B, yearly("06-01")), FLAG),
    Case("I квартал 2023, 2024 гг.", YL, REVIEW, _both("03-31"), FLAG),
    Case("в 2023, 2024 годах", YL, REVIEW, _both("12-31"), FLAG),
    Case("ноябрь 2023 г., 2024 г.", YL, REVIEW, _both("11-30"), FLAG),
    Case("апрель 2023, 2024, 2025 гг.", YL, REVIEW, FLAG, FLAG),  # April 2025 is outside
    Case("4, 9 и 23 сентября 2023, 2024 гг.", YL, REVIEW,
         R("dates", ("2023-09-04", "2023-09-09", "2023-09-23",
                     "2024-09-04", "2024-09-09", "2024-09-23")), FLAG),
    Case("ноябрь - декабрь 2023, 2024 гг.", YL, REVIEW, _both("12-31"), FLAG),
    Case("в течение мая 2023, 2024 гг.", YL, REVIEW, _both("05-31"), FLAG),
    Case("II полугодие 2023, 2024 гг.", YL, REVIEW, _both("12-31"), FLAG),
    Case("в 2023 - 2024 гг.", YL, REVIEW, R("range", ("2024-12-31",), start="2023-01-01"), FLAG),
    Case("1 сентября 2023 - 2024 гг.", YL, REVIEW, R("dates", yearly("09-01")), FLAG),
    Case("до 1 сентября 2023 г., 2024 г.", YL, REVIEW, R(B, yearly("09-01")), FLAG),
    Case("ежегодно, декабрь 2023, 2024 гг.", YL, REVIEW,
         R("recurring", yearly("12-31"), Y), R("recurring", ("2023-12-31",), Y)),
    Case("сентябрь, 2023 - май, 2024", MY, REVIEW,
         R("range", ("2024-05-31",), start="2023-09-01"),
         R("range", ("2024-05-31",), start="2023-09-01")),
    Case("с сентября, 2023 по май, 2024", MY, REVIEW,
         R("range", ("2024-05-31",), start="2023-09-01"),
         R("range", ("2024-05-31",), start="2023-09-01")),
    Case("сентябрь, 2023 г. - май, 2024 г.", MY, REVIEW,
         R("range", ("2024-05-31",), start="2023-09-01"),
         R("range", ("2024-05-31",), start="2023-09-01")),
    Case("сентябрь,2023-май,2024", MY, REVIEW,
         R("range", ("2024-05-31",), start="2023-09-01"),
         R("range", ("2024-05-31",), start="2023-09-01")),
    Case("1 сентября, 2023 - 31 мая, 2024", MY, REVIEW,
         R("range", ("2024-05-31",), start="2023-09-01"),
         R("range", ("2024-05-31",), start="2023-09-01")),
    Case("октябрь, 2023 - декабрь, 2023", MY, REVIEW,
         R("range", ("2023-12-31",), start="2023-10-01"),
         R("range", ("2023-12-31",), start="2023-10-01")),
    Case("январь, 2024 - март, 2024", MY, REVIEW,
         R("range", ("2024-03-31",), start="2024-01-01"),
         R("range", ("2024-03-31",), start="2024-01-01")),
    Case("Май, 2023", MY, REVIEW, R("month", ("2023-05-31",)), FLAG),  # May 2023: before 2023/24
    Case("март, 2024, апрель, 2024", MY, REVIEW,
         R("dates", ("2024-03-31", "2024-04-30")), R("dates", ("2024-03-31", "2024-04-30"))),
    Case("с сентября, 2023 г.", MY, REVIEW,
         R("continuous", start="2023-09-01", end="2024-12-31"),
         R("continuous", start="2023-09-01", end="2024-08-31")),
]  # fmt: skip

HELDOUT_TEXTS = {case.text for case in HELDOUT}
CASES.extend(HELDOUT + ROUND2 + REVIEWED)  # the tests and `manage.py bench_deadlines` run them all

# --- judging a reading ------------------------------------------------------------------------

RIGHT, FLAGGED, SILENT = "right", "flagged", "silent"


def differences(expected: R | str, result) -> list[str]:
    """What differs between the expected reading and the engine's (empty: the same)."""
    if expected == FLAG:
        return [] if result.needs_review else ["ожидался флаг «проверить»"]
    assert isinstance(expected, R)
    got = {
        "kind": str(result.kind),
        "due": tuple(d.isoformat() for d in result.due_dates),
        "rec": result.recurrence or "",
    }
    want = {"kind": expected.kind, "due": expected.due, "rec": expected.rec}
    if expected.start is not None:
        got["start"], want["start"] = result.start and result.start.isoformat(), expected.start
    if expected.end is not None:
        got["end"], want["end"] = result.end and result.end.isoformat(), expected.end
    if expected.body is not None:
        got["body"], want["body"] = result.external_body, expected.body
    return [f"{key}: {got[key]!r} ≠ {want[key]!r}" for key in want if got[key] != want[key]]


def judge(expected: R | str, result) -> str:
    """right: read as a careful person reads it; flagged: asks a person; silent: wrong unflagged."""
    if not differences(expected, result) and (expected == FLAG or not result.needs_review):
        return RIGHT
    return FLAGGED if result.needs_review else SILENT


def runs():
    """Every (case, period name, expectation) of the corpus."""
    for case in CASES:
        yield case, "CAL", case.cal
        yield case, "ACAD", case.acad
