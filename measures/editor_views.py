"""The roadmap editor: a roadmap created and its header edited, a draft's sections and measures
added, edited in place, moved and deleted.

Every action is a plain form POST that answers a redirect back to the editor at the row (or
the editor page with the errors, status 400, without JavaScript); with htmx it answers the
list (or the row) to swap in. The states of a row (being edited, asking to confirm a delete,
a form to add) are states of the editor page (`?edit=measure-5`), so that they work without
JavaScript too; htmx asks for the same page and swaps the row out of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from measures import editing, selectors
from measures.forms import MeasureForm, RoadmapForm, SectionForm
from measures.models import Measure, Roadmap, Section
from measures.views import _conflict, _measure_values
from roadmap_portal.concurrency import StaleEdit
from roadmap_portal.forms import show_errors


@dataclass
class State:
    """What the editor shows besides the rows: one row edited, asked about, or a form to add
    (`key`: «measure-5», «section-3», «add-measure-3» (in section 3; «-0» before the first
    section), «add-section»), and the control to focus."""

    key: str = ""
    mode: str = ""  # "edit", "delete", "add"
    form: Any = None
    conflict: dict | None = None
    error: str = ""
    focus: str = ""
    extra: dict = field(default_factory=dict)


def _editor_url(roadmap: Roadmap, anchor: str = "", **query: str) -> str:
    url = reverse("measures:roadmap_editor", args=[roadmap.pk])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    # with a control to focus, no #anchor: Chromium does not autofocus on a page opened at a
    # fragment, and the autofocus scrolls to the row anyway
    return url + (f"#{anchor}" if anchor and "focus" not in query else "")


def _rows(roadmap: Roadmap, state: State) -> list[dict]:
    """The sections and measures in order, [{"section": s|None, "measures": [...]}], each row
    with its `state` and the control to `focus` (two queries, whatever the size)."""
    sections = list(roadmap.sections.all())
    groups: list[dict] = [{"section": None, "measures": []}]
    by_pk = {}
    for section in sections:
        group = {"section": section, "measures": []}
        groups.append(group)
        by_pk[section.pk] = group
    for measure in roadmap.measures.with_deadline().order_by("position"):
        by_pk.get(measure.section_id, groups[0])["measures"].append(measure)
    for group in groups:
        rows = [group["section"], *group["measures"]] if group["section"] else group["measures"]
        for row in rows:
            key = f"{'section' if isinstance(row, Section) else 'measure'}-{row.pk}"
            row.state = state.mode if state.key == key else ""
            mine = state.focus.startswith(f"{key}-")
            row.focus = state.focus.removeprefix(f"{key}-") if mine else ""
        add_key = f"add-measure-{group['section'].pk if group['section'] else 0}"
        group["add_form"] = state.form if state.key == add_key else None
        group["add_focus"] = state.focus == f"{add_key}-open"
        # the measures before the first section: shown when there are some, or no sections
        group["show"] = bool(group["section"] or group["measures"] or not sections)
    return groups


def _render(
    request: HttpRequest, roadmap: Roadmap, state: State | None = None, status: int = 200
) -> HttpResponse:
    """The editor page, or for htmx its list of rows alone."""
    state = state or State()
    if state.form is not None and not state.focus:  # the first field, or the first wrong one
        names = [f.name for f in state.form.visible_fields()]
        wrong = [name for name in names if name in state.form.errors]
        if names:
            state.form.fields[(wrong or names)[0]].widget.attrs["autofocus"] = True
    groups = _rows(roadmap, state)
    template = "measures/roadmap_editor.html"
    if request.htmx:
        template += "#rows"
    return render(
        request,
        template,
        {
            "roadmap": roadmap,
            # the rows' URLs are these and the row's key (one reverse() each, not one per row)
            "editor_url": reverse("measures:roadmap_editor", args=[roadmap.pk]),
            "sections_url": reverse("measures:section_add", args=[roadmap.pk]),
            "measures_url": reverse("measures:measure_add", args=[roadmap.pk]),
            "groups": groups,
            "state": state,
            "has_rows": len(groups) > 1 or bool(groups[0]["measures"]),
        },
        status=status,
    )


def _done(request: HttpRequest, roadmap: Roadmap, anchor: str, focus: str) -> HttpResponse:
    """After a successful action: htmx gets the list with the control to focus; a plain POST
    a redirect to the editor at the row."""
    if request.htmx:
        return _render(request, roadmap, State(focus=focus))
    return redirect(_editor_url(roadmap, anchor, focus=focus))


def _section_from(roadmap: Roadmap, value: str) -> Section | None:
    if not value or value == "0":
        return None
    section = roadmap.sections.filter(pk=value).first() if value.isdecimal() else None
    if section is None:
        raise ValidationError(_("Раздел не найден: обновите страницу."))
    return section


# --- The roadmap --------------------------------------------------------------------------


def roadmap_create(request: HttpRequest) -> HttpResponse:
    municipalities = selectors.municipalities_for_change(request.user).order_by("name")
    if not municipalities.exists():
        raise PermissionDenied(
            _("Создавать дорожные карты может только муниципальный координатор.")
        )
    form = RoadmapForm(
        request.POST or None,
        instance=Roadmap(),
        municipalities=municipalities,
        today=timezone.localdate(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            roadmap = editing.roadmap_create(roadmap=form.save(commit=False))
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("Дорожная карта создана. Добавьте разделы и мероприятия."))
            return redirect("measures:roadmap_editor", pk=roadmap.pk)
    return render(
        request,
        "measures/roadmap_form.html",
        {"form": form, "roadmap": None},
        status=400 if form.errors else 200,
    )


def roadmap_edit(request: HttpRequest, pk: int) -> HttpResponse:
    roadmap = selectors.get_roadmap_for_change(request.user, pk, for_edit=True)
    municipalities = selectors.municipalities_for_change(request.user).order_by("name")
    form = RoadmapForm(
        request.POST or None,
        instance=roadmap,
        municipalities=municipalities,
        today=timezone.localdate(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            editing.roadmap_update(
                roadmap=form.save(commit=False), expected_version=form.cleaned_data["version"]
            )
        except StaleEdit as stale:
            conflict = _conflict(form, stale, _roadmap_values, what=_("Дорожную карту"))
            conflict["heading"] = _("Не сохранено: заголовок изменили, пока вы редактировали")
            return render(
                request,
                "measures/roadmap_form.html",
                {"form": form, "roadmap": stale.current, "conflict": conflict},
                status=409,
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("Заголовок дорожной карты сохранён."))
            return redirect("measures:roadmap_editor", pk=roadmap.pk)
    return render(
        request,
        "measures/roadmap_form.html",
        {"form": form, "roadmap": roadmap},
        status=400 if form.errors else 200,
    )


def _roadmap_values(roadmap: Roadmap) -> dict[str, object]:
    """A roadmap's header fields of the form; a refused edit compares them (`_conflict`)."""
    values = {name: getattr(roadmap, name) for name in RoadmapForm.Meta.fields}
    values["municipality"] = roadmap.municipality_id
    return values


