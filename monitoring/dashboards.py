"""The dashboards the working group meets over: is the plan carried out, do the results move.

Every figure comes from the database in a fixed number of queries (pinned by tests at two
data sizes). Each table is built once as a `Table`: its `items` are what the page shows, its
`rows` what the XLSX export holds, so the two never disagree.

Progress is `measures.progress` itself: the same pairs, states and counts as the roadmap page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from measures.models import Measure, Report, Roadmap, Section
from measures.progress import (
    LATE,
    NOT_DUE,
    ON_TIME,
    OVERDUE,
    STATE_LABELS,
    Progress,
    grouped_progress,
    pairs_for,
    roadmap_progress,
)
from monitoring import counting
from monitoring.aggregates import Gap, decile_gaps, designation_flow, stage_points
from monitoring.models import (
    Indicator,
    IndicatorTarget,
    MonitoringStage,
    ProgressCell,
    ProgressCount,
)
from monitoring.selectors import approved_roadmaps
from monitoring.values import format_value, share_text
from schools.models import DESIGNATION_SHORT, Municipality, Region, School, SchoolDesignation

GRID_SCHOOLS_PER_PAGE = 40  # rows of the school × measure grid on one page
OVERDUE_ON_PAGE = 50  # the export holds them all
SCHOOLS_ON_PAGE = 50  # the schools table's rows on the page: the lowest progress first

# a cell of the grid: the worst state of the school's control dates of the measure, with a
# sign that reads without colour
CELL_SIGNS = {OVERDUE: "✗", NOT_DUE: "○", LATE: "◐", ON_TIME: "✓"}
WORST_FIRST = (OVERDUE, NOT_DUE, LATE, ON_TIME)


def worst_state(progress: Progress) -> str:
    """The worst state among some control pairs: what a grid cell or a school's row shows
    («срок не наступил» when none is counted)."""
    return next((s for s in WORST_FIRST if getattr(progress, s)), NOT_DUE)


def report_status_text(status: str | None) -> str:
    """A report's state as the tables write it; «нет» without a report."""
    statuses = dict(Report.Status.choices)
    return str(statuses.get(status, "")) if status else _("нет")


@dataclass
class Table:
    """A table of a dashboard: `headers` and `rows` (plain values) are the XLSX export,
    `items` what the page shows (richer objects, same order)."""

    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    items: list[Any] = field(default_factory=list)
    count: int = 0  # the items before the page kept only its first ones (all are in `rows`)


# --- Roadmaps ------------------------------------------------------------------------------


def roadmap_label(roadmap: Roadmap) -> str:
    """«2026 · План мероприятий («дорожная карта») по работе с…»: the years first, they tell
    a municipality's roadmaps apart."""
    start, end = roadmap.starts_on.year, roadmap.ends_on.year
    years = str(start) if start == end else f"{start}–{end}"
    title = " ".join(roadmap.title.split())
    return f"{years} · {title[:70]}…" if len(title) > 70 else f"{years} · {title}"


def roadmap_in_force(roadmaps: list[Roadmap], on: date) -> Roadmap | None:
    """The roadmap whose period holds `on`, else the latest approved one."""
    for roadmap in roadmaps:
        if roadmap.starts_on <= on <= roadmap.ends_on:
            return roadmap
    return roadmaps[0] if roadmaps else None


def chosen_roadmaps(roadmaps: list[Roadmap], choice: str | None, on: date) -> list[Roadmap]:
    if choice == "all":
        return roadmaps
    if choice:
        return [r for r in roadmaps if str(r.pk) == choice]
    current = roadmap_in_force(roadmaps, on)
    return [current] if current else []


# --- Indicator charts ---------------------------------------------------------------------

CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 260, 70, 8


@dataclass
class Trend:
    """A small line chart of an indicator over stages: points, the target line, labels."""

    points: list[dict[str, str]]
    target_y: str | None
    path: str
    labels: list[tuple[str, str]]  # (stage, value) for the table alternative


