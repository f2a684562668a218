"""Tables of values: the upload, the template to fill, the preview and the confirmation.

Only the municipality's coordinator (and the admin) imports; the reading is synchronous (a
table of a few hundred schools reads in well under a second) and nothing is saved before the
confirmation, which writes every value or none."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from monitoring import importing, selectors
from monitoring.import_forms import ValuesImportForm
from monitoring.models import Indicator


def import_upload(request: HttpRequest, pk: int) -> HttpResponse:
    municipality = selectors.get_coordinated_municipality(request.user, pk)
    stages = selectors.stages_in(municipality)
    form = ValuesImportForm(request.POST or None, request.FILES or None, stages=stages)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        record = importing.values_import_read(
            municipality=municipality,
            stage=form.cleaned_data["stage"],
            file_name=upload.name,
            data=upload.read(),
            source=form.cleaned_data["source"].strip(),
            measured_on=form.cleaned_data["measured_on"],
            user=request.user,
        )
        return redirect("monitoring:import_preview", pk=record.pk)
    stage_list = list(stages)
    if not form.is_bound and stage_list:
        form.fields["stage"].initial = selectors.current_stage(stage_list, timezone.localdate())
    indicators = Indicator.objects.filter(
        municipality=municipality, level=Indicator.Level.SCHOOL
    ).order_by("code")
    return render(
        request,
        "monitoring/import_upload.html",
        {
            "municipality": municipality,
            "form": form,
            "stages": stage_list,
            "indicators": indicators,
            "recent": selectors.imports_in(municipality)[:10],
        },
        status=400 if form.errors else 200,
    )


def import_template(request: HttpRequest, pk: int) -> HttpResponse:
    municipality = selectors.get_coordinated_municipality(request.user, pk)
    stage = None
    if request.GET.get("stage", "").isdigit():
        stage = selectors.stages_in(municipality).filter(pk=request.GET["stage"]).first()
    data = importing.template_xlsx(municipality=municipality, stage=stage)
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"values-{municipality.pk}" + (f"-{stage.kind}-{stage.year}" if stage else "")
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.get_import_for_coordination(request.user, pk)
    parsed = record.parsed or {}
    return render(
        request,
        "monitoring/import_preview.html",
        {
            "record": record,
            "municipality": record.municipality,
            "columns": parsed.get("columns", []),
            "unknown_columns": parsed.get("unknown_columns", []),
            "problems": parsed.get("problems", []),
            "skipped": parsed.get("skipped", []),
            "header_row": parsed.get("header_row"),
            "rows": importing.preview_rows(record),
            "counts": importing.counts(record),
        },
    )


@require_POST
def import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.get_import_for_coordination(request.user, pk)
    preview = reverse("monitoring:import_preview", kwargs={"pk": record.pk})
    try:
        result = importing.values_import_confirm(record=record, user=request.user)
    except importing.AlreadyDone:
        messages.info(request, _("Эта таблица уже загружена: повторно ничего не сохранено."))
        return redirect("monitoring:indicator_list", pk=record.municipality_id)
    except importing.ImportRefused as refused:
        messages.error(
            request,
            _("Ничего не сохранено. %(reasons)s. Загрузите таблицу заново, чтобы сверить значения.")
            % {"reasons": "; ".join(refused.messages)},
        )
        return redirect(preview)
    messages.success(
        request,
        _(
            "Загружено значений из «%(file)s»: %(count)s (новых %(new)s, изменено %(changed)s, "
            "без изменений %(same)s)."
        )
        % {"count": result["values"], "file": record.file_name, **result},
    )
    return redirect("monitoring:indicator_list", pk=record.municipality_id)
