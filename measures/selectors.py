"""Reads of roadmaps, each starting from what the user may see."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet
from django.http import Http404

from measures.models import Measure, Roadmap, RoadmapImport, Section
from schools.models import Municipality

COORDINATORS_GROUP = "Муниципальные координаторы"


def roadmaps_for_user(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Roadmap]:
    """Roadmaps this user may see.

    Until per-municipality permissions arrive, every active signed-in user reads every
    roadmap; this function is the one place that rule lives.
    """
    if not user.is_authenticated or not user.is_active:
        return Roadmap.objects.none()
    return Roadmap.objects.all()


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


def roadmap_rows(roadmap: Roadmap) -> list[dict[str, Section | Measure]]:
    """The table of the appendix in print order: each section row followed by its measures.

    Measures without a section (roadmaps that have none) come first. Two queries, whatever
    the size of the roadmap.
    """
    sections = list(roadmap.sections.all())
    by_section: dict[int | None, list[Measure]] = {}
    for measure in roadmap.measures.all():
        by_section.setdefault(measure.section_id, []).append(measure)
    rows: list[dict[str, Section | Measure]] = [
        {"measure": measure} for measure in by_section.get(None, [])
    ]
    for section in sections:
        rows.append({"section": section})
        rows.extend({"measure": measure} for measure in by_section.get(section.pk, []))
    return rows


def municipalities_for_change(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Municipality]:
    """Municipalities whose roadmaps this user may change.

    Until per-municipality permissions arrive: the portal admin changes all; a municipal
    coordinator, the municipality of their staff record.
    """
    if not user.is_authenticated or not user.is_active:
        return Municipality.objects.none()
    if user.is_superuser:
        return Municipality.objects.all()
    if not user.groups.filter(name=COORDINATORS_GROUP).exists():
        return Municipality.objects.none()
    return Municipality.objects.filter(people__user=user)


def can_change_roadmap(user: AbstractBaseUser | AnonymousUser, roadmap: Roadmap) -> bool:
    return municipalities_for_change(user).filter(pk=roadmap.municipality_id).exists()


def get_roadmap_for_change(user: AbstractBaseUser | AnonymousUser, pk: int) -> Roadmap:
    """A roadmap the user may see (404 otherwise) and change (403 otherwise)."""
    roadmap = get_roadmap_for_user(user, pk)
    if not can_change_roadmap(user, roadmap):
        raise PermissionDenied("Изменять эту дорожную карту может только её координатор.")
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
        .first()
    )
    if record is None:
        raise Http404("Импорт не найден")
    return record
