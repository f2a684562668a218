"""The order as a document: its PDF (WeasyPrint), rendered by a Celery task after the order is
marked signed, and its HTML print preview."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from measures.models import LegalAct


def enqueue_render(act: LegalAct) -> None:
    """Queue the rendering of the act's PDF once the transaction commits («в очереди»)."""
    from measures.tasks import render_order_pdf

    LegalAct.objects.filter(pk=act.pk).update(
        pdf_status=LegalAct.PdfStatus.QUEUED, pdf_error="", pdf_requested_at=timezone.now()
    )
    transaction.on_commit(lambda: render_order_pdf.delay(act.pk))


def render_and_store(act_id: int) -> None:
    """Render the act's PDF and store it on the act (to be written: the printing work)."""
    raise NotImplementedError
