"""Pages: login required, status codes, what a person reads, and query counts that stay flat."""

import pytest
from django.urls import reverse

from measures.models import Roadmap
from schools.services import appoint
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def municipality():
    return factories.MunicipalityFactory()


@pytest.fixture
def user_client(client, municipality):
    """A working-group member of `municipality`."""
    user = factories.UserFactory()
    appoint(user=user, role="working_group", target=municipality)
    client.force_login(user)
    # warm up: the first request records the login time and fills the content-type cache
    client.get(reverse("measures:roadmap_list"))
    return client


@pytest.fixture
def admin_reader(client):
    client.force_login(factories.UserFactory(is_superuser=True, is_staff=True))
    return client


@pytest.mark.parametrize("name", ["home", "measures:roadmap_list"])
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_anonymous_cannot_open_a_roadmap(client):
    roadmap = factories.RoadmapFactory()
    response = client.get(reverse("measures:roadmap_detail", args=[roadmap.pk]))
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next=/roadmaps/{roadmap.pk}/"


def test_login_page_is_russian(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "Вход в портал" in response.text
    assert '<html lang="ru">' in response.text


def test_wrong_password_says_so_in_russian(client):
    factories.UserFactory(username="ivanov")
    response = client.post(reverse("login"), {"username": "ivanov", "password": "не тот"})
    assert response.status_code == 200
    assert "Неверное имя пользователя или пароль" in response.text


def test_login_then_list(client):
    factories.UserFactory(username="ivanov")
    response = client.post(
        reverse("login"), {"username": "ivanov", "password": "пароль-для-теста"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("measures:roadmap_list")
    assert "Дорожные карты" in response.text


def test_logout_is_a_post(user_client):
    assert user_client.get(reverse("logout")).status_code == 405
    response = user_client.post(reverse("logout"))
    assert response.status_code == 302
    assert user_client.get(reverse("measures:roadmap_list")).status_code == 302


def test_list_shows_the_demo_roadmaps(admin_reader, demo):
    user_client = admin_reader
    response = user_client.get(reverse("measures:roadmap_list"))
    assert response.status_code == 200
    for roadmap in Roadmap.objects.all():
        assert reverse("measures:roadmap_detail", args=[roadmap.pk]) in response.text
    assert "Черекский муниципальный район" in response.text
    assert "Распоряжение от 03.06.2022 №\u00a0522" in response.text


def test_roadmap_page_reads_like_the_appendix(admin_reader, demo):
    user_client = admin_reader
    roadmap = Roadmap.objects.get(municipality__name="Черекский муниципальный район")
    response = user_client.get(reverse("measures:roadmap_detail", args=[roadmap.pk]))
    assert response.status_code == 200
    text = response.text
    assert "Приложение 1" in text
    assert "к приказу МКУ «Управление образования и молодежной политики" in text
    for header in ["№ п/п", "Наименование мероприятия", "Ответственные исполнители",
                   "Сроки реализации", "Планируемый результат"]:  # fmt: skip
        assert header in text
    assert (
        '<th colspan="5" scope="rowgroup">3. Организация реализации программы помощи школам'
        in text  # then the section's progress, when it has control dates
    )
    assert "Бозиев А.Т.<br>Аттоев А.А.<br>Кульбаева А.В.<br>Анахаева А.Х." in text
    assert "Постоянно в течение всего периода по отдельному графику" in text
    # sections come in order, each before its measures
    first_measure = text.index('<td class="col-number">1.1<')
    assert text.index("1. Анализ перечня") < first_measure < text.index("2. Сбор дополнительных")


def test_amended_roadmap_shows_its_amendment(admin_reader, demo):
    user_client = admin_reader
    roadmap = Roadmap.objects.get(municipality__name="Катангский район")
    response = user_client.get(reverse("measures:roadmap_detail", args=[roadmap.pk]))
    assert "к приказу МОО" in response.text
    assert "(с изменениями от 28.04.2023 №\u00a076-Д)" in response.text


def test_missing_roadmap_is_404(user_client):
    assert user_client.get(reverse("measures:roadmap_detail", args=[999999])).status_code == 404


def _roadmaps(count: int, municipality) -> None:
    for _ in range(count):
        act = factories.LegalActFactory(issuer__municipality=municipality)
        roadmap = factories.RoadmapFactory(
            municipality=municipality, status="approved", approved_by=act
        )
        factories.MeasureFactory.create_batch(3, roadmap=roadmap)


@pytest.mark.parametrize("count", [2, 25])
def test_list_query_count_is_flat(user_client, municipality, django_assert_max_num_queries, count):
    _roadmaps(count, municipality)
    _roadmaps(3, factories.MunicipalityFactory())  # another tenant's, not shown
    # session, user, keys of the municipalities read in full, of the schools directed and of
    # the roadmaps seen through them, how many match, the page of them, which of their
    # municipalities are read in full, their measure counts, schools directed, their progress
    # (one query for the page), may import, the header's links
    with django_assert_max_num_queries(13):
        response = user_client.get(reverse("measures:roadmap_list"))
    assert response.text.count('<td><a href="/roadmaps/') == count


@pytest.mark.parametrize("sections,per_section", [(2, 2), (10, 30)])
def test_roadmap_page_query_count_is_flat(
    user_client, municipality, django_assert_max_num_queries, sections, per_section
):
    roadmap = factories.RoadmapFactory(municipality=municipality)
    amendment = factories.LegalActFactory(municipality=roadmap.municipality)
    roadmap.amended_by.add(amendment)
    for _ in range(sections):
        section = factories.SectionFactory(roadmap=roadmap)
        factories.MeasureFactory.create_batch(per_section, roadmap=roadmap, section=section)
    # session, user, roadmap (visibility in a subquery), amendments, reads the municipality
    # in full, sections, measures, progress by measure, may change it, the orders that carry
    # it, the header's links, its editions (and an open draft of changes, for who reads in
    # full, once approved)
    with django_assert_max_num_queries(12):
        response = user_client.get(reverse("measures:roadmap_detail", args=[roadmap.pk]))
    assert response.text.count('<tr id="measure-') == sections * per_section
