"""The reminder pages: «Настройки напоминаний», the one-click unsubscribe (RFC 8058), the
«Напоминания» log and «Мои письма», per role, on rows made by the scan and the digests."""

from datetime import date, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from measures import reminders
from measures.models import Occurrence, Reminder, ReminderLetter, ReminderSettings
from schools.models import Person, WorkingGroupMember
from tests import factories

pytestmark = pytest.mark.django_db

MOMENT = datetime(2022, 4, 25, 10, 0)  # a Monday of the tenants' roadmap year, a working day


def scanned(moment: datetime = MOMENT) -> reminders.ScanResult:
    """The scan at `moment`, then the digests it found due, sent (locmem mail)."""
    now = timezone.make_aware(moment)
    result = reminders.scan(now, trigger="command", enqueue=False)
    for user_id in result.digests:
        reminders.send_digest(user_id, now.date())
    monday = reminders.week_start(now.date())
    for user_id, municipality_id in result.weekly:
        reminders.send_weekly(user_id, municipality_id, monday, now.date())
    return result


def login(client, username: str):
    user = User.objects.get(username=username)
    client.force_login(user)
    return user


def settings_data(**changes) -> dict:
    data = {"offsets": ["7", "1"], "overdue_every": "3", "hour": "9", "paused_until": "",
            "digest_enabled": "on", "weekly_enabled": "on", "weekly_substitute": ""}  # fmt: skip
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# --- «Настройки напоминаний» -------------------------------------------------------------------


def test_a_director_changes_offsets_hour_and_pause(client, tenants):
    user = login(client, "direktor")
    page = client.get(reverse("measures:reminder_settings"))
    assert page.status_code == 200
    assert "direktor@example.org" in page.text
    assert "Вместо меня сводку получает" not in page.text  # not a coordinator or a chair
    pause = timezone.localdate() + timedelta(days=10)
    response = client.post(
        reverse("measures:reminder_settings"),
        settings_data(offsets=["14", "3", "0"], hour="7", overdue_every="5",
                      paused_until=pause.isoformat(), digest_enabled=None),
    )  # fmt: skip
    assert response.status_code == 302
    prefs = ReminderSettings.objects.get(user=user)
    assert prefs.offsets == [14, 3, 0] and prefs.hour == 7 and prefs.overdue_every == 5
    assert prefs.paused_until == pause and prefs.digest_enabled is False
    assert prefs.weekly_enabled is True  # not shown, not changed
    assert "Настройки напоминаний сохранены." in client.get(response.url).text


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"paused_until": "2020-01-01"}, "paused_until", "Дата не может быть в прошлом."),
        ({"overdue_every": "31"}, "overdue_every", "Укажите число дней от 1 до 30."),
        ({"overdue_every": "0"}, "overdue_every", "Укажите число дней от 1 до 30."),
        ({"hour": "24"}, "hour", "Выберите корректный вариант"),
        ({"offsets": ["5"]}, "offsets", "Выберите корректный вариант"),
    ],
)
def test_invalid_settings_are_refused_and_nothing_saved(client, tenants, changes, field, message):
    user = login(client, "direktor")
    response = client.post(reverse("measures:reminder_settings"), settings_data(**changes))
    assert response.status_code == 400
    assert message in response.text
    assert response.context["form"].errors[field]
    assert not ReminderSettings.objects.filter(user=user).exists()


def test_a_coordinator_cannot_switch_the_weekly_summary_off_without_a_substitute(client, tenants):
    user = login(client, "koordinator")
    page = client.get(reverse("measures:reminder_settings"))
    assert "Вместо меня сводку получает" in page.text
    assert "rabgruppa" in page.text or "Член" in page.text  # the working group offered
    response = client.post(
        reverse("measures:reminder_settings"), settings_data(weekly_enabled=None)
    )
    assert response.status_code == 400
    assert "Координатор не может отключить еженедельную сводку" in response.text
    assert not ReminderSettings.objects.filter(user=user).exists()

    substitute = User.objects.get(username="rabgruppa")
    response = client.post(
        reverse("measures:reminder_settings"),
        settings_data(weekly_enabled=None, weekly_substitute=str(substitute.pk)),
    )
    assert response.status_code == 302
    prefs = ReminderSettings.objects.get(user=user)
    assert prefs.weekly_enabled is False and prefs.weekly_substitute == substitute
    monday = tenants.home.municipality.pk
    assert substitute.pk in reminders.weekly_recipients(date(2022, 4, 25))[monday]


