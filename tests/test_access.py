"""Access and accounts (issue 7, items 9–12): histories follow the reader's view, lockouts hit
only the attacker's address, password reset does not tell who exists, signed-in pages are not
cached."""

import importlib.util

import pghistory
import pytest
from django.contrib.auth.tokens import default_token_generator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from roadmap_portal import settings as portal_settings
from roadmap_portal.tasks import send_password_reset_mail
from schools.models import Appointment
from schools.services import appoint
from tests import factories

pytestmark = pytest.mark.django_db


# --- 9. Histories follow the reader's view ------------------------------------------------


@pytest.fixture
def two_schools():
    """A roadmap with a measure that concerns the director's school and one that does not."""
    municipality = factories.MunicipalityFactory()
    own = factories.SchoolFactory(municipality=municipality)
    other = factories.SchoolFactory(municipality=municipality)
    roadmap = factories.RoadmapFactory(municipality=municipality)
    own_section = factories.SectionFactory(roadmap=roadmap, title="Раздел нашей школы")
    other_section = factories.SectionFactory(roadmap=roadmap, title="Раздел чужой школы")
    mine = factories.MeasureFactory(
        roadmap=roadmap,
        section=own_section,
        title="Мероприятие нашей школы",
        all_designated_schools=False,
    )
    mine.schools.add(own)
    theirs = factories.MeasureFactory(
        roadmap=roadmap,
        section=other_section,
        title="Мероприятие чужой школы",
        all_designated_schools=False,
    )
    theirs.schools.add(other)
    factories.OccurrenceFactory(measure=theirs)
    director = factories.UserFactory()
    appoint(user=director, role="director", target=own)
    coordinator = factories.UserFactory()
    appoint(user=coordinator, role="coordinator", target=municipality)
    with pghistory.context(user=coordinator.pk):
        mine.planned_result = "Правка нашей школы"
        mine.save()
        theirs.title = "Секретная правка чужой школы"
        theirs.save()
    return {
        "roadmap": roadmap, "own": own, "other": other, "mine": mine, "theirs": theirs,
        "director": director, "coordinator": coordinator,
    }  # fmt: skip


def test_a_director_reads_only_the_history_of_what_concerns_their_school(client, two_schools):
    roadmap, director = two_schools["roadmap"], two_schools["director"]
    client.force_login(director)
    assert client.get(reverse("measures:roadmap_detail", args=[roadmap.pk])).status_code == 200
    page = client.get(reverse("measures:roadmap_history", args=[roadmap.pk])).text
    assert "Мероприятие нашей школы" in page
    assert "Раздел нашей школы" in page
    assert "Мероприятие чужой школы" not in page
    assert "Секретная правка чужой школы" not in page
    assert "Раздел чужой школы" not in page
    theirs = two_schools["theirs"]
    hidden = reverse("measures:measure_history", args=[roadmap.pk, theirs.pk])
    assert client.get(hidden).status_code == 404


def test_a_coordinator_reads_the_whole_history_deletions_included(client, two_schools):
    roadmap = two_schools["roadmap"]
    two_schools["theirs"].delete()
    client.force_login(two_schools["coordinator"])
    page = client.get(reverse("measures:roadmap_history", args=[roadmap.pk])).text
    assert "Мероприятие нашей школы" in page
    assert "Секретная правка чужой школы" in page
    assert "Раздел чужой школы" in page
    assert "Удаление" in page


def test_a_director_reads_the_history_of_their_own_report_not_of_another_schools(
    client, two_schools
):
    occurrence = factories.OccurrenceFactory(measure=two_schools["mine"])
    own_report = factories.ReportFactory(occurrence=occurrence, school=two_schools["own"])
    other_report = factories.ReportFactory(occurrence=occurrence, school=two_schools["other"])
    client.force_login(two_schools["director"])
    response = client.get(reverse("measures:report_history", args=[own_report.pk]))
    assert response.status_code == 200
    assert "Создание" in response.text
    assert client.get(reverse("measures:report_history", args=[other_report.pk])).status_code == 404


def test_the_filtered_history_keeps_a_flat_query_count(client, two_schools):
    roadmap = two_schools["roadmap"]
    client.force_login(two_schools["director"])
    url = reverse("measures:roadmap_history", args=[roadmap.pk])
    client.get(url)  # the first request of a session also writes the session
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
        for school in 5 * ["other", "own"]:  # more hidden and more visible rows
            measure = factories.MeasureFactory(roadmap=roadmap, all_designated_schools=False)
            measure.schools.add(two_schools[school])
    assert counts[0] == counts[1]


# --- 10. A lockout hits the attacker's address only -----------------------------------------

PASSWORD = "пароль-для-теста"
PROXY = "172.18.0.5"


def _login(client, password, **meta):
    return client.post(reverse("login"), {"username": "ivanov", "password": password}, **meta)


def _lock(client, **meta):
    for _ in range(5):
        _login(client, "неверный", **meta)
    assert _login(client, PASSWORD, **meta).status_code == 429


@pytest.fixture
def behind_one_proxy(settings, monkeypatch):
    """The settings module as it reads PROXY_COUNT=1 (nginx in front of gunicorn)."""
    monkeypatch.setenv("PROXY_COUNT", "1")
    spec = importlib.util.spec_from_file_location("proxied_settings", portal_settings.__file__)
    proxied = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(proxied)
    for name in dir(proxied):
        if name.startswith(("AXES_IPWARE_", "IPWARE_")):
            setattr(settings, name, getattr(proxied, name))


