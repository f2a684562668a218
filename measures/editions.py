"""Editions (редакции) of a roadmap: what each approving or amending order approved.

The roadmap's rows are the version in force; an edition keeps, beside them, the content as an
order approved it (`snapshot`), so that every approved version stays readable and any two can
be compared however the roadmap changes later. Measures keep their ids across editions (an
amendment is written onto the rows in force), which is what keeps reports attached to them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from measures import services
from measures.history import word_diff
from measures.models import (
    DEADLINE_FIELDS,
    ActAppendix,
    LegalAct,
    Measure,
    Report,
    Roadmap,
    RoadmapEdition,
    Section,
)
from roadmap_portal.text import act_number

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


def ensure_recorded(roadmap: Roadmap) -> RoadmapEdition | None:
    """Every way a roadmap becomes approved ends here (the import with an approving act, the
    admin, the demo loader, the order's signing through `approve`): an approved roadmap with no
    edition gets its edition 1 — its content now, in the wording of the act in force. A draft,
    or a roadmap that has its editions, is left as it is."""
    if roadmap.status == Roadmap.Status.DRAFT or roadmap.approved_by_id is None:
        return None
    if roadmap.editions.exists():
        return None
    act = in_force_act(roadmap)
    assert act is not None  # an approved roadmap has its act (roadmap_approved_has_act)
    return record(roadmap=roadmap, act=act)


# every approved roadmap without an edition gets its edition 1 in one statement: the content
# as `snapshot` gives it (tests/test_editions.py compares them), for rows written in bulk (the
# national-scale data's COPY), where a query per roadmap would take minutes
FIRST_EDITIONS_SQL = """
INSERT INTO measures_roadmapedition (roadmap_id, number, act_id, content, approved_at)
SELECT r.id, 1,
  COALESCE((SELECT a.id FROM measures_roadmap_amended_by ra
            JOIN measures_legalact a ON a.id = ra.legalact_id
            WHERE ra.roadmap_id = r.id ORDER BY a.date DESC NULLS LAST, a.id DESC LIMIT 1),
           r.approved_by_id),
  jsonb_build_object(
    'title', r.title, 'goal', r.goal, 'tasks', r.tasks,
    'expected_results', r.expected_results, 'legal_basis', r.legal_basis,
    'developers', r.developers, 'control', r.control,
    'starts_on', to_char(r.starts_on, 'YYYY-MM-DD'), 'ends_on', to_char(r.ends_on, 'YYYY-MM-DD'),
    'sections', COALESCE((
      SELECT jsonb_agg(jsonb_build_object('id', s.id, 'number', s.number, 'title', s.title)
                       ORDER BY s.position)
      FROM measures_section s WHERE s.roadmap_id = r.id), '[]'::jsonb),
    'measures', COALESCE((
      SELECT jsonb_agg(jsonb_build_object(
        'id', m.id, 'section_id', m.section_id, 'number', m.number, 'title', m.title,
        'owners_text', m.owners_text, 'deadline_text', m.deadline_text,
        'planned_result', m.planned_result,
        'all_designated_schools', m.all_designated_schools,
        'schools', CASE WHEN m.all_designated_schools THEN '[]'::jsonb ELSE COALESCE((
          SELECT jsonb_agg(sc.name ORDER BY sc.name) FROM measures_measure_schools ms
          JOIN schools_school sc ON sc.id = ms.school_id WHERE ms.measure_id = m.id
        ), '[]'::jsonb) END
      ) ORDER BY m.position)
      FROM measures_measure m WHERE m.roadmap_id = r.id), '[]'::jsonb)
  ),
  now()
FROM measures_roadmap r
WHERE r.status <> 'draft' AND r.approved_by_id IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM measures_roadmapedition e WHERE e.roadmap_id = r.id)
"""


def ensure_recorded_all() -> int:
    """`ensure_recorded` for every roadmap at once (bulk-written data); how many recorded."""
    with connection.cursor() as cursor:
        cursor.execute(FIRST_EDITIONS_SQL)
        return cursor.rowcount


# --- «Внести изменения»: the draft of changes -----------------------------------------------

# what a measure of the draft carries over onto the measure in force (besides its links)
COPIED_MEASURE_FIELDS = (
    "number",
    "number_typed",
    "title",
    "owners_text",
    "deadline_text",
    *(f"deadline_{name}" for name in DEADLINE_FIELDS),
    "deadline_corrected",
    "planned_result",
    "all_designated_schools",
)
LINKS = ("owners", "owner_organisations", "schools")


def open_amendment(roadmap: Roadmap) -> Roadmap | None:
    """The open draft of changes to the roadmap, if there is one."""
    return Roadmap.objects.filter(amends=roadmap).first()


def _copy_links(pairs: dict[int, int]) -> None:
    """Copy owners, organisations and schools of measures `old pk → new pk` (one query each
    way per relation)."""
    for name in LINKS:
        through = getattr(Measure, name).through
        column = getattr(Measure, name).field.m2m_reverse_field_name()
        rows = through.objects.filter(measure_id__in=list(pairs)).values_list(
            "measure_id", f"{column}_id"
        )
        through.objects.bulk_create(
            [through(**{"measure_id": pairs[m], f"{column}_id": other}) for m, other in rows]
        )


@transaction.atomic
def amend_start(*, roadmap: Roadmap, by: Any = None) -> Roadmap:
    """«Внести изменения»: a draft copy of the approved roadmap (the header, the sections and
    the measures with their owners, schools and deadline readings, hand corrections too), each
    row knowing the row in force it was copied from (`source`). One open draft at a time: when
    there is one, it is returned. ValidationError (in Russian) for a roadmap not approved."""
    roadmap = Roadmap.objects.select_for_update().get(pk=roadmap.pk)
    if roadmap.amends_id is not None:
        raise ValidationError(_("Это уже проект изменений: его редактируют, а не изменяют."))
    if roadmap.status != Roadmap.Status.APPROVED:
        raise ValidationError(
            _("Изменения вносят в утверждённую дорожную карту; проект редактируют напрямую.")
        )
    if (draft := open_amendment(roadmap)) is not None:
        return draft
    draft = Roadmap.objects.create(
        amends=roadmap,
        municipality_id=roadmap.municipality_id,
        starts_on=roadmap.starts_on,
        ends_on=roadmap.ends_on,
        level=roadmap.level,
        school_id=roadmap.school_id,
        status=Roadmap.Status.DRAFT,
        **{name: getattr(roadmap, name) for name in HEADER},
    )
    sections = list(roadmap.sections.order_by("position"))
    copies = Section.objects.bulk_create(
        [
            Section(
                roadmap=draft,
                source=section,
                position=section.position,
                number=section.number,
                number_typed=section.number_typed,
                title=section.title,
            )
            for section in sections
        ]
    )
    section_of = {s.pk: c for s, c in zip(sections, copies, strict=True)}
    originals = list(roadmap.measures.with_deadline().order_by("position"))
    measures = []
    for original in originals:
        measure = Measure(
            roadmap=draft,
            source=original,
            section=section_of.get(original.section_id),
            position=original.position,
            **{name: getattr(original, name) for name in COPIED_MEASURE_FIELDS},
        )
        measure._pending_due_dates = list(original.current_due_dates)
        measures.append(measure)
    services.measures_create(measures)
    _copy_links({o.pk: m.pk for o, m in zip(originals, measures, strict=True)})
    return draft


def _reports_on(measure_ids: list[int]) -> int:
    return Report.objects.filter(occurrence__measure__in=measure_ids).count()


def removal_problem(titles: list[str], reports: int) -> str:
    """The refusal to drop measures of the roadmap in force that schools reported on."""
    return _(
        "Нельзя исключить мероприятия, по которым школы уже отчитывались (отчётов: "
        "%(count)s): %(titles)s. Отчёты — подтверждение выполнения, они остаются при своих "
        "мероприятиях; измените формулировку или срок мероприятия вместо исключения."
    ) % {"count": reports, "titles": "; ".join(titles)}


@transaction.atomic
def approve(*, roadmap: Roadmap, act: LegalAct, appendix_number: str = "") -> RoadmapEdition:
    """`act` (signed) approves the draft roadmap: it is approved by that act, locked for the
    editor, and its content is kept as its next edition. A draft of changes (`amends` set) is
    written onto the roadmap in force instead (`_apply_amendment`). The caller holds the act's
    lock. All or nothing: ValidationError (in Russian) and nothing changed."""
    draft = Roadmap.objects.select_for_update().get(pk=roadmap.pk)
    # the caller marks the act signed (before or after this call, in its transaction); an act
    # that cannot be signed — no number or no date — approves nothing
    if not act.number or not act.date:
        raise ValidationError(
            _("Утверждает дорожную карту только подписанный документ с номером и датой.")
        )
    if draft.amends_id is not None:
        return _apply_amendment(draft=draft, act=act)
    if draft.status != Roadmap.Status.DRAFT:
        raise ValidationError(
            _("Дорожная карта «%(title)s» уже утверждена.") % {"title": draft.title}
        )
    draft.status = Roadmap.Status.APPROVED
    draft.approved_by = act
    draft.appendix_number = appendix_number
    draft.version += 1
    draft.save(update_fields=["status", "approved_by", "appendix_number", "version"])
    return record(roadmap=draft, act=act)


def _apply_amendment(*, draft: Roadmap, act: LegalAct) -> RoadmapEdition:
    """Write the draft of changes onto the roadmap in force (the same rows, so that reports
    stay on their measures), add `act` to its amending acts, keep edition N+1, delete the
    draft. (roadmap, position) is unique at commit (deferred), so rows may pass through each
    other's places on the way."""
    roadmap = Roadmap.objects.select_for_update().get(pk=draft.amends_id)
    if problem := services._act_problem(act, roadmap.municipality_id):
        raise ValidationError(problem)
    period_changed = (draft.starts_on, draft.ends_on) != (roadmap.starts_on, roadmap.ends_on)
    roadmap.starts_on, roadmap.ends_on = draft.starts_on, draft.ends_on
    # the sections: updated by source, new ones created, the others deleted at the end
    old_sections = {s.pk: s for s in roadmap.sections.all()}
    target: dict[int, Section] = {}
    for copy in draft.sections.order_by("position"):
        section = old_sections.get(copy.source_id) or Section(roadmap=roadmap)
        for name in ("position", "number", "number_typed", "title"):
            setattr(section, name, getattr(copy, name))
        target[copy.pk] = section
    kept_sections = [s for s in target.values() if s.pk is not None]
    Section.objects.bulk_update(kept_sections, ["position", "number", "number_typed", "title"])
    Section.objects.bulk_create([s for s in target.values() if s.pk is None])
    # the measures: removed ones first (refused when schools reported on them)
    old_measures = {m.pk: m for m in roadmap.measures.with_deadline()}
    drafted = list(draft.measures.with_deadline().order_by("position"))
    kept = {m.source_id for m in drafted if m.source_id in old_measures}
    removed = [pk for pk in old_measures if pk not in kept]
    if removed and (reports := _reports_on(removed)):
        reported = set(
            Report.objects.filter(occurrence__measure__in=removed).values_list(
                "occurrence__measure", flat=True
            )
        )
        titles = [str(old_measures[pk]) for pk in removed if pk in reported]
        raise ValidationError(removal_problem(titles, reports))
    Measure.objects.filter(pk__in=removed).delete()
    changed, placed, created, pairs = [], [], [], {}
    for copy in drafted:
        measure = old_measures.get(copy.source_id) or Measure()
        measure.roadmap = roadmap
        due_dates = list(copy.current_due_dates)
        before = None
        if measure.pk is not None:
            before = _content(measure, list(measure.current_due_dates))
            place = (measure.position, measure.section_id)
        section = target.get(copy.section_id)
        measure.section = section
        measure.position = copy.position
        for name in COPIED_MEASURE_FIELDS:
            setattr(measure, name, getattr(copy, name))
        measure._pending_due_dates = due_dates
        if measure.pk is None:
            created.append(measure)
        elif before != _content(measure, due_dates) or period_changed:
            measure.version += 1
            changed.append(measure)
        elif place != (measure.position, measure.section_id):
            placed.append(measure)
        pairs[copy.pk] = measure
    Measure.objects.bulk_update(changed, ["section", "position", "version", *COPIED_MEASURE_FIELDS])
    Measure.objects.bulk_update(placed, ["section", "position"])
    services.measures_create(created)
    for measure in changed:
        services.sync_occurrences(measure)
    # the sections the draft no longer has (their measures are elsewhere or gone by now)
    Section.objects.filter(roadmap=roadmap).exclude(pk__in=[s.pk for s in target.values()]).delete()
    # the links, as the draft has them
    ids = [m.pk for m in pairs.values()]
    for name in LINKS:
        getattr(Measure, name).through.objects.filter(measure_id__in=ids).delete()
    _copy_links({copy_pk: m.pk for copy_pk, m in pairs.items()})
    # the header; the order's appendix now carries the roadmap in force
    for name in HEADER:
        setattr(roadmap, name, getattr(draft, name))
    roadmap.version += 1
    ActAppendix.objects.filter(roadmap=draft).update(roadmap=roadmap)
    draft.delete()
    try:
        with transaction.atomic():
            roadmap.save(update_fields=[*HEADER, "starts_on", "ends_on", "version"])
    except IntegrityError:
        raise ValidationError(services.roadmap_exists(roadmap.title)) from None
    roadmap.amended_by.add(act)
    return record(roadmap=roadmap, act=act)


