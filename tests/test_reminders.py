"""Deadline reminders without a worker: when, whom, the working days, the letters' content, the
weekly summary, the commands, and the scan's query count (tests/test_reminders_worker.py proves
the sending with a real worker and SMTP server)."""

from __future__ import annotations

import io
import json
from datetime import date, datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from measures import reminders
from measures.models import Reminder, ReminderLetter, ReminderSettings
from measures.reminders import COORDINATORS, SCHOOL, WORKING_GROUP, owner_audience
from tests import factories
from tests.test_reminders_worker import DUE, PORTAL, build

D = date


def at(text: str) -> datetime:
    return timezone.make_aware(datetime.strptime(text, "%Y-%m-%d %H:%M"))


# --- when ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2026, 11, 23), None),  # 8 days before
        (D(2026, 11, 24), ("soon", D(2026, 11, 24))),  # 7 days before
        (D(2026, 11, 29), ("soon", D(2026, 11, 24))),  # still the 7-day one
        (D(2026, 11, 30), ("soon", D(2026, 11, 30))),  # 1 day before
        (D(2026, 12, 1), ("soon", D(2026, 11, 30))),  # no offset 0 by default
        (D(2026, 12, 2), ("overdue", D(2026, 12, 2))),  # the day after
        (D(2026, 12, 4), ("overdue", D(2026, 12, 2))),
        (D(2026, 12, 5), ("overdue", D(2026, 12, 5))),  # every 3 days
        (D(2026, 12, 20), ("overdue", D(2026, 12, 20))),  # latest only after a gap
        (D(2027, 2, 1), ("overdue", D(2026, 12, 29))),  # not after the roadmap's end
    ],
)
def test_reminder_point(today, expected):
    assert reminders.reminder_point(DUE, today, [7, 1], 3, D(2026, 12, 31)) == expected


def test_reminder_point_on_the_day_with_offset_zero():
    assert reminders.reminder_point(DUE, DUE, [0, 3], 1, D(2026, 12, 31)) == ("today", DUE)
    assert reminders.reminder_point(DUE, D(2026, 12, 9), [0], 1, D(2026, 12, 31)) == (
        "overdue",
        D(2026, 12, 9),
    )


# --- whom ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "audience"),
    [
        ("Руководители ОУ", {SCHOOL}),
        ("Специалисты УО Руководители ОУ", {SCHOOL, COORDINATORS}),
        ("Отдел образования", {COORDINATORS}),
        ("Муниципальный и школьные координаторы", {COORDINATORS, SCHOOL}),
        ("Члены рабочей группы", {WORKING_GROUP}),
        ("Муниципальный координтор", {COORDINATORS}),  # the seed's typo: still «координ…»
        ("МОО, консультант", {COORDINATORS}),
        ("Руководители ШНОР", {SCHOOL}),
        ("", set()),
        # municipal bodies and their people
        ("Отдел по образованию", {COORDINATORS}),
        ("Департамент образования", {COORDINATORS}),
        ("ИМЦ", {COORDINATORS}),
        ("МКУ «ЦРО»", {COORDINATORS}),
        ("Заведующий РМК", {COORDINATORS}),
        ("Руководитель ММС", {COORDINATORS}),
        ("Руководитель отдела образования", {COORDINATORS}),
        ('Директор МКУ "Методический центр"', {COORDINATORS}),
        ("Заместитель начальника управления образования", {COORDINATORS}),
        # the school's own people
        ("Администрация ОО", {SCHOOL}),
        ("Специалисты ОО", {SCHOOL}),
        ("Заместитель директора по УВР", {SCHOOL}),
        ("Классные руководители", {SCHOOL}),
        ("Учителя-предметники", {SCHOOL}),
        ("Методическое объединение учителей", {SCHOOL}),
        ("Руководитель муниципального отдела образования, руководители ОО", {COORDINATORS, SCHOOL}),
        ("Отдел кадров", set()),
    ],
)
def test_owner_audience(text, audience):
    assert owner_audience(text) == audience


def test_owner_audience_of_a_linked_municipal_organisation():
    assert owner_audience("Иванова И.И.", ["authority"]) == {COORDINATORS}


