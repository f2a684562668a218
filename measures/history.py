"""The history of changes as people read it: who, when, which field, before and after."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils.translation import gettext as _
from pghistory.models import Events

from measures import selectors
from measures.models import Evidence, Measure, Occurrence, Report, Roadmap, Section
from schools.selectors import director_schools

LABELS = {"insert": _("Создание"), "update": _("Изменение"), "delete": _("Удаление")}
HIDDEN = {"id", "position", "version"}


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
    return str(value)


def _related_names(events: list) -> dict[tuple[type[models.Model], Any], str]:
    """Names of the rows that changed foreign keys point at, one query per related model."""
    wanted: dict[type[models.Model], set] = {}
    for event in events:
        if event.pgh_label != "update" or not event.pgh_diff:
            continue
        model = _tracked_model(event.pgh_model)
        for name, values in event.pgh_diff.items():
            field = _field(model, name)
            if field is not None and field.is_relation and field.related_model:
                wanted.setdefault(field.related_model, set()).update(v for v in values if v)
    return {
        (related, row.pk): str(row)
        for related, ids in wanted.items()
        for row in related._default_manager.filter(pk__in=ids)
    }


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


def history_of(
    obj: models.Model, limit: int = 200, *, visible: Q | None = None
) -> list[dict[str, Any]]:
    """Events of `obj` and of the rows that point at it (a roadmap's sections and measures),
    only those matching `visible` (see `visible_events`), filtered in the query."""
    events_qs = Events.objects.references(obj)
    if visible is not None:
        events_qs = events_qs.filter(visible)
    events = list(events_qs.order_by("-pgh_created_at")[:limit])
    names = _related_names(events)

    def shown(field: models.Field | None, value: Any) -> str:
        if field is not None and field.is_relation and value:
            return names.get((field.related_model, value), f"№ {value}")
        return display(field, value)

    user_ids = {e.pgh_context.get("user") for e in events if e.pgh_context}
    users = {u.pk: u for u in User.objects.filter(pk__in=[i for i in user_ids if i])}
    entries = []
    for event in events:
        model = _tracked_model(event.pgh_model)
        data = event.pgh_data or {}
        if event.pgh_label == "update" and event.pgh_diff:
            changes = [
                {
                    "field": str(getattr(_field(model, name), "verbose_name", name)),
                    "before": shown(_field(model, name), before),
                    "after": shown(_field(model, name), after),
                }
                for name, (before, after) in event.pgh_diff.items()
                if name not in HIDDEN
            ]
        else:
            # a creation, a deletion, or the first change recorded for a row older than the
            # history: the state after it, without the ids of related rows
            changes = [
                {
                    "field": str(getattr(_field(model, name), "verbose_name", name)),
                    "before": "",
                    "after": display(_field(model, name), value),
                }
                for name, value in data.items()
                if name not in HIDDEN
                and not name.startswith("pgh_")
                and value not in (None, "", [])
            ]
        context = event.pgh_context or {}
        user = users.get(context.get("user"))
        entries.append(
            {
                "when": event.pgh_created_at,
                "label": LABELS.get(event.pgh_label, event.pgh_label),
                "what": str(model._meta.verbose_name).capitalize() if model else event.pgh_model,
                "object": data.get("number")
                or data.get("title")
                or display(None, data.get("due_on")),
                "who": (user.get_full_name() or user.username) if user else _("система"),
                "changes": changes,
                "snapshot": not (event.pgh_label == "update" and event.pgh_diff),
                "first_update": event.pgh_label == "update" and not event.pgh_diff,
            }
        )
    return entries


def latest(entries: list[dict[str, Any]]) -> datetime | None:
    return entries[0]["when"] if entries else None
