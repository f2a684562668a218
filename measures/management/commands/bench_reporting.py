"""Server time and query count of the director's home and the review queue with many reports.

Makes (once; `--fresh` to make again) a municipality «Бенч: отчёты» with `--schools` designated
schools, `--roadmaps` current roadmaps of `--measures` monthly measures each, and `--reports`
school reports spread over every state (a fifth of them waiting in the review queue), with a
director, a working-group member and a coordinator; then times each page `--runs` times through
Django's test client (after two warm-up requests) and prints p50/p95 and the query count. Run it on
a database of its own, never a real one.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from measures.deadlines import Deadline, Kind, Recurrence
from measures.management.commands.bench_pages import Command as BenchPages
from measures.models import Measure, Occurrence, Report, Roadmap
from schools.models import Municipality, Region, School, SchoolDesignation
from schools.services import appoint

NAME = "Бенч: отчёты"
LOGINS = {
    "bench-direktor": "director",
    "bench-rabgruppa": "working_group",
    "bench-koordinator": "coordinator",
}


class Command(BaseCommand):
    help = "Замеряет «Мою школу» и «На проверке» на муниципалитете с множеством отчётов."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schools", type=int, default=40)
        parser.add_argument("--roadmaps", type=int, default=4)
        parser.add_argument("--measures", type=int, default=60)
        parser.add_argument("--reports", type=int, default=10_000)
        parser.add_argument("--runs", type=int, default=30)
        parser.add_argument("--fresh", action="store_true", help="delete and make the data again")

    def handle(self, *args: Any, **options: Any) -> None:
        municipality = Municipality.objects.filter(name=NAME).first()
        if municipality is not None and options["fresh"]:
            self._delete(municipality)
            municipality = None
        if municipality is None:
            municipality = self._make(options)
            # the planner's statistics, as autovacuum would soon gather them: without them it
            # estimates one row per table and loops over the reports once per pair
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        reports = Report.objects.filter(school__municipality=municipality)
        self.stdout.write(
            f"{NAME}: школ {municipality.schools.count()}, дорожных карт "
            f"{municipality.roadmaps.count()}, мероприятий "
            f"{Measure.objects.filter(roadmap__municipality=municipality).count()}, отчётов "
            f"{reports.count()}, на проверке {reports.filter(status='submitted').count()}"
        )
        users = {role: User.objects.get(username=login) for login, role in LOGINS.items()}
        director_school = School.objects.filter(appointments__user=users["director"]).get()
        pages = [
            ("director", "my school", reverse("measures:my_school")),
            (
                "director",
                "my school, overdue",
                reverse("measures:my_school") + f"?school={director_school.pk}&status=overdue",
            ),
            ("working_group", "review queue", reverse("measures:review_queue")),
            ("working_group", "review queue, page 3", reverse("measures:review_queue") + "?page=3"),
            ("coordinator", "review queue", reverse("measures:review_queue")),
        ]
        roadmap = municipality.roadmaps.order_by("pk").first()
        pages.append(
            ("coordinator", "roadmap page", reverse("measures:roadmap_detail", args=[roadmap.pk]))
        )
        pages.append(("coordinator", "roadmap list", reverse("measures:roadmap_list")))
        storages = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        self.stdout.write(
            f"{'role':<14} {'page':<24} {'p50 ms':>8} {'p95 ms':>8} {'SQL p50':>8} "
            f"{'queries':>7} status"
        )
        bench = BenchPages()
        with override_settings(ALLOWED_HOSTS=["testserver"], STORAGES=storages):
            clients = {}
            for role, page, url in pages:
                if role not in clients:
                    clients[role] = Client()
                    clients[role].force_login(users[role])
                result = bench._measure(clients[role], url, options["runs"])
                self.stdout.write(
                    f"{role:<14} {page:<24} {result['p50_ms']:>8.1f} {result['p95_ms']:>8.1f} "
                    f"{result['db_p50_ms']:>8.1f} {result['queries']:>7} {result['status']}"
                )

    def _delete(self, municipality: Municipality) -> None:
        with transaction.atomic():
            Report.objects.filter(school__municipality=municipality).delete()
            Roadmap.objects.filter(municipality=municipality).delete()
            User.objects.filter(username__in=LOGINS).delete()
            SchoolDesignation.objects.filter(school__municipality=municipality).delete()
            School.objects.filter(municipality=municipality).delete()
            municipality.delete()

    @transaction.atomic
    def _make(self, options: dict[str, Any]) -> Municipality:
        rng = random.Random(8)
        today = timezone.localdate()
        year = today.year
        region = Region.objects.get_or_create(name="Бенч-регион")[0]
        municipality = Municipality.objects.create(region=region, name=NAME)
        schools = School.objects.bulk_create(
            School(
                municipality=municipality, short_name=f"МКОУ СОШ № {n} (бенч)", name=f"Школа № {n}"
            )
            for n in range(1, options["schools"] + 1)
        )
        SchoolDesignation.objects.bulk_create(
            SchoolDesignation(school=school, kind="low_results", year=year) for school in schools
        )
        occurrences: list[Occurrence] = []
        for r in range(options["roadmaps"]):
            roadmap = Roadmap.objects.create(
                municipality=municipality,
                title=f"Дорожная карта {r + 1} по поддержке школ с низкими результатами, {year}",
                starts_on=date(year, 1, 1),
                ends_on=date(year, 12, 31),
            )
            monthly = Deadline(
                text="Ежемесячно", kind=Kind.RECURRING, recurrence=Recurrence.MONTHLY,
                due_dates=[date(year, month, 28) for month in range(1, 13)],
            )  # fmt: skip
            measures = [
                Measure(
                    roadmap=roadmap,
                    position=m,
                    number=f"{m}.",
                    title=f"Мероприятие {m}: методический семинар для учителей",
                    owners_text="Руководители ШНОР",
                    deadline_text=monthly.text,
                )
                for m in range(1, options["measures"] + 1)
            ]
            for measure in measures:
                measure.set_deadline(monthly)
            Measure.objects.bulk_create(measures)
            occurrences += Occurrence.objects.bulk_create(
                Occurrence(measure=measure, due_on=day)
                for measure in measures
                for day in measure.deadline.due_dates
            )
        users = {}
        for login, role in LOGINS.items():
            user = User.objects.create_user(login, password=None, first_name=login)
            target = schools[0] if role == "director" else municipality
            appoint(user=user, role=role, target=target)
            users[role] = user
        moscow = ZoneInfo(settings.TIME_ZONE)
        pairs = rng.sample(
            [(o, s) for o in occurrences for s in schools],
            min(options["reports"], len(occurrences) * len(schools)),
        )
        # the director's own school has its share of reports in every state
        pairs += [(o, schools[0]) for o in occurrences[: len(occurrences) // 10]]
        seen, reports = set(), []
        for occurrence, school in pairs:
            if (occurrence.pk, school.pk) in seen:
                continue
            seen.add((occurrence.pk, school.pk))
            status = rng.choices(
                ["draft", "submitted", "accepted", "returned"], weights=[2, 2, 5, 1]
            )[0]
            sent = datetime.combine(
                occurrence.due_on + timedelta(days=rng.randint(-20, 10)), time(10), moscow
            )
            sent = min(sent, timezone.now())
            report = Report(
                occurrence=occurrence,
                school=school,
                due_on=occurrence.due_on,
                status=status,
                outcome="done" if status != "draft" else "in_progress",
                done_text="Проведено: протокол, список участников",
                submitted_at=sent if status != "draft" else None,
                submitted_by=users["director"] if status != "draft" else None,
                reviewed_at=sent + timedelta(days=2)
                if status in ("accepted", "returned")
                else None,
                reviewed_by=users["working_group"] if status in ("accepted", "returned") else None,
                review_comment="Приложите протокол" if status == "returned" else "",
            )
            reports.append(report)
        Report.objects.bulk_create(reports, batch_size=2000)
        return municipality
