"""The header says who the user is here; logout and the reset letter lead back to the login;
an act's number never breaks across two lines."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from measures.models import LegalAct
from schools.services import appoint
from tests import factories

pytestmark = pytest.mark.django_db


def header_role(response) -> list[str]:
    html = response.content.decode()
    return re.findall(r'<span class="user-role">([^<]*)</span>', html)


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("coordinator", "Координатор · Тестовый район"),
        ("working_group", "Рабочая группа · Тестовый район"),
        ("director", "Директор · МКОУ СОШ № 1"),
        ("viewer", "Наблюдатель · "),
        ("admin", "Администратор"),
    ],
)
def test_header_names_the_role_and_the_place(client, tenants, who, expected):
    user = {
        "coordinator": tenants.home.coordinator,
        "working_group": tenants.home.working_group,
        "director": tenants.home.director,
        "viewer": tenants.viewer,
        "admin": tenants.admin,
    }[who]
    client.force_login(user)
    response = client.get(reverse("measures:roadmap_list"), follow=True)
    [label] = header_role(response)
    assert label.startswith(expected)
    assert "и ещё" not in label


def test_a_district_is_named_short_and_more_appointments_are_counted(client, tenants):
    municipality = factories.MunicipalityFactory(name="Черекский муниципальный район")
    user = tenants.home.working_group
    appoint(user=user, role="coordinator", target=municipality)
    appoint(user=user, role="director", target=tenants.home.schools[1])
    client.force_login(user)
    [label] = header_role(client.get(reverse("measures:roadmap_list")))
    # the widest role first: the coordinator's, whatever the order of appointment
    assert label == "Координатор · Черекский район и ещё 2"


def test_the_header_costs_no_query_more_with_more_appointments(client, tenants):
    user = tenants.home.working_group
    client.force_login(user)
    url = reverse("password_change")  # a page of the header alone
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _n in range(3):
        appoint(user=user, role="coordinator", target=factories.MunicipalityFactory())
    with CaptureQueriesContext(connection) as more:
        [label] = header_role(client.get(url))
    assert label.startswith("Координатор · ") and label.endswith(" и ещё 3")
    assert len(more.captured_queries) == len(few.captured_queries)


def test_after_logout_the_login_page_says_so(client, tenants):
    client.force_login(tenants.home.coordinator)
    response = client.post(reverse("logout"), follow=True)
    assert response.request["PATH_INFO"] == reverse("login")
    assert "Вы вышли из портала." in response.content.decode()
    # and only once: the next visit of the login page is plain
    assert "Вы вышли" not in client.get(reverse("login")).content.decode()


def test_check_your_mail_page_leads_back_to_login(client):
    html = client.get(reverse("password_reset_done")).content.decode()
    assert "Проверьте почту" in html
    assert f'href="{reverse("login")}"' in html
    assert "Вернуться ко входу" in html


def test_act_number_keeps_the_sign_and_the_number_together(client, tenants):
    roadmap = tenants.home.roadmap
    act = LegalAct.objects.get(pk=roadmap.approved_by_id)
    assert "№\u00a015" in str(act) and "№ 15" not in str(act)
    client.force_login(tenants.home.coordinator)
    html = client.get(reverse("measures:roadmap_detail", args=[roadmap.pk])).content.decode()
    assert "№\u00a015" in html and "№ 15" not in html
