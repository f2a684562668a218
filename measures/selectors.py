"""Reads of roadmaps, each starting from what the user may see."""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.utils.translation import gettext as _

from measures import editing
from measures.models import (
    ActAppendix,
    ControlPair,
    Evidence,
    LegalAct,
    Measure,
    Occurrence,
    Report,
    Roadmap,
    RoadmapImport,
    Section,
)
from schools import selectors as access
from schools.models import Municipality, School, SchoolDesignation


def _reads_everything(user: AbstractBaseUser | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_superuser)


def roadmaps_for_user(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Roadmap]:
    """Roadmaps this user may see: every roadmap of the municipalities they read in full; for a
    school director, their own school's roadmaps and the municipal roadmaps that concern the
    school (it is designated in a year of the roadmap's period, or a measure names it) —
    nothing of other schools.

    Each way of seeing is its own branch, driven from the user's few permission rows through
    indexes, and the roadmaps are looked up by the UNION of the branches' keys: the cost follows
    what the user sees, not the number of roadmaps in the country (one OR over the branches made
    PostgreSQL test every roadmap against every branch)."""
    if _reads_everything(user):
        return Roadmap.objects.all()
    return _roadmaps_seen_through(
        access.visible_municipalities(user).values("pk"),
        access.director_schools(user).values("pk"),
    )


def _roadmaps_seen_through(
    municipalities: QuerySet | list[int], schools: QuerySet | list[int]
) -> QuerySet[Roadmap]:
    # a director never sees a draft of changes («Внести изменения»): only the roadmap in force
    municipal = Roadmap.objects.filter(level=Roadmap.Level.MUNICIPAL, amends__isnull=True)
    designation_in_force = Q(municipality__schools__designations__ended_on__isnull=True) | Q(
        municipality__schools__designations__ended_on__gt=F("starts_on")
    )
    branches = [
        Roadmap.objects.filter(municipality__in=municipalities).values("pk"),
        Roadmap.objects.filter(
            level=Roadmap.Level.SCHOOL, school__in=schools, amends__isnull=True
        ).values("pk"),
        # one filter() call: the school, its designation and the roadmap's municipality are
        # the same joined row
        municipal.filter(
            # not ended before the roadmap starts (as the view measures_concern)
            designation_in_force,
            municipality__schools__in=schools,
            municipality__schools__designations__year__gte=ExtractYear("starts_on"),
            municipality__schools__designations__year__lte=ExtractYear("ends_on"),
        ).values("pk"),
        municipal.filter(measures__schools__in=schools).values("pk"),
    ]
    return Roadmap.objects.filter(pk__in=branches[0].union(*branches[1:]))


def roadmap_list(
    user: AbstractBaseUser | AnonymousUser,
    *,
    words: str = "",
    municipality: str = "",
    status: str = "",
    year: int | None = None,
) -> QuerySet[Roadmap]:
    """The roadmaps of the list page, filtered: title words (all of them), municipality name,
    status, a year inside the period. Counts are added per page: `with_measure_counts`.

    The user's municipalities and schools are read first (a few keys), then the keys of the
    roadmaps they see through them (hundreds at most for anyone but the admin): counting and
    paging are then plain primary-key lookups whose size PostgreSQL knows. Planned as one query
    with the title and year filters, PostgreSQL guessed one matching roadmap and scanned them
    all first."""
    if _reads_everything(user):
        roadmaps = Roadmap.objects.all()
    else:
        visible = _roadmaps_seen_through(
            list(access.visible_municipalities(user).values_list("pk", flat=True)),
            list(access.director_schools(user).values_list("pk", flat=True)),
        )
        roadmaps = Roadmap.objects.filter(pk__in=list(visible.values_list("pk", flat=True)))
    # a draft of changes is shown on the page of the roadmap it amends, not as a roadmap
    roadmaps = roadmaps.filter(amends__isnull=True)
    for word in words.split():
        roadmaps = roadmaps.filter(title__icontains=word)
    if municipality.strip():
        roadmaps = roadmaps.filter(municipality__name__icontains=municipality.strip())
    if status:
        roadmaps = roadmaps.filter(status=status)
    if year is not None:
        roadmaps = roadmaps.filter(starts_on__year__lte=year, ends_on__year__gte=year)
    return roadmaps.select_related("municipality__region", "approved_by__issuer").order_by(
        "municipality__name", "-starts_on", "title", "pk"
    )


