"""Server time and query count of each roadmap-editor action on a 60-measure draft.

Builds the draft (6 sections of 10 measures, through the editor's services) and a coordinator
in a scratch transaction that is rolled back at the end: nothing stays in the database. Each
action is requested through Django's test client in this process (the whole middleware, view
and template stack, as htmx sends it), `--runs` times after a warm-up; prints the median and
p95 milliseconds and the queries of each. The target is 100 ms per action.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from measures import editing
from measures.models import Measure, Roadmap
from schools.models import Municipality

TARGET_MS = 100
HX = {"HX-Request": "true"}


class Rollback(Exception):
    pass


class Command(BaseCommand):
    help = "Time each roadmap-editor action on a 60-measure draft (rolled back)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=20)
        parser.add_argument("--sections", type=int, default=6)
        parser.add_argument("--per-section", type=int, default=10)

    def handle(self, *args: object, **options: object) -> None:
        municipality = Municipality.objects.order_by("pk").first()
        if municipality is None:
            raise CommandError("Нет муниципалитетов: сначала manage.py load_demo.")
        try:
            with transaction.atomic(), override_settings(ALLOWED_HOSTS=["testserver", "*"]):
                self._bench(municipality, options)
                raise Rollback
        except Rollback:
            self.stdout.write("(всё созданное откатилось)")

    def _bench(self, municipality: Municipality, options: dict) -> None:
        from django.contrib.auth.models import User

        from schools.services import appoint

        user = User.objects.create_user(username=f"bench-editor-{time.time_ns()}")
        appoint(user=user, role="coordinator", target=municipality)
        roadmap = Roadmap.objects.create(
            municipality=municipality,
            title=f"Замер редактора {time.time_ns()}",
            starts_on=date(2026, 9, 1),
            ends_on=date(2027, 8, 31),
        )
        for s in range(options["sections"]):
            section = editing.section_add(roadmap=roadmap, title=f"Раздел {s + 1}")
            for m in range(options["per_section"]):
                editing.measure_add(
                    measure=Measure(
                        roadmap=roadmap,
                        section=section,
                        title=f"Мероприятие {s + 1}.{m + 1}",
                        owners_text="Отдел образования",
                        deadline_text="Ежеквартально",
                    )
                )
        client = Client()
        client.force_login(user)
        middle = roadmap.measures.order_by("position")[roadmap.measures.count() // 2]
        section = roadmap.sections.order_by("position").first()

        def url(name: str, *pks: int) -> str:
            return reverse(f"measures:{name}", args=[roadmap.pk, *pks])

        def edit() -> tuple[str, dict]:
            version = Measure.objects.get(pk=middle.pk).version
            p = f"measure-{middle.pk}-"
            return url("measure_inline", middle.pk), {
                p + "title": f"Мероприятие {time.time_ns()}", p + "deadline_text": "Май 2027",
                p + "owners_text": "Отдел образования", p + "version": version,
            }  # fmt: skip

        def delete() -> tuple[str, dict]:
            extra = editing.measure_add(
                measure=Measure(roadmap=roadmap, section=section, title="Удаляемое")
            )
            return url("measure_delete", extra.pk), {}

        actions: dict[str, Callable[[], tuple[str, dict]]] = {
            "open editor (GET)": lambda: (url("roadmap_editor"), {}),
            "add section": lambda: (url("section_add"), {"title": "Новый раздел"}),
            "add measure": lambda: (
                url("measure_add"),
                {
                    "section": section.pk,
                    "new-title": "Новое мероприятие",
                    "new-deadline_text": "Ежеквартально",
                    "new-version": 1,
                },
            ),
            "edit measure": edit,
            "move up": lambda: (url("measure_move", middle.pk), {"direction": "up"}),
            "move down": lambda: (url("measure_move", middle.pk), {"direction": "down"}),
            "delete measure": delete,
        }
        self.stdout.write(
            f"Черновик: мероприятий {roadmap.measures.count()}, разделов "
            f"{roadmap.sections.count()}; запусков на действие: {options['runs']}"
        )
        self.stdout.write(f"{'действие':<20} {'медиана мс':>11} {'p95 мс':>8} {'запросов':>9}")
        slow = []
        for name, prepare in actions.items():
            times, queries = [], 0
            for run in range(options["runs"] + 1):
                target, data = prepare()
                method = client.get if name.endswith("(GET)") else client.post
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = method(target, data, headers=HX)
                    elapsed = (time.perf_counter() - started) * 1000
                if response.status_code != 200:
                    raise CommandError(f"{name}: ответ {response.status_code}")
                if run:  # the first run warms up
                    times.append(elapsed)
                    queries = max(queries, len(captured))
            median = statistics.median(times)
            p95 = statistics.quantiles(times, n=20)[-1] if len(times) > 1 else times[0]
            self.stdout.write(f"{name:<20} {median:>11.1f} {p95:>8.1f} {queries:>9}")
            if median > TARGET_MS:
                slow.append(name)
        if slow:
            self.stdout.write(self.style.WARNING(f"Медиана выше {TARGET_MS} мс: {', '.join(slow)}"))
        else:
            self.stdout.write(self.style.SUCCESS(f"Каждое действие в пределах {TARGET_MS} мс."))
