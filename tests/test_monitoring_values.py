"""Values entered one by one, a school's values beside the municipality's average, and the
history of an indicator and of its values."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from monitoring.models import Indicator, IndicatorTarget, IndicatorValue, MonitoringStage
from monitoring.services import set_value
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def stages(municipality, years=(TODAY.year - 1, TODAY.year)) -> list[MonitoringStage]:
    """An entry stage of each year whose window holds today's day of the year, and a final
    stage of last year (ended)."""
    made = []
    for year in years:
        day = date(year, TODAY.month, min(TODAY.day, 28))
        made.append(
            MonitoringStage.objects.create(
                municipality=municipality,
                kind="entry",
                year=year,
                starts_on=day - timedelta(days=5),
                ends_on=day + timedelta(days=5),
            )
        )
    return made


@pytest.fixture
def home(tenants):
    municipality = tenants.home.municipality
    vpr = factories.IndicatorFactory(municipality=municipality, code="vpr", title="Доля ВПР")
    municipal = factories.IndicatorFactory(
        municipality=municipality,
        code="gap",
        title="Разрыв ГИА",
        level=Indicator.Level.MUNICIPALITY,
        unit=Indicator.Unit.PERCENTAGE_POINTS,
        direction=Indicator.Direction.LOWER,
    )
    old, current = stages(municipality)
    IndicatorTarget.objects.create(indicator=vpr, year=TODAY.year, target=70)
    return {
        "municipality": municipality,
        "vpr": vpr,
        "municipal": municipal,
        "old": old,
        "current": current,
        "own": tenants.home.schools[0],
        "other": tenants.home.schools[1],
        "director": tenants.home.director,
        "coordinator": tenants.home.coordinator,
    }


def enter_url(indicator, school=None, stage=None) -> str:
    query = []
    if school is not None:
        query.append(f"school={school.pk}")
    if stage is not None:
        query.append(f"stage={stage.pk}")
    return reverse("monitoring:value_enter", args=[indicator.pk]) + (
        "?" + "&".join(query) if query else ""
    )


def post_data(stage, value="72,5", version=0, **extra) -> dict:
    return {
        "stage": stage.pk,
        "opened_stage": stage.pk,
        "value": value,
        "source": "ФИС ОКО, ВПР-2025",
        "measured_on": TODAY.strftime("%d.%m.%Y"),
        "version": version,
        **extra,
    }


def login(client, user):
    client.force_login(user)
    return client


# --- entering a value --------------------------------------------------------------------------


def test_the_form_shows_the_indicator_what_is_accepted_and_the_current_stage(client, home):
    login(client, home["director"])
    response = client.get(enter_url(home["vpr"], home["own"]))
    assert response.status_code == 200
    page = response.text
    assert "Доля ВПР" in page and "от 0 до 100" in page and "МКОУ СОШ № 1" in page
    # the stage whose window holds today is chosen
    assert response.context["form"]["stage"].value() == home["current"].pk
    assert TODAY.strftime("%d.%m.%Y") in page
    assert "ещё не внесено" in page


def test_a_director_enters_a_value_with_a_comma(client, home):
    login(client, home["director"])
    response = client.post(enter_url(home["vpr"], home["own"]), post_data(home["current"]))
    assert response.status_code == 302
    assert response["Location"] == reverse("monitoring:my_school_values") + (
        f"?school={home['own'].pk}"
    )
    row = IndicatorValue.objects.get()
    assert (row.value, row.school, row.stage, row.updated_by) == (
        Decimal("72.50"),
        home["own"],
        home["current"],
        home["director"],
    )
    assert row.source == "ФИС ОКО, ВПР-2025"
    page = client.get(response["Location"]).text
    assert "Значение сохранено: 72,5" in page
    assert "72,5\u00a0%" in page


def test_a_percent_over_100_is_refused_in_russian_and_nothing_is_saved(client, home):
    login(client, home["director"])
    response = client.post(
        enter_url(home["vpr"], home["own"]), post_data(home["current"], value="120")
    )
    assert response.status_code == 400
    assert "Процент должен быть от 0 до 100, а не 120" in response.text
    assert 'value="120"' in response.text  # the input is kept
    assert not IndicatorValue.objects.exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [("", "Укажите значение"), ("много", "не число"), ("85,5,1", "не число")],
)
def test_bad_values_are_refused(client, home, value, message):
    login(client, home["coordinator"])
    response = client.post(
        enter_url(home["vpr"], home["own"]), post_data(home["current"], value=value)
    )
    assert response.status_code == 400
    assert message in response.text
    assert not IndicatorValue.objects.exists()


def test_a_bad_date_is_refused(client, home):
    login(client, home["coordinator"])
    data = post_data(home["current"], measured_on="31.02.2025")
    response = client.post(enter_url(home["vpr"], home["own"]), data)
    assert response.status_code == 400
    assert "дд.мм.гггг" in response.text


def test_a_boolean_indicator_takes_yes_and_no(client, home):
    programme = factories.IndicatorFactory(
        municipality=home["municipality"], unit=Indicator.Unit.BOOLEAN, title="Программа"
    )
    login(client, home["director"])
    page = client.get(enter_url(programme, home["own"])).text
    assert "«да» или «нет»" in page
    response = client.post(enter_url(programme, home["own"]), post_data(home["current"], "да"))
    assert response.status_code == 302
    assert IndicatorValue.objects.get().value == 1
    response = client.post(enter_url(programme, home["own"]), post_data(home["current"], "может"))
    assert response.status_code == 400
    assert "укажите «да» или «нет»" in response.text


def test_the_place_is_checked_not_a_500(client, home):
    login(client, home["coordinator"])
    response = client.get(enter_url(home["municipal"], home["own"]))
    assert response.status_code == 400
    assert "значение вносится без школы" in response.text
    response = client.get(enter_url(home["vpr"]))
    assert response.status_code == 400
    assert "выберите школу" in response.text
    assert client.get(enter_url(home["vpr"]) + "?school=abc").status_code == 400
    foreign = factories.SchoolFactory()
    assert client.get(enter_url(home["vpr"], foreign)).status_code == 404


def test_who_may_enter(client, home, tenants):
    login(client, home["director"])
    assert client.get(enter_url(home["vpr"], home["other"])).status_code == 403
    assert client.get(enter_url(home["municipal"])).status_code == 403
    for username in ("rabgruppa", "nablyudatel"):
        login(client, User.objects.get(username=username))
        assert client.get(enter_url(home["vpr"], home["own"])).status_code == 403
    login(client, User.objects.get(username="grechkina"))
    assert client.get(enter_url(home["vpr"], home["own"])).status_code == 404


def test_the_coordinator_enters_a_municipality_value_and_returns_to_the_indicator(client, home):
    login(client, home["coordinator"])
    response = client.post(
        enter_url(home["municipal"]), post_data(home["old"], value="-0,3", version=0)
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "monitoring:indicator_detail", args=[home["municipal"].pk]
    )
    row = IndicatorValue.objects.get()
    assert (row.school, row.value) == (None, Decimal("-0.30"))


def test_next_brings_the_user_back_but_never_off_the_site(client, home):
    login(client, home["coordinator"])
    back = reverse("monitoring:school_values", args=[home["own"].pk])
    response = client.post(
        enter_url(home["vpr"], home["own"]), post_data(home["current"], next=back)
    )
    assert response["Location"] == back
    response = client.post(
        enter_url(home["vpr"], home["own"]),
        post_data(home["current"], value="73", version=1, next="https://evil.example/"),
    )
    assert response["Location"] == reverse("monitoring:indicator_detail", args=[home["vpr"].pk])


def test_an_existing_value_is_shown_and_changed_with_its_version(client, home):
    row = set_value(
        user=home["coordinator"], indicator=home["vpr"], stage=home["current"],
        school=home["own"], value=Decimal("60"), source="ВПР", measured_on=TODAY,
    )  # fmt: skip
    login(client, home["director"])
    response = client.get(enter_url(home["vpr"], home["own"]))
    assert response.context["form"]["value"].value() == "60"
    assert response.context["form"]["version"].value() == 1
    assert "Удалить значение" in response.text
    response = client.post(enter_url(home["vpr"], home["own"]), post_data(home["current"], "65", 1))
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.value, row.version) == (Decimal("65.00"), 2)


def test_a_stale_save_names_who_changed_it_and_keeps_the_input(client, home):
    login(client, home["director"])
    client.post(enter_url(home["vpr"], home["own"]), post_data(home["current"], "60", 0))
    # the coordinator changes it through the form meanwhile
    other = User.objects.get(username="koordinator")
    coordinator_client = client.__class__()
    coordinator_client.force_login(other)
    coordinator_client.post(
        enter_url(home["vpr"], home["own"]), post_data(home["current"], "61", 1)
    )
    response = client.post(enter_url(home["vpr"], home["own"]), post_data(home["current"], "62", 1))
    assert response.status_code == 409
    assert "Муниципальный координатор" in response.text
    assert 'value="62"' in response.text
    assert "61\u00a0%" in response.text
    assert IndicatorValue.objects.get().value == Decimal("61.00")
    # saving again on the version shown is a conscious choice: it goes through
    assert response.context["form"].data["version"] == "2"
    again = client.post(enter_url(home["vpr"], home["own"]), post_data(home["current"], "62", 2))
    assert again.status_code == 302
    assert IndicatorValue.objects.get().value == Decimal("62.00")


def test_choosing_another_stage_does_not_overwrite_its_value_unseen(client, home):
    set_value(
        user=home["coordinator"], indicator=home["vpr"], stage=home["old"],
        school=home["own"], value=Decimal("50"), source="", measured_on=TODAY,
    )  # fmt: skip
    login(client, home["director"])
    # opened on the current stage (no value), then switched to the old one
    data = post_data(home["old"], "55", 0, opened_stage=home["current"].pk)
    response = client.post(enter_url(home["vpr"], home["own"]), data)
    assert response.status_code == 409
    assert IndicatorValue.objects.get().value == Decimal("50.00")


def test_deleting_a_value_with_its_version(client, home):
    row = set_value(
        user=home["coordinator"], indicator=home["vpr"], stage=home["current"],
        school=home["own"], value=Decimal("60"), source="", measured_on=TODAY,
    )  # fmt: skip
    login(client, home["director"])
    url = enter_url(home["vpr"], home["own"])
    stale = {"action": "delete", "stage": home["current"].pk, "version": 7}
    response = client.post(url, stale, follow=True)
    assert "Не удалено" in response.text
    assert IndicatorValue.objects.filter(pk=row.pk).exists()
    response = client.post(url, {**stale, "version": 1})
    assert response.status_code == 302
    assert not IndicatorValue.objects.exists()
    # nor may the working group delete one
    set_value(
        user=None, indicator=home["vpr"], stage=home["current"],
        school=home["own"], value=Decimal("60"), source="", measured_on=TODAY,
    )  # fmt: skip
    login(client, User.objects.get(username="rabgruppa"))
    assert client.post(url, {**stale, "version": 1}).status_code == 403
    assert IndicatorValue.objects.exists()


# --- a school's values -------------------------------------------------------------------------


def fill(home, schools: int) -> None:
    """`schools` more schools of HOME with values at both stages, and more indicators."""
    for n in range(schools):
        school = factories.SchoolFactory(municipality=home["municipality"])
        indicator = factories.IndicatorFactory(municipality=home["municipality"])
        for stage in (home["old"], home["current"]):
            for item in (home["vpr"], indicator):
                for place in (school, home["own"]):
                    set_value(
                        user=None, indicator=item, stage=stage, school=place,
                        value=Decimal(50 + n), source="", measured_on=TODAY,
                    )  # fmt: skip


def test_the_directors_page_shows_values_targets_and_the_average(client, home):
    third = factories.SchoolFactory(municipality=home["municipality"])
    for school, value in ((home["own"], "80"), (home["other"], "60"), (third, "70")):
        set_value(
            user=None, indicator=home["vpr"], stage=home["current"], school=school,
            value=Decimal(value), source="ФИС ОКО", measured_on=TODAY,
        )  # fmt: skip
    login(client, home["director"])
    response = client.get(reverse("monitoring:my_school_values"))
    assert response.status_code == 200
    page = response.text
    assert "Доля ВПР" in page and "Разрыв ГИА" not in page  # school-level indicators only
    assert "80\u00a0%" in page and "ср. 70\u00a0%" in page and "70\u00a0%" in page
    assert "60\u00a0%" not in page  # another school's value is not shown, only the average
    assert "Внести значение" in page
    stages_shown = response.context["stages"]
    assert stages_shown == [home["old"], home["current"]]  # newest last


def test_a_boolean_average_is_a_share_of_schools(client, home):
    programme = factories.IndicatorFactory(
        municipality=home["municipality"], unit=Indicator.Unit.BOOLEAN
    )
    third, fourth = factories.SchoolFactory.create_batch(2, municipality=home["municipality"])
    for school, value in ((home["own"], 1), (home["other"], 0), (third, 1), (fourth, 0)):
        set_value(
            user=None, indicator=programme, stage=home["current"], school=school,
            value=Decimal(value), source="", measured_on=TODAY,
        )  # fmt: skip
    login(client, home["director"])
    page = client.get(reverse("monitoring:my_school_values")).text
    assert "«да» у 50\u00a0% школ" in page


def test_an_average_of_two_schools_is_not_shown_to_a_director(client, home):
    for school, value in ((home["own"], "80"), (home["other"], "60")):
        set_value(
            user=None, indicator=home["vpr"], stage=home["current"], school=school,
            value=Decimal(value), source="", measured_on=TODAY,
        )  # fmt: skip
    login(client, home["director"])
    page = client.get(reverse("monitoring:my_school_values")).text
    assert "80\u00a0%" in page and "ср. 70" not in page  # 70 would give 60 away


def test_others_are_sent_to_the_index_or_refused(client, home):
    login(client, home["coordinator"])
    response = client.get(reverse("monitoring:my_school_values"))
    assert response.status_code == 302
    assert response["Location"] == reverse("monitoring:index")
    login(client, factories.UserFactory())
    assert client.get(reverse("monitoring:my_school_values")).status_code == 403


def test_a_school_page_for_its_readers_only(client, home):
    url = reverse("monitoring:school_values", args=[home["other"].pk])
    login(client, home["director"])
    assert client.get(url).status_code == 404
    for username in ("koordinator", "rabgruppa", "nablyudatel", "admin"):
        login(client, User.objects.get(username=username))
        response = client.get(url)
        assert response.status_code == 200
        assert ("Внести значение" in response.text) == (username in {"koordinator", "admin"})
    login(client, User.objects.get(username="grechkina"))
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("size", [1, 6])
def test_school_pages_query_count_is_flat(client, home, django_assert_num_queries, size):
    fill(home, size)
    login(client, home["director"])
    # the session and user, the school, indicators with this year's target, the stages, the
    # school's values, the averages, the right to enter; the roadmaps, the school's control
    # dates; the session's save
    with django_assert_num_queries(13):
        assert client.get(reverse("monitoring:my_school_values")).status_code == 200
    login(client, home["coordinator"])
    with django_assert_num_queries(15):
        url = reverse("monitoring:school_values", args=[home["own"].pk])
        assert client.get(url).status_code == 200


# --- the history -------------------------------------------------------------------------------


def test_the_history_tells_who_changed_what(client, home):
    login(client, home["director"])
    client.post(enter_url(home["vpr"], home["own"]), post_data(home["current"], "60", 0))
    client.post(enter_url(home["vpr"], home["own"]), post_data(home["current"], "65,5", 1))
    login(client, home["coordinator"])
    client.post(enter_url(home["vpr"], home["other"]), post_data(home["current"], "40", 0))
    page = client.get(reverse("monitoring:indicator_history", args=[home["vpr"].pk])).text
    assert "Директор школы" in page and "Муниципальный координатор" in page
    assert "60\u00a0%" in page and "65,5\u00a0%" in page and "МКОУ СОШ № 2" in page
    assert "Цель на" in page  # the target's creation
    # a director sees only their own school's values
    login(client, home["director"])
    page = client.get(reverse("monitoring:indicator_history", args=[home["vpr"].pk])).text
    assert "65,5\u00a0%" in page and "МКОУ СОШ № 2" not in page and "40\u00a0%" not in page


@pytest.mark.parametrize("size", [1, 8])
def test_history_query_count_is_flat(client, home, django_assert_num_queries, size):
    fill(home, size)
    login(client, home["director"])
    with django_assert_num_queries(13):
        url = reverse("monitoring:indicator_history", args=[home["vpr"].pk])
        assert client.get(url).status_code == 200