def with_measure_counts(
    user: AbstractBaseUser | AnonymousUser, roadmaps: list[Roadmap]
) -> list[Roadmap]:
    """Set `measure_count` on the roadmaps of one page: the measures this reader sees there
    (the rule of `measures_for_user`), counted over these roadmaps only by their index; and
    `read_in_full` when the user reads the roadmap's municipality in full (its people too)."""
    keys = [roadmap.pk for roadmap in roadmaps]
    measures = Measure.objects.filter(roadmap__in=keys)
    read_in_full = {roadmap.municipality_id for roadmap in roadmaps}
    if keys and not _reads_everything(user):
        read_in_full = set(
            access.visible_municipalities(user)
            .filter(pk__in=read_in_full)
            .values_list("pk", flat=True)
        )
        partly = [r.pk for r in roadmaps if r.municipality_id not in read_in_full]
        named = Measure.schools.through.objects.filter(
            measure=OuterRef("pk"), school__in=access.director_schools(user).values("pk")
        )
        measures = measures.exclude(
            Q(roadmap__in=partly) & Q(all_designated_schools=False) & ~Exists(named)
        )
    counts = dict(
        measures.order_by()
        .values("roadmap")
        .annotate(count=Count("pk"))
        .values_list("roadmap", "count")
    )
    for roadmap in roadmaps:
        roadmap.measure_count = counts.get(roadmap.pk, 0)
        roadmap.read_in_full = roadmap.municipality_id in read_in_full
    return roadmaps


def get_roadmap_for_user(user: AbstractBaseUser | AnonymousUser, pk: int) -> Roadmap:
    roadmap = (
        roadmaps_for_user(user)
        .select_related("municipality__region", "approved_by__issuer", "school")
        .prefetch_related("amended_by")
        .filter(pk=pk)
        .first()
    )
    if roadmap is None:
        raise Http404("Дорожная карта не найдена")
    return roadmap


def reads_in_full(user: AbstractBaseUser | AnonymousUser, roadmap: Roadmap) -> bool:
    """Whether the user reads the roadmap's municipality in full (not only as a director)."""
    return access.visible_municipalities(user).filter(pk=roadmap.municipality_id).exists()


def measures_for_user(
    user: AbstractBaseUser | AnonymousUser, roadmap: Roadmap, *, in_full: bool | None = None
) -> QuerySet[Measure]:
    """All measures for those who read the municipality; a director, those concerning the school.

    `in_full`: `reads_in_full(user, roadmap)` when the caller has already asked it."""
    if reads_in_full(user, roadmap) if in_full is None else in_full:
        return roadmap.measures.all()
    return measures_concerning(roadmap, access.director_schools(user))


def measures_concerning(
    roadmap: Roadmap, schools: QuerySet[School] | list[int]
) -> QuerySet[Measure]:
    """The measures of a roadmap that concern these schools: all designated schools of the
    roadmap, or a measure that names one of them."""
    return roadmap.measures.filter(
        Q(all_designated_schools=True) | Q(schools__in=schools)
    ).distinct()


def roadmap_rows(
    roadmap: Roadmap, measures: QuerySet[Measure] | None = None
) -> list[dict[str, Section | Measure]]:
    """The table of the appendix in print order: each section row followed by its measures.

    Measures without a section (roadmaps that have none) come first. Two queries, whatever
    the size of the roadmap.
    """
    sections = list(roadmap.sections.all())
    by_section: dict[int | None, list[Measure]] = {}
    for measure in roadmap.measures.all() if measures is None else measures:
        by_section.setdefault(measure.section_id, []).append(measure)
    rows: list[dict[str, Section | Measure]] = [
        {"measure": measure} for measure in by_section.get(None, [])
    ]
    for section in sections:
        if measures is not None and section.pk not in by_section:
            continue  # a section with none of the measures this reader sees
        rows.append({"section": section})
        rows.extend({"measure": measure} for measure in by_section.get(section.pk, []))
    return rows


def municipalities_for_change(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Municipality]:
    """Municipalities whose roadmaps this user may change: the ones they coordinate."""
    return access.coordinated_municipalities(user)


def can_change_roadmap(user: AbstractBaseUser | AnonymousUser, roadmap: Roadmap) -> bool:
    return access.coordinates(user, roadmap.municipality_id)


