"""Editions (редакции) of a roadmap: what each approving or amending order approved.

The roadmap's rows are the version in force; an edition keeps, beside them, the content as an
order approved it (`snapshot`), so that every approved version stays readable and any two can
be compared however the roadmap changes later. Measures keep their ids across editions (an
amendment is written onto the rows in force), which is what keeps reports attached to them.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Max

from measures.models import LegalAct, Roadmap, RoadmapEdition

HEADER = (
    "title",
    "goal",
    "tasks",
    "expected_results",
    "legal_basis",
    "developers",
    "control",
)
MEASURE_FIELDS = (
    "number",
    "title",
    "owners_text",
    "deadline_text",
    "planned_result",
    "all_designated_schools",
)


def snapshot(roadmap: Any) -> dict[str, Any]:
    """The roadmap's content as it stands, as plain data: the header, the period, the sections
    and the measures in order with the schools a measure names (when it does not concern all of
    the roadmap's schools). Reads relations by name only, so a migration's historical models
    take the same path."""
    sections = list(roadmap.sections.order_by("position").values("id", "number", "title"))
    measures = list(
        roadmap.measures.order_by("position").values("id", "section_id", *MEASURE_FIELDS)
    )
    schools: dict[int, list[str]] = {}
    through = roadmap.measures.model.schools.through
    for measure_id, name in (
        through.objects.filter(measure__roadmap=roadmap)
        .order_by("school__name")
        .values_list("measure_id", "school__name")
    ):
        schools.setdefault(measure_id, []).append(name)
    for measure in measures:
        measure["schools"] = (
            [] if measure["all_designated_schools"] else schools.get(measure["id"], [])
        )
    return {
        **{name: getattr(roadmap, name) for name in HEADER},
        "starts_on": roadmap.starts_on.isoformat(),
        "ends_on": roadmap.ends_on.isoformat(),
        "sections": sections,
        "measures": measures,
    }


def in_force_act(roadmap: Roadmap) -> LegalAct | None:
    """The act whose wording is in force: the latest amending act, else the approving one."""
    latest = roadmap.amended_by.order_by("-date", "-pk").first()
    return latest or roadmap.approved_by


def record(*, roadmap: Roadmap, act: LegalAct) -> RoadmapEdition:
    """Keep the roadmap's content as `act` approved it, as its next edition."""
    last = roadmap.editions.aggregate(last=Max("number"))["last"] or 0
    return RoadmapEdition.objects.create(
        roadmap=roadmap, number=last + 1, act=act, content=snapshot(roadmap)
    )


def approve(*, roadmap: Roadmap, act: LegalAct, appendix_number: str = "") -> RoadmapEdition:
    """`act` (signed) approves the draft roadmap: it is approved by that act, locked for the
    editor, and its content is kept as its next edition. The caller holds the act's lock."""
    roadmap = Roadmap.objects.select_for_update().get(pk=roadmap.pk)
    roadmap.status = Roadmap.Status.APPROVED
    roadmap.approved_by = act
    roadmap.appendix_number = appendix_number
    roadmap.version += 1
    roadmap.save(update_fields=["status", "approved_by", "appendix_number", "version"])
    return record(roadmap=roadmap, act=act)
