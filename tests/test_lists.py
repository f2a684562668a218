"""Lists at national size: a director sees nothing of other schools (issue 7, item 13), every
list is paginated and filtered, and its query count stays flat whatever the data size."""

from datetime import date

import pytest
from django.urls import reverse

from measures.models import Roadmap
from schools.models import SchoolDesignation
from schools.services import appoint
from tests import factories

pytestmark = pytest.mark.django_db

LIST = reverse("measures:roadmap_list")
ROW = '<td><a href="/roadmaps/'


def _login(client, role: str, target):
    user = factories.UserFactory()
    appoint(user=user, role=role, target=target)
    client.force_login(user)
    client.get(LIST)  # warm up: login time, content types
    return client


@pytest.fixture
def town():
    """A municipality with the director's school (designated in 2022) and a neighbour school."""
    municipality = factories.MunicipalityFactory()
    own = factories.SchoolFactory(municipality=municipality, short_name="СОШ № 1")
    other = factories.SchoolFactory(municipality=municipality, short_name="СОШ № 2")
    for school in (own, other):
        SchoolDesignation.objects.create(school=school, kind="low_results", year=2022)
    return {"municipality": municipality, "own": own, "other": other}


def test_a_director_sees_no_roadmap_of_another_school(client, town):
    municipal = factories.RoadmapFactory(municipality=town["municipality"], title="Муниципальная")
    own = factories.RoadmapFactory(
        municipality=town["municipality"], level="school", school=town["own"], title="Своя"
    )
    other = factories.RoadmapFactory(
        municipality=town["municipality"], level="school", school=town["other"], title="Чужая"
    )
    # a measure of the other school's roadmap naming the director's school opens nothing either
    factories.MeasureFactory(roadmap=other, all_designated_schools=False).schools.add(town["own"])
    not_concerned = factories.RoadmapFactory(
        municipality=town["municipality"],
        title="Другого года",
        starts_on=date(2025, 1, 1),
        ends_on=date(2025, 12, 31),
    )
    _login(client, "director", town["own"])

    page = client.get(LIST).text

    assert "Муниципальная" in page
    assert "Своя" in page
    assert "Чужая" not in page
    assert "Другого года" not in page
    assert page.count(ROW) == 2
    for hidden in (other, not_concerned):
        assert client.get(reverse("measures:roadmap_detail", args=[hidden.pk])).status_code == 404
    for shown in (municipal, own):
        assert client.get(reverse("measures:roadmap_detail", args=[shown.pk])).status_code == 200


def test_a_municipal_roadmap_naming_the_school_is_shown_to_its_director(client, town):
    roadmap = factories.RoadmapFactory(
        municipality=town["municipality"],
        title="Называет школу",
        starts_on=date(2025, 1, 1),
        ends_on=date(2025, 12, 31),
    )
    factories.MeasureFactory(roadmap=roadmap, all_designated_schools=False).schools.add(town["own"])
    _login(client, "director", town["own"])
    assert "Называет школу" in client.get(LIST).text


def test_a_directors_measure_count_holds_only_the_measures_they_see(client, town):
    roadmap = factories.RoadmapFactory(municipality=town["municipality"])
    factories.MeasureFactory.create_batch(2, roadmap=roadmap)  # for all designated schools
    factories.MeasureFactory(roadmap=roadmap, all_designated_schools=False).schools.add(town["own"])
    for _ in range(3):  # the neighbour's measures
        factories.MeasureFactory(roadmap=roadmap, all_designated_schools=False).schools.add(
            town["other"]
        )
    _login(client, "director", town["own"])
    assert '<td class="num">3</td>' in client.get(LIST).text
    reader = _login(client, "working_group", town["municipality"])
    assert '<td class="num">6</td>' in reader.get(LIST).text


def _roadmaps(municipality, count: int, **fields) -> list[Roadmap]:
    return [
        factories.RoadmapFactory(municipality=municipality, title=f"Карта {n:03d}", **fields)
        for n in range(count)
    ]


def test_the_roadmap_list_is_paginated_and_pages_keep_the_filters(client):
    municipality = factories.MunicipalityFactory()
    _roadmaps(municipality, 60, status="draft")
    factories.RoadmapFactory(municipality=municipality, status="archived", title="Старая")
    _login(client, "working_group", municipality)

    first = client.get(LIST).text
    assert first.count(ROW) == 50
    assert "Страница 1 из 2" in first
    assert "Найдена 61 дорожная карта" in first
    assert client.get(LIST, {"page": 2}).text.count(ROW) == 11

    filtered = client.get(LIST, {"status": "draft", "q": "Карта"}).text
    assert 'href="?status=draft&amp;q=%D0%9A%D0%B0%D1%80%D1%82%D0%B0&amp;page=2"' in filtered
    second = client.get(LIST, {"status": "draft", "q": "Карта", "page": 2}).text
    assert second.count(ROW) == 10
    assert "Старая" not in second
    assert client.get(LIST, {"page": "много"}).status_code == 200  # a bad page is the first