@pytest.mark.django_db
def test_named_person_then_directors_then_coordinators():
    home = factories.tenant(
        factories.HOME, coordinator="koordinator", working_group="rabgruppa", director="direktor"
    )
    measure = home.measures[0]
    school, bare = home.schools
    measure.owners_text = "Иванова И.И."
    measure.save(update_fields=["owners_text"])
    ids = {measure.pk}
    people = reminders.audience_for(ids, {school.pk, bare.pk})
    # nobody found behind the text: the school's directors, else the coordinators
    assert people.people(measure.pk, school.pk) == {home.director.pk}
    assert people.people(measure.pk, bare.pk) == {home.coordinator.pk}
    # a person linked to a user named among the owners: that person only
    measure.owners.add(home.working_group.person)
    people = reminders.audience_for(ids, {school.pk})
    assert people.people(measure.pk, school.pk) == {home.working_group.pk}


# --- working days ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2025, 11, 1), True),  # a Saturday made a working day
        (D(2025, 11, 8), False),  # a plain Saturday
        (D(2026, 1, 5), False),
        (D(2026, 11, 4), False),
        (D(2026, 11, 24), True),
    ],
)
def test_is_working_day(day, working):
    assert reminders.is_working_day(day) is working


# --- the letters ------------------------------------------------------------------------------


@pytest.fixture
def portal(settings):
    settings.PORTAL_URL = PORTAL


@pytest.mark.django_db
def test_the_digest_groups_overdue_today_and_soon(portal):
    users, _roadmap = build(people=1, pairs=3, due=[D(2026, 11, 20), D(2026, 11, 24), DUE])
    ReminderSettings.objects.create(user=users[0], offsets=[7, 0])
    call_command("send_reminders", now="2026-11-24 10:00", future=True, stdout=io.StringIO())
    [letter] = mail.outbox
    assert letter.subject == (
        "Сроки мероприятий дорожных карт — просрочено: 1, срок сегодня: 1, скоро срок: 1"
    )
    text, (html, _type) = letter.body, letter.alternatives[0]
    for part in ("ПРОСРОЧЕНО", "СРОК СЕГОДНЯ", "СКОРО СРОК", "просрочено на 4 дня",
                 "осталось 7 дней", "Результат 1"):  # fmt: skip
        assert part in text, part
    assert text.index("ПРОСРОЧЕНО") < text.index("СРОК СЕГОДНЯ") < text.index("СКОРО СРОК")
    row = Reminder.objects.filter(status="sent").first()
    report = PORTAL + reverse(
        "measures:report_edit",
        kwargs={"occurrence_pk": row.occurrence_id, "school_pk": row.school_id},
    )
    assert report in text and report in html  # the director's link is the report page
    assert "Результат 1" in html
    assert row.letter.message_id == letter.extra_headers["Message-ID"]


@pytest.mark.django_db
def test_the_weekly_summary_goes_to_coordinators_and_the_chair_once_a_week(portal):
    from schools.models import WorkingGroupMember

    home = factories.tenant(
        factories.HOME, coordinator="koordinator", working_group="rabgruppa", year=2026
    )
    group = factories.WorkingGroupFactory(municipality=home.municipality, year=2026)
    WorkingGroupMember.objects.create(
        group=group, person=home.working_group.person, role="chair", position=1
    )
    from schools.services import appoint

    substitute = factories.UserFactory(username="zam", email="zam@example.org")
    stranger = factories.UserFactory(username="chuzhoy", email="chuzhoy@example.org")
    appoint(user=substitute, role="working_group", target=home.municipality)
    municipality = home.municipality.pk
    monday = at("2026-11-23 10:00")
    assert set(reminders.due_weekly(monday)) == {
        (home.coordinator.pk, municipality),
        (home.working_group.pk, municipality),
    }
    # a substitute without a role in the municipality does not get its summary: the
    # coordinator still does
    mine = ReminderSettings.objects.create(
        user=home.coordinator, weekly_enabled=False, weekly_substitute=stranger
    )
    assert (home.coordinator.pk, municipality) in set(reminders.due_weekly(monday))
    mine.weekly_substitute = substitute
    mine.save()
    assert set(reminders.due_weekly(monday)) == {
        (substitute.pk, municipality),
        (home.working_group.pk, municipality),
    }
    call_command("send_reminders", now="2026-11-23 10:00", future=True, stdout=io.StringIO())
    weekly = sorted(
        (m.to[0], m.subject) for m in mail.outbox if m.subject.startswith("Еженедельная")
    )
    assert [to for to, _subject in weekly] == ["rabgruppa@example.org", "zam@example.org"]
    assert weekly[0][1].startswith("Еженедельная сводка: " + factories.HOME + " — просрочено")
    assert reminders.due_weekly(at("2026-11-25 10:00")) == []  # once per week
    assert len(reminders.due_weekly(at("2026-11-30 10:00"))) == 2  # the next week's


