"""Progress of roadmaps: the same number on every page, in the command and in reports.

Progress is counted over control pairs (a control date and a school it concerns: the view
`measures_controlpair`, model `ControlPair`). Only control dates count (`kind="due"`); the
quarterly notes of measures without dates are reviewed but are not progress. A pair on a day
`on` is

- выполнено в срок (`on_time`): the report is accepted, the outcome is «Выполнено», and it was
  submitted (in the local date of settings.TIME_ZONE) on or before the school's control date;
- выполнено с опозданием (`late`): accepted and done, submitted after that date;
- просрочено (`overdue`): not accepted-and-done, and the control date is before `on`;
- срок не наступил (`not_due`): otherwise.

The school's control date (`due_on` of the view) is already moved by an accepted postponement.
Every count is made in the database: a CASE expression gives the state and COUNT(... FILTER)
counts each, grouped by `values()` when a breakdown is asked for: one query per call."""

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from measures.models import ControlPair, Occurrence, Report, Roadmap

ON_TIME = "on_time"
LATE = "late"
OVERDUE = "overdue"
NOT_DUE = "not_due"
STATES = (ON_TIME, LATE, OVERDUE, NOT_DUE)
STATE_LABELS = {
    ON_TIME: _("выполнено в срок"),
    LATE: _("выполнено с опозданием"),
    OVERDUE: _("просрочено"),
    NOT_DUE: _("срок не наступил"),
}
GROUPINGS = ("roadmap", "section", "measure", "school")


def _share(part: int, total: int) -> int:
    """Percent of `total`, rounded half up; 0 of nothing is 0 %."""
    if total <= 0:
        return 0
    return (200 * part + total) // (2 * total)


@dataclass(frozen=True)
class Progress:
    """The four counts of control pairs; `total` and the percents follow from them."""

    on_time: int = 0
    late: int = 0
    overdue: int = 0
    not_due: int = 0

    @property
    def total(self) -> int:
        return self.on_time + self.late + self.overdue + self.not_due

    @property
    def done(self) -> int:
        return self.on_time + self.late

    @property
    def percent(self) -> int:
        """Done (on time or late) as a percent of all pairs, rounded."""
        return _share(self.done, self.total)

    @property
    def on_time_percent(self) -> int:
        return _share(self.on_time, self.total)

    @property
    def late_percent(self) -> int:
        return _share(self.late, self.total)

    @property
    def overdue_percent(self) -> int:
        return _share(self.overdue, self.total)

    @property
    def not_due_percent(self) -> int:
        return _share(self.not_due, self.total)

    @property
    def segments(self) -> list[dict[str, str]]:
        """The bar's parts in order (state, start and width in percent of the bar as plain
        strings, for SVG attributes that the locale must not give a decimal comma); the parts
        with nothing are left out."""
        parts, start = [], 0.0
        for state in STATES:
            count = getattr(self, state)
            if not count:
                continue
            width = 100 * count / self.total
            parts.append({"state": state, "start": f"{start:.2f}", "width": f"{width:.2f}"})
            start += width
        return parts

    def __add__(self, other: "Progress") -> "Progress":
        return Progress(
            on_time=self.on_time + other.on_time,
            late=self.late + other.late,
            overdue=self.overdue + other.overdue,
            not_due=self.not_due + other.not_due,
        )

    def as_dict(self) -> dict[str, int]:
        return {**asdict(self), "done": self.done, "total": self.total, "percent": self.percent}


def _today() -> date:
    return timezone.localdate()


# A pair whose report the working group accepted as done: the one definition of «выполнено».
ACCEPTED_AS_DONE = Q(report_status=Report.Status.ACCEPTED, outcome=Report.Outcome.DONE)


def _conditions(on: date) -> dict[str, Q]:
    """Each state of a pair on `on` as a condition of its own (they exclude each other); reads
    the alias `submitted_on` (see `_with_state`). Plain conditions, not a CASE tested four
    times: PostgreSQL evaluates them on every pair of the municipality."""
    done = ACCEPTED_AS_DONE
    in_time = Q(submitted_on__lte=F("due_on"))
    return {
        ON_TIME: done & in_time,
        LATE: done & ~in_time,
        OVERDUE: ~done & Q(due_on__lt=on),
        NOT_DUE: ~done & Q(due_on__gte=on),
    }