def get_roadmap_for_change(
    user: AbstractBaseUser | AnonymousUser, pk: int, *, for_edit: bool = False
) -> Roadmap:
    """A roadmap the user may see (404 otherwise) and change (403 otherwise). `for_edit`: its
    content is to be edited or deleted, which only a draft allows (403 with the reason: an
    approved roadmap is changed by an amendment) — the one place of that rule for views."""
    roadmap = get_roadmap_for_user(user, pk)
    if not can_change_roadmap(user, roadmap):
        raise PermissionDenied(_("Изменять эту дорожную карту может только её координатор."))
    if for_edit:
        editing.deny_unless_draft(roadmap)
    return roadmap


def get_section_for_edit(
    user: AbstractBaseUser | AnonymousUser, roadmap_pk: int, pk: int
) -> Section:
    """A section of a draft the user coordinates (404 / 403 as `get_roadmap_for_change`)."""
    roadmap = get_roadmap_for_change(user, roadmap_pk, for_edit=True)
    section = roadmap.sections.filter(pk=pk).first()
    if section is None:
        raise Http404("Раздел не найден")
    section.roadmap = roadmap
    return section


def get_measure_for_change(
    user: AbstractBaseUser | AnonymousUser, roadmap_pk: int, pk: int
) -> Measure:
    """A measure of a draft the user coordinates (404 / 403 as `get_roadmap_for_change`)."""
    roadmap = get_roadmap_for_change(user, roadmap_pk, for_edit=True)
    measure = roadmap.measures.filter(pk=pk).first()
    if measure is None:
        raise Http404("Мероприятие не найдено")
    measure.roadmap = roadmap
    return measure


def get_import_for_user(user: AbstractBaseUser | AnonymousUser, pk: int) -> RoadmapImport:
    record = (
        RoadmapImport.objects.filter(municipality__in=municipalities_for_change(user), pk=pk)
        .select_related("municipality", "roadmap")
        .defer("data")  # the uploaded file: only the import tasks read it
        .first()
    )
    if record is None:
        raise Http404("Импорт не найден")
    return record


def reports_for_user(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Report]:
    """Reports of the schools the user directs and of the municipalities they read in full."""
    return Report.objects.filter(
        Q(school__in=access.director_schools(user).values("pk"))
        | Q(school__municipality__in=access.visible_municipalities(user).values("pk"))
    )


