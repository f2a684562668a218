"""Letters about school reports: the school learns that its report was returned or accepted."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from measures.models import ReportStep
from schools.models import Appointment

MAILED_ACTIONS = {
    ReportStep.Action.RETURNED: _("Отчёт возвращён на доработку"),
    ReportStep.Action.ACCEPTED: _("Отчёт принят"),
    ReportStep.Action.POSTPONE_ACCEPTED: _("Перенос срока принят"),
    ReportStep.Action.POSTPONE_REFUSED: _("Перенос срока не принят"),
}


def report_recipients(step: ReportStep) -> list[str]:
    """The school's directors and whoever submitted the report, with an address, once each."""
    report = step.report
    users = get_user_model().objects.filter(
        is_active=True,
        appointments__role=Appointment.Role.DIRECTOR,
        appointments__school=report.school_id,
    )
    addresses = {user.email.strip().lower() for user in users if user.email.strip()}
    submitter = report.submitted_by
    if submitter is not None and submitter.is_active and submitter.email.strip():
        addresses.add(submitter.email.strip().lower())
    return sorted(addresses)


def report_url(step: ReportStep) -> str:
    report = step.report
    path = reverse(
        "measures:report_edit",
        kwargs={"occurrence_pk": report.occurrence_id, "school_pk": report.school_id},
    )
    return settings.PORTAL_URL.rstrip("/") + path


@transaction.atomic
def send_report_step_mail(step_id: int) -> int:
    """Send the letter of one review step; the number of recipients. Safe to run twice: the
    step is locked and marked as mailed in the same transaction, and a second run finds it
    marked."""
    step = (
        ReportStep.objects.select_for_update(of=("self",))
        .select_related(
            "report__school",
            "report__submitted_by",
            "report__occurrence__measure__roadmap",
            "by",
        )
        .filter(pk=step_id, mailed_at=None)
        .first()
    )
    if step is None or step.action not in MAILED_ACTIONS:
        return 0
    recipients = report_recipients(step)
    step.mailed_at = timezone.now()
    step.save(update_fields=["mailed_at"])
    if not recipients:
        return 0
    measure = step.report.occurrence.measure
    context = {
        "step": step,
        "report": step.report,
        "measure": measure,
        "headline": MAILED_ACTIONS[step.action],
        "url": report_url(step),
        "reviewer": (step.by.get_full_name() or step.by.username) if step.by else "",
    }
    subject = f"{MAILED_ACTIONS[step.action]}: {measure.number} {measure.title}".strip()
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split())[:150],
        body=render_to_string("measures/mail/report_step.txt", context),
        to=recipients,
    )
    message.attach_alternative(
        render_to_string("measures/mail/report_step.html", context), "text/html"
    )
    message.send()
    return len(recipients)