def test_a_substitute_from_another_municipality_is_refused(client, tenants):
    user = login(client, "koordinator")
    foreign = User.objects.get(username="grechkina")
    response = client.post(
        reverse("measures:reminder_settings"),
        settings_data(weekly_enabled=None, weekly_substitute=str(foreign.pk)),
    )
    assert response.status_code == 400
    assert not ReminderSettings.objects.filter(user=user).exists()


def test_a_chair_sees_the_weekly_fields_and_may_switch_off(client, tenants):
    chair = User.objects.get(username="rabgruppa")
    person = Person.objects.filter(user=chair).first() or factories.PersonFactory(
        municipality=tenants.home.municipality, user=chair
    )
    group = factories.WorkingGroupFactory(
        municipality=tenants.home.municipality, year=timezone.localdate().year
    )
    WorkingGroupMember.objects.create(group=group, person=person, position=1, role="chair")
    client.force_login(chair)
    assert "Вместо меня сводку получает" in client.get(reverse("measures:reminder_settings")).text
    response = client.post(
        reverse("measures:reminder_settings"), settings_data(weekly_enabled=None)
    )
    assert response.status_code == 302
    assert ReminderSettings.objects.get(user=chair).weekly_enabled is False


def test_address_warning_and_bounce_cleared(client, tenants):
    user = login(client, "direktor")
    ReminderSettings.objects.create(
        user=user, bounced_address="direktor@example.org", bounced_reason="550 5.1.1 No such user"
    )
    page = client.get(reverse("measures:reminder_settings"))
    assert "550 5.1.1 No such user" in page.text
    assert "Адрес исправлен — снова присылать" in page.text
    response = client.post(reverse("measures:reminder_settings"), {"action": "bounce_clear"})
    assert response.status_code == 302
    prefs = ReminderSettings.objects.get(user=user)
    assert prefs.bounced_address == "" and prefs.bounced_reason == ""
    assert "Адрес исправлен" not in client.get(reverse("measures:reminder_settings")).text

    User.objects.filter(pk=user.pk).update(email="")
    Person.objects.filter(user=user).update(email="")
    page = client.get(reverse("measures:reminder_settings"))
    assert "нет адреса электронной почты" in page.text


# --- the one-click unsubscribe ---------------------------------------------------------------


def unsubscribe_url(username: str, kind: str) -> str:
    user = User.objects.get(username=username)
    return reverse(
        "measures:reminders_unsubscribe", args=[reminders.unsubscribe_token(user.pk, kind)]
    )


