"""Writes to roadmaps and measures. Each function is one transaction."""

from __future__ import annotations

import calendar
import functools
import hashlib
import re
from dataclasses import replace
from datetime import date, timedelta
from functools import partial
from typing import Any

import pghistory
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from measures.deadlines import Deadline, parse_deadline
from measures.importing import (
    FIELDS,
    FileRefused,
    ImportProblem,
    Parsed,
    check_file,
    period_problem,
    read_roadmap_file,
)
from measures.models import (
    LegalAct,
    Measure,
    Occurrence,
    Report,
    Roadmap,
    RoadmapImport,
    Section,
)
from measures.selectors import designated_schools
from roadmap_portal.concurrency import save_versioned
from roadmap_portal.text import clean_text
from schools.models import Municipality, Organisation, Person, SchoolDesignation, WorkingGroup
from schools.selectors import organisations_serving
from schools.services import organisation_serves


class ImportRefused(Exception):
    """The import cannot be saved; `errors` lists every reason, each with its row."""

    def __init__(self, errors: list[dict[str, Any]], parsed: Parsed | None = None) -> None:
        super().__init__("; ".join(error["message"] for error in errors))
        self.errors = errors
        self.parsed = parsed  # what was understood of the file, when it was read

    @classmethod
    def because(cls, message: str) -> ImportRefused:
        """Refused for one reason that belongs to the whole file, not to a row."""
        return cls([file_problem(message)])


def file_problem(message: str) -> dict[str, Any]:
    return {"row": None, "column": None, "message": message}


def _already_imported(municipality: Municipality, sha256: str) -> str | None:
    """The message for a file this municipality has imported before, or None."""
    previous = (
        RoadmapImport.objects.filter(municipality=municipality, sha256=sha256, status="done")
        .exclude(roadmap=None)
        .select_related("roadmap")
        .first()
    )
    if previous is None:
        return None
    return _("Этот файл уже импортирован: «%(title)s».") % {"title": previous.roadmap.title}


def roadmap_period(roadmap: Roadmap) -> tuple[date, date]:
    return roadmap.starts_on, roadmap.ends_on


def apply_deadline(measure: Measure, deadline: Deadline) -> None:
    """Put the engine's reading of the deadline text on the measure (not saved); a thin name
    for `Measure.set_deadline`, which the import and the copy call."""
    measure.set_deadline(deadline)


def quarter_ends(starts_on: date, ends_on: date) -> list[date]:
    """The last day of each quarter of a period: three-month blocks from its first day (an
    academic-year period's quarters end in November, February, May and August), the last one
    cut at the period's end."""
    ends = []
    first = starts_on
    while first <= ends_on:
        end = min(_add_months(first, 3) - timedelta(days=1), ends_on)
        ends.append(end)
        first = end + timedelta(days=1)
    return ends


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def wanted_occurrences(measure: Measure) -> dict[date, str]:
    """The occurrences a measure should have: its control dates; or, when its deadline gives
    none (постоянно, по мере необходимости, по графику другого органа, not read), a quarterly
    status note over the roadmap's period."""
    if due_dates := measure.deadline.due_dates:
        return {day: Occurrence.Kind.DUE for day in due_dates}
    starts_on, ends_on = roadmap_period(measure.roadmap)
    return {day: Occurrence.Kind.QUARTER for day in quarter_ends(starts_on, ends_on)}


def sync_occurrences(measure: Measure) -> None:
    """Make the measure's occurrences match its reading's due dates (or quarterly notes).

    An occurrence that already has school reports is kept even when its date is no longer
    due: reports are evidence and are never deleted by an edit. It is kept retired (not a
    current control date of the measure; the reports on it still count where they counted);
    a retired one whose date comes back is current again, of the kind now wanted."""
    wanted = wanted_occurrences(measure)
    existing = {o.due_on: o for o in measure.occurrences.all()}
    gone = [day for day, o in existing.items() if day not in wanted]
    if gone:
        measure.occurrences.filter(due_on__in=gone, reports__isnull=True).delete()
        measure.occurrences.filter(due_on__in=gone, retired=False).update(retired=True)
    for day, o in existing.items():
        if day in wanted and (o.retired or o.kind != wanted[day]):
            Occurrence.objects.filter(pk=o.pk).update(kind=wanted[day], retired=False)
    Occurrence.objects.bulk_create(
        [
            Occurrence(measure=measure, due_on=day, kind=kind)
            for day, kind in sorted(wanted.items())
            if day not in existing
        ]
    )
    # the reading's due dates are now the occurrences; read them from there from now on
    measure._prefetched_objects_cache = {}


def measures_create(measures: list[Measure]) -> None:
    """Save new measures, each with its reading already set, and their occurrences, in two
    queries (an import's confirm, a roadmap's copy)."""
    Measure.objects.bulk_create(measures)
    Occurrence.objects.bulk_create(
        [
            Occurrence(measure=m, due_on=day, kind=kind)
            for m in measures
            for day, kind in sorted(wanted_occurrences(m).items())
        ]
    )


def roadmap_exists(title: str) -> str:
    """The refusal of a second roadmap with the same title and period in a municipality (the
    unique constraint), in Russian: for the import, the copy and the editor alike."""
    return _("Дорожная карта «%(title)s» за этот период уже есть в муниципалитете.") % {
        "title": title
    }


def draft_problem(roadmap: Roadmap) -> str | None:
    """Why the roadmap's content (sections, measures, their deadlines) may not be changed, in
    Russian, or None: only a draft is edited; an approved roadmap is changed by an amendment."""
    if roadmap.status == Roadmap.Status.DRAFT:
        return None
    return _(
        "Дорожная карта «%(title)s» — «%(status)s»: изменять и удалять можно только проект. "
        "Утверждённую дорожную карту меняют документом о внесении изменений («Внести "
        "изменения»)."
    ) % {"title": roadmap.title, "status": roadmap.get_status_display()}


def stored_draft_problem(roadmap_id: int | None, *, lock: bool = False) -> str | None:
    """`draft_problem` of the roadmap as it is stored (not as a form has it in memory: the
    admin approves a roadmap and saves its sections in one request); `lock` keeps its row
    locked for the transaction, so that it cannot be approved while its content changes."""
    if roadmap_id is None:
        return None
    rows = Roadmap.objects.only("pk", "title", "status")
    roadmap = (rows.select_for_update() if lock else rows).filter(pk=roadmap_id).first()
    return draft_problem(roadmap) if roadmap is not None else None


def check_draft(roadmap_id: int | None) -> None:
    """ValidationError (the reason, in Russian) unless the roadmap is a draft, its row locked.
    Every write of a section or a measure passes here: the editor, the measure page, the
    deadline correction and the admin alike."""
    if problem := stored_draft_problem(roadmap_id, lock=True):
        raise ValidationError(problem)


