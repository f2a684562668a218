"""The demo's monitoring: each seed municipality's catalogue of indicators (those its seed states
plus the common ones of DOMAIN.md), targets for the demo's three years, the entry, interim and
final stages of those years, and the values of every school and of the municipality at each
stage already started by `today`.

The values tell a story, the same on every load (no randomness): in each municipality one
school improves steadily (in Черекский район it is the demo director's «СОШ № 1»), one
stagnates, one gets worse, a strong school stays ahead; the municipality's own indicators move
slowly towards their targets. Loading twice changes nothing: every row is found by its natural
key, and a value already as the demo says is not saved again.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

import pghistory
from django.contrib.auth.models import User

from monitoring.models import Indicator, IndicatorTarget, IndicatorValue, MonitoringStage
from monitoring.services import set_value
from schools.models import Municipality, School

if TYPE_CHECKING:
    from measures.demo.seeds import LoadSummary

# DOMAIN.md «Monitoring indicators»: every municipality's catalogue has these
COMMON = [
    "approved_programmes_share",
    "gia_gap_pp",
    "events_participation_growth",
    "satisfied_share",
    "teachers_trained_share",
    "vpr_marks_confirmed_share",
    "measures_on_time_share",
    "unobjective_schools_count",
    "effective_mode_programme",
]
# the target of each year of the demo (oldest first)
TARGETS = {
    "approved_programmes_share": ("100", "100", "100"),
    "gia_gap_pp": ("13.8", "13.5", "13.2"),
    "events_participation_growth": ("5", "5", "5"),
    "satisfied_share": ("90", "90", "90"),
    "teachers_trained_share": ("100", "100", "100"),
    "vpr_marks_confirmed_share": ("70", "70", "70"),
    "measures_on_time_share": ("90", "90", "90"),
    "unobjective_schools_count": ("0", "0", "0"),
    "effective_mode_programme": ("1", "1", "1"),
    "deficit_diagnosed_teachers_share": ("100", "100", "100"),
    "regional_events_participation_share": ("100", "100", "100"),
}
MONTHS = [
    "январь", "февраль", "март", "апрель", "май", "июнь",
    "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
]  # fmt: skip

# the stages' windows in a year, and the day of the window the values are measured on
KINDS = MonitoringStage.Kind


def _window(kind: str, year: int) -> tuple[date, date, date]:
    if kind == KINDS.ENTRY:
        last = calendar.monthrange(year, 2)[1]
        return date(year, 2, 1), date(year, 2, last), date(year, 2, 12)
    if kind == KINDS.INTERIM:
        return date(year, 6, 1), date(year, 6, 20), date(year, 6, 9)
    return date(year, 10, 1), date(year, 11, 30), date(year, 10, 22)


# a school's story: how far it moves at each stage, as a share of its indicator's step
STORIES = {"improves": Decimal(1), "stagnates": Decimal("0.1"), "worsens": Decimal("-0.6")}
# the schools of each seed in the seed's order: their story and how far ahead they start
SCHOOL_STORIES = [
    ("improves", Decimal(0)),
    ("stagnates", Decimal(4)),
    ("worsens", Decimal(6)),
    ("strong", Decimal(14)),
]
WIGGLE = [Decimal(0), Decimal("0.6"), Decimal("-0.4"), Decimal("0.3"), Decimal("-0.2")]


@dataclass(frozen=True)
class Course:
    """A school-level indicator's course: where a weak school starts, its step per stage when
    improving, and whether it only grows (a share of teachers trained does not fall)."""

    start: Decimal
    step: Decimal
    grows_only: bool = False


COURSES = {
    "deficit_diagnosed_teachers_share": Course(Decimal(20), Decimal(9), grows_only=True),
    "teachers_trained_share": Course(Decimal(30), Decimal(8), grows_only=True),
    "satisfied_share": Course(Decimal(76), Decimal("1.6")),
    "vpr_marks_confirmed_share": Course(Decimal(52), Decimal("2.7")),
}
# the municipality's own values at the nine stages (the first municipality's; the others are
# shifted a little so that they differ)
MUNICIPAL = {
    "approved_programmes_share": [50, 60, 75, 75, 85, 100, 100, 100, 100],
    "gia_gap_pp": ["14.6", "14.4", "14.3", "14.1", "13.9", "13.8", "13.6", "13.4", "13.1"],
    "events_participation_growth": ["2.1", "3.4", "4.0", "3.8", "4.9", "5.3", "5.1", "5.8", "6.2"],
    "measures_on_time_share": [72, 78, 81, 80, 85, 88, 87, 90, 92],
    "unobjective_schools_count": [3, 3, 2, 2, 2, 1, 1, 1, 0],
    "regional_events_participation_share": [
        "33.33", "66.67", "66.67", "66.67", "100", "100", "100", "100", "100",
    ],
}  # fmt: skip
SOURCES = {
    "deficit_diagnosed_teachers_share": "ЦНППМ, диагностика дефицитов, {month} {year}",
    "teachers_trained_share": "Отчёт школы о повышении квалификации, {month} {year}",
    "satisfied_share": "Анкетирование родителей и обучающихся, {month} {year}",
    "vpr_marks_confirmed_share": "ФИС ОКО, ВПР-{vpr_year}",
    "effective_mode_programme": "Приказ школы об утверждении программы; ФИС ОКО, {month} {year}",
    "approved_programmes_share": "Мониторинг МОУО, {month} {year}",
    "gia_gap_pp": "РЦОИ, результаты ГИА-{gia_year}",
    "events_participation_growth": "Мониторинг МОУО: участие в мероприятиях, {month} {year}",
    "measures_on_time_share": "Портал дорожных карт: выполнение в срок, {month} {year}",
    "unobjective_schools_count": "ФИС ОКО, признаки необъективности, ВПР-{vpr_year}",
    "regional_events_participation_share": "Отчёт ЦНППМ об участии школ, {month} {year}",
}  # fmt: skip
# who enters the values of each seed municipality in the demo (its coordinator)
ENTERED_BY = {
    "Черекский муниципальный район": "koordinator",
    "Светлогорский городской округ": "grechkina",
}


def load_monitoring(
    seeds: list[tuple[Municipality, list[School]]],
    indicators: dict[str, dict[str, Any]],
    indicator: Any,
    today: date,
    summary: LoadSummary,
) -> None:
    """The catalogue, targets, stages and values of each seed municipality (`seeds`: the
    municipality and its schools in the seed's order); `indicator` makes or finds one
    indicator from its catalogue row (seeds._indicator)."""
    years = [today.year - 2, today.year - 1, today.year]
    users = {
        u.username: u
        for u in User.objects.filter(username__in=["koordinator", "grechkina", "direktor"])
    }
    director_school = School.objects.filter(appointments__user__username="direktor").first()
    for number, (municipality, schools) in enumerate(seeds):
        codes = [
            *Indicator.objects.filter(municipality=municipality).values_list("code", flat=True)
        ]
        codes += [code for code in COMMON if code not in codes]
        catalogue = [indicator(municipality, indicators[code]) for code in codes]
        for item in catalogue:
            for year, target in zip(years, TARGETS.get(item.code, ()), strict=False):
                IndicatorTarget.objects.get_or_create(
                    indicator=item, year=year, defaults={"target": Decimal(target)}
                )
        stages = []
        for year in years:
            for kind in (KINDS.ENTRY, KINDS.INTERIM, KINDS.FINAL):
                starts_on, ends_on, _day = _window(kind, year)
                stage, _ = MonitoringStage.objects.get_or_create(
                    municipality=municipality,
                    kind=kind,
                    year=year,
                    defaults={"starts_on": starts_on, "ends_on": ends_on},
                )
                stages.append(stage)
        coordinator = users.get(ENTERED_BY.get(municipality.name, ""))
        for step, stage in enumerate(stages):
            if stage.starts_on > today:
                continue
            measured_on = min(_window(stage.kind, stage.year)[2], stage.ends_on, today)
            for item in catalogue:
                if item.level == Indicator.Level.MUNICIPALITY:
                    value = _municipal_value(item.code, step, number, len(schools))
                    if value is not None:
                        _save(item, stage, None, value, measured_on, coordinator)
                    continue
                for position, school in enumerate(schools):
                    value = _school_value(item.code, step, position)
                    if value is None:
                        continue
                    who = users.get("direktor") if school == director_school else coordinator
                    _save(item, stage, school, value, measured_on, who)
        summary.indicators += len(catalogue)
        summary.stages += len(stages)
    summary.values = IndicatorValue.objects.filter(
        municipality__in=[m for m, _schools in seeds]
    ).count()


def _save(
    item: Indicator,
    stage: MonitoringStage,
    school: School | None,
    value: Decimal,
    measured_on: date,
    user: User | None,
) -> None:
    month = MONTHS[measured_on.month - 1]
    source = SOURCES.get(item.code, "").format(
        month=month,
        year=measured_on.year,
        vpr_year=stage.year if stage.kind != KINDS.ENTRY else stage.year - 1,
        gia_year=stage.year - 1,
    )
    with pghistory.context(user=user.pk if user else None):
        set_value(
            user=user,
            indicator=item,
            stage=stage,
            school=school,
            value=value,
            source=source,
            measured_on=measured_on,
        )


def _round(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP).quantize(Decimal("0.01"))


def _school_value(code: str, step: int, position: int) -> Decimal | None:
    """The value of the school at `position` of its seed at the `step`-th stage."""
    story, ahead = SCHOOL_STORIES[position % len(SCHOOL_STORIES)]
    if code == "effective_mode_programme":
        # the improving school approved its programme in the second year; the strong one had
        # one from the start; the others have not
        return Decimal(1 if story == "strong" or (story == "improves" and step >= 3) else 0)
    course = COURSES.get(code)
    if course is None:
        return None
    pace = STORIES.get(story, Decimal("0.3"))
    if course.grows_only:
        pace = max(pace, Decimal("0.15"))
    value = course.start + ahead + course.step * pace * step + WIGGLE[(step + position) % 5]
    return _round(min(max(value, Decimal(0)), Decimal(100)))


def _municipal_value(code: str, step: int, number: int, schools: int) -> Decimal | None:
    """The municipality's own value at the `step`-th stage; `number`: the seed's place."""
    course = MUNICIPAL.get(code)
    if course is None:
        return None
    value = Decimal(str(course[step]))
    if code == "unobjective_schools_count":
        return Decimal(min(int(value), schools))
    if code == "gia_gap_pp":
        return _round(value + Decimal("1.3") * number)
    if code in {"approved_programmes_share", "regional_events_participation_share"}:
        return value.quantize(Decimal("0.01"))
    if code == "events_participation_growth":
        return _round(value - Decimal("0.7") * number)
    return _round(min(value - 3 * number, Decimal(100)))
