"""The dashboards: pages and their tables as XLSX."""

from __future__ import annotations

import tablib
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from measures.exporting import attachment_header, clean_sheet_name, xlsx_sheet
from monitoring import dashboards
from monitoring.dashboard_forms import DashboardFilters
from monitoring.selectors import (
    get_monitoring_municipality,
    get_region_for_dashboard,
    reads_all_schools,
)


def _municipality_for_dashboard(request: HttpRequest, pk: int):
    """A municipality the user reads in full; a director (who reads only their school) is
    pointed to their school's page."""
    municipality = get_monitoring_municipality(request.user, pk)
    if not reads_all_schools(request.user, municipality.pk):
        raise PermissionDenied(
            _(
                "Панель муниципалитета открыта координаторам, рабочей группе и наблюдателям "
                "региона. Показатели вашей школы — на странице «Показатели»."
            )
        )
    return municipality


def _filters(request: HttpRequest, municipality):
    roadmaps, years, schools = dashboards.filter_options(municipality)
    form = DashboardFilters(request.GET, roadmaps=roadmaps, years=years, schools=schools)
    return form, roadmaps, form.cleaned()


def _page_number(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("grid_page", "1"))
    except ValueError:
        return 1


def municipal(request: HttpRequest, pk: int) -> HttpResponse:
    municipality = _municipality_for_dashboard(request, pk)
    form, roadmaps, filters = _filters(request, municipality)
    board = dashboards.municipal_dashboard(
        municipality, roadmaps, filters, grid_page=_page_number(request)
    )
    return render(
        request,
        "monitoring/dashboard_municipality.html",
        {
            "municipality": municipality,
            "board": board,
            "form": form,
            "query": form.query(grid_page=None),
            "filters_described": form.described(),
            "printed_at": timezone.localtime(),
            "current": "dashboard",
        },
    )


def municipal_export(request: HttpRequest, pk: int, table: str) -> HttpResponse:
    if table not in dashboards.TABLE_KEYS:
        raise Http404(_("Такой таблицы на панели нет"))
    municipality = _municipality_for_dashboard(request, pk)
    _form, roadmaps, filters = _filters(request, municipality)
    board = dashboards.municipal_dashboard(municipality, roadmaps, filters, only=table)
    return xlsx_response(board.tables[table], municipality.name)


def _region_filters(request: HttpRequest, region):
    years = dashboards.region_years(region)
    form = DashboardFilters(request.GET, roadmaps=None, years=years, schools=None)
    return form, form.cleaned()


def region(request: HttpRequest, pk: int) -> HttpResponse:
    place = get_region_for_dashboard(request.user, pk)
    form, filters = _region_filters(request, place)
    board = dashboards.region_dashboard(place, filters)
    return render(
        request,
        "monitoring/dashboard_region.html",
        {
            "region": place,
            "board": board,
            "form": form,
            "query": form.query(),
            "filters_described": form.described(),
            "printed_at": timezone.localtime(),
        },
    )


def region_export(request: HttpRequest, pk: int, table: str) -> HttpResponse:
    if table not in dashboards.REGION_TABLE_KEYS:
        raise Http404(_("Такой таблицы на панели нет"))
    place = get_region_for_dashboard(request.user, pk)
    _form, filters = _region_filters(request, place)
    board = dashboards.region_dashboard(place, filters)
    return xlsx_response(board.tables[table], place.name)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(table: dashboards.Table, place: str) -> HttpResponse:
    """The table as an XLSX download named «<table> — <place> — <date>.xlsx»."""
    dataset = tablib.Dataset(*table.rows, headers=table.headers)
    content = xlsx_sheet(dataset, clean_sheet_name(table.title), widths=[40])
    day = timezone.localdate().strftime("%d.%m.%Y")
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = attachment_header(
        f"{table.title} — {place} — {day}.xlsx", f"dashboard-{table.key}.xlsx"
    )
    return response
