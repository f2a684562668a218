import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from measures.deadlines import parse_deadline


def parse_period(value: str) -> tuple[date, date]:
    try:
        start, end = (date.fromisoformat(part) for part in value.split(":"))
    except ValueError:
        raise CommandError(
            f"Период «{value}» не распознан: ожидается ГГГГ-ММ-ДД:ГГГГ-ММ-ДД"
        ) from None
    if end < start:
        raise CommandError(f"Период «{value}» заканчивается раньше, чем начинается")
    return start, end


class Command(BaseCommand):
    help = "Разбирает тексты сроков и печатает по одному JSON-объекту на строку."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("texts", nargs="+", metavar="TEXT")
        parser.add_argument("--period", help="Период дорожной карты: 2022-01-01:2024-12-31")

    def handle(self, *args: object, **options: object) -> None:
        period = parse_period(str(options["period"])) if options["period"] else None
        for text in options["texts"]:  # type: ignore[attr-defined]
            self.stdout.write(
                json.dumps(parse_deadline(text, period).as_dict(), ensure_ascii=False)
            )
