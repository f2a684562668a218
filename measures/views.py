from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from measures import editing, progress, selectors, services
from measures.deadlines import parse_deadline
from measures.exporting import FORMATS, content_disposition, export_roadmap
from measures.forms import (
    DeadlineForm,
    ImportColumnsForm,
    ImportForm,
    MeasureForm,
    ReportForm,
    ReviewForm,
    RoadmapCopyForm,
    RoadmapFilterForm,
    VersionedForm,
)
from measures.history import display, history_page
from measures.importing import Parsed
from measures.models import DEADLINE_FIELDS, Measure, deadline_of
from measures.reporting import (
    SCHOOL_FIELDS,
    ReportRefused,
    postponement_decide,
    report_accept,
    report_return,
    report_save,
)
from roadmap_portal.concurrency import StaleEdit, as_opened
from roadmap_portal.forms import show_errors
from roadmap_portal.text import clean_text
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
    my_schools = list(director_schools(request.user).order_by("short_name"))
    progress.with_progress(page.object_list, [school.pk for school in my_schools])
    # links to «Люди и роли» above the table for a coordinator's few municipalities; the
    # admin, who coordinates every one, has them beside each municipality in the table
    coordinated = list(
        selectors.municipalities_for_change(request.user).order_by("name")[: PEOPLE_LINKS + 1]
    )
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
    from measures.edition_views import roadmap_editions

    roadmap = selectors.get_roadmap_for_user(request.user, pk)
    in_full = selectors.reads_in_full(request.user, roadmap)
    measures = selectors.measures_for_user(request.user, roadmap, in_full=in_full).with_deadline()
    rows = selectors.roadmap_rows(roadmap, measures)
    measure_count = sum(1 for row in rows if "measure" in row)
    # a director who does not read the municipality counts their own schools' pairs only
    summary = progress.with_row_progress(
        rows,
        progress.pairs_for(
            [roadmap.pk], None if in_full else director_schools(request.user).values("pk")
        ),
    )
    can_change = selectors.can_change_roadmap(request.user, roadmap)
    edit_refused = services.draft_problem(roadmap) if can_change else None
    return render(
        request,
        "measures/roadmap_detail.html",
        {
            **roadmap_editions(roadmap, in_full=in_full, can_change=can_change),
            "roadmap": roadmap,
            "rows": rows,
            "progress": summary,
            "progress_subject": "" if in_full else _("по вашей школе"),
            "measure_count": measure_count,
            "can_change": can_change,
            "can_edit": can_change and not edit_refused,
            "edit_refused": edit_refused,
            "formats": FORMATS,
            # the orders that carry it (measures/order_views.py), the drafts for coordinators
            "orders": selectors.acts_carrying(request.user, roadmap),
        },
    )


def roadmap_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    roadmap = selectors.get_roadmap_for_user(request.user, pk)
    if fmt not in FORMATS:
        return HttpResponse(_("Неизвестный формат."), status=404)
    content_type, extension = FORMATS[fmt]
    measures = selectors.measures_for_user(request.user, roadmap)
    response = HttpResponse(export_roadmap(roadmap, fmt, measures), content_type=content_type)
    response["Content-Disposition"] = content_disposition(roadmap, extension)
    return response


