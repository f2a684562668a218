"""The history of changes as people read it: one entry per save (who, when, what changed, before
and after), rows named as people know them, paged and filtered, the portal's own entries
explained in plain words."""

from __future__ import annotations

import difflib
from collections import defaultdict
from datetime import date, datetime
from typing import Any

from django import forms
from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Max, Q, QuerySet, TextField
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from pghistory.models import Events

from measures import selectors
from measures.models import (
    Evidence,
    Measure,
    MeasureEvent,
    Occurrence,
    Report,
    Roadmap,
    RoadmapImport,
    Section,
    SectionEvent,
)
from schools.models import School
from schools.selectors import director_schools

PER_PAGE = 50
# fields that change with every save and say nothing to a reader
NOISE = {"id", "version", "updated_at"}
# texts longer than this are shown as a word diff, not whole before and after
LONG_TEXT = 80
# a save that touched more rows than this is told as counts, not row by row
MANY_ROWS = 8
SYSTEM = "system"

ACTIONS = {
    "insert": gettext_lazy("Создание"),
    "update": gettext_lazy("Изменение"),
    "delete": gettext_lazy("Удаление"),
}


def _tracked_model(event_model_label: str) -> type[models.Model] | None:
    event_model = apps.get_model(event_model_label)
    try:
        return event_model._meta.get_field("pgh_obj").related_model
    except FieldDoesNotExist:
        return None


def _field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    for candidate in (name, name.removesuffix("_id")):
        try:
            return model._meta.get_field(candidate)
        except FieldDoesNotExist:
            continue
    return None


def _meaningful_keys() -> list[str]:
    """Every column of the tracked models that a reader cares about (for the noise filter)."""
    keys: set[str] = set()
    for model in (Roadmap, Section, Measure, Occurrence, Report, Evidence):
        keys.update(f.attname for f in model._meta.concrete_fields)
    return sorted(keys - NOISE)


def display(field: models.Field | None, value: Any) -> str:
    if value in (None, "", []):
        return "—"
    if field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("да") if value else _("нет")
    if isinstance(value, list):
        return ", ".join(display(None, item) for item in value)
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value).strftime("%d.%m.%Y")
        except ValueError:
            return value
    if isinstance(value, str) and len(value) > 18 and value[4] == "-" and value[10] == "T":
        try:
            moment = datetime.fromisoformat(value)
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return moment.strftime("%d.%m.%Y %H:%M")
        except ValueError:
            return value
    return str(value)


def shorten(text: str, limit: int = 60) -> str:
    """A title cut at a word boundary, with an ellipsis when cut."""
    text = " ".join(str(text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",.;:«(—-")
    return f"{cut}…"


def word_diff(before: str, after: str, context: int = 6) -> list[dict[str, str]]:
    """A long text's change as pieces: kept words (long kept runs shortened), removed, added."""
    old, new = before.split(), after.split()
    pieces = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new).get_opcodes():
        if op == "equal":
            words = old[i1:i2]
            if len(words) > 2 * context:
                start = words[:context] if i1 else []
                end = words[-context:] if i2 < len(old) else []
                text = " ".join([*start, "…", *end])
            else:
                text = " ".join(words)
            pieces.append({"kind": "same", "text": text})
            continue
        if i2 > i1:
            pieces.append({"kind": "removed", "text": " ".join(old[i1:i2])})
        if j2 > j1:
            pieces.append({"kind": "added", "text": " ".join(new[j1:j2])})
    return pieces


def _number(value: str | None) -> str:
    return str(value or "").strip().rstrip(".")


def _keys(rows: QuerySet) -> QuerySet:
    """The primary keys of `rows` as text, the type of the events' `pgh_obj_id`."""
    return rows.annotate(history_key=Cast("pk", TextField())).values("history_key")


