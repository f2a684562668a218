"""Progress counted ahead of the municipal dashboard, and how fresh the count is.

Reading a municipality's control pairs through the pairs view costs a third of a second to
more than a second at 300 schools × 60 measures (55,800 pairs), too much for a page the
working group opens at every meeting. So a Celery task counts them once into `ProgressCell`
rows — one per (measure, school, year of the date), with `measures.progress`'s own states on
the day of the count — and the dashboard adds those up in the database in a few milliseconds.

Freshness. Every statement that changes what the pairs are made of (reports, control dates,
measures and their schools, roadmaps, designations, schools) writes the municipalities it
touched to `ProgressChange` (triggers of migration 0004, so bulk updates and imports are caught
too; an update of columns the pairs do not read is not a change). A count records the latest
change it includes; when the municipality has a later one, the page says so beside the time of
the count and queues a recount. Beat recounts what is
stale every ten minutes, and every municipality after midnight (the states depend on the day).
A count of another day, or one that lacks a roadmap the page shows, is never shown: the page
counts then and there (once).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Exists, Max, Min, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from measures.models import Roadmap
from measures.progress import OVERDUE, STATES, Progress, grouped_counts, pairs_for, state_condition
from monitoring.models import ProgressCell, ProgressChange, ProgressCount
from monitoring.selectors import approved_roadmaps
from schools.models import Municipality

logger = logging.getLogger(__name__)

# the advisory lock every change takes shared until its commit (migration 0004)
GENERATION_LOCK = 731500413
GENERATION_SQL = "SELECT COALESCE(MAX(id), 0) FROM monitoring_progresschange"
SETTLE_SECONDS = 2.0  # how long a count waits for changes in flight to commit
UNSETTLED = -1  # the generation of a count made while changes were in flight: always stale
RECOUNT_QUEUED_FOR = 300  # seconds a queued recount keeps others from being queued


def current_generation() -> int:
    """The latest change to what progress is counted from, anywhere."""
    with connection.cursor() as cursor:
        cursor.execute(GENERATION_SQL)
        return cursor.fetchone()[0]


def changed_since(generation: Any, municipality: Any) -> Exists:
    """Whether the municipality's progress changed after `generation` (expressions or
    values): a change of its own, or one whose municipality the trigger could not tell."""
    return Exists(
        ProgressChange.objects.filter(
            Q(municipality=municipality) | Q(municipality__isnull=True), id__gt=generation
        )
    )


def settled_generation(timeout: float = SETTLE_SECONDS) -> int | None:
    """The latest change at a moment when no change is between its statement and its commit:
    every change up to it is then visible to the statements that follow. None when changes
    kept coming for `timeout` seconds (a long import holds the lock until it commits). The lock
    is taken for one transaction, so it cannot outlive it."""
    deadline = time.monotonic() + timeout
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [GENERATION_LOCK])
            if cursor.fetchone()[0]:
                cursor.execute(GENERATION_SQL)
                return cursor.fetchone()[0]
        if time.monotonic() > deadline:
            return None
        time.sleep(0.02)


# the cell's columns as the grouped pairs name them, and as the table does
CELL_COLUMNS = {
    "roadmap": "roadmap_id", "section": "section_id", "measure": "measure_id",
    "school": "school_id", "year": "year", **{state: state for state in STATES},
    "first_overdue": "first_overdue", "overdue_report": "overdue_report_id",
    "any_report": "any_report_id",
}  # fmt: skip
CELL_KEY = ("measure_id", "school_id", "year")  # unique per municipality


def _store_cells(municipality_id: int, sql: str, params: tuple) -> None:
    """Make the municipality's cells those the query `sql` counts, touching only the cells
    that changed (a recount after one report rewrites one row, not 30,000: the table stays
    small between vacuums). Four statements."""
    table = ProgressCell._meta.db_table
    key = " AND ".join(f"n.{name} = c.{name}" for name in CELL_KEY)
    values = ", ".join(CELL_COLUMNS.values())
    same = (
        f"({', '.join(f'n.{name}' for name in CELL_COLUMNS.values())}) IS NOT DISTINCT FROM "
        f"({', '.join(f'c.{name}' for name in CELL_COLUMNS.values())})"
    )
    selected = ", ".join(f"q.{name} AS {column}" for name, column in CELL_COLUMNS.items())
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS pg_temp.counted_cells")
        cursor.execute(
            f"CREATE TEMPORARY TABLE counted_cells ON COMMIT DROP AS SELECT {selected} "
            f"FROM ({sql}) q",
            params,
        )
        cursor.execute("ANALYZE counted_cells")
        cursor.execute(
            f"DELETE FROM {table} c WHERE c.municipality_id = %s AND NOT EXISTS "
            f"(SELECT 1 FROM counted_cells n WHERE {key} AND {same})",
            [municipality_id],
        )
        cursor.execute(
            f"INSERT INTO {table} (municipality_id, {values}) SELECT %s, {values} "
            f"FROM counted_cells n WHERE NOT EXISTS (SELECT 1 FROM {table} c "
            f"WHERE c.municipality_id = %s AND {key})",
            [municipality_id, municipality_id],
        )


def count_progress(municipality: Municipality, on: date | None = None) -> ProgressCount:
    """Count the control pairs of the municipality's approved roadmaps into its cells on the
    day `on` (today), replacing the previous count, unless a count as new or newer was made
    meanwhile (several viewers after midnight count once). Several queries; one scan of the
    pairs."""
    on = on or timezone.localdate()
    started = time.monotonic()
    generation = settled_generation()
    counted_at = timezone.now()
    with transaction.atomic():
        count, created = ProgressCount.objects.select_for_update().get_or_create(
            municipality=municipality,
            defaults={"counted_at": counted_at, "counted_on": on, "generation": UNSETTLED},
        )
        roadmap_ids = list(approved_roadmaps([municipality.pk]).values_list("pk", flat=True))
        if not created and (
            count.counted_on > on
            or (
                count.counted_on == on
                and set(roadmap_ids) <= set(count.roadmaps)
                and generation is not None
                and count.generation >= generation
            )
        ):
            return count
        if roadmap_ids:
            overdue = state_condition(OVERDUE, on)
            rows = grouped_counts(
                pairs_for(roadmap_ids),
                ("roadmap", "section", "measure", "school"),
                on,
                keys={"year": ExtractYear("due_on")},
                first_overdue=Min("due_on", filter=overdue),
                overdue_report=Max("report", filter=overdue),
                any_report=Max("report"),
            )
            _store_cells(municipality.pk, *rows.query.sql_with_params())
        else:  # nothing approved: nothing to count
            ProgressCell.objects.filter(municipality=municipality).delete()
        count.counted_at = counted_at
        count.counted_on = on
        count.generation = UNSETTLED if generation is None else generation
        count.roadmaps = roadmap_ids
        count.seconds = round(time.monotonic() - started, 3)
        count.save()
    return count


def _recount_key(municipality_id: int) -> str:
    return f"progress-recount:{municipality_id}"


def request_recount(municipality_id: int) -> None:
    """Queue a recount of the municipality once the transaction commits, unless one is queued
    already. A cache or broker that cannot take it is logged: the page shows the count it has,
    and beat queues the recount later."""
    try:
        if not cache.add(_recount_key(municipality_id), 1, timeout=RECOUNT_QUEUED_FOR):
            return
    except Exception:
        logger.exception(
            "municipality %s: the progress recount could not be queued", municipality_id
        )
        return
    transaction.on_commit(lambda: _send_recount(municipality_id))


def _send_recount(municipality_id: int) -> None:
    from monitoring.tasks import recount_progress

    try:
        recount_progress.apply_async((municipality_id,), expires=RECOUNT_QUEUED_FOR)
    except Exception:
        logger.exception(
            "municipality %s: the progress recount could not be queued", municipality_id
        )
        cache.delete(_recount_key(municipality_id))


def recount(municipality_id: int) -> ProgressCount | None:
    """The task's work: count the municipality (None when it is gone)."""
    cache.delete(_recount_key(municipality_id))  # changes from now on queue another
    municipality = Municipality.objects.filter(pk=municipality_id).first()
    if municipality is None:
        return None
    return count_progress(municipality)


