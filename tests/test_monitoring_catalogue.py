"""The catalogue of indicators and the monitoring stages: pages, forms, services, query counts."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from monitoring import services
from monitoring.models import Indicator, IndicatorTarget, IndicatorValue, MonitoringStage
from tests import factories

pytestmark = pytest.mark.django_db


def login(client, username: str) -> None:
    client.force_login(User.objects.get(username=username))


def indicator_post(**changes) -> dict:
    data = {
        "code": "ВПР-1",
        "title": "Доля участников ВПР, подтвердивших отметки",
        "unit": "percent",
        "direction": "higher",
        "level": "school",
        "baseline": "62,5",
        "baseline_year": "2024",
        "method": "Подтвердившие / участники × 100",
        "source": "ФИС ОКО",
        "targets-TOTAL_FORMS": "2",
        "targets-INITIAL_FORMS": "0",
        "targets-MIN_NUM_FORMS": "0",
        "targets-MAX_NUM_FORMS": "30",
        "targets-0-year": "2025",
        "targets-0-target": "70",
        "targets-1-year": "2026",
        "targets-1-target": "75",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def value(indicator, stage, school=None, number="50"):
    return IndicatorValue.objects.create(
        indicator=indicator,
        municipality=indicator.municipality,
        school=school,
        stage=stage,
        value=Decimal(number),
        measured_on=date(2025, 10, 1),
    )


# --- index ------------------------------------------------------------------------------------


def test_index_sends_a_reader_of_one_municipality_to_its_dashboard_or_catalogue(client, tenants):
    key = tenants.home.municipality.pk
    for username, page in [("koordinator", "dashboard"), ("rabgruppa", "dashboard"),
                           ("direktor", "indicator_list")]:  # fmt: skip
        login(client, username)
        response = client.get(reverse("monitoring:index"))
        assert response.url == reverse(f"monitoring:{page}", args=[key])
    login(client, "nablyudatel")  # a region: its dashboard and its municipalities'
    page = client.get(reverse("monitoring:index"))
    region = tenants.home.municipality.region_id
    assert reverse("monitoring:region_dashboard", args=[region]) in page.text
    assert reverse("monitoring:dashboard", args=[key]) in page.text


def test_index_lists_municipalities_with_their_indicator_counts(client, tenants):
    factories.IndicatorFactory.create_batch(3, municipality=tenants.home.municipality)
    login(client, "admin")
    page = client.get(reverse("monitoring:index")).text
    assert factories.HOME in page and factories.OTHER in page
    assert '<td class="num">3</td>' in page


def test_index_refuses_a_user_without_a_role(client, tenants):
    client.force_login(factories.UserFactory())
    response = client.get(reverse("monitoring:index"))
    assert response.status_code == 403
    assert "нет такой роли" in response.text


# --- the catalogue ----------------------------------------------------------------------------


def test_catalogue_shows_the_coordinators_buttons_and_the_directors_link(client, tenants):
    municipality = tenants.home.municipality
    url = reverse("monitoring:indicator_list", args=[municipality.pk])
    login(client, "koordinator")
    page = client.get(url).text
    assert "Добавить показатель" in page and "Загрузить таблицу значений" in page
    assert reverse("monitoring:import_upload", args=[municipality.pk]) in page
    assert "Показатели — это то, чем измеряют" in page  # the empty state explains
    assert "Значения моей школы" not in page
    login(client, "direktor")
    page = client.get(url).text
    assert "Добавить показатель" not in page
    assert reverse("monitoring:my_school_values") in page and "Значения моей школы" in page


def test_catalogue_shows_target_direction_baseline_and_roadmaps(client, tenants):
    municipality = tenants.home.municipality
    indicator = factories.IndicatorFactory(
        municipality=municipality, baseline=Decimal("62.5"), baseline_year=2024,
        direction=Indicator.Direction.LOWER,
    )  # fmt: skip
    indicator.roadmaps.add(tenants.home.roadmap)
    from django.utils import timezone

    year = timezone.localdate().year
    IndicatorTarget.objects.create(indicator=indicator, year=year, target=Decimal("70"))
    IndicatorTarget.objects.create(indicator=indicator, year=year + 1, target=Decimal("80"))
    login(client, "rabgruppa")
    page = client.get(reverse("monitoring:indicator_list", args=[municipality.pk])).text
    assert "↓ меньше — лучше" in page
    assert "62,5\xa0%" in page and "(2024)" in page
    assert "70\xa0%" in page and f"{year + 1}: 80\xa0%" in page
    assert reverse("measures:roadmap_detail", args=[tenants.home.roadmap.pk]) in page


def _catalogue(municipality, roadmap, count: int) -> None:
    for n in range(count):
        indicator = factories.IndicatorFactory(municipality=municipality)
        indicator.roadmaps.add(roadmap)
        for year in (2025, 2026, 2027):
            IndicatorTarget.objects.create(indicator=indicator, year=year, target=Decimal(n))


@pytest.mark.parametrize("count", [2, 12])
def test_catalogue_query_count_does_not_grow(client, tenants, django_assert_num_queries, count):
    _catalogue(tenants.home.municipality, tenants.home.roadmap, count)
    login(client, "koordinator")
    url = reverse("monitoring:indicator_list", args=[tenants.home.municipality.pk])
    client.get(url)  # warm the session and the permission caches
    with django_assert_num_queries(11):
        assert client.get(url).status_code == 200


# --- create and edit --------------------------------------------------------------------------


def test_create_saves_the_indicator_its_links_and_targets(client, tenants):
    municipality = tenants.home.municipality
    measure = tenants.home.measures[0]
    login(client, "koordinator")
    response = client.post(
        reverse("monitoring:indicator_create", args=[municipality.pk]),
        indicator_post(roadmaps=[tenants.home.roadmap.pk], measures=[measure.pk]),
    )
    indicator = Indicator.objects.get(municipality=municipality, code="ВПР-1")
    assert response.url == reverse("monitoring:indicator_detail", args=[indicator.pk])
    assert indicator.baseline == Decimal("62.50") and indicator.baseline_year == 2024
    assert list(indicator.roadmaps.all()) == [tenants.home.roadmap]
    assert list(indicator.measures.all()) == [measure]
    assert list(indicator.targets.values_list("year", "target")) == [
        (2025, Decimal("70.00")),
        (2026, Decimal("75.00")),
    ]


def test_a_percentage_target_over_100_is_refused_and_nothing_saved(client, tenants):
    login(client, "koordinator")
    response = client.post(
        reverse("monitoring:indicator_create", args=[tenants.home.municipality.pk]),
        indicator_post(**{"targets-1-target": "120"}),
    )
    assert response.status_code == 400
    assert "Процент должен быть от 0 до 100, а не 120" in response.text
    assert 'value="Доля участников ВПР' not in response.text  # the title is a textarea
    assert "Доля участников ВПР, подтвердивших отметки" in response.text  # input kept
    assert not Indicator.objects.exists()


def test_a_bad_baseline_and_a_duplicate_year_are_refused(client, tenants):
    login(client, "koordinator")
    response = client.post(
        reverse("monitoring:indicator_create", args=[tenants.home.municipality.pk]),
        indicator_post(baseline="много", **{"targets-1-year": "2025"}),
    )
    assert response.status_code == 400
    assert "«много» — не число." in response.text
    assert "Цель на 2025 год уже указана выше." in response.text
    assert not Indicator.objects.exists()


def test_a_duplicate_code_is_refused_clearly(client, tenants):
    factories.IndicatorFactory(municipality=tenants.home.municipality, code="ВПР-1")
    login(client, "koordinator")
    response = client.post(
        reverse("monitoring:indicator_create", args=[tenants.home.municipality.pk]),
        indicator_post(),
    )
    assert response.status_code == 400
    assert "Показатель с кодом «ВПР-1» в муниципалитете уже есть." in response.text
    assert Indicator.objects.count() == 1


def test_measures_of_another_municipality_are_not_offered(client, tenants):
    login(client, "koordinator")
    page = client.get(
        reverse("monitoring:indicator_create", args=[tenants.home.municipality.pk])
    ).text
    assert f'value="{tenants.home.measures[0].pk}"' in page
    response = client.post(
        reverse("monitoring:indicator_create", args=[tenants.home.municipality.pk]),
        indicator_post(measures=[tenants.other.measures[0].pk]),
    )
    assert response.status_code == 400
    assert not Indicator.objects.exists()


def test_more_rows_adds_empty_target_rows_without_saving(client, tenants):
    login(client, "koordinator")
    response = client.post(
        reverse("monitoring:indicator_create", args=[tenants.home.municipality.pk]),
        indicator_post(more_rows="1"),
    )
    assert response.status_code == 200
    assert 'name="targets-4-year"' in response.text
    assert not Indicator.objects.exists()


def _edit_post(indicator, **changes) -> dict:
    fields = {"code": indicator.code, "version": str(indicator.version)}
    return indicator_post(**({"targets-TOTAL_FORMS": "0"} | fields | changes))


def test_edit_replaces_targets_and_bumps_the_version(client, tenants):
    indicator = factories.IndicatorFactory(municipality=tenants.home.municipality)
    IndicatorTarget.objects.create(indicator=indicator, year=2024, target=Decimal("10"))
    login(client, "koordinator")
    url = reverse("monitoring:indicator_edit", args=[indicator.pk])
    page = client.get(url).text
    assert 'value="2024"' in page
    response = client.post(
        url,
        _edit_post(
            indicator,
            **{"targets-TOTAL_FORMS": "2", "targets-INITIAL_FORMS": "1",
               "targets-0-year": "2024", "targets-0-target": "10", "targets-0-DELETE": "on",
               "targets-1-year": "2027", "targets-1-target": "90,5"},
        ),
    )  # fmt: skip
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.version == 2
    assert list(indicator.targets.values_list("year", "target")) == [(2027, Decimal("90.50"))]


def test_a_stale_edit_says_who_changed_it(client, tenants):
    indicator = factories.IndicatorFactory(municipality=tenants.home.municipality)
    stale = _edit_post(indicator, title="Моё название")
    theirs = Indicator.objects.get(pk=indicator.pk)
    theirs.title = "Чужое название"
    services.indicator_save(
        indicator=theirs, roadmaps=[], measures=[], targets=[], expected_version=1
    )
    login(client, "koordinator")
    response = client.post(reverse("monitoring:indicator_edit", args=[indicator.pk]), stale)
    assert response.status_code == 409
    assert "Показатель изменил(а)" in response.text
    indicator.refresh_from_db()
    assert indicator.title == "Чужое название" and indicator.version == 2


def test_the_unit_and_level_stay_while_values_exist(client, tenants):
    indicator = factories.IndicatorFactory(municipality=tenants.home.municipality)
    stage = factories.MonitoringStageFactory(municipality=indicator.municipality)
    value(indicator, stage, tenants.home.schools[0])
    login(client, "koordinator")
    url = reverse("monitoring:indicator_edit", args=[indicator.pk])
    response = client.post(url, _edit_post(indicator, unit="count", baseline=""))
    assert response.status_code == 400
    assert "Нельзя изменить единицу измерения" in response.text
    response = client.post(url, _edit_post(indicator, level="municipality", baseline=""))
    assert "Нельзя изменить уровень" in response.text
    indicator.refresh_from_db()
    assert (indicator.unit, indicator.level, indicator.version) == ("percent", "school", 1)


# --- the indicator's card and its values ------------------------------------------------------


def test_card_shows_values_with_entry_links_by_role(client, tenants):
    indicator = factories.IndicatorFactory(municipality=tenants.home.municipality)
    entry = factories.MonitoringStageFactory(municipality=indicator.municipality, year=2024)
    final = factories.MonitoringStageFactory(
        municipality=indicator.municipality, year=2024, kind="final",
        starts_on=date(2025, 4, 1), ends_on=date(2025, 5, 31),
    )  # fmt: skip
    own, other = tenants.home.schools[:2]
    value(indicator, entry, own, "85.5")
    value(indicator, final, other, "40")
    url = reverse("monitoring:indicator_detail", args=[indicator.pk])
    enter = reverse("monitoring:value_enter", args=[indicator.pk])
    login(client, "koordinator")
    page = client.get(url).text
    assert "2024 · вход." in page and "2024 · итог." in page
    assert page.index("2024 · вход.") < page.index("2024 · итог.")
    assert "85,5\xa0%" in page and "40\xa0%" in page
    assert f"{enter}?school={other.pk}&amp;stage={entry.pk}" in page
    assert reverse("monitoring:indicator_history", args=[indicator.pk]) in page
    login(client, "direktor")
    page = client.get(url).text
    assert "85,5\xa0%" in page and "40\xa0%" not in page and other.short_name not in page
    assert f"{enter}?school={own.pk}&amp;stage={final.pk}" in page
    login(client, "rabgruppa")
    page = client.get(url).text
    assert "40\xa0%" in page and enter not in page


def test_a_municipality_indicator_has_one_row(client, tenants):
    indicator = factories.IndicatorFactory(
        municipality=tenants.home.municipality, level=Indicator.Level.MUNICIPALITY
    )
    stage = factories.MonitoringStageFactory(municipality=indicator.municipality)
    login(client, "koordinator")
    page = client.get(reverse("monitoring:indicator_detail", args=[indicator.pk])).text
    assert ">Муниципалитет</th>" in page
    assert f"{reverse('monitoring:value_enter', args=[indicator.pk])}?stage={stage.pk}" in page


@pytest.mark.parametrize("schools", [3, 30])
def test_card_query_count_does_not_grow(client, tenants, django_assert_num_queries, schools):
    municipality = tenants.home.municipality
    indicator = factories.IndicatorFactory(municipality=municipality)
    indicator.roadmaps.add(tenants.home.roadmap)
    indicator.measures.add(*tenants.home.measures[:2])
    stages = [
        factories.MonitoringStageFactory(municipality=municipality, year=year)
        for year in (2024, 2025)
    ]
    for _ in range(schools - 2):
        factories.SchoolFactory(municipality=municipality)
    for school in municipality.schools.all():
        for stage in stages:
            value(indicator, stage, school)
    login(client, "koordinator")
    url = reverse("monitoring:indicator_detail", args=[indicator.pk])
    client.get(url)
    with django_assert_num_queries(15):
        assert client.get(url).status_code == 200


# --- delete -----------------------------------------------------------------------------------


def test_delete_asks_with_consequences_then_deletes(client, tenants):
    indicator = factories.IndicatorFactory(municipality=tenants.home.municipality)
    IndicatorTarget.objects.create(indicator=indicator, year=2025, target=Decimal("1"))
    stage = factories.MonitoringStageFactory(municipality=indicator.municipality)
    value(indicator, stage, tenants.home.schools[0])
    login(client, "koordinator")
    url = reverse("monitoring:indicator_delete", args=[indicator.pk])
    page = client.get(url).text
    assert "внесённые значения (1) и цели по годам (1)" in page
    response = client.post(url)
    assert response.url == reverse("monitoring:indicator_list", args=[indicator.municipality_id])
    assert not Indicator.objects.exists() and not IndicatorValue.objects.exists()


# --- stages -----------------------------------------------------------------------------------


def stage_post(**changes) -> dict:
    data = {"kind": "entry", "year": "2025", "starts_on": "01.02.2025", "ends_on": "28.02.2025"}
    data.update(changes)
    return data


def test_stage_added_with_russian_dates(client, tenants):
    municipality = tenants.home.municipality
    login(client, "koordinator")
    url = reverse("monitoring:stage_list", args=[municipality.pk])
    page = client.get(url).text
    assert "входной 1–28 февраля" in page
    response = client.post(url, stage_post(roadmap=tenants.home.roadmap.pk))
    assert response.status_code == 302
    stage = MonitoringStage.objects.get(municipality=municipality)
    assert (stage.starts_on, stage.ends_on, stage.roadmap) == (
        date(2025, 2, 1),
        date(2025, 2, 28),
        tenants.home.roadmap,
    )
    page = client.get(url).text
    assert "2025 год" in page and "01.02.2025 – 28.02.2025" in page


def test_an_empty_window_takes_the_usual_one(client, tenants):
    login(client, "koordinator")
    client.post(
        reverse("monitoring:stage_list", args=[tenants.home.municipality.pk]),
        stage_post(kind="interim", starts_on="", ends_on=""),
    )
    stage = MonitoringStage.objects.get()
    assert (stage.starts_on, stage.ends_on) == (date(2025, 6, 1), date(2025, 6, 20))


def test_a_stage_outside_its_year_or_the_years_is_refused_and_nothing_breaks(client, tenants):
    login(client, "koordinator")
    url = reverse("monitoring:stage_list", args=[tenants.home.municipality.pk])
    for changes in ({"year": "1900", "starts_on": "", "ends_on": ""}, {"year": "32767"},
                    {"starts_on": "01.12.2024"}):  # fmt: skip
        response = client.post(url, stage_post(**changes))
        assert response.status_code == 400, changes
    assert "должно начинаться в 2025 году" in response.text
    assert not MonitoringStage.objects.exists()


def test_a_stage_with_values_keeps_its_kind_and_year(client, tenants):
    from monitoring.services import set_value

    municipality = tenants.home.municipality
    stage = factories.MonitoringStageFactory(
        municipality=municipality, year=2025, starts_on=date(2025, 2, 1), ends_on=date(2025, 2, 28)
    )
    indicator = factories.IndicatorFactory(municipality=municipality)
    set_value(user=None, indicator=indicator, stage=stage, school=tenants.home.schools[0],
              value=Decimal(70), source="", measured_on=date(2025, 2, 10))  # fmt: skip
    login(client, "koordinator")
    url = reverse("monitoring:stage_edit", args=[stage.pk])
    response = client.post(
        url, stage_post(year="2026", starts_on="01.02.2026", ends_on="28.02.2026")
    )
    assert response.status_code == 400
    assert "менять его вид и год нельзя" in response.text
    stage.refresh_from_db()
    assert stage.year == 2025
    response = client.post(url, stage_post(ends_on="27.02.2025"))  # the window may change
    assert response.status_code == 302


def test_stage_duplicates_and_reversed_windows_are_refused(client, tenants):
    municipality = tenants.home.municipality
    factories.MonitoringStageFactory(municipality=municipality, year=2025)
    login(client, "koordinator")
    url = reverse("monitoring:stage_list", args=[municipality.pk])
    response = client.post(url, stage_post())
    assert response.status_code == 400
    assert "Входной мониторинг за 2025 год уже есть" in response.text
    response = client.post(url, stage_post(kind="final", starts_on="31.05.2026",
                                           ends_on="01.04.2026"))  # fmt: skip
    assert response.status_code == 400
    assert "Окончание окна раньше его начала." in response.text
    assert MonitoringStage.objects.count() == 1


def test_stage_list_is_read_only_for_readers(client, tenants):
    factories.MonitoringStageFactory(municipality=tenants.home.municipality)
    login(client, "rabgruppa")
    url = reverse("monitoring:stage_list", args=[tenants.home.municipality.pk])
    page = client.get(url).text
    assert "Входной мониторинг" in page and "Добавить этап" not in page
    assert client.post(url, stage_post(year="2030")).status_code == 403


def test_stage_edit(client, tenants):
    stage = factories.MonitoringStageFactory(municipality=tenants.home.municipality)
    login(client, "koordinator")
    url = reverse("monitoring:stage_edit", args=[stage.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, stage_post(year="2025", ends_on="20.10.2025"))
    assert response.status_code == 302
    stage.refresh_from_db()
    assert stage.ends_on == date(2025, 10, 20)


def test_a_stage_with_values_is_not_deleted(client, tenants):
    indicator = factories.IndicatorFactory(municipality=tenants.home.municipality)
    stage = factories.MonitoringStageFactory(municipality=indicator.municipality)
    value(indicator, stage, tenants.home.schools[0])
    login(client, "koordinator")
    response = client.post(reverse("monitoring:stage_delete", args=[stage.pk]), follow=True)
    assert "нельзя удалить: к нему относятся значения показателей (1)" in response.text
    assert MonitoringStage.objects.filter(pk=stage.pk).exists()
    IndicatorValue.objects.all().delete()
    client.post(reverse("monitoring:stage_delete", args=[stage.pk]))
    assert not MonitoringStage.objects.exists()