def roadmap_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """«Копировать на новый период»: the new period (by default the same length right after
    the old one) and title; the copy is a draft; then the deadlines to review."""
    roadmap = selectors.get_roadmap_for_change(request.user, pk)
    default_period = services.next_period(roadmap.starts_on, roadmap.ends_on)
    default_title = services.copy_title(
        roadmap.title, (roadmap.starts_on, roadmap.ends_on), default_period
    )
    form = RoadmapCopyForm(
        request.POST or None,
        roadmap=roadmap,
        initial={
            "starts_on": default_period[0],
            "ends_on": default_period[1],
            "title": default_title,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        period = (data["starts_on"], data["ends_on"])
        title = data["title"].strip()
        if not title or (title == default_title and period != default_period):
            title = None  # the title made for the new period's years
        try:
            copy, flagged = services.roadmap_copy(
                roadmap=roadmap,
                starts_on=period[0],
                ends_on=period[1],
                title=title,
                by=request.user,
            )
        except services.RoadmapCopyRefused as refused:
            form.add_error("title" if title is not None else None, str(refused))
        else:
            messages.success(
                request,
                _("Копия создана как черновик. Сроков на проверку: %(count)s.")
                % {"count": len(flagged)}
                if flagged
                else _("Копия создана как черновик. Все сроки прочитаны для нового периода."),
            )
            review = reverse("measures:roadmap_copy_review", args=[copy.pk])
            return redirect(f"{review}?from={roadmap.pk}")
    return render(
        request,
        "measures/roadmap_copy.html",
        {"roadmap": roadmap, "form": form},
        status=400 if form.errors else 200,
    )


def roadmap_copy_review(request: HttpRequest, pk: int) -> HttpResponse:
    """The measures of a (copied) roadmap whose deadlines the engine flagged for a person to
    check: the text as written, the new reading, the engine's note, a link to the measure;
    with `?from=<pk>` (the copied roadmap, of the same municipality) the old reading too."""
    roadmap = selectors.get_roadmap_for_change(request.user, pk)
    flagged = list(
        roadmap.measures.filter(deadline_needs_review=True)
        .select_related("section")
        .with_deadline()
        .order_by("position")
    )
    source = request.GET.get("from", "")
    if source.isdecimal() and flagged:
        previous = {
            m.position: m
            for m in Measure.objects.filter(
                roadmap_id=int(source),
                roadmap__municipality_id=roadmap.municipality_id,
                position__in=[m.position for m in flagged],
            )
            .exclude(roadmap_id=roadmap.pk)
            .with_deadline()
        }
        for measure in flagged:
            old = previous.get(measure.position)
            if old is not None and old.deadline_text == measure.deadline_text:
                measure.previous = old
    widened = []
    if source.isdecimal():
        # measures that concerned chosen schools, none of them designated in the new period:
        # the copy made them concern all of its schools (services.roadmap_copy)
        chosen_before = Measure.objects.filter(
            roadmap_id=int(source),
            roadmap__municipality_id=roadmap.municipality_id,
            all_designated_schools=False,
        ).exclude(roadmap_id=roadmap.pk)
        widened = list(
            roadmap.measures.filter(
                all_designated_schools=True,
                position__in=chosen_before.values("position"),
            ).order_by("position")
        )
    return render(
        request,
        "measures/roadmap_copy_review.html",
        {
            "roadmap": roadmap,
            "flagged": flagged,
            "widened": widened,
            "measure_count": roadmap.measures.count(),
        },
    )


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
            record = services.roadmap_import_enqueue(
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


IMPORT_STALLED_AFTER = timedelta(minutes=5)
IMPORT_REFRESH_SECONDS = 2


def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.get_import_for_user(request.user, pk)
    Status = record.Status
    if record.status in record.WORKING:
        if timezone.now() - record.updated_at > IMPORT_STALLED_AFTER:
            record.status, record.error = (
                Status.FAILED,
                _(
                    "Файл ждёт обработки дольше %(minutes)s минут: фоновые задачи портала, похоже, "
                    "не выполняются. Загрузите файл позже или сообщите администратору."
                )
                % {"minutes": int(IMPORT_STALLED_AFTER.total_seconds() // 60)},
            )
        else:
            return render(
                request,
                "measures/import_progress.html",
                {"record": record, "refresh": IMPORT_REFRESH_SECONDS},
            )
    if record.status == Status.DONE and record.roadmap and "confirmed" in request.GET:
        messages.success(
            request,
            _("Дорожная карта импортирована: мероприятий %(count)s.")
            % {"count": record.roadmap.measures.count()},
        )
        return redirect("measures:roadmap_detail", pk=record.roadmap.pk)
    try:
        parsed = Parsed.from_dict(record.parsed)
    except (KeyError, TypeError, ValueError):  # a preview the confirm could not use either
        parsed = Parsed()
    problems: dict[int | None, list[dict]] = {}
    for kind, items in (("error", parsed.errors), ("warning", parsed.warnings)):
        for item in items:
            problems.setdefault(item.row, []).append({**item.as_dict(), "kind": kind})
    rows: list[dict] = []
    current = object()
    failed = record.status == Status.FAILED  # the page says why; the table is not shown
    for measure in [] if failed else parsed.measures:
        if measure.section != current:
            current = measure.section
            if current is not None:
                rows.append({"section": parsed.sections[current]})
        rows.append(
            {
                "measure": measure,
                "summary": measure.deadline.summary(),
                "needs_review": measure.deadline.needs_review,
                "problems": problems.get(measure.row, []),
            }
        )
    measure_rows = {measure.row for measure in parsed.measures}
    return render(
        request,
        "measures/import_preview.html",
        {
            "record": record,
            "parsed": parsed,
            "rows": rows,
            "file_problems": problems.get(None, []),
            # rows that are not measures (skipped headers, text above the table): listed apart
            "other_rows": [
                item
                for row, items in sorted(problems.items(), key=lambda pair: pair[0] or 0)
                if row is not None and row not in measure_rows
                for item in items
                if item["kind"] == "warning"
            ],
            "errors": parsed.errors,
            "title": record.title or parsed.title,
            "order_date": date.fromisoformat(parsed.order.date)
            if parsed.order and parsed.order.date
            else None,
            "columns_form": _columns_form(record, parsed),
        },
    )


def _columns_form(record: Any, parsed: Parsed, data: Any = None) -> ImportColumnsForm | None:
    """The form that reassigns the columns, while the import is a preview with its file."""
    if not parsed.columns or record.status not in (
        record.Status.PREVIEW,
        record.Status.REFUSED,
    ):
        return None
    return ImportColumnsForm(data, columns=parsed.columns)


@require_POST
def import_columns(request: HttpRequest, pk: int) -> HttpResponse:
    """The coordinator's choice of what each column holds: the file is queued to be read again
    with it (by the read task, as an upload; the page refreshes itself until it is read)."""
    record = selectors.get_import_for_user(request.user, pk)
    parsed = Parsed.from_dict(record.parsed)
    form = _columns_form(record, parsed, request.POST)
    if form is None:
        messages.error(request, _("Столбцы можно переназначить только до подтверждения импорта."))
        return redirect("measures:import_preview", pk=record.pk)
    if not form.is_valid():
        for error in form.non_field_errors():
            messages.error(request, error)
        if not form.non_field_errors():
            messages.error(request, _("Выберите поле для каждого столбца из списка."))
        return redirect("measures:import_preview", pk=record.pk)
    try:
        services.roadmap_import_reassign(roadmap_import=record, columns=form.columns())
    except services.ImportRefused as exc:
        for error in exc.errors:
            messages.error(request, error["message"])
    else:
        messages.success(
            request, _("Файл будет прочитан заново с выбранными столбцами: подождите немного.")
        )
    return redirect("measures:import_preview", pk=record.pk)


@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.get_import_for_user(request.user, pk)
    try:
        services.roadmap_import_request_confirm(
            roadmap_import=record, user=request.user, title=request.POST.get("title", "")
        )
    except services.ImportRefused as exc:
        for error in exc.errors:
            messages.error(request, error["message"])
        return redirect("measures:import_preview", pk=record.pk)
    return redirect(reverse("measures:import_preview", args=[record.pk]) + "?confirmed=1")


def _deadline_values(measure: Any) -> dict[str, object]:
    """The correction form's values for a measure, or for its history event (the same field
    names), whose due dates are not kept on it: left out, so that a conflict counts any
    change of them as a clash."""
    if isinstance(measure, Measure):
        reading = measure.deadline
        due_dates = {"due_dates": ", ".join(d.strftime("%d.%m.%Y") for d in reading.due_dates)}
    else:
        reading, due_dates = deadline_of(measure, []), {}
    fields = [name for name in DEADLINE_FIELDS if name in DeadlineForm.base_fields]
    return {**{name: getattr(reading, name) for name in fields}, **due_dates}


def _deadline_form(measure: Measure, data: Any = None) -> DeadlineForm:
    """The correction form of a measure, filled with its reading."""
    return DeadlineForm(
        data, prefix="deadline", version=measure.version, initial=_deadline_values(measure)
    )


def _form_value(value: object) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value).strip()


def _conflict(
    form: VersionedForm,
    stale: StaleEdit,
    values_of: Callable[[Any], dict[str, object]],
    what: str = "",
) -> dict[str, Any]:
    """A save refused because someone saved first (optimistic locking). Three-way: the row as
    the form was opened (its history), as it is now, and as the user typed it. Fields the user
    did not touch take the other person's values in the form, so that saving again loses
    nobody's change; the table shows the other person's values beside the user's."""
    current = stale.current
    opened = as_opened(current, form.cleaned_data.get("version") or 0)
    theirs, base = values_of(current), values_of(opened) if opened is not None else None
    untouched: dict[str, str] = {}
    rows = []
    for name in theirs:
        field = form.fields[name]
        now = _form_value(theirs[name])
        yours = _form_value(form.data.get(form.add_prefix(name), ""))
        before = _form_value(base[name]) if base is not None and name in base else None
        # by the posted text: a model choice's value is its pk, the text of it posted
        labels = {str(value): label for value, label in getattr(field, "choices", None) or []}

        def shown(value: str, labels: dict = labels) -> str:
            return display(None, str(labels.get(value, value)))

        if before is not None and yours == before:
            untouched[name] = now
            if now != before:
                rows.append({"field": field.label, "theirs": shown(now), "yours": None})
        elif yours != now:
            clash = before is None or now != before
            rows.append(
                {"field": field.label, "theirs": shown(now), "yours": shown(yours), "clash": clash}
            )
    form.over_version(current.version, untouched)
    when = stale.change.when
    moment = ""
    if when is not None:
        local = timezone.localtime(when)
        same_day = local.date() == timezone.localdate()
        moment = local.strftime("%H:%M" if same_day else "%d.%m.%Y %H:%M")
    message = _(
        "%(what)s изменил(а) %(who)s в %(when)s, пока вы редактировали; ваши изменения "
        "не сохранены — вот они, рядом с новыми значениями. Ваш текст остался в форме, а поля, "
        "которые вы не меняли, теперь показывают новые значения: проверьте и нажмите кнопку "
        "ещё раз, чтобы сохранить."
    )
    what = what or _("Мероприятие")
    return {
        "message": message % {"what": what, "who": stale.change.who, "when": moment},
        "rows": rows,
    }


def _measure_page(
    request: HttpRequest,
    measure: Measure,
    form: MeasureForm,
    deadline_form: DeadlineForm,
    conflict: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "measures/measure_edit.html",
        {
            "measure": measure,
            "roadmap": measure.roadmap,
            "form": form,
            "deadline_form": deadline_form,
            "conflict": conflict,
        },
        status=status,
    )


def _measure_values(measure: Measure) -> dict[str, object]:
    return {name: getattr(measure, name) for name in MeasureForm.Meta.fields}


def measure_edit(request: HttpRequest, roadmap_pk: int, pk: int) -> HttpResponse:
    measure = selectors.get_measure_for_change(request.user, roadmap_pk, pk)
    number_before = (measure.number, measure.number_typed)
    form = MeasureForm(request.POST or None, instance=measure, prefix="measure")
    if request.method == "POST" and form.is_valid():
        try:  # the editor's save: a number typed here is kept, an emptied one is automatic
            editing.measure_update(
                measure=form.save(commit=False),
                number_before=number_before,
                expected_version=form.cleaned_data["version"],
                links=form.links(),
            )
        except ValidationError as refused:
            show_errors(form, refused)
        except StaleEdit as stale:
            conflict = _conflict(form, stale, _measure_values)
            stale.current.roadmap = measure.roadmap
            return _measure_page(
                request, stale.current, form, _deadline_form(stale.current), conflict, 409
            )
        else:
            messages.success(request, _("Мероприятие сохранено."))
            return redirect("measures:measure_edit", roadmap_pk=roadmap_pk, pk=pk)
    return _measure_page(
        request, measure, form, _deadline_form(measure), status=400 if form.errors else 200
    )


DEADLINE_TEXT_MAX = Measure._meta.get_field("deadline_text").max_length


@require_GET
def deadline_reading(request: HttpRequest, roadmap_pk: int) -> HttpResponse:
    """How the engine reads a deadline text for this roadmap's period, as the coordinator types
    it (`?text=`; or the «Сроки» field of a measure form, by its prefixed name): the fragment
    `measures/_deadline_reading.html`, 400 with a Russian message for a text that is not one."""
    roadmap = selectors.get_roadmap_for_change(request.user, roadmap_pk)
    text = request.GET.get("text")
    if text is None:
        text = next((v for k, v in request.GET.items() if k.endswith("deadline_text")), None)
    problem = ""
    if text is None:
        problem = _("Не передан текст срока.")
    elif len(text) > DEADLINE_TEXT_MAX:
        problem = _("Текст срока длиннее %(max)s символов: сократите его.") % {
            "max": DEADLINE_TEXT_MAX
        }
    if problem:
        return render(request, "measures/_deadline_reading.html", {"problem": problem}, status=400)
    text = clean_text(text).strip()
    reading = parse_deadline(text, services.roadmap_period(roadmap)) if text else None
    return render(request, "measures/_deadline_reading.html", {"reading": reading})


@require_POST
def measure_deadline(request: HttpRequest, roadmap_pk: int, pk: int) -> HttpResponse:
    measure = selectors.get_measure_for_change(request.user, roadmap_pk, pk)
    form = _deadline_form(measure, request.POST)
    if not form.is_valid():
        return _measure_page(
            request, measure, MeasureForm(instance=measure, prefix="measure"), form, status=400
        )
    data = form.cleaned_data
    try:
        services.measure_correct_deadline(
            measure=measure, expected_version=data["version"], **form.correction()
        )
    except StaleEdit as stale:
        conflict = _conflict(form, stale, _deadline_values)
        stale.current.roadmap = measure.roadmap
        current_form = MeasureForm(instance=stale.current, prefix="measure")
        return _measure_page(request, stale.current, current_form, form, conflict, 409)
    messages.success(request, _("Понимание срока исправлено; оно сохранится при других правках."))
    return redirect("measures:measure_edit", roadmap_pk=roadmap_pk, pk=pk)


@require_POST
def measure_deadline_reset(request: HttpRequest, roadmap_pk: int, pk: int) -> HttpResponse:
    measure = selectors.get_measure_for_change(request.user, roadmap_pk, pk)
    version = request.POST.get("version", "")
    try:  # a missing version is a stale form too: versions start at 1
        services.measure_reset_deadline(
            measure=measure, expected_version=int(version) if version.isdecimal() else 0
        )
    except StaleEdit:
        messages.error(
            request,
            _(
                "Мероприятие изменили, пока страница была открыта, или форма устарела: срок не "
                "распознан заново. Проверьте новые значения и повторите, если нужно."
            ),
        )
        return redirect("measures:measure_edit", roadmap_pk=roadmap_pk, pk=pk)
    messages.success(request, _("Срок снова распознан из текста."))
    return redirect("measures:measure_edit", roadmap_pk=roadmap_pk, pk=pk)


@require_GET
def roadmap_history(request: HttpRequest, pk: int) -> HttpResponse:
    roadmap = selectors.get_roadmap_for_user(request.user, pk)
    context = history_page(
        roadmap, user=request.user, roadmap=roadmap, params=request.GET,
        page_number=request.GET.get("page"),
    )  # fmt: skip
    return render(request, "measures/history.html", {"roadmap": roadmap, **context})


@require_GET
def measure_history(request: HttpRequest, roadmap_pk: int, pk: int) -> HttpResponse:
    roadmap = selectors.get_roadmap_for_user(request.user, roadmap_pk)
    measure = selectors.measures_for_user(request.user, roadmap).filter(pk=pk).first()
    if measure is None:
        raise Http404("Мероприятие не найдено")
    context = history_page(
        measure, user=request.user, roadmap=roadmap, params=request.GET,
        page_number=request.GET.get("page"),
    )  # fmt: skip
    return render(
        request, "measures/history.html", {"roadmap": roadmap, "measure": measure, **context}
    )


def _report_values(report: Any) -> dict[str, object]:
    return {name: getattr(report, name) for name in SCHOOL_FIELDS}


def _refused(form: VersionedForm, refused: ReportRefused) -> None:
    for field, reasons in refused.errors.items():
        for reason in reasons:
            form.add_error(None if field not in form.fields else field, reason)


def report_edit(request: HttpRequest, occurrence_pk: int, school_pk: int) -> HttpResponse:
    """The school's report on one control date: the director (or the coordinator, for the
    school) saves a draft or submits it; a submitted or accepted report is shown as sent."""
    pair = selectors.get_pair_for_reporting(request.user, occurrence_pk, school_pk)
    report = pair.report
    editable = report is None or report.editable
    form = ReportForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        report=report,
    )
    conflict, status = None, 200
    if request.method == "POST":
        if not editable:  # sent meanwhile (by a coordinator, or from another tab)
            form.is_valid()
            form.add_error(
                None,
                _(
                    "Отчёт уже отправлен на проверку и не изменён. Ваш текст остался в форме "
                    "ниже: скопируйте его, если он нужен."
                ),
            )
            status, editable = 409, True
        elif form.is_valid():
            submit = request.POST.get("action") == "submit"
            try:
                report_save(
                    occurrence=pair.occurrence,
                    school=pair.school,
                    by=request.user,
                    values=form.values(),
                    submit=submit,
                    files=form.cleaned_data["files"],
                    links=form.cleaned_data["links"],
                    remove_evidence=[
                        int(pk) for pk in form.cleaned_data.get("remove_evidence", [])
                    ],
                    expected_version=form.cleaned_data["version"],
                    on_behalf=pair.on_behalf,
                )
            except ReportRefused as refused:
                _refused(form, refused)
            except StaleEdit as stale:
                conflict = _conflict(form, stale, _report_values, _("Отчёт"))
                status = 409
            else:
                messages.success(
                    request,
                    _("Отчёт отправлен на проверку рабочей группе.")
                    if submit
                    else _("Черновик сохранён. Отправьте отчёт, когда он будет готов."),
                )
                return redirect(request.path)
        if form.errors and status == 200:
            status = 400
    return render(
        request,
        "measures/report_edit.html",
        {
            "pair": pair,
            "report": report,
            "measure": pair.occurrence.measure,
            "form": form,
            "editable": editable,
            "conflict": conflict,
            "nav_section": "" if pair.on_behalf else "my_school",
        },
        status=status,
    )


def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.get_report_for_user(request.user, pk)
    can_review = report.status == "submitted" and selectors.can_review(request.user, report)
    return render(
        request,
        "measures/report_detail.html",
        {
            "report": report,
            "review_form": ReviewForm(report=report) if can_review else None,
            "nav_section": _report_section(request, report),
        },
    )


def _report_section(request: HttpRequest, report: Any) -> str:
    """The header's link lit on a report page: «На проверке» for its reviewers, «Моя школа»
    for its school's director."""
    if selectors.can_review(request.user, report):
        return "review_queue"
    directs = director_schools(request.user).filter(pk=report.school_id).exists()
    return "my_school" if directs else ""


REVIEW_DONE = {
    "accept": _("Отчёт принят."),
    "return": _("Отчёт возвращён школе на доработку."),
    "postpone_accept": _("Новый срок принят: школа отчитается к нему."),
    "postpone_refuse": _("Перенос не принят: отчёт возвращён школе."),
}


@require_POST
def report_review(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.get_report_for_review(request.user, pk)
    form = ReviewForm(request.POST, report=report)
    if form.is_valid():
        action, comment = form.cleaned_data["action"], form.cleaned_data["comment"]
        common = {
            "report": report,
            "by": request.user,
            "comment": comment,
            "expected_version": form.cleaned_data["version"],
        }
        try:
            if action == "accept":
                report_accept(**common)
            elif action == "return":
                report_return(**common)
            else:
                postponement_decide(**common, accept=action == "postpone_accept")
        except ReportRefused as refused:
            _refused(form, refused)
        except StaleEdit:  # reviewed by someone else, or changed, since the page was opened
            report = selectors.get_report_for_user(request.user, pk)
            form = ReviewForm(
                {"comment": comment, "action": action, "version": report.version}, report=report
            )
            form.is_valid()
            form.add_error(
                None,
                _(
                    "Отчёт изменился, пока вы его читали (его проверил кто-то другой или школа "
                    "отозвала его): страница обновлена, посмотрите ещё раз."
                ),
            )
        else:
            messages.success(request, REVIEW_DONE[action])
            return redirect("measures:report_detail", pk=pk)
    return render(
        request,
        "measures/report_detail.html",
        {
            "report": report,
            "review_form": form if report.status == "submitted" else None,
            "nav_section": "review_queue",
        },
        status=400 if form.errors else 200,
    )


@require_GET
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    """An evidence file of a report the user may read, always as a download under the name the
    school gave it, never shown in the portal's own origin."""
    evidence = selectors.get_evidence_file_for_user(request.user, pk)
    try:
        handle = evidence.file.storage.open(evidence.file.name, "rb")
    except FileNotFoundError:
        raise Http404("Файл не найден") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name or evidence.file.name.rsplit("/", 1)[-1],
        content_type=evidence.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
def report_history(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.get_report_for_user(request.user, pk)
    roadmap = report.occurrence.measure.roadmap
    context = history_page(
        report, user=request.user, roadmap=roadmap, params=request.GET,
        page_number=request.GET.get("page"),
    )  # fmt: skip
    return render(
        request, "measures/history.html", {"roadmap": roadmap, "report": report, **context}
    )
