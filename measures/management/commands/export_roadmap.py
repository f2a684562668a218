from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from measures.exporting import FORMATS, export_roadmap
from measures.models import Roadmap


class Command(BaseCommand):
    help = "Выгружает дорожную карту в XLSX, CSV, JSON или DOCX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("roadmap_id", type=int)
        parser.add_argument("--format", choices=sorted(FORMATS), required=True)
        parser.add_argument("-o", "--output", type=Path, required=True)

    def handle(self, *args: object, **options: object) -> None:
        roadmap = (
            Roadmap.objects.select_related("approved_by__issuer", "municipality")
            .filter(pk=options["roadmap_id"])
            .first()
        )
        if roadmap is None:
            raise CommandError(f"Дорожная карта #{options['roadmap_id']} не найдена.")
        output = Path(str(options["output"]))
        output.write_bytes(export_roadmap(roadmap, str(options["format"])))
        self.stdout.write(self.style.SUCCESS(f"Записано: {output}"))