def test_unsubscribe_get_explains_and_post_switches_off_once(tenants):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)  # as a mail provider: no cookie, no CSRF token
    url = unsubscribe_url("direktor", "digest")
    page = client.get(url)
    assert page.status_code == 200
    assert "ежедневную сводку" in page.text and '<form method="post">' in page.text
    assert not ReminderSettings.objects.filter(user__username="direktor").exists()  # GET: nothing

    response = client.post(url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "Вы отписались" in response.text
    assert reverse("measures:reminder_settings") in response.text
    assert ReminderSettings.objects.get(user__username="direktor").digest_enabled is False
    again = client.post(url, {"List-Unsubscribe": "One-Click"})  # idempotent
    assert again.status_code == 200 and "Вы отписались" in again.text
    assert ReminderSettings.objects.filter(user__username="direktor").count() == 1


def test_unsubscribe_weekly_of_a_coordinator_needs_a_substitute(client, tenants):
    url = unsubscribe_url("koordinator", "weekly")
    assert "еженедельную сводку" in client.get(url).text
    response = client.post(url)
    assert response.status_code == 409
    assert "Выберите замену" in response.text
    assert ReminderSettings.objects.get(user__username="koordinator").weekly_enabled is True

    prefs = ReminderSettings.objects.get(user__username="koordinator")
    prefs.weekly_substitute = User.objects.get(username="rabgruppa")
    prefs.save()
    assert client.post(url).status_code == 200
    assert ReminderSettings.objects.get(user__username="koordinator").weekly_enabled is False


@pytest.mark.parametrize("token", ["nonsense", "eyJ1IjoxLCJrIjoiZGlnZXN0In0:1abc:forged"])
def test_a_bad_unsubscribe_token_is_404(client, tenants, token):
    for method in (client.get, client.post):
        response = method(reverse("measures:reminders_unsubscribe", args=[token]))
        assert response.status_code == 404
        assert "Ссылка недействительна" in response.text
    assert not ReminderSettings.objects.exists()


def test_a_token_of_another_salt_is_refused(client, tenants):
    from django.core import signing

    token = signing.dumps({"u": User.objects.get(username="direktor").pk, "k": "digest"})
    assert client.post(reverse("measures:reminders_unsubscribe", args=[token])).status_code == 404


# --- «Напоминания» and «Мои письма» ------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "status"),
    [("admin", 200), ("koordinator", 200), ("rabgruppa", 200), ("nablyudatel", 403),
     ("grechkina", 200), ("direktor", 403)],
)  # fmt: skip
def test_who_reads_the_log(client, tenants, username, status):
    scanned()
    login(client, username)
    response = client.get(reverse("measures:reminder_log"))
    assert response.status_code == status
    if status == 403:
        assert reverse("measures:my_letters") in response.text
        assert "Мои письма" in response.text
        return
    own = tenants.other if username == "grechkina" else tenants.home
    expected = Reminder.objects.all()
    if username != "admin":
        expected = expected.filter(municipality=own.municipality)
    assert expected.exists()
    assert response.context["page"].paginator.count == expected.count()
    shown = {reminder.municipality_id for reminder in response.context["rows"]}
    assert shown <= set(expected.values_list("municipality", flat=True))


def test_the_log_shows_rows_and_filters(client, tenants):
    scanned()
    login(client, "koordinator")
    rows = Reminder.objects.filter(municipality=tenants.home.municipality)
    page = client.get(reverse("measures:reminder_log"))
    first = rows.order_by("-remind_on", "-pk").select_related("occurrence__measure").first()
    measure = first.occurrence.measure
    assert (
        f"{reverse('measures:roadmap_detail', args=[measure.roadmap_id])}#measure-{measure.pk}"
        in page.text
    )
    assert "Последняя проверка" in page.text and "Очередь Celery" in page.text

    def count(**params) -> int:
        return client.get(reverse("measures:reminder_log"), params).context["page"].paginator.count

    assert count(status="sent") == rows.filter(status="sent").count() > 0
    assert count(status="queued") == rows.filter(status="queued").count()
    assert count(kind="overdue") == rows.filter(kind="overdue").count()
    assert count(recipient="direktor") == rows.filter(user__username="direktor").count() > 0
    assert count(school="СОШ № 2") == rows.filter(school__short_name="МКОУ СОШ № 2").count()
    assert count(date_from="2030-01-01") == 0
    assert count(date_to="2022-04-25") == rows.count()
    response = client.get(reverse("measures:reminder_log"), {"date_from": "вчера"})
    assert response.status_code == 200 and "Введите дату." in response.text


