"""Progress counted ahead of the municipal dashboard: the cells say what the pairs view says,
every change the pairs are made of makes the count stale, a stale count is shown with its time
and recounted, a count of another day is never shown, and a real worker recounts."""

import time
from datetime import date, timedelta

import psycopg2
import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from measures.models import Measure, Occurrence, Report, Roadmap
from measures.progress import grouped_progress, pairs_for, progress_by
from monitoring import counting
from monitoring.models import ProgressCell, ProgressChange, ProgressCount
from schools.models import School, SchoolDesignation
from tests import factories
from tests.test_monitoring_dashboards import first_date, report, report_three

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def every_state(tenants):
    """Reports on time, late, returned, and one waiting for review."""
    home = tenants.home
    report_three(home)
    report(first_date(home.measures[1]), home.schools[1], accepted_on=None, status="submitted")
    return home


def _cells(municipality):
    return counting.cells_of(municipality, Roadmap.objects.filter(municipality=municipality))


def test_the_cells_say_what_the_pairs_view_says(every_state):
    home = every_state
    pairs = pairs_for([home.roadmap.pk])
    # counted on another day, the same pairs are in other states: the count is of its day
    early = counting.count_progress(home.municipality, date(2022, 1, 1))
    assert early.counted_on == date(2022, 1, 1)
    assert counting.sums_by(_cells(home.municipality), "school") == progress_by(
        pairs, "school", date(2022, 1, 1)
    )
    on = TODAY()
    count = counting.count_progress(home.municipality, on)
    assert count.counted_on == on and count.roadmaps == [home.roadmap.pk]
    assert count.generation == counting.current_generation()
    pairs = pairs_for([home.roadmap.pk])
    cells = _cells(home.municipality)
    assert counting.sums_by(cells, "school") == progress_by(pairs, "school", on)
    assert counting.sums_by(cells, "measure") == progress_by(pairs, "measure", on)
    by_section = {
        (row["roadmap"], row["section"]): progress
        for row, progress in grouped_progress(pairs, ("roadmap", "section"), on)
    }
    assert counting.sums_by(cells, "roadmap", "section") == by_section
    # a cell per measure, school and year of its dates, with the first overdue date
    places = {(r["measure"], r["school"]): r for r in counting.place_cells(cells)}
    analysis = home.measures[0]
    two = home.schools[1]
    overdue = pairs.filter(measure=analysis, school=two, due_on__lt=on).exclude(
        report_status="accepted"
    )
    assert places[(analysis.pk, two.pk)]["first_overdue"] == min(p.due_on for p in overdue)
    assert cells.filter(year=2022).exists()
    # a count of an earlier day never replaces it (a task started before midnight)
    assert counting.count_progress(home.municipality, date(2022, 1, 1)).counted_on == on


def test_a_recount_rewrites_only_the_cells_that_changed(every_state):
    home = every_state
    counting.count_progress(home.municipality)
    before = dict(_cells(home.municipality).values_list("pk", "measure"))
    returned = Report.objects.get(status="returned")
    returned.status = "accepted"
    returned.save()
    counting.count_progress(home.municipality)
    after = dict(_cells(home.municipality).values_list("pk", "measure"))
    assert len(after) == len(before)
    replaced = set(before) - set(after)
    assert len(replaced) == 1 and before[replaced.pop()] == returned.occurrence.measure_id
    cell = ProgressCell.objects.get(
        municipality=home.municipality,
        measure=returned.occurrence.measure,
        school=returned.school,
        year=returned.occurrence.due_on.year,
    )
    assert cell.pk not in before and cell.on_time + cell.late >= 1


