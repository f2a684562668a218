"""Reads of roadmaps, each starting from what the user may see."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.http import Http404
from django.utils.translation import gettext as _

from measures.models import Measure, Report, Roadmap, RoadmapImport, Section
from schools import selectors as access
from schools.models import Municipality, SchoolDesignation


def roadmaps_for_user(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Roadmap]:
    """Roadmaps this user may see: all of the municipalities they read in full, and for a
    school director those that concern their school (it is designated in a year of the
    roadmap's period, or a measure names it)."""
    visible = access.visible_municipalities(user)
    schools = access.director_schools(user)
    designated = SchoolDesignation.objects.filter(
        school__in=schools,
        school__municipality=OuterRef("municipality"),
        year__gte=ExtractYear(OuterRef("starts_on")),
        year__lte=ExtractYear(OuterRef("ends_on")),
    )
    named = Measure.objects.filter(schools__in=schools).values("roadmap")
    return Roadmap.objects.filter(
        Q(municipality__in=visible.values("pk")) | Exists(designated) | Q(pk__in=named)
    )


def roadmap_list(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Roadmap]:
    return (
        roadmaps_for_user(user)
        .select_related("municipality__region", "approved_by__issuer")
        .annotate(measure_count=Count("measures", distinct=True))
        .order_by("municipality__name", "-starts_on", "title")
    )


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
    user: AbstractBaseUser | AnonymousUser, roadmap: Roadmap
) -> QuerySet[Measure]:
    """All measures for those who read the municipality; a director, those concerning the school."""
    measures = roadmap.measures.all()
    if access.visible_municipalities(user).filter(pk=roadmap.municipality_id).exists():
        return measures
    schools = access.director_schools(user)
    return measures.filter(Q(all_designated_schools=True) | Q(schools__in=schools)).distinct()


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
    return municipalities_for_change(user).filter(pk=roadmap.municipality_id).exists()


def get_roadmap_for_change(user: AbstractBaseUser | AnonymousUser, pk: int) -> Roadmap:
    """A roadmap the user may see (404 otherwise) and change (403 otherwise)."""
    roadmap = get_roadmap_for_user(user, pk)
    if not can_change_roadmap(user, roadmap):
        raise PermissionDenied(_("Изменять эту дорожную карту может только её координатор."))
    return roadmap


def get_measure_for_change(
    user: AbstractBaseUser | AnonymousUser, roadmap_pk: int, pk: int
) -> Measure:
    roadmap = get_roadmap_for_change(user, roadmap_pk)
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
        .prefetch_related("evidence")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404("Отчёт не найден")
    return report
