"""Milliseconds of the dashboards on a large municipality, beside their aggregate queries alone.

Builds, inside a transaction that is rolled back at the end (nothing stays, so it runs on any
database, the demo one too), a region «Бенч: панели» holding a municipality with `--schools`
schools (designated «ШНОР» for the roadmap's years, some leaving the list and some new each
year, some of another kind too), its approved roadmap over the three years to this one with
`--measures` measures in six sections whose deadlines are real texts read by `measure_save`
(«Февраль 2024г.», «Ежеквартально», «Ежегодно в декабре»…, so their control dates exist), and
reports on a realistic share of the pairs: accepted on time, accepted late, returned, waiting
for review; the rest of the past pairs are overdue. Ten indicators (seven of schools, three of
the municipality) with targets, three stages a year for three years, and a value for every
school at every stage. Beside it `--municipalities` small municipalities of the region (five
schools, five measures, three indicators each) for the region's dashboard.

Garbage collection is tuned as `roadmap_portal/wsgi.py` tunes it for gunicorn. First the large
municipality's progress is counted ahead, as the Celery task does it
(`monitoring.counting.count_progress`, timed and printed: it runs off the request).

Then, `--runs` times after a warm-up, through Django's test client as a member of the working
group (the regional viewer for the region): the municipal dashboard, with a school filter, with
a stage filter, the XLSX of the grid (every school), and the region's dashboard. The time of
`client.get` is server time: the view, its queries and the template. Beside each, the aggregate
queries it is built on, run alone in the same way (the count's freshness, the counted cells
added up by section, by school, for the grid's page and for the overdue list, the sections and
the overdue reports, `stage_points`, `decile_gaps`, `designation_flow`; `roadmap_progress` for
the region), and the ratio of the two p95. The targets: p95 ≤ 200 ms and ≤ 3 × the
aggregates' p95.
"""

from __future__ import annotations

import gc
import json
import random
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from measures.editions import ensure_recorded
from measures.models import LegalAct, Measure, Report, Roadmap, Section
from measures.progress import (
    roadmap_progress,
)
from measures.services import measure_save
from monitoring import counting, dashboards
from monitoring.aggregates import decile_gaps, designation_flow, stage_points
from monitoring.models import (
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    MonitoringStage,
    ProgressCell,
)
from monitoring.selectors import approved_roadmaps
from roadmap_portal.gc_tuning import tune_gc
from schools.models import Municipality, Organisation, Region, School, SchoolDesignation
from schools.services import appoint

NAME = "Бенч: панели"
P95_TARGET_MS = 200.0
RATIO_TARGET = 3.0
SECTIONS = 6
# deadlines as roadmaps write them; `{y}` is a year of the roadmap
DEADLINES = [
    "Ежеквартально",
    "Ежегодно в декабре",
    "Февраль {y}г.",
    "Ежегодно в мае",
    "2 раза в год",
    "До 1 сентября {y} г.",
    "Май {y}г.",
    "Ежегодно, сентябрь",
    "Постоянно",  # no control date: quarterly notes only
    "Октябрь {y}г.",
]
# (code, title, unit, direction, level, low, high): values drawn between low and high
INDICATORS = [
    ("ВПР-ПОДТВ", "Доля участников ВПР, подтвердивших отметки", "percent", "higher", "school",
     40, 95),
    ("ГИА-СРБАЛЛ", "Средний балл ЕГЭ по русскому языку", "points", "higher", "school", 45, 80),
    ("УДОВЛ", "Доля родителей и обучающихся, удовлетворённых качеством образования", "percent",
     "higher", "school", 50, 98),
    ("ДЕФИЦИТ", "Доля учителей, прошедших диагностику профессиональных дефицитов", "percent",
     "higher", "school", 20, 100),
    ("ПРОГРАММА", "Утверждена программа перехода в эффективный режим", "boolean", "higher",
     "school", 0, 1),
    ("УЧАСТИЕ", "Доля обучающихся — участников муниципальных мероприятий", "percent", "higher",
     "school", 10, 70),
    ("НЕУСП", "Доля обучающихся с неудовлетворительными результатами ГИА", "percent", "lower",
     "school", 0, 25),
    ("СРОКИ", "Доля мероприятий, выполненных в срок", "percent", "higher", "municipality", 60, 95),
    ("НЕОБЪЕКТ", "Число школ с признаками необъективных результатов", "count", "lower",
     "municipality", 0, 12),
    ("РАЗРЫВ", "Разрыв результатов ГИА 10 % лучших и худших школ", "pp", "lower",
     "municipality", 8, 25),
]  # fmt: skip
STAGES = [  # (kind, month the window starts, ends)
    (MonitoringStage.Kind.ENTRY, 2, 3),
    (MonitoringStage.Kind.INTERIM, 6, 7),
    (MonitoringStage.Kind.FINAL, 10, 11),
]
MOSCOW = ZoneInfo(settings.TIME_ZONE)


