"""The roadmap editor's writes: sections and measures added, moved and deleted in a draft, with
their order and numbers kept right.

Every write locks the roadmap row first (`select_for_update`), so two coordinators editing the
same draft at once take turns: positions stay unique and gap-free. Numbers: a section is «1»,
«2» …, a measure «1.1», «1.2» … «2.1» (the measures before the first section «1», «2» …), unless
the number was typed (or imported): a typed number is kept as typed, and the measures of a
section with a typed number «2.» are numbered «2.1», «2.2» ….
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from measures import services
from measures.models import Measure, Roadmap, Section

Direction = Literal["up", "down"]


def deny_unless_draft(roadmap: Roadmap) -> None:
    """PermissionDenied (with the reason, in Russian) when the roadmap is not a draft."""
    if problem := services.draft_problem(roadmap):
        raise PermissionDenied(problem)


@dataclass
class Group:
    """A section (None: the measures before the first section) and its measures, in order."""

    section: Section | None
    measures: list[Measure]


def _lock(roadmap: Roadmap) -> Roadmap:
    """Lock the roadmap for this transaction; refuse when it is no longer a draft."""
    locked = Roadmap.objects.select_for_update().get(pk=roadmap.pk)
    deny_unless_draft(locked)
    return locked


def _layout(roadmap: Roadmap) -> list[Group]:
    """The roadmap's rows in print order (two queries; the measure rows locked)."""
    sections = list(Section.objects.filter(roadmap=roadmap).order_by("position"))
    groups = [Group(None, [])] + [Group(section, []) for section in sections]
    by_section = {group.section.pk: group for group in groups[1:]}  # type: ignore[union-attr]
    measures = (
        Measure.objects.filter(roadmap=roadmap)
        .select_for_update()
        .only("pk", "roadmap_id", "section_id", "position", "number", "number_typed", "version")
        .order_by("position")
    )
    for measure in measures:
        by_section.get(measure.section_id, groups[0]).measures.append(measure)
    return groups


def _free_numbers(prefix: str, typed: set[str]) -> Callable[[int], str]:
    """Automatic numbers of one list: the row's ordinal («1.3»), or the next one not typed by
    hand on another row of the list (typed «1.1», «1.3» and an automatic third row: «1.4»),
    so that two rows never print the same number. Called with growing ordinals."""
    taken = {number.strip().rstrip(".") for number in typed}
    last = 0

    def number(ordinal: int) -> str:
        nonlocal last
        candidate = max(ordinal, last + 1)
        while f"{prefix}{candidate}" in taken:
            candidate += 1
        last = candidate
        return f"{prefix}{candidate}"

    return number


def _save_layout(groups: list[Group]) -> None:
    """Give the rows their places and automatic numbers; write only what changed (a constant
    number of queries)."""
    sections = [group.section for group in groups if group.section is not None]
    section_changes: dict[int, dict] = {}
    free_section_numbers = _free_numbers("", {s.number for s in sections if s.number_typed})
    for place, section in enumerate(sections, start=1):
        wanted = {"position": place}
        if not section.number_typed:
            wanted["number"] = free_section_numbers(place)
        if any(getattr(section, k) != v for k, v in wanted.items()):
            section_changes[section.pk] = wanted
    measure_changes: dict[int, dict] = {}
    place = 0
    for index, group in enumerate(groups):
        prefix = ""
        if group.section is not None:
            prefix = group.section.number.strip().rstrip(".") or str(index)
            if not group.section.number_typed:
                prefix = section_changes.get(group.section.pk, {}).get(
                    "number", group.section.number
                )
        typed = {m.number for m in group.measures if m.number_typed}
        free_numbers = _free_numbers(f"{prefix}." if prefix else "", typed)
        for ordinal, measure in enumerate(group.measures, start=1):
            place += 1
            section_id = group.section.pk if group.section is not None else None
            wanted = {"position": place, "section_id": section_id}
            if not measure.number_typed:
                wanted["number"] = free_numbers(ordinal)
            if any(getattr(measure, k) != v for k, v in wanted.items()):
                measure_changes[measure.pk] = wanted
    _write(Section, sections, section_changes, ("position", "number"))
    measures = [m for group in groups for m in group.measures]
    _write(Measure, measures, measure_changes, ("position", "number", "section_id", "version"))