def roadmap_delete(request: HttpRequest, pk: int) -> HttpResponse:
    roadmap = selectors.get_roadmap_for_change(request.user, pk, for_edit=True)
    problem = ""
    if request.method == "POST":
        try:
            editing.roadmap_delete(roadmap=roadmap)
        except ValidationError as error:
            problem = editing.refuse(error)
        else:
            messages.success(request, _("Проект «%(title)s» удалён.") % {"title": roadmap.title})
            if roadmap.amends_id is not None:  # a draft of changes: back to the roadmap in force
                return redirect("measures:roadmap_detail", roadmap.amends_id)
            return redirect("measures:roadmap_list")
    return render(
        request,
        "measures/roadmap_delete.html",
        {
            "roadmap": roadmap,
            "problem": problem,
            "sections": roadmap.sections.count(),
            "measures": roadmap.measures.count(),
        },
        status=400 if problem else 200,
    )


def roadmap_editor(request: HttpRequest, pk: int) -> HttpResponse:
    """The editor page; `?edit=`, `?delete=`, `?add=` open a row's state (see State)."""
    roadmap = selectors.get_roadmap_for_change(request.user, pk, for_edit=True)
    state = State(focus=request.GET.get("focus", ""))
    if key := request.GET.get("edit", ""):
        state = _edit_state(roadmap, key) or state
    elif key := request.GET.get("delete", ""):
        state = State(key=key, mode="delete", focus=f"{key}-confirm")
    elif key := request.GET.get("add", ""):
        if key == "section":
            state = State(key="add-section", mode="add", form=SectionForm())
        else:
            section = key.removeprefix("measure-")
            state = State(
                key=f"add-measure-{section}",
                mode="add",
                form=MeasureForm(instance=Measure(roadmap=roadmap), prefix="new"),
            )
    return _render(request, roadmap, state)


