import json
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from measures.importing import period_problem
from measures.management.commands.parse_deadline import parse_period
from measures.services import ImportRefused, roadmap_import_confirm, roadmap_import_preview
from schools.models import Municipality


def find_municipality(value: str) -> Municipality:
    query = (
        Municipality.objects.filter(pk=int(value))
        if value.isdecimal() and value.isascii()
        else (Municipality.objects.filter(name__iexact=value))
    )
    municipality = query.first()
    if municipality is None:
        raise CommandError(f"Муниципалитет «{value}» не найден (укажите id или точное название).")
    return municipality


class Command(BaseCommand):
    help = "Импортирует дорожную карту из DOCX, XLSX или CSV."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--municipality", required=True, help="id или название")
        parser.add_argument("--period", help="ГГГГ-ММ-ДД:ГГГГ-ММ-ДД (по умолчанию текущий год)")
        parser.add_argument("--title", default="", help="Название вместо найденного в файле")
        parser.add_argument("--dry-run", action="store_true", help="Ничего не сохранять")
        parser.add_argument("--json", action="store_true", help="Печатать структуру в JSON")

    def handle(self, *args: object, **options: object) -> None:
        path = Path(str(options["file"]))
        if not path.is_file():
            raise CommandError(f"Файл {path} не найден.")
        municipality = find_municipality(str(options["municipality"]))
        if options["period"]:
            period = parse_period(str(options["period"]))
        else:
            year = date.today().year
            period = (date(year, 1, 1), date(year, 12, 31))
        if problem := period_problem(*period):
            raise CommandError(problem)
        with transaction.atomic():
            try:
                record = roadmap_import_preview(
                    municipality=municipality, file_name=path.name, data=path.read_bytes(),
                    period=period, title=str(options["title"]),
                )  # fmt: skip
            except ImportRefused as exc:
                raise CommandError(
                    "Файл не принят: " + "; ".join(self._line(e) for e in exc.errors)
                ) from None
            parsed = record.parsed
            if options["title"]:
                parsed["title"] = options["title"]
            if options["json"]:
                self.stdout.write(json.dumps(parsed, ensure_ascii=False, indent=1))
            if options["dry_run"]:
                transaction.set_rollback(True)
                if not options["json"]:
                    self._summary(parsed)
                if parsed["errors"]:
                    raise CommandError(f"Ошибок: {len(parsed['errors'])}; ничего не сохранено.")
                return
            try:
                roadmap = roadmap_import_confirm(roadmap_import=record)
            except ImportRefused as exc:
                transaction.set_rollback(True)
                raise CommandError(
                    "Ничего не сохранено: " + "; ".join(self._line(e) for e in exc.errors)
                ) from None
        if not options["json"]:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Импортирована дорожная карта #{roadmap.pk}: «{roadmap.title}», "
                    f"мероприятий {roadmap.measures.count()}."
                )
            )

    def _line(self, problem: dict) -> str:
        where = ", ".join(
            part for part in (
                f"строка {problem['row']}" if problem.get("row") else "",
                f"столбец «{problem['column']}»" if problem.get("column") else "",
            ) if part
        )  # fmt: skip
        return f"{where}: {problem['message']}" if where else problem["message"]

    def _summary(self, parsed: dict) -> None:
        self.stdout.write(
            f"«{parsed['title']}»: разделов {len(parsed['sections'])}, "
            f"мероприятий {len(parsed['measures'])}."
        )
        for warning in parsed["warnings"]:
            self.stdout.write(f"Предупреждение — {self._line(warning)}")
        for error in parsed["errors"]:
            self.stderr.write(f"Ошибка — {self._line(error)}")