def trend(
    indicator: Indicator,
    stages: list[MonitoringStage],
    values: dict[int, Decimal | None],
    target: Decimal | None,
) -> Trend | None:
    """The chart of `values` (by stage id) in stage order, scaled to the values and the
    target; None with fewer than one value. Coordinates are plain strings (no decimal comma)."""
    series = [(stage, values.get(stage.pk)) for stage in stages]
    known = [v for _, v in series if v is not None]
    if not known:
        return None
    low = min([*known, *([target] if target is not None else [])])
    high = max([*known, *([target] if target is not None else [])])
    if indicator.unit == Indicator.Unit.PERCENT:
        low, high = min(low, Decimal(0)), max(high, Decimal(100))
    span = (high - low) or Decimal(1)
    step = (CHART_WIDTH - 2 * CHART_PAD) / max(len(series) - 1, 1)

    def y(value: Decimal) -> str:
        ratio = float((value - low) / span)
        return f"{CHART_HEIGHT - CHART_PAD - ratio * (CHART_HEIGHT - 2 * CHART_PAD):.1f}"

    points, path = [], []
    for index, (stage, value) in enumerate(series):
        if value is None:
            continue
        x = f"{CHART_PAD + index * step:.1f}"
        points.append({"x": x, "y": y(value), "kind": stage.kind})
        path.append(f"{'M' if not path else 'L'}{x} {y(value)}")
    labels = [(stage.short, format_value(indicator.unit, value)) for stage, value in series]
    return Trend(points, y(target) if target is not None else None, " ".join(path), labels)


def indicator_gap_units() -> set[str]:
    """The units whose tenths of schools can be compared."""
    Unit = Indicator.Unit
    return {Unit.PERCENT, Unit.POINTS, Unit.COUNT, Unit.PERCENTAGE_POINTS}


def gap_text(indicator: Indicator, gap: Gap | None) -> dict[str, Any] | None:
    """The gap between the best and the worst tenth in the indicator's terms: the best is the
    higher tenth, or the lower one for «меньше — лучше»; a gap of percentages is in
    percentage points."""
    if gap is None:
        return None
    best, worst = (
        (gap.bottom, gap.top)
        if indicator.direction == Indicator.Direction.LOWER
        else (gap.top, gap.bottom)
    )
    unit = (
        Indicator.Unit.PERCENTAGE_POINTS
        if indicator.unit == Indicator.Unit.PERCENT
        else (indicator.unit)
    )
    return {
        "text": format_value(unit, gap.gap),
        "best": format_value(indicator.unit, best),
        "worst": format_value(indicator.unit, worst),
        "schools": gap.schools,
        "value": gap.gap,
    }


def meets(indicator: Indicator, value: Decimal | None, target: Decimal | None) -> bool | None:
    """Whether the value reaches the target in the indicator's direction; None without one."""
    if value is None or target is None:
        return None
    if indicator.direction == Indicator.Direction.LOWER:
        return value <= target
    return value >= target


# --- The municipal dashboard --------------------------------------------------------------


@dataclass
class MunicipalDashboard:
    municipality: Municipality
    roadmaps: list[Roadmap]
    progress: Progress
    tables: dict[str, Table]
    grid_page: int
    grid_pages: int
    on: date
    count: ProgressCount | None = None  # the count the progress comes from
    stale: bool = False  # changes came since the count; a recount is queued

    overdue_shown_limit = OVERDUE_ON_PAGE
    schools_shown_limit = SCHOOLS_ON_PAGE

    @property
    def overdue_total(self) -> int:
        return self.progress.overdue

    @property
    def grid_page_numbers(self) -> range:
        return range(1, self.grid_pages + 1)


def _schools(
    municipality: Municipality, filters: dict[str, Any], years: tuple[int, int] | None
) -> QuerySet[School]:
    schools = School.objects.filter(municipality=municipality)
    if filters.get("school"):
        schools = schools.filter(pk=filters["school"])
    if filters.get("designation"):
        designated = SchoolDesignation.objects.filter(
            school=OuterRef("pk"), kind=filters["designation"]
        )
        if filters.get("year"):
            designated = designated.filter(year=filters["year"])
        elif years:
            designated = designated.filter(year__gte=years[0], year__lte=years[1])
        schools = schools.filter(Exists(designated))
    return schools.order_by("short_name")