def _edit_state(roadmap: Roadmap, key: str) -> State | None:
    kind, _sep, pk = key.partition("-")
    if not pk.isdecimal():
        return None
    if kind == "measure":
        measure = roadmap.measures.filter(pk=pk).first()
        if measure is not None:
            measure.roadmap = roadmap
            return State(
                key=key,
                mode="edit",
                form=MeasureForm(instance=measure, prefix=f"measure-{measure.pk}"),
            )
    if kind == "section":
        section = roadmap.sections.filter(pk=pk).first()
        if section is not None:
            return State(
                key=key,
                mode="edit",
                form=SectionForm(section=section, prefix=key),
            )
    return None


# --- Sections -----------------------------------------------------------------------------


@require_POST
def section_add(request: HttpRequest, pk: int) -> HttpResponse:
    roadmap = selectors.get_roadmap_for_change(request.user, pk, for_edit=True)
    form = SectionForm(request.POST)
    if form.is_valid():
        try:
            section = editing.section_add(roadmap=roadmap, **form.values())
        except ValidationError as error:
            show_errors(form, error)
        else:
            key = f"section-{section.pk}"
            return _done(request, roadmap, key, f"add-measure-{section.pk}-open")
    state = State(key="add-section", mode="add", form=form)
    return _render(request, roadmap, state, status=400)


@require_POST
def section_edit(request: HttpRequest, roadmap_pk: int, pk: int) -> HttpResponse:
    section = selectors.get_section_for_edit(request.user, roadmap_pk, pk)
    key = f"section-{section.pk}"
    form = SectionForm(request.POST, section=section, prefix=key)
    if form.is_valid():
        try:
            editing.section_update(section=section, **form.values())
        except StaleEdit as stale:
            # the list is drawn from the database: the other person's title is in the heading
            conflict = _conflict(form, stale, _section_values, what=_("Раздел"))
            conflict["heading"] = _("Не сохранено: раздел изменили, пока вы редактировали")
            # the number as the form shows it now: an automatic one left as it is stays so
            form.data[form.add_prefix("number_opened")] = stale.current.number
            state = State(key=key, mode="edit", form=form, conflict=conflict)
            return _render(request, section.roadmap, state, status=409)
        except ValidationError as error:
            show_errors(form, error)
        else:
            return _done(request, section.roadmap, key, f"{key}-edit")
    state = State(key=key, mode="edit", form=form)
    return _render(request, section.roadmap, state, status=400)


def _section_values(section: Section) -> dict[str, object]:
    """A section's fields of the form; a refused edit compares them (`_conflict`)."""
    return {"number": section.number, "title": section.title}


@require_POST
def section_move(request: HttpRequest, roadmap_pk: int, pk: int) -> HttpResponse:
    section = selectors.get_section_for_edit(request.user, roadmap_pk, pk)
    direction = "up" if request.POST.get("direction") == "up" else "down"
    editing.section_move(section=section, direction=direction)
    key = f"section-{section.pk}"
    return _done(request, section.roadmap, key, f"{key}-{direction}")


