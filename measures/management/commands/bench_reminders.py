"""Seconds of the reminder scan over 10,000 due control pairs, and milliseconds of one digest.

Builds, inside a transaction that is rolled back at the end (nothing stays, so it runs on any
database, the demo one too), a municipality «Бенч: напоминания» with an approved roadmap (its
signed order), `--schools` designated schools with a director each, a coordinator, and measures
for all designated schools whose control dates (kind «контрольный срок», no reports: all open)
fall from 30 days ago to 14 days ahead, so that there are `--pairs` open control pairs due (or
overdue, or within the 14 days of the earliest reminder). A fifth of the measures are owned by
the coordinator too.

Then, `--runs` times: the scan at 12:00 of a working day on fresh rows (the reminder rows made
by the previous run deleted), and again on the rows it found; each with the digests queued to
the real broker (REDIS_URL) under a throwaway queue that is deleted afterwards, so no worker
sends them. The scan of the whole database: on the demo one its pairs are counted too. The
target: 10 s with the digests queued.

Then one person's digest as `send_digest` builds it, without sending: the queued rows read,
grouped (`digest_rows`), and the text and HTML templates rendered, for 5 and 40 rows; median and
p95 over `--renders` runs. The target: 50 ms.
"""

from __future__ import annotations

import math
import statistics
import time
import uuid
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from measures import reminders
from measures.models import LegalAct, Measure, Occurrence, Reminder, ReminderScan, Roadmap
from schools.models import (
    Appointment,
    Municipality,
    Organisation,
    Region,
    School,
    SchoolDesignation,
)
from schools.services import appoint

NAME = "Бенч: напоминания"
SCAN_TARGET_SECONDS = 10.0
DIGEST_TARGET_MS = 50.0
FIRST_DAY = -30  # the earliest control date, days from the scan's day
LAST_DAY = reminders.MAX_OFFSET  # the latest one whose reminders may have begun


class Rollback(Exception):
    pass


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


