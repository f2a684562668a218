"""The dashboards: the same numbers as the roadmap page, filters in the URL, tables as XLSX,
who sees which, and query counts that do not grow with the data."""

import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from openpyxl import load_workbook

from measures.models import Measure, Occurrence, Report
from measures.progress import pairs_for, progress_of
from monitoring.models import IndicatorTarget
from monitoring.services import set_value
from schools.models import SchoolDesignation
from tests import factories

pytestmark = pytest.mark.django_db
MOSCOW = ZoneInfo("Europe/Moscow")


def login(client, username: str) -> User:
    user = User.objects.get(username=username)
    client.force_login(user)
    return user


def report(occurrence: Occurrence, school, *, accepted_on: date | None, status="accepted"):
    """A report as the review leaves it: accepted (sent on `accepted_on`), or returned."""
    sent = accepted_on or occurrence.due_on
    submitted = datetime(sent.year, sent.month, sent.day, 12, tzinfo=MOSCOW)
    return Report.objects.create(
        occurrence=occurrence, school=school, status=status, outcome="done",
        done_text="Проведено", submitted_at=submitted, first_submitted_at=submitted,
        reviewed_at=submitted,
        review_comment="Приложите протокол" if status == "returned" else "",
    )  # fmt: skip


def first_date(measure: Measure) -> Occurrence:
    return measure.occurrences.filter(kind="due").order_by("due_on").first()


def report_three(home) -> Report:
    """One report done on time, one late, one returned (overdue): the returned one."""
    one, two = home.schools
    analysis, _meeting, seminar = home.measures
    report(first_date(analysis), one, accepted_on=first_date(analysis).due_on)
    report(first_date(seminar), one, accepted_on=date(2022, 6, 1))
    return report(first_date(analysis), two, accepted_on=None, status="returned")


@pytest.fixture
def reported(tenants):
    """The home roadmap with one report done on time, one late, one returned (overdue)."""
    return tenants.home, report_three(tenants.home)


def test_the_dashboard_shows_the_roadmaps_numbers(client, reported):
    home, returned = reported
    login(client, "rabgruppa")
    page = client.get(reverse("monitoring:dashboard", args=[home.municipality.pk]))
    assert page.status_code == 200
    board = page.context["board"]
    expected = progress_of(pairs_for([home.roadmap.pk]))
    assert board.progress == expected
    assert (expected.on_time, expected.late) == (1, 1)
    # the roadmap page says the same
    roadmap_page = client.get(reverse("measures:roadmap_detail", args=[home.roadmap.pk])).text
    headline = f"выполнено {expected.done} из {expected.total}"
    assert headline in roadmap_page and headline in page.text
    sections = board.tables["sections"].items
    schools = board.tables["schools"].items
    assert sum((i["progress"] for i in sections), type(expected)()) == expected
    assert sum((i["progress"] for i in schools), type(expected)()) == expected
    # the grid: the school with the returned report has a red cell leading to the report
    grid = board.tables["grid"]
    row = next(r for r in grid.grid_rows if r["school"] == home.schools[1])
    cell = row["cells"][0]
    assert (cell["state"], cell["sign"], cell["report"]) == ("overdue", "✗", returned.pk)
    assert reverse("measures:report_detail", args=[returned.pk]) in page.text
    # the overdue list: each measure at each school, with owners, its first overdue date and
    # the days since, and how many of its dates are overdue: all of the progress's overdue
    overdue = board.tables["overdue"].items
    assert board.overdue_total == expected.overdue == sum(i["count"] for i in overdue)
    first = overdue[0]
    assert first["measure"].owners_text == "Отдел образования"
    assert first["days"] == (date.today() - first["due_on"]).days
    assert [i["due_on"] for i in overdue] == sorted(i["due_on"] for i in overdue)
    quarterly = next(i for i in overdue if i["measure"] == home.measures[1])
    assert quarterly["count"] == 4  # «Ежеквартально» in 2022: four dates, all overdue


