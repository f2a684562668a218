"""The living part of the demo: a roadmap for the current year with reports in every state.

The Черекский 2022 roadmap is copied to the current calendar year with `roadmap_copy`; the
measures whose deadline names 2022 («Февраль 2022г.») come out flagged, and the coordinator's
correction is played (the same month of the current year) for all but the last, which stays
flagged as a coordinator would find it. The Черекский schools are designated
for the current year as they were for 2022, so that the measures concern them. Then the schools
report through the report services, every date relative to `today` and none after it.

Loading twice changes nothing: the copy is made once, and a control pair that has a report is
left alone.
"""

from __future__ import annotations

import functools
import io
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.utils import timezone

from measures.deadlines import Kind, parse_deadline
from measures.models import ControlPair, Measure, Occurrence, Report, Roadmap
from measures.reporting import postponement_decide, report_accept, report_return, report_save
from measures.services import copy_title, measure_correct_deadline, roadmap_copy
from schools.models import Appointment, School, SchoolDesignation

if TYPE_CHECKING:
    from measures.demo.seeds import LoadSummary

DEMO_USERS = ("direktor", "koordinator", "rabgruppa")
DESIGNATION_BASIS = (
    "Демонстрационные данные: школы отнесены к категориям на текущий год так же, как в 2022 "
    "году; названия школ условные."
)


def load_living(archive: Roadmap, today: date, summary: LoadSummary) -> None:
    year = today.year
    _designate(archive, year)
    roadmap = _current_roadmap(archive, date(year, 1, 1), date(year, 12, 31), summary)
    summary.current_roadmap = roadmap
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERS)}
    appointment = (
        Appointment.objects.filter(user=users["direktor"], role=Appointment.Role.DIRECTOR)
        .select_related("school")
        .get()
    )
    cast = Cast(
        director=users["direktor"],
        school=appointment.school,
        coordinator=users["koordinator"],
        working_group=users["rabgruppa"],
        today=today,
        first_day=roadmap.starts_on,
    )
    _play(roadmap, cast)
    summary.reports = cast.reports


def _designate(archive: Roadmap, year: int) -> None:
    """Each school of the municipality keeps for `year` the kinds it had in the archive year."""
    for school_id, kind in (
        SchoolDesignation.objects.filter(
            school__municipality_id=archive.municipality_id, year=archive.starts_on.year
        )
        .order_by("school_id", "kind")
        .values_list("school_id", "kind")
    ):
        SchoolDesignation.objects.update_or_create(
            school_id=school_id, kind=kind, year=year, defaults={"basis": DESIGNATION_BASIS}
        )


def _current_roadmap(
    archive: Roadmap, starts_on: date, ends_on: date, summary: LoadSummary
) -> Roadmap:
    """The copy for the current year, made once; its flagged deadlines corrected by hand."""
    title = copy_title(archive.title, (archive.starts_on, archive.ends_on), (starts_on, ends_on))
    existing = Roadmap.objects.filter(
        municipality_id=archive.municipality_id, title=title, starts_on=starts_on, ends_on=ends_on
    ).first()
    if existing is not None:
        return existing
    roadmap, flagged = roadmap_copy(roadmap=archive, starts_on=starts_on, ends_on=ends_on)
    summary.flagged = flagged
    for measure in flagged[:-1]:  # the last one stays flagged, for the coordinator to see
        _correct(measure, archive.starts_on.year, starts_on.year)
    _approve(roadmap, starts_on)
    return roadmap


def _approve(roadmap: Roadmap, starts_on: date) -> None:
    """Approved by an order of the department at the start of the year, as the 2022 one was:
    a roadmap in force is what schools report on and what reminders chase."""
    from measures import orders

    act = orders.order_new(roadmap=roadmap, by=None)
    act.number, act.date = ORDER_NUMBER, starts_on + timedelta(days=ORDER_DAY)
    act = orders.order_save(act=act, expected_version=act.version)
    orders.order_sign(act=act, by=None, expected_version=act.version)
    roadmap.refresh_from_db()


ORDER_NUMBER = "4"  # «Приказ от 16.01.<year> № 4»
ORDER_DAY = 15