def _counts(on: date, only: Q | None = None) -> dict[str, Count]:
    """COUNT(*) FILTER (WHERE state) for each state (and `only`, when given)."""
    return {
        state: Count("planned_on", filter=condition if only is None else condition & only)
        for state, condition in _conditions(on).items()
    }


def _with_state(pairs: QuerySet[ControlPair], on: date) -> QuerySet[ControlPair]:
    submitted_on = TruncDate("submitted_at", tzinfo=ZoneInfo(settings.TIME_ZONE))
    return pairs.order_by().alias(submitted_on=submitted_on)


def _progress(row: dict[str, Any]) -> Progress:
    return Progress(**{state: row[state] for state in STATES})


def pairs_for(
    roadmap_ids: Iterable[int] | QuerySet | None = None,
    school_ids: Iterable[int] | QuerySet | None = None,
) -> QuerySet[ControlPair]:
    """The control pairs that count in progress (control dates, not quarterly notes), of these
    roadmaps and these schools (None: any)."""
    pairs = ControlPair.objects.filter(kind=Occurrence.Kind.DUE)
    if roadmap_ids is not None:
        pairs = pairs.filter(roadmap__in=roadmap_ids)
    if school_ids is not None:
        pairs = pairs.filter(school__in=school_ids)
    return pairs


def progress_of(pairs: QuerySet[ControlPair], on: date | None = None) -> Progress:
    """The four counts over these pairs on the day `on` (today by default). One query."""
    on = on or _today()
    return _progress(_with_state(pairs, on).aggregate(**_counts(on)))


def progress_by(
    pairs: QuerySet[ControlPair], field: str, on: date | None = None
) -> dict[int | None, Progress]:
    """The counts per roadmap, section, measure or school (the key is its id; None for the
    measures without a section). Groups without pairs are absent. One query."""
    if field not in GROUPINGS:
        raise ValueError(f"progress_by: {field!r} is not one of {GROUPINGS}")
    on = on or _today()
    rows = _with_state(pairs, on).values(field).annotate(**_counts(on))
    return {row[field]: _progress(row) for row in rows}


# The counts over whole roadmaps without reading their pairs: a pair without a report is
# overdue or not due by its planned date alone, so those are counted per measure (its control
# dates × the schools it concerns, from `measures_concern`, the view the pairs view is built
# on) and only the reports (joined to a concerned school) are read one by one: each moves its
# pair from the state of its planned date to the state the pairs view gives it. The conditions
# are `_conditions` written in SQL; tests/test_progress.py compares both on varied data.
ROADMAP_COUNTS = """
WITH concern AS (
    SELECT roadmap_id, measure_id, school_id FROM measures_concern
     WHERE roadmap_id = ANY(%(roadmaps)s)
), dates AS (
    SELECT c.roadmap_id, SUM(c.schools)::bigint AS pairs,
           COALESCE(SUM(c.schools) FILTER (WHERE o.due_on < %(on)s), 0)::bigint AS past
      FROM (SELECT roadmap_id, measure_id, COUNT(*) AS schools FROM concern
             GROUP BY roadmap_id, measure_id) c
      JOIN measures_occurrence o ON o.measure_id = c.measure_id AND o.kind = 'due'
     GROUP BY c.roadmap_id
), reported AS (
    SELECT c.roadmap_id, r.status = 'accepted' AND r.outcome = 'done' AS done,
           (COALESCE(r.first_submitted_at, r.submitted_at) AT TIME ZONE %(zone)s)::date
               <= COALESCE(r.due_on, o.due_on) AS in_time,
           COALESCE(r.due_on, o.due_on) < %(on)s AS past, o.due_on < %(on)s AS planned_past
      FROM measures_report r
      JOIN measures_occurrence o ON o.id = r.occurrence_id AND o.kind = 'due'
      JOIN concern c ON c.measure_id = o.measure_id AND c.school_id = r.school_id
), moved AS (
    SELECT roadmap_id,
           COUNT(*) FILTER (WHERE done AND in_time) AS on_time,
           COUNT(*) FILTER (WHERE done AND NOT in_time) AS late,
           COUNT(*) FILTER (WHERE NOT done AND past) AS overdue,
           COUNT(*) FILTER (WHERE NOT done AND NOT past) AS not_due,
           COUNT(*) FILTER (WHERE planned_past) AS planned_past,
           COUNT(*) FILTER (WHERE NOT planned_past) AS planned_later
      FROM reported GROUP BY roadmap_id
)
SELECT d.roadmap_id, COALESCE(m.on_time, 0), COALESCE(m.late, 0),
       d.past - COALESCE(m.planned_past, 0) + COALESCE(m.overdue, 0),
       d.pairs - d.past - COALESCE(m.planned_later, 0) + COALESCE(m.not_due, 0)
  FROM dates d LEFT JOIN moved m ON m.roadmap_id = d.roadmap_id
"""


