"""The order as a document: its stored PDF and its HTML print preview (measures.printing)."""

from __future__ import annotations

from urllib.parse import quote

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from measures import printing, selectors
from measures.models import LegalAct


def pdf_content_disposition(act: LegalAct, *, inline: bool = False) -> str:
    """RFC 6266: an ASCII `filename=` for old clients and the Russian name
    («Приказ_от_22.02.2021_№31.pdf») in `filename*=UTF-8''…`."""
    kind = "inline" if inline else "attachment"
    fallback = f"order-{act.pk}.pdf"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(printing.file_name(act))}"


@require_GET
def order_pdf(request: HttpRequest, pk: int) -> FileResponse:
    """The stored PDF of an order, for everyone who reads the order (the same official document
    for each of them); 404 until it is ready."""
    act = selectors.get_act_for_user(request.user, pk)
    if act.pdf_status != LegalAct.PdfStatus.READY or not act.pdf:
        raise Http404(_("PDF документа ещё не сформирован."))
    try:
        handle = act.pdf.open("rb")
    except FileNotFoundError as missing:
        raise Http404(_("Файл PDF не найден; сформируйте его заново.")) from missing
    response = FileResponse(handle, content_type="application/pdf")
    response["Content-Disposition"] = pdf_content_disposition(
        act, inline=request.GET.get("inline") == "1"
    )
    return response


@require_GET
def order_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The document as it will be printed (the PDF's HTML with a screen stylesheet that draws
    the pages), for everyone who reads the order (a draft carries the «ПРОЕКТ» mark)."""
    act = selectors.get_act_for_user(request.user, pk)
    context = printing.document_context(act)
    return render(
        request,
        "measures/order_preview.html",
        {
            **context,
            "pdf_ready": act.pdf_status == LegalAct.PdfStatus.READY and bool(act.pdf),
        },
    )