def _changes(home, other):
    """One write to each table the pairs are made of, the bulk ways included."""
    measure = home.measures[0]
    school = home.schools[0]
    occurrence = first_date(measure)
    return {
        "report": lambda: report(occurrence, school, accepted_on=occurrence.due_on),
        "report, bulk": lambda: Report.objects.bulk_create(
            [Report(occurrence=occurrence, school=school, status="draft", due_on=occurrence.due_on)]
        ),
        "occurrence": lambda: Occurrence.objects.filter(pk=occurrence.pk).update(
            due_on=occurrence.due_on + timedelta(days=1)
        ),
        "measure": lambda: Measure.objects.filter(pk=measure.pk).update(
            all_designated_schools=False
        ),
        "measure's schools": lambda: measure.schools.add(school),
        "roadmap": lambda: Roadmap.objects.filter(pk=home.roadmap.pk).update(
            ends_on=home.roadmap.ends_on + timedelta(days=1)
        ),
        "designation": lambda: SchoolDesignation.objects.create(
            school=school, kind="risk_zone", year=2022
        ),
        "school moved away": lambda: School.objects.filter(pk=school.pk).update(
            municipality=other.municipality, short_name="Переехавшая школа"
        ),
        "measure deleted": lambda: Measure.objects.filter(pk=measure.pk).delete(),
    }


@pytest.mark.parametrize(
    "change",
    ["report", "report, bulk", "occurrence", "measure", "measure's schools", "roadmap",
     "designation", "school moved away", "measure deleted"],
)  # fmt: skip
def test_every_change_the_pairs_are_made_of_makes_the_count_stale(tenants, change):
    home = tenants.home
    count = counting.count_progress(home.municipality)
    assert counting.usable_count(home.municipality, [home.roadmap], TODAY()) == (count, False)
    _changes(home, tenants.other)[change]()
    shown, stale = counting.usable_count(home.municipality, [home.roadmap], TODAY())
    assert stale and shown.pk == count.pk
    assert cache.get(counting._recount_key(home.municipality.pk)) == 1  # a recount is queued


def test_what_the_pairs_do_not_read_and_other_municipalities_leave_the_count_fresh(tenants):
    home, other = tenants.home, tenants.other
    returned = report_three(home)
    counting.count_progress(home.municipality)
    User.objects.create_user("someone")
    factories.IndicatorFactory(municipality=home.municipality)
    Report.objects.filter(pk=returned.pk).update(done_text="Уточнено")  # not read by the pairs
    School.objects.filter(pk=home.schools[0].pk).update(short_name="СОШ № 1 (новое имя)")
    Measure.objects.filter(pk=home.measures[0].pk).update(title="Новое название")
    Report.objects.filter(pk=-1).update(status="accepted")  # no row
    report(first_date(other.measures[0]), other.schools[0], accepted_on=date(2022, 1, 10))
    assert counting.usable_count(home.municipality, [home.roadmap], TODAY())[1] is False


def test_a_municipality_without_an_approved_roadmap_shows_its_indicators(client, tenants):
    home = tenants.home
    Roadmap.objects.filter(pk=home.roadmap.pk).update(status="draft")
    client.force_login(User.objects.get(username="rabgruppa"))
    page = client.get(reverse("monitoring:dashboard", args=[home.municipality.pk]))
    assert page.status_code == 200
    assert "нет утверждённой дорожной карты" in page.text
    assert not ProgressCount.objects.filter(municipality=home.municipality).exists()
    counting.count_progress(home.municipality)  # beat's count: no cells, no error
    assert not ProgressCell.objects.filter(municipality=home.municipality).exists()


def test_without_redis_the_page_shows_its_count(client, tenants, settings):
    home = tenants.home
    counting.count_progress(home.municipality)
    report(first_date(home.measures[0]), home.schools[0], accepted_on=date(2022, 1, 10))
    settings.CACHES = {
        "default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:1/0"}
    }
    client.force_login(User.objects.get(username="rabgruppa"))
    page = client.get(reverse("monitoring:dashboard", args=[home.municipality.pk]))
    assert page.status_code == 200 and page.context["board"].stale


def test_a_count_of_another_day_or_without_the_roadmap_is_counted_again(tenants):
    home = tenants.home
    count = counting.count_progress(home.municipality, TODAY() - timedelta(days=1))
    shown, stale = counting.usable_count(home.municipality, [home.roadmap], TODAY())
    assert (shown.counted_on, stale) == (TODAY(), False)
    ProgressCount.objects.filter(pk=count.pk).update(roadmaps=[])
    shown, stale = counting.usable_count(home.municipality, [home.roadmap], TODAY())
    assert shown.roadmaps == [home.roadmap.pk] and not stale