def queue_stale(on: date | None = None) -> list[int]:
    """Queue a recount of every municipality with an approved roadmap whose count is missing,
    of another day or older than a change of its own (beat, every ten minutes), and forget the
    changes every count includes. Returns the municipalities queued. Three queries and the
    queueing."""
    on = on or timezone.localdate()
    with_roadmaps = approved_roadmaps(Municipality.objects.values("pk")).values("municipality")
    municipalities = (
        Municipality.objects.filter(pk__in=with_roadmaps)
        .select_related("progress_count")
        .annotate(changed=changed_since(OuterRef("progress_count__generation"), OuterRef("pk")))
        .order_by("pk")
    )
    stale = []
    for municipality in municipalities:
        count = getattr(municipality, "progress_count", None)
        if count is None or count.counted_on != on or municipality.changed:
            stale.append(municipality.pk)
            request_recount(municipality.pk)
    oldest = ProgressCount.objects.aggregate(oldest=Min("generation"))["oldest"]
    if oldest is not None and oldest > 0:
        ProgressChange.objects.filter(id__lte=oldest).delete()
    return stale


def usable_count(
    municipality: Municipality, roadmaps: Iterable[Roadmap], on: date
) -> tuple[ProgressCount, bool]:
    """The count the dashboard shows for these roadmaps on `on`, and whether it may be stale
    (a recount is then queued). A count of another day, or without one of the roadmaps, is not
    shown: the municipality is counted now. One query when the count serves."""
    count = (
        ProgressCount.objects.filter(municipality=municipality)
        .annotate(changed=changed_since(OuterRef("generation"), OuterRef("municipality")))
        .first()
    )
    wanted = {roadmap.pk for roadmap in roadmaps}
    if count is None or count.counted_on != on or not wanted <= set(count.roadmaps):
        count = count_progress(municipality, on)
        stale = count.generation == UNSETTLED
    else:
        stale = count.changed or count.generation == UNSETTLED
    if stale:
        request_recount(municipality.pk)
    return count, stale


