"""Server time and query count of the main pages for each role, against the real database.

Run it on data made by `generate_scale_data` (a separate database, never a real one: it logs the
generated accounts in, which writes sessions). Each page is requested through Django's test client
in this process — the whole middleware, view and template stack, no network — `--runs` times
after two warm-up requests; p50/p95 are of those runs. Prints a table, and with `--json FILE`
writes the figures.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.backends.signals import connection_created
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from measures import selectors
from measures.management.commands.generate_scale_data import LOGINS
from measures.models import Measure, Roadmap
from schools.models import Municipality, School
from schools.selectors import director_schools, visible_municipalities


def _pages(user: User) -> dict[str, str]:
    """The main pages this user opens, on the largest things they see."""
    list_url = reverse("measures:roadmap_list")
    pages = {
        "roadmap list": list_url,
        "roadmap list, filtered": f"{list_url}?q=качества&year=2023",
        "roadmap list, page 2": f"{list_url}?page=2",
    }
    roadmap = (
        selectors.roadmaps_for_user(user).filter(measures__isnull=False).order_by("pk").first()
    )
    if roadmap is not None:
        pages["roadmap page"] = reverse("measures:roadmap_detail", args=[roadmap.pk])
        pages["roadmap history"] = reverse("measures:roadmap_history", args=[roadmap.pk])
        measure = selectors.measures_for_user(user, roadmap).order_by("pk").first()
        if measure is not None:
            pages["measure history"] = reverse(
                "measures:measure_history", args=[roadmap.pk, measure.pk]
            )
    if user.is_superuser:
        municipality = Municipality.objects.order_by("pk").first()
    else:
        municipality = visible_municipalities(user).order_by("pk").first()
    if municipality is not None:
        pages["people"] = reverse("schools:people", args=[municipality.pk])
    school = director_schools(user).order_by("pk").first()
    if school is None and municipality is not None:
        school = School.objects.filter(municipality=municipality).order_by("pk").first()
    if school is not None:
        pages["school staff"] = reverse("schools:school_people", args=[school.pk])
    return pages


def _jit(setting: str):
    def receiver(sender: Any, connection: Any, **kwargs: Any) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"SET jit = {setting}")

    return receiver


class Command(BaseCommand):
    help = "Замеряет время ответа и число запросов главных страниц для каждой роли."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=30)
        parser.add_argument("--json", dest="json_file")
        parser.add_argument(
            "--jit",
            choices=["settings", "on", "off"],
            default="settings",
            help="PostgreSQL JIT for the bench: as in settings, or forced on/off",
        )
        parser.add_argument("--role", action="append", help="only these roles (repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        users = {role: User.objects.filter(username=name).first() for name, role in LOGINS.items()}
        if not all(users.values()):
            raise CommandError("Нет входов scale-*: сначала manage.py generate_scale_data.")
        if options["jit"] != "settings":
            connection.close()
            connection_created.connect(_jit(options["jit"]), weak=False)
        with connection.cursor() as cursor:
            cursor.execute("SHOW jit")
            jit = cursor.fetchone()[0]
        sizes = {
            "municipalities": Municipality.objects.count(),
            "schools": School.objects.count(),
            "roadmaps": Roadmap.objects.count(),
            "measures": Measure.objects.count(),
        }
        load = os.getloadavg()
        self.stdout.write(
            f"{sizes} · jit={jit} · {options['runs']} runs · {_cpus()} CPUs · "
            f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}"
        )
        self.stdout.write(f"{'role':<16} {'page':<24} {'p50 ms':>8} {'p95 ms':>8} "
                          f"{'SQL p50':>8} {'queries':>7} {'KB':>6} status")  # fmt: skip
        results = []
        storages = {  # no collectstatic needed: static URLs are not what is measured
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        with override_settings(ALLOWED_HOSTS=["testserver"], STORAGES=storages):
            for role, user in users.items():
                if options["role"] and role not in options["role"]:
                    continue
                client = Client()
                client.force_login(user)
                for page, url in _pages(user).items():
                    result = self._measure(client, url, options["runs"])
                    result.update(role=role, page=page, url=url)
                    results.append(result)
                    self.stdout.write(
                        f"{role:<16} {page:<24} {result['p50_ms']:>8.1f} {result['p95_ms']:>8.1f} "
                        f"{result['db_p50_ms']:>8.1f} {result['queries']:>7} "
                        f"{result['bytes'] // 1024:>6} {result['status']}"
                    )
        if options["json_file"]:
            with open(options["json_file"], "w", encoding="utf-8") as handle:
                json.dump(
                    {
                        "date": datetime.now(UTC).isoformat(timespec="seconds"),
                        "machine": {
                            "cpus": _cpus(),
                            "python": platform.python_version(),
                            "load_average_at_start": load,
                            "load_average_at_end": os.getloadavg(),
                        },
                        "jit": jit,
                        "runs": options["runs"],
                        "sizes": sizes,
                        "pages": results,
                    },
                    handle,
                    ensure_ascii=False,
                    indent=1,
                )

    def _measure(self, client: Client, url: str, runs: int) -> dict[str, Any]:
        for _ in range(2):
            client.get(url)
        times, db_times, queries = [], [], set()
        for _ in range(runs):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            queries.add(len(captured))
            db_times.append(sum(float(query["time"]) for query in captured) * 1000)
        cuts = statistics.quantiles(times, n=20, method="inclusive") if runs > 1 else times * 19
        return {
            "p50_ms": round(statistics.median(times), 1),
            "p95_ms": round(cuts[18], 1),
            "db_p50_ms": round(statistics.median(db_times), 1),
            "queries": max(queries),
            "bytes": len(response.content),
            "status": response.status_code,
        }


def _cpus() -> int:
    return len(os.sched_getaffinity(0))