def _content(measure: Measure, due_dates: list) -> tuple:
    """What a person changes in a measure (not its place)."""
    return (
        measure.section_id,
        *(getattr(measure, name) for name in COPIED_MEASURE_FIELDS),
        tuple(sorted(due_dates)),
    )


# --- Reading and comparing editions --------------------------------------------------------


def draft_content(draft: Roadmap) -> dict[str, Any]:
    """The draft of changes as an edition's content would hold it, its rows keyed by the rows
    in force they were copied from (new rows: «new-<pk>»), so that it compares with editions."""
    content = snapshot(draft)
    sources = dict(draft.sections.values_list("pk", "source_id"))
    sources.update(
        {("m", pk): source for pk, source in draft.measures.values_list("pk", "source_id")}
    )
    for section in content["sections"]:
        section["id"] = sources.get(section["id"]) or f"new-s{section['id']}"
    for measure in content["measures"]:
        if measure["section_id"] is not None:
            measure["section_id"] = sources.get(measure["section_id"]) or (
                f"new-s{measure['section_id']}"
            )
        measure["id"] = sources.get(("m", measure["id"])) or f"new-{measure['id']}"
    return content


def visible_content(
    content: dict[str, Any], *, measure_ids: set[int] | None, school_names: set[str]
) -> dict[str, Any]:
    """The content as a reader sees it: all of it (`measure_ids` None), or for a director the
    measures that concern their schools — the measures they see today, and in an older edition
    those for all designated schools or naming their school."""
    if measure_ids is None:
        return content
    measures = [
        m
        for m in content.get("measures", [])
        if m["id"] in measure_ids
        or m.get("all_designated_schools")
        or school_names & set(m.get("schools", []))
    ]
    return {**content, "measures": measures}