def test_behind_the_proxy_an_attacker_locks_only_their_own_address(client, behind_one_proxy):
    factories.UserFactory(username="ivanov")
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.7"}
    _lock(client, **attacker)
    # a forged header in front of what nginx appended changes nothing
    forged = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.20, 203.0.113.7"}
    assert _login(client, PASSWORD, **forged).status_code == 429
    user = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.20"}
    assert _login(client, PASSWORD, **user).status_code == 302


def test_directly_exposed_a_forwarded_header_is_not_believed(client):
    factories.UserFactory(username="ivanov")
    _lock(client, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="203.0.113.7")
    rotated = {"REMOTE_ADDR": "203.0.113.7", "HTTP_X_FORWARDED_FOR": "198.51.100.99"}
    assert _login(client, PASSWORD, **rotated).status_code == 429


def test_a_password_reset_lifts_the_lockout_of_that_username(client):
    user = factories.UserFactory(username="ivanov", email="ivanov@example.org")
    _lock(client, REMOTE_ADDR="203.0.113.7")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    form = client.get(reverse("password_reset_confirm", args=[uid, token]), follow=True)
    new = "Новый-длинный-пароль-2026"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done.status_code == 302
    relogin = client.post(
        reverse("login"), {"username": "ivanov", "password": new}, REMOTE_ADDR="203.0.113.7"
    )
    assert relogin.status_code == 302


# --- 11. Password reset and logins tell nobody who exists ---------------------------------


def _reset(client, email, address="198.51.100.1"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_the_reset_form_answers_the_same_without_looking_anyone_up(
    client, django_capture_on_commit_callbacks
):
    factories.UserFactory(username="ivanov", email="ivanov@example.org")
    answers = []
    for email in ("ivanov@example.org", "nobody@example.org"):
        with (
            CaptureQueriesContext(connection) as queries,
            django_capture_on_commit_callbacks() as callbacks,
        ):
            response = _reset(client, email)
        assert not [q for q in queries.captured_queries if "auth_user" in q["sql"]]
        assert len(callbacks) == 1  # the letter is the worker's business
        answers.append((response.status_code, response["Location"], response.content))
    assert answers[0] == answers[1]
    assert answers[0][:2] == (302, reverse("password_reset_done"))


def test_the_worker_sends_the_letter_a_few_times_an_hour_at_most(mailoutbox):
    factories.UserFactory(username="ivanov", email="ivanov@example.org")
    for _ in range(5):
        send_password_reset_mail("Ivanov@Example.org", "portal.example.org", True)
    assert len(mailoutbox) == 3
    assert "https://portal.example.org/password/reset/" in mailoutbox[0].body
    assert mailoutbox[0].to == ["ivanov@example.org"]
    send_password_reset_mail("nobody@example.org", "portal.example.org", True)
    assert len(mailoutbox) == 3


def test_one_client_address_may_ask_a_limited_number_of_times(client, settings):
    settings.PASSWORD_RESET_REQUESTS_PER_ADDRESS_PER_HOUR = 2
    assert _reset(client, "a@example.org").status_code == 302
    assert _reset(client, "b@example.org").status_code == 302
    refused = _reset(client, "c@example.org")
    assert refused.status_code == 429
    assert "Слишком много запросов" in refused.text
    assert _reset(client, "c@example.org", address="198.51.100.2").status_code == 302


def test_the_people_page_does_not_tell_a_login_of_another_municipality(client):
    here, there = factories.MunicipalityFactory(), factories.MunicipalityFactory()
    coordinator = factories.UserFactory()
    appoint(user=coordinator, role="coordinator", target=here)
    appoint(user=factories.UserFactory(username="chuzhoi"), role="working_group", target=there)
    factories.UserFactory(username="novyi")  # a new account, no role yet
    client.force_login(coordinator)
    url = reverse("schools:people", args=[here.pk])
    errors = []
    for username in ("chuzhoi", "nesushchestvuyushchii"):
        response = client.post(url, {"username": username, "role": "working_group"})
        assert response.status_code == 400
        errors.append(response.context["form"].errors)
    assert errors[0] == errors[1]
    assert not Appointment.objects.filter(user__username="chuzhoi", municipality=here).exists()
    assert client.post(url, {"username": "novyi", "role": "working_group"}).status_code == 302


# --- 12. Signed-in pages and downloads are not cached -------------------------------------


def test_signed_in_pages_and_exports_are_not_stored_by_caches(client):
    municipality = factories.MunicipalityFactory()
    roadmap = factories.RoadmapFactory(municipality=municipality)
    factories.MeasureFactory(roadmap=roadmap)
    coordinator = factories.UserFactory()
    appoint(user=coordinator, role="coordinator", target=municipality)
    client.force_login(coordinator)
    for url in (
        reverse("measures:roadmap_list"),
        reverse("measures:roadmap_detail", args=[roadmap.pk]),
        reverse("measures:roadmap_history", args=[roadmap.pk]),
        reverse("measures:roadmap_export", args=[roadmap.pk, "xlsx"]),
        reverse("measures:roadmap_export", args=[roadmap.pk, "csv"]),
        reverse("schools:people", args=[municipality.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
    static = client.get("/static/css/portal.css")
    static.close()
    assert static.status_code == 200
    assert "no-store" not in static.get("Cache-Control", "")
