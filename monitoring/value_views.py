"""Values entered one by one, a school's values by stage beside the municipality's average,
and the history of an indicator and of its values."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import OuterRef, Q, Subquery
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pghistory.models import Events

from monitoring import dashboards
from monitoring.aggregates import stage_points
from monitoring.dashboard_views import xlsx_response
from monitoring.models import (
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    MonitoringStage,
)
from monitoring.selectors import (
    current_stage,
    get_indicator_for_user,
    get_school_for_monitoring,
    may_enter,
    monitoring_municipalities,
    reads_all_schools,
    stages_in,
)
from monitoring.services import delete_value, set_value
from monitoring.value_forms import ValueForm, accepted
from monitoring.values import ValueRefused, format_value, input_text, share_text
from roadmap_portal.concurrency import StaleEdit
from schools.models import School
from schools.selectors import coordinates, director_schools

# stages shown on a school's page: the latest started ones, newest last
SHOWN_STAGES = 6
MIN_SCHOOLS_FOR_AVERAGE = 3  # an average of two gives the other school's value away
HISTORY_PER_PAGE = 30


# --- entering one value ------------------------------------------------------------------------


def _place(request: HttpRequest, indicator: Indicator) -> School | None:
    """The school of the value (`?school=`), checked against the indicator's level: a school's
    indicator needs one, a municipality's takes none (400 with the reason, not 500)."""
    raw = request.GET.get("school", "").strip()
    if indicator.level == Indicator.Level.MUNICIPALITY:
        if raw:
            raise _BadPlace(_("Это показатель муниципалитета: значение вносится без школы."))
        return None
    if not raw:
        raise _BadPlace(_("Это показатель школы: выберите школу, для которой вносите значение."))
    if not raw.isdecimal():
        raise _BadPlace(_("Школа указана неверно."))
    school = School.objects.filter(pk=int(raw), municipality_id=indicator.municipality_id).first()
    if school is None:
        raise Http404(_("Школа не найдена"))
    return school