# --- the commands ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_send_reminders_dry_run_json_and_a_bad_now(portal):
    build(people=2, pairs=2)
    out = io.StringIO()
    call_command("send_reminders", now="2026-11-24 10:00", dry_run=True, stdout=out)
    assert "пробная, ничего не сохранено" in out.getvalue()
    assert "новых напоминаний 2" in out.getvalue()
    assert not Reminder.objects.exists() and not ReminderLetter.objects.exists()
    assert mail.outbox == []

    out = io.StringIO()
    call_command("send_reminders", now="2026-11-24 10:00", json=True, future=True, stdout=out)
    data = json.loads(out.getvalue())
    assert data["created"] == 2 and data["digests"] == 2 and data["letters"] == {"sent": 2}
    assert data["working_day"] is True

    with pytest.raises(CommandError, match="ожидается «ГГГГ-ММ-ДД ЧЧ:ММ»"):
        call_command("send_reminders", now="24.11.2026")


@pytest.mark.django_db
def test_reminders_status(portal):
    build(people=1, pairs=1)
    call_command("send_reminders", now="2026-11-24 10:00", future=True, stdout=io.StringIO())
    out = io.StringIO()
    call_command("reminders_status", stdout=out)
    text = out.getvalue()
    assert "(Вручную (send_reminders))" in text
    assert "Последняя проверка по расписанию (beat): никогда" in text
    assert "Проверка по расписанию не выполнялась больше 30 минут" in text
    assert "отправлено 1" in text
    out = io.StringIO()
    call_command("reminders_status", json=True, stdout=out)
    assert json.loads(out.getvalue())["sent"] == 1


# --- the scan's cost ------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("people", [3, 60])
def test_the_scan_query_count_does_not_grow_with_the_pairs(people):
    build(people=people, pairs=people * 3)
    with CaptureQueriesContext(connection) as queries:
        result = reminders.scan(at("2026-11-24 10:00"), enqueue=False)
    assert result.pairs == people * 3 and result.created == people * 3
    assert len(queries) == 19, [q["sql"][:80] for q in queries]


# --- what the letter checks again before it goes ----------------------------------------------


def _queued(user) -> list[Reminder]:
    return list(Reminder.objects.filter(user=user).order_by("pk"))


@pytest.mark.django_db
def test_a_retired_control_date_is_not_reminded_of(portal):
    from measures.models import Occurrence

    build(people=1, pairs=1)
    Occurrence.objects.update(retired=True)  # gone from the deadline, kept for its reports
    assert reminders.open_pairs(D(2026, 12, 10)) == []


@pytest.mark.django_db
def test_a_moved_control_date_is_not_sent_with_the_old_date(portal):
    from measures.models import Occurrence, Report

    [user], _roadmap = build(people=1, pairs=1)
    reminders.scan(at("2026-12-02 00:10"), enqueue=False)  # overdue since 01.12
    [row] = _queued(user)
    assert row.kind == "overdue"
    # the working group accepts a postponement to 20.12: the report is a draft on the new date
    Report.objects.create(
        occurrence=Occurrence.objects.get(), school=row.school, due_on=D(2026, 12, 20)
    )
    assert reminders.send_digest(user.pk, D(2026, 12, 2)) == "suppressed"
    row.refresh_from_db()
    assert (row.status, row.reason) == ("suppressed", "Контрольный срок школы перенесён.")
    assert mail.outbox == []
    # the new date gets its own reminders (7 days before 20.12)
    reminders.scan(at("2026-12-14 10:00"), enqueue=False)
    assert [r.due_on for r in _queued(user) if r.status == "queued"] == [D(2026, 12, 20)]