def visible_events(user: AbstractBaseUser | AnonymousUser, roadmap: Roadmap) -> Q:
    """Events of a roadmap's rows that the reader sees on its pages, as a filter of `Events`.

    Those who read the municipality in full see everything, deleted rows included. A director
    sees the roadmap itself, the measures that concern their school (with their occurrences),
    the sections that hold such measures and the reports they may open (with their evidence);
    rows deleted since, or that concern other schools, are not theirs to read.

    A director's keys are read first (two small queries: the measures of one roadmap that
    concern the school, and the school's reports on it), so that the events query gets short
    lists instead of nested permission subqueries that cost more to build than to run.
    """
    if selectors.reads_in_full(user, roadmap):
        return Q()
    # not reading the municipality in full, the reader sees its rows as a director only
    school_ids = list(director_schools(user).values_list("pk", flat=True))
    measure_rows = list(
        selectors.measures_concerning(roadmap, school_ids).values_list("pk", "section_id")
    )
    measure_ids = [pk for pk, _section in measure_rows]
    report_ids = list(
        Report.objects.filter(
            school_id__in=school_ids, occurrence__measure__roadmap=roadmap
        ).values_list("pk", flat=True)
    )
    visible = {
        Roadmap: [roadmap.pk],
        Section: sorted({section for _pk, section in measure_rows if section}),
        Measure: measure_ids,
        Occurrence: _keys(Occurrence.objects.filter(measure_id__in=measure_ids)),
        Report: report_ids,
        Evidence: _keys(Evidence.objects.filter(report_id__in=report_ids)),
    }
    condition = Q(pk__in=[])
    for model, keys in visible.items():
        if isinstance(keys, list):
            keys = [str(key) for key in keys]
        condition |= Q(pgh_obj_model=model._meta.label, pgh_obj_id__in=keys)
    return condition


# --- the filter form --------------------------------------------------------------------------


