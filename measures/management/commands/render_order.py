"""Render an order's PDF without the queue: the same service the Celery task runs."""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from measures import printing
from measures.models import LegalAct


class Command(BaseCommand):
    help = "Сформировать PDF приказа (без очереди): manage.py render_order ID -o FILE.pdf"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("order_id", type=int)
        parser.add_argument("-o", "--output", required=True, help="куда записать PDF")
        parser.add_argument("--html", help="записать и HTML документа (для проверки вёрстки)")

    def handle(self, *args: object, **options: object) -> None:
        act = LegalAct.objects.select_related("issuer").filter(pk=options["order_id"]).first()
        if act is None:
            raise CommandError(f"Документа с номером записи {options['order_id']} нет.")
        started = time.perf_counter()
        document = printing.render_document(act)
        data = printing.write_pdf(document)
        seconds = time.perf_counter() - started
        Path(str(options["output"])).write_bytes(data)
        if options["html"]:
            Path(str(options["html"])).write_text(printing.render_html(act), encoding="utf-8")
        self.stdout.write(
            f"{act}: страниц {len(document.pages)}, {seconds:.2f} с, {len(data) // 1024} КБ "
            f"→ {options['output']}"
        )
