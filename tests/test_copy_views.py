"""«Копировать на новый период» in the browser's forms: defaults, errors inline with nothing
saved, the draft copy and its deadlines to review, who may do it."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils.html import escape

from measures.models import Measure, Roadmap
from measures.services import next_period
from tests import factories

pytestmark = pytest.mark.django_db


def copy_url(roadmap: Roadmap) -> str:
    return reverse("measures:roadmap_copy", args=[roadmap.pk])


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ((date(2022, 1, 1), date(2022, 12, 31)), (date(2023, 1, 1), date(2023, 12, 31))),
        ((date(2021, 9, 1), date(2022, 8, 31)), (date(2022, 9, 1), date(2023, 8, 31))),
        ((date(2022, 1, 1), date(2024, 12, 31)), (date(2025, 1, 1), date(2027, 12, 31))),
        ((date(2023, 12, 1), date(2024, 2, 29)), (date(2024, 3, 1), date(2024, 5, 31))),
        ((date(2022, 1, 10), date(2022, 1, 19)), (date(2022, 1, 20), date(2022, 1, 29))),
    ],
)
def test_next_period_is_the_same_length_right_after(old, new):
    assert next_period(*old) == new


def test_the_form_proposes_the_next_period_and_the_title_for_it(client, tenants):
    roadmap = tenants.home.roadmap
    client.force_login(tenants.home.coordinator)
    page = client.get(copy_url(roadmap))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="2023-01-01"' in html and 'value="2023-12-31"' in html
    assert "Дорожная карта по повышению качества образования на 2023 год" in html


def test_copy_makes_a_draft_and_lists_the_flagged_deadlines(client, tenants):
    roadmap = tenants.home.roadmap
    client.force_login(tenants.home.coordinator)
    response = client.post(
        copy_url(roadmap),
        {
            "starts_on": "2023-01-01",
            "ends_on": "2023-12-31",
            "title": "Дорожная карта по повышению качества образования на 2023 год",
        },
    )
    copy = Roadmap.objects.exclude(pk=roadmap.pk).get(municipality=roadmap.municipality)
    assert response.status_code == 302
    review = reverse("measures:roadmap_copy_review", args=[copy.pk])
    assert response["Location"] == f"{review}?from={roadmap.pk}"
    assert copy.status == Roadmap.Status.DRAFT
    assert (copy.starts_on, copy.ends_on) == (date(2023, 1, 1), date(2023, 12, 31))
    assert copy.measures.count() == roadmap.measures.count()
    # «Февраль 2022г.» and «Апрель 2022г.» name the old year: flagged in 2023; «Ежеквартально» not
    flagged = set(copy.measures.filter(deadline_needs_review=True).values_list("number", flat=1))
    assert flagged == {"1.1", "2.1"}

    page = client.get(response["Location"])
    html = page.content.decode()
    assert "Копия создана как черновик. Сроков на проверку: 2." in html
    assert html.count('class="copy-flag"') == 2
    for measure in copy.measures.filter(deadline_needs_review=True):
        assert escape(f"«{measure.deadline_text}»") in html
        assert escape(measure.deadline_summary) in html
        assert measure.deadline_note and escape(measure.deadline_note) in html
        assert reverse("measures:measure_edit", args=[copy.pk, measure.pk]) in html
        old = roadmap.measures.get(number=measure.number)
        assert not old.deadline_needs_review
        assert escape(old.deadline_summary) in html  # the old reading beside the new one
    assert html.count("Прочитан в прежней карте") == 2
    # another municipality's roadmap is never read through `from`
    foreign = client.get(f"{review}?from={tenants.other.roadmap.pk}").content.decode()
    assert "Прочитан в прежней карте" not in foreign
    assert "Совещание с руководителями школ" not in html


def test_a_changed_period_with_the_proposed_title_gets_its_own_years(client, tenants):
    roadmap = tenants.home.roadmap
    client.force_login(tenants.home.coordinator)
    client.post(
        copy_url(roadmap),
        {
            "starts_on": "2024-01-01",
            "ends_on": "2024-12-31",
            "title": "Дорожная карта по повышению качества образования на 2023 год",
        },
    )
    copy = Roadmap.objects.exclude(pk=roadmap.pk).get(municipality=roadmap.municipality)
    assert copy.title == "Дорожная карта по повышению качества образования на 2024 год"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"starts_on": "2023-12-31", "ends_on": "2023-01-01"}, "Окончание периода раньше"),
        ({"starts_on": "2022-06-01", "ends_on": "2023-05-31"}, "пересекается с периодом"),
        ({"starts_on": "", "ends_on": "2023-12-31"}, "Обязательное поле"),
        ({"starts_on": "31.31.2023", "ends_on": "2023-12-31"}, "Введите правильную дату"),
        ({"starts_on": "2023-01-01", "ends_on": "2040-12-31"}, "длиннее 10 лет"),
    ],
)
def test_bad_periods_are_refused_inline_and_nothing_is_saved(client, tenants, data, message):
    roadmap = tenants.home.roadmap
    client.force_login(tenants.home.coordinator)
    title = "Моё название, которое не должно потеряться"
    response = client.post(copy_url(roadmap), {**data, "title": title})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert title in html and data["ends_on"] in html  # nothing typed is lost
    assert Roadmap.objects.count() == 2 and Measure.objects.count() == 6


def test_a_title_the_municipality_has_for_that_period_is_refused(client, tenants):
    roadmap = tenants.home.roadmap
    data = {"starts_on": "2023-01-01", "ends_on": "2023-12-31", "title": "Та же карта"}
    client.force_login(tenants.home.coordinator)
    assert client.post(copy_url(roadmap), data).status_code == 302
    count = Roadmap.objects.count()
    response = client.post(copy_url(roadmap), data)
    assert response.status_code == 400
    assert "Дорожная карта «Та же карта» за этот период уже есть в муниципалитете." in (
        response.content.decode()
    )
    assert Roadmap.objects.count() == count


@pytest.mark.parametrize("who", ["working_group", "viewer", "director", "other"])
def test_only_coordinators_copy(client, tenants, who):
    user = {
        "working_group": tenants.home.working_group,
        "viewer": tenants.viewer,
        "director": tenants.home.director,
        "other": tenants.other.coordinator,
    }[who]
    client.force_login(user)
    roadmap = tenants.home.roadmap
    data = {"starts_on": "2023-01-01", "ends_on": "2023-12-31", "title": "Подделка"}
    response = client.post(copy_url(roadmap), data)
    assert response.status_code == (404 if who == "other" else 403)
    assert not Roadmap.objects.filter(title="Подделка").exists()
    review = client.get(reverse("measures:roadmap_copy_review", args=[roadmap.pk]))
    assert review.status_code == (404 if who == "other" else 403)


def test_the_roadmap_page_offers_the_copy_to_its_coordinator_only(client, tenants):
    roadmap = tenants.home.roadmap
    url = reverse("measures:roadmap_detail", args=[roadmap.pk])
    client.force_login(tenants.home.coordinator)
    assert copy_url(roadmap) in client.get(url).content.decode()
    client.force_login(tenants.home.working_group)
    assert copy_url(roadmap) not in client.get(url).content.decode()


@pytest.mark.parametrize("size", [3, 30])
def test_review_query_count_is_flat(client, tenants, django_assert_max_num_queries, size):
    roadmap = factories.RoadmapFactory(municipality=tenants.home.municipality, title="Большая")
    for n in range(size):
        factories.MeasureFactory(
            roadmap=roadmap, number=f"1.{n}", deadline_needs_review=True, deadline_note="Проверьте"
        )
    client.force_login(tenants.home.coordinator)
    url = reverse("measures:roadmap_copy_review", args=[roadmap.pk])
    client.get(url)
    # session, user, roadmap, may change, measures with their dates, count, the header
    with django_assert_max_num_queries(8):
        page = client.get(url)
    assert page.content.decode().count('class="copy-flag"') == size
    source = factories.RoadmapFactory(municipality=tenants.home.municipality, title="Прежняя")
    for measure in roadmap.measures.all():
        factories.MeasureFactory(
            roadmap=source, position=measure.position, deadline_text=measure.deadline_text
        )
    # and the old readings: the copied roadmap's measures in one query more, and one for the
    # measures whose chosen schools were widened to all
    with django_assert_max_num_queries(10):
        page = client.get(f"{url}?from={source.pk}")
    assert page.content.decode().count("Прочитан в прежней карте") == size
    with django_assert_max_num_queries(8):
        assert client.get(copy_url(roadmap)).status_code == 200
