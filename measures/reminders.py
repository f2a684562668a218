"""Deadline reminders: who is reminded of which control date, when, and the letters that carry
them — each reminder sent exactly once.

The unit is a reminder row (`Reminder`): a person, a control pair (occurrence, school), a kind
and a day, unique on all of them. The scan (`scan`, every 15 minutes by beat, or
`manage.py send_reminders --now …`) works out, for each open control pair of an approved
roadmap and each person it concerns, the latest reminder day that has come (the offsets
before the control date, then every N days once it is overdue, until the roadmap ends) and
inserts that row with `INSERT … ON CONFLICT DO NOTHING`: a second scan adds nothing, and a scan
after a day of downtime adds one row per pair — the latest — not every day it missed.

Then it queues, after commit, the day's digest of each person whose hour has come on a working
day (Russian calendar of the `holidays` package: public holidays and transferred working days)
and the week's summary of each coordinator. A digest (`send_digest`) locks its letter row
(unique per person and day), takes the person's queued rows, sends one letter over an SMTP
connection it keeps open, marks the rows sent in the same transaction, commits, and only then
says QUIT: a worker killed before the commit sends the letter again with the same Message-ID
(derived from the letter row), so that a duplicate is recognisable downstream.

Whether a pair is still open: no report, or a draft or returned one. A report on review waits
for the working group (the school has done its part); an accepted one is closed.
"""

from __future__ import annotations

import email.policy
import re
import smtplib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

import holidays
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import connection, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from measures.models import (
    DEFAULT_REMINDER_HOUR,
    REMINDER_OFFSETS,
    ControlPair,
    Measure,
    Occurrence,
    Reminder,
    ReminderLetter,
    ReminderScan,
    ReminderSettings,
    Report,
    Roadmap,
)
from schools.models import Appointment, Municipality, Organisation, WorkingGroupMember

OPEN_REPORT_STATUSES = ("", Report.Status.DRAFT, Report.Status.RETURNED)
MAX_OFFSET = 14
UNSUBSCRIBE_SALT = "measures.reminders.unsubscribe"

# --- Working days --------------------------------------------------------------------------