class _BadPlace(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _back_url(request: HttpRequest, indicator: Indicator, school: School | None) -> str:
    """Where the user came from (`next`), else the coordinator's indicator page or the
    director's school page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    if coordinates(request.user, indicator.municipality_id):
        return reverse("monitoring:indicator_detail", args=[indicator.pk])
    url = reverse("monitoring:my_school_values")
    return f"{url}?school={school.pk}" if school else url


def _row_for(indicator: Indicator, school: School | None, stage: MonitoringStage | None):
    if stage is None:
        return None
    return (
        IndicatorValue.objects.filter(indicator=indicator, school=school, stage=stage)
        .select_related("updated_by")
        .first()
    )


def _initial(row: IndicatorValue | None, indicator: Indicator, stage, today: date) -> dict:
    if row is None:
        return {
            "stage": stage,
            "measured_on": today,
            "version": 0,
            "opened_stage": stage.pk if stage else None,
        }
    return {
        "stage": stage,
        "value": input_text(indicator.unit, row.value),
        "source": row.source,
        "measured_on": row.measured_on,
        "version": row.version,
        "opened_stage": stage.pk,
    }


def value_enter(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = get_indicator_for_user(request.user, pk)
    try:
        school = _place(request, indicator)
    except _BadPlace as bad:
        return render(
            request,
            "monitoring/value_refused.html",
            {"indicator": indicator, "message": bad.message},
            status=400,
        )
    if not may_enter(request.user, indicator, school):
        raise PermissionDenied(
            _("Значения школы вносит её руководитель или координатор муниципалитета.")
            if school
            else _("Значения муниципалитета вносит координатор муниципалитета.")
        )
    today = timezone.localdate()
    stages_qs = stages_in(indicator.municipality)
    stages = list(stages_qs)
    chosen = request.GET.get("stage", "")
    stage = next((s for s in stages if str(s.pk) == chosen), None) or current_stage(stages, today)
    back = _back_url(request, indicator, school)
    context: dict[str, Any] = {
        "indicator": indicator,
        "school": school,
        "accepted": accepted(indicator.unit),
        "back": back,
        "back_label": _("Показатели школы")
        if back.startswith(reverse("monitoring:my_school_values"))
        or (school and back.startswith(reverse("monitoring:school_values", args=[school.pk])))
        else _("Показатель"),
        "stages": stages,
    }
    if request.method == "POST" and request.POST.get("action") == "delete":
        return _delete(request, indicator, school, stages, context)

    row = _row_for(indicator, school, stage)
    if request.method == "POST":
        form = ValueForm(request.POST, indicator=indicator, stages=stages_qs)
        if form.is_valid():
            stage = form.cleaned_data["stage"]
            try:
                saved = set_value(
                    user=request.user,
                    indicator=indicator,
                    stage=stage,
                    school=school,
                    value=form.cleaned_data["value"],
                    source=form.cleaned_data["source"],
                    measured_on=form.cleaned_data["measured_on"],
                    expected_version=form.expected_version(),
                )
            except StaleEdit as stale:
                return _stale(request, form, stale, context)
            except ValueRefused as refused:
                form.add_error(None, refused.message)
            else:
                messages.success(
                    request,
                    _("Значение сохранено: %(value)s — %(where)s, %(stage)s.")
                    % {
                        "value": format_value(indicator.unit, saved.value),
                        "where": school.short_name if school else _("муниципалитет"),
                        "stage": stage,
                    },
                )
                return redirect(context["back"])
        row = _row_for(indicator, school, form.cleaned_data.get("stage") or stage)
    else:
        form = ValueForm(
            initial=_initial(row, indicator, stage, today), indicator=indicator, stages=stages_qs
        )
    context.update(form=form, row=row, stage=stage, saved=_current(indicator, row))
    return render(
        request, "monitoring/value_enter.html", context, status=400 if form.errors else 200
    )


def _current(indicator: Indicator, row: IndicatorValue | None) -> dict[str, Any] | None:
    if row is None:
        return None
    who = row.updated_by.get_full_name() or row.updated_by.username if row.updated_by else ""
    return {
        "value": format_value(indicator.unit, row.value),
        "source": row.source,
        "measured_on": row.measured_on,
        "who": who,
        "when": row.updated_at,
        "version": row.version,
        "stage": row.stage_id,
    }


def _stale(
    request: HttpRequest, form: ValueForm, stale: StaleEdit, context: dict[str, Any]
) -> HttpResponse:
    """The value was changed (or first entered) by someone else after the form was opened:
    nothing saved, the user's input kept, the form now on the current version so that saving
    again is a conscious choice."""
    indicator, current = context["indicator"], stale.current
    when = (
        timezone.localtime(stale.change.when).strftime("%d.%m.%Y %H:%M")
        if stale.change.when
        else ""
    )
    theirs = {
        _("Значение"): format_value(indicator.unit, current.value),
        _("Источник"): current.source or "—",
        _("Дата измерения"): current.measured_on.strftime("%d.%m.%Y"),
    }
    yours = {
        _("Значение"): format_value(indicator.unit, form.cleaned_data["value"]),
        _("Источник"): form.cleaned_data["source"] or "—",
        _("Дата измерения"): form.cleaned_data["measured_on"].strftime("%d.%m.%Y"),
    }
    switched = str(current.stage_id) != str(form.data.get("opened_stage") or "")
    if switched:  # the user chose another stage than the form showed: it has a value already
        heading = _("Не сохранено: на этом этапе значение уже есть")
        message = _(
            "Для этапа «%(stage)s» уже внесено значение (%(who)s, %(when)s). Ваш ввод остался "
            "в форме: сравните и нажмите «Сохранить» ещё раз, чтобы заменить его."
        )
    else:
        heading = _("Не сохранено: значение изменили, пока вы его вносили")
        message = _(
            "Значение для этапа «%(stage)s» сохранил(а) %(who)s %(when)s. Ваш ввод остался "
            "в форме: сравните и нажмите «Сохранить» ещё раз, если ваше значение вернее."
        )
    conflict = {
        "heading": heading,
        "message": message % {"stage": current.stage, "who": stale.change.who, "when": when},
        "rows": [{"field": name, "theirs": theirs[name], "yours": yours[name]} for name in theirs],
    }
    data = form.data.copy()
    data["version"] = str(current.version)
    data["opened_stage"] = str(current.stage_id)
    form.data = data
    context.update(
        form=form,
        row=current,
        stage=current.stage,
        saved=_current(indicator, current),
        conflict=conflict,
    )
    return render(request, "monitoring/value_enter.html", context, status=409)


def _delete(
    request: HttpRequest,
    indicator: Indicator,
    school: School | None,
    stages: list[MonitoringStage],
    context: dict[str, Any],
) -> HttpResponse:
    stage = next((s for s in stages if str(s.pk) == request.POST.get("stage", "")), None)
    row = _row_for(indicator, school, stage)
    if row is None:
        messages.info(request, _("Этого значения уже нет: его удалили раньше."))
        return redirect(context["back"])
    version = request.POST.get("version", "")
    try:
        delete_value(row=row, expected_version=int(version) if version.isdecimal() else None)
    except StaleEdit as stale:
        when = stale.change.when
        messages.error(
            request,
            _(
                "Не удалено: значение изменил(а) %(who)s %(when)s. Посмотрите его и удалите "
                "ещё раз, если нужно."
            )
            % {
                "who": stale.change.who,
                "when": timezone.localtime(when).strftime("%d.%m.%Y %H:%M") if when else "",
            },
        )
        url = reverse("monitoring:value_enter", args=[indicator.pk])
        query = f"?stage={stage.pk}" + (f"&school={school.pk}" if school else "")
        return redirect(url + query)
    messages.success(
        request,
        _("Значение удалено: %(where)s, %(stage)s.")
        % {"where": school.short_name if school else _("муниципалитет"), "stage": stage},
    )
    return redirect(context["back"])


# --- a school's values -------------------------------------------------------------------------


def my_school_values(request: HttpRequest) -> HttpResponse:
    """A director's page: their school's values. Others who read monitoring go to its index."""
    schools = list(
        director_schools(request.user)
        .select_related("municipality__region")
        .order_by("short_name", "pk")
    )
    if not schools:
        if monitoring_municipalities(request.user).exists():
            return redirect("monitoring:index")
        raise PermissionDenied(_("Страница значений школы — для руководителей школ."))
    school = schools[0]
    chosen = request.GET.get("school", "")
    if chosen:
        school = next((s for s in schools if str(s.pk) == chosen), None)
        if school is None:
            raise Http404(_("Школа не найдена"))
    return _school_page(request, school, schools, may=True)


def school_values(request: HttpRequest, pk: int) -> HttpResponse:
    school = get_school_for_monitoring(request.user, pk)
    may = coordinates(request.user, school.municipality_id) or (
        director_schools(request.user).filter(pk=school.pk).exists()
    )
    return _school_page(request, school, [], may=may)


def school_export(request: HttpRequest, pk: int, table: str) -> HttpResponse:
    """A table of the school's page as XLSX: its control dates, its indicators."""
    if table not in ("measures", "indicators"):
        raise Http404(_("Такой таблицы на странице нет"))
    school = get_school_for_monitoring(request.user, pk)
    return _school_page(request, school, [], may=False, export=table)


def _school_page(
    request: HttpRequest,
    school: School,
    schools: list[School],
    *,
    may: bool,
    export: str | None = None,
) -> HttpResponse:
    """The school-level indicators of the school's municipality, with this year's target, the
    school's values of the latest stages and the municipality's average of each: four queries
    (indicators with their target, stages, the school's values, the averages)."""
    today = timezone.localdate()
    municipality = school.municipality
    target = IndicatorTarget.objects.filter(indicator=OuterRef("pk"), year=today.year)
    indicators = list(
        Indicator.objects.filter(municipality=municipality, level=Indicator.Level.SCHOOL)
        .annotate(target_now=Subquery(target.values("target")[:1]))
        .order_by("code")
    )
    stages = list(
        reversed(
            MonitoringStage.objects.filter(
                municipality=municipality, starts_on__lte=today
            ).order_by("-starts_on", "-pk")[:SHOWN_STAGES]
        )
    )
    values = {
        (row["indicator_id"], row["stage_id"]): row
        for row in IndicatorValue.objects.filter(
            school=school, stage__in=stages, indicator__in=indicators
        ).values("indicator_id", "stage_id", "value", "source", "measured_on")
    }
    # the municipality's figure of the stage: the schools' average (one definition, the
    # dashboards' own)
    points = stage_points([municipality.pk], indicator_ids=[i.pk for i in indicators])
    # shown where it hides each school's own: a director must not read a neighbour's value
    averages = {
        key: point.value
        for key, point in points.items()
        if point.schools >= MIN_SCHOOLS_FOR_AVERAGE
    }
    rows = []
    for indicator in indicators:
        cells = []
        for stage in stages:
            found = values.get((indicator.pk, stage.pk))
            average = averages.get((indicator.pk, stage.pk))
            cells.append(
                {
                    "stage": stage,
                    "value": format_value(indicator.unit, found["value"]) if found else "",
                    "title": _average_title(found),
                    "average": _average(indicator.unit, average),
                }
            )
        rows.append(
            {
                "indicator": indicator,
                "target": format_value(indicator.unit, indicator.target_now)
                if indicator.target_now is not None
                else "",
                "cells": cells,
            }
        )
    progress, roadmaps, measures = dashboards.school_measures(school, today)
    indicators_table = dashboards.Table(
        "indicators",
        _("Показатели школы"),
        [_("Показатель"), _("Ед."), _("Цель %(year)s") % {"year": today.year},
         *[stage.short for stage in stages],
         *[_("Среднее: %(stage)s") % {"stage": stage.short} for stage in stages]],
    )  # fmt: skip
    for row in rows:
        indicators_table.rows.append([
            row["indicator"].title, row["indicator"].get_unit_display(), row["target"],
            *[cell["value"] for cell in row["cells"]],
            *[cell["average"] for cell in row["cells"]],
        ])  # fmt: skip
    tables = {"measures": measures, "indicators": indicators_table}
    if export:
        return xlsx_response(tables[export], school.short_name)
    return render(
        request,
        "monitoring/school_values.html",
        {
            "school": school,
            "schools": schools,
            "stages": stages,
            "rows": rows,
            "may_enter": may,
            "year": today.year,
            "mine": bool(schools),
            "progress": progress,
            "roadmaps": roadmaps,
            "measures": measures,
            "reports": may,  # who enters the school's values reports for it too
        },
    )


def _average_title(found: dict[str, Any] | None) -> str:
    if not found:
        return ""
    parts = [found["source"], found["measured_on"].strftime("%d.%m.%Y")]
    return " · ".join(p for p in parts if p)


def _average(unit: str, average: Decimal | None) -> str:
    """The municipality's average under the school's value: «ср. 61,3 %», ««да» у 50 % школ»."""
    if average is None:
        return ""
    if unit == Indicator.Unit.BOOLEAN:
        return share_text(unit, average)
    return _("ср. %(value)s") % {"value": share_text(unit, average)}


# --- the history -------------------------------------------------------------------------------

_VALUE_MODEL = IndicatorValue._meta.label
_TARGET_MODEL = IndicatorTarget._meta.label
_NOISE = {"id", "version", "updated_at", "updated_by_id", "values_import_id", "municipality_id"}
_ACTIONS = {
    "insert": gettext_lazy("добавлено"),
    "update": gettext_lazy("изменено"),
    "delete": gettext_lazy("удалено"),
}


def indicator_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Who changed the indicator, its targets and its values, and how: newest first, paged.
    A director sees the indicator's own changes and only their own school's values (and the
    municipality's). A fixed number of queries: the count, the page, its people, schools and
    stages."""
    indicator = get_indicator_for_user(request.user, pk)
    events = Events.objects.references(indicator).exclude(
        Q(pgh_label="update", pgh_diff__isnull=False)
        & ~Q(pgh_diff__has_any_keys=_meaningful_keys())
    )
    if not reads_all_schools(request.user, indicator.municipality_id):
        own = list(director_schools(request.user).values_list("pk", flat=True))
        events = events.filter(
            ~Q(pgh_obj_model=_VALUE_MODEL)
            | Q(pgh_data__school_id__in=own)
            | Q(pgh_data__school_id=None)
        )
    events = events.order_by("-pgh_created_at", "-pgh_id")
    page = Paginator(events, HISTORY_PER_PAGE).get_page(request.GET.get("page"))
    page_events = list(page.object_list)
    entries = _entries(indicator, page_events)
    return render(
        request,
        "monitoring/indicator_history.html",
        {"indicator": indicator, "page": page, "entries": entries},
    )


def _meaningful_keys() -> list[str]:
    keys: set[str] = set()
    for model in (Indicator, IndicatorTarget, IndicatorValue):
        keys.update(f.attname for f in model._meta.concrete_fields)
    return sorted(keys - _NOISE)


def _entries(indicator: Indicator, events: list) -> list[dict[str, Any]]:
    user_ids, school_ids, stage_ids = set(), set(), set()
    for event in events:
        user = (event.pgh_context or {}).get("user")
        if isinstance(user, int):
            user_ids.add(user)
        data = event.pgh_data or {}
        if event.pgh_obj_model == _VALUE_MODEL:
            school_ids.add(data.get("school_id"))
            stage_ids.add(data.get("stage_id"))
    users = {u.pk: u.get_full_name() or u.username for u in User.objects.filter(pk__in=user_ids)}
    schools = dict(
        School.objects.filter(pk__in=[i for i in school_ids if i]).values_list("pk", "short_name")
    )
    stages = {s.pk: str(s) for s in MonitoringStage.objects.filter(pk__in=stage_ids)}
    entries = []
    for event in events:
        data = event.pgh_data or {}
        user = (event.pgh_context or {}).get("user")
        entry = {
            "when": event.pgh_created_at,
            "who": users.get(user, "") if user else "",
            "action": _ACTIONS.get(event.pgh_label, event.pgh_label),
            "label": event.pgh_label,
            "changes": [],
        }
        if event.pgh_obj_model == _VALUE_MODEL:
            school_id = data.get("school_id")
            entry["what"] = _("Значение: %(where)s, %(stage)s") % {
                "where": schools.get(school_id, "?") if school_id else _("муниципалитет"),
                "stage": stages.get(data.get("stage_id"), "?"),
            }
            entry["changes"] = _changes(indicator, IndicatorValue, event)
        elif event.pgh_obj_model == _TARGET_MODEL:
            entry["what"] = _("Цель на %(year)s год") % {"year": data.get("year")}
            entry["changes"] = _changes(indicator, IndicatorTarget, event)
        else:
            entry["what"] = _("Показатель")
            entry["changes"] = _changes(indicator, Indicator, event)
        entries.append(entry)
    return entries


def _shown(indicator: Indicator, model: type, name: str, value: Any) -> str:
    if value in (None, ""):
        return "—"
    field = model._meta.get_field(name.removesuffix("_id"))
    if name in {"value", "target", "baseline"}:
        return format_value(indicator.unit, Decimal(str(value)))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, str) and len(value) == 10 and value[4] == "-":
        try:
            return date.fromisoformat(value).strftime("%d.%m.%Y")
        except ValueError:
            return value
    return str(value)


def _changes(indicator: Indicator, model: type, event: Any) -> list[dict[str, str]]:
    """Before → after of the fields a reader cares about: the diff of an update, the
    snapshot of a creation (after only) or of a deletion (before only)."""
    data = event.pgh_data or {}
    skip = _NOISE | {"indicator_id", "school_id", "stage_id"}
    if model is IndicatorTarget:
        skip |= {"year"}
    changes = []
    if event.pgh_label == "update" and event.pgh_diff:
        items = [(k, v[0], v[1]) for k, v in event.pgh_diff.items() if k not in skip]
    elif event.pgh_label == "delete":
        items = [(k, v, None) for k, v in data.items() if k not in skip]
    else:
        items = [(k, None, v) for k, v in data.items() if k not in skip]
    for name, before, after in items:
        if before in (None, "") and after in (None, ""):
            continue
        field = model._meta.get_field(name.removesuffix("_id"))
        changes.append(
            {
                "field": str(field.verbose_name).capitalize(),
                "before": _shown(indicator, model, name, before),
                "after": _shown(indicator, model, name, after),
            }
        )
    return changes
