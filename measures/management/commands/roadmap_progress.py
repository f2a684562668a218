import json
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from measures.models import Roadmap, Section
from measures.progress import STATE_LABELS, STATES, Progress, pairs_for, progress_by, progress_of
from schools.models import School


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Дата «{value}» не в виде ГГГГ-ММ-ДД.") from None


class Command(BaseCommand):
    help = (
        "Выполнение дорожной карты по парам «контрольный срок — школа»: итог, по разделам и по "
        "школам — те же числа, что на страницах портала."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("roadmap_id", type=int)
        parser.add_argument("--school", type=int, help="только эта школа (id)")
        parser.add_argument("--on", help="на дату ГГГГ-ММ-ДД (по умолчанию сегодня)")
        parser.add_argument("--json", action="store_true", help="вывести JSON")

    def handle(self, *args: object, **options: object) -> None:
        on = _day(str(options["on"])) if options["on"] else timezone.localdate()
        roadmap = Roadmap.objects.filter(pk=options["roadmap_id"]).first()
        if roadmap is None:
            raise CommandError(f"Дорожная карта #{options['roadmap_id']} не найдена.")
        school_ids = None
        if options["school"] is not None:
            if not School.objects.filter(pk=options["school"]).exists():
                raise CommandError(f"Школа #{options['school']} не найдена.")
            school_ids = [options["school"]]
        pairs = pairs_for([roadmap.pk], school_ids)
        total = progress_of(pairs, on)
        by_section = progress_by(pairs, "section", on)
        by_school = progress_by(pairs, "school", on)
        sections = Section.objects.filter(roadmap=roadmap).order_by("position")
        schools = School.objects.filter(pk__in=list(by_school)).order_by("short_name", "pk")
        section_rows = [
            {"id": section.pk, "name": str(section), **by_section[section.pk].as_dict()}
            for section in sections
            if section.pk in by_section
        ]
        if None in by_section:
            section_rows.insert(0, {"id": None, "name": "", **by_section[None].as_dict()})
        data = {
            "roadmap": {"id": roadmap.pk, "title": roadmap.title},
            "on": on.isoformat(),
            "school": options["school"],
            "total": total.as_dict(),
            "sections": section_rows,
            "schools": [
                {"id": school.pk, "name": school.short_name, **by_school[school.pk].as_dict()}
                for school in schools
            ],
        }
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self._table(data, total)

    def _table(self, data: dict, total: Progress) -> None:
        heads = ["Всего", *[str(STATE_LABELS[state]) for state in STATES], "%"]
        keys = ["total", *STATES, "percent"]
        self.stdout.write(f"{data['roadmap']['title']} (#{data['roadmap']['id']})")
        self.stdout.write(f"Выполнение на {date.fromisoformat(data['on']):%d.%m.%Y}")
        if not total.total:
            self.stdout.write("Контрольных сроков нет.")
            return
        for title, rows in (
            ("Итого", [{"name": "Вся дорожная карта", **data["total"]}]),
            ("По разделам", data["sections"]),
            ("По школам", data["schools"]),
        ):
            self.stdout.write("")
            self.stdout.write(title)
            width = max(len(row["name"] or "Без раздела") for row in rows)
            width = min(max(width, 10), 60)
            self.stdout.write(" | ".join([" " * width, *(head.rjust(len(head)) for head in heads)]))
            for row in rows:
                name = (row["name"] or "Без раздела")[:width].ljust(width)
                cells = [
                    str(row[key]).rjust(len(head)) for key, head in zip(keys, heads, strict=True)
                ]
                self.stdout.write(" | ".join([name, *cells]))