def _correct(measure: Measure, old_year: int, year: int) -> None:
    """What a coordinator does with «Февраль 2022г.» in the copy: February of this year."""
    text = re.sub(rf"(?<!\d){old_year}(?!\d)", str(year), measure.deadline_text)
    reading = parse_deadline(text, (measure.roadmap.starts_on, measure.roadmap.ends_on))
    if reading.needs_review or not reading.due_dates:
        return  # left for a person to read
    measure_correct_deadline(measure=measure, reading=reading)


# --- Reports ---------------------------------------------------------------------------------
#
# Each control pair of the current roadmap gets a story by its place in a fixed order (recent
# past dates first), so that the same today gives the same demo; a pair that already has a
# report is left alone (a second load adds nothing). A story whose days are not all before
# today is not played: no report is dated in the future.

REPORT_HOUR = 10  # every demo action happens at 10:00 local time
DONE_TEXTS = {
    Report.Outcome.DONE: "Мероприятие проведено в полном объёме: {title}. Участвовали педагоги "
    "и администрация школы; материалы размещены на сайте школы.",
    Report.Outcome.PARTLY: "Мероприятие проведено частично: {title}. Не все запланированные "
    "занятия состоялись из-за болезни педагогов; оставшиеся перенесены на следующий месяц.",
    Report.Outcome.NOT_DONE: "Мероприятие не проведено: {title}. Ответственный педагог "
    "находился на курсах повышения квалификации, замена не найдена.",
    Report.Outcome.IN_PROGRESS: "Работа идёт по плану: {title}. За квартал проведены два "
    "заседания методического объединения, подготовлены материалы для педагогов.",
    Report.Outcome.POSTPONED: "Подготовка начата: {title}.",
}


@dataclass
class Pair:
    occurrence: Occurrence
    school: School
    measure: Measure
    due_on: date
    kind: str
    has_report: bool


@dataclass
class Cast:
    director: User  # `direktor`, who reports for their own school
    school: School
    coordinator: User  # `koordinator`: reports for the other schools (за школу), reviews
    working_group: User  # `rabgruppa`: reviews
    today: date
    first_day: date
    reports: int = 0

    def at(self, day: date) -> datetime | None:
        """10:00 of `day`, or None when the day is not before today or before the roadmap."""
        if day >= self.today or day < self.first_day:
            return None
        return timezone.make_aware(datetime.combine(day, time(REPORT_HOUR)))

    def days(self, *days: date) -> list[datetime] | None:
        moments = [self.at(day) for day in days]
        return None if None in moments else moments  # type: ignore[return-value]

    def reporter(self, pair: Pair) -> dict[str, Any]:
        if pair.school.pk == self.school.pk:
            return {"by": self.director, "on_behalf": False}
        return {"by": self.coordinator, "on_behalf": True}


def _pairs(roadmap: Roadmap) -> list[Pair]:
    """Every control pair of the roadmap in a fixed order; the order does not depend on the
    reports, so that a second load gives each pair the story the first one gave it: by the
    occurrence's date (`planned_on`), not the school's (moved by an accepted postponement)."""
    rows = (
        ControlPair.objects.filter(roadmap=roadmap)
        .select_related("occurrence", "school", "measure")
        .order_by("planned_on", "measure__position", "school__short_name")
    )
    return [
        Pair(r.occurrence, r.school, r.measure, r.planned_on, r.kind, r.report_id is not None)
        for r in rows
    ]


def _save(
    cast: Cast,
    pair: Pair,
    at: datetime,
    outcome: str,
    *,
    submit: bool,
    files: tuple[SimpleUploadedFile, ...] = (),
    links: tuple[str, ...] = (),
    **values: Any,
) -> Report:
    report = report_save(
        occurrence=pair.occurrence,
        school=pair.school,
        values={
            "outcome": outcome,
            "done_text": DONE_TEXTS[outcome].format(title=_short(pair.measure.title)),
            "postponed_to": values.get("postponed_to"),
            "postpone_reason": values.get("postpone_reason", ""),
        },
        submit=submit,
        files=files,
        links=links,
        now=at,
        **cast.reporter(pair),
    )
    return report


def _site(school: School) -> str:
    """The school's (demo) site: «МКОУ СОШ № 2 (демо)» → https://sosh2-cherek.example.org."""
    number = re.search(r"\d+", school.short_name)
    return f"https://sosh{number[0] if number else ''}-cherek.example.org"


