"""The figures the dashboards show about indicators, made in the database: one query each,
whatever the number of schools.

- `stage_points`: per indicator and stage, the municipality's figure (its own value for a
  municipality-level indicator, the average over schools otherwise) and how many schools it
  stands on;
- `decile_gaps`: per indicator and stage, the gap between the average of the best 10 % of
  schools and of the worst 10 % (only where at least ten schools have values);
- `designation_flow`: per year and kind, how many schools are designated, how many were newly
  designated, and how many of the year before left the list."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import Avg, Count, Max, Q

from monitoring.models import IndicatorValue
from schools.models import SchoolDesignation

MIN_SCHOOLS_FOR_GAP = 10


@dataclass(frozen=True)
class Point:
    """The municipality's figure of an indicator at a stage."""

    indicator_id: int
    stage_id: int
    value: Decimal | None
    schools: int


def stage_points(
    municipality_ids: Iterable[int],
    indicator_ids: Iterable[int] | None = None,
    school_ids: Iterable[int] | None = None,
) -> dict[tuple[int, int], Point]:
    """`{(indicator_id, stage_id): Point}` of these municipalities (an indicator belongs to
    one): the municipality-level value where there is one, else the average of the schools'
    values (of `school_ids` when given). One query."""
    rows = IndicatorValue.objects.filter(municipality__in=list(municipality_ids))
    if indicator_ids is not None:
        rows = rows.filter(indicator__in=list(indicator_ids))
    school_filter = Q(school__isnull=False)
    if school_ids is not None:
        school_filter &= Q(school__in=list(school_ids))
    rows = (
        rows.order_by()
        .values("indicator", "stage")
        .annotate(
            own=Max("value", filter=Q(school__isnull=True)),
            average=Avg("value", filter=school_filter),
            schools=Count("pk", filter=school_filter),
        )
    )
    result = {}
    for row in rows:
        value = row["own"] if row["own"] is not None else row["average"]
        if value is not None:
            value = Decimal(value).quantize(Decimal("0.01"))
        key = (row["indicator"], row["stage"])
        result[key] = Point(row["indicator"], row["stage"], value, row["schools"])
    return result


DECILE_GAPS = """
WITH ranked AS (
    SELECT indicator_id, stage_id, value,
           NTILE(10) OVER (PARTITION BY indicator_id, stage_id ORDER BY value) AS decile,
           COUNT(*) OVER (PARTITION BY indicator_id, stage_id) AS schools
      FROM monitoring_indicatorvalue
     WHERE municipality_id = ANY(%(municipalities)s) AND school_id IS NOT NULL
       AND (%(all_indicators)s OR indicator_id = ANY(%(indicators)s))
       AND (%(all_schools)s OR school_id = ANY(%(schools)s))
       AND (%(all_stages)s OR stage_id = ANY(%(stages)s))
)
SELECT indicator_id, stage_id,
       AVG(value) FILTER (WHERE decile = 10) AS top,
       AVG(value) FILTER (WHERE decile = 1) AS bottom,
       MAX(schools) AS schools
  FROM ranked
 WHERE schools >= %(min_schools)s
 GROUP BY indicator_id, stage_id
"""


@dataclass(frozen=True)
class Gap:
    top: Decimal  # the average of the 10 % highest values
    bottom: Decimal  # of the 10 % lowest
    schools: int

    @property
    def gap(self) -> Decimal:
        return self.top - self.bottom


def decile_gaps(
    municipality_ids: Iterable[int],
    indicator_ids: Iterable[int] | None = None,
    school_ids: Iterable[int] | None = None,
    stage_ids: Iterable[int] | None = None,
) -> dict[tuple[int, int], Gap]:
    """`{(indicator_id, stage_id): Gap}` over the schools' values (of `school_ids`, at
    `stage_ids` when given), where at least MIN_SCHOOLS_FOR_GAP schools have one. One
    query."""
    params = {
        "municipalities": list(municipality_ids),
        "all_indicators": indicator_ids is None,
        "indicators": list(indicator_ids) if indicator_ids is not None else [],
        "all_schools": school_ids is None,
        "schools": list(school_ids) if school_ids is not None else [],
        "all_stages": stage_ids is None,
        "stages": list(stage_ids) if stage_ids is not None else [],
        "min_schools": MIN_SCHOOLS_FOR_GAP,
    }
    with connection.cursor() as cursor:
        cursor.execute(DECILE_GAPS, params)
        rows = cursor.fetchall()
    places = Decimal("0.01")
    return {
        (indicator, stage): Gap(top.quantize(places), bottom.quantize(places), schools)
        for indicator, stage, top, bottom, schools in rows
    }


@dataclass(frozen=True)
class Flow:
    designated: int  # schools of the kind in the year
    new: int  # of them, not of the kind the year before
    left: int  # of the kind the year before, not in this year


def designation_flow(
    municipality_ids: Iterable[int], kinds: Iterable[str] | None = None
) -> dict[tuple[int, int, str], Flow]:
    """`{(municipality_id, year, kind): Flow}` for every year in which a municipality's
    registry holds designations, each compared with the year before it that holds some (a
    year nobody entered is unknown, not «everyone left»). One query: the designations' rows
    (a few per school) are compared here."""
    rows = SchoolDesignation.objects.filter(school__municipality__in=list(municipality_ids))
    schools: dict[tuple[int, int, str], set[int]] = {}
    for place, year, kind, school in rows.values_list(
        "school__municipality", "year", "kind", "school"
    ).order_by():
        schools.setdefault((place, year, kind), set()).add(school)
    result = {}
    for place in {key[0] for key in schools}:
        years = sorted({year for p, year, _ in schools if p == place})
        held = {kind for p, _, kind in schools if p == place}
        for kind in set(kinds) if kinds is not None else held:
            for previous, year in zip([None, *years], years, strict=False):
                these = schools.get((place, year, kind), set())
                before = schools.get((place, previous, kind), set()) if previous else set()
                if these or before:
                    flow = Flow(len(these), len(these - before), len(before - these))
                    result[(place, year, kind)] = flow
    return result
