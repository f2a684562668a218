from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from measures import selectors, services
from measures.deadlines import Deadline
from measures.exporting import FORMATS, export_roadmap
from measures.forms import DeadlineForm, ImportForm, MeasureForm, RoadmapFilterForm
from measures.history import history_of
from schools.selectors import director_schools

PAGE_SIZE = 50  # rows of a list page
PEOPLE_LINKS = 20  # municipalities named above the roadmap list


def roadmap_list(request: HttpRequest) -> HttpResponse:
    form = RoadmapFilterForm(request.GET)
    filters = form.cleaned_data if form.is_valid() else {}
    roadmaps = selectors.roadmap_list(
        request.user,
        words=filters.get("q", ""),
        municipality=filters.get("municipality", ""),
        status=filters.get("status", ""),
        year=filters.get("year"),
    )
    page = Paginator(roadmaps, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.with_measure_counts(request.user, list(page.object_list))
    # links to «Люди и роли» above the table for a coordinator's few municipalities; the
    # admin, who coordinates every one, has them beside each municipality in the table
    coordinated = list(
        selectors.municipalities_for_change(request.user).order_by("name")[: PEOPLE_LINKS + 1]
    )
    my_schools = list(director_schools(request.user).order_by("short_name"))
    return render(
        request,
        "measures/roadmap_list.html",
        {
            "page": page,
            "roadmaps": page.object_list,
            "filter_form": form,
            "filtered": any(filters.values()),
            "can_import": bool(coordinated),
            "coordinated": coordinated if len(coordinated) <= PEOPLE_LINKS else [],
            "my_schools": my_schools,
        },
    )


def roadmap_detail(request: HttpRequest, pk: int) -> HttpResponse:
    roadmap = selectors.get_roadmap_for_user(request.user, pk)
    rows = selectors.roadmap_rows(roadmap, selectors.measures_for_user(request.user, roadmap))
    measure_count = sum(1 for row in rows if "measure" in row)
    return render(
        request,
        "measures/roadmap_detail.html",
        {
            "roadmap": roadmap,
            "rows": rows,
            "measure_count": measure_count,
            "can_change": selectors.can_change_roadmap(request.user, roadmap),
            "formats": FORMATS,
        },
    )


def roadmap_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    roadmap = selectors.get_roadmap_for_user(request.user, pk)
    if fmt not in FORMATS:
        return HttpResponse(_("Неизвестный формат."), status=404)
    content_type, extension = FORMATS[fmt]
    measures = selectors.measures_for_user(request.user, roadmap)
    response = HttpResponse(export_roadmap(roadmap, fmt, measures), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="roadmap-{roadmap.pk}.{extension}"'
    return response


def import_upload(request: HttpRequest) -> HttpResponse:
    municipalities = selectors.municipalities_for_change(request.user)
    if not municipalities.exists():
        raise PermissionDenied(
            _("Импортировать дорожные карты может только муниципальный координатор.")
        )
    form = ImportForm(request.POST or None, request.FILES or None, municipalities=municipalities)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            record = services.roadmap_import_preview(
                municipality=form.cleaned_data["municipality"],
                file_name=upload.name,
                data=upload.read(),
                period=(form.cleaned_data["starts_on"], form.cleaned_data["ends_on"]),
                title=form.cleaned_data["title"].strip(),
                user=request.user,
            )
        except services.ImportRefused as exc:
            for error in exc.errors:
                form.add_error("file", error["message"])
        else:
            return redirect("measures:import_preview", pk=record.pk)
    status = 400 if form.errors else 200
    return render(request, "measures/import_upload.html", {"form": form}, status=status)


def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.get_import_for_user(request.user, pk)
    parsed = record.parsed
    problems: dict[int | None, list[dict]] = {}
    for kind, items in (
        ("error", parsed.get("errors", [])),
        ("warning", parsed.get("warnings", [])),
    ):
        for item in items:
            problems.setdefault(item.get("row"), []).append({**item, "kind": kind})
    sections = parsed.get("sections", [])
    rows: list[dict] = []
    current = object()
    for measure in parsed.get("measures", []):
        if measure.get("section") != current:
            current = measure.get("section")
            if current is not None:
                rows.append({"section": sections[current]})
        deadline = Deadline.from_dict(measure["deadline"])
        rows.append(
            {
                "measure": measure,
                "summary": deadline.summary(),
                "needs_review": deadline.needs_review,
                "problems": problems.get(measure["row"], []),
            }
        )
    return render(
        request,
        "measures/import_preview.html",
        {
            "record": record,
            "parsed": parsed,
            "rows": rows,
            "file_problems": problems.get(None, []),
            "errors": parsed.get("errors", []),
            "title": record.title or parsed.get("title", ""),
            "order_date": date.fromisoformat(parsed["order"]["date"])
            if parsed.get("order")
            else None,
        },
    )


@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.get_import_for_user(request.user, pk)
    try:
        roadmap = services.roadmap_import_confirm(roadmap_import=record, user=request.user)
    except services.ImportRefused as exc:
        for error in exc.errors:
            messages.error(request, error["message"])
        return redirect("measures:import_preview", pk=record.pk)
    messages.success(
        request,
        _("Дорожная карта импортирована: мероприятий %(count)s.")
        % {"count": roadmap.measures.count()},
    )
    return redirect("measures:roadmap_detail", pk=roadmap.pk)


def measure_edit(request: HttpRequest, roadmap_pk: int, pk: int) -> HttpResponse:
    measure = selectors.get_measure_for_change(request.user, roadmap_pk, pk)
    form = MeasureForm(request.POST or None, instance=measure, prefix="measure")
    if request.method == "POST" and form.is_valid():
        services.measure_save(measure=form.save(commit=False))
        messages.success(request, _("Мероприятие сохранено."))
        return redirect("measures:measure_edit", roadmap_pk=roadmap_pk, pk=pk)
    deadline_form = DeadlineForm(
        prefix="deadline",
        initial={
            "kind": measure.deadline_kind,
            "start": measure.deadline_start,
            "end": measure.deadline_end,
            "due_dates": ", ".join(d.strftime("%d.%m.%Y") for d in measure.deadline_due_dates),
            "recurrence": measure.deadline_recurrence,
            "external_body": measure.deadline_external_body,
        },
    )
    return render(
        request,
        "measures/measure_edit.html",
        {
            "measure": measure,
            "roadmap": measure.roadmap,
            "form": form,
            "deadline_form": deadline_form,
        },
    )


@require_POST
def measure_deadline(request: HttpRequest, roadmap_pk: int, pk: int) -> HttpResponse:
    measure = selectors.get_measure_for_change(request.user, roadmap_pk, pk)
    form = DeadlineForm(request.POST, prefix="deadline")
    if not form.is_valid():
        return render(
            request,
            "measures/measure_edit.html",
            {
                "measure": measure,
                "roadmap": measure.roadmap,
                "form": MeasureForm(instance=measure, prefix="measure"),
                "deadline_form": form,
            },
            status=400,
        )
    data = form.cleaned_data
    services.measure_correct_deadline(
        measure=measure,
        kind=data["kind"],
        start=data["start"],
        end=data["end"],
        due_dates=data["due_dates"],
        recurrence=data["recurrence"],
        external_body=data["external_body"],
    )
    messages.success(request, _("Понимание срока исправлено; оно сохранится при других правках."))
    return redirect("measures:measure_edit", roadmap_pk=roadmap_pk, pk=pk)


@require_POST
def measure_deadline_reset(request: HttpRequest, roadmap_pk: int, pk: int) -> HttpResponse:
    measure = selectors.get_measure_for_change(request.user, roadmap_pk, pk)
    services.measure_reset_deadline(measure=measure)
    messages.success(request, _("Срок снова распознан из текста."))
    return redirect("measures:measure_edit", roadmap_pk=roadmap_pk, pk=pk)


def roadmap_history(request: HttpRequest, pk: int) -> HttpResponse:
    roadmap = selectors.get_roadmap_for_user(request.user, pk)
    return render(
        request, "measures/history.html", {"roadmap": roadmap, "entries": history_of(roadmap)}
    )


def measure_history(request: HttpRequest, roadmap_pk: int, pk: int) -> HttpResponse:
    roadmap = selectors.get_roadmap_for_user(request.user, roadmap_pk)
    measure = selectors.measures_for_user(request.user, roadmap).filter(pk=pk).first()
    if measure is None:
        raise Http404("Мероприятие не найдено")
    return render(
        request,
        "measures/history.html",
        {"roadmap": roadmap, "measure": measure, "entries": history_of(measure)},
    )


def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.get_report_for_user(request.user, pk)
    return render(request, "measures/report_detail.html", {"report": report})


def report_history(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.get_report_for_user(request.user, pk)
    return render(
        request,
        "measures/history.html",
        {
            "roadmap": report.occurrence.measure.roadmap,
            "report": report,
            "entries": history_of(report),
        },
    )