def _write(model: type, rows: list, changes: dict[int, dict], fields: tuple[str, ...]) -> None:
    """Write the changed rows, grouped by the fields that changed (most rows of a move or a
    delete only shift their position: one narrow UPDATE for them). (roadmap, position) is
    unique at commit (a deferred constraint), so rows may pass through each other's places."""
    groups: dict[tuple[str, ...], list] = {}
    for row in rows:
        if row.pk not in changes:
            continue
        diff = [name for name, value in changes[row.pk].items() if getattr(row, name) != value]
        # an open edit form of a renumbered or moved-out measure is stale now (its number or
        # section changed); a shift of position alone leaves it as it was
        if model is Measure and {"number", "section_id"} & set(diff):
            row.version += 1
            diff.append("version")
        for name, value in changes[row.pk].items():
            setattr(row, name, value)
        if diff:
            names = tuple(sorted(name.removesuffix("_id") for name in diff if name in fields))
            groups.setdefault(names, []).append(row)
    for names, changed in groups.items():
        model.objects.bulk_update(changed, list(names))


def renumber(*, roadmap: Roadmap) -> None:
    """Make positions gap-free and automatic numbers right (for a roadmap already locked)."""
    _save_layout(_layout(roadmap))


# --- Sections ---------------------------------------------------------------------------------


@transaction.atomic
def section_add(*, roadmap: Roadmap, title: str, number: str = "") -> Section:
    """A new section at the end of the roadmap; without a number, numbered automatically."""
    roadmap = _lock(roadmap)
    last = Section.objects.filter(roadmap=roadmap).order_by("-position").first()
    section = Section(
        roadmap=roadmap,
        title=title.strip(),
        number=number.strip(),
        number_typed=bool(number.strip()),
        position=(last.position if last else 0) + 1,
    )
    services.section_save(section=section)
    renumber(roadmap=roadmap)
    section.refresh_from_db()
    return section


@transaction.atomic
def section_update(
    *,
    section: Section,
    title: str,
    number: str,
    expected_version: int | None = None,
    number_opened: str | None = None,
) -> Section:
    """A section's title and number: an empty number is automatic again; a number that differs
    from the automatic one is typed and kept. StaleEdit (nothing saved) when someone changed
    the section after `expected_version`.

    Versions: a person's change of the title or the number makes the section's open forms
    stale; the automatic renumbering and moves (`_write`) do not — so `number_opened`, the
    number as the form showed it, tells an automatic number left as it was (and renumbered
    meanwhile) from a number typed now."""
    roadmap = _lock(section.roadmap)
    current = Section.objects.get(pk=section.pk)
    before = current.number if number_opened is None else number_opened
    section.title = title.strip()
    section.number_typed = typed_number(before, current.number_typed, number)
    # an automatic number is renumber()'s: left as it is now, so that it is no change
    section.number = number.strip() if section.number_typed else current.number
    services.section_save(section=section, expected_version=expected_version)
    renumber(roadmap=roadmap)
    section.refresh_from_db()
    return section


@transaction.atomic
def section_move(*, section: Section, direction: Direction) -> bool:
    """Swap the section with its neighbour (its measures go with it). False at the edge."""
    groups = _layout(_lock(section.roadmap))
    index = next(i for i, g in enumerate(groups) if g.section and g.section.pk == section.pk)
    other = index - 1 if direction == "up" else index + 1
    if other < 1 or other >= len(groups):
        return False
    groups[index], groups[other] = groups[other], groups[index]
    _save_layout(groups)
    return True


@transaction.atomic
def section_delete(*, section: Section) -> None:
    """Delete a section with its measures (refused, in Russian, when schools reported on
    them), then renumber."""
    roadmap = _lock(section.roadmap)
    services.row_delete(row=section)
    renumber(roadmap=roadmap)


# --- Measures ---------------------------------------------------------------------------------


def typed_number(before: str, before_typed: bool, submitted: str) -> bool:
    """Whether a submitted number is the coordinator's own: empty is automatic; a typed number
    stays typed; an automatic number left as it was stays automatic."""
    submitted = submitted.strip()
    if not submitted:
        return False
    return before_typed or submitted != before