def _designation_labels(municipality: Municipality, year: int | None) -> dict[int, list[str]]:
    rows = SchoolDesignation.objects.filter(school__municipality=municipality)
    if year:
        rows = rows.filter(year=year)
    labels: dict[int, set[str]] = {}
    for school, kind in rows.values_list("school", "kind"):
        labels.setdefault(school, set()).add(str(DESIGNATION_SHORT[kind]))
    return {school: sorted(kinds) for school, kinds in labels.items()}


@dataclass(frozen=True)
class Cell:
    """The control pairs of one measure and one school: their counts, the first overdue date,
    the report to open (an overdue one first)."""

    measure: int
    school: int
    progress: Progress
    first_overdue: date | None
    report: int | None

    @property
    def state(self) -> str:
        """The worst state of the pairs: what the grid's cell shows."""
        return worst_state(self.progress)

    @classmethod
    def of_row(cls, row: dict[str, Any]) -> Cell:
        """A row of `counting.place_cells`."""
        return cls(row["measure"], row["school"], counting.progress_of_row(row),
                   row["first_overdue"], row["overdue_report"] or row["any_report"])  # fmt: skip


def progress_tables(
    roadmaps: list[Roadmap],
    schools: list[School],
    by_section: dict[tuple[int, int | None], Progress],
    by_school: dict[int, Progress],
    designations: dict[int, list[str]],
) -> tuple[Progress, Table, Table]:
    """The whole progress, and the tables by section and by school, from the counts per
    (roadmap, section) and per school. One query (the sections)."""
    total = sum(by_section.values(), Progress())
    sections = Section.objects.filter(roadmap__in=[r.pk for r in roadmaps]).order_by(
        "roadmap", "position"
    )
    several = len(roadmaps) > 1
    sections_table = Table(
        "sections",
        _("Выполнение по разделам"),
        [_("Раздел"), *[str(STATE_LABELS[s]) for s in (ON_TIME, LATE, OVERDUE, NOT_DUE)],
         _("Всего"), _("Выполнено, %")],
    )  # fmt: skip
    titled = [(s.roadmap_id, s.pk, f"{s.number} {s.title}".strip()) for s in sections]
    if any(key[1] is None for key in by_section):
        titled.insert(0, (None, None, _("Мероприятия без раздела")))
    for roadmap_id, section_id, title in titled:
        matching = [
            p for (r, s), p in by_section.items() if s == section_id and (roadmap_id in (None, r))
        ]
        progress = sum(matching, Progress())
        if not progress.total:
            continue
        if several and roadmap_id is not None:
            year = next(r.starts_on.year for r in roadmaps if r.pk == roadmap_id)
            title = f"{title} ({year})"
        sections_table.items.append({"title": title, "progress": progress})
        sections_table.rows.append(_progress_cells(title, progress))
    schools_table = Table(
        "schools",
        _("Выполнение по школам"),
        [_("Школа"), _("Категории"),
         *[str(STATE_LABELS[s]) for s in (ON_TIME, LATE, OVERDUE, NOT_DUE)],
         _("Всего"), _("Выполнено, %")],
    )  # fmt: skip
    for school in schools:
        progress = by_school.get(school.pk)
        if progress is None:
            continue
        kinds = designations.get(school.pk, [])
        schools_table.items.append({"school": school, "designations": kinds, "progress": progress})
        row = _progress_cells(school.short_name, progress)
        schools_table.rows.append([row[0], ", ".join(kinds), *row[1:]])
    schools_table.items.sort(key=lambda item: (item["progress"].percent, item["school"].short_name))
    schools_table.count = len(schools_table.items)
    del schools_table.items[SCHOOLS_ON_PAGE:]  # the page shows the lowest; the export all
    schools_table.rows.sort(key=lambda row: (row[-1], row[0]))
    return total, sections_table, schools_table