def grouped_counts(
    pairs: QuerySet[ControlPair],
    fields: Iterable[str],
    on: date,
    *,
    keys: dict[str, Any] | None = None,
    **extra: Any,
) -> QuerySet[ControlPair]:
    """The four counts (columns named by the states) grouped by columns of the pairs and by
    the expressions `keys`, with `extra` aggregates beside them (they may filter by
    `state_condition`): a query not yet run (`monitoring.counting` stores it as it is)."""
    return _with_state(pairs, on).values(*fields, **(keys or {})).annotate(**_counts(on), **extra)


def grouped_progress(
    pairs: QuerySet[ControlPair], fields: Iterable[str], on: date | None = None, **extra: Any
) -> list[tuple[dict[str, Any], Progress]]:
    """The counts grouped by several columns of the pairs (a school's control dates), with
    `extra` aggregates beside them. One query."""
    rows = grouped_counts(pairs, fields, on or _today(), **extra)
    return [(row, _progress(row)) for row in rows]


def state_condition(state: str, on: date) -> Q:
    """The condition of a pair being in `state` on `on`, for an aggregate's `filter=` in
    `grouped_progress`."""
    return _conditions(on)[state]


def roadmap_progress(roadmap_ids: Iterable[int], on: date | None = None) -> dict[int, Progress]:
    """The counts of every pair (all schools) of each of these roadmaps, equal to
    `progress_by(pairs_for(roadmap_ids), "roadmap", on)` but made from the measures' control
    dates and the reports, not from each pair: a municipality's 100,000 pairs cost no more
    than its reports. Roadmaps without pairs are absent. One query."""
    on = on or _today()
    keys = list(roadmap_ids)
    if not keys:
        return {}
    with connection.cursor() as cursor:
        cursor.execute(ROADMAP_COUNTS, {"roadmaps": keys, "on": on, "zone": settings.TIME_ZONE})
        rows = cursor.fetchall()
    return {
        key: Progress(on_time=on_time, late=late, overdue=overdue, not_due=not_due)
        for key, on_time, late, overdue, not_due in rows
    }


def pairs_seen_by(
    roadmaps: Iterable[Roadmap], read_in_full: Iterable[int], school_ids: Iterable[int]
) -> QuerySet[ControlPair]:
    """The pairs of these roadmaps that a reader counts: every pair of a roadmap whose
    municipality they read in full (`read_in_full`: roadmap ids), only their own schools' pairs
    (`school_ids`: a director's schools) elsewhere."""
    keys = [roadmap.pk for roadmap in roadmaps]
    in_full = set(read_in_full)
    full = [key for key in keys if key in in_full]
    partly = [key for key in keys if key not in in_full]
    school_ids = list(school_ids)
    seen = Q(roadmap__in=full)
    if partly and school_ids:
        seen |= Q(roadmap__in=partly, school__in=school_ids)
    return pairs_for().filter(seen)


def with_progress(
    roadmaps: list[Roadmap], school_ids: Iterable[int], on: date | None = None
) -> list[Roadmap]:
    """Set `progress` on the roadmaps of a list page (as `selectors.with_measure_counts` left
    them, with `read_in_full`): all pairs where the reader reads the municipality in full, their
    own schools' elsewhere (`school_ids`: the director's schools). One query for the page
    (`roadmap_progress` when every roadmap is read in full)."""
    read_in_full = [roadmap.pk for roadmap in roadmaps if getattr(roadmap, "read_in_full", False)]
    if len(read_in_full) == len(roadmaps):  # every pair of each: counted without reading them
        counts = roadmap_progress(read_in_full, on)
    else:
        counts = progress_by(pairs_seen_by(roadmaps, read_in_full, school_ids), "roadmap", on)
    for roadmap in roadmaps:
        roadmap.progress = counts.get(roadmap.pk, Progress())
    return roadmaps


