"""The catalogue of indicators of a municipality (with targets by year and the values table of
an indicator) and its monitoring stages. Read by everyone who reads the municipality (a
director: their own school's values only); changed by its coordinator."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from measures.models import Roadmap
from measures.views import _conflict
from monitoring import selectors, services
from monitoring.catalogue_forms import IndicatorForm, StageForm, TargetFormSet
from monitoring.models import Indicator, MonitoringStage
from monitoring.values import format_value, input_text
from roadmap_portal.concurrency import StaleEdit
from roadmap_portal.forms import show_errors
from schools.models import Municipality, School
from schools.selectors import (
    coordinates,
    director_schools,
    viewed_regions,
    visible_municipalities,
)


def index(request: HttpRequest) -> HttpResponse:
    municipalities = list(
        selectors.monitoring_municipalities(request.user)
        .annotate(indicator_count=Count("indicators"))
        .order_by("region__name", "name")
    )
    if not municipalities:
        raise PermissionDenied(
            _("Показатели мониторинга видят сотрудники муниципалитета, его рабочая группа, "
              "директора его школ и региональные наблюдатели; у вас нет такой роли.")
        )  # fmt: skip
    regions = list(viewed_regions(request.user).order_by("name"))
    if len(municipalities) == 1 and not regions:
        only = municipalities[0]
        if selectors.reads_all_schools(request.user, only.pk):
            return redirect("monitoring:dashboard", pk=only.pk)  # what the working group meets over
        return redirect("monitoring:indicator_list", pk=only.pk)
    in_full = set(visible_municipalities(request.user).values_list("pk", flat=True))
    for municipality in municipalities:
        municipality.reads_all = municipality.pk in in_full
    return render(
        request, "monitoring/index.html", {"municipalities": municipalities, "regions": regions}
    )


def _own_schools(request: HttpRequest, municipality: Municipality) -> bool:
    return director_schools(request.user).filter(municipality=municipality).exists()


def indicator_list(request: HttpRequest, pk: int) -> HttpResponse:
    municipality = selectors.get_monitoring_municipality(request.user, pk)
    year = timezone.localdate().year
    indicators = list(selectors.indicators_in(municipality).annotate(values_count=Count("values")))
    for indicator in indicators:
        targets = list(indicator.targets.all())
        indicator.target_now = next((t for t in targets if t.year == year), None)
        indicator.targets_later = [t for t in targets if t.year > year]
        indicator.baseline_text = format_value(indicator.unit, indicator.baseline)
        for target in targets:
            target.text = format_value(indicator.unit, target.target)
    return render(
        request,
        "monitoring/indicator_list.html",
        {
            "municipality": municipality,
            "indicators": indicators,
            "year": year,
            "can_change": coordinates(request.user, municipality.pk),
            "is_director": _own_schools(request, municipality),
            "reads_all": selectors.reads_all_schools(request.user, municipality.pk),
            "stage_count": selectors.stages_in(municipality).count(),
        },
    )


def _roadmaps_of(municipality: Municipality):
    return Roadmap.objects.filter(municipality=municipality)


def _targets_initial(indicator: Indicator) -> list[dict[str, Any]]:
    return [
        {"year": t.year, "target": input_text(indicator.unit, t.target)}
        for t in indicator.targets.order_by("year")
    ]


def _more_rows(data: Any, prefix: str = "targets", rows: int = 3) -> Any:
    """The posted form with `rows` more empty target rows (the «Ещё строки» button: no JS)."""
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        data[key] = str(min(int(data.get(key, 0)) + rows, 30))
    except ValueError:
        data[key] = str(rows)
    return data


def _indicator_values(indicator: Indicator) -> dict[str, object]:
    """The plain fields of the form as saved; a refused edit compares them (`_conflict`)."""
    values: dict[str, object] = {
        name: getattr(indicator, name)
        for name in ("code", "title", "unit", "direction", "level", "baseline_year", "method",
                     "source")
    }  # fmt: skip
    values["baseline"] = input_text(indicator.unit, indicator.baseline)
    return values


def _indicator_form_page(
    request: HttpRequest, municipality: Municipality, indicator: Indicator | None
) -> HttpResponse:
    roadmaps = _roadmaps_of(municipality)
    instance = indicator or Indicator(municipality=municipality)
    data = request.POST if request.method == "POST" else None
    adding_rows = data is not None and "more_rows" in data
    if adding_rows:
        data = _more_rows(data)
    form = IndicatorForm(data, instance=instance, roadmaps=roadmaps)
    formset = TargetFormSet(
        data, prefix="targets", initial=_targets_initial(indicator) if indicator else None
    )
    conflict = None
    status = 200
    if data is not None and not adding_rows:
        form_ok = form.is_valid()
        unit = form.cleaned_data.get("unit") if form_ok or "unit" in form.cleaned_data else None
        targets = formset.targets(unit) if unit else None
        if not unit:
            formset.is_valid()
        if form_ok and targets is not None:
            try:
                saved = services.indicator_save(
                    indicator=form.save(commit=False),
                    roadmaps=list(form.cleaned_data["roadmaps"]),
                    measures=list(form.cleaned_data["measures"]),
                    targets=targets,
                    expected_version=form.cleaned_data.get("version"),
                )
            except StaleEdit as stale:
                conflict = _conflict(form, stale, _indicator_values, what=_("Показатель"))
                conflict["heading"] = _("Не сохранено: показатель изменили, пока вы редактировали")
                indicator = stale.current
                status = 409
            except ValidationError as error:
                show_errors(form, error)
            else:
                messages.success(
                    request, _("Показатель «%(code)s» сохранён.") % {"code": saved.code}
                )
                return redirect("monitoring:indicator_detail", pk=saved.pk)
        if status == 200:
            status = 400
    return render(
        request,
        "monitoring/indicator_form.html",
        {
            "municipality": municipality,
            "indicator": indicator,
            "form": form,
            "formset": formset,
            "conflict": conflict,
            "has_roadmaps": roadmaps.exists(),
        },
        status=status,
    )


def indicator_create(request: HttpRequest, pk: int) -> HttpResponse:
    municipality = selectors.get_coordinated_municipality(request.user, pk)
    return _indicator_form_page(request, municipality, None)


def indicator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = selectors.get_indicator_for_coordination(request.user, pk)
    return _indicator_form_page(request, indicator.municipality, indicator)


def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = selectors.get_indicator_for_user(request.user, pk)
    municipality = indicator.municipality
    user = request.user
    targets = list(indicator.targets.order_by("year"))
    for target in targets:
        target.text = format_value(indicator.unit, target.target)
    roadmaps = list(indicator.roadmaps.order_by("-starts_on", "title"))
    measures = list(
        indicator.measures.select_related("roadmap").order_by("roadmap__title", "position")
    )
    stages = list(selectors.stages_in(municipality))
    values = {
        (row.school_id, row.stage_id): row
        for row in selectors.values_seen_by(user, municipality).filter(indicator=indicator)
    }
    coordinator = coordinates(user, municipality.pk)
    if indicator.level == Indicator.Level.SCHOOL:
        if selectors.reads_all_schools(user, municipality.pk):
            schools = list(School.objects.filter(municipality=municipality).order_by("short_name"))
        else:
            schools = list(director_schools(user).filter(municipality=municipality))
        enterable = set(selectors.entry_schools(user, municipality).values_list("pk", flat=True))
        places = [(school, school.pk in enterable) for school in schools]
    else:
        places = [(None, coordinator)]
    rows = []
    for school, may in places:
        cells = []
        for stage in stages:
            row = values.get((school.pk if school else None, stage.pk))
            cells.append(
                {
                    "stage": stage,
                    "text": format_value(indicator.unit, row.value if row else None),
                    "row": row,
                    "may_enter": may,
                }
            )
        rows.append({"school": school, "cells": cells})
    return render(
        request,
        "monitoring/indicator_detail.html",
        {
            "indicator": indicator,
            "municipality": municipality,
            "baseline_text": format_value(indicator.unit, indicator.baseline),
            "targets": targets,
            "roadmaps": roadmaps,
            "measures": measures,
            "stages": stages,
            "rows": rows,
            "can_change": coordinator,
            "year": timezone.localdate().year,
        },
    )


def indicator_delete(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = selectors.get_indicator_for_coordination(request.user, pk)
    if request.method == "POST":
        services.indicator_delete(indicator=indicator)
        messages.success(
            request,
            _("Показатель «%(code)s» удалён вместе с его значениями и целями.")
            % {"code": indicator.code},
        )
        return redirect("monitoring:indicator_list", pk=indicator.municipality_id)
    return render(
        request,
        "monitoring/indicator_delete.html",
        {
            "indicator": indicator,
            "values": indicator.values.count(),
            "targets": indicator.targets.count(),
        },
    )


# --- The stages ---------------------------------------------------------------------------


def stage_list(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "POST":
        municipality = selectors.get_coordinated_municipality(request.user, pk)
    else:
        municipality = selectors.get_monitoring_municipality(request.user, pk)
    can_change = coordinates(request.user, municipality.pk)
    form = None
    status = 200
    if can_change:
        form = StageForm(
            request.POST or None,
            instance=MonitoringStage(municipality=municipality),
            roadmaps=_roadmaps_of(municipality),
            today=timezone.localdate(),
        )
        if request.method == "POST":
            if form.is_valid():
                try:
                    stage = services.stage_save(stage=form.save(commit=False))
                except ValidationError as error:
                    show_errors(form, error)
                else:
                    messages.success(request, _("Этап «%(stage)s» добавлен.") % {"stage": stage})
                    return redirect("monitoring:stage_list", pk=municipality.pk)
            status = 400
    stages = (
        selectors.stages_in(municipality)
        .select_related("roadmap")
        .annotate(values_count=Count("values"))
    )
    return render(
        request,
        "monitoring/stage_list.html",
        {
            "municipality": municipality,
            "stages": list(stages),
            "form": form,
            "can_change": can_change,
            "reads_all": selectors.reads_all_schools(request.user, municipality.pk),
        },
        status=status,
    )


def stage_edit(request: HttpRequest, pk: int) -> HttpResponse:
    stage = selectors.get_stage_for_coordination(request.user, pk)
    form = StageForm(
        request.POST or None,
        instance=stage,
        roadmaps=_roadmaps_of(stage.municipality),
        today=timezone.localdate(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            stage = services.stage_save(stage=form.save(commit=False))
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("Этап «%(stage)s» сохранён.") % {"stage": stage})
            return redirect("monitoring:stage_list", pk=stage.municipality_id)
    return render(
        request,
        "monitoring/stage_form.html",
        {"stage": stage, "municipality": stage.municipality, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
def stage_delete(request: HttpRequest, pk: int) -> HttpResponse:
    stage = selectors.get_stage_for_coordination(request.user, pk)
    try:
        services.stage_delete(stage=stage)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Этап «%(stage)s» удалён.") % {"stage": stage})
    return redirect("monitoring:stage_list", pk=stage.municipality_id)