def test_filters_live_in_the_url_and_a_wrong_one_is_named(client, reported):
    home, _returned = reported
    login(client, "koordinator")
    url = reverse("monitoring:dashboard", args=[home.municipality.pk])
    one = home.schools[0]
    page = client.get(url, {"school": one.pk, "stage": "final", "designation": "low_results"})
    board = page.context["board"]
    assert {i["school"] for i in board.tables["schools"].items} == {one}
    assert board.progress == progress_of(pairs_for([home.roadmap.pk], [one.pk]))
    assert f"school={one.pk}" in page.context["query"]
    # the export keeps the filters
    assert f"sections.xlsx?{page.context['query']}".replace("&", "&amp;") in page.text
    wrong = client.get(url, {"school": "999999", "year": "год"})
    assert wrong.status_code == 200
    assert "Отбор «Школа» не применён: такого значения нет." in wrong.text
    assert "Отбор «Год» не применён" in wrong.text
    assert wrong.context["board"].progress == progress_of(pairs_for([home.roadmap.pk]))


def test_every_table_downloads_as_xlsx_with_the_pages_rows(client, reported):
    home, _returned = reported
    login(client, "rabgruppa")
    for key in ("sections", "schools", "grid", "overdue", "indicators", "designations"):
        url = reverse("monitoring:dashboard_export", args=[home.municipality.pk, key])
        response = client.get(url, {"school": home.schools[1].pk})
        assert response.status_code == 200, key
        assert "attachment" in response["Content-Disposition"]
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = [[c.value for c in row] for row in sheet.iter_rows()]
        board = client.get(
            reverse("monitoring:dashboard", args=[home.municipality.pk]),
            {"school": home.schools[1].pk},
        ).context["board"]
        table = board.tables[key]
        assert rows[0] == [str(h) for h in table.headers], key
        assert len(rows) - 1 == len(table.rows), key
    missing = reverse("monitoring:dashboard_export", args=[home.municipality.pk, "secret"])
    assert client.get(missing).status_code == 404


def test_indicators_against_targets_with_their_trend_and_the_gap(client, tenants):
    home = tenants.home
    municipality = home.municipality
    schools = [*home.schools, *factories.SchoolFactory.create_batch(8, municipality=municipality)]
    indicator = factories.IndicatorFactory(municipality=municipality, title="Доля ВПР")
    IndicatorTarget.objects.create(indicator=indicator, year=2025, target=70)
    entry = factories.MonitoringStageFactory(
        municipality=municipality,
        year=2025,
        kind="entry",
        starts_on=date(2025, 9, 1),
        ends_on=date(2025, 10, 1),
    )
    final = factories.MonitoringStageFactory(
        municipality=municipality,
        year=2025,
        kind="final",
        starts_on=date(2026, 4, 1),
        ends_on=date(2026, 5, 1),
    )
    for number, school in enumerate(schools):
        for stage, base in ((entry, 50), (final, 62)):
            set_value(user=None, indicator=indicator, stage=stage, school=school,
                      value=Decimal(base + number), source="ФИС ОКО",
                      measured_on=stage.starts_on)  # fmt: skip
    login(client, "rabgruppa")
    page = client.get(reverse("monitoring:dashboard", args=[municipality.pk]), {"year": 2025})
    item = page.context["board"].tables["indicators"].items[0]
    assert item["value"] == "66,5\u00a0%"  # the average of 62…71
    assert item["reached"] is False  # 66,5 < 70
    assert item["gap"]["value"] == Decimal("9.00")  # best tenth 71, worst 62
    assert (item["gap"]["text"], item["gap"]["best"]) == ("9\u00a0п.п.", "71\u00a0%")
    assert [label for label, _value in item["trend"].labels] == ["2025 · вход.", "2025 · итог."]
    assert len(item["trend"].points) == 2
    assert '<svg class="trend"' in page.text and "не достигнута" in page.text
    # the table alternative for screen readers carries the same values
    assert "2025 · вход." in page.text and "54,5\u00a0%" in page.text
    # the entry stage only
    page = client.get(
        reverse("monitoring:dashboard", args=[municipality.pk]), {"year": 2025, "stage": "entry"}
    )
    assert page.context["board"].tables["indicators"].items[0]["value"] == "54,5\u00a0%"


