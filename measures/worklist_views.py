"""A director's «Моя школа» and the working group's «На проверке»."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from measures import worklists
from measures.progress import Progress, pairs_for, progress_of, roadmap_progress
from measures.worklist_forms import QueueFilterForm, SchoolFilterForm
from measures.worklists import ALL_ROADMAPS, GROUP_COUNTS, GROUPS
from schools.selectors import director_schools, reviewed_municipalities

PAGE_SIZE = 50


def my_school(request: HttpRequest) -> HttpResponse:
    schools = list(
        director_schools(request.user).select_related("municipality").order_by("short_name", "pk")
    )
    if not schools:
        raise PermissionDenied(_("Страница «Моя школа» — для руководителей школ."))
    school = schools[0]
    chosen = request.GET.get("school", "")
    if chosen:
        school = next((s for s in schools if str(s.pk) == chosen), None)
        if school is None:
            raise Http404(_("Школа не найдена"))
    today = timezone.localdate()
    roadmaps = worklists.school_roadmaps(request.user, school)
    current = worklists.current_roadmaps(roadmaps, today)
    sections = worklists.sections_of(roadmaps)
    form = SchoolFilterForm(
        request.GET, school=school, roadmaps=roadmaps, sections=sections, has_current=bool(current)
    )
    form.is_valid()  # a stale choice (a removed section) is left out, the rest applies
    filters = form.cleaned_data
    chosen_roadmap = filters.get("roadmap") or ""
    if chosen_roadmap == ALL_ROADMAPS or (not chosen_roadmap and not current):
        shown = roadmaps
    elif chosen_roadmap:
        shown = [r for r in roadmaps if str(r.pk) == chosen_roadmap]
    else:
        shown = current
    section = int(filters["section"]) if filters.get("section") else None
    rows = worklists.school_rows(school, shown, today, section=section)
    counts = {group: 0 for group in GROUPS}
    for row in rows:
        counts[row.group] += 1
    status = filters.get("status") or ""
    if status:
        rows = [row for row in rows if row.group == status]
    groups = []
    for key, title in GROUPS.items():
        items = [row for row in rows if row.group == key]
        if items:
            groups.append({"key": key, "title": title, "rows": items})
    progress = progress_of(
        pairs_for(roadmap_ids=[r.pk for r in shown], school_ids=[school.pk]), today
    )
    return render(
        request,
        "measures/my_school.html",
        {
            "school": school,
            "schools": schools,
            "form": form,
            "groups": groups,
            "counts": [
                {"key": key, "title": GROUP_COUNTS[key], "count": counts[key]}
                for key in (worklists.OVERDUE, worklists.MONTH, worklists.LATER,
                            worklists.DONE, worklists.RETURNED)
            ],
            "status": status,
            "progress": progress,
            "shown_roadmaps": shown,
            "all_roadmaps": roadmaps,
            "showing_current": bool(current) and not chosen_roadmap,
            "filtered": bool(section or status or chosen_roadmap),
            "today": today,
        },
    )  # fmt: skip


def review_queue(request: HttpRequest) -> HttpResponse:
    user = request.user
    municipality_ids = list(reviewed_municipalities(user).values_list("pk", flat=True))
    if not municipality_ids:
        raise PermissionDenied(
            _("Отчёты школ проверяют рабочая группа и координаторы муниципалитета.")
        )
    reports = worklists.review_queue(user, municipality_ids)
    facets = worklists.queue_facets(reports)
    form = QueueFilterForm(request.GET, facets=facets)
    form.is_valid()
    filters = form.cleaned_data
    lookups = {
        "school": "school_id",
        "roadmap": "occurrence__measure__roadmap_id",
        "section": "occurrence__measure__section_id",
        "measure": "occurrence__measure_id",
    }
    for name, lookup in lookups.items():
        if filters.get(name):
            reports = reports.filter(**{lookup: int(filters[name])})
    reports = reports.select_related(
        "school", "occurrence__measure__roadmap", "submitted_by"
    ).defer("done_text", "postpone_reason", "review_comment")
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    roadmaps = list(
        worklists.reviewed_roadmap_ids(user, municipality_ids).values_list(
            "pk", "starts_on", "ends_on"
        )
    )
    current = [key for key, starts_on, ends_on in roadmaps if starts_on <= today <= ends_on]
    progress_of_current = bool(current)  # else the progress of all their roadmaps
    # counted from the control dates and the reports, not pair by pair (a municipality's
    # 100,000 pairs took a second through the pairs view)
    progress = roadmap_progress(current or [key for key, *_ in roadmaps], today)
    return render(
        request,
        "measures/review_queue.html",
        {
            "page": page,
            "reports": page.object_list,
            "form": form,
            "filtered": any(filters.get(name) for name in lookups),
            "progress": sum(progress.values(), Progress()),
            "progress_of_current": progress_of_current,
        },
    )