class Rollback(Exception):
    pass


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(call: Callable[[], Any], runs: int, warm_up: int = 2) -> list[float]:
    """Milliseconds of each of `runs` calls, after `warm_up` calls not counted."""
    timings = []
    for run in range(warm_up + runs):
        start = time.perf_counter()
        call()
        if run >= warm_up:
            timings.append((time.perf_counter() - start) * 1000)
    return timings


class Command(BaseCommand):
    help = (
        "Время панелей муниципалитета и региона (300 школ, 60 мероприятий, 3 года значений) "
        "рядом со временем их агрегатных запросов (откатывается)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--schools", type=int, default=300)
        parser.add_argument("--measures", type=int, default=60)
        parser.add_argument("--municipalities", type=int, default=30, help="малых, в регионе")
        parser.add_argument("--runs", type=int, default=30)
        parser.add_argument("--seed", type=int, default=13)
        parser.add_argument("--json", action="store_true", help="и строку JSON с числами")
        parser.add_argument(
            "--profile", action="store_true", help="и время каждого запроса одной страницы"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        threshold = gc.get_threshold()
        try:
            with transaction.atomic():
                self._bench(options)
                raise Rollback
        except Rollback:
            self.stdout.write("(всё созданное откатилось)")
        finally:  # the collector as it was (the command may run inside the tests' process)
            gc.unfreeze()
            gc.set_threshold(*threshold)

    # --- measuring --------------------------------------------------------------------------

    def _bench(self, options: dict[str, Any]) -> None:
        rng = random.Random(options["seed"])
        today = timezone.localdate()
        years = (today.year - 2, today.year)
        started = time.perf_counter()
        region = Region.objects.create(name=f"{NAME} {uuid.uuid4()}")
        home, roadmap, schools = self._municipality(
            region, f"{NAME}: {options['schools']} школ", options["schools"],
            options["measures"], len(INDICATORS), years, today, rng,
        )  # fmt: skip
        for number in range(1, options["municipalities"] + 1):
            self._municipality(region, f"{NAME}: район {number}", 5, 5, 3, years, today, rng)
        member = self._user("working_group", home)
        viewer = self._user("regional_viewer", region)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # as autovacuum would soon (rolled back with the data)
        pairs = dashboards.pairs_for([roadmap.pk])
        self.stdout.write(
            f"{NAME}: школ {len(schools)}, мероприятий "
            f"{Measure.objects.filter(roadmap=roadmap).count()}, контрольных пар {pairs.count()} "
            f"(отчётов {Report.objects.filter(occurrence__measure__roadmap=roadmap).count()}), "
            f"показателей {Indicator.objects.filter(municipality=home).count()}, значений "
            f"{IndicatorValue.objects.filter(municipality=home).count()}; муниципалитетов в "
            f"регионе {options['municipalities'] + 1}; данные за "
            f"{time.perf_counter() - started:.1f} с; прогонов {options['runs']}"
        )
        runs = options["runs"]
        tune_gc()  # as gunicorn runs the pages (roadmap_portal/wsgi.py)
        # the count a Celery task makes ahead of the page (after changes, and each night)
        first_count = timed(lambda: counting.count_progress(home, today), 1, 0)[0]
        touched = Report.objects.filter(occurrence__measure__roadmap=roadmap).first()

        shifts = iter([1, -1] * runs)

        def recount() -> None:  # after one report's date moved, as the task runs after a review
            Report.objects.filter(pk=touched.pk).update(
                due_on=F("due_on") + timedelta(days=next(shifts))
            )
            counting.count_progress(home, today)

        count_runs = timed(recount, max(runs // 5, 3), 0)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE monitoring_progresscell")
        cells = ProgressCell.objects.filter(municipality=home).count()
        self.stdout.write(
            f"подсчёт выполнения заранее (задача Celery, вне запроса): клеток {cells}, первый "
            f"{first_count:.0f} мс; пересчёт после изменения отчёта p50 "
            f"{statistics.median(count_runs):.0f} мс, max {max(count_runs):.0f} мс"
        )
        client = Client(HTTP_HOST=self._host())
        secure = settings.SECURE_SSL_REDIRECT
        board_url = reverse("monitoring:dashboard", args=[home.pk])
        grid_url = reverse("monitoring:dashboard_export", args=[home.pk, "grid"])
        region_url = reverse("monitoring:region_dashboard", args=[region.pk])
        roadmaps = [roadmap]
        one = schools[len(schools) // 2].pk  # a school in the middle of the list
        cases = [
            ("municipality", member, board_url, {}, self._aggregates(home, roadmaps, {}, today)),
            ("municipality, school", member, board_url, {"school": one},
             self._aggregates(home, roadmaps, {"school": one}, today)),
            ("municipality, stage", member, board_url, {"stage": "final"},
             self._aggregates(home, roadmaps, {"stage": "final"}, today)),
            ("grid.xlsx", member, grid_url, {},
             self._aggregates(home, roadmaps, {}, today, grid_export=True)),
            ("region", viewer, region_url, {}, self._region_aggregates(region, today)),
        ]  # fmt: skip
        self.stdout.write(
            f"{'case':<22} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'queries':>7}   "
            f"{'aggr p50':>8} {'aggr p95':>8} {'ratio':>6}  target"
        )
        results = []
        for label, user, url, params, aggregates in cases:
            client.force_login(user)

            def get(url: str = url, params: dict[str, Any] = params) -> None:
                response = client.get(url, params, secure=secure)
                if response.status_code != 200:
                    raise RuntimeError(f"{url} {params}: {response.status_code}")

            page = timed(get, runs)
            spent = self._queries(get)
            if options["profile"]:
                for ms, sql in sorted(spent, reverse=True)[:5]:
                    self.stdout.write(f"    {ms:8.1f} ms  {' '.join(sql.split())[:300]}")
            alone = timed(aggregates, runs)
            p95, alone_p95 = percentile(page, 0.95), percentile(alone, 0.95)
            ratio = p95 / alone_p95 if alone_p95 else 0.0
            ok = p95 <= P95_TARGET_MS and ratio <= RATIO_TARGET
            row = {
                "case": label,
                "p50_ms": round(statistics.median(page), 1),
                "p95_ms": round(p95, 1),
                "max_ms": round(max(page), 1),
                "queries": len(spent),
                "aggregates_p50_ms": round(statistics.median(alone), 1),
                "aggregates_p95_ms": round(alone_p95, 1),
                "ratio": round(ratio, 2),
                "ok": ok,
            }
            results.append(row)
            self.stdout.write(
                f"{label:<22} {row['p50_ms']:>7.1f} {row['p95_ms']:>7.1f} {row['max_ms']:>7.1f} "
                f"{row['queries']:>7}   {row['aggregates_p50_ms']:>8.1f} "
                f"{row['aggregates_p95_ms']:>8.1f} {ratio:>5.1f}×  "
                f"{'ok' if ok else 'SLOWER'}"
            )
        worst = max(r["p95_ms"] for r in results)
        self.stdout.write(
            f"worst p95 {worst:.1f} ms (target ≤ {P95_TARGET_MS:.0f} ms, and ≤ "
            f"{RATIO_TARGET:.0f}× the aggregates: "
            f"{'ok' if all(r['ok'] for r in results) else 'SLOWER'})"
        )
        if options["json"]:
            counted = {"cells": cells, "first_ms": round(first_count, 1),
                       "recount_p50_ms": round(statistics.median(count_runs), 1),
                       "recount_max_ms": round(max(count_runs), 1)}  # fmt: skip
            self.stdout.write(json.dumps({"cases": results, "count": counted}, ensure_ascii=False))

    def _queries(self, get: Callable[[], None]) -> list[tuple[float, str]]:
        """Each query of one request: (milliseconds, SQL)."""
        spent: list[tuple[float, str]] = []

        def wrapper(execute, sql, params, many, context):
            start = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                spent.append(((time.perf_counter() - start) * 1000, sql))

        with connection.execute_wrapper(wrapper):
            get()
        return spent

    def _host(self) -> str:
        hosts = [h for h in settings.ALLOWED_HOSTS if h and "*" not in h and not h.startswith(".")]
        return hosts[0] if hosts else "localhost"

    def _aggregates(
        self,
        municipality: Municipality,
        roadmaps: list[Roadmap],
        filters: dict[str, Any],
        on: date,
        grid_export: bool = False,
    ) -> Callable[[], None]:
        """The queries the municipal dashboard is built on, alone, with its arguments: what
        the page costs beyond them is the Python around them and the template."""

        def run() -> None:
            schools_qs = dashboards._schools(municipality, filters, None)
            schools = list(schools_qs.values_list("pk", flat=True))
            counting.usable_count(municipality, roadmaps, on)
            cells = counting.cells_of(
                municipality, roadmaps, schools_qs if filters.get("school") else None
            )
            by_school = counting.sums_by(cells, "school")
            counting.sums_by(cells, "roadmap", "section")
            measures = dashboards.roadmap_measures(roadmaps)
            if grid_export:
                list(counting.place_cells(cells))
                return
            shown = [pk for pk in schools if pk in by_school][: dashboards.GRID_SCHOOLS_PER_PAGE]
            list(counting.place_cells(cells.filter(school__in=shown)))
            overdue = list(counting.overdue_places(cells)[: dashboards.OVERDUE_ON_PAGE])
            list(Section.objects.filter(roadmap__in=[r.pk for r in roadmaps]))
            reports = [row["overdue_report"] or row["any_report"] for row in overdue]
            list(Report.objects.filter(pk__in=[pk for pk in reports if pk]))
            del measures
            school_ids = schools if filters.get("school") else None
            stage_points([municipality.pk], school_ids=school_ids)
            if not filters.get("school"):
                decile_gaps([municipality.pk])
            designation_flow([municipality.pk])

        return run

    def _region_aggregates(self, region: Region, on: date) -> Callable[[], None]:
        def run() -> None:
            keys = list(Municipality.objects.filter(region=region).values_list("pk", flat=True))
            roadmaps = list(approved_roadmaps(keys).values_list("pk", flat=True))
            roadmap_progress(roadmaps, on)
            stage_points(keys)
            designation_flow(keys, [SchoolDesignation.Kind.LOW_RESULTS])

        return run

    # --- the data ---------------------------------------------------------------------------

    def _user(self, role: str, target: Municipality | Region) -> User:
        user = User.objects.create_user(
            f"bench-dashboards-{uuid.uuid4().hex[:12]}", first_name=role, email=""
        )
        appoint(user=user, role=role, target=target)
        return user

    def _municipality(
        self,
        region: Region,
        name: str,
        schools_n: int,
        measures_n: int,
        indicators_n: int,
        years: tuple[int, int],
        today: date,
        rng: random.Random,
    ) -> tuple[Municipality, Roadmap, list[School]]:
        first, last = years
        municipality = Municipality.objects.create(region=region, name=name)
        issuer = Organisation.objects.create(
            kind=Organisation.Kind.AUTHORITY,
            name="Управление образования (бенч)",
            municipality=municipality,
        )
        schools = School.objects.bulk_create(
            School(
                municipality=municipality,
                short_name=f"МБОУ СОШ № {n:03d}",
                name=f"Муниципальное бюджетное общеобразовательное учреждение «СОШ № {n}»",
                code=f"{n:05d}",
            )
            for n in range(1, schools_n + 1)
        )
        designations = []
        for index, school in enumerate(schools):
            # most on the list all three years; some leave it, some join it later
            held = [y for y in range(first, last + 1) if rng.random() < 0.8] or [last]
            designations += [
                SchoolDesignation(school=school, kind="low_results", year=y) for y in held
            ]
            if index % 6 == 0:
                designations.append(
                    SchoolDesignation(school=school, kind="unfavourable_context", year=first)
                )
        SchoolDesignation.objects.bulk_create(designations)
        act = LegalAct.objects.create(
            municipality=municipality,
            issuer=issuer,
            number=f"{rng.randint(10, 400)}-од",
            date=date(first, 1, 20),
            title="Об утверждении плана мероприятий («дорожной карты»)",
            status=LegalAct.Status.SIGNED,
            signed_at=timezone.now(),
        )
        roadmap = Roadmap.objects.create(
            municipality=municipality,
            title=(
                "План мероприятий («дорожная карта») по повышению качества образования в школах "
                f"с низкими результатами на {first}–{last} годы"
            ),
            starts_on=date(first, 1, 1),
            ends_on=date(last, 12, 31),
            approved_by=act,  # approved below, once its measures are written
        )
        sections_n = min(SECTIONS, measures_n) or 1
        sections = [
            Section.objects.create(
                roadmap=roadmap, position=n, number=f"{n}.", title=f"Раздел {n}: направление работы"
            )
            for n in range(1, sections_n + 1)
        ]
        per_section = -(-measures_n // sections_n)
        for m in range(measures_n):
            section = sections[m // per_section]
            deadline = DEADLINES[m % len(DEADLINES)].format(y=first + m % 3)
            measure_save(
                measure=Measure(
                    roadmap=roadmap,
                    section=section,
                    position=m + 1,
                    number=f"{section.position}.{m % per_section + 1}",
                    title=f"Мероприятие {m + 1}: методическое сопровождение педагогов школ",
                    owners_text="Руководители ОО" if m % 4 else "Управление образования, ММС",
                    deadline_text=deadline,
                    all_designated_schools=True,
                )
            )
        roadmap.status = Roadmap.Status.APPROVED
        roadmap.save(update_fields=["status"])
        ensure_recorded(roadmap)
        self._reports(roadmap, today, rng)
        self._indicators(municipality, roadmap, schools, indicators_n, years, today, rng)
        return municipality, roadmap, schools

    def _reports(self, roadmap: Roadmap, today: date, rng: random.Random) -> None:
        """Reports on a realistic share of the pairs: of the past ones about 55 % accepted on
        time, 15 % late, 6 % returned, 6 % waiting for review, the rest without a report
        (overdue); of those to come a few sent early."""
        pairs = dashboards.pairs_for([roadmap.pk]).values_list("occurrence", "school", "due_on")
        reports = []
        for occurrence, school, due_on in pairs.order_by():
            draw = rng.random()
            if due_on >= today:
                if draw < 0.08:
                    sent = max(today - timedelta(days=rng.randint(1, 20)), due_on - timedelta(60))
                    reports.append(self._report(occurrence, school, due_on, sent, "accepted"))
                continue
            if draw < 0.55:
                sent = due_on - timedelta(days=rng.randint(0, 10))
                reports.append(self._report(occurrence, school, due_on, sent, "accepted"))
            elif draw < 0.70:
                sent = min(due_on + timedelta(days=rng.randint(1, 45)), today)
                reports.append(self._report(occurrence, school, due_on, sent, "accepted"))
            elif draw < 0.76:
                sent = min(due_on + timedelta(days=rng.randint(-5, 10)), today)
                reports.append(self._report(occurrence, school, due_on, sent, "returned"))
            elif draw < 0.82:
                sent = min(due_on + timedelta(days=rng.randint(0, 20)), today)
                reports.append(self._report(occurrence, school, due_on, sent, "submitted"))
        Report.objects.bulk_create(reports, batch_size=2000)

    def _report(self, occurrence: int, school: int, due_on: date, sent: date, status: str):
        at = datetime(sent.year, sent.month, sent.day, 11, tzinfo=MOSCOW)
        reviewed = at + timedelta(days=2) if status in {"accepted", "returned"} else None
        return Report(
            occurrence_id=occurrence, school_id=school, due_on=due_on, status=status,
            outcome=Report.Outcome.DONE if status != "returned" else Report.Outcome.PARTLY,
            done_text="Проведено, протокол приложен", submitted_at=at, first_submitted_at=at,
            reviewed_at=reviewed,
            review_comment="Приложите протокол и список участников" if status == "returned" else "",
        )  # fmt: skip

    def _indicators(
        self,
        municipality: Municipality,
        roadmap: Roadmap,
        schools: list[School],
        count: int,
        years: tuple[int, int],
        today: date,
        rng: random.Random,
    ) -> None:
        """`count` indicators with a target a year, three stages a year whose window has
        begun, and a value of every school (or of the municipality) at each stage."""
        specs = [INDICATORS[i] for i in range(count)]
        if count < len(INDICATORS) and specs and specs[-1][4] == "school":
            specs[-1] = INDICATORS[-1]  # one municipality-level indicator at least
        indicators = Indicator.objects.bulk_create(
            Indicator(
                municipality=municipality, code=code, title=title, unit=unit,
                direction=direction, level=level,
                baseline=Decimal(round((low + high) / 2, 2)), baseline_year=years[0] - 1,
                source="Региональный мониторинг",
            )
            for code, title, unit, direction, level, low, high in specs
        )  # fmt: skip
        for indicator in indicators:
            indicator.roadmaps.add(roadmap)
        IndicatorTarget.objects.bulk_create(
            IndicatorTarget(indicator=indicator, year=year, target=self._target(spec, year, years))
            for indicator, spec in zip(indicators, specs, strict=True)
            for year in range(years[0], years[1] + 1)
        )
        stages = MonitoringStage.objects.bulk_create(
            MonitoringStage(
                municipality=municipality, roadmap=roadmap, kind=kind, year=year,
                starts_on=date(year, start, 1), ends_on=date(year, end, 28),
            )
            for year in range(years[0], years[1] + 1)
            for kind, start, end in STAGES
        )  # fmt: skip
        stages = [s for s in stages if s.starts_on <= today]
        level = {school.pk: rng.random() for school in schools}  # a school's standing
        values = []
        for indicator, (_c, _t, unit, direction, where, low, high) in zip(
            indicators, specs, strict=True
        ):
            for step, stage in enumerate(stages):
                trend = step / max(len(stages) - 1, 1) * 0.15  # slowly better
                for school in schools if where == "school" else [None]:
                    standing = level[school.pk] if school else 0.5
                    share = standing * 0.8 + rng.random() * 0.2
                    share += trend if direction == "higher" else -trend
                    share = min(max(share if direction == "higher" else 1 - share, 0), 1)
                    raw = low + (high - low) * share
                    value = Decimal(round(raw) if unit in {"boolean", "count"} else round(raw, 1))
                    values.append(
                        IndicatorValue(
                            indicator=indicator, municipality=municipality, school=school,
                            stage=stage, value=value, source="Региональный мониторинг",
                            measured_on=stage.starts_on + timedelta(days=10),
                        )
                    )  # fmt: skip
        IndicatorValue.objects.bulk_create(values, batch_size=5000)

    def _target(self, spec: tuple, year: int, years: tuple[int, int]) -> Decimal:
        _c, _t, unit, direction, _l, low, high = spec
        if unit == "boolean":
            return Decimal(1)
        step = (year - years[0] + 1) / 4
        share = 0.5 + step * 0.4 if direction == "higher" else 0.5 - step * 0.4
        return Decimal(round(low + (high - low) * share, 1))