@transaction.atomic
def measure_save(
    *,
    measure: Measure,
    expected_version: int | None = None,
    links: dict[str, Any] | None = None,
) -> Measure:
    """Save a measure edited by a person (or made new); re-read its deadline unless it was
    corrected by hand; its occurrences follow the reading. `links`: the owners and schools to
    set (`{"owners": [...], "owner_organisations": [...], "schools": [...]}`), when given;
    given owners and the owners text are made to agree (`reconcile_owners`), given schools
    are checked against the roadmap's (`check_measure_schools`).

    StaleEdit (nothing saved) when someone saved the measure after `expected_version`;
    ValidationError (in Russian, nothing saved) when its section belongs to another roadmap
    or a link to another municipality, or the roadmap is not a draft."""
    check_draft(measure.roadmap_id)
    check_measure(measure, draft=False)
    links = reconcile_owners(measure, links) if links else {}
    check_measure_links(measure, links)
    check_measure_schools(measure, links)
    if not measure.deadline_corrected:
        measure.set_deadline(parse_deadline(measure.deadline_text, roadmap_period(measure.roadmap)))
    if measure.pk is None:
        measure.save()
    else:
        save_versioned(measure, expected_version)
    sync_occurrences(measure)
    for name, rows in (links or {}).items():
        getattr(measure, name).set(rows)
    return measure


@transaction.atomic
def measure_correct_deadline(
    *,
    measure: Measure,
    reading: Deadline | None = None,
    expected_version: int | None = None,
    **fields: Any,
) -> Measure:
    """A person's reading of the deadline replaces the engine's; later edits keep it.

    The reading is `reading` with `fields` (Deadline's: kind, start, end, due_dates,
    recurrence, external_body) put over it, or `fields` alone."""
    check_draft(measure.roadmap_id)
    reading = replace(
        reading or Deadline(text=measure.deadline_text),
        **fields,
        text=measure.deadline_text,
        needs_review=False,
        note=_("Срок уточнён вручную."),
    )
    measure.set_deadline(reading, corrected=True)
    save_versioned(measure, expected_version)
    sync_occurrences(measure)
    return measure


@transaction.atomic
def measure_reset_deadline(*, measure: Measure, expected_version: int | None = None) -> Measure:
    """Forget the manual correction and read the deadline text again."""
    measure.deadline_corrected = False
    return measure_save(measure=measure, expected_version=expected_version)


# --- Tenant rules: every write of a roadmap, a section, a measure or an act checks them ------


def _issuer_problem(issuer: Organisation, municipality_id: int) -> str | None:
    """Why `issuer` may not issue acts for the municipality: it does not serve it
    (`organisation_serves`: neither one of the municipality's own organisations nor a
    regional body of its region nor a federal body)."""
    if organisation_serves(issuer, municipality_id):
        return None
    return _(
        "Документ издал(а) «%(issuer)s» — организация другого муниципалитета. Утверждать "
        "и изменять дорожную карту могут органы этого муниципалитета, региональные и "
        "федеральные органы."
    ) % {"issuer": issuer.short_name or issuer.name}


def _act_problem(act: LegalAct, municipality_id: int) -> str | None:
    """Why a roadmap of the municipality may not cite `act`: the act is another
    municipality's (every act has its municipality, a regional or federal body's too), or its
    issuer does not serve the municipality."""
    if act.municipality_id != municipality_id:
        return _(
            "Документ «%(act)s» относится к другому муниципалитету (%(municipality)s): "
            "дорожную карту утверждают и изменяют документы её муниципалитета."
        ) % {"act": act, "municipality": act.municipality}
    return _issuer_problem(act.issuer, municipality_id)


def check_roadmap(roadmap: Roadmap, amended_by: Any = ()) -> None:
    """ValidationError (in Russian, by field) when the roadmap points outside its municipality:
    an approving or amending act of another municipality or whose issuer does not serve it, a
    school of another municipality; or when a saved roadmap with measures is moved to another
    municipality (its measures' owners, schools and reports stay the old municipality's)."""
    errors: dict[str, list[str]] = {}
    for field, acts in (("approved_by", [roadmap.approved_by]), ("amended_by", amended_by)):
        for act in acts:
            problem = act and _act_problem(act, roadmap.municipality_id)
            if problem:
                errors.setdefault(field, []).append(problem)
    if roadmap.school is not None and roadmap.school.municipality_id != roadmap.municipality_id:
        errors["school"] = [
            _("Школа «%(school)s» относится к другому муниципалитету.") % {"school": roadmap.school}
        ]
    if (
        roadmap.pk is not None
        and Roadmap.objects.filter(pk=roadmap.pk, measures__isnull=False)
        .exclude(municipality_id=roadmap.municipality_id)
        .exists()
    ):
        errors["municipality"] = [
            _(
                "В дорожной карте есть мероприятия (%(count)s): их ответственные и школы — "
                "прежнего муниципалитета, поэтому муниципалитет дорожной карты изменить нельзя."
            )
            % {"count": roadmap.measures.count()}
        ]
    if roadmap.pk is not None and roadmap.status != Roadmap.Status.DRAFT:
        before = Roadmap.objects.filter(pk=roadmap.pk).values_list("starts_on", "ends_on").first()
        if before is not None and tuple(before) != roadmap_period(roadmap):
            errors.setdefault("ends_on", []).append(
                _(
                    "Период утверждённой дорожной карты не меняют: сроки её мероприятий "
                    "утверждены вместе с ней. Измените период в проекте."
                )
            )
    if errors:
        raise ValidationError(errors)


def check_measure(measure: Measure, *, draft: bool = True) -> None:
    """ValidationError (in Russian) when the roadmap is not a draft (unless `draft` is False:
    the caller has checked it under the lock), or the measure's section belongs to another
    roadmap."""
    if draft and (problem := stored_draft_problem(measure.roadmap_id)):
        raise ValidationError(problem)
    if measure.section_id is not None and measure.section.roadmap_id != measure.roadmap_id:
        raise ValidationError(
            {
                "section": _(
                    "Раздел «%(section)s» относится к другой дорожной карте; выберите раздел "
                    "дорожной карты «%(roadmap)s»."
                )
                % {"section": measure.section, "roadmap": measure.roadmap}
            }
        )


def check_legal_act(act: LegalAct) -> None:
    """ValidationError (in Russian, by field) when the act's issuer does not serve its
    municipality, or when the rows that cite the act would be left in another municipality:
    a roadmap (it cites only its municipality's acts), a working group or a school's
    designation (they may cite another municipality's act of a body that serves them)."""
    if act.issuer_id is not None and (problem := _issuer_problem(act.issuer, act.municipality_id)):
        raise ValidationError({"issuer": problem})
    if act.pk is None or act.municipality_id is None:
        return
    citing = [
        _("дорожная карта «%(row)s» (%(municipality)s)")
        % {"row": r, "municipality": r.municipality}
        for r in Roadmap.objects.filter(Q(approved_by=act) | Q(amended_by=act))
        .exclude(municipality_id=act.municipality_id)
        .select_related("municipality")
        .distinct()
    ]
    if act.issuer_id is not None:
        citing += [
            _("рабочая группа «%(row)s» (%(municipality)s)")
            % {"row": g, "municipality": g.municipality}
            for g in WorkingGroup.objects.filter(act=act)
            .exclude(municipality_id=act.municipality_id)
            .select_related("municipality")
            if not organisation_serves(act.issuer, g.municipality_id, g.municipality.region_id)
        ]
        citing += [
            _("школа «%(row)s» (%(municipality)s)")
            % {"row": d.school, "municipality": d.school.municipality}
            for d in SchoolDesignation.objects.filter(basis_act=act)
            .exclude(school__municipality_id=act.municipality_id)
            .select_related("school__municipality")
            if not organisation_serves(
                act.issuer, d.school.municipality_id, d.school.municipality.region_id
            )
        ]
    if citing:
        raise ValidationError(
            {
                "municipality": _(
                    "На документ ссылаются записи другого муниципалитета: %(rows)s. "
                    "Для них документ должен остаться прежним: сначала уберите ссылки."
                )
                % {"rows": "; ".join(citing)}
            }
        )