def _short(title: str, limit: int = 160) -> str:
    title = " ".join(title.split()).rstrip(".")
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"


# Stories: each returns True when played.


def accepted_on_time(cast: Cast, pair: Pair, number: int) -> bool:
    d = pair.due_on
    moments = cast.days(d - timedelta(days=8), d - timedelta(days=5), d + timedelta(days=3))
    if moments is None:
        return False
    drafted, submitted, reviewed = moments
    report = _save(cast, pair, drafted, Report.Outcome.DONE, submit=False)
    report = _save(
        cast, pair, submitted, Report.Outcome.DONE, submit=True,
        files=(_certificate(pair, d - timedelta(days=6), number), _photo(pair, number)),
        links=(f"{_site(pair.school)}/news/{d:%Y-%m-%d}-meropriyatie-{pair.measure.position}",),
    )  # fmt: skip
    report_accept(
        report=report, by=cast.working_group, comment="Принято.", now=reviewed, notify=False
    )
    return True


def accepted_late(cast: Cast, pair: Pair, number: int) -> bool:
    d = pair.due_on
    moments = cast.days(d + timedelta(days=12), d + timedelta(days=15))
    if moments is None:
        return False
    submitted, reviewed = moments
    report = _save(
        cast, pair, submitted, Report.Outcome.DONE, submit=True,
        files=(_certificate(pair, d - timedelta(days=1), number),),
    )  # fmt: skip
    report_accept(
        report=report,
        by=cast.coordinator,
        comment="Принято с опозданием: в следующий раз отправляйте отчёт до контрольной даты.",
        now=reviewed,
        notify=False,
    )
    return True


def returned(cast: Cast, pair: Pair, number: int) -> bool:
    d = pair.due_on
    moments = cast.days(d - timedelta(days=2), d + timedelta(days=4))
    if moments is None:
        return False
    submitted, reviewed = moments
    report = _save(
        cast, pair, submitted, Report.Outcome.DONE, submit=True,
        files=(_photo(pair, number, "png"),),
    )  # fmt: skip
    report_return(
        report=report,
        by=cast.working_group,
        comment="Приложите, пожалуйста, справку или протокол: по фотографии не видно, "
        "какое мероприятие проведено и кто в нём участвовал.",
        now=reviewed,
        notify=False,
    )
    return True


def partly_accepted(cast: Cast, pair: Pair, number: int) -> bool:
    d = pair.due_on
    moments = cast.days(d - timedelta(days=1), d + timedelta(days=5))
    if moments is None:
        return False
    submitted, reviewed = moments
    report = _save(
        cast, pair, submitted, Report.Outcome.PARTLY, submit=True,
        files=(_certificate(pair, d - timedelta(days=2), number),),
        links=(f"{_site(pair.school)}/documents/plan-{pair.measure.position}",),
    )  # fmt: skip
    report_accept(
        report=report,
        by=cast.working_group,
        comment="Принято. Проведите оставшиеся занятия и сообщите в следующем отчёте.",
        now=reviewed,
        notify=False,
    )
    return True


def not_done_waiting(cast: Cast, pair: Pair, number: int) -> bool:
    """Sent the day after the date and still in the queue: an old one, as the date is past."""
    moments = cast.days(pair.due_on + timedelta(days=1))
    if moments is None:
        return False
    _save(cast, pair, moments[0], Report.Outcome.NOT_DONE, submit=True)
    return True


def postponement_accepted(cast: Cast, pair: Pair, number: int) -> bool:
    d = pair.due_on
    new_date = d + timedelta(days=45)
    moments = cast.days(d - timedelta(days=4), d - timedelta(days=1))
    if moments is None or new_date.year != d.year:
        return False
    submitted, decided = moments
    report = _save(
        cast, pair, submitted, Report.Outcome.POSTPONED, submit=True,
        postponed_to=new_date,
        postpone_reason="Ответственный педагог на больничном; провести мероприятие в срок "
        "некому.",
    )  # fmt: skip
    postponement_decide(
        report=report, by=cast.coordinator, accept=True, comment="Перенос согласован.",
        now=decided, notify=False,
    )  # fmt: skip
    return True