class Command(BaseCommand):
    help = (
        "Время проверки напоминаний на 10 000 пар со сроком (с постановкой писем в очередь) и "
        "время сборки одной сводки (откатывается)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--pairs", type=int, default=10_000)
        parser.add_argument("--schools", type=int, default=100)
        parser.add_argument("--runs", type=int, default=3)
        parser.add_argument("--renders", type=int, default=50)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with transaction.atomic():
                self._bench(options)
                raise Rollback
        except Rollback:
            self.stdout.write("(всё созданное откатилось)")

    def _bench(self, options: dict[str, Any]) -> None:
        moment = self._moment()
        today = moment.date()
        started = time.perf_counter()
        municipality, directors, coordinator = self._make(options, today)
        with connection.cursor() as cursor:
            # the planner's statistics, as autovacuum would soon gather them (inside this
            # transaction: they are rolled back with the data)
            cursor.execute("ANALYZE")
        pairs = reminders.open_pairs(today)
        mine = sum(1 for p in pairs if p[5] == municipality.pk)
        self.stdout.write(
            f"{NAME}: школ {len(directors)}, мероприятий "
            f"{Measure.objects.filter(roadmap__municipality=municipality).count()}, открытых пар "
            f"со сроком {mine} (во всей базе {len(pairs)}); данные за "
            f"{time.perf_counter() - started:.1f} с; проверка на {moment:%d.%m.%Y %H:%M}"
        )
        last = Reminder.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        self.stdout.write(
            f"{'run':<4} {'rows':<7} {'scan s':>7} {'queue s':>8} {'total s':>8} {'pairs':>7} "
            f"{'created':>8} {'digests':>8} {'weekly':>7}"
        )
        totals = []
        for run in range(1, options["runs"] + 1):
            Reminder.objects.filter(pk__gt=last).delete()
            for rows in ("fresh", "found"):
                result, scan_s, queue_s = self._scan(moment)
                totals.append(scan_s + queue_s)
                self.stdout.write(
                    f"{run:<4} {rows:<7} {scan_s:>7.2f} {queue_s:>8.2f} {scan_s + queue_s:>8.2f} "
                    f"{result.pairs:>7} {result.created:>8} {len(result.digests):>8} "
                    f"{len(result.weekly):>7}"
                )
        worst = max(totals)
        self.stdout.write(
            f"scan + queue: worst {worst:.2f} s (target ≤ {SCAN_TARGET_SECONDS:.0f} s: "
            f"{'ok' if worst <= SCAN_TARGET_SECONDS else 'SLOWER'})"
        )
        with connection.cursor() as cursor:
            # as autovacuum does after the first scan's rows: with the statistics of an empty
            # table the planner reads a person's rows by the school index, all 40,000 of them
            cursor.execute("ANALYZE measures_reminder")
        self.stdout.write(f"{'digest':<24} {'rows':>5} {'p50 ms':>8} {'p95 ms':>8} {'read ms':>8}")
        people = [("director", directors[0], n) for n in (5, 40)]
        people.append(("coordinator", coordinator, 40))
        people.append(("coordinator, all rows", coordinator, None))  # a fifth of the pairs
        for label, user, size in people:
            runs, rows = self._render(user, today, size, options["renders"])
            whole = [total for total, _read in runs]
            p50 = statistics.median(whole)
            self.stdout.write(
                f"{label:<24} {rows:>5} {p50:>8.1f} {percentile(whole, 0.95):>8.1f} "
                f"{statistics.median(read for _total, read in runs):>8.1f}  "
                + (
                    "(no target: every row of the measures the coordinator co-owns)"
                    if size is None
                    else f"(target ≤ {DIGEST_TARGET_MS:.0f} ms: "
                    f"{'ok' if p50 <= DIGEST_TARGET_MS else 'SLOWER'})"
                )
            )

    def _moment(self) -> datetime:
        """12:00 of the next working day (today's if it is one): every digest's hour has come."""
        day = timezone.localdate()
        while not reminders.is_working_day(day):
            day += timedelta(days=1)
        return timezone.make_aware(datetime.combine(day, datetime.min.time().replace(hour=12)))

    def _scan(self, moment: datetime) -> tuple[reminders.ScanResult, float, float]:
        """One scan (its own savepoint, as `scan` makes), then its letters queued to a queue
        of their own that is deleted at once: `scan(enqueue=True)` queues them on commit, which
        here never comes."""
        from roadmap_portal.celery import app

        start = time.perf_counter()
        result = reminders.scan(moment, trigger=ReminderScan.Trigger.COMMAND, enqueue=False)
        scanned = time.perf_counter()
        queue = f"bench-reminders-{uuid.uuid4().hex}"
        with routed(app, queue):
            reminders.enqueue_letters(result)
        queued = time.perf_counter()
        with app.connection_for_write() as conn:
            client = conn.default_channel.client
            waiting = client.llen(queue)
            client.delete(queue, *client.scan_iter(f"_kombu.binding*{queue}"))
        letters = len(result.digests) + len(result.weekly)
        if waiting != letters:
            self.stderr.write(f"в очереди {queue} {waiting} писем, поставлено {letters}")
        return result, scanned - start, queued - scanned

    def _render(
        self, user: User, day: date, size: int | None, runs: int
    ) -> tuple[list[tuple[float, float]], int]:
        """Milliseconds of building the person's digest of `size` rows (None: all of them) as
        `send_digest` does, without the SMTP: the rows read, grouped, and both templates
        rendered. Each run: (the whole, of it reading and grouping the rows)."""
        timings = []
        for _run in range(runs + 2):  # two warm-up renders
            start = time.perf_counter()
            rows = list(
                Reminder.objects.filter(
                    user=user, status=Reminder.Status.QUEUED, remind_on__lte=day
                )
                .select_related("occurrence__measure__roadmap__municipality", "school")
                .order_by("due_on", "pk")[:size]
            )
            groups = reminders.digest_rows(rows, day, user.pk)
            read = time.perf_counter()
            counts = {state: len(group) for state, group in groups.items()}
            token = reminders.unsubscribe_token(user.pk, "digest")
            context = {
                "groups": groups,
                "counts": counts,
                "day": day,
                "user": user,
                "unsubscribe_url": reminders.portal_url(
                    reverse("measures:reminders_unsubscribe", args=[token])
                ),
                "settings_url": reminders.portal_url(reverse("measures:reminder_settings")),
            }
            reminders.digest_subject(counts)
            text = render_to_string("measures/mail/reminder_digest.txt", context)
            html = render_to_string("measures/mail/reminder_digest.html", context)
            end = time.perf_counter()
            timings.append(((end - start) * 1000, (read - start) * 1000))
            if not text or not html:
                self.stderr.write(f"{user.username}: пустое письмо")
        return timings[2:], len(rows)

    def _make(self, options: dict[str, Any], today: date) -> tuple[Municipality, list[User], User]:
        # control dates × schools ≥ pairs: 100 × 100 for 10,000, 7 × 8 for 50
        schools_n = max(1, min(options["schools"], math.isqrt(options["pairs"])))
        dates_n = math.ceil(options["pairs"] / schools_n)  # each for every school
        region = Region.objects.get_or_create(name="Бенч-регион")[0]
        municipality = Municipality.objects.create(region=region, name=f"{NAME} {uuid.uuid4()}")
        issuer = Organisation.objects.create(
            kind=Organisation.Kind.AUTHORITY,
            name="Управление образования (бенч)",
            municipality=municipality,
        )
        act = LegalAct.objects.create(
            municipality=municipality,
            issuer=issuer,
            number="1-бенч",
            date=today - timedelta(days=60),
            title="Об утверждении плана мероприятий («дорожной карты»)",
            status=LegalAct.Status.SIGNED,
            signed_at=timezone.now(),
        )
        roadmap = Roadmap.objects.create(
            municipality=municipality,
            title="План мероприятий по поддержке школ с низкими результатами (бенч)",
            starts_on=today + timedelta(days=FIRST_DAY - 30),
            ends_on=today + timedelta(days=180),
            status=Roadmap.Status.APPROVED,
            approved_by=act,
        )
        schools = School.objects.bulk_create(
            School(
                municipality=municipality, short_name=f"МКОУ СОШ № {n} (бенч)", name=f"Школа № {n}"
            )
            for n in range(1, schools_n + 1)
        )
        years = range(roadmap.starts_on.year, roadmap.ends_on.year + 1)
        SchoolDesignation.objects.bulk_create(
            SchoolDesignation(school=school, kind="low_results", year=year)
            for school in schools
            for year in years
        )
        # two control dates a measure, spread over the window
        span = LAST_DAY - FIRST_DAY + 1
        days = [today + timedelta(days=FIRST_DAY + (i * 7) % span) for i in range(dates_n)]
        measures = Measure.objects.bulk_create(
            Measure(
                roadmap=roadmap,
                position=m + 1,
                number=f"{m + 1}.",
                title=f"Мероприятие {m + 1}: методический семинар для учителей",
                owners_text=(
                    "Муниципальный координатор, руководители ШНОР"
                    if m % 5 == 0
                    else "Руководители ШНОР"
                ),
                deadline_text="По графику",
                all_designated_schools=True,
            )
            for m in range((dates_n + 1) // 2)
        )
        occurrences = []
        for i, day in enumerate(days):
            measure = measures[i // 2]
            if occurrences and occurrences[-1].measure is measure and occurrences[-1].due_on == day:
                day += timedelta(days=1)
            occurrences.append(Occurrence(measure=measure, due_on=day, kind=Occurrence.Kind.DUE))
        Occurrence.objects.bulk_create(occurrences)
        directors = User.objects.bulk_create(
            User(
                username=f"bench-reminders-{uuid.uuid4().hex[:12]}",
                first_name=f"Директор {n}",
                email=f"director{n}@bench.invalid",
            )
            for n in range(1, schools_n + 1)
        )
        Appointment.objects.bulk_create(
            Appointment(user=user, role=Appointment.Role.DIRECTOR, school=school)
            for user, school in zip(directors, schools, strict=True)
        )
        coordinator = User.objects.create_user(
            f"bench-reminders-{uuid.uuid4().hex[:12]}",
            email="coordinator@bench.invalid",
            first_name="Координатор",
        )
        appoint(user=coordinator, role="coordinator", target=municipality)
        return municipality, directors, coordinator


class routed:
    """The reminder tasks published to `queue` while inside (a queue no worker reads)."""

    def __init__(self, app: Any, queue: str) -> None:
        self.app, self.queue = app, queue

    def __enter__(self) -> None:
        from celery.app.routes import Router, prepare

        self.before = self.app.amqp.router
        self.app.amqp.router = Router(
            prepare([{"measures.tasks.*": {"queue": self.queue}}]),
            self.app.amqp.queues,
            create_missing=True,
            app=self.app,
        )

    def __exit__(self, *exc: object) -> None:
        self.app.amqp.router = self.before