def _progress_cells(title: str, progress: Progress) -> list[Any]:
    return [title, progress.on_time, progress.late, progress.overdue, progress.not_due,
            progress.total, progress.percent]  # fmt: skip


def roadmap_measures(roadmaps: list[Roadmap]) -> list[Measure]:
    """The measures of these roadmaps in print order. One query."""
    return list(
        Measure.objects.filter(roadmap__in=[r.pk for r in roadmaps])
        .select_related("section")
        .order_by("roadmap__starts_on", "roadmap", "section__position", "position")
        .only(
            "pk", "number", "title", "owners_text", "roadmap_id", "section__position",
            "section__number",
        )
    )  # fmt: skip


def grid_schools(schools: list[School], page: int, export: bool) -> tuple[list[School], int, int]:
    """The schools on a page of the grid (GRID_SCHOOLS_PER_PAGE of them; every one in the
    export), the page and the number of pages. No query."""
    pages = max((len(schools) + GRID_SCHOOLS_PER_PAGE - 1) // GRID_SCHOOLS_PER_PAGE, 1)
    page = min(max(page, 1), pages)
    if export:
        return schools, page, pages
    return schools[(page - 1) * GRID_SCHOOLS_PER_PAGE :][:GRID_SCHOOLS_PER_PAGE], page, pages


def grid_table(measures: list[Measure], shown: list[School], cells: Iterable[Cell]) -> Table:
    """The school × measure grid: each cell the worst state of the school's control dates of
    the measure (a sign and a word, the colour only helps) and the report to open. No query."""
    labels = {state: str(label) for state, label in STATE_LABELS.items()}
    by_place = {}
    for cell in cells:
        state = cell.state
        by_place[(cell.school, cell.measure)] = {
            "state": state,
            "sign": CELL_SIGNS[state],
            "label": labels[state],
            "report": cell.report,
        }
    numbers = [m.number or str(index) for index, m in enumerate(measures, start=1)]
    table = Table(
        "grid",
        _("Школы × мероприятия"),
        [_("Школа"), *numbers],
    )
    table.items = [{"measure": m, "number": n} for m, n in zip(measures, numbers, strict=True)]
    table.grid_rows = []
    for school in shown:
        row_cells = [by_place.get((school.pk, m.pk)) for m in measures]
        if not any(row_cells):
            continue
        table.grid_rows.append({"school": school, "cells": row_cells})
        table.rows.append([school.short_name, *[c["label"] if c else "—" for c in row_cells]])
    return table


def overdue_table(
    measures: list[Measure], schools: list[School], cells: Iterable[Cell], on: date
) -> Table:
    """Measures overdue at a school, the longest late first (`cells` in that order): measure,
    owners, school, the first overdue date, days late, how many of its dates are overdue, the
    report. One query (the reports' states)."""
    measure_of = {m.pk: m for m in measures}
    school_of = {s.pk: s for s in schools}
    # a measure or school gone since the count is left out (the next count drops it)
    overdue = [c for c in cells if c.measure in measure_of and c.school in school_of]
    report_status = dict(
        Report.objects.filter(pk__in=[c.report for c in overdue if c.report]).values_list(
            "pk", "status"
        )
    )
    table = Table(
        "overdue",
        _("Просроченные контрольные сроки"),
        [_("№"), _("Мероприятие"), _("Ответственные"), _("Школа"), _("Срок"),
         _("Дней просрочки"), _("Просрочено сроков"), _("Отчёт")],
    )  # fmt: skip
    for cell in overdue:
        measure, school = measure_of[cell.measure], school_of[cell.school]
        days = (on - cell.first_overdue).days
        status = report_status_text(report_status.get(cell.report))
        table.items.append({
            "measure": measure, "school": school, "due_on": cell.first_overdue, "days": days,
            "count": cell.progress.overdue, "report": cell.report, "status": status,
        })  # fmt: skip
        table.rows.append([
            measure.number, measure.title, measure.owners_text, school.short_name,
            cell.first_overdue.strftime("%d.%m.%Y"), days, cell.progress.overdue, str(status),
        ])  # fmt: skip
    return table


def indicator_table(
    municipality: Municipality,
    filters: dict[str, Any],
    school_ids: list[int] | None,
    on: date,
) -> Table:
    """Each indicator against its target: the value at the chosen (else latest) stage of the
    year, the trend over stages and years, the gap between the best and worst tenths of
    schools. Four queries (indicators, targets, stages, points) and one for the gaps."""
    indicators = list(Indicator.objects.filter(municipality=municipality).order_by("code"))
    targets = {
        (t.indicator_id, t.year): t.target
        for t in IndicatorTarget.objects.filter(indicator__municipality=municipality)
    }
    stages = list(
        MonitoringStage.objects.filter(municipality=municipality, starts_on__lte=on).order_by(
            "year", "starts_on"
        )
    )
    if filters.get("year"):
        stages = [s for s in stages if s.year <= filters["year"]]
    points = stage_points([municipality.pk], school_ids=school_ids)
    chosen = [s for s in stages if not filters.get("stage") or s.kind == filters["stage"]]
    # each indicator's stage: the latest chosen one with a value
    current_of = {
        indicator.pk: next(
            (
                s
                for s in reversed(chosen)
                if (point := points.get((indicator.pk, s.pk))) and point.value is not None
            ),
            None,
        )
        for indicator in indicators
    }
    gaps = (
        decile_gaps(
            [municipality.pk],
            school_ids=school_ids,
            stage_ids={stage.pk for stage in current_of.values() if stage},
        )
        if not filters.get("school")
        else {}
    )
    table = Table(
        "indicators",
        _("Показатели и цели"),
        [_("Код"), _("Показатель"), _("Ед."), _("Базовое"), _("Цель"), _("Этап"),
         _("Значение"), _("Цель достигнута"), _("Разрыв 10 % лучших и худших")],
    )  # fmt: skip
    for indicator in indicators:
        values = {
            stage.pk: point.value
            for stage in stages
            if (point := points.get((indicator.pk, stage.pk))) is not None
        }
        current = current_of[indicator.pk]
        year = filters.get("year") or (current.year if current else on.year)
        target = targets.get((indicator.pk, year))
        value = values.get(current.pk) if current else None
        gap = gaps.get((indicator.pk, current.pk)) if current else None
        if indicator.unit not in indicator_gap_units():
            gap = None  # a tenth of yes/no answers says nothing
        reached = meets(indicator, value, target)
        unit = indicator.get_unit_display()
        item = {
            "indicator": indicator,
            "year": year,
            "target": format_value(indicator.unit, target),
            "baseline": format_value(indicator.unit, indicator.baseline),
            "stage": current.short if current else "—",
            "value": share_text(indicator.unit, value)
            if indicator.level == Indicator.Level.SCHOOL
            else format_value(indicator.unit, value),
            "reached": reached,
            "gap": gap_text(indicator, gap),
            "trend": trend(indicator, stages, values, target),
        }
        table.items.append(item)
        table.rows.append([
            indicator.code, indicator.title, unit, item["baseline"], item["target"],
            item["stage"], item["value"],
            {True: _("да"), False: _("нет"), None: "—"}[reached],
            item["gap"]["text"] if item["gap"] else "—",
        ])  # fmt: skip
    return table


def designation_table(municipality: Municipality, filters: dict[str, Any]) -> Table:
    """Designations per year: how many schools of each kind, how many new, how many left the
    list (for the low-result list, the answer to «does the plan work»). One query."""
    kinds = [filters["designation"]] if filters.get("designation") else None
    flow = {
        (year, kind): counts
        for (_place, year, kind), counts in designation_flow([municipality.pk], kinds).items()
    }
    table = Table(
        "designations",
        _("Категории школ по годам"),
        [_("Год"), _("Категория"), _("Школ"), _("Впервые"), _("Вышли из списка")],
    )
    order = {kind: index for index, kind in enumerate(SchoolDesignation.Kind.values)}
    for (year, kind), counts in sorted(flow.items(), key=lambda i: (i[0][0], order[i[0][1]])):
        if filters.get("year") and year != filters["year"]:
            continue
        label = str(DESIGNATION_SHORT[kind])
        table.items.append({"year": year, "kind": kind, "label": label, "flow": counts})
        table.rows.append([year, label, counts.designated, counts.new, counts.left])
    return table


def filter_options(municipality: Municipality) -> tuple[list[Roadmap], list[int], list[School]]:
    """What the filters offer: approved roadmaps, years (of stages and roadmaps), schools.
    Three queries."""
    roadmaps = list(approved_roadmaps([municipality.pk]))
    years = set(
        MonitoringStage.objects.filter(municipality=municipality).values_list("year", flat=True)
    )
    for roadmap in roadmaps:
        years.update(range(roadmap.starts_on.year, roadmap.ends_on.year + 1))
    schools = list(School.objects.filter(municipality=municipality).order_by("short_name"))
    return roadmaps, sorted(years), schools


def municipal_dashboard(
    municipality: Municipality,
    roadmaps_offered: list[Roadmap],
    filters: dict[str, Any],
    *,
    grid_page: int = 1,
    only: str | None = None,
    on: date | None = None,
) -> MunicipalDashboard:
    """The municipal dashboard for these filters (`only`: build just that table, for an
    export). Progress comes from the municipality's count (`monitoring.counting`), added up
    in the database per section, per school, per cell of the grid's page and of the overdue
    list."""
    on = on or timezone.localdate()
    roadmaps = chosen_roadmaps(roadmaps_offered, filters.get("roadmap"), on)
    years = (
        (min(r.starts_on.year for r in roadmaps), max(r.ends_on.year for r in roadmaps))
        if roadmaps
        else None
    )
    schools_qs = _schools(municipality, filters, years)
    schools = list(schools_qs)
    wanted: Callable[[str], bool] = lambda key: only is None or only == key  # noqa: E731
    tables: dict[str, Table] = {}
    total = Progress()
    pages, page = 1, 1
    count, stale = None, False
    if any(wanted(key) for key in ("sections", "schools", "grid", "overdue")):
        if roadmaps:
            count, stale = counting.usable_count(municipality, roadmaps, on)
            cells = counting.cells_of(municipality, roadmaps, schools_qs, filters.get("year"))
        else:  # nothing approved: empty tables, no count
            cells = ProgressCell.objects.none()
        by_school = counting.sums_by(cells, "school")
        total, tables["sections"], tables["schools"] = progress_tables(
            roadmaps,
            schools,
            counting.sums_by(cells, "roadmap", "section"),
            by_school,
            _designation_labels(municipality, filters.get("year")),
        )
        measures = roadmap_measures(roadmaps) if wanted("grid") or wanted("overdue") else []
        if wanted("grid"):
            with_pairs = [school for school in schools if school.pk in by_school]
            shown, page, pages = grid_schools(with_pairs, grid_page, export=only == "grid")
            place_rows = counting.place_cells(
                cells.filter(school__in=[s.pk for s in shown])
                if len(shown) < len(with_pairs) else cells
            )  # fmt: skip
            tables["grid"] = grid_table(measures, shown, map(Cell.of_row, place_rows))
        if wanted("overdue"):
            rows = counting.overdue_places(cells)
            if only != "overdue":
                rows = rows[:OVERDUE_ON_PAGE]
            tables["overdue"] = overdue_table(measures, schools, map(Cell.of_row, rows), on)
    if wanted("indicators"):
        school_ids = (
            [s.pk for s in schools] if filters.get("school") or filters.get("designation") else None
        )
        tables["indicators"] = indicator_table(municipality, filters, school_ids, on)
    if wanted("designations"):
        tables["designations"] = designation_table(municipality, filters)
    return MunicipalDashboard(
        municipality, roadmaps, total, tables, page, pages, on, count=count, stale=stale
    )


TABLE_KEYS = ("sections", "schools", "grid", "overdue", "indicators", "designations")


# --- The region's dashboard ---------------------------------------------------------------

ATTENTION_OVERDUE_PERCENT = 20  # a municipality with this share of pairs overdue needs a look


@dataclass
class RegionDashboard:
    region: Region
    year: int
    tables: dict[str, Table]
    on: date


def _roadmap_for_year(roadmaps: list[Roadmap], year: int | None, on: date) -> Roadmap | None:
    if year is None:
        return roadmap_in_force(roadmaps, on)
    for roadmap in roadmaps:  # newest first
        if roadmap.starts_on.year <= year <= roadmap.ends_on.year:
            return roadmap
    return None


def region_dashboard(
    region: Region, filters: dict[str, Any], on: date | None = None
) -> RegionDashboard:
    """Each municipality of the region: its roadmap of the year and its progress, how many
    indicators reach their targets, the low-result list of the year and who left it; ranked by
    progress, those that need attention first. Nine queries, whatever the region's size."""
    on = on or timezone.localdate()
    year = filters.get("year") or on.year
    municipalities = list(Municipality.objects.filter(region=region).order_by("name"))
    keys = [m.pk for m in municipalities]
    by_municipality: dict[int, list[Roadmap]] = {}
    for roadmap in approved_roadmaps(keys):
        by_municipality.setdefault(roadmap.municipality_id, []).append(roadmap)
    chosen = {
        key: _roadmap_for_year(by_municipality.get(key, []), filters.get("year"), on)
        for key in keys
    }
    progress = roadmap_progress([r.pk for r in chosen.values() if r], on)
    indicators = list(Indicator.objects.filter(municipality__in=keys))
    targets = {
        t.indicator_id: t.target
        for t in IndicatorTarget.objects.filter(indicator__municipality__in=keys, year=year)
    }
    stages = list(
        MonitoringStage.objects.filter(
            municipality__in=keys, starts_on__lte=on, year__lte=year
        ).order_by("-year", "-starts_on")
    )
    if filters.get("stage"):
        stages = [s for s in stages if s.kind == filters["stage"]]
    points = stage_points(keys)
    kind = filters.get("designation") or SchoolDesignation.Kind.LOW_RESULTS
    flows = designation_flow(keys, [kind])
    met: dict[int, list[int]] = {key: [0, 0] for key in keys}  # reached, known
    for indicator in indicators:
        latest = next(
            (
                points[(indicator.pk, s.pk)].value
                for s in stages
                if s.municipality_id == indicator.municipality_id
                and (indicator.pk, s.pk) in points
                and points[(indicator.pk, s.pk)].value is not None
            ),
            None,
        )
        reached = meets(indicator, latest, targets.get(indicator.pk))
        if reached is not None:
            met[indicator.municipality_id][1] += 1
            met[indicator.municipality_id][0] += int(reached)
    rows = []
    for municipality in municipalities:
        roadmap = chosen[municipality.pk]
        done = progress.get(roadmap.pk, Progress()) if roadmap else Progress()
        flow = flows.get((municipality.pk, year, kind))
        reached, known = met[municipality.pk]
        reasons = []
        if roadmap is None:
            reasons.append(_("нет утверждённой дорожной карты на %(year)s год") % {"year": year})
        elif done.total and done.overdue_percent >= ATTENTION_OVERDUE_PERCENT:
            reasons.append(_("просрочено %(share)s %% сроков") % {"share": done.overdue_percent})
        if known and reached * 2 < known:
            reasons.append(_("цели достигнуты по %(met)s из %(known)s показателей") % {
                "met": reached, "known": known,
            })  # fmt: skip
        if (
            flow
            and flow.designated
            and not flow.left
            and not flow.new
            and year > min((y for p, y, _k in flows if p == municipality.pk), default=year)
        ):
            reasons.append(_("список «%(kind)s» не сократился") % {"kind": DESIGNATION_SHORT[kind]})
        rows.append({
            "municipality": municipality, "roadmap": roadmap, "progress": done,
            "met": reached, "known": known, "flow": flow, "reasons": reasons,
        })  # fmt: skip
    ranked = sorted(rows, key=lambda r: (-r["progress"].percent, r["progress"].overdue))
    for place, row in enumerate(ranked, start=1):
        row["rank"] = place
    rows.sort(key=lambda r: (-len(r["reasons"]), r["progress"].percent, r["municipality"].name))
    table = Table(
        "municipalities",
        _("Муниципалитеты региона"),
        [_("Муниципалитет"), _("Место по выполнению"), _("Дорожная карта"),
         _("Выполнено, %"), _("В срок"), _("С опозданием"), _("Просрочено"),
         _("Срок не наступил"), _("Цели достигнуты"),
         _("Школ «%(kind)s»") % {"kind": DESIGNATION_SHORT[kind]}, _("Вышли из списка"),
         _("Требует внимания")],
    )  # fmt: skip
    for row in rows:
        done, flow = row["progress"], row["flow"]
        table.items.append(row)
        table.rows.append([
            row["municipality"].name, row["rank"],
            roadmap_label(row["roadmap"]) if row["roadmap"] else "—",
            done.percent, done.on_time, done.late, done.overdue, done.not_due,
            f"{row['met']} / {row['known']}" if row["known"] else "—",
            flow.designated if flow else 0, flow.left if flow else 0,
            "; ".join(str(r) for r in row["reasons"]),
        ])  # fmt: skip
    return RegionDashboard(region, year, {"municipalities": table}, on)


REGION_TABLE_KEYS = ("municipalities",)


def region_years(region: Region) -> list[int]:
    """The years the region's filter offers: of its roadmaps, its stages, and this one. Two
    queries."""
    years = {timezone.localdate().year}
    years.update(
        MonitoringStage.objects.filter(municipality__region=region).values_list("year", flat=True)
    )
    for starts_on, ends_on in approved_roadmaps(
        Municipality.objects.filter(region=region).values_list("pk", flat=True)
    ).values_list("starts_on", "ends_on"):
        years.update(range(starts_on.year, ends_on.year + 1))
    return sorted(years)


# --- A school's dashboard -----------------------------------------------------------------


def school_measures(
    school: School, on: date | None = None
) -> tuple[Progress, list[Roadmap], Table]:
    """The school's control dates in the roadmaps in force (else the latest approved) of its
    municipality: each with its measure, date, state and report, the overdue first; and the
    school's progress over them (the numbers of the municipal dashboard's school row). Three
    queries."""
    on = on or timezone.localdate()
    roadmaps = chosen_roadmaps(list(approved_roadmaps([school.municipality_id])), None, on)
    pairs = pairs_for([r.pk for r in roadmaps], [school.pk])
    rows = grouped_progress(
        pairs,
        ("occurrence", "measure__number", "measure__title", "measure__owners_text", "due_on",
         "report", "report_status", "roadmap"),
        on,
    )  # fmt: skip
    table = Table(
        "measures",
        _("Контрольные сроки школы"),
        [_("№"), _("Мероприятие"), _("Ответственные"), _("Срок"), _("Состояние"),
         _("Дней просрочки"), _("Отчёт")],
    )  # fmt: skip
    order = {state: index for index, state in enumerate(WORST_FIRST)}
    items = []
    total = Progress()
    for row, progress in rows:
        total += progress
        state = worst_state(progress)
        days = (on - row["due_on"]).days if state == OVERDUE else None
        status = report_status_text(row["report_status"])
        items.append({**row, "state": state, "label": STATE_LABELS[state],
                      "sign": CELL_SIGNS[state], "days": days, "status": status})  # fmt: skip
    items.sort(key=lambda i: (order[i["state"]], i["due_on"]))
    for item in items:
        table.items.append(item)
        table.rows.append([
            item["measure__number"], item["measure__title"], item["measure__owners_text"],
            item["due_on"].strftime("%d.%m.%Y"), str(item["label"]), item["days"] or "",
            str(item["status"]),
        ])  # fmt: skip
    return total, roadmaps, table