@transaction.atomic
def measure_add(*, measure: Measure, links: dict | None = None) -> Measure:
    """A new measure (`Measure(roadmap=…, section=…)` with its text) at the end of its section
    (or of the measures before the first section); its deadline read and its control dates
    made by `services.measure_save`."""
    roadmap = _lock(measure.roadmap)
    measure.roadmap = roadmap
    measure.number = measure.number.strip()
    measure.number_typed = bool(measure.number)
    last = Measure.objects.filter(roadmap=roadmap).order_by("-position").first()
    measure.position = (last.position if last else 0) + 1
    services.measure_save(measure=measure, links=links)
    renumber(roadmap=roadmap)
    measure.refresh_from_db(fields=["position", "number", "section", "version"])
    return measure


@transaction.atomic
def measure_update(
    *,
    measure: Measure,
    number_before: tuple[str, bool],
    expected_version: int | None,
    links: dict | None = None,
) -> Measure:
    """Save a measure edited in place (`services.measure_save`: StaleEdit on a stale form),
    its number typed or automatic by `typed_number` from `number_before` (number, typed) as
    the form was opened."""
    roadmap = _lock(measure.roadmap)
    measure.number_typed = typed_number(*number_before, measure.number)
    services.measure_save(measure=measure, expected_version=expected_version, links=links)
    if not measure.number_typed:
        renumber(roadmap=roadmap)
        measure.refresh_from_db(fields=["number", "version"])
    return measure


@transaction.atomic
def measure_move(*, measure: Measure, direction: Direction) -> bool:
    """Move a measure one row up or down in the roadmap's order: past its neighbour in the
    section, or, at the section's edge, into the neighbouring section (at its end going up,
    at its start going down). False at the roadmap's edge."""
    groups = _layout(_lock(measure.roadmap))
    at = next((g, i) for g in groups for i, m in enumerate(g.measures) if m.pk == measure.pk)
    group, index = at
    rows = group.measures
    step = -1 if direction == "up" else 1
    if 0 <= index + step < len(rows):
        rows[index], rows[index + step] = rows[index + step], rows[index]
    else:
        g = groups.index(group) + step
        # the measures before the first section are a group only when there are some
        while 0 <= g < len(groups) and groups[g].section is None and not groups[g].measures:
            g += step
        if not 0 <= g < len(groups):
            return False
        moved = rows.pop(index)
        if direction == "up":
            groups[g].measures.append(moved)
        else:
            groups[g].measures.insert(0, moved)
    _save_layout(groups)
    return True


@transaction.atomic
def measure_delete(*, measure: Measure) -> None:
    """Delete a measure (refused, in Russian, when schools reported on it), then renumber."""
    roadmap = _lock(measure.roadmap)
    services.row_delete(row=measure)
    renumber(roadmap=roadmap)


@transaction.atomic
def roadmap_create(*, roadmap: Roadmap) -> Roadmap:
    """A new roadmap, made in the browser: a draft (ValidationError, nothing saved, when a
    rule of `services.roadmap_save` is broken)."""
    roadmap.status = Roadmap.Status.DRAFT
    roadmap.level = Roadmap.Level.MUNICIPAL
    try:
        with transaction.atomic():
            return services.roadmap_save(roadmap=roadmap)
    except IntegrityError:  # the same roadmap made a moment ago (a second click, a colleague)
        roadmap.pk = None
        raise ValidationError({"title": services.roadmap_exists(roadmap.title)}) from None


@transaction.atomic
def roadmap_update(*, roadmap: Roadmap, expected_version: int | None = None) -> Roadmap:
    """A draft's header (a changed period re-reads its deadlines: `services.roadmap_save`);
    StaleEdit (nothing saved) when someone saved it after `expected_version`."""
    _lock(roadmap)
    return services.roadmap_save(roadmap=roadmap, expected_version=expected_version)


@transaction.atomic
def roadmap_delete(*, roadmap: Roadmap) -> None:
    """Delete a draft with its sections and measures (ValidationError when schools reported)."""
    services.row_delete(row=_lock(roadmap))


def refuse(error: ValidationError) -> str:
    """A ValidationError's messages as one Russian sentence for the page."""
    return " ".join(error.messages)