def content_rows(content: dict[str, Any]) -> list[dict[str, Any]]:
    """The table of a content in print order, as `selectors.roadmap_rows` gives the roadmap's:
    the measures before the first section, then each section followed by its measures (a
    section none of whose measures the reader sees is left out, unless it has none)."""
    by_section: dict[Any, list[dict]] = {}
    for measure in content.get("measures", []):
        by_section.setdefault(measure["section_id"], []).append(measure)
    rows: list[dict[str, Any]] = [{"measure": m} for m in by_section.get(None, [])]
    for section in content.get("sections", []):
        if section["id"] not in by_section:
            continue
        rows.append({"section": section})
        rows.extend({"measure": m} for m in by_section[section["id"]])
    return rows


def _header_labels() -> dict[str, str]:
    return {
        "title": _("Название"),
        "period": _("Период"),
        "goal": _("Цель"),
        "tasks": _("Задачи"),
        "expected_results": _("Ожидаемые результаты"),
        "legal_basis": _("Основания для разработки"),
        "developers": _("Разработчики"),
        "control": _("Контроль исполнения"),
    }


def _measure_labels() -> dict[str, str]:
    return {
        "title": _("Наименование мероприятия"),
        "owners_text": _("Ответственные исполнители"),
        "deadline_text": _("Сроки реализации"),
        "planned_result": _("Планируемый результат"),
        "section": _("Раздел"),
        "schools": _("Касается школ"),
    }


