"""Reads of roadmaps, each starting from what the user may see."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, QuerySet
from django.http import Http404

from measures.models import Measure, Roadmap, Section


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