@lru_cache(maxsize=16)
def _calendar(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("RU", years=year)


def is_working_day(day: date) -> bool:
    """A working day of the Russian production calendar: not a weekend or a public holiday
    (with the days off moved by government decree), and a Saturday made a working day is one."""
    return _calendar(day.year).is_working_day(day)


def local(moment: datetime) -> datetime:
    return timezone.localtime(moment)


# --- Preferences ---------------------------------------------------------------------------


def settings_of(user_ids: list[int] | set[int]) -> dict[int, ReminderSettings]:
    """Each user's settings: the saved ones, else the defaults (unsaved). One query."""
    saved = {s.user_id: s for s in ReminderSettings.objects.filter(user__in=list(user_ids))}
    return {uid: saved.get(uid) or ReminderSettings(user_id=uid) for uid in user_ids}


def address_of(user: Any) -> str:
    """Where the person's letters go: the account's address, else the registry's."""
    if user.email.strip():
        return user.email.strip()
    person = getattr(user, "person", None)
    return person.email.strip() if person is not None and person.email else ""


def unsubscribe_token(user_id: int, kind: str) -> str:
    return signing.dumps({"u": user_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[int, str] | None:
    """The (user id, letter kind) of an unsubscribe link; None when it was not made here."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("k") not in ReminderLetter.Kind.values:
        return None
    return int(data["u"]), data["k"]


def portal_url(path: str) -> str:
    return settings.PORTAL_URL.rstrip("/") + path


# --- Who is reminded -----------------------------------------------------------------------

SCHOOL = "school"  # the directors (and school coordinators) of the school concerned
COORDINATORS = "coordinators"  # the municipality's coordinators
WORKING_GROUP = "working_group"  # the municipality's working group

# the municipal bodies owners name: «Отдел образования», «Управление по образованию», УО, МОО,
# ИМЦ, РМК, ММС, ЦРО, «Методический центр» …
_MUNICIPAL_BODY = (
    r"(?:отдел|управлен|департамент|комитет)\w*\s+(?:по\s+)?образован|"
    r"\b(?:уо|моо|моуо|руо|мку|имц|ммц|рмк|ммс|рмо|цро|цоко)\b|"
    r"методическ\w*\s+(?:центр|кабинет|служб)"
)
# people of a municipal body named by their post: «Руководитель отдела образования», «Директор
# МКУ "Методический центр"», «Заведующий РМК», «Специалисты УО» — read first and taken out, so
# that «руководитель», «директор» do not also make them school people
_MUNICIPAL_POST = re.compile(
    r"(?:руководител|директор|заведующ|начальник|специалист|консультант|методист|заместител)"
    r"\w*\s+(?:\w+\s+)?[«\"']?(?:" + _MUNICIPAL_BODY + r"|отдел|управлен|департамент|комитет)"
)
# the school's own administration and staff: «Администрация ОО», «Специалисты школы»,
# «Методическое объединение учителей» — school people, not the municipality's
_SCHOOL_POST = re.compile(
    r"(?:администрац|специалист|методическ\w*\s+объединен)\w*\s+(?:\w+\s+)?(?:\bоо\b|\bоу\b|школ)"
)
_AUDIENCE_WORDS = (
    (
        COORDINATORS,
        re.compile(
            _MUNICIPAL_BODY + r"|муниципальн\w*(?:\s+и\s+школьн\w*)?\s+координ|"
            r"специалист|консультант|методист|администрац"
        ),
    ),
    (
        SCHOOL,
        re.compile(
            r"руководител|директор|заведующ|школьн\w*\s+координ|\bоу\b|\bоо\b|\bоо?у\b|"
            r"образовательн\w*\s+(?:учрежден|организац)|шнор|шнсу|школ|педагог|учител"
        ),
    ),
    (WORKING_GROUP, re.compile(r"рабоч\w*\s+групп")),
)
_MUNICIPAL_ORGANISATIONS = {
    Organisation.Kind.AUTHORITY,
    Organisation.Kind.ADMINISTRATION,
    Organisation.Kind.METHODOLOGICAL_CENTRE,
}


def owner_audience(owners_text: str, organisation_kinds: list[str] = ()) -> set[str]:
    """Whom the owners as written stand for: «Руководители ШНОР» the schools' directors,
    «Отдел образования», «Муниципальный координатор», «Руководитель ИМЦ» the coordinators,
    «Члены рабочей группы» the working group. Named persons are read from the measure's linked
    owners, not here."""
    text = " ".join(owners_text.lower().replace("ё", "е").split())
    found: set[str] = set()
    for pattern, audience in ((_MUNICIPAL_POST, COORDINATORS), (_SCHOOL_POST, SCHOOL)):
        if pattern.search(text):
            found.add(audience)
            text = pattern.sub(" ", text)
    found |= {audience for audience, words in _AUDIENCE_WORDS if words.search(text)}
    if _MUNICIPAL_ORGANISATIONS.intersection(organisation_kinds):
        found.add(COORDINATORS)
    return found


@dataclass
class Audience:
    """The people behind the owners of a set of measures: read once per scan or digest."""

    measures: dict[int, dict[str, Any]]
    directors: dict[int, set[int]]  # school id → user ids
    coordinators: dict[int, set[int]]  # municipality id → user ids
    working_group: dict[int, set[int]]  # municipality id → user ids

    def people(self, measure_id: int, school_id: int) -> set[int]:
        """The users reminded of the measure's control date for this school. Owners nobody
        could be found behind (no text, or text naming nobody with an account) fall to the
        school's directors, and with no director to the coordinators: never to no one."""
        measure = self.measures[measure_id]
        municipality = measure["municipality"]
        users: set[int] = set(measure["named"])
        if SCHOOL in measure["audience"]:
            users |= self.directors.get(school_id, set())
        if COORDINATORS in measure["audience"]:
            users |= self.coordinators.get(municipality, set())
        if WORKING_GROUP in measure["audience"]:
            users |= self.working_group.get(municipality, set())
        if not users:
            users = self.directors.get(school_id) or self.coordinators.get(municipality, set())
        return set(users)


def audience_for(measure_ids: set[int], school_ids: set[int]) -> Audience:
    """Four queries whatever the number of measures: the measures, their linked owners and
    organisations, and the appointments."""
    measures: dict[int, dict[str, Any]] = {}
    for pk, text, municipality in Measure.objects.filter(pk__in=list(measure_ids)).values_list(
        "pk", "owners_text", "roadmap__municipality"
    ):
        measures[pk] = {"text": text, "municipality": municipality, "named": set(), "kinds": []}
    for measure_id, user_id in Measure.owners.through.objects.filter(
        measure__in=list(measure_ids), person__user__isnull=False, person__user__is_active=True
    ).values_list("measure_id", "person__user_id"):
        measures[measure_id]["named"].add(user_id)
    for measure_id, kind in Measure.owner_organisations.through.objects.filter(
        measure__in=list(measure_ids)
    ).values_list("measure_id", "organisation__kind"):
        measures[measure_id]["kinds"].append(kind)
    for measure in measures.values():
        measure["audience"] = owner_audience(measure["text"], measure["kinds"])
    municipalities = {m["municipality"] for m in measures.values()}
    directors: dict[int, set[int]] = defaultdict(set)
    coordinators: dict[int, set[int]] = defaultdict(set)
    working_group: dict[int, set[int]] = defaultdict(set)
    rows = Appointment.objects.filter(user__is_active=True).filter(
        Q(role=Appointment.Role.DIRECTOR, school__in=list(school_ids))
        | Q(
            role__in=[Appointment.Role.COORDINATOR, Appointment.Role.WORKING_GROUP],
            municipality__in=list(municipalities),
        )
    )
    for role, school, municipality, user in rows.values_list(
        "role", "school", "municipality", "user"
    ):
        if role == Appointment.Role.DIRECTOR:
            directors[school].add(user)
        elif role == Appointment.Role.COORDINATOR:
            coordinators[municipality].add(user)
        else:
            working_group[municipality].add(user)
    return Audience(measures, directors, coordinators, working_group)


# --- When ----------------------------------------------------------------------------------


def reminder_point(
    due_on: date, today: date, offsets: list[int], every: int, ends_on: date
) -> tuple[str, date] | None:
    """The latest reminder day of a control date that has come by `today`, and its kind:
    `offsets` days before it (0: on the day), then the day after it and every `every` days
    while the roadmap lasts. None before the first. Only the latest: a scan after days of
    downtime sends one reminder of a pair, not one for each day it missed."""
    if today > due_on:
        last = min(today, ends_on)
        if last > due_on:
            steps = (last - due_on - timedelta(days=1)).days // every
            return Reminder.Kind.OVERDUE, due_on + timedelta(days=1 + steps * every)
    days = sorted({d for d in offsets if d >= 0 and due_on - timedelta(days=d) <= today})
    if not days:
        return None
    nearest = days[0]
    return (Reminder.Kind.TODAY if nearest == 0 else Reminder.Kind.SOON), due_on - timedelta(
        days=nearest
    )


def suppressed_reason(prefs: ReminderSettings, today: date) -> str:
    """Why the person's reminders are not sent today ("" when they are)."""
    if not prefs.digest_enabled:
        return _("Получатель отключил ежедневную сводку о сроках.")
    if prefs.paused_until and prefs.paused_until >= today:
        return _("Получатель приостановил напоминания до %(date)s.") % {
            "date": prefs.paused_until.strftime("%d.%m.%Y")
        }
    return ""


# --- The scan ------------------------------------------------------------------------------


@dataclass
class ScanResult:
    moment: datetime
    working_day: bool
    pairs: int = 0
    created: int = 0
    suppressed: int = 0
    digests: list[int] = field(default_factory=list)  # user ids whose digest is queued
    weekly: list[tuple[int, int]] = field(default_factory=list)  # (user id, municipality id)
    scan_id: int | None = None
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "moment": local(self.moment).isoformat(),
            "working_day": self.working_day,
            "pairs": self.pairs,
            "created": self.created,
            "suppressed": self.suppressed,
            "digests": len(self.digests),
            "weekly": len(self.weekly),
            "dry_run": self.dry_run,
        }


def open_pairs(today: date) -> list[tuple[int, int, int, date, date, int]]:
    """(occurrence, school, measure, due_on, roadmap end, municipality) of the open control
    pairs of approved roadmaps in force whose reminders may have begun by `today`."""
    roadmaps = dict(
        Roadmap.objects.filter(
            status=Roadmap.Status.APPROVED, amends__isnull=True, ends_on__gte=today
        ).values_list("pk", "ends_on")
    )
    if not roadmaps:
        return []
    municipality_of = dict(
        Roadmap.objects.filter(pk__in=list(roadmaps)).values_list("pk", "municipality")
    )
    rows = ControlPair.objects.filter(
        roadmap__in=list(roadmaps),
        kind=Occurrence.Kind.DUE,
        occurrence__retired=False,  # a date gone from the deadline, kept for its reports
        due_on__lte=today + timedelta(days=MAX_OFFSET),
        report_status__in=OPEN_REPORT_STATUSES,
    ).values_list("occurrence", "school", "measure", "due_on", "roadmap")
    return [
        (occ, school, measure, due_on, roadmaps[roadmap], municipality_of[roadmap])
        for occ, school, measure, due_on, roadmap in rows
    ]


# A row already there is left alone, but for one closed before its letter (the report was
# sent, or the date moved) whose pair is open again: a report returned for a fix is reminded
# of on the same reminder day, not only at the next one.
INSERT_REMINDERS = """
INSERT INTO measures_reminder AS r
    (user_id, occurrence_id, school_id, kind, remind_on, due_on, municipality_id, status,
     reason, created_at)
VALUES %%s
ON CONFLICT (user_id, occurrence_id, school_id, kind, remind_on) DO UPDATE
   SET status = EXCLUDED.status, reason = EXCLUDED.reason, due_on = EXCLUDED.due_on
 WHERE r.status = 'suppressed' AND r.reason IN (%s, %s) AND EXCLUDED.status = 'queued'
RETURNING r.status, (r.xmax = 0) AS inserted
"""


def closed_reason() -> str:
    return _(
        "Напоминать больше не о чем: отчёт отправлен или принят, контрольный срок снят или "
        "дорожная карта больше не действует."
    )


def moved_reason() -> str:
    return _("Контрольный срок школы перенесён.")


def _insert(rows: list[tuple]) -> tuple[int, int]:
    """Insert the rows that are not there yet (and open again those closed before their
    letter whose pair is open again); (created, of them suppressed)."""
    from psycopg2.extras import execute_values

    created = suppressed = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg2's own, under Django's wrapper
        sql = raw.mogrify(INSERT_REMINDERS, [closed_reason(), moved_reason()]).decode()
        for start in range(0, len(rows), 2000):
            returned = execute_values(
                raw, sql, rows[start : start + 2000], page_size=2000, fetch=True
            )
            for status, inserted in returned:
                created += inserted
                suppressed += inserted and status == Reminder.Status.SUPPRESSED
    return created, suppressed


def scan(
    now: datetime | None = None,
    *,
    trigger: str = ReminderScan.Trigger.BEAT,
    dry_run: bool = False,
    enqueue: bool = True,
) -> ScanResult:
    """One scan at `now`: insert the reminder rows that have come, then queue (after commit)
    the digests and weekly summaries whose hour has come. `dry_run`: the same work in a
    transaction that is rolled back, nothing queued. Safe to run twice at once: the inserts
    skip what is there, and each letter is locked when it is sent."""
    now = now or timezone.now()
    result = ScanResult(moment=now, working_day=is_working_day(local(now).date()), dry_run=dry_run)
    try:
        with transaction.atomic():
            _scan(result, trigger)
            if dry_run:
                raise _DryRun
            if enqueue:
                transaction.on_commit(lambda: enqueue_letters(result))
    except _DryRun:
        pass
    return result


class _DryRun(Exception):
    pass


def _scan(result: ScanResult, trigger: str) -> None:
    moment = local(result.moment)
    today = moment.date()
    record = ReminderScan.objects.create(trigger=trigger, moment=result.moment)
    pairs = open_pairs(today)
    result.pairs = len(pairs)
    audience = audience_for({p[2] for p in pairs}, {p[1] for p in pairs})
    recipients = {(p[0], p[1]): audience.people(p[2], p[1]) for p in pairs}
    everyone = set().union(*recipients.values()) if recipients else set()
    prefs = settings_of(everyone)
    stamp = timezone.now()
    rows = []
    for occurrence, school, _measure, due_on, ends_on, municipality in pairs:
        for user_id in recipients[(occurrence, school)]:
            mine = prefs[user_id]
            point = reminder_point(due_on, today, mine.offsets, mine.overdue_every, ends_on)
            if point is None:
                continue
            reason = suppressed_reason(mine, today)
            status = Reminder.Status.SUPPRESSED if reason else Reminder.Status.QUEUED
            kind, day = point
            rows.append(
                (
                    user_id,
                    occurrence,
                    school,
                    kind,
                    day,
                    due_on,
                    municipality,
                    status,
                    reason,
                    stamp,
                )
            )
    result.created, result.suppressed = _insert(rows)
    result.digests = due_digests(moment)
    result.weekly = due_weekly(moment)
    if not result.working_day:
        Reminder.objects.filter(
            status=Reminder.Status.QUEUED, remind_on__lte=today, reason=""
        ).update(reason=_("Нерабочий день: письмо уйдёт в ближайший рабочий день."))
    record.pairs, record.created = result.pairs, result.created
    record.digests, record.weekly = len(result.digests), len(result.weekly)
    record.finished_at = timezone.now()
    record.save(update_fields=["pairs", "created", "digests", "weekly", "finished_at"])
    result.scan_id = record.pk


def _hour_has_come(hours: dict[int, int], user_id: int, moment: datetime) -> bool:
    return moment.hour >= hours.get(user_id, DEFAULT_REMINDER_HOUR)


def due_digests(moment: datetime) -> list[int]:
    """The users whose digest goes now: queued rows that have come, their hour has come on a
    working day, and no letter of today was sent yet."""
    today = moment.date()
    if not is_working_day(today):
        return []
    waiting = set(
        Reminder.objects.filter(status=Reminder.Status.QUEUED, remind_on__lte=today)
        .values_list("user", flat=True)
        .distinct()
    )
    if not waiting:
        return []
    sent = set(
        ReminderLetter.objects.filter(
            user__in=list(waiting),
            kind=ReminderLetter.Kind.DIGEST,
            day=today,
            status=ReminderLetter.Status.SENT,
        ).values_list("user", flat=True)
    ) | _resting(ReminderLetter.Kind.DIGEST, today)
    hours = dict(
        ReminderSettings.objects.filter(user__in=list(waiting)).values_list("user", "hour")
    )
    return sorted(u for u in waiting - sent if _hour_has_come(hours, u, moment))


RETRY_PAUSE = timedelta(minutes=15)  # after a failed attempt, times the attempts so far
RETRY_PAUSE_MAX = timedelta(hours=2)


def _resting(kind: str, day: date) -> set[Any]:
    """The letters of the day (users; (user, municipality) for weekly ones) that a mail server
    could not take a short while ago: not queued again before their pause is over (15 minutes
    times the attempts so far, at most 2 hours), so that an outage does not fill the queue."""
    now = timezone.now()
    rows = ReminderLetter.objects.filter(
        kind=kind, day=day, status=ReminderLetter.Status.SENDING, attempts__gt=0
    ).values_list("user", "municipality", "attempts", "attempted_at")
    return {
        user if kind == ReminderLetter.Kind.DIGEST else (user, municipality)
        for user, municipality, attempts, attempted_at in rows
        if attempted_at and now - attempted_at < min(RETRY_PAUSE * attempts, RETRY_PAUSE_MAX)
    }


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def weekly_recipients(today: date) -> dict[int, set[int]]:
    """municipality id → users who get its weekly summary: each coordinator, or the substitute
    they chose when that person is active and holds a role (coordinator or working group) in
    that municipality — else the coordinator still gets it; and the chair of the working group
    of the year (or their substitute, on the same terms). Municipalities without a roadmap in
    force get no summary."""
    in_force = set(
        Roadmap.objects.filter(
            status=Roadmap.Status.APPROVED, amends__isnull=True, ends_on__gte=today
        ).values_list("municipality", flat=True)
    )
    members: dict[int, set[int]] = defaultdict(set)  # municipality → coordinators and the group
    coordinators = []
    for role, municipality, user in Appointment.objects.filter(
        role__in=[Appointment.Role.COORDINATOR, Appointment.Role.WORKING_GROUP],
        municipality__in=in_force,
        user__is_active=True,
    ).values_list("role", "municipality", "user"):
        members[municipality].add(user)
        if role == Appointment.Role.COORDINATOR:
            coordinators.append((municipality, user))
    chairs = list(
        WorkingGroupMember.objects.filter(
            role=WorkingGroupMember.Role.CHAIR,
            group__year=today.year,
            group__municipality__in=in_force,
            person__user__isnull=False,
            person__user__is_active=True,
        ).values_list("group__municipality", "person__user")
    )
    prefs = settings_of({user for _m, user in coordinators + chairs})
    result: dict[int, set[int]] = defaultdict(set)
    for municipality, user in coordinators + chairs:
        mine = prefs[user]
        substitute = mine.weekly_substitute_id
        if mine.weekly_enabled:
            result[municipality].add(user)
        elif substitute and substitute != user and substitute in members[municipality]:
            result[municipality].add(substitute)
        elif (municipality, user) in coordinators:  # a coordinator's summary never lapses
            result[municipality].add(user)
    return result


def due_weekly(moment: datetime) -> list[tuple[int, int]]:
    """(user, municipality) whose summary of this week goes now: on a working day of the week
    (the first one, or later when the scan did not run), at the person's hour, not yet sent."""
    today = moment.date()
    if not is_working_day(today):
        return []
    monday = week_start(today)
    wanted = weekly_recipients(today)
    if not wanted:
        return []
    done = set(  # sent, or failed for good (no address, refused): not tried every 15 minutes
        ReminderLetter.objects.filter(
            kind=ReminderLetter.Kind.WEEKLY,
            day=monday,
            status__in=[ReminderLetter.Status.SENT, ReminderLetter.Status.FAILED],
        ).values_list("user", "municipality")
    ) | _resting(ReminderLetter.Kind.WEEKLY, monday)
    users = set().union(*wanted.values())
    hours = dict(ReminderSettings.objects.filter(user__in=list(users)).values_list("user", "hour"))
    return sorted(
        (user, municipality)
        for municipality, people in wanted.items()
        for user in people
        if (user, municipality) not in done and _hour_has_come(hours, user, moment)
    )


def scan_and_send(now: datetime, *, trigger: str) -> tuple[ScanResult, dict[str, int]]:
    """A scan at `now` and its letters sent by this process rather than the worker (the
    command's default, and the demo's past days): (the scan, how many letters ended how:
    "sent", "failed", … and "retry" for a mail server that could not take one now; the weekly
    ones prefixed "weekly_")."""
    result = scan(now, trigger=trigger, enqueue=False)
    day = local(now).date()
    outcomes: dict[str, int] = defaultdict(int)
    sends = [(send_digest, (user_id, day), "") for user_id in result.digests] + [
        (send_weekly, (user_id, municipality_id, week_start(day), day), "weekly_")
        for user_id, municipality_id in result.weekly
    ]
    for send, args, prefix in sends:
        try:
            outcomes[prefix + send(*args)] += 1
        except TransientMailError:
            outcomes[prefix + "retry"] += 1
    return result, dict(outcomes)


# a letter task still in the queue this long after the scan that queued it is dropped: a
# backlog never sends yesterday's digest today (its rows wait for the next scan's letter)
LETTER_TASK_EXPIRES = timedelta(hours=6)


def enqueue_letters(result: ScanResult) -> None:
    """Queue the scan's letters (called after its commit)."""
    from measures import tasks

    expires = timezone.now() + LETTER_TASK_EXPIRES
    day = local(result.moment).date().isoformat()
    for user_id in result.digests:
        tasks.send_digest.apply_async((user_id, day), expires=expires)
    monday = week_start(local(result.moment).date()).isoformat()
    for user_id, municipality_id in result.weekly:
        tasks.send_weekly.apply_async((user_id, municipality_id, monday, day), expires=expires)


# --- The letters ---------------------------------------------------------------------------


class _UnfoldedLinks(email.policy.EmailPolicy):
    """The policy given, but the `List-Unsubscribe` header is written as it is: folded at 78
    characters, its unbroken address would become encoded words that mail clients do not
    read as an address (RFC 8058 needs it as it is; RFC 5322 allows 998 characters)."""

    def fold(self, name: str, value: str) -> str:
        if name.lower() == "list-unsubscribe":
            return f"{name}: {value}{self.linesep}"
        return super().fold(name, value)

    def fold_binary(self, name: str, value: str) -> bytes:
        if name.lower() == "list-unsubscribe":
            return f"{name}: {value}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


class Letter(EmailMultiAlternatives):
    def message(self, *, policy: email.policy.EmailPolicy = email.policy.default) -> Any:
        names = ("linesep", "max_line_length", "utf8", "cte_type", "raise_on_defect")
        return super().message(
            policy=_UnfoldedLinks(**{name: getattr(policy, name) for name in names})
        )


class TransientMailError(Exception):
    """The mail server could not take the letter now: the task tries again later."""


def _letter_row(user_id: int, kind: str, day: date, municipality_id: int | None) -> None:
    """Create the letter row if it is not there. Called before the send's transaction too: its
    id (in the Message-ID) must outlive a worker killed after the server took the letter."""
    ReminderLetter.objects.bulk_create(
        [ReminderLetter(user_id=user_id, kind=kind, day=day, municipality_id=municipality_id)],
        ignore_conflicts=True,
    )


def _letter(user_id: int, kind: str, day: date, municipality_id: int | None) -> ReminderLetter:
    """The letter row, created if needed, locked for this transaction (made again if another
    run dropped it, having had nothing to send, while this one waited for the lock)."""
    while True:
        _letter_row(user_id, kind, day, municipality_id)
        letter = (
            ReminderLetter.objects.select_for_update()
            .filter(user_id=user_id, kind=kind, day=day, municipality_id=municipality_id)
            .first()
        )
        if letter is not None:
            return letter


def message_id(letter: ReminderLetter) -> str:
    """Stable for the letter: a letter sent again after a crash carries the same one."""
    domain = settings.PORTAL_URL.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return f"<reminder-{letter.kind}-{letter.pk}-{letter.day:%Y%m%d}@{domain or 'portal'}>"


def _send(letter: ReminderLetter, user: Any, address: str, subject: str, context: dict) -> Any:
    """Build and send the letter over a connection left open (closed by the caller after the
    commit). Raises TransientMailError for a temporary failure; returns the refusal of a
    recipient the server rejected for good (None when accepted)."""
    subject = " ".join(subject.split())[:250]  # a name with a line break cannot break a header
    token = unsubscribe_token(user.pk, letter.kind)
    unsubscribe = portal_url(reverse("measures:reminders_unsubscribe", args=[token]))
    context = {
        **context,
        "user": user,
        "unsubscribe_url": unsubscribe,
        "settings_url": portal_url(reverse("measures:reminder_settings")),
    }
    template = f"measures/mail/reminder_{letter.kind}"
    message = Letter(
        subject=subject,
        body=render_to_string(f"{template}.txt", context),
        to=[address],
        headers={
            "Message-ID": message_id(letter),
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    mailer = mailers.default  # a new connection of the default mailer
    try:
        mailer.open()
        mailer.send_messages([message])
    except smtplib.SMTPRecipientsRefused as refused:
        mailer.close()
        code, text = next(iter(refused.recipients.values()))
        if 400 <= code < 500:
            raise TransientMailError(_smtp_text(code, text)) from refused
        return _smtp_text(code, text), None
    except (smtplib.SMTPException, OSError) as error:
        mailer.close()
        raise TransientMailError(str(error) or error.__class__.__name__) from error
    except ValueError as error:  # an address or header the message cannot carry: for good
        mailer.close()
        return _("письмо не собрано: %(error)s") % {"error": error}, None
    letter.body = message.body
    return None, mailer


def _smtp_text(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()


@dataclass
class DigestRow:
    """One control pair in a letter: the school, its control date, how late or how soon."""

    reminder: Reminder
    state: str  # overdue / today / soon
    days: int  # days late, or days left
    url: str
    is_report: bool  # the link opens the school's report (else the measure on its roadmap)


@dataclass
class DigestItem:
    """One measure in one group of a letter, with its schools: a coordinator reminded of a
    measure of twenty schools reads it once, not twenty times."""

    measure: Measure
    rows: list[DigestRow]

    @property
    def days(self) -> int:
        return max(row.days for row in self.rows)


DIGEST_ITEMS_SHOWN = 40  # measures per group; the rest are counted, with a link to the portal


def digest_rows(reminders: list[Reminder], day: date, user_id: int) -> dict[str, Any]:
    """The reminders as the letter shows them: overdue (most late first), due today, due soon
    (nearest first); in each, a measure with its schools, each school with the link to its
    report (for those who report on it) or to the measure on its roadmap. Also `counts` (pairs
    per group). Each of the `sections` (the groups with something in them) lists at most
    DIGEST_ITEMS_SHOWN measures and counts the rest (`hidden`). One query."""
    reporting = set(
        Appointment.objects.filter(user=user_id)
        .filter(Q(role=Appointment.Role.DIRECTOR) | Q(role=Appointment.Role.COORDINATOR))
        .values_list("role", "school", "municipality")
    )
    directs = {school for role, school, _m in reporting if role == Appointment.Role.DIRECTOR}
    coordinates = {m for role, _s, m in reporting if role == Appointment.Role.COORDINATOR}
    items: dict[str, dict[int, DigestItem]] = {"overdue": {}, "today": {}, "soon": {}}
    for reminder in reminders:
        occurrence = reminder.occurrence
        measure = occurrence.measure
        reports = reminder.school_id in directs or measure.roadmap.municipality_id in coordinates
        if reports:
            path = reverse(
                "measures:report_edit",
                kwargs={"occurrence_pk": occurrence.pk, "school_pk": reminder.school_id},
            )
        else:
            path = reverse("measures:roadmap_detail", args=[measure.roadmap_id])
            path += f"#measure-{measure.pk}"
        delta = (reminder.due_on - day).days
        state = "overdue" if delta < 0 else "today" if delta == 0 else "soon"
        row = DigestRow(reminder, state, abs(delta), portal_url(path), reports)
        items[state].setdefault(measure.pk, DigestItem(measure, [])).rows.append(row)
    groups: dict[str, list[DigestItem]] = {}
    for state, by_measure in items.items():
        listed = list(by_measure.values())
        for item in listed:
            item.rows.sort(key=lambda r: (-r.days if state == "overdue" else r.days,
                                          r.reminder.school.short_name))  # fmt: skip
        if state == "overdue":
            listed.sort(key=lambda i: (-i.days, i.measure.roadmap_id, i.measure.position))
        else:
            listed.sort(key=lambda i: (min(r.days for r in i.rows), i.measure.roadmap_id,
                                       i.measure.position))  # fmt: skip
        groups[state] = listed
    return {
        "sections": [
            {
                "state": state,
                "items": listed[:DIGEST_ITEMS_SHOWN],
                "count": sum(len(i.rows) for i in listed),
                "hidden": max(0, len(listed) - DIGEST_ITEMS_SHOWN),
            }
            for state, listed in groups.items()
            if listed
        ],
        "counts": {state: sum(len(i.rows) for i in listed) for state, listed in groups.items()},
    }


def _still_open(reminders: list[Reminder], day: date) -> dict[tuple[int, int], date]:
    """The (occurrence, school) pairs of these reminders still open for reporting, in an
    approved roadmap in force, on a control date not retired: each with the school's control
    date now (a postponement moves it). One query (by the occurrences and the schools, then
    the exact pairs)."""
    wanted = {(r.occurrence_id, r.school_id) for r in reminders}
    found = ControlPair.objects.filter(
        occurrence__in={o for o, _s in wanted},
        school__in={s for _o, s in wanted},
        occurrence__retired=False,
        report_status__in=OPEN_REPORT_STATUSES,
        roadmap__status=Roadmap.Status.APPROVED,
        roadmap__ends_on__gte=day,
    ).values_list("occurrence", "school", "due_on")
    return {(o, s): due_on for o, s, due_on in found if (o, s) in wanted}


def _send_once(key: tuple[int, str, date, int | None], write: Any) -> str:
    """Run `write` (which locks the letter row of `key`, sends, marks) in one transaction and
    say QUIT only after its commit, so that the unrecorded window ends with the data. The
    letter row is created, committed, first: its id, in the Message-ID, outlives a worker
    killed after the server took the letter. A temporary mail failure is noted on the letter
    and raised as TransientMailError with nothing else marked."""
    _letter_row(*key)
    mailer = None
    try:
        with transaction.atomic():
            outcome, mailer = write()
    except TransientMailError as error:
        _note_attempt(*key, str(error))
        raise
    finally:
        if mailer is not None:
            mailer.close()
    return outcome


def send_digest(user_id: int, day: date) -> str:
    """Send the person's digest of `day` (their queued reminders that have come) and mark
    them sent, once. Returns what happened: "sent", "failed", "suppressed", "empty" or
    "already"; TransientMailError when the mail server could not take it now (the rows stay
    queued for the next try)."""
    key = (user_id, ReminderLetter.Kind.DIGEST, day, None)
    return _send_once(key, lambda: _digest(user_id, day))


def _digest(user_id: int, day: date) -> tuple[str, Any]:
    User = get_user_model()
    letter = _letter(user_id, ReminderLetter.Kind.DIGEST, day, None)
    if letter.status == ReminderLetter.Status.SENT:
        return "already", None
    reminders = list(
        Reminder.objects.select_for_update(of=("self",))
        .filter(user=user_id, status=Reminder.Status.QUEUED, remind_on__lte=day)
        .select_related("occurrence__measure__roadmap__municipality", "school")
        .order_by("due_on", "pk")
    )
    if not reminders:
        _drop_if_new(letter)
        return "empty", None
    user = User.objects.select_related("person").get(pk=user_id)
    prefs = settings_of([user_id])[user_id]

    def close(rows: list[Reminder], status: str, reason: str) -> None:
        if rows:
            Reminder.objects.filter(pk__in=[r.pk for r in rows]).update(
                status=status, reason=reason
            )

    reminders = _still_due(reminders, user_id, day, close)
    reason = suppressed_reason(prefs, day) or (
        "" if user.is_active else _("Учётная запись отключена.")
    )
    if reason:
        close(reminders, Reminder.Status.SUPPRESSED, reason)
    if reason or not reminders:
        _drop_if_new(letter)
        return "suppressed", None

    def compose() -> tuple[str, dict[str, Any]]:
        letter_context = digest_rows(_latest_per_pair(reminders), day, user_id)
        subject = digest_subject(letter_context["counts"])
        return subject, {**letter_context, "day": day, "letter": letter}

    failure, mailer = _deliver(letter, user, prefs, compose)
    if failure:
        close(reminders, Reminder.Status.FAILED, failure)
        Reminder.objects.filter(pk__in=[r.pk for r in reminders]).update(letter=letter)
    else:
        Reminder.objects.filter(pk__in=[r.pk for r in reminders]).update(
            status=Reminder.Status.SENT, reason="", letter=letter, sent_at=letter.sent_at
        )
    return ("failed" if failure else "sent"), mailer


def _deliver(
    letter: ReminderLetter,
    user: Any,
    prefs: ReminderSettings,
    compose: Callable[[], tuple[str, dict[str, Any]]],
) -> tuple[str, Any]:
    """Send the letter to the person's address and record on it how that went (saved):
    `compose` gives its subject and context, and is called only when there is an address to
    send to, one the mail server has not refused for good. (The reason of a failure, "" when
    sent; the connection left open, for the caller to close after its commit.)"""
    address = address_of(user)
    letter.address, letter.attempts = address, letter.attempts + 1
    letter.attempted_at = timezone.now()
    failure, mailer = "", None
    if not address:
        failure = _("У получателя нет адреса электронной почты.")
    elif prefs.bounced_address and prefs.bounced_address.lower() == address.lower():
        failure = _("Почтовый сервер ранее отклонил адрес %(address)s: %(reason)s") % {
            "address": address,
            "reason": prefs.bounced_reason,
        }
    else:
        subject, context = compose()
        refused, mailer = _send(letter, user, address, subject, context)
        letter.subject, letter.message_id = subject, message_id(letter)
        if refused:
            failure = _("Почтовый сервер отклонил адрес %(address)s: %(reason)s") % {
                "address": address,
                "reason": refused,
            }
            _bounced(user.pk, address, refused)
    if failure:
        letter.status, letter.reason = ReminderLetter.Status.FAILED, failure
    else:
        letter.status, letter.reason = ReminderLetter.Status.SENT, ""
        letter.sent_at = letter.attempted_at
    letter.save()
    return failure, mailer


def _still_due(reminders: list[Reminder], user_id: int, day: date, close: Any) -> list[Reminder]:
    """The reminders that still stand when the letter goes; the others are closed with the
    reason: the pair closed meanwhile (report sent or accepted, control date retired, roadmap
    no longer in force), the control date moved since the row was made (the scan makes the
    rows of the new one), or the person no longer among those the owners stand for (a
    director moved, an appointment ended)."""
    current = _still_open(reminders, day)
    closed, moved, kept = [], [], []
    for reminder in reminders:
        due_on = current.get((reminder.occurrence_id, reminder.school_id))
        if due_on is None:
            closed.append(reminder)
        elif due_on != reminder.due_on:
            moved.append(reminder)
        else:
            kept.append(reminder)
    close(closed, Reminder.Status.SUPPRESSED, closed_reason())
    close(moved, Reminder.Status.SUPPRESSED, moved_reason())
    if kept:
        audience = audience_for(
            {r.occurrence.measure_id for r in kept}, {r.school_id for r in kept}
        )
        gone = [
            r for r in kept if user_id not in audience.people(r.occurrence.measure_id, r.school_id)
        ]
        close(
            gone,
            Reminder.Status.SUPPRESSED,
            _("Получатель больше не отвечает за это мероприятие в этой школе."),
        )
        kept = [r for r in kept if r not in gone]
    return kept


def _latest_per_pair(reminders: list[Reminder]) -> list[Reminder]:
    """One row per control pair for the letter (rows of several reminder days wait together
    over holidays or a pause of the worker): the latest. All of them are marked sent."""
    latest: dict[tuple[int, int], Reminder] = {}
    for reminder in reminders:
        key = (reminder.occurrence_id, reminder.school_id)
        if key not in latest or reminder.remind_on > latest[key].remind_on:
            latest[key] = reminder
    return list(latest.values())


def _drop_if_new(letter: ReminderLetter) -> None:
    """A letter row made by this run for nothing to send goes; one with a history stays."""
    if letter.status == ReminderLetter.Status.SENDING and not letter.attempts:
        letter.delete()


def _bounced(user_id: int, address: str, reason: str) -> None:
    ReminderSettings.objects.update_or_create(
        user_id=user_id, defaults={"bounced_address": address, "bounced_reason": reason}
    )


def _note_attempt(
    user_id: int, kind: str, day: date, municipality_id: int | None, reason: str
) -> None:
    """Record a temporary failure on the letter (its rows stay queued)."""
    with transaction.atomic():
        letter = _letter(user_id, kind, day, municipality_id)
        if letter.status != ReminderLetter.Status.SENT:
            letter.attempts += 1
            letter.attempted_at = timezone.now()
            letter.reason = _("Почтовый сервер недоступен, повтор позже: %(reason)s") % {
                "reason": reason
            }
            letter.save(update_fields=["attempts", "attempted_at", "reason"])


def digest_subject(counts: dict[str, int]) -> str:
    parts = []
    if counts.get("overdue"):
        parts.append(_("просрочено: %(n)s") % {"n": counts["overdue"]})
    if counts.get("today"):
        parts.append(_("срок сегодня: %(n)s") % {"n": counts["today"]})
    if counts.get("soon"):
        parts.append(_("скоро срок: %(n)s") % {"n": counts["soon"]})
    return _("Сроки мероприятий дорожных карт — %(parts)s") % {"parts": ", ".join(parts)}


# --- The weekly summary --------------------------------------------------------------------


def overdue_summary(municipality_id: int, day: date) -> dict[str, Any]:
    """The municipality's overdue control pairs on `day` (not accepted as done, control date
    passed, in approved roadmaps whose period has not ended): by school and by owner, with
    days late. One query."""
    from measures.progress import ACCEPTED_AS_DONE

    pairs = list(
        ControlPair.objects.filter(
            roadmap__municipality=municipality_id,
            roadmap__status=Roadmap.Status.APPROVED,
            roadmap__ends_on__gte=day,  # roadmaps in force: an ended one is not chased
            kind=Occurrence.Kind.DUE,
            due_on__lt=day,
        )
        .exclude(ACCEPTED_AS_DONE)
        .values(
            "school",
            "school__short_name",
            "measure",
            "measure__number",
            "measure__title",
            "measure__owners_text",
            "due_on",
            "roadmap",
            "report_status",
        )
    )
    schools: dict[int, dict[str, Any]] = {}
    owners: dict[str, dict[str, Any]] = {}
    for pair in pairs:
        late = (day - pair["due_on"]).days
        school = schools.setdefault(
            pair["school"],
            {"name": pair["school__short_name"], "count": 0, "most_late": 0, "rows": []},
        )
        school["count"] += 1
        school["most_late"] = max(school["most_late"], late)
        school["rows"].append({**pair, "late": late})
        owner_key = " ".join(pair["measure__owners_text"].split()) or _("Не указаны")
        owner = owners.setdefault(owner_key, {"name": owner_key, "count": 0, "most_late": 0})
        owner["count"] += 1
        owner["most_late"] = max(owner["most_late"], late)
    for school in schools.values():
        school["rows"].sort(key=lambda r: -r["late"])
    return {
        "total": len(pairs),
        "schools": sorted(schools.values(), key=lambda s: (-s["count"], s["name"])),
        "owners": sorted(owners.values(), key=lambda o: (-o["count"], o["name"])),
    }


def send_weekly(user_id: int, municipality_id: int, monday: date, day: date) -> str:
    """Send the week's summary of the municipality to the person, once per week."""
    key = (user_id, ReminderLetter.Kind.WEEKLY, monday, municipality_id)
    return _send_once(key, lambda: _weekly(user_id, municipality_id, monday, day))


def _weekly(user_id: int, municipality_id: int, monday: date, day: date) -> tuple[str, Any]:
    letter = _letter(user_id, ReminderLetter.Kind.WEEKLY, monday, municipality_id)
    if letter.status == ReminderLetter.Status.SENT:
        return "already", None
    user = get_user_model().objects.select_related("person").get(pk=user_id)
    if not user.is_active:
        _drop_if_new(letter)
        return "suppressed", None
    municipality = Municipality.objects.get(pk=municipality_id)

    def compose() -> tuple[str, dict[str, Any]]:
        summary = overdue_summary(municipality_id, day)
        subject = _("Еженедельная сводка: %(municipality)s — просрочено %(n)s") % {
            "municipality": municipality.name,
            "n": summary["total"],
        }
        context = {"summary": summary, "municipality": municipality, "day": day, "monday": monday}
        return subject, context

    failure, mailer = _deliver(letter, user, settings_of([user_id])[user_id], compose)
    return ("failed" if failure else "sent"), mailer


# --- Health --------------------------------------------------------------------------------

SCAN_EVERY = timedelta(minutes=15)


def health(municipality_ids: list[int] | None = None) -> dict[str, Any]:
    """The worker's and beat's health as the admin sees it: the last scan, whether it is
    late, the broker's queue length, what waits and what failed (of these municipalities'
    reminders and letters when given: a coordinator's page counts their own)."""
    last = ReminderScan.objects.exclude(finished_at=None).order_by("-started_at").first()
    last_beat = (
        ReminderScan.objects.filter(trigger=ReminderScan.Trigger.BEAT)
        .exclude(finished_at=None)
        .aggregate(at=Max("finished_at"))["at"]
    )
    rows = Reminder.objects.all()
    failed_letters = ReminderLetter.objects.filter(status=ReminderLetter.Status.FAILED)
    if municipality_ids is not None:
        rows = rows.filter(municipality__in=municipality_ids)
        failed_letters = letters_of(failed_letters, municipality_ids)
    counts = dict(
        rows.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    queue: int | None
    try:
        from roadmap_portal.celery import redis_client

        queue = int(redis_client(settings.CELERY_BROKER_URL, timeout=2).llen("celery"))
    except Exception:  # the broker down: shown as unknown, never an error page
        queue = None
    now = timezone.now()
    return {
        "last_scan": last.finished_at if last else None,
        "last_scan_trigger": last.get_trigger_display() if last else "",
        "last_beat_scan": last_beat,
        "beat_late": last_beat is None or now - last_beat > 2 * SCAN_EVERY,
        "queue": queue,
        "queued": counts.get(Reminder.Status.QUEUED, 0),
        "sent": counts.get(Reminder.Status.SENT, 0),
        "failed": counts.get(Reminder.Status.FAILED, 0),
        "suppressed": counts.get(Reminder.Status.SUPPRESSED, 0),
        "letters_failed": failed_letters.count(),
    }


def log_rows(municipality_ids: list[int] | None, filters: dict[str, Any]) -> Any:
    """The reminders of the log «Напоминания»: of these municipalities (None: all), narrowed
    by the filter form's values (status, kind, words of the recipient, the school, the
    municipality, reminder days from/to), newest first."""
    rows = Reminder.objects.all()
    if municipality_ids is not None:
        rows = rows.filter(municipality__in=municipality_ids)
    if filters.get("municipality"):
        rows = rows.filter(municipality=int(filters["municipality"]))
    if filters.get("status"):
        rows = rows.filter(status=filters["status"])
    if filters.get("kind"):
        rows = rows.filter(kind=filters["kind"])
    for word in (filters.get("recipient") or "").split():
        rows = rows.filter(
            Q(user__last_name__icontains=word)
            | Q(user__first_name__icontains=word)
            | Q(user__username__icontains=word)
            | Q(user__email__icontains=word)
        )
    if school := (filters.get("school") or "").strip():
        rows = rows.filter(school__short_name__icontains=school)
    if filters.get("date_from"):
        rows = rows.filter(remind_on__gte=filters["date_from"])
    if filters.get("date_to"):
        rows = rows.filter(remind_on__lte=filters["date_to"])
    return rows.select_related("user__person", "school", "occurrence__measure", "letter").order_by(
        "-remind_on", "-pk"
    )


def letters_of(letters: Any, municipality_ids: list[int]) -> Any:
    """The letters that concern these municipalities: a weekly summary by its municipality,
    a digest by the reminders it carried."""
    carried = Reminder.objects.filter(letter=OuterRef("pk"), municipality__in=municipality_ids)
    return letters.filter(Q(municipality__in=municipality_ids) | Exists(carried))


# --- Preferences (pages) -------------------------------------------------------------------


def summary_municipalities(user: Any, day: date | None = None) -> set[int]:
    """The municipalities whose weekly summary the user receives by their role: those they
    coordinate, and those whose working group of the year they chair (as weekly_recipients).
    One query."""
    day = day or timezone.localdate()
    chaired = WorkingGroupMember.objects.filter(
        role=WorkingGroupMember.Role.CHAIR, group__year=day.year, person__user=user.pk
    ).values("group__municipality")
    coordinated = Appointment.objects.filter(
        user=user.pk, role=Appointment.Role.COORDINATOR
    ).values("municipality")
    return set(
        Municipality.objects.filter(Q(pk__in=coordinated) | Q(pk__in=chaired)).values_list(
            "pk", flat=True
        )
    )


def is_coordinator(user_id: int) -> bool:
    return Appointment.objects.filter(user=user_id, role=Appointment.Role.COORDINATOR).exists()


def substitute_candidates(user: Any, municipality_ids: set[int]) -> Any:
    """Who may receive the user's weekly summary instead of them: the other active
    coordinators and working-group members of those municipalities."""
    people = Appointment.objects.filter(
        role__in=[Appointment.Role.COORDINATOR, Appointment.Role.WORKING_GROUP],
        municipality__in=list(municipality_ids),
    ).values("user")
    return (
        get_user_model()
        .objects.filter(pk__in=people, is_active=True)
        .exclude(pk=user.pk)
        .order_by("last_name", "first_name", "username")
    )


def settings_save(
    *,
    user: Any,
    offsets: list[int],
    overdue_every: int,
    hour: int,
    paused_until: date | None,
    digest_enabled: bool,
    weekly_enabled: bool | None = None,
    weekly_substitute: Any = None,
) -> ReminderSettings:
    """Save the person's reminder settings. `weekly_enabled` None: the weekly fields are not
    theirs to change (not a coordinator or a chair) and stay as they are. A coordinator may
    not switch the weekly summary off without a substitute; a pause ends today or later."""
    errors: dict[str, str] = {}
    if any(d not in REMINDER_OFFSETS for d in offsets):
        errors["offsets"] = _("Выберите дни из предложенных.")
    if not 1 <= overdue_every <= 30:
        errors["overdue_every"] = _("Укажите число дней от 1 до 30.")
    if not 0 <= hour <= 23:
        errors["hour"] = _("Выберите час от 0 до 23.")
    if paused_until is not None and paused_until < timezone.localdate():
        errors["paused_until"] = _("Дата не может быть в прошлом.")
    if weekly_enabled is not None:
        municipalities = summary_municipalities(user)
        if weekly_substitute is not None and not (
            substitute_candidates(user, municipalities).filter(pk=weekly_substitute.pk).exists()
        ):
            errors["weekly_substitute"] = _(
                "Сводку может получать координатор или член рабочей группы вашего муниципалитета."
            )
        elif not weekly_enabled and weekly_substitute is None and is_coordinator(user.pk):
            errors["weekly_substitute"] = _(
                "Координатор не может отключить еженедельную сводку, не выбрав, кто будет "
                "получать её вместо него."
            )
    if errors:
        raise ValidationError(errors)
    prefs = settings_of([user.pk])[user.pk]
    prefs.offsets = sorted(set(offsets), reverse=True)
    prefs.overdue_every, prefs.hour, prefs.paused_until = overdue_every, hour, paused_until
    prefs.digest_enabled = digest_enabled
    if weekly_enabled is not None:
        prefs.weekly_enabled = weekly_enabled
        prefs.weekly_substitute = weekly_substitute
    prefs.save()
    return prefs


def bounce_clear(*, user: Any) -> None:
    """«Адрес исправлен — снова присылать»: letters go to the address again."""
    ReminderSettings.objects.filter(user=user.pk).update(bounced_address="", bounced_reason="")


UNSUBSCRIBED = "unsubscribed"
ALREADY = "already"
NEEDS_SUBSTITUTE = "needs_substitute"


def unsubscribe(*, user_id: int, kind: str) -> str:
    """The one-click unsubscribe of a letter kind: UNSUBSCRIBED, ALREADY (nothing to do: the
    link may be followed twice), or NEEDS_SUBSTITUTE — a coordinator's weekly summary is not
    switched off until they choose who receives it instead."""
    with transaction.atomic():
        ReminderSettings.objects.get_or_create(user_id=user_id)
        prefs = ReminderSettings.objects.select_for_update().get(user=user_id)
        if kind == ReminderLetter.Kind.DIGEST:
            if not prefs.digest_enabled:
                return ALREADY
            prefs.digest_enabled = False
        else:
            if not prefs.weekly_enabled:
                return ALREADY
            if prefs.weekly_substitute_id is None and is_coordinator(user_id):
                return NEEDS_SUBSTITUTE
            prefs.weekly_enabled = False
        prefs.save()
    return UNSUBSCRIBED