def _text_change(label: str, before: str, after: str) -> dict[str, Any]:
    """A changed field: its word diff (one definition: `history.word_diff`), in full."""
    return {"label": label, "diff": word_diff(before or "", after or "", context=10**6)}


def period_text(content: dict[str, Any]) -> str:
    def day(value: str) -> str:
        return ".".join(reversed(value.split("-"))) if value else ""

    return f"{day(content.get('starts_on', ''))} — {day(content.get('ends_on', ''))}"


def _section_name(sections: dict[Any, dict], section_id: Any) -> str:
    section = sections.get(section_id)
    if section is None:
        return ""
    return f"{section['number']} {section['title']}".strip()


def _schools(measure: dict[str, Any]) -> str:
    if measure.get("all_designated_schools", True):
        return _("все школы дорожной карты")
    return ", ".join(measure.get("schools", []))


@dataclass
class Comparison:
    header: list[dict[str, Any]] = field(default_factory=list)
    sections: list[dict[str, Any]] = field(default_factory=list)
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)

    @property
    def moved(self) -> int:
        return sum(1 for change in self.changed if change["moved"])

    @property
    def empty(self) -> bool:
        return not (self.header or self.sections or self.added or self.removed or self.changed)

    @property
    def summary(self) -> str:
        """«добавлено 2, исключено 1, изменено 3»."""
        parts = [
            _("добавлено %(count)s") % {"count": len(self.added)},
            _("исключено %(count)s") % {"count": len(self.removed)},
            _("изменено %(count)s") % {"count": len(self.changed)},
        ]
        return ", ".join(parts)


