from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from measures.models import Roadmap
from measures.services import RoadmapCopyRefused, roadmap_copy


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Дата «{value}» не распознана: ожидается ГГГГ-ММ-ДД.") from None


class Command(BaseCommand):
    help = (
        "Копирует дорожную карту на новый период (проект, без приказа): сроки читаются заново, "
        "печатаются мероприятия, сроки которых требуют проверки."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("roadmap", type=int, help="id дорожной карты")
        parser.add_argument("--from", dest="starts_on", required=True, help="ГГГГ-ММ-ДД")
        parser.add_argument("--to", dest="ends_on", required=True, help="ГГГГ-ММ-ДД")
        parser.add_argument("--title", default=None, help="Название копии")

    def handle(self, *args: object, **options: object) -> None:
        roadmap = Roadmap.objects.filter(pk=options["roadmap"]).first()
        if roadmap is None:
            raise CommandError(f"Дорожная карта {options['roadmap']} не найдена.")
        try:
            copy, flagged = roadmap_copy(
                roadmap=roadmap,
                starts_on=iso_date(str(options["starts_on"])),
                ends_on=iso_date(str(options["ends_on"])),
                title=options["title"],
            )
        except RoadmapCopyRefused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Создан проект «{copy.title}» (id {copy.pk}), мероприятий {copy.measures.count()}."
            )
        )
        if not flagged:
            self.stdout.write("Все сроки прочитаны без замечаний.")
            return
        self.stdout.write(f"Сроки требуют проверки ({len(flagged)}):")
        for measure in flagged:
            label = measure.number or f"№ {measure.position} по порядку"
            self.stdout.write(f"  {label}: «{measure.deadline_text}» — {measure.deadline_note}")