def test_designations_per_year_on_the_dashboard(client, tenants):
    home = tenants.home
    SchoolDesignation.objects.create(school=home.schools[0], kind="low_results", year=2023)
    login(client, "koordinator")
    page = client.get(reverse("monitoring:dashboard", args=[home.municipality.pk]))
    items = page.context["board"].tables["designations"].items
    low_2023 = next(i for i in items if i["year"] == 2023 and i["kind"] == "low_results")
    assert (low_2023["flow"].designated, low_2023["flow"].left) == (1, 1)


@pytest.mark.parametrize(
    ("username", "status"),
    [("koordinator", 200), ("rabgruppa", 200), ("nablyudatel", 200), ("admin", 200),
     ("direktor", 403), ("grechkina", 404)],
)  # fmt: skip
def test_who_opens_the_municipal_dashboard(client, tenants, username, status):
    login(client, username)
    url = reverse("monitoring:dashboard", args=[tenants.home.municipality.pk])
    assert client.get(url).status_code == status


@pytest.mark.parametrize(
    ("username", "status"),
    [("nablyudatel", 200), ("admin", 200), ("koordinator", 403), ("rabgruppa", 403),
     ("direktor", 404), ("grechkina", 404)],
)  # fmt: skip
def test_who_opens_the_region_dashboard(client, tenants, username, status):
    login(client, username)
    url = reverse("monitoring:region_dashboard", args=[tenants.home.municipality.region_id])
    assert client.get(url).status_code == status


def test_the_region_ranks_its_municipalities_and_names_who_needs_attention(client, tenants):
    home = tenants.home
    region = home.municipality.region
    second = factories.tenant("Второй район", region=region, coordinator="k2", working_group="w2")
    third = factories.MunicipalityFactory(region=region, name="Район без плана")
    accepted = first_date(second.measures[0])
    report(accepted, second.schools[0], accepted_on=accepted.due_on)
    login(client, "nablyudatel")
    page = client.get(reverse("monitoring:region_dashboard", args=[region.pk]), {"year": 2022})
    items = page.context["board"].tables["municipalities"].items
    names = [i["municipality"].name for i in items]
    assert set(names) == {home.municipality.name, second.municipality.name, third.name}
    without = next(i for i in items if i["municipality"] == third)
    assert "нет утверждённой дорожной карты на 2022 год" in without["reasons"]
    assert without["roadmap"] is None
    by_name = {i["municipality"].name: i for i in items}
    assert by_name["Второй район"]["rank"] == 1  # the only one with anything done
    assert by_name["Второй район"]["progress"] == progress_of(pairs_for([second.roadmap.pk]))
    assert reverse("monitoring:dashboard", args=[second.municipality.pk]) in page.text
    export = client.get(
        reverse("monitoring:region_dashboard_export", args=[region.pk, "municipalities"]),
        {"year": 2022},
    )
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert len(rows) == 4 and rows[0][0] == "Муниципалитет"