@pytest.mark.django_db
def test_a_pair_waiting_over_holidays_is_listed_once(portal):
    [user], _roadmap = build(people=1, pairs=1)
    ReminderSettings.objects.create(user=user, overdue_every=1)
    for day in ("2026-12-02", "2026-12-03", "2026-12-04"):  # rows of three days, no letter
        reminders.scan(at(f"{day} 08:00"), enqueue=False)
    assert Reminder.objects.filter(user=user, status="queued").count() == 3
    assert reminders.send_digest(user.pk, D(2026, 12, 4)) == "sent"
    [letter] = mail.outbox
    assert letter.body.count("МКОУ СОШ № 0:") == 1
    assert "просрочено: 1" in letter.subject
    assert "просрочено на 3 дня" in letter.body
    assert Reminder.objects.filter(user=user, status="sent").count() == 3


@pytest.mark.django_db
def test_a_director_no_longer_appointed_gets_nothing(portal):
    from schools.models import Appointment

    [user], _roadmap = build(people=1, pairs=1)
    reminders.scan(at("2026-11-24 08:00"), enqueue=False)
    Appointment.objects.filter(user=user).delete()
    assert reminders.send_digest(user.pk, D(2026, 11, 24)) == "suppressed"
    [row] = _queued(user)
    assert row.reason == "Получатель больше не отвечает за это мероприятие в этой школе."
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_returned_report_is_reminded_of_again_the_same_day(portal):
    from measures.models import Occurrence, Report

    [user], _roadmap = build(people=1, pairs=1)
    reminders.scan(at("2026-12-02 08:00"), enqueue=False)
    report = Report.objects.create(
        occurrence=Occurrence.objects.get(),
        school=_queued(user)[0].school,
        status=Report.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    assert reminders.send_digest(user.pk, D(2026, 12, 2)) == "suppressed"
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.RETURNED, reviewed_at=timezone.now(), review_comment="Нет файла"
    )
    result = reminders.scan(at("2026-12-02 10:00"), enqueue=False)
    [row] = _queued(user)
    assert (row.status, result.digests) == ("queued", [user.pk])
    assert reminders.send_digest(user.pk, D(2026, 12, 2)) == "sent"


@pytest.mark.django_db
def test_a_future_moment_needs_dry_run_or_future():
    with pytest.raises(CommandError, match="ещё не наступил"):
        call_command("send_reminders", now="2999-01-11 10:00")
    call_command("send_reminders", now="2999-01-11 10:00", dry_run=True, stdout=io.StringIO())


@pytest.mark.django_db
def test_a_mail_server_down_leaves_the_rows_queued_and_pauses_the_retry(portal, settings):
    from datetime import timedelta

    settings.MAILERS = {  # nothing listens on port 9 of this machine: connection refused
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 2},
        }
    }
    [user], _roadmap = build(people=1, pairs=1)
    reminders.scan(at("2026-11-24 08:00"), enqueue=False)
    with pytest.raises(reminders.TransientMailError):
        reminders.send_digest(user.pk, D(2026, 11, 24))
    [row] = _queued(user)
    letter = ReminderLetter.objects.get(user=user)
    assert row.status == "queued" and letter.status == "sending" and letter.attempts == 1
    assert letter.reason.startswith("Почтовый сервер недоступен, повтор позже")
    # the next scan does not queue it again before the pause is over …
    assert reminders.scan(at("2026-11-24 10:00"), enqueue=False).digests == []
    # … and does after it (15 minutes for the first attempt)
    ReminderLetter.objects.filter(pk=letter.pk).update(
        attempted_at=timezone.now() - timedelta(minutes=16)
    )
    assert reminders.scan(at("2026-11-24 10:15"), enqueue=False).digests == [user.pk]


@pytest.mark.django_db
def test_the_weekly_summary_is_not_sent_to_a_refused_address(portal):
    home = factories.tenant(
        factories.HOME, coordinator="koordinator", working_group="rabgruppa", year=2026
    )
    ReminderSettings.objects.create(
        user=home.coordinator, bounced_address=home.coordinator.email, bounced_reason="550 нет"
    )
    monday = D(2026, 11, 23)
    outcome = reminders.send_weekly(home.coordinator.pk, home.municipality.pk, monday, monday)
    letter = ReminderLetter.objects.get(user=home.coordinator, kind="weekly")
    assert (outcome, letter.status) == ("failed", "failed")
    assert letter.reason.startswith("Почтовый сервер ранее отклонил адрес")
    assert mail.outbox == []
