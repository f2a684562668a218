"""Import work done off the web request. Each task takes an id, calls one service and is safe to
run twice (the services move the import's status with a conditional update or a row lock).

Any exception ends the import in «ошибка» with a Russian message, so the page never waits for
a task that will not finish. Time limits: the reader has its own budget
(importing.MAX_READ_SECONDS); the soft limit turns a runaway task into «ошибка», the hard limit
kills it (the page then reports an import stuck for longer than STALLED_AFTER).
"""

import logging
from collections.abc import Callable
from datetime import date
from smtplib import SMTPException
from typing import Any

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.utils.translation import gettext as _

from measures import services
from measures.reminders import TransientMailError

logger = logging.getLogger(__name__)

READ_SOFT_LIMIT = 60
CONFIRM_SOFT_LIMIT = 120


def _run(import_id: int, work: Callable[..., object], too_long: str, failed: str) -> None:
    """Run one step of an import; a time limit or any error ends it «ошибка» with the reason."""
    try:
        work(import_id=import_id)
    except SoftTimeLimitExceeded:
        services.roadmap_import_fail(import_id=import_id, message=too_long)
    except Exception:
        logger.exception("%s %s failed", work.__name__, import_id)
        services.roadmap_import_fail(import_id=import_id, message=failed)


@shared_task(soft_time_limit=READ_SOFT_LIMIT, time_limit=READ_SOFT_LIMIT + 30)
def read_import(import_id: int) -> None:
    """Read a queued upload into its preview."""
    _run(
        import_id,
        services.roadmap_import_read,
        _("Файл читался дольше %(seconds)s секунд; чтение прервано.")
        % {"seconds": READ_SOFT_LIMIT},
        _(
            "Файл не удалось прочитать из-за внутренней ошибки портала. Загрузите его "
            "снова; если ошибка повторится, сообщите администратору."
        ),
    )


@shared_task(soft_time_limit=CONFIRM_SOFT_LIMIT, time_limit=CONFIRM_SOFT_LIMIT + 30)
def confirm_import(import_id: int) -> None:
    """Create the roadmap of a confirmed import."""
    _run(
        import_id,
        services.roadmap_import_run_confirm,
        _("Импорт выполнялся дольше %(seconds)s секунд и прерван; ничего не сохранено.")
        % {"seconds": CONFIRM_SOFT_LIMIT},
        _(
            "Импорт не выполнен из-за внутренней ошибки портала; ничего не сохранено. "
            "Попробуйте ещё раз; если ошибка повторится, сообщите администратору."
        ),
    )


@shared_task(
    soft_time_limit=60,
    time_limit=90,
    autoretry_for=(SMTPException, OSError),
    retry_backoff=60,
    retry_backoff_max=3600,
    max_retries=30,  # pauses 1, 2, 4 … 60 minutes: about a day in all
)
def send_report_mail(step_id: int) -> None:
    """The letter of one review step (returned, accepted, a postponement decided); safe to run
    twice: the step is marked as mailed with the letter. A mail server that fails is tried again
    for about a day (the mark is rolled back with the failed send)."""
    from measures.notifications import send_report_step_mail

    send_report_step_mail(step_id)


RENDER_SOFT_LIMIT = 120
RENDER_HARD_LIMIT = RENDER_SOFT_LIMIT + 30


@shared_task(
    soft_time_limit=RENDER_SOFT_LIMIT,
    time_limit=RENDER_HARD_LIMIT,
    acks_late=True,
    reject_on_worker_lost=True,  # a worker killed mid-render: the task comes back (it is safe)
)
def render_order_pdf(act_id: int) -> None:
    """Render an order's PDF and store it on the order; safe to run twice (only a queued
    order is taken). The soft limit ends it «ошибка» with the reason; any other error is
    turned into «ошибка» by the service itself."""
    from measures import printing

    try:
        printing.render_and_store(act_id)
    except SoftTimeLimitExceeded:
        printing.render_fail(
            act_id=act_id,
            message=_(
                "PDF формировался дольше %(seconds)s секунд; формирование прервано. "
                "Сформируйте его заново; если ошибка повторится, сообщите администратору."
            )
            % {"seconds": RENDER_SOFT_LIMIT},
        )


# --- Deadline reminders (measures.reminders) -----------------------------------------------

REMINDER_SOFT_LIMIT = 60


@shared_task(soft_time_limit=300, time_limit=330)
def scan_reminders() -> None:
    """Beat's scan every 15 minutes: the reminder rows that have come, then the letters whose
    hour has come (queued after its commit). Safe to run twice at once."""
    from measures import reminders

    reminders.scan()


def _letter_task(send: Callable[..., str], *args: Any) -> str:
    """Send one letter. A mail server that cannot take it now is noted on the letter; the next
    scan queues it again after a pause (measures.reminders.RETRY_PAUSE): the one retry
    mechanism, so that an outage does not fill the queue. (A task that waited too long in the
    queue expires: reminders.LETTER_TASK_EXPIRES.)"""
    try:
        return send(*args)
    except TransientMailError as error:
        logger.warning("%s %s: the mail server did not take it: %s", send.__name__, args, error)
        return "retry"


@shared_task(
    soft_time_limit=REMINDER_SOFT_LIMIT,
    time_limit=REMINDER_SOFT_LIMIT + 30,
    acks_late=True,
    reject_on_worker_lost=True,  # safe: the letter row is locked and marked with the send
)
def send_digest(user_id: int, day: str) -> str:
    """One person's digest of the day (ISO date); safe to run twice (the second finds the
    letter sent)."""
    from measures import reminders

    return _letter_task(reminders.send_digest, user_id, date.fromisoformat(day))


@shared_task(
    soft_time_limit=REMINDER_SOFT_LIMIT,
    time_limit=REMINDER_SOFT_LIMIT + 30,
    acks_late=True,
    reject_on_worker_lost=True,
)
def send_weekly(user_id: int, municipality_id: int, monday: str, day: str) -> str:
    """One person's weekly summary of a municipality; safe to run twice."""
    from measures import reminders

    return _letter_task(
        reminders.send_weekly,
        user_id,
        municipality_id,
        date.fromisoformat(monday),
        date.fromisoformat(day),
    )
