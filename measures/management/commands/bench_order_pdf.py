"""Seconds to render an order's PDF with a 60- and a 300-measure roadmap appendix.

Builds, inside a transaction that is rolled back at the end (nothing stays), an order whose
appendices are a roadmap of N measures in sections of 10 (the texts as long as the seeds'),
and renders it `--runs` times after a warm-up; prints the pages and the median seconds. The
target is 1 s for 60 measures.
"""

from __future__ import annotations

import statistics
import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from measures import printing
from measures.models import ActAppendix, LegalAct, Measure, Roadmap, Section
from schools.models import Municipality, Organisation

TARGET_SECONDS = 1.0
TITLE = (
    "Проведение диагностики профессиональных дефицитов учителей школ с низкими результатами "
    "обучения и разработка индивидуальных образовательных маршрутов ({n})"
)
RESULT = (
    "Сформирована аналитическая справка, включающая предложения по устранению выявленных "
    "профессиональных дефицитов; утверждены индивидуальные маршруты ({n})"
)


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Время формирования PDF приказа с приложением на 60 и 300 мероприятий (откатывается)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=5)
        parser.add_argument("--sizes", type=int, nargs="+", default=[60, 300])

    def handle(self, *args: object, **options: object) -> None:
        municipality = Municipality.objects.order_by("pk").first()
        if municipality is None:
            raise CommandError("Нет муниципалитетов: сначала manage.py load_demo.")
        try:
            with transaction.atomic():
                for size in options["sizes"]:
                    self._bench(municipality, size, options["runs"])
                raise Rollback
        except Rollback:
            self.stdout.write("(всё созданное откатилось)")

    def _bench(self, municipality: Municipality, size: int, runs: int) -> None:
        issuer = Organisation.objects.create(
            kind=Organisation.Kind.AUTHORITY,
            name=f"Управление образования (замер {time.time_ns()})",
            municipality=municipality,
        )
        act = LegalAct.objects.create(
            municipality=municipality,
            issuer=issuer,
            number="1",
            date=date(2026, 1, 15),
            title="Об утверждении плана мероприятий («дорожной карты») для замера",
            preamble="В целях повышения качества образования приказываю:",
            items=["Утвердить план мероприятий (приложение 1).", "Контроль оставляю за собой."],
            signatory_position="Начальник управления образования",
            signatory_name="И.И. Иванов",
        )
        roadmap = Roadmap.objects.create(
            municipality=municipality,
            title=f"План мероприятий («дорожная карта») на {size} мероприятий {time.time_ns()}",
            starts_on=date(2026, 1, 1),
            ends_on=date(2026, 12, 31),
        )
        sections = Section.objects.bulk_create(
            Section(roadmap=roadmap, position=s + 1, number=f"{s + 1}.", title=f"Раздел {s + 1}")
            for s in range((size + 9) // 10)
        )
        Measure.objects.bulk_create(
            Measure(
                roadmap=roadmap,
                section=sections[n // 10],
                position=n + 1,
                number=f"{n // 10 + 1}.{n % 10 + 1}",
                title=TITLE.format(n=n + 1),
                owners_text="Отдел образования\nРуководители ОУ",
                deadline_text="Ежеквартально, до 5 числа",
                planned_result=RESULT.format(n=n + 1),
            )
            for n in range(size)
        )
        ActAppendix.objects.create(act=act, position=1, kind="roadmap", roadmap=roadmap)
        printing.render_pdf(act)  # warm-up: fonts, templates
        seconds, pages = [], 0
        for _ in range(runs):
            started = time.perf_counter()
            document = printing.render_document(act)
            printing.write_pdf(document)
            seconds.append(time.perf_counter() - started)
            pages = len(document.pages)
        median = statistics.median(seconds)
        verdict = "" if size != 60 else (" ✓" if median <= TARGET_SECONDS else " — дольше цели 1 с")
        self.stdout.write(
            f"{size} мероприятий: страниц {pages}, медиана {median:.2f} с "
            f"(мин {min(seconds):.2f}, макс {max(seconds):.2f}, замеров {runs}){verdict}"
        )