def postponement_pending(cast: Cast, pair: Pair, number: int) -> bool:
    d = pair.due_on
    new_date = d + timedelta(days=30)
    moments = cast.days(cast.today - timedelta(days=3))
    if moments is None or new_date.year != d.year or d <= cast.today:
        return False
    _save(
        cast, pair, moments[0], Report.Outcome.POSTPONED, submit=True,
        postponed_to=new_date,
        postpone_reason="Муниципальный семинар, на котором школа должна выступить, перенесён "
        "на следующий месяц.",
    )  # fmt: skip
    return True


def draft(cast: Cast, pair: Pair, number: int) -> bool:
    moments = cast.days(cast.today - timedelta(days=2))
    if moments is None:
        return False
    _save(cast, pair, moments[0], Report.Outcome.IN_PROGRESS, submit=False)
    return True


def submitted_early(cast: Cast, pair: Pair, number: int) -> bool:
    moments = cast.days(cast.today - timedelta(days=1))
    if moments is None:
        return False
    _save(
        cast, pair, moments[0], Report.Outcome.DONE, submit=True,
        files=(_photo(pair, number),),
        links=(f"{_site(pair.school)}/news/meropriyatie-{pair.measure.position}",),
    )  # fmt: skip
    return True


def note_accepted(cast: Cast, pair: Pair, number: int) -> bool:
    d = pair.due_on
    moments = cast.days(d - timedelta(days=2), d + timedelta(days=6))
    if moments is None:
        return False
    submitted, reviewed = moments
    report = _save(
        cast, pair, submitted, Report.Outcome.IN_PROGRESS, submit=True,
        links=(f"{_site(pair.school)}/svedeniya/kvartal-{d:%Y-%m}",),
    )  # fmt: skip
    report_accept(report=report, by=cast.working_group, now=reviewed, notify=False)
    return True


def note_returned(cast: Cast, pair: Pair, number: int) -> bool:
    d = pair.due_on
    moments = cast.days(d - timedelta(days=1), d + timedelta(days=3))
    if moments is None:
        return False
    submitted, reviewed = moments
    report = _save(cast, pair, submitted, Report.Outcome.IN_PROGRESS, submit=True)
    report_return(
        report=report,
        by=cast.coordinator,
        comment="Опишите, что сделано за квартал, а не планы; приложите фото или ссылку.",
        now=reviewed,
        notify=False,
    )
    return True


def note_waiting(cast: Cast, pair: Pair, number: int) -> bool:
    moments = cast.days(pair.due_on + timedelta(days=2))
    if moments is None:
        return False
    _save(cast, pair, moments[0], Report.Outcome.IN_PROGRESS, submit=True)
    return True


def nothing(cast: Cast, pair: Pair, number: int) -> bool:
    """Left without a report: overdue once its date has passed."""
    return False


Story = Callable[[Cast, Pair, int], bool]
# the control dates already passed, most recent first
PAST_STORIES: list[Story] = [
    accepted_on_time, returned, accepted_late, not_done_waiting, partly_accepted,
    postponement_accepted, nothing,
]  # fmt: skip
PAST_AFTER: list[Story] = [accepted_on_time, nothing, accepted_late, accepted_on_time, nothing]
# the dates to come, nearest first
FUTURE_STORIES: list[Story] = [draft, submitted_early, postponement_pending, draft]
# quarterly notes of the continuous measures: the quarters passed, most recent first
NOTE_STORIES: list[Story] = [note_accepted, note_waiting, note_returned, note_accepted, nothing]
NOTE_SCHOOLS = 2  # notes only from the first two schools: the demo stays small


def _play(roadmap: Roadmap, cast: Cast) -> None:
    pairs = _pairs(roadmap)
    today = cast.today
    past = sorted(
        (p for p in pairs if p.kind == Occurrence.Kind.DUE and p.due_on < today),
        key=lambda p: (-p.due_on.toordinal(), p.measure.position, p.school.short_name),
    )
    future = [p for p in pairs if p.kind == Occurrence.Kind.DUE and p.due_on >= today]
    schools = sorted({p.school.short_name for p in pairs})[:NOTE_SCHOOLS]
    notes = sorted(
        (
            p
            for p in pairs
            if p.kind == Occurrence.Kind.QUARTER
            and p.due_on < today
            and p.measure.deadline_kind == Kind.CONTINUOUS
            and p.school.short_name in schools
        ),
        key=lambda p: (-p.due_on.toordinal(), p.measure.position, p.school.short_name),
    )
    plan: list[tuple[Story, Pair]] = []
    for i, pair in enumerate(past):
        stories = PAST_STORIES if i < len(PAST_STORIES) else PAST_AFTER
        plan.append((stories[i % len(stories)], pair))
    plan += list(zip(FUTURE_STORIES, future, strict=False))
    plan += [(NOTE_STORIES[i % len(NOTE_STORIES)], pair) for i, pair in enumerate(notes)]
    for number, (story, pair) in enumerate(plan, start=1):
        if not pair.has_report and story(cast, pair, number):
            cast.reports += 1