def test_the_log_lists_weekly_summaries_and_failed_letters(client, tenants):
    User.objects.filter(username="direktor").update(email="")
    Person.objects.filter(user__username="direktor").update(email="")
    scanned()
    login(client, "koordinator")
    page = client.get(reverse("measures:reminder_log"))
    weekly = ReminderLetter.objects.filter(kind="weekly")
    assert weekly.exists() and page.context["weekly"]
    failed = ReminderLetter.objects.get(user__username="direktor", status="failed")
    assert failed in page.context["failed"]
    assert "У получателя нет адреса электронной почты." in page.text
    client.force_login(User.objects.get(username="grechkina"))
    other = client.get(reverse("measures:reminder_log"))
    assert failed not in other.context["failed"]


def make_rows(tenants, n: int) -> None:
    """n reminders, weekly summaries and failed letters of the home tenant, each of its own
    recipient (with a registry person): what the log reads per row must not grow with them."""
    municipality = tenants.home.municipality
    occurrence = Occurrence.objects.filter(measure__roadmap__municipality=municipality).first()
    school = tenants.home.schools[0]
    day = date(2022, 4, 25)
    for i in range(n):
        user = factories.UserFactory()
        factories.PersonFactory(municipality=municipality, user=user, email=f"p{i}@example.org")
        letter = ReminderLetter.objects.create(
            user=user, kind="weekly", day=day, municipality=municipality,
            status="failed" if i % 2 else "sent", reason="550", address="x@example.org",
        )  # fmt: skip
        Reminder.objects.create(
            user=user, occurrence=occurrence, school=school, kind="overdue", remind_on=day,
            due_on=day - timedelta(days=3), municipality=municipality, status="sent", letter=letter,
        )  # fmt: skip


@pytest.mark.parametrize("n", [2, 12])
def test_the_log_query_count_does_not_grow(client, tenants, django_assert_num_queries, n):
    make_rows(tenants, n)
    login(client, "koordinator")
    client.get(reverse("measures:reminder_log"))  # warm up: content types, session
    # session, user, visible municipalities, their names (filter), count, page, weekly,
    # failed, health: last scan, last beat, counts, failed letters; the header's links
    with django_assert_num_queries(13):
        page = client.get(reverse("measures:reminder_log"))
    assert len(page.context["rows"]) == n


def test_my_letters(client, tenants):
    scanned()
    user = login(client, "direktor")
    page = client.get(reverse("measures:my_letters"))
    assert page.status_code == 200
    letters = ReminderLetter.objects.filter(user=user)
    assert letters.exists()
    for letter in letters:
        assert letter.subject in page.text
    assert "<details" in page.text and "Текст письма" in page.text
    assert reverse("measures:reminder_settings") in page.text
    client.force_login(User.objects.get(username="nablyudatel"))  # a reader: no letters
    assert list(client.get(reverse("measures:my_letters")).context["letters"]) == []
    assert len(mail.outbox) >= letters.count()


def test_the_header_links(client, tenants):
    login(client, "koordinator")
    page = client.get(reverse("measures:reminder_log")).text
    assert 'href="/roadmaps/reminders/" aria-current="page"' in page
    assert reverse("measures:reminder_settings") in page and reverse("measures:my_letters") in page
    login(client, "direktor")
    page = client.get(reverse("measures:my_letters")).text
    assert 'href="/roadmaps/reminders/"' not in page  # no «Напоминания» for a director
    assert f'href="{reverse("measures:my_letters")}" aria-current="page"' in page


@pytest.mark.parametrize("n", [1, 15])
def test_my_letters_query_count_does_not_grow(client, tenants, django_assert_num_queries, n):
    user = login(client, "direktor")
    for i in range(n):
        ReminderLetter.objects.create(
            user=user, kind="digest", day=date(2026, 11, 1) + timedelta(days=i), status="sent",
            subject=f"Письмо {i}", body=f"Текст {i}", address="direktor@example.org",
        )  # fmt: skip
    client.get(reverse("measures:my_letters"))  # warm up
    with django_assert_num_queries(NUM_MY_LETTERS):
        page = client.get(reverse("measures:my_letters"))
    assert len(page.context["letters"]) == n


NUM_MY_LETTERS = 5  # session, user, count, page, the header
