"""Reads of the two work lists: a director's «Моя школа» and the working group's «На проверке».

Each starts from what the user may see (schools.selectors, measures.selectors) and reads a
fixed number of queries, whatever the number of measures and reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from measures.models import ControlPair, Measure, Occurrence, Report, Roadmap, Section
from measures.progress import ACCEPTED_AS_DONE
from measures.selectors import _roadmaps_seen_through, roadmaps_for_user
from schools import selectors as access
from schools.models import School

User = AbstractBaseUser | AnonymousUser

# «Моя школа»: the groups in the order the page shows them
RETURNED, OVERDUE, MONTH, LATER, DONE = "returned", "overdue", "month", "later", "done"
GROUPS = {
    RETURNED: _("Возвращено на доработку"),
    OVERDUE: _("Просрочено"),
    MONTH: _("В этом месяце"),
    LATER: _("Позже"),
    DONE: _("Выполнено"),
}
GROUP_COUNTS = {  # the short names of the counts at the top
    OVERDUE: _("Просрочено"),
    MONTH: _("В этом месяце"),
    LATER: _("Позже"),
    DONE: _("Выполнено"),
    RETURNED: _("Возвращено"),
}
ALL_ROADMAPS = "all"

PAIR_FIELDS = (
    "occurrence_id",
    "measure_id",
    "roadmap_id",
    "section_id",
    "kind",
    "due_on",
    "report_id",
    "report_status",
    "outcome",
    "submitted_at",
)


@dataclass
class SchoolRow:
    """One measure of the school at its next open control date (or its last, when done)."""

    measure: Measure
    roadmap: Roadmap
    group: str
    occurrence_id: int
    kind: str
    due_on: date
    report_id: int | None
    report_status: str
    outcome: str
    submitted_at: datetime | None
    review_comment: str
    postponed_to: date | None

    @property
    def quarterly(self) -> bool:
        return self.kind == Occurrence.Kind.QUARTER

    @property
    def status_display(self) -> str:
        if not self.report_status:  # "" (or NULL) in the view: no report yet
            return _("Нет отчёта")
        return str(Report.Status(self.report_status).label)

    @property
    def outcome_display(self) -> str:
        return str(Report.Outcome(self.outcome).label) if self.outcome else ""

    @property
    def needs_report(self) -> bool:
        """The school has something to do: no report yet, a draft or a returned one."""
        return not self.report_status or self.report_status in Report.EDITABLE


def school_roadmaps(user: User, school: School) -> list[Roadmap]:
    """The roadmaps this user sees that concern the school, newest first."""
    return list(
        roadmaps_for_user(user)
        .filter(pk__in=_roadmaps_seen_through([], [school.pk]).values("pk"))
        .only("pk", "title", "starts_on", "ends_on", "municipality_id", "level")
        .order_by("-starts_on", "title", "pk")
    )


def current_roadmaps(roadmaps: list[Roadmap], today: date) -> list[Roadmap]:
    return [r for r in roadmaps if r.starts_on <= today <= r.ends_on]


def _shown_first() -> tuple:
    """The order that puts first, in each measure, the pair its row shows: an open pair (not
    accepted as done; a quarterly note is closed once accepted, whatever it says), a returned
    one before the others, the earliest; when every pair is closed, the last."""
    closed = ACCEPTED_AS_DONE | Q(
        report_status=Report.Status.ACCEPTED, kind=Occurrence.Kind.QUARTER
    )
    is_open = ~closed
    return (
        "measure_id",
        Case(When(closed, then=Value(1)), default=Value(0)).asc(),
        Case(When(report_status=Report.Status.RETURNED, then=Value(0)), default=Value(1)).asc(),
        Case(When(is_open, then=F("due_on"))).asc(nulls_last=True),
        Case(When(is_open, then=F("occurrence_id"))).asc(nulls_last=True),
        F("due_on").desc(),
        F("occurrence_id").desc(),
    ), closed


def _group(pair: dict, today: date) -> str:
    if pair["report_status"] == Report.Status.RETURNED:
        return RETURNED
    if pair["due_on"] < today:
        return OVERDUE
    if (pair["due_on"].year, pair["due_on"].month) == (today.year, today.month):
        return MONTH
    return LATER


def school_rows(
    school: School, roadmaps: list[Roadmap], today: date, section: int | None = None
) -> list[SchoolRow]:
    """The measures that concern the school in these roadmaps, one row each, in page order:
    returned, overdue, this month, later, done; by date inside a group. Two queries."""
    by_pk = {roadmap.pk: roadmap for roadmap in roadmaps}
    pairs = ControlPair.objects.filter(school=school, roadmap__in=list(by_pk))
    if section is not None:
        pairs = pairs.filter(section=section)
    order, closed = _shown_first()
    # one pair per measure, chosen by the database (DISTINCT ON): a school's 3,000 pairs in
    # Python took longer than the rest of the page
    shown_pairs = {
        pair["measure_id"]: pair
        for pair in pairs.values(
            *PAIR_FIELDS,
            review_comment=F("report__review_comment"),
            postponed_to=F("report__postponed_to"),
            closed=ExpressionWrapper(closed, output_field=BooleanField()),
        )
        .order_by(*order)
        .distinct("measure_id")
    }
    measures = Measure.objects.filter(pk__in=list(shown_pairs)).only(
        "pk", "roadmap_id", "section_id", "position", "number", "title"
    )
    rows = []
    for measure in measures:
        shown = shown_pairs[measure.pk]
        group = DONE if shown["closed"] else _group(shown, today)
        rows.append(
            SchoolRow(
                measure=measure,
                roadmap=by_pk[measure.roadmap_id],
                group=group,
                occurrence_id=shown["occurrence_id"],
                kind=shown["kind"],
                due_on=shown["due_on"],
                report_id=shown["report_id"],
                report_status=shown["report_status"],
                outcome=shown["outcome"],
                submitted_at=shown["submitted_at"],
                review_comment=shown["review_comment"] or "",
                postponed_to=shown["postponed_to"],
            )
        )
    order = list(GROUPS)
    rows.sort(
        key=lambda row: (
            order.index(row.group),
            row.due_on,
            row.roadmap.starts_on,
            row.roadmap.pk,
            row.measure.position,
        )
    )
    return rows


def sections_of(roadmaps: list[Roadmap]) -> list[Section]:
    return list(
        Section.objects.filter(roadmap__in=[r.pk for r in roadmaps])
        .only("pk", "roadmap_id", "position", "number", "title")
        .order_by("roadmap_id", "position")
    )


# «На проверке»


def review_queue(user: User, municipality_ids: list[int]) -> QuerySet[Report]:
    """Submitted reports of the municipalities the user reviews, oldest submitted first."""
    reports = Report.objects.filter(status=Report.Status.SUBMITTED)
    if not (user.is_authenticated and user.is_superuser):
        reports = reports.filter(school__municipality__in=municipality_ids)
    return reports.order_by("submitted_at", "pk")


QUEUE_FACETS = 2000  # distinct (school, measure) pairs read for the filter choices


def queue_facets(reports: QuerySet[Report]) -> list[dict]:
    """The schools, roadmaps, sections and measures that have reports in the queue: the
    choices of its filters (one query)."""
    measure = "occurrence__measure__"
    return list(
        reports.order_by()
        .values(
            "school_id",
            "school__short_name",
            roadmap_id=F(f"{measure}roadmap_id"),
            roadmap_title=F(f"{measure}roadmap__title"),
            section_id=F(f"{measure}section_id"),
            section_number=F(f"{measure}section__number"),
            section_title=F(f"{measure}section__title"),
            section_position=F(f"{measure}section__position"),
            measure_position=F(f"{measure}position"),
            measure_id=F(f"{measure}id"),
            measure_number=F(f"{measure}number"),
            measure_title=F(f"{measure}title"),
        )
        .distinct()[:QUEUE_FACETS]
    )


# the appointment the header names first: the widest role first, then the oldest
MAIN_ROLE_ORDER = Case(
    *(
        When(role=role, then=Value(rank))
        for rank, role in enumerate(["coordinator", "working_group", "regional_viewer", "director"])
    ),
    output_field=IntegerField(),
)


def _appointments_of_user() -> QuerySet:
    from schools.models import Appointment

    return Appointment.objects.filter(user=OuterRef("pk"))


def navigation_counts(user: User) -> dict[str, int | bool | str | None]:
    """For the header: whether the user directs a school, reviews reports, reads a municipality's
    registry, and how many submitted reports wait for them; the main appointment's role and
    place (municipality, school or region) and the number of appointments. One query."""
    queue = Report.objects.filter(status=Report.Status.SUBMITTED)
    if not user.is_superuser:
        queue = queue.filter(
            school__municipality__in=access.reviewed_municipalities(user).values("pk")
        )
    count = (
        queue.order_by()
        .annotate(one=Value(1, IntegerField()))
        .values("one")
        .annotate(count=Count("pk"))
        .values("count")
    )
    main = (
        _appointments_of_user()
        .annotate(
            rank=MAIN_ROLE_ORDER,
            place=Coalesce("municipality__name", "school__short_name", "region__name"),
        )
        .order_by("rank", "pk")
    )
    appointments = (
        _appointments_of_user()
        .order_by()
        .values("user")
        .annotate(count=Count("pk"))
        .values("count")
    )
    values = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .values(
            directs=Exists(access.director_schools(user)),
            reviews=Exists(access.reviewed_municipalities(user)),
            registry=Exists(access.visible_municipalities(user)),  # «Реестр» in the header
            queue=Coalesce(Subquery(count, output_field=IntegerField()), 0),
            role=Subquery(main.values("role")[:1]),
            place=Subquery(main.values("place")[:1]),
            appointment_count=Coalesce(Subquery(appointments, output_field=IntegerField()), 0),
        )
        .first()
    )
    return values or {
        "directs": False,
        "reviews": False,
        "registry": False,
        "queue": 0,
        "role": None,
        "place": None,
        "appointment_count": 0,
    }


def reviewed_roadmap_ids(user: User, municipality_ids: list[int]) -> QuerySet:
    """Keys of the roadmaps of the municipalities the user reviews (a subquery)."""
    roadmaps = Roadmap.objects.all()
    if not (user.is_authenticated and user.is_superuser):
        roadmaps = roadmaps.filter(municipality__in=municipality_ids)
    return roadmaps.values("pk")