# --- Evidence: small generated files -------------------------------------------------------


CERTIFICATE_CSS = """
@page { size: A5; margin: 15mm; }
body { font-family: "Liberation Serif", "DejaVu Serif", serif; font-size: 11pt; }
h1 { font-size: 13pt; text-align: center; margin: 0 0 6mm; }
.school { text-align: center; margin-bottom: 8mm; }
.sign { margin-top: 12mm; }
"""


@functools.cache
def _certificate_css() -> Any:
    from weasyprint import CSS

    return CSS(string=CERTIFICATE_CSS)


def _certificate(pair: Pair, day: date, number: int) -> SimpleUploadedFile:
    """A one-page PDF «Справка о проведении …», made by WeasyPrint."""
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)  # no «Step 1 - …» lines
    from weasyprint import HTML  # slow to import: only when a report is made

    html = render_to_string(
        "demo/certificate.html",
        {
            "school": pair.school,
            "measure": pair.measure,
            "title": _short(pair.measure.title, 300),
            "day": day,
            "number": number,
        },
    )
    return SimpleUploadedFile(
        f"Справка_{pair.measure.number or pair.measure.position}.pdf",
        HTML(string=html).write_pdf(stylesheets=[_certificate_css()]),
        content_type="application/pdf",
    )


PHOTO_COLOURS = [(46, 117, 182), (84, 130, 53), (191, 144, 0), (112, 48, 160), (197, 90, 17)]


def _photo(pair: Pair, number: int, kind: str = "jpeg") -> SimpleUploadedFile:
    """A small picture standing for a photo of the event (Pillow): a room with a board."""
    from PIL import Image, ImageDraw

    colour = PHOTO_COLOURS[number % len(PHOTO_COLOURS)]
    image = Image.new("RGB", (480, 320), (236, 232, 222))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 30, 440, 200), fill=(38, 70, 52), outline=(120, 90, 60), width=8)
    for row in range(3):
        draw.line((70, 70 + 40 * row, 300 + 30 * row, 70 + 40 * row), fill=(230, 230, 230), width=3)
    for seat in range(6):
        x = 50 + seat * 70
        draw.ellipse((x, 230, x + 40, 270), fill=colour)
        draw.rectangle((x - 5, 270, x + 45, 310), fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, format=kind.upper(), **({"quality": 80} if kind == "jpeg" else {}))
    extension = "jpg" if kind == "jpeg" else kind
    return SimpleUploadedFile(
        f"Фото_{pair.measure.number or pair.measure.position}_{number}.{extension}",
        buffer.getvalue(),
        content_type=f"image/{kind}",
    )


# --- Reminders: the last working days played, so that the coordinator's page has letters -----

REMINDER_DAYS = 3  # working days before today
REMINDER_TIME = time(9, 30)


def play_reminders(today: date) -> dict[str, int]:
    """The scans and letters of the last few working days before `today` at 09:30, as beat
    would have sent them (to the console, or to Mailpit under docker-compose); today's come
    from beat at each person's hour. Safe to run twice: the rows and letters are unique."""
    from measures import reminders
    from measures.models import ReminderScan

    days: list[date] = []
    day = today
    while len(days) < REMINDER_DAYS:
        day -= timedelta(days=1)
        if reminders.is_working_day(day):
            days.append(day)
    total: dict[str, int] = {}
    for day in reversed(days):
        moment = timezone.make_aware(datetime.combine(day, REMINDER_TIME))
        _result, outcomes = reminders.scan_and_send(moment, trigger=ReminderScan.Trigger.COMMAND)
        for key, count in outcomes.items():
            total[key] = total.get(key, 0) + count
    return total