def compare(a: dict[str, Any], b: dict[str, Any]) -> Comparison:
    """What changed from content `a` to content `b` (editions' or a draft's): the header, the
    sections, the measures added, removed and changed (by measure id, a draft's rows by their
    source), a changed number being a move; changed fields as word diffs."""
    result = Comparison()
    labels = _header_labels()
    for name in HEADER:
        if (a.get(name) or "") != (b.get(name) or ""):
            result.header.append(_text_change(labels[name], a.get(name), b.get(name)))
    if period_text(a) != period_text(b):
        result.header.append(_text_change(labels["period"], period_text(a), period_text(b)))
    sections_a = {s["id"]: s for s in a.get("sections", [])}
    sections_b = {s["id"]: s for s in b.get("sections", [])}
    for key in sections_b:
        name_b = _section_name(sections_b, key)
        if key not in sections_a:
            result.sections.append({"kind": "added", "text": name_b})
        elif (name_a := _section_name(sections_a, key)) != name_b:
            result.sections.append({"kind": "changed", **_text_change(_("Раздел"), name_a, name_b)})
    for key in sections_a:
        if key not in sections_b:
            result.sections.append({"kind": "removed", "text": _section_name(sections_a, key)})
    measures_a = {m["id"]: m for m in a.get("measures", [])}
    measures_b = {m["id"]: m for m in b.get("measures", [])}
    labels = _measure_labels()
    for key, after in measures_b.items():
        before = measures_a.get(key)
        if before is None:
            result.added.append(
                {**after, "section": _section_name(sections_b, after["section_id"])}
            )
            continue
        fields = [
            _text_change(labels[name], before.get(name), after.get(name))
            for name in ("title", "owners_text", "deadline_text", "planned_result")
            if (before.get(name) or "") != (after.get(name) or "")
        ]
        section_a = _section_name(sections_a, before["section_id"])
        section_b = _section_name(sections_b, after["section_id"])
        if section_a != section_b:
            fields.append(_text_change(labels["section"], section_a, section_b))
        if _schools(before) != _schools(after):
            fields.append(_text_change(labels["schools"], _schools(before), _schools(after)))
        moved = (before.get("number") or "") != (after.get("number") or "")
        if fields or moved:
            result.changed.append(
                {
                    "id": key,
                    "number_a": before.get("number", ""),
                    "number_b": after.get("number", ""),
                    "title": after.get("title", ""),
                    "moved": moved,
                    "fields": fields,
                }
            )
    for key, before in measures_a.items():
        if key not in measures_b:
            result.removed.append(
                {**before, "section": _section_name(sections_a, before["section_id"])}
            )
    return result