def _grow(home, schools: int, measures: int) -> None:
    """More schools designated for the roadmap, more measures with control dates, values."""
    from measures.services import measure_save

    municipality = home.municipality
    extra = factories.SchoolFactory.create_batch(schools, municipality=municipality)
    for school in extra:
        SchoolDesignation.objects.create(school=school, kind="low_results", year=2022)
    home.roadmap.status = "draft"  # measures are added to a draft; approved again below
    home.roadmap.save(update_fields=["status"])
    for number in range(measures):
        measure = factories.MeasureFactory(
            roadmap=home.roadmap, section=home.sections[1], position=100 + number,
            number=f"2.{number + 2}", title=f"Мероприятие {number}", owners_text="Руководители ОО",
            deadline_text="Май 2022г.",
        )  # fmt: skip
        measure_save(measure=measure)
    home.roadmap.status = "approved"
    home.roadmap.save(update_fields=["status"])
    indicator = factories.IndicatorFactory(municipality=municipality)
    stage = factories.MonitoringStageFactory(
        municipality=municipality, year=2022, starts_on=date(2022, 9, 1), ends_on=date(2022, 10, 1)
    )
    for school in [*home.schools, *extra]:
        set_value(user=None, indicator=indicator, stage=stage, school=school, value=Decimal(60),
                  source="", measured_on=stage.starts_on)  # fmt: skip


MUNICIPAL_QUERIES = 23
REGION_QUERIES = 14


@pytest.mark.parametrize(("schools", "measures"), [(0, 0), (12, 6)])
def test_the_municipal_dashboard_query_count_does_not_grow(
    client, tenants, django_assert_num_queries, schools, measures
):
    _grow(tenants.home, schools, measures)
    login(client, "rabgruppa")
    url = reverse("monitoring:dashboard", args=[tenants.home.municipality.pk])
    client.get(url)  # warm up: content types, session
    with django_assert_num_queries(MUNICIPAL_QUERIES):
        page = client.get(url)
    assert len(page.context["board"].tables["grid"].grid_rows) == 2 + schools


@pytest.mark.parametrize("municipalities", [1, 6])
def test_the_region_dashboard_query_count_does_not_grow(
    client, tenants, django_assert_num_queries, municipalities
):
    region = tenants.home.municipality.region
    for number in range(municipalities - 1):
        factories.tenant(f"Район {number}", region=region, coordinator=f"k{number}",
                         working_group=f"w{number}")  # fmt: skip
    login(client, "nablyudatel")
    url = reverse("monitoring:region_dashboard", args=[region.pk])
    client.get(url)
    with django_assert_num_queries(REGION_QUERIES):
        page = client.get(url)
    assert len(page.context["board"].tables["municipalities"].items) == municipalities


def test_the_dashboard_prints_as_a_handout(client, tenants):
    login(client, "rabgruppa")
    page = client.get(
        reverse("monitoring:dashboard", args=[tenants.home.municipality.pk]), {"stage": "final"}
    )
    assert 'class="print-only dashboard-printed"' in page.text
    assert "Этап мониторинга: Итоговый мониторинг" in page.text
    css = Path("static/css/portal.css").read_text(encoding="utf-8")
    assert "@page { size: A4" in css


def test_a_schools_page_shows_its_control_dates_with_the_dashboards_numbers(client, reported):
    home, returned = reported
    two = home.schools[1]
    login(client, "rabgruppa")
    page = client.get(reverse("monitoring:school_values", args=[two.pk]))
    assert page.context["progress"] == progress_of(pairs_for([home.roadmap.pk], [two.pk]))
    board = client.get(reverse("monitoring:dashboard", args=[home.municipality.pk])).context[
        "board"
    ]
    row = next(i for i in board.tables["schools"].items if i["school"] == two)
    assert row["progress"] == page.context["progress"]  # the same number on both pages
    items = page.context["measures"].items
    assert items[0]["state"] == "overdue"  # the overdue first
    assert reverse("measures:report_detail", args=[returned.pk]) in page.text
    export = client.get(reverse("monitoring:school_export", args=[two.pk, "measures"]))
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert len(rows) == len(items) + 1 and rows[0][0] == "№"
    login(client, "direktor")  # the director of the other school: not theirs
    assert client.get(reverse("monitoring:school_values", args=[two.pk])).status_code == 404