def check_section(section: Section, *, draft: bool = True) -> None:
    """ValidationError (in Russian) when a section moved to another roadmap would leave its
    measures in a roadmap it no longer belongs to; or when the roadmap is not a draft."""
    if draft and (problem := stored_draft_problem(section.roadmap_id)):
        raise ValidationError(problem)
    if section.pk is not None and section.measures.exclude(roadmap_id=section.roadmap_id).exists():
        raise ValidationError(
            {
                "roadmap": _(
                    "В разделе есть мероприятия дорожной карты «%(roadmap)s»: раздел нельзя "
                    "перенести в другую дорожную карту."
                )
                % {"roadmap": Section.objects.get(pk=section.pk).roadmap}
            }
        )


def check_measure_links(measure: Measure, links: dict[str, Any]) -> None:
    """ValidationError (in Russian, by field) for owners or schools of another municipality
    (the given `links`; and, for a measure moved to another municipality's roadmap, the links
    it keeps): people and schools of the roadmap's municipality; organisations that serve it
    (`organisation_serves`: its own, regional bodies of its region, federal bodies)."""
    municipality_id = measure.roadmap.municipality_id
    kept = [name for name in ("owners", "owner_organisations", "schools") if name not in links]
    if (
        kept
        and measure.pk is not None
        and Measure.objects.filter(pk=measure.pk)
        .exclude(roadmap__municipality_id=municipality_id)
        .exists()
    ):
        # moved to a roadmap of another municipality: the links it keeps must hold there too
        links = {**links, **{name: list(getattr(measure, name).all()) for name in kept}}
    errors = {}
    for name, rows in links.items():
        strangers = [
            str(row)
            for row in rows
            if not (
                organisation_serves(row, municipality_id)
                if name == "owner_organisations"
                else row.municipality_id == municipality_id
            )
        ]
        if strangers:
            errors[name] = _("Из другого муниципалитета: %(names)s.") % {
                "names": ", ".join(strangers)
            }
    if errors:
        raise ValidationError(errors)


OWNER_LINKS = ("owners", "owner_organisations")

Owner = tuple[str, int]  # (the link's name, the row's pk)
Span = tuple[int, int]

_INITIAL = re.compile(r"\w\.")
_QUOTES = str.maketrans(dict.fromkeys("«»“”„‟", '"'))


def _normal(text: str) -> str:
    """The text as names are matched in it, letter for letter (the same length, so a match's
    span is the span in the text): ё as е, case folded, every kind of quotes as «"»."""
    chars = []
    for ch in text:
        folded = "е" if ch in "ёЁ" else ch.casefold()
        chars.append(folded if len(folded) == 1 else ch)
    return "".join(chars).translate(_QUOTES)


def _order_regex(units: list[str]) -> str:
    initial = [bool(_INITIAL.fullmatch(unit)) for unit in units]
    last_initial = max((i for i, flag in enumerate(initial) if flag), default=None)
    # not a letter of a longer word, nor the surname after somebody else's initials
    parts = [r"(?<!\w)(?<!\w\.)(?<!\w\.\s)" if initial[0] else r"(?<!\w)"]
    for i, unit in enumerate(units):
        dotted = len(unit) > 1 and unit.endswith(".")
        word = re.escape(unit[:-1] if dotted else unit)
        if i == last_initial and i == len(units) - 1:
            # the final dot may be missing; not followed by one more initial («Иванова А.П.»)
            parts.append(word + r"(?:\.(?!\s*\w\.)|(?![\w.]))")
        elif i == last_initial:
            parts.append(word + r"(?:\.|(?=\s))\s*")
        else:
            parts.append(word + (r"\." if dotted else "") + r"\s*")
    regex = "".join(parts)
    if regex.endswith(r"\s*"):
        regex = regex[: -len(r"\s*")] + r"(?!\w)"
    return regex


@functools.lru_cache(maxsize=4096)
def _name_patterns(name: str) -> tuple[re.Pattern[str], ...]:
    """A name as it may be printed, to search the `_normal` form of a text with: any case, ё or
    е, any spacing between its words and initials («Бозиев А.Т.», «Бозиев А. Т.»), the
    initials before or after the surname («А.Т. Бозиев»), the final dot optional, not inside a
    longer word nor followed by one more initial."""
    units = re.findall(r"\w+\.?|[^\w\s]", _normal(name))
    if not any(re.match(r"\w", unit) for unit in units):
        return ()  # no letters: nothing to find it by
    orders = [units]
    initial = [bool(_INITIAL.fullmatch(unit)) for unit in units]
    if len(units) > 1 and not initial[0] and all(initial[1:]):
        orders.append(units[1:] + units[:1])
    elif len(units) > 1 and not initial[-1] and all(initial[:-1]):
        orders.append(units[-1:] + units[:-1])
    return tuple(re.compile(_order_regex(order)) for order in orders)


def _owner_names(row: Person | Organisation) -> list[str]:
    """The names a person or an organisation goes by in an owners text, printed one first."""
    if isinstance(row, Person):
        names = [row.short_name, row.full_name]
    else:
        names = [row.short_name, row.name]
    return [name for name in names if name.strip()]


def _owner_spans(text: str, rows: dict[str, dict[int, Any]]) -> dict[Span, set[Owner]]:
    """Where the owners' names are printed in the text, and whose name each place is. Where
    names overlap the longest wins («Иванова Анна Петровна» is not also «Иванова Анна», «УО и
    МП» not also «УО»); a place two owners' same name fills is theirs both."""
    normal = _normal(text)
    found: dict[Span, set[Owner]] = {}
    for name, by_pk in rows.items():
        for pk, row in by_pk.items():
            for owner_name in _owner_names(row):
                for pattern in _name_patterns(owner_name):
                    for match in pattern.finditer(normal):
                        if match.end() > match.start():
                            found.setdefault(match.span(), set()).add((name, pk))
    kept: dict[Span, set[Owner]] = {}
    for span in sorted(found, key=lambda s: (s[0] - s[1], s[0])):
        if all(span[1] <= start or end <= span[0] for start, end in kept):
            kept[span] = found[span]
    return kept


def _text_with(text: str, name: str) -> str:
    text = text.rstrip()
    if not text:
        return name
    return f"{text} {name}" if text[-1] in ",;" else f"{text}, {name}"


_JOINER_BEFORE = re.compile(r"(?:[ \t]*[,;]|[ \t]+и)[ \t]*$", re.IGNORECASE)
_JOINER_AFTER = re.compile(r"[ \t]*[,;][ \t]*|[ \t]+и(?!\w)[ \t]*", re.IGNORECASE)