def _act_words(act: LegalAct) -> str:
    """«от 28.04.2023 № 76-Д»."""
    parts = []
    if act.date:
        parts.append(_("от %(date)s") % {"date": act.date.strftime("%d.%m.%Y")})
    if act.number:
        parts.append(act_number(act.number))
    return " ".join(str(part) for part in parts)


def in_force_line(edition: RoadmapEdition, approved_by_id: int | None) -> str:
    """What the roadmap page says of an edition: «Утверждена приказом от 22.02.2021 № 31» (the
    approving act's), «Действует в редакции приказа от 28.04.2023 № 76-Д» (an amending act's:
    a later edition, or the first one of a roadmap amended before editions were kept)."""
    act = edition.act
    kind = LegalAct.Kind(act.kind)
    if edition.act_id == approved_by_id:
        instrumental = {
            LegalAct.Kind.ORDER: _("приказом"),
            LegalAct.Kind.DISPOSITION: _("распоряжением"),
            LegalAct.Kind.RESOLUTION: _("постановлением"),
        }[kind]
        return _("Утверждена %(kind)s %(act)s") % {"kind": instrumental, "act": _act_words(act)}
    genitive = {
        LegalAct.Kind.ORDER: _("приказа"),
        LegalAct.Kind.DISPOSITION: _("распоряжения"),
        LegalAct.Kind.RESOLUTION: _("постановления"),
    }[kind]
    return _("Действует в редакции %(kind)s %(act)s") % {"kind": genitive, "act": _act_words(act)}


def edition_line(edition: RoadmapEdition, approved_by_id: int | None) -> str:
    """What an edition's own page says of it, in force or not: «утверждена приказом от
    22.02.2021 № 31», «изменения утверждены приказом от 28.04.2023 № 76-Д»."""
    act = edition.act
    instrumental = {
        LegalAct.Kind.ORDER: _("приказом"),
        LegalAct.Kind.DISPOSITION: _("распоряжением"),
        LegalAct.Kind.RESOLUTION: _("постановлением"),
    }[LegalAct.Kind(act.kind)]
    if edition.act_id == approved_by_id:
        return _("утверждена %(kind)s %(act)s") % {"kind": instrumental, "act": _act_words(act)}
    return _("изменения утверждены %(kind)s %(act)s") % {
        "kind": instrumental,
        "act": _act_words(act),
    }