class HistoryFilterForm(forms.Form):
    """The history's filters, read from the query string (GET), all optional."""

    measure = forms.TypedChoiceField(
        label=gettext_lazy("Мероприятие"), required=False, coerce=int, empty_value=None
    )
    who = forms.ChoiceField(label=gettext_lazy("Кто"), required=False)
    since = forms.DateField(
        label=gettext_lazy("С даты"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    until = forms.DateField(
        label=gettext_lazy("По дату"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, data: Any, *, measures: list[tuple[int, str]] | None, people: list):
        super().__init__(data)
        if measures is None:
            del self.fields["measure"]
        else:
            self.fields["measure"].choices = [("", _("Все мероприятия")), *measures]
        self.fields["who"].choices = [
            ("", _("Все")),
            *[(str(pk), name) for pk, name in people],
            (SYSTEM, _("Портал (без участия пользователя)")),
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("Дата «по» раньше даты «с»."))
        return cleaned


def _filter_choices(
    obj: models.Model, events: QuerySet, user: Any, roadmap: Roadmap
) -> tuple[list[tuple[int, str]] | None, dict[int, User]]:
    """The measures (on a roadmap's page, deleted ones included) and the people that the
    filters offer: two or three queries whatever the history's size."""
    measures = None
    if isinstance(obj, Roadmap):
        allowed = None
        if not selectors.reads_in_full(user, roadmap):
            allowed = set(selectors.measures_for_user(user, roadmap).values_list("pk", flat=True))
        latest = (
            MeasureEvent.objects.filter(roadmap_id=roadmap.pk)
            .order_by("pgh_obj_id", "-pgh_id")
            .distinct("pgh_obj_id")
            .values_list("pgh_obj_id", "number", "title", "position")
        )
        rows = sorted(
            (row for row in latest if allowed is None or row[0] in allowed),
            key=lambda row: row[3],
        )
        measures = [(pk, f"{number} {shorten(title, 70)}".strip()) for pk, number, title, _ in rows]
    user_ids = {
        pk
        for pk in events.values_list("pgh_context__user", flat=True).distinct()
        if isinstance(pk, int)
    }
    users = {u.pk: u for u in User.objects.filter(pk__in=user_ids)}
    return measures, users


# --- names ------------------------------------------------------------------------------------


class Names:
    """Names of the rows that events and their changed fields point at, read in a fixed number
    of queries for a whole page: live rows first, deleted ones from their last snapshot."""

    def __init__(self, events: list) -> None:
        wanted: dict[type[models.Model], set] = defaultdict(set)
        for event in events:
            model = _tracked_model(event.pgh_model)
            data = event.pgh_data or {}
            if model is Occurrence:
                wanted[Measure].add(data.get("measure_id"))
            if model is Report:
                wanted[Occurrence].add(data.get("occurrence_id"))
                wanted[School].add(data.get("school_id"))
            if model is Evidence:
                wanted[Report].add(data.get("report_id"))
            context = event.pgh_context or {}
            if isinstance(context.get("copied_from"), int):
                wanted[Roadmap].add(context["copied_from"])
            if context.get("task") == "confirm_import":
                wanted[RoadmapImport].add(data.get("roadmap_id") or event.pgh_obj_id)
            for name, values in (event.pgh_diff or {}).items():
                field = _field(model, name)
                if field is not None and field.is_relation and field.related_model:
                    wanted[field.related_model].update(values)
            if event.pgh_label != "delete" and not event.pgh_diff and model is not None:
                # a snapshot (a creation) shows the rows it points at
                for field in model._meta.concrete_fields:
                    if field.is_relation and field.related_model:
                        wanted[field.related_model].add(data.get(field.attname))
        self.rows: dict[tuple[type, Any], Any] = {}
        ids = {model: {int(v) for v in values if v} for model, values in wanted.items()}
        ids.setdefault(Occurrence, set())
        for report in Report.objects.filter(pk__in=ids.pop(Report, set())).values(
            "pk", "occurrence_id", "school_id", "due_on"
        ):
            self.rows[(Report, report["pk"])] = report
            ids[Occurrence].add(report["occurrence_id"])
            ids.setdefault(School, set()).add(report["school_id"])
        for occurrence in Occurrence.objects.filter(pk__in=ids.pop(Occurrence)).values(
            "pk", "due_on", "measure__number"
        ):
            self.rows[(Occurrence, occurrence["pk"])] = occurrence
        for school in School.objects.filter(pk__in=ids.pop(School, set())).values(
            "pk", "short_name", "name"
        ):
            self.rows[(School, school["pk"])] = school["short_name"] or school["name"]
        for user in User.objects.filter(pk__in=ids.pop(User, set())):
            self.rows[(User, user.pk)] = user.get_full_name() or user.username
        for imported in RoadmapImport.objects.filter(
            roadmap_id__in=ids.pop(RoadmapImport, set())
        ).values("roadmap_id", "file_name"):
            self.rows[(RoadmapImport, imported["roadmap_id"])] = imported["file_name"]
        snapshots = {Measure: MeasureEvent, Section: SectionEvent}
        for model, keys in ids.items():
            for row in model._default_manager.filter(pk__in=keys):
                self.rows[(model, row.pk)] = row
            missing = keys - {pk for (m, pk) in self.rows if m is model}
            if missing and model in snapshots:
                for row in (
                    snapshots[model]
                    .objects.filter(pgh_obj_id__in=missing)
                    .order_by("pgh_obj_id", "-pgh_id")
                    .distinct("pgh_obj_id")
                ):
                    self.rows[(model, row.pgh_obj_id)] = row

    def related(self, model: type[models.Model], pk: Any) -> str:
        """A row that a changed field points at, as people know it."""
        row = self.rows.get((model, int(pk))) if str(pk).isdigit() else None
        if row is None:
            return _("запись № %(pk)s (удалена)") % {"pk": pk}
        if model is Measure:
            return _("мероприятие %(number)s «%(title)s»") % {
                "number": row.number,
                "title": shorten(row.title),
            }
        if model is Section:
            return f"{row.number} {row.title}".strip()
        if model is Roadmap:
            return f"«{shorten(row.title, 90)}»"
        if model is Occurrence:
            return display(None, row["due_on"].isoformat())
        if model is Report:
            name = self.name(Report, {**row, "due_on": row["due_on"].isoformat()})
            return name[:1].lower() + name[1:]
        if isinstance(row, dict):
            return str(row.get("pk"))
        return str(row)

    def measure_number(self, pk: Any) -> str:
        row = self.rows.get((Measure, pk))
        return row.number if row is not None else "?"

    def occurrence(self, pk: Any) -> tuple[str, str]:
        row = self.rows.get((Occurrence, pk))
        if row is None:
            return "?", "?"
        return row["measure__number"], row["due_on"].strftime("%d.%m.%Y")

    def name(self, model: type[models.Model] | None, data: dict[str, Any]) -> str:
        """The row of an event as people know it, from the event's own snapshot (so deleted
        rows are named too)."""
        if model is Roadmap:
            return _("Дорожная карта «%(title)s»") % {"title": shorten(data.get("title"), 90)}
        if model is Section:
            return _("Раздел %(number)s «%(title)s»") % {
                "number": _number(data.get("number")),
                "title": shorten(data.get("title")),
            }
        if model is Measure:
            return _("Мероприятие %(number)s «%(title)s»") % {
                "number": _number(data.get("number")),
                "title": shorten(data.get("title")),
            }
        if model is Occurrence:
            return _("Контрольная дата %(date)s мероприятия %(number)s") % {
                "date": display(None, data.get("due_on")),
                "number": _number(self.measure_number(data.get("measure_id"))),
            }
        if model is Report:
            number, _day = self.occurrence(data.get("occurrence_id"))
            school = self.rows.get((School, data.get("school_id")), "?")
            return _("Отчёт школы %(school)s по мероприятию %(number)s на %(date)s") % {
                "school": school,
                "number": _number(number),
                "date": display(None, data.get("due_on")),
            }
        if model is Evidence:
            what = data.get("original_name") or data.get("description") or data.get("link")
            return _("Подтверждение «%(what)s»") % {"what": shorten(what, 60)}
        return model._meta.verbose_name.capitalize() if model else ""


# --- entries ----------------------------------------------------------------------------------


def _change(names: Names, model: type[models.Model] | None, name: str, before: Any, after: Any):
    field = _field(model, name)

    def shown(value: Any) -> str:
        if field is not None and field.is_relation and value not in (None, ""):
            return names.related(field.related_model, value)
        return display(field, value)

    change = {
        "field": str(getattr(field, "verbose_name", name)),
        "before": shown(before),
        "after": shown(after),
        "diff": None,
    }
    if (
        isinstance(before, str)
        and isinstance(after, str)
        and max(len(before), len(after)) > LONG_TEXT
    ):
        change["diff"] = word_diff(before, after)
    return change


# the rows a row belongs to, named in its title (not repeated among its fields)
PARENTS = {
    Section: (Roadmap,),
    Measure: (Roadmap, Section),
    Occurrence: (Measure,),
    Report: (Occurrence, School),
    Evidence: (Report,),
}


def _snapshot(model: type[models.Model] | None, data: dict[str, Any], names: Names) -> list:
    """The fields a reader cares about in a created row, in the order of the form."""
    shown = []
    fields = model._meta.concrete_fields if model is not None else []
    for field in fields:
        value = data.get(field.attname)
        if (
            field.attname in NOISE
            or field.name == "position"
            or value in (None, "", [], False)
            or (field.name.startswith("deadline_") and field.name != "deadline_text")
        ):
            continue
        if field.is_relation and field.related_model in PARENTS.get(model, ()):
            continue  # the row it belongs to is named in the entry's title
        shown.append(_change(names, model, field.attname, None, value))
        shown[-1]["before"] = ""
        shown[-1]["diff"] = None
        shown[-1]["after"] = shorten(shown[-1]["after"], 300)
    return shown


def _occurrence_note(names: Names, measure_id: Any, events: list, created: bool = False) -> str:
    """The occurrence sync of one measure in one save, in one sentence: what the save changed
    in the end (a date added and removed again within it is not mentioned)."""
    first: dict[str, Any] = {}
    last: dict[str, Any] = {}
    for event in events:
        day = event.pgh_data["due_on"]
        first.setdefault(day, event)
        last[day] = event
    added = sorted(
        d for d in first if first[d].pgh_label == "insert" and last[d].pgh_label != "delete"
    )
    removed = sorted(
        d for d in first if first[d].pgh_label != "insert" and last[d].pgh_label == "delete"
    )
    retired = sorted(
        d
        for d, event in last.items()
        if event.pgh_label == "update"
        and (event.pgh_diff or {}).get("retired", [None, None])[1]
        and d not in added
    )
    parts = []
    if added:
        parts.append(_("добавлены %(dates)s") % {"dates": display(None, added)})
    if removed:
        parts.append(_("убраны %(dates)s") % {"dates": display(None, removed)})
    if retired:
        parts.append(
            _("сняты с контроля, отчёты по ним сохранены: %(dates)s")
            % {"dates": display(None, retired)}
        )
    if not parts:
        return ""
    if created:
        return _("Контрольные даты мероприятия %(number)s по его сроку: %(dates)s.") % {
            "number": _number(names.measure_number(int(measure_id))),
            "dates": display(None, added),
        }
    return _("Контрольные даты мероприятия %(number)s пересчитаны по его сроку: %(what)s.") % {
        "number": _number(names.measure_number(int(measure_id))),
        "what": "; ".join(parts),
    }


def _origin(
    context: dict[str, Any], events: list, names: Names, *, by_person: bool = False
) -> str | None:
    """Where an entry comes from, in plain words: a copy or an import (also when a person
    started it); for an entry without a person, why there is none."""
    copied = {Roadmap, Section, Measure, Occurrence}
    if isinstance(context.get("copied_from"), int) and all(
        _tracked_model(event.pgh_model) in copied for event in events
    ):
        source = names.related(Roadmap, context["copied_from"])
        return _("Создано при копировании дорожной карты %(source)s на новый период.") % {
            "source": source
        }
    if context.get("task") == "confirm_import":
        for event in events:
            key = (event.pgh_data or {}).get("roadmap_id") or event.pgh_obj_id
            file_name = names.rows.get((RoadmapImport, int(key))) if str(key).isdigit() else None
            if file_name:
                return _("Загружено при импорте файла «%(name)s».") % {"name": file_name}
        return _("Загружено при импорте файла.")
    if by_person:
        return None
    if context.get("url"):
        return _("Записано порталом во время действия без входа пользователя.")
    return _(
        "Внесено не через страницы портала: загрузка демонстрационных данных, обновление "
        "портала или работа администратора на сервере."
    )


def _count_line(model: type[models.Model] | None, label: str, count: int) -> str:
    words = {
        Roadmap: ("дорожная карта", "дорожные карты", "дорожных карт"),
        Section: ("раздел", "раздела", "разделов"),
        Measure: ("мероприятие", "мероприятия", "мероприятий"),
        Occurrence: ("контрольная дата", "контрольные даты", "контрольных дат"),
        Report: ("отчёт школы", "отчёта школ", "отчётов школ"),
        Evidence: ("подтверждение", "подтверждения", "подтверждений"),
    }.get(model, ("запись", "записи", "записей"))
    return f"{ACTIONS.get(label, label)}: {count} {_plural(count, words)}"


def _plural(count: int, words: tuple[str, str, str]) -> str:
    if count % 10 == 1 and count % 100 != 11:
        return words[0]
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return words[1]
    return words[2]


def _entry(events: list, names: Names, users: dict[int, User]) -> dict[str, Any] | None:
    """One save: its events (oldest first) told as one entry."""
    context = next((e.pgh_context for e in events if e.pgh_context), None) or {}
    user = users.get(context.get("user"))
    occurrences: dict[Any, list] = defaultdict(list)
    rows: list = []
    moved = 0
    for event in events:
        model = _tracked_model(event.pgh_model)
        if model is Occurrence and event.pgh_data:
            occurrences[event.pgh_data.get("measure_id")].append(event)
            continue
        diff = {k: v for k, v in (event.pgh_diff or {}).items() if k not in NOISE}
        if event.pgh_label == "update" and set(diff) == {"position"}:
            moved += 1
            continue
        rows.append((event, model, diff))
    created = {
        event.pgh_obj_id and int(event.pgh_obj_id)
        for event, model, _diff in rows
        if model is Measure and event.pgh_label == "insert"
    }
    resynced = {
        int(event.pgh_obj_id)
        for event, model, diff in rows
        if model is Measure
        and event.pgh_label == "update"
        and {"deadline_start", "deadline_end", "deadline_recurrence", "deadline_kind"} & set(diff)
        and event.pgh_data.get("id") not in occurrences
    }
    items, summary = [], []
    if len(rows) > MANY_ROWS:
        counts: dict[tuple[Any, str], int] = defaultdict(int)
        for event, model, _diff in rows:
            counts[(model, event.pgh_label)] += 1
        summary = [_count_line(model, label, n) for (model, label), n in counts.items()]
        rows = [row for row in rows if row[1] is Roadmap]
    for event, model, diff in rows:
        data = event.pgh_data or {}
        item = {"action": ACTIONS.get(event.pgh_label, ""), "name": names.name(model, data)}
        if event.pgh_label == "update" and event.pgh_diff is not None:
            item["changes"] = [
                _change(names, model, key, before, after)
                for key, (before, after) in diff.items()
                if key != "position"
            ]
            item["snapshot"] = False
        elif event.pgh_label == "update":
            # the first change recorded for a row older than the history: the state after it
            item["changes"] = _snapshot(model, data, names)
            item["snapshot"] = True
            item["first_update"] = True
        elif event.pgh_label == "insert" and len(rows) <= 3:
            item["changes"] = _snapshot(model, data, names)
            item["snapshot"] = True
        else:
            item["changes"] = []
        items.append(item)
    notes = []
    if occurrences:
        if len(occurrences) > MANY_ROWS:
            total = sum(len(group) for group in occurrences.values())
            notes.append(
                _(
                    "Контрольные даты %(count)s мероприятий пересчитаны по их срокам "
                    "(записей: %(total)s)."
                )
                % {"count": len(occurrences), "total": total}
            )
        else:
            notes.extend(
                note
                for measure_id, group in occurrences.items()
                if (note := _occurrence_note(names, measure_id, group, measure_id in created))
            )
    if resynced and not occurrences and not summary:
        notes.append(
            _("Контрольные даты пересчитаны по новому сроку; какие именно — в истории мероприятия.")
        )
    if moved:
        notes.append(
            ngettext(
                "Изменён порядок: сдвинута %(count)s строка.",
                "Изменён порядок: сдвинуто строк — %(count)s.",
                moved,
            )
            % {"count": moved}
        )
    if not items and not notes and not summary:
        return None
    return {
        "when": max(event.pgh_created_at for event in events),
        "who": (user.get_full_name() or user.username) if user else None,
        "origin": _origin(context, events, names, by_person=user is not None),
        "items": items,
        "summary": summary,
        "notes": notes,
    }


RANK = {Roadmap: 0, Section: 1, Measure: 2, Occurrence: 3, Report: 4, Evidence: 5}


def _reading_order(event: Any) -> tuple:
    """Within one save: the roadmap, then its sections, measures … each row's events in the
    order they were written."""
    return (RANK.get(_tracked_model(event.pgh_model), 9), event.pgh_created_at, event.pgh_id)


def _group_key() -> Coalesce:
    """One save: the events of one request or task share their pghistory context; those made
    without one (a shell, a migration, a demo load) share their transaction's time."""
    return Coalesce(Cast("pgh_context_id", TextField()), Cast("pgh_created_at", TextField()))


def history_page(
    obj: models.Model,
    *,
    user: Any,
    roadmap: Roadmap,
    params: Any,
    page_number: Any = 1,
    per_page: int = PER_PAGE,
) -> dict[str, Any]:
    """A page of the history of `obj` and of the rows pointing at it (a roadmap's sections and
    measures; a measure's control dates; a report's evidence) as the reader may see it,
    filtered by `params` (a GET), newest save first: the context of history.html.

    A fixed number of queries whatever the size of the history: the filters' choices, the
    count and the page's saves, their events, then the names of their rows and people."""
    visible = visible_events(user, roadmap)
    events = Events.objects.references(obj).filter(visible)
    measures, users = _filter_choices(obj, events, user, roadmap)
    people = sorted(
        ((pk, u.get_full_name() or u.username) for pk, u in users.items()), key=lambda row: row[1]
    )
    form = HistoryFilterForm(params, measures=measures, people=people)
    if form.is_valid():
        wanted = form.cleaned_data
        if wanted.get("measure"):
            events = events.filter(
                pgh_obj_model=Measure._meta.label, pgh_obj_id=str(wanted["measure"])
            )
        if wanted.get("who") == SYSTEM:
            events = events.filter(Q(pgh_context__isnull=True) | Q(pgh_context__user__isnull=True))
        elif wanted.get("who"):
            events = events.filter(pgh_context__user=int(wanted["who"]))
        if wanted.get("since"):
            events = events.filter(pgh_created_at__date__gte=wanted["since"])
        if wanted.get("until"):
            events = events.filter(pgh_created_at__date__lte=wanted["until"])
    # a change of nothing a reader cares about (a version, a time stamp) is not shown
    events = events.exclude(
        Q(pgh_label="update", pgh_diff__isnull=False)
        & ~Q(pgh_diff__has_any_keys=_meaningful_keys())
    ).annotate(group=_group_key())
    # newest first; saves of one transaction (same time) in the order they were written
    saves = (
        events.values("group")
        .annotate(at=Max("pgh_created_at"), last=Max("pgh_id"))
        .order_by("-at", "-last", "-group")
    )
    page: Page = Paginator(saves, per_page).get_page(page_number)
    keys = [row["group"] for row in page.object_list]
    grouped: dict[str, list] = defaultdict(list)
    page_events = list(events.filter(group__in=keys).order_by("pgh_created_at", "pgh_id"))
    for event in sorted(page_events, key=_reading_order):
        grouped[event.group].append(event)
    names = Names(page_events)
    entries = [entry for key in keys if (entry := _entry(grouped[key], names, users)) is not None]
    return {"page": page, "entries": entries, "filters": form}


def history_of(
    obj: models.Model, limit: int = PER_PAGE, *, visible: Q | None = None
) -> list[dict[str, Any]]:
    """The newest saves of `obj` as entries (for callers outside the history pages)."""
    events_qs = Events.objects.references(obj)
    if visible is not None:
        events_qs = events_qs.filter(visible)
    events_qs = events_qs.annotate(group=_group_key())
    keys = list(
        events_qs.values("group")
        .annotate(at=Max("pgh_created_at"), last=Max("pgh_id"))
        .order_by("-at", "-last")
        .values_list("group", flat=True)[:limit]
    )
    page_events = list(events_qs.filter(group__in=keys).order_by("pgh_created_at", "pgh_id"))
    grouped: dict[str, list] = defaultdict(list)
    for event in sorted(page_events, key=_reading_order):
        grouped[event.group].append(event)
    names = Names(page_events)
    user_ids = {(e.pgh_context or {}).get("user") for e in page_events}
    users = {u.pk: u for u in User.objects.filter(pk__in=[i for i in user_ids if i])}
    return [entry for key in keys if (entry := _entry(grouped[key], names, users)) is not None]


def latest(entries: list[dict[str, Any]]) -> datetime | None:
    return entries[0]["when"] if entries else None