@require_POST
def section_delete(request: HttpRequest, roadmap_pk: int, pk: int) -> HttpResponse:
    section = selectors.get_section_for_edit(request.user, roadmap_pk, pk)
    key = f"section-{section.pk}"
    try:
        editing.section_delete(section=section)
    except ValidationError as error:
        state = State(key=key, mode="delete", error=editing.refuse(error), focus=f"{key}-edit")
        return _render(request, section.roadmap, state, status=400)
    return _done(request, section.roadmap, "editor-end", "add-section-open")


# --- Measures -----------------------------------------------------------------------------


@require_POST
def measure_add(request: HttpRequest, pk: int) -> HttpResponse:
    roadmap = selectors.get_roadmap_for_change(request.user, pk, for_edit=True)
    section_value = request.POST.get("section", "")
    key = f"add-measure-{section_value or 0}"
    form = MeasureForm(request.POST, instance=Measure(roadmap=roadmap), prefix="new")
    form.fields["version"].required = False  # a new measure has no version yet
    if form.is_valid():
        try:
            measure = form.save(commit=False)
            measure.section = _section_from(roadmap, section_value)
            measure = editing.measure_add(measure=measure, links=form.links())
        except ValidationError as error:
            show_errors(form, error)
            if not roadmap.sections.filter(pk=measure.section_id or 0).exists():
                # a section not of this roadmap (a stale page): the form shows at the first
                first = roadmap.sections.order_by("position").first()
                key = f"add-measure-{first.pk if first else 0}"
        else:
            return _done(request, roadmap, f"measure-{measure.pk}", f"{key}-open")
    return _render(request, roadmap, State(key=key, mode="add", form=form), status=400)


@require_POST
def measure_inline(request: HttpRequest, roadmap_pk: int, pk: int) -> HttpResponse:
    measure = selectors.get_measure_for_change(request.user, roadmap_pk, pk)
    roadmap = measure.roadmap
    key = f"measure-{measure.pk}"
    number_before = (measure.number, measure.number_typed)
    form = MeasureForm(request.POST, instance=measure, prefix=key)
    if form.is_valid():
        try:
            editing.measure_update(
                measure=form.save(commit=False),
                number_before=number_before,
                expected_version=form.cleaned_data["version"],
                links=form.links(),
            )
        except StaleEdit as stale:
            conflict = _conflict(form, stale, _measure_values)
            return _render(request, roadmap, State(key, "edit", form, conflict), status=409)
        except ValidationError as error:
            show_errors(form, error)
        else:
            return _done(request, roadmap, key, f"{key}-edit")
    return _render(request, roadmap, State(key=key, mode="edit", form=form), status=400)


@require_POST
def measure_move(request: HttpRequest, roadmap_pk: int, pk: int) -> HttpResponse:
    measure = selectors.get_measure_for_change(request.user, roadmap_pk, pk)
    direction = "up" if request.POST.get("direction") == "up" else "down"
    editing.measure_move(measure=measure, direction=direction)
    key = f"measure-{measure.pk}"
    return _done(request, measure.roadmap, key, f"{key}-{direction}")


@require_POST
def measure_delete(request: HttpRequest, roadmap_pk: int, pk: int) -> HttpResponse:
    measure = selectors.get_measure_for_change(request.user, roadmap_pk, pk)
    key = f"measure-{measure.pk}"
    section = measure.section_id or 0
    try:
        editing.measure_delete(measure=measure)
    except ValidationError as error:
        state = State(key=key, mode="delete", error=editing.refuse(error), focus=f"{key}-edit")
        return _render(request, measure.roadmap, state, status=400)
    anchor = f"section-{section}" if section else "editor-top"
    return _done(request, measure.roadmap, anchor, f"add-measure-{section}-open")