def _text_without(text: str, spans: list[Span]) -> str:
    """The text without the names at these places, and without the commas, semicolons and «и»
    that joined them to the rest."""
    if not spans:
        return text
    for start, end in sorted(spans, reverse=True):
        left, right = text[:start], text[end:]
        line_before = left.rsplit("\n", 1)[-1]
        line_after = right.split("\n", 1)[0]
        joiner_before = _JOINER_BEFORE.search(line_before)
        joiner_after = _JOINER_AFTER.match(line_after)
        if joiner_before and (joiner_after or not line_after.strip(" \t)")):
            left = left[: len(left) - len(line_before) + joiner_before.start()]
        elif joiner_after and re.search(r"(?:^|\()[ \t]*$", line_before):
            right = right[joiner_after.end() :]
        text = left + right
    text = re.sub(r"\(\s*\)", "", text)
    text = re.sub(r"[ \t]*([,;])(?:[ \t]*[,;])+", r"\1", text)
    text = re.sub(r"[ \t]+([,;)])", r"\1", text)
    text = re.sub(r"\([ \t]+", "(", text)
    lines = [re.sub(r"[ \t]{2,}", " ", line).strip(" \t,;") for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def reconcile_owners(measure: Measure, links: dict[str, Any]) -> dict[str, Any]:
    """Make the measure's owners text and its linked owners agree (not saved; the owners in
    `links` are replaced by the ones to link): a person or an organisation newly linked whose
    name is not in the text is appended to it; one unlinked has its name taken out of it; one
    still linked whose name the person deleted from the text is unlinked; a name of the
    municipality's registry typed into the text (a person's short or full name, an
    organisation's short or full name) links it, when exactly one of them goes by that name.
    Names are found by `_owner_spans`: spelt loosely, and a name inside a longer one printed
    there is not found. Links of the registry of another municipality are left for
    `check_measure_links`."""
    if not any(name in links for name in OWNER_LINKS):
        return links
    municipality = measure.roadmap.municipality
    text = measure.owners_text
    before_text, before = "", {name: set() for name in OWNER_LINKS}
    if measure.pk is not None:
        before_text = (
            Measure.objects.filter(pk=measure.pk).values_list("owners_text", flat=True).first()
            or ""
        )
        before = {
            name: set(getattr(measure, name).values_list("pk", flat=True)) for name in OWNER_LINKS
        }
    registry = {
        "owners": list(Person.objects.filter(municipality=municipality)),
        "owner_organisations": list(organisations_serving(municipality)),
    }
    rows = {
        name: {row.pk: row for row in registry[name]} | {row.pk: row for row in links.get(name, [])}
        for name in OWNER_LINKS
    }
    chosen = {name: {row.pk for row in links[name]} for name in OWNER_LINKS if name in links}
    unlinked = {name: before[name] - pks for name, pks in chosen.items()}
    # unlinked: their names leave the text, unless the place is also a still chosen one's name
    text = _text_without(
        text,
        [
            span
            for span, owners in _owner_spans(text, rows).items()
            if any(pk in unlinked.get(name, ()) for name, pk in owners)
            and not any(pk in chosen.get(name, ()) for name, pk in owners)
        ],
    )
    spans = _owner_spans(text, rows)
    printed = {owner for owners in spans.values() for owner in owners}
    printed_before = {
        owner for owners in _owner_spans(before_text, rows).values() for owner in owners
    }
    linked: dict[str, list[int]] = {name: [] for name in chosen}
    for name, pks in chosen.items():
        for pk in sorted(pks):
            if pk not in rows[name]:
                continue
            in_text = (name, pk) in printed
            if pk in before[name] and not in_text and (name, pk) in printed_before:
                continue  # its name was deleted from the text: unlinked
            if not in_text:
                text = _text_with(text, _owner_names(rows[name][pk])[0])
            linked[name].append(pk)
    # names of the registry typed into the text, each borne by exactly one row
    registered = {(name, row.pk) for name in chosen for row in registry[name]}
    for owners in _owner_spans(text, rows).values():
        if len(owners) != 1:
            continue
        ((name, pk),) = owners
        if (name, pk) in registered and pk not in linked[name] and pk not in unlinked[name]:
            linked[name].append(pk)
    result = dict(links)
    for name, pks in linked.items():
        result[name] = [rows[name][pk] for pk in pks]
    measure.owners_text = text
    return result


def check_measure_schools(measure: Measure, links: dict[str, Any]) -> None:
    """ValidationError (in Russian, on `schools`) when the given schools of a measure for some
    of the roadmap's schools are not the roadmap's (`designated_schools`), none is chosen, or
    a school leaving the measure has reports on it (reports are evidence: they stay counted)."""
    if "schools" not in links:
        return
    roadmap = measure.roadmap
    chosen = {school.pk: school for school in links["schools"]}
    if not measure.all_designated_schools and roadmap.level == Roadmap.Level.MUNICIPAL:
        if not chosen:
            raise ValidationError(
                {"schools": _("Выберите хотя бы одну школу или «Все школы дорожной карты».")}
            )
        allowed = set(
            designated_schools(roadmap).filter(pk__in=chosen).values_list("pk", flat=True)
        )
        strangers = [str(school) for pk, school in chosen.items() if pk not in allowed]
        if strangers:
            raise ValidationError(
                {
                    "schools": _(
                        "Не входят в дорожную карту (не назначены на её период): %(names)s."
                    )
                    % {"names": ", ".join(strangers)}
                }
            )
    if measure.pk is None:
        return
    concerned = (
        designated_schools(roadmap)
        if measure.all_designated_schools or roadmap.level != Roadmap.Level.MUNICIPAL
        else designated_schools(roadmap).none()
    )
    keep = set(concerned.values_list("pk", flat=True)) | set(chosen)
    leaving = (
        Report.objects.filter(occurrence__measure=measure)
        .exclude(school__in=keep)
        .values_list("school__short_name", flat=True)
        .distinct()
    )
    if names := sorted(leaving):
        raise ValidationError(
            {
                "schools": _(
                    "У этих школ уже есть отчёты по мероприятию, их нельзя исключить: %(names)s."
                )
                % {"names": ", ".join(names)}
            }
        )


def deletion_problem(obj: Roadmap | Section | Measure | LegalAct) -> str | None:
    """Why the row may not be deleted, in Russian, or None. Reports are evidence: a roadmap,
    section or measure that schools reported on stays; an act stays while a roadmap cites it."""
    from measures.models import Report

    if isinstance(obj, LegalAct):
        if obj.approved_roadmaps.exists() or obj.amended_roadmaps.exists():
            return _("Документ «%(act)s» нельзя удалить: на него ссылается дорожная карта.") % {
                "act": obj
            }
        return None
    if problem := stored_draft_problem(obj.pk if isinstance(obj, Roadmap) else obj.roadmap_id):
        return problem
    reports = Report.objects.filter(occurrence__measure__in=_measures_of(obj)).count()
    if not reports and isinstance(obj, Section | Measure) and (sources := _source_reports(obj)):
        return _(
            "«%(row)s» нельзя исключить из дорожной карты: по мероприятию действующей редакции "
            "есть отчёты школ (%(count)s). Отчёты — подтверждение выполнения; измените "
            "формулировку или срок вместо исключения."
        ) % {"row": obj, "count": sources}
    if not reports:
        return None
    return _("«%(row)s» нельзя удалить: по мероприятиям есть отчёты школ (%(count)s).") % {
        "row": obj,
        "count": reports,
    }


def _source_reports(obj: Section | Measure) -> int:
    """The reports on the rows in force that a row of a draft of changes was copied from (the
    approving order would delete them with it); 0 outside such a draft."""
    if isinstance(obj, Measure):
        if obj.source_id is None:
            return 0
        sources: Any = [obj.source_id]
    else:
        if obj.roadmap.amends_id is None:
            return 0
        sources = obj.measures.exclude(source=None).values("source")
    return Report.objects.filter(occurrence__measure__in=sources).count()


def _measures_of(obj: Roadmap | Section | Measure) -> Any:
    if isinstance(obj, Measure):
        return [obj]
    return obj.measures.all()


@transaction.atomic
def roadmap_save(
    *, roadmap: Roadmap, amended_by: Any = None, expected_version: int | None = None
) -> Roadmap:
    """Save a roadmap's header (and its amending acts, when given) under the tenant rules;
    a changed period re-reads the deadlines of its measures not corrected by hand.
    ValidationError (nothing saved) when a rule is broken; StaleEdit (nothing saved) when
    someone saved the roadmap after `expected_version` (the version its form was opened on)."""
    period_before = None
    if roadmap.pk is not None:
        period_before = Roadmap.objects.filter(pk=roadmap.pk).values_list("starts_on", "ends_on")[0]
    _save_checked(roadmap, lambda row: check_roadmap(row, amended_by or ()), expected_version)
    if amended_by is not None:
        roadmap.amended_by.set(amended_by)
    if roadmap.status != Roadmap.Status.DRAFT:  # approved here (the admin): its edition 1
        from measures import editions

        editions.ensure_recorded(roadmap)
    if period_before is not None and tuple(period_before) != roadmap_period(roadmap):
        for measure in roadmap.measures.select_related("roadmap"):
            measure.roadmap = roadmap
            measure_save(measure=measure)
    return roadmap


@transaction.atomic
def section_save(*, section: Section, expected_version: int | None = None) -> Section:
    """Save a section of a draft under the tenant rule (ValidationError, nothing saved;
    StaleEdit, nothing saved, when someone saved it after `expected_version`)."""
    check_draft(section.roadmap_id)
    return _save_checked(section, partial(check_section, draft=False), expected_version)


# what a signed order printed by the portal says: it is not changed afterwards (a later order
# changes what it approved)
PRINTED_FIELDS = (
    "municipality_id",
    "kind",
    "issuer_id",
    "number",
    "date",
    "title",
    "place",
    "preamble",
    "items",
    "signatory_name",
    "signatory_position",
)


def signed_act_problem(act: LegalAct) -> str | None:
    """Why this change of a signed act is refused, in Russian, or None. An act that approves or
    amends a roadmap stays signed; one the portal printed (it has appendices) keeps its
    requisites and text. An act recorded from elsewhere (a region's order cited as a basis, an
    imported roadmap's order) may still be corrected."""
    if act.pk is None:
        return None
    stored = LegalAct.objects.filter(pk=act.pk).values("status", *PRINTED_FIELDS).first()
    if stored is None or stored["status"] != LegalAct.Status.SIGNED:
        return None
    in_use = (
        act.editions.exists() or act.approved_roadmaps.exists() or act.amended_roadmaps.exists()
    )
    if act.status != LegalAct.Status.SIGNED and in_use:
        return _(
            "«%(act)s» утвердил дорожную карту: вернуть его в проекты нельзя. Изменения вносят "
            "новым приказом («Внести изменения»)."
        ) % {"act": act}
    printed = act.appendices.exists()
    if printed and any(getattr(act, name) != stored[name] for name in PRINTED_FIELDS):
        return _(
            "«%(act)s» подписан, и его документ сформирован порталом: реквизиты и текст "
            "подписанного приказа не меняются. Изменения вносят новым приказом."
        ) % {"act": act}
    return None


@transaction.atomic
def legal_act_save(*, act: LegalAct) -> LegalAct:
    """Save an act under the tenant rule for its issuer and the rule of a signed act
    (`signed_act_problem`): ValidationError, nothing saved."""

    def check(row: LegalAct) -> None:
        if problem := signed_act_problem(row):
            raise ValidationError(problem)
        check_legal_act(row)

    return _save_checked(act, check)


def _save_checked[M: Roadmap | Section | LegalAct](
    row: M, check: Any, expected_version: int | None = None
) -> M:
    check(row)
    row.full_clean()
    if row.pk is None or isinstance(row, LegalAct):
        row.save()
    else:  # a roadmap or a section: its version grows on a real change
        save_versioned(row, expected_version)
    return row


@transaction.atomic
def row_delete(*, row: Roadmap | Section | Measure | LegalAct) -> None:
    """Delete a roadmap (with its sections and measures), a section (with its measures), a
    measure or an act; ValidationError (in Russian, nothing deleted) when schools reported on
    the measures (`deletion_problem`) or other rows rest on it, or a roadmap's content is
    not a draft's."""
    if isinstance(row, Roadmap | Section | Measure):
        check_draft(row.pk if isinstance(row, Roadmap) else row.roadmap_id)
    if problem := deletion_problem(row):
        raise ValidationError(problem)
    try:
        with transaction.atomic():
            row.delete()
    except ProtectedError:
        raise ValidationError(
            _("«%(row)s» нельзя удалить: на него ссылаются другие записи.") % {"row": row}
        ) from None


# --- Import -----------------------------------------------------------------------------------


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def link_owners(
    municipality: Municipality, measures: list[Measure], *, replace: bool = False
) -> None:
    """Link the owners the portal knows (the municipality's people and organisations) by the
    names printed in each measure's owners text; with `replace`, the links they had go first."""
    people = list(Person.objects.filter(municipality=municipality).only("pk", "short_name"))
    organisations = list(
        Organisation.objects.filter(municipality=municipality).exclude(short_name="")
    )
    person_links, organisation_links = [], []
    PersonLink = Measure.owners.through
    OrganisationLink = Measure.owner_organisations.through
    if replace:
        PersonLink.objects.filter(measure__in=measures).delete()
        OrganisationLink.objects.filter(measure__in=measures).delete()
    for measure in measures:
        owners = _squash(measure.owners_text)
        if not owners:
            continue
        person_links += [
            PersonLink(measure_id=measure.pk, person_id=p.pk)
            for p in people
            if _squash(p.short_name) in owners
        ]
        organisation_links += [
            OrganisationLink(measure_id=measure.pk, organisation_id=o.pk)
            for o in organisations
            if o.short_name in owners
        ]
    PersonLink.objects.bulk_create(person_links)
    OrganisationLink.objects.bulk_create(organisation_links)


def _read_upload(
    municipality: Municipality,
    file_name: str,
    data: bytes,
    period: tuple[date, date],
    columns: dict[int, str] | None = None,
) -> tuple[Parsed, str]:
    """The reading of an upload and its checksum; ImportRefused for an unreadable file (its
    `parsed` keeps what was understood, the columns too, so that the coordinator can reassign
    them). `columns` is the coordinator's choice of the columns' fields."""
    if problem := period_problem(*period):
        raise ImportRefused.because(problem)
    parsed = read_roadmap_file(file_name, data, period, columns)
    if parsed.errors and not parsed.measures and not parsed.sections:
        raise ImportRefused([e.as_dict() for e in parsed.errors], parsed=parsed)
    sha256 = hashlib.sha256(data).hexdigest()
    if message := _already_imported(municipality, sha256):
        parsed.errors.insert(0, ImportProblem(message))
    return parsed, sha256


@transaction.atomic
def roadmap_import_preview(
    *,
    municipality: Municipality,
    file_name: str,
    data: bytes,
    period: tuple[date, date],
    title: str = "",
    user: AbstractBaseUser | None = None,
) -> RoadmapImport:
    """Read an uploaded file and keep what the coordinator will confirm or correct.

    A file that cannot be read at all (wrong type, damaged, no table) is refused with the
    reason and leaves nothing behind. Synchronous: the command line uses it; the web queues
    the file with `roadmap_import_enqueue` and a Celery task reads it.
    """
    file_name = clean_text(file_name)
    parsed, sha256 = _read_upload(municipality, file_name, data, period)
    return _new_import(
        municipality=municipality, file_name=file_name, sha256=sha256, period=period,
        title=title, user=user, parsed=parsed.as_dict(),
        status=RoadmapImport.Status.REFUSED if parsed.errors else RoadmapImport.Status.PREVIEW,
    )  # fmt: skip


def _new_import(
    *,
    municipality: Municipality,
    file_name: str,
    sha256: str,
    period: tuple[date, date],
    title: str,
    user: AbstractBaseUser | None,
    **fields: Any,
) -> RoadmapImport:
    """The import row of an upload, read at once (`roadmap_import_preview`) or queued."""
    return RoadmapImport.objects.create(
        municipality=municipality,
        file_name=clean_text(file_name)[:300],
        sha256=sha256,
        starts_on=period[0],
        ends_on=period[1],
        title=clean_text(title),
        created_by=user,
        **fields,
    )


# --- Import in the background (measures/tasks.py) ------------------------------------------


@transaction.atomic
def roadmap_import_enqueue(
    *,
    municipality: Municipality,
    file_name: str,
    data: bytes,
    period: tuple[date, date],
    title: str = "",
    user: AbstractBaseUser | None = None,
) -> RoadmapImport:
    """Keep an upload «в очереди» and have a worker read it once this transaction commits.

    Only the cheap checks run here (period, type, size, zip bomb, password); reading the
    table is the task's work, so no upload holds a web worker.
    """
    from measures import tasks

    file_name = clean_text(file_name)
    if problem := period_problem(*period):
        raise ImportRefused.because(problem)
    try:
        check_file(file_name, data)
    except FileRefused as exc:
        raise ImportRefused.because(str(exc)) from None
    record = _new_import(
        municipality=municipality, file_name=file_name, sha256=hashlib.sha256(data).hexdigest(),
        period=period, title=title, user=user, data=data, status=RoadmapImport.Status.QUEUED,
    )  # fmt: skip
    tasks.read_import.delay_on_commit(record.pk)
    return record


def _move(import_id: int, from_statuses: tuple[str, ...], to_status: str, **fields: Any) -> bool:
    """A conditional update: True when this caller moved the import on (safe to run twice)."""
    return bool(
        RoadmapImport.objects.filter(pk=import_id, status__in=from_statuses).update(
            status=to_status, updated_at=timezone.now(), **fields
        )
    )


def roadmap_import_read(*, import_id: int) -> RoadmapImport | None:
    """The task's work: read a queued upload into its preview (or its refusal).

    Runs twice safely: the status moves «в очереди» → «файл читается» in its own commit (the
    page shows it), then the reading holds the row locked and finishes only an import still
    being read; a second run finds it read and does nothing. None when there was nothing to do.
    """
    Status = RoadmapImport.Status
    _move(import_id, (Status.QUEUED,), Status.READING)
    with transaction.atomic():
        record = (
            RoadmapImport.objects.select_for_update()
            .select_related("municipality")
            .filter(pk=import_id, status=Status.READING)
            .first()
        )
        if record is None:
            return None
        chosen = record.parsed.get(CHOSEN_COLUMNS) if isinstance(record.parsed, dict) else None
        columns = {int(index): name for index, name in chosen.items()} if chosen else None
        _store_reading(record, (record.starts_on, record.ends_on), columns)
        return record


# The coordinator's choice of columns, kept in `parsed` while the import waits to be read again.
CHOSEN_COLUMNS = "chosen_columns"


def _store_reading(
    record: RoadmapImport, period: tuple[date, date], columns: dict[int, str] | None = None
) -> None:
    """Read the import's file (with the coordinator's choice of columns) into its preview."""
    Status = RoadmapImport.Status
    try:
        parsed, _sha = _read_upload(
            record.municipality, record.file_name, bytes(record.data), period, columns
        )
    except ImportRefused as exc:
        parsed = exc.parsed or Parsed(period=period)
        parsed.errors = [ImportProblem.from_dict(e) for e in exc.errors]
    record.parsed = parsed.as_dict()
    record.status = Status.REFUSED if parsed.errors else Status.PREVIEW
    record.save(update_fields=["parsed", "status", "updated_at"])


@transaction.atomic
def roadmap_import_reassign(
    *, roadmap_import: RoadmapImport, columns: dict[int, str]
) -> RoadmapImport:
    """Queue the import's file to be read again with the columns' fields the coordinator chose
    in the preview (column index → field, "" for a column not taken): the choice is kept, the
    import goes back «в очереди» and the read task (the upload's) makes the new preview, which
    the confirm saves; no file is read in the web request. ImportRefused (nothing changed)
    when the import is no longer a preview, its file is gone, or a field is unknown."""
    from measures import tasks

    Status = RoadmapImport.Status
    record = (
        RoadmapImport.objects.select_for_update()
        .select_related("municipality")
        .get(pk=roadmap_import.pk)
    )
    if record.status not in (Status.PREVIEW, Status.REFUSED):
        raise ImportRefused.because(
            _("Столбцы можно переназначить только до подтверждения импорта.")
        )
    if not record.data:
        raise ImportRefused.because(
            _("Файл этого импорта не сохранён: загрузите его снова, чтобы выбрать столбцы.")
        )
    unknown = sorted({name for name in columns.values() if name and name not in FIELDS})
    if unknown:
        raise ImportRefused.because(
            _("Неизвестное поле: %(names)s.") % {"names": ", ".join(unknown)}
        )
    if "title" not in columns.values():
        raise ImportRefused.because(
            _("Укажите столбец «Наименование мероприятия»: без него мероприятий нет.")
        )
    record.parsed = {
        **record.parsed,
        CHOSEN_COLUMNS: {str(index): name for index, name in columns.items()},
    }
    record.status = Status.QUEUED
    record.error = ""
    record.save(update_fields=["parsed", "status", "error", "updated_at"])
    tasks.read_import.delay_on_commit(record.pk)
    return record


IMPORT_TITLE_MAX_LENGTH = 1000


def roadmap_import_request_confirm(
    *, roadmap_import: RoadmapImport, user: AbstractBaseUser | None = None, title: str = ""
) -> None:
    """Queue the confirmation of a previewed import («Импорт выполняется…»).

    `title` is the name typed on the preview when neither the upload nor the file gave one.
    ImportRefused when the preview has errors or the roadmap would have no name (the preview
    stays, so that the name can be typed); pressing the button twice queues it once.
    """
    from measures import tasks

    Status = RoadmapImport.Status
    if roadmap_import.parsed.get("errors"):
        raise ImportRefused(roadmap_import.parsed["errors"])
    title = " ".join(title.split())
    if len(title) > IMPORT_TITLE_MAX_LENGTH:
        raise ImportRefused.because(
            _("Название длиннее %(limit)s знаков: сократите его.")
            % {"limit": IMPORT_TITLE_MAX_LENGTH}
        )
    if not (title or roadmap_import.title or roadmap_import.parsed.get("title")):
        raise ImportRefused.because(
            _("Название дорожной карты не найдено в файле: впишите его перед подтверждением.")
        )
    fields = {"confirmed_by": user, **({"title": title} if title else {})}
    with transaction.atomic():
        if _move(roadmap_import.pk, (Status.PREVIEW,), Status.IMPORTING, **fields):
            tasks.confirm_import.delay_on_commit(roadmap_import.pk)


def roadmap_import_run_confirm(*, import_id: int) -> Roadmap | None:
    """The task's work: create the roadmap of an import the coordinator confirmed.

    A refusal (a roadmap with this title and period exists, the file was imported meanwhile)
    ends in «ошибка» with the reasons. Runs twice safely: `roadmap_import_confirm` locks the
    row and returns the roadmap already made. None when there was nothing to do.
    """
    Status = RoadmapImport.Status
    record = RoadmapImport.objects.filter(pk=import_id).first()
    if record is None or record.status not in (Status.IMPORTING, Status.DONE):
        return None
    try:
        with pghistory.context(user=record.confirmed_by_id, task="confirm_import"):
            roadmap = roadmap_import_confirm(roadmap_import=record, user=record.confirmed_by)
    except ImportRefused as exc:
        roadmap_import_fail(import_id=import_id, message=" ".join(e["message"] for e in exc.errors))
        return None
    RoadmapImport.objects.filter(pk=import_id).update(data=b"")  # the file is no longer needed
    return roadmap


def _automatic_number(
    sections: list[Section], index: int | None, ordinals: dict[int | None, int]
) -> str:
    """The number the editor gives the next measure of `sections[index]` (None: before the
    first section), counting in `ordinals`: «2.3»."""
    ordinals[index] = ordinals.get(index, 0) + 1
    if index is None:
        return str(ordinals[index])
    prefix = sections[index].number.strip().rstrip(".") or str(index + 1)
    return f"{prefix}.{ordinals[index]}"


def roadmap_import_fail(*, import_id: int, message: str) -> None:
    """End an import that is being worked on in «ошибка», with the reason for the page."""
    _move(import_id, RoadmapImport.WORKING, RoadmapImport.Status.FAILED, error=message)


def _approving_act(
    municipality: Municipality, order: dict[str, str], title: str
) -> LegalAct | None:
    """The order named before the table («к приказу … от 22.02.2021 № 31»), found or created."""
    if not order or not order.get("number") or not order.get("date"):
        return None
    # the issuer as the registry names it (nominative); as written after «к приказу» (genitive)
    issuer_name = order.get("issuer") or _("Орган управления образованием")
    written = order.get("issuer_as_written") or issuer_name
    issuer = (
        Organisation.objects.filter(municipality=municipality, name=issuer_name).first()
        or Organisation.objects.filter(municipality=municipality, name_genitive=written).first()
        or Organisation.objects.create(
            municipality=municipality,
            region=municipality.region,
            kind=Organisation.Kind.AUTHORITY,
            name=issuer_name[:500],
            name_genitive=written[:500] if written != issuer_name else "",
        )
    )
    act, _created = LegalAct.objects.get_or_create(
        issuer=issuer,
        kind=order["kind"],
        number=order["number"][:50],
        date=date.fromisoformat(order["date"]),
        defaults={
            "municipality": municipality,
            "title": _("Об утверждении: %(title)s") % {"title": title},
            "status": LegalAct.Status.SIGNED,
        },
    )
    return act


@transaction.atomic
def roadmap_import_confirm(
    *, roadmap_import: RoadmapImport, user: AbstractBaseUser | None = None
) -> Roadmap:
    """Create the roadmap of a previewed import: all of it, or nothing.

    Confirms in one municipality run one at a time (its row is locked), so that two previews
    of the same file confirmed at the same moment give one roadmap and one friendly refusal."""
    # FOR NO KEY UPDATE: other writes that only point at the municipality are not held up
    Municipality.objects.select_for_update(no_key=True).filter(
        pk=roadmap_import.municipality_id
    ).first()
    record = RoadmapImport.objects.select_for_update().get(pk=roadmap_import.pk)
    if record.status == RoadmapImport.Status.DONE and record.roadmap_id:
        return record.roadmap  # confirmed twice: nothing new
    parsed = Parsed.from_dict(record.parsed)
    if parsed.errors:
        raise ImportRefused([e.as_dict() for e in parsed.errors])
    if message := _already_imported(record.municipality, record.sha256):
        raise ImportRefused.because(message)
    title = record.title or parsed.title
    if not title:
        raise ImportRefused.because(_("Укажите название дорожной карты."))
    act = _approving_act(record.municipality, parsed.order.as_dict() if parsed.order else {}, title)
    try:
        with transaction.atomic():
            roadmap = Roadmap.objects.create(
                municipality=record.municipality,
                title=title,
                starts_on=record.starts_on,
                ends_on=record.ends_on,
                status=Roadmap.Status.APPROVED if act else Roadmap.Status.DRAFT,
                approved_by=act,
            )
    except IntegrityError:
        raise ImportRefused.because(roadmap_exists(title)) from None
    # a number the editor would give anyway («1», «1.2») is automatic: it follows later moves;
    # any other («IV», «1.2.а», a restart per section) stays as written
    sections = Section.objects.bulk_create(
        [
            Section(
                roadmap=roadmap,
                position=i,
                number=s.number,
                number_typed=s.number.strip().rstrip(".") != str(i),
                title=s.title,
            )
            for i, s in enumerate(parsed.sections, start=1)
        ]
    )
    ordinals: dict[int | None, int] = {}
    measures = []
    for position, row in enumerate(parsed.measures, start=1):
        measure = Measure(
            roadmap=roadmap,
            position=position,
            section=sections[row.section] if row.section is not None else None,
            number=row.number,
            number_typed=row.number.strip().rstrip(".")
            != _automatic_number(sections, row.section, ordinals),
            title=row.title,
            owners_text=row.owners_text,
            deadline_text=row.deadline_text,
            planned_result=row.planned_result,
        )
        # the reading the coordinator saw in the preview, not a new one
        if row.band:
            # read in the years of the table's band: kept as a correction, since the text
            # alone (read with the roadmap's period) would give other dates on the next edit
            note = _("Год срока взят из строки таблицы «%(band)s».") % {"band": row.band}
            reading = replace(
                row.deadline, note=" ".join(n for n in (row.deadline.note, note) if n)
            )
            measure.set_deadline(reading, corrected=True)
        else:
            apply_deadline(measure, row.deadline)
        measures.append(measure)
    measures_create(measures)
    link_owners(record.municipality, measures)
    if act is not None:  # approved by the order named before the table: its edition 1
        from measures import editions

        editions.ensure_recorded(roadmap)
    record.status = RoadmapImport.Status.DONE
    record.roadmap = roadmap
    try:
        with transaction.atomic():
            record.save(update_fields=["status", "roadmap"])
    except IntegrityError:  # the same file confirmed by another way meanwhile
        raise ImportRefused.because(
            _already_imported(record.municipality, record.sha256)
            or _("Этот файл уже импортирован.")
        ) from None
    return roadmap


# --- A roadmap copied to a new period ------------------------------------------------------


class RoadmapCopyRefused(ValueError):
    """The copy cannot be made; the message says why, in Russian. Nothing is saved."""


def _years_text(starts_on: date, ends_on: date) -> str:
    if starts_on.year == ends_on.year:
        return _("на %(year)s год") % {"year": starts_on.year}
    return _("на %(start)s–%(end)s годы") % {"start": starts_on.year, "end": ends_on.year}


COPIED_HEADER = ("goal", "tasks", "expected_results", "legal_basis", "developers", "control")
YEAR_RANGE_RE = re.compile(r"(?<!\d)(\d{4})(\s*[–—-]\s*)(\d{4})(?!\d)")
YEAR_RE = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def copy_title(title: str, old: tuple[date, date], new: tuple[date, date]) -> str:
    """The title of a copy: the years of the old period replaced by the new ones where the
    title writes them («на 2022 год» → «на 2026 год», «2022 – 2024 годы» → «2025 – 2027
    годы»); otherwise (no year written, or a one-year title copied to several years and back)
    the old title with «(копия на 2026 год)»."""
    old_start, old_end = old[0].year, old[1].year
    new_start, new_end = new[0].year, new[1].year
    replaced = False

    def one_range(match: re.Match[str]) -> str:
        nonlocal replaced
        if (int(match[1]), int(match[3])) != (old_start, old_end) or new_start == new_end:
            return match[0]
        replaced = True
        return f"{new_start}{match[2]}{new_end}"

    result = YEAR_RANGE_RE.sub(one_range, title)
    if old_start == old_end and new_start == new_end:
        result, count = YEAR_RE.subn(
            lambda m: str(new_start) if int(m[1]) == old_start else m[0], result
        )
        replaced = replaced or (count and result != title)
    if replaced and result != title:
        return result
    return _("%(title)s (копия %(years)s)") % {"title": title, "years": _years_text(*new)}


def next_period(starts_on: date, ends_on: date) -> tuple[date, date]:
    """The period of the same length right after this one: whole months stay whole months
    (2022 → 2023, 01.09.2021–31.08.2022 → 01.09.2022–31.08.2023), other periods keep their
    number of days."""
    start = ends_on + timedelta(days=1)
    if starts_on.day == 1 and start.day == 1:
        months = (ends_on.year - starts_on.year) * 12 + ends_on.month - starts_on.month + 1
        return start, _add_months(start, months) - timedelta(days=1)
    return start, start + (ends_on - starts_on)


@transaction.atomic
def roadmap_copy(
    *,
    roadmap: Roadmap,
    starts_on: date,
    ends_on: date,
    title: str | None = None,
    by: AbstractBaseUser | None = None,
) -> tuple[Roadmap, list[Measure]]:
    """A draft copy of a roadmap for a new period, in the same municipality.

    The header, sections and measures (with their owners and schools) are copied; every
    deadline is read again by the engine for the new period (a hand correction is not carried
    over: the new period needs a new reading) and the occurrences are made from that reading.
    The copy is a draft with no approving order. Returns the copy and the measures whose new
    reading needs review. RoadmapCopyRefused (nothing saved) for a bad period or a title that
    the municipality already has for this period. `by` is recorded in the history context."""
    if problem := period_problem(starts_on, ends_on):
        raise RoadmapCopyRefused(problem)
    if title is not None:
        title = clean_text(title).strip()
        if not title:
            raise RoadmapCopyRefused(_("Укажите название дорожной карты."))
    else:
        title = copy_title(
            roadmap.title, (roadmap.starts_on, roadmap.ends_on), (starts_on, ends_on)
        )
    clash = roadmap_exists(title)
    if Roadmap.objects.filter(
        municipality_id=roadmap.municipality_id, title=title, starts_on=starts_on, ends_on=ends_on
    ).exists():
        raise RoadmapCopyRefused(clash)
    with pghistory.context(user=by.pk if by else None, copied_from=roadmap.pk):
        try:
            with transaction.atomic():
                copy = Roadmap.objects.create(
                    municipality_id=roadmap.municipality_id,
                    title=title,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    status=Roadmap.Status.DRAFT,
                    level=roadmap.level,
                    school_id=roadmap.school_id,
                    **{name: getattr(roadmap, name) for name in COPIED_HEADER},
                )
        except IntegrityError:  # made by someone else at this moment
            raise RoadmapCopyRefused(clash) from None
        old_sections = list(roadmap.sections.order_by("position"))
        new_sections = Section.objects.bulk_create(
            [
                Section(
                    roadmap=copy,
                    position=s.position,
                    number=s.number,
                    number_typed=s.number_typed,
                    title=s.title,
                )
                for s in old_sections
            ]
        )
        section_of = {old.pk: new for old, new in zip(old_sections, new_sections, strict=True)}
        old_measures = list(roadmap.measures.order_by("position"))
        period = (starts_on, ends_on)
        measures = []
        for old in old_measures:
            measure = Measure(
                roadmap=copy,
                section=section_of.get(old.section_id),
                position=old.position,
                number=old.number,
                number_typed=old.number_typed,
                title=old.title,
                owners_text=old.owners_text,
                deadline_text=old.deadline_text,
                planned_result=old.planned_result,
                all_designated_schools=old.all_designated_schools,
            )
            apply_deadline(measure, parse_deadline(old.deadline_text, period))
            measures.append(measure)
        measures_create(measures)
        new_of = {old.pk: new.pk for old, new in zip(old_measures, measures, strict=True)}
        for relation, column in (
            (Measure.owners, "person_id"),
            (Measure.owner_organisations, "organisation_id"),
            (Measure.schools, "school_id"),
        ):
            through = relation.through
            links = through.objects.filter(measure__roadmap=roadmap)
            if column == "school_id":  # only the schools designated in the new period
                links = links.filter(school__in=designated_schools(copy))
            through.objects.bulk_create(
                [
                    through(measure_id=new_of[m], **{column: other})
                    for m, other in links.values_list("measure_id", column)
                ]
            )
        # a measure whose chosen schools are none of the new period's: all of the roadmap's
        # schools (the default; the review page lists them, `widened_measures`)
        Measure.objects.filter(roadmap=copy, all_designated_schools=False).exclude(
            Exists(Measure.schools.through.objects.filter(measure=OuterRef("pk")))
        ).update(all_designated_schools=True)
    return copy, [m for m in measures if m.deadline_needs_review]