def get_report_for_user(user: AbstractBaseUser | AnonymousUser, pk: int) -> Report:
    report = (
        reports_for_user(user)
        .select_related("school", "occurrence__measure__roadmap", "submitted_by", "reviewed_by")
        .prefetch_related("evidence", "steps__by")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404("Отчёт не найден")
    return report


@dataclass
class ReportingPair:
    """A control date and a school, as the person who reports on it opens it."""

    occurrence: Occurrence
    school: School
    report: Report | None
    on_behalf: bool  # a coordinator reporting for the school, not its director

    @property
    def due_on(self) -> date:
        return self.report.due_on if self.report is not None else self.occurrence.due_on


def get_pair_for_reporting(
    user: AbstractBaseUser | AnonymousUser, occurrence_pk: int, school_pk: int
) -> ReportingPair:
    """The pair (control date, school) the user reports on: as the school's director, or as
    the coordinator of its municipality (on behalf of the school). 404 when the user does not
    see the school or the pair does not exist (the measure does not concern the school); 403
    for those who see it but do not report (the working group, the regional viewer)."""
    school = School.objects.filter(pk=school_pk).select_related("municipality").first()
    if school is None:
        raise Http404("Школа не найдена")
    directs = access.director_schools(user).filter(pk=school_pk).exists()
    coordinates = not directs and access.coordinates(user, school.municipality_id)
    if not (directs or coordinates):
        if access.visible_municipalities(user).filter(pk=school.municipality_id).exists():
            raise PermissionDenied(
                _(
                    "Отчитываться за школу могут её руководитель и муниципальный координатор; "
                    "рабочая группа проверяет отчёты на странице «На проверке»."
                )
            )
        raise Http404("Школа не найдена")
    occurrence = (
        Occurrence.objects.filter(pk=occurrence_pk)
        .filter(Exists(ControlPair.objects.filter(occurrence=OuterRef("pk"), school=school_pk)))
        .select_related("measure__roadmap__municipality", "measure__section")
        .first()
    )
    if occurrence is None:
        raise Http404("Контрольный срок не найден")
    report = (
        Report.objects.filter(occurrence=occurrence, school=school)
        .select_related("submitted_by", "reviewed_by")
        .prefetch_related("evidence", "steps__by")
        .first()
    )
    return ReportingPair(occurrence, school, report, on_behalf=coordinates)


def get_report_for_review(user: AbstractBaseUser | AnonymousUser, pk: int) -> Report:
    """A report the user sees (404 otherwise) and reviews (403 otherwise)."""
    report = get_report_for_user(user, pk)
    if not can_review(user, report):
        raise PermissionDenied(_("Проверять отчёты может рабочая группа муниципалитета."))
    return report


def can_review(user: AbstractBaseUser | AnonymousUser, report: Report) -> bool:
    return access.reviewed_municipalities(user).filter(pk=report.school.municipality_id).exists()


def get_evidence_file_for_user(user: AbstractBaseUser | AnonymousUser, pk: int) -> Evidence:
    """An evidence file of a report the user may read, or 404 (also for a link, which has no
    file to download)."""
    evidence = (
        Evidence.objects.filter(pk=pk, report__in=reports_for_user(user).values("pk"))
        .exclude(file="")
        .first()
    )
    if evidence is None:
        raise Http404("Файл не найден")
    return evidence


def designated_schools(roadmap: Roadmap) -> QuerySet[School]:
    """The schools of a roadmap (the rule of the view `measures_concern`): a school's roadmap,
    its school; a municipal one, the municipality's schools designated in a year of its period."""
    if roadmap.level == Roadmap.Level.SCHOOL:
        return School.objects.filter(pk=roadmap.school_id)
    designated = SchoolDesignation.objects.filter(
        school=OuterRef("pk"),
        year__gte=roadmap.starts_on.year,
        year__lte=roadmap.ends_on.year,
    )
    return School.objects.filter(municipality=roadmap.municipality_id).filter(Exists(designated))


def acts_for_user(user: AbstractBaseUser | AnonymousUser) -> QuerySet[LegalAct]:
    """Orders this user may read: every order (drafts too) of the municipalities they read in
    full; otherwise the signed orders that carry a roadmap they see (a director reads the
    official document of their school's roadmap, as everyone else does)."""
    if _reads_everything(user):
        return LegalAct.objects.all()
    in_full = LegalAct.objects.filter(
        municipality__in=access.visible_municipalities(user).values("pk")
    ).values("pk")
    carried = ActAppendix.objects.filter(
        act__status=LegalAct.Status.SIGNED,
        roadmap__in=roadmaps_for_user(user).values("pk"),
    ).values("act_id")
    return LegalAct.objects.filter(pk__in=in_full.union(carried))


def acts_carrying(user: AbstractBaseUser | AnonymousUser, roadmap: Roadmap) -> list[LegalAct]:
    """The orders the user reads that carry the roadmap as an appendix, newest first."""
    return list(
        acts_for_user(user)
        .filter(appendices__roadmap=roadmap)
        .select_related("issuer")
        .distinct()
        .order_by("-date", "-pk")
    )


def get_act_for_user(user: AbstractBaseUser | AnonymousUser, pk: int) -> LegalAct:
    act = acts_for_user(user).select_related("municipality__region", "issuer").filter(pk=pk).first()
    if act is None:
        raise Http404("Документ не найден")
    return act


def get_act_for_change(
    user: AbstractBaseUser | AnonymousUser, pk: int, *, for_edit: bool = False
) -> LegalAct:
    """An order the user may read (404 otherwise) and coordinates (403 otherwise); `for_edit`:
    its text or appendices are to change, which only a draft (проект) allows (403 with the
    reason: a signed order is changed by a new order)."""
    act = get_act_for_user(user, pk)
    if not access.coordinates(user, act.municipality_id):
        raise PermissionDenied(_("Изменять приказы может только координатор муниципалитета."))
    if for_edit and act.status != LegalAct.Status.DRAFT:
        raise PermissionDenied(
            _(
                "«%(act)s» подписан: его текст и приложения не меняются. Изменения вносят "
                "новым приказом («Внести изменения» на странице дорожной карты)."
            )
            % {"act": act}
        )
    return act