# --- Reading the cells --------------------------------------------------------------------


def cells_of(
    municipality: Municipality,
    roadmaps: Iterable[Roadmap],
    schools: QuerySet | None = None,
    year: int | None = None,
) -> QuerySet[ProgressCell]:
    """The counted cells of these roadmaps, of these schools (a school moved to another
    municipality since the count is left out), of pairs dated in this year."""
    cells = ProgressCell.objects.filter(
        municipality=municipality, roadmap__in=[roadmap.pk for roadmap in roadmaps]
    )
    if schools is not None:
        cells = cells.filter(school__in=schools.values("pk"))
    if year:
        cells = cells.filter(year=year)
    return cells


SUMS = {f"sum_{state}": Sum(state) for state in STATES}


def summed(
    cells: QuerySet[ProgressCell], fields: Iterable[str], **extra: Any
) -> QuerySet[ProgressCell]:
    """The cells added up per `fields` (the four counts as `sum_<state>`, `extra` beside)."""
    return cells.order_by().values(*fields).annotate(**SUMS, **extra)


def progress_of_row(row: dict[str, Any]) -> Progress:
    return Progress(**{state: row[f"sum_{state}"] or 0 for state in STATES})


def sums_by(cells: QuerySet[ProgressCell], *fields: str) -> dict[Any, Progress]:
    """The counts per value of `fields` (a tuple key when several). One query."""
    result = {}
    for row in summed(cells, fields):
        key = tuple(row[name] for name in fields) if len(fields) > 1 else row[fields[0]]
        result[key] = progress_of_row(row)
    return result


def place_cells(cells: QuerySet[ProgressCell]) -> QuerySet[ProgressCell]:
    """The cells added up per (measure, school) over the years: the grid's cells and the
    overdue list's rows, with the first overdue date and the report to open."""
    return summed(
        cells,
        ("measure", "school"),
        first_overdue=Min("first_overdue"),
        overdue_report=Max("overdue_report"),
        any_report=Max("any_report"),
    )


def overdue_places(cells: QuerySet[ProgressCell]) -> QuerySet[ProgressCell]:
    """`place_cells` of the (measure, school) with overdue dates, the longest overdue first;
    read from the cells with an overdue date only (their partial index), so the report to
    open is one of those years'."""
    return place_cells(cells.filter(overdue__gt=0)).order_by("first_overdue", "measure", "school")
