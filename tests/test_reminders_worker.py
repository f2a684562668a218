"""Deadline reminders proven with real parts: a real Celery worker process on the real Redis
broker, a local SMTP server (aiosmtpd) that records what it receives, time moved by `--now`.

Find them with `pytest -m reminder_worker`."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.utils import timezone

from measures import reminders
from measures.models import (
    Measure,
    Occurrence,
    Reminder,
    ReminderLetter,
    ReminderSettings,
    Report,
    Roadmap,
)
from schools.models import Appointment, School
from tests import factories

pytestmark = pytest.mark.reminder_worker

PORTAL = "http://portal.test"
NOW = "2026-11-24 10:00"  # a Tuesday; the control date 2026-12-01 is 7 days away
DUE = date(2026, 12, 1)


def worker_env(smtp) -> dict[str, str]:
    return {"EMAIL_HOST": smtp.host, "EMAIL_PORT": str(smtp.port), "PORTAL_URL": PORTAL}


@pytest.fixture
def mail_to(db, settings, smtp_server):
    """The in-process side sends over the same SMTP server the worker uses."""
    settings.PORTAL_URL = PORTAL
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": smtp_server.host, "port": smtp_server.port, "timeout": 10},
        }
    }
    return smtp_server


def approved_roadmap(**fields) -> Roadmap:
    authority = factories.OrganisationFactory(**fields)
    act = factories.LegalActFactory(issuer=authority, date=date(2026, 1, 15))
    return factories.RoadmapFactory(
        municipality=authority.municipality,
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        approved_by=act,
    )


def approve(roadmap: Roadmap) -> None:
    Roadmap.objects.filter(pk=roadmap.pk).update(status=Roadmap.Status.APPROVED)


def build(people: int, pairs: int, due: list[date] = (DUE,)) -> tuple[list[User], Roadmap]:
    """`people` schools, each with its director (an e-mail each), and measures «Руководители
    ОУ» for named schools with control dates `due`, `pairs` (occurrence, school) pairs in all,
    spread over the schools; bulk-written. The users in the order of their ids."""
    roadmap = approved_roadmap()
    municipality = roadmap.municipality
    schools = School.objects.bulk_create(
        School(municipality=municipality, short_name=f"МКОУ СОШ № {n}", name=f"Школа {n}")
        for n in range(people)
    )
    users = User.objects.bulk_create(
        User(username=f"director{n}", email=f"director{n}@example.org", first_name=f"Д{n}")
        for n in range(people)
    )
    Appointment.objects.bulk_create(
        Appointment(user=user, role=Appointment.Role.DIRECTOR, school=school)
        for user, school in zip(users, schools, strict=True)
    )
    per_date = len(due)
    measures_needed = -(-pairs // (people * per_date))
    measures = Measure.objects.bulk_create(
        Measure(
            roadmap=roadmap, position=n + 1, number=f"1.{n + 1}", title=f"Мероприятие {n + 1}",
            owners_text="Руководители ОУ", deadline_text="Декабрь 2026г.",
            planned_result=f"Результат {n + 1}", all_designated_schools=False,
        )
        for n in range(measures_needed)
    )  # fmt: skip
    links, left = [], pairs
    for measure in measures:
        take = min(people, left // per_date)
        links += [
            Measure.schools.through(measure_id=measure.pk, school_id=s.pk) for s in schools[:take]
        ]
        left -= take * per_date
    Measure.schools.through.objects.bulk_create(links)
    Occurrence.objects.bulk_create(
        Occurrence(measure=m, due_on=day, kind=Occurrence.Kind.DUE) for m in measures for day in due
    )
    approve(roadmap)
    return users, roadmap


def scan(now: str = NOW, **options) -> None:
    call_command("send_reminders", now=now, future=True, stdout=_Quiet(), **options)


class _Quiet:
    def write(self, text: str) -> None:
        pass

    def flush(self) -> None:
        pass


def wait_sent(smtp, letters: int, messages: int | None = None, timeout: float = 60) -> None:
    def done() -> bool:
        sent = ReminderLetter.objects.filter(status=ReminderLetter.Status.SENT).count()
        return sent >= letters and len(smtp.messages()) >= (messages or letters)

    smtp.wait_for(done, timeout, f"{letters} letters sent")


def test_a_thousand_pairs_one_row_each_and_one_digest_per_person(
    start_celery_worker, smtp_server, settings
):
    settings.PORTAL_URL = PORTAL
    users, _roadmap = build(people=300, pairs=1000)
    start_celery_worker(worker_env(smtp_server))

    scan(queue=True)
    wait_sent(smtp_server, 300)

    assert Reminder.objects.count() == 1000
    assert Reminder.objects.filter(status=Reminder.Status.SENT, kind="soon").count() == 1000
    assert Reminder.objects.values("user", "occurrence", "school").distinct().count() == 1000
    letters = {letter.user_id: letter for letter in ReminderLetter.objects.all()}
    assert len(letters) == 300
    assert {letter.status for letter in letters.values()} == {ReminderLetter.Status.SENT}
    received = smtp_server.messages()
    assert len(received) == 300
    by_address = {m.recipients[0]: m for m in received}
    assert len(by_address) == 300
    for user in users:
        message = by_address[user.email]
        letter = letters[user.pk]
        assert message.message_id == reminders.message_id(letter) == letter.message_id
        parsed = message.message
        assert parsed["List-Unsubscribe"].startswith(f"<{PORTAL}/")
        assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # each person's letter lists that person's pairs: 4 for the first 100 schools, else 3
    rows = Counter(Reminder.objects.values_list("user", flat=True))
    assert sorted(Counter(rows.values()).items()) == [(3, 200), (4, 100)]

    for again in (NOW, "2026-11-24 10:01", "2026-11-24 17:45"):
        scan(now=again, queue=True)
    assert Reminder.objects.count() == 1000
    assert ReminderLetter.objects.count() == 300
    call_command(
        "send_reminders", now="2026-11-24 18:00", future=True, stdout=_Quiet()
    )  # in process too
    assert len(smtp_server.messages()) == 300


def test_a_worker_killed_in_the_middle_of_sending(start_celery_worker, smtp_server, settings):
    """The server records the 60th person's letter and holds its «250»: the worker is killed
    with SIGKILL right then — the letter reached the server, its send was not committed (a
    connection lost after the data). The restarted worker and a scan of the same moment send
    what is left: one letter per person, the held one once more with the same Message-ID."""
    settings.PORTAL_URL = PORTAL
    users, _roadmap = build(people=300, pairs=300)
    held = users[59].email
    smtp_server.hold.add(held)
    worker = start_celery_worker(worker_env(smtp_server))

    scan(queue=True)
    smtp_server.wait_for(lambda: smtp_server.to(held), 60, "the held letter")
    worker.kill()
    smtp_server.release.set()
    before_kill = len(smtp_server.messages())
    assert before_kill >= 60
    held_letter = ReminderLetter.objects.get(user__email=held)
    assert held_letter.status == ReminderLetter.Status.SENDING  # not committed

    worker.restart()
    scan(queue=True)  # the catch-up queues what is unsent (the broker's unacked stay away)
    wait_sent(smtp_server, 300, 301)

    received = smtp_server.messages()
    ids_by_person: dict[str, Counter] = {}
    for message in received:
        ids_by_person.setdefault(message.recipients[0], Counter())[message.message_id] += 1
    assert set(ids_by_person) == {u.email for u in users}
    letters = {letter.user_id: letter for letter in ReminderLetter.objects.all()}
    for user in users:
        ids = ids_by_person[user.email]
        assert list(ids) == [reminders.message_id(letters[user.pk])], user.email
    duplicates = len(received) - len(users)
    assert duplicates <= 1  # the letters in flight at the kill: one, with concurrency 1
    assert ids_by_person[held][reminders.message_id(letters[users[59].pk])] == 2
    print(f"\nkilled after {before_kill} received; raw duplicates {duplicates}")
    assert Reminder.objects.filter(status=Reminder.Status.SENT).count() == 300


def test_beat_stopped_across_two_due_dates_catches_up_once(mail_to, settings):
    assert settings.CELERY_BEAT_SCHEDULE["scan-reminders"]["task"] == (
        "measures.tasks.scan_reminders"
    )
    assert str(settings.CELERY_BEAT_SCHEDULE["scan-reminders"]["schedule"]._orig_minute) == "*/15"
    _users, _roadmap = build(people=1, pairs=2, due=[date(2026, 12, 1), date(2026, 12, 3)])
    scan(now="2026-11-24 10:00")  # 7 days before the first: «скоро срок», the second not yet
    assert list(Reminder.objects.values_list("kind", "remind_on", "due_on")) == [
        ("soon", date(2026, 11, 24), date(2026, 12, 1))
    ]
    assert len(mail_to.messages()) == 1

    # no scan from 24.11 10:00 until Monday 07.12: both dates came and passed meanwhile
    scan(now="2026-12-07 10:00")
    new = Reminder.objects.exclude(remind_on=date(2026, 11, 24)).order_by("due_on")
    assert list(new.values_list("kind", "remind_on", "due_on", "status")) == [
        ("overdue", date(2026, 12, 5), date(2026, 12, 1), "sent"),  # 02.12, then every 3 days
        ("overdue", date(2026, 12, 7), date(2026, 12, 3), "sent"),
    ]
    assert ReminderLetter.objects.count() == 2
    assert len(mail_to.messages()) == 2
    assert "просрочено: 2" in mail_to.messages()[1].subject

    scan(now="2026-12-07 10:15")
    scan(now="2026-12-07 16:00")
    assert Reminder.objects.count() == 3
    assert len(mail_to.messages()) == 2


def one_person(**settings_fields) -> User:
    users, _roadmap = build(people=1, pairs=1)
    if settings_fields:
        ReminderSettings.objects.create(user=users[0], **settings_fields)
    return users[0]


def test_a_person_without_an_address(mail_to):
    user = one_person()
    User.objects.filter(pk=user.pk).update(email="")
    scan()
    row = Reminder.objects.get()
    assert row.status == Reminder.Status.FAILED
    assert row.reason == "У получателя нет адреса электронной почты."
    assert ReminderLetter.objects.get().status == ReminderLetter.Status.FAILED
    assert mail_to.messages() == [] and mail_to.rcpt_attempts == []


def test_a_bounced_address_fails_and_is_not_tried_again(mail_to):
    user = one_person(offsets=[7, 6])
    mail_to.refused[user.email] = "Mailbox does not exist"
    scan()
    row = Reminder.objects.get()
    assert row.status == Reminder.Status.FAILED
    assert "550" in row.reason and "Mailbox does not exist" in row.reason
    prefs = ReminderSettings.objects.get(user=user)
    assert prefs.bounced_address == user.email
    assert "Mailbox does not exist" in prefs.bounced_reason
    assert mail_to.rcpt_attempts == [user.email]

    scan(now="2026-11-25 10:00")  # 6 days before: the next reminder, to the same address
    nextday = Reminder.objects.get(remind_on=date(2026, 11, 25))
    assert nextday.status == Reminder.Status.FAILED
    assert "ранее отклонил" in nextday.reason
    assert mail_to.rcpt_attempts == [user.email]  # no SMTP attempt
    assert mail_to.messages() == []


def test_a_paused_person(mail_to):
    one_person(paused_until=date(2026, 11, 30))
    scan()
    row = Reminder.objects.get()
    assert row.status == Reminder.Status.SUPPRESSED
    assert "30.11.2026" in row.reason
    assert not ReminderLetter.objects.exists()
    assert mail_to.messages() == []


@pytest.mark.parametrize(
    ("holiday", "due", "next_working"),
    [
        ("2026-11-04 10:00", date(2026, 11, 11), "2026-11-05 10:00"),  # День народного единства
        ("2026-01-07 10:00", date(2026, 1, 14), "2026-01-12 10:00"),  # Рождество, then a weekend
    ],
)
def test_a_holiday_waits_for_the_next_working_day(mail_to, holiday, due, next_working):
    users, _roadmap = build(people=1, pairs=1, due=[due])
    scan(now=holiday)
    row = Reminder.objects.get()
    assert row.status == Reminder.Status.QUEUED
    assert row.reason == "Нерабочий день: письмо уйдёт в ближайший рабочий день."
    assert not ReminderLetter.objects.exists() and mail_to.messages() == []

    scan(now=next_working)
    row.refresh_from_db()
    assert row.status == Reminder.Status.SENT
    assert [m.recipients for m in mail_to.messages()] == [[users[0].email]]


def test_a_report_submitted_before_the_letter(mail_to):
    user = one_person()
    scan(now="2026-11-24 08:00")  # the row is there; the person's hour (9:00) has not come
    row = Reminder.objects.get()
    assert row.status == Reminder.Status.QUEUED
    Report.objects.create(
        occurrence_id=row.occurrence_id,
        school_id=row.school_id,
        status=Report.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    scan(now="2026-11-24 10:00")
    row.refresh_from_db()
    assert row.status == Reminder.Status.SUPPRESSED
    assert row.reason.startswith("Напоминать больше не о чем: отчёт отправлен или принят")
    assert mail_to.messages() == []
    assert user.reminder_letters.count() == 0