def test_the_page_says_how_fresh_its_figures_are(client, tenants):
    home = tenants.home
    client.force_login(User.objects.get(username="rabgruppa"))
    url = reverse("monitoring:dashboard", args=[home.municipality.pk])
    page = client.get(url)  # no count yet: counted now
    count = ProgressCount.objects.get(municipality=home.municipality)
    at = timezone.localtime(count.counted_at)
    assert f"Данные на {at:%d.%m.%Y, %H:%M}" in page.text
    assert not page.context["board"].stale
    report(first_date(home.measures[0]), home.schools[0], accepted_on=date(2022, 1, 10))
    page = client.get(url)
    assert page.context["board"].stale
    assert f"Выполнение посчитано {at:%d.%m.%Y в %H:%M}" in page.text
    assert "пересчёт уже идёт" in page.text
    counting.recount(home.municipality.pk)
    page = client.get(url)
    assert not page.context["board"].stale and "Данные на" in page.text


def test_stale_counts_are_queued_once(tenants):
    home, other = tenants.home, tenants.other
    counting.count_progress(home.municipality)
    counting.count_progress(other.municipality, TODAY() - timedelta(days=1))
    assert counting.queue_stale() == [other.municipality.pk]  # of another day
    report(first_date(home.measures[0]), home.schools[0], accepted_on=date(2022, 1, 10))
    assert set(counting.queue_stale()) == {home.municipality.pk, other.municipality.pk}
    assert cache.get(counting._recount_key(home.municipality.pk)) == 1
    # changes every count includes are forgotten
    counting.count_progress(home.municipality)
    counting.count_progress(other.municipality)
    assert ProgressChange.objects.exists()
    assert counting.queue_stale() == []
    assert not ProgressChange.objects.exists()


def _other_connection():
    """A second connection to the test database, as Django makes its own (embedded or not)."""
    return psycopg2.connect(**connection.get_connection_params())


@pytest.mark.django_db(transaction=True)
def test_a_change_in_flight_is_waited_for_and_never_missed(tenants):
    """A writer between its statement and its commit holds the generation's lock: a count
    made meanwhile records no generation (it is stale), and one after its commit sees it."""
    home = tenants.home
    writer = _other_connection()
    try:
        cursor = writer.cursor()
        cursor.execute("UPDATE measures_report SET status = status WHERE id = -1")  # in flight
        assert counting.settled_generation(timeout=0.2) is None
        count = counting.count_progress(home.municipality)
        assert count.generation == counting.UNSETTLED
        assert counting.usable_count(home.municipality, [home.roadmap], TODAY())[1] is True
        writer.commit()
        assert counting.settled_generation(timeout=0.2) == counting.current_generation()
    finally:
        writer.close()


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_recounts_a_stale_municipality(tenants, celery_worker_process):
    home = tenants.home
    count = counting.count_progress(home.municipality)
    report(first_date(home.measures[0]), home.schools[0], accepted_on=date(2022, 1, 10))
    assert home.municipality.pk in counting.queue_stale()  # queued at once: no transaction
    deadline = time.monotonic() + 60  # a bound on waiting for the worker, not a timing test
    while time.monotonic() < deadline:
        count.refresh_from_db()
        if count.generation == counting.current_generation():
            break
        time.sleep(0.2)
    assert count.generation == counting.current_generation(), "".join(celery_worker_process.log)
    assert counting.sums_by(_cells(home.municipality), "school") == progress_by(
        pairs_for([home.roadmap.pk]), "school", TODAY()
    )


def test_beat_recounts_what_is_stale_every_ten_minutes(settings):
    from monitoring import tasks

    entry = settings.CELERY_BEAT_SCHEDULE["recount-stale-progress"]
    assert entry["task"] == tasks.recount_stale_progress.name
    assert str(entry["schedule"]._orig_minute) == "*/10"