def with_row_progress(
    rows: list[dict[str, Any]], pairs: QuerySet[ControlPair], on: date | None = None
) -> Progress:
    """Put `progress` on the rows of a roadmap page (`selectors.roadmap_rows`): each measure's
    counts (one query, grouped by measure) and each section's, their sum; returns the sum over
    the rows' measures: the page's summary. Pass the pairs the reader counts (`pairs_for` the
    roadmap, and the director's schools when they do not read it in full)."""
    by_measure = progress_by(pairs, "measure", on)
    total = Progress()
    section_row: dict[str, Any] | None = None
    for row in rows:
        if "section" in row:
            section_row = row
            row["progress"] = Progress()
            continue
        row["progress"] = by_measure.get(row["measure"].pk, Progress())
        total += row["progress"]
        if section_row is not None and row["measure"].section_id == section_row["section"].pk:
            section_row["progress"] += row["progress"]
    return total


def progress_for_school(
    school_ids: Iterable[int] | QuerySet,
    roadmap_ids: Iterable[int] | QuerySet | None = None,
    on: date | None = None,
) -> dict[int, dict[int, Progress]]:
    """Progress of each school in each roadmap: `{school_id: {roadmap_id: Progress}}` (the
    director's home). Only roadmaps where the school has control dates appear; sum the inner
    values (`sum(..., Progress())`) for a school's whole progress. One query."""
    on = on or _today()
    rows = (
        _with_state(pairs_for(roadmap_ids, school_ids), on)
        .values("school", "roadmap")
        .annotate(**_counts(on))
    )
    result: dict[int, dict[int, Progress]] = {}
    for row in rows:
        result.setdefault(row["school"], {})[row["roadmap"]] = _progress(row)
    return result


@dataclass(frozen=True)
class QueueSummary:
    """What waits in a municipality: reports to review (control dates and quarterly notes),
    reports returned to schools, postponements awaiting a decision, and the progress."""

    to_review: int = 0
    returned: int = 0
    postponements: int = 0
    progress: Progress = field(default_factory=Progress)

    def as_dict(self) -> dict[str, Any]:
        return {
            "to_review": self.to_review,
            "returned": self.returned,
            "postponements": self.postponements,
            "progress": self.progress.as_dict(),
        }


def queue_summary(
    municipality_ids: Iterable[int] | QuerySet, on: date | None = None
) -> dict[int, QueueSummary]:
    """Per municipality (of the roadmap): reports submitted and waiting for review (control
    dates and quarterly notes), reports returned, postponements pending, and progress on `on`.
    Municipalities with no control pairs are absent. Two queries: the keys of their roadmaps
    (so that the view is read by roadmap through its indexes; a join on the municipality
    made PostgreSQL build every pair first), then the counts per roadmap, added up here."""
    on = on or _today()
    municipality_of = dict(
        Roadmap.objects.filter(municipality__in=municipality_ids).values_list("pk", "municipality")
    )
    if not municipality_of:
        return {}
    rows = (
        _with_state(ControlPair.objects.filter(roadmap__in=list(municipality_of)), on)
        .values("roadmap")
        .annotate(
            to_review=Count("planned_on", filter=Q(report_status=Report.Status.SUBMITTED)),
            returned=Count("planned_on", filter=Q(report_status=Report.Status.RETURNED)),
            postponements=Count(
                "planned_on",
                filter=Q(report__postpone_decision=Report.Decision.PENDING)
                & Q(report_status=Report.Status.SUBMITTED),
            ),
            **_counts(on, only=Q(kind=Occurrence.Kind.DUE)),
        )
    )
    result: dict[int, QueueSummary] = {}
    for row in rows:  # one row per roadmap
        key = municipality_of[row["roadmap"]]
        before = result.get(key, QueueSummary())
        result[key] = QueueSummary(
            to_review=before.to_review + row["to_review"],
            returned=before.returned + row["returned"],
            postponements=before.postponements + row["postponements"],
            progress=before.progress + _progress(row),
        )
    return result