def test_the_roadmap_list_filters_by_words_municipality_status_and_year(client):
    region = factories.RegionFactory()
    north = factories.MunicipalityFactory(region=region, name="Северный район")
    south = factories.MunicipalityFactory(region=region, name="Южный район")
    factories.RoadmapFactory(municipality=north, title="Повышение качества образования")
    factories.RoadmapFactory(
        municipality=south,
        title="Качество и наставничество",
        starts_on=date(2023, 1, 1),
        ends_on=date(2024, 12, 31),
    )
    act = factories.LegalActFactory(issuer__municipality=south)
    factories.RoadmapFactory(
        municipality=south, title="Утверждённая", status="approved", approved_by=act
    )
    _login(client, "regional_viewer", region)

    def titles(**query) -> int:
        return client.get(LIST, query).text.count(ROW)

    assert titles() == 3
    assert titles(q="качества образования") == 1  # every word, any case
    assert titles(q="качеств") == 2
    assert titles(municipality="южный") == 2
    assert titles(status="approved") == 1
    assert titles(year=2024) == 1
    assert titles(year=2022) == 2
    assert titles(q="нет такого") == 0
    assert "Нет дорожных карт с такими условиями." in client.get(LIST, {"q": "нет такого"}).text
    assert client.get(LIST, {"year": "12"}).text.count(ROW) == 3  # an invalid filter is ignored


def _world(size: int, town) -> None:
    """`size` roadmaps of every kind a director may or may not see, with measures."""
    municipality = town["municipality"]
    for n in range(size):
        school = town["own"] if n % 3 == 0 else town["other"]
        level = {"level": "school", "school": school} if n % 2 else {}
        roadmap = factories.RoadmapFactory(municipality=municipality, **level)
        factories.MeasureFactory.create_batch(2, roadmap=roadmap)
        factories.MeasureFactory(roadmap=roadmap, all_designated_schools=False).schools.add(school)
    factories.RoadmapFactory.create_batch(size, municipality=factories.MunicipalityFactory())


@pytest.mark.parametrize("size", [3, 70])
@pytest.mark.parametrize("role", ["admin", "coordinator", "director", "regional_viewer"])
def test_roadmap_list_query_count_is_flat(client, town, django_assert_max_num_queries, size, role):
    _world(size, town)
    if role == "admin":
        client.force_login(factories.UserFactory(is_superuser=True, is_staff=True))
        client.get(LIST)
    else:
        target = {
            "coordinator": town["municipality"],
            "director": town["own"],
            "regional_viewer": town["municipality"].region,
        }[role]
        _login(client, role, target)
    # session, user, keys of the municipalities read in full, of the schools directed and of
    # the roadmaps seen through them, how many match, the page of them, which of their
    # municipalities are read in full, their measure counts, schools directed, their progress
    # (one query for the page), may import, the header's links (directs a school, reviews,
    # reports waiting)
    with django_assert_max_num_queries(13):
        page = client.get(LIST, {"q": "Дорожная", "page": 2 if size > 50 else 1})
    assert page.status_code == 200
    assert 0 < page.text.count(ROW) <= 50


@pytest.mark.parametrize("size", [2, 70])
def test_people_lists_are_paginated_with_a_flat_query_count(
    client, django_assert_max_num_queries, size
):
    municipality = factories.MunicipalityFactory()
    school = factories.SchoolFactory(municipality=municipality)
    coordinator = factories.UserFactory()
    appoint(user=coordinator, role="coordinator", target=municipality)
    for _ in range(size):
        appoint(user=factories.UserFactory(), role="director", target=school)
        factories.PersonFactory(municipality=municipality, school=school)
    appoint(
        user=factories.UserFactory(), role="working_group", target=factories.MunicipalityFactory()
    )
    client.force_login(coordinator)
    client.get(LIST)
    people = reverse("schools:people", args=[municipality.pk])
    staff = reverse("schools:school_people", args=[school.pk])
    for url, most in ((people, 8), (staff, 9)):  # staff: +1, who sees contacts
        with django_assert_max_num_queries(most):  # +1: the header's links
            page = client.get(url)
        assert page.text.count("<tr>") == 1 + min(size + (url == people), 50)
    if size > 50:
        assert "Страница 1 из 2" in client.get(people).text
        assert client.get(people, {"page": 2}).text.count("<tr>") == 1 + size + 1 - 50
        assert client.get(staff, {"page": 2}).text.count("<tr>") == 1 + size - 50


def test_postgresql_jit_is_off_for_the_portals_connections():
    """JIT compilation cost more than the short queries it compiled (BENCHMARKS.md)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_scale_data_and_bench_pages_at_a_small_size(tmp_path):
    """The two commands of BENCHMARKS.md, at a size a test can afford: every role's pages answer
    200 with the generated accounts, and the figures are written."""
    import io
    import json

    from django.core.management import call_command

    call_command(
        "generate_scale_data",
        regions=2,
        municipalities=4,
        schools=20,
        roadmaps=12,
        measures=120,
        stdout=io.StringIO(),
    )
    assert Roadmap.objects.count() == 12
    assert Roadmap.objects.filter(level="school").exists()
    # every approved roadmap has its edition 1 (measures.editions.ensure_recorded_all)
    approved = Roadmap.objects.filter(status="approved")
    assert approved.exists() and not approved.filter(editions__isnull=True).exists()
    call_command(
        "bench_pages",
        runs=2,
        json_file=str(tmp_path / "bench.json"),
        stdout=io.StringIO(),
    )
    figures = json.loads((tmp_path / "bench.json").read_text())
    assert figures["sizes"]["roadmaps"] == 12
    roles = {page["role"] for page in figures["pages"]}
    assert roles == {"admin", "coordinator", "working_group", "director", "regional_viewer"}
    assert {page["status"] for page in figures["pages"]} == {200}
    with pytest.raises(Exception, match="База не пуста"):
        call_command("generate_scale_data", regions=1, municipalities=1, schools=1, roadmaps=1,
                     measures=1)  # fmt: skip
