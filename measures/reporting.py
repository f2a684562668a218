"""Writes to school reports: a school reports on a control date, the working group reviews.

Each function is one transaction and leaves a `ReportStep` (who, when, what changed, the
comment). Bad input raises `ReportRefused` with every reason and saves nothing; a save over a
version someone else saved meanwhile raises `StaleEdit` (roadmap_portal.concurrency).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from measures.evidence import CheckedFile, EvidenceRefused, check_evidence_file, check_evidence_link
from measures.history import display
from measures.models import Evidence, Occurrence, Report, ReportStep
from roadmap_portal.concurrency import StaleEdit, last_change, lock_for_update
from roadmap_portal.text import clean_text
from schools.models import School

MAX_EVIDENCE = 20  # files and links of one report

# what the school writes; the rest of a report is the review's
SCHOOL_FIELDS = ("outcome", "done_text", "postponed_to", "postpone_reason")
# outcomes that say something was done, and need the actual result written
RESULT_NEEDED = (Report.Outcome.DONE, Report.Outcome.PARTLY)


class ReportRefused(Exception):
    """Nothing was saved; `errors` maps a form field ("__all__" for the whole report) to the
    Russian reasons."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(m for messages in errors.values() for m in messages))
        self.errors = errors

    @classmethod
    def because(cls, message: str, field: str = "__all__") -> ReportRefused:
        return cls({field: [message]})


def _shown(report: Report, name: str) -> str:
    """A field's value as a person reads it in the report's history ("" when empty)."""
    value = getattr(report, name)
    if value in (None, ""):
        return ""
    if isinstance(value, date):
        value = value.isoformat()
    return display(Report._meta.get_field(name), value)


def _changes(before: Report | None, after: Report, names: Iterable[str]) -> list[dict[str, str]]:
    changes = []
    for name in names:
        old = _shown(before, name) if before is not None else ""
        new = _shown(after, name)
        if old != new:
            label = str(Report._meta.get_field(name).verbose_name)
            changes.append({"field": label.capitalize(), "old": old, "new": new})
    return changes


def _step(
    report: Report,
    action: str,
    by: AbstractBaseUser | None,
    now: datetime,
    *,
    changes: list[dict[str, str]] | None = None,
    comment: str = "",
    on_behalf: bool = False,
) -> ReportStep:
    step = ReportStep.objects.create(
        report=report,
        action=action,
        by=by,
        on_behalf=on_behalf,
        changes=changes or [],
        comment=comment,
    )
    if step.at != now:  # the demo writes reports of the past
        ReportStep.objects.filter(pk=step.pk).update(at=now)
        step.at = now
    return step


def _notify(step: ReportStep) -> None:
    from measures.tasks import send_report_mail

    send_report_mail.delay_on_commit(step.pk)


def _locked_report(occurrence: Occurrence, school: School, expected_version: int | None) -> Report:
    """The report of the pair under its row lock, or a new unsaved one. A form opened before
    the report existed carries version 0: if someone created it meanwhile, that is stale."""
    report = Report.objects.select_for_update().filter(occurrence=occurrence, school=school).first()
    if report is None:
        return Report(occurrence=occurrence, school=school, due_on=occurrence.due_on, version=0)
    if expected_version is not None and report.version != expected_version:
        raise StaleEdit(report, last_change(report))
    return report


def _validate(report: Report, submit: bool) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}

    def refuse(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if report.outcome not in Report.Outcome.values:
        refuse("outcome", _("Выберите ход выполнения из списка."))
        return errors
    postponed = report.outcome == Report.Outcome.POSTPONED
    if postponed and report.postponed_to is not None:
        if report.postponed_to <= report.due_on:
            refuse(
                "postponed_to",
                _("Новый срок должен быть позже нынешнего (%(date)s).")
                % {"date": date_format(report.due_on, "d.m.Y")},
            )
        ends_on = report.occurrence.measure.roadmap.ends_on
        if report.postponed_to > ends_on:
            refuse(
                "postponed_to",
                _("Новый срок выходит за период дорожной карты (до %(date)s).")
                % {"date": date_format(ends_on, "d.m.Y")},
            )
    if not submit:
        return errors
    if report.outcome == Report.Outcome.NOT_STARTED and report.occurrence.kind == "due":
        refuse("outcome", _("Чтобы отправить отчёт, укажите, как идёт выполнение."))
    if report.outcome in RESULT_NEEDED and not report.done_text:
        refuse("done_text", _("Опишите, что сделано: это фактический результат мероприятия."))
    if report.outcome == Report.Outcome.NOT_DONE and not report.done_text:
        refuse("done_text", _("Объясните, почему мероприятие не выполнено."))
    if postponed:
        if report.postponed_to is None:
            refuse("postponed_to", _("Укажите новый срок."))
        if not report.postpone_reason:
            refuse("postpone_reason", _("Укажите причину переноса."))
    return errors


def _checked_files(files: Iterable[Any]) -> tuple[list[CheckedFile], list[str]]:
    checked, errors = [], []
    for upload in files:
        try:
            checked.append(check_evidence_file(upload))
        except EvidenceRefused as refused:
            errors.append(refused.message)
    return checked, errors


def _checked_links(links: Iterable[str]) -> tuple[list[str], list[str]]:
    checked, errors = [], []
    for link in links:
        if not link.strip():
            continue
        try:
            checked.append(check_evidence_link(link))
        except EvidenceRefused as refused:
            errors.append(refused.message)
    return checked, errors


@transaction.atomic
def report_save(
    *,
    occurrence: Occurrence,
    school: School,
    by: AbstractBaseUser | None,
    values: dict[str, Any],
    submit: bool = False,
    files: Iterable[Any] = (),
    links: Iterable[str] = (),
    remove_evidence: Iterable[int] = (),
    expected_version: int | None = None,
    on_behalf: bool = False,
    now: datetime | None = None,
) -> Report:
    """Save the school's report on a control date as a draft, or submit it for review.

    Only a draft or a returned report changes: a submitted one waits for the working group,
    an accepted one is final. Every file is checked by its content and every link by its
    form before anything is written: one refused file refuses the whole save."""
    now = now or timezone.now()
    report = _locked_report(occurrence, school, expected_version)
    if report.pk is not None and not report.editable:
        raise ReportRefused.because(
            _("Отчёт уже отправлен на проверку и не меняется, пока его не проверят.")
            if report.status == Report.Status.SUBMITTED
            else _("Отчёт принят рабочей группой и больше не меняется.")
        )
    before = Report.objects.get(pk=report.pk) if report.pk else None
    for name in SCHOOL_FIELDS:
        if name in values:
            value = values[name]
            setattr(report, name, clean_text(value).strip() if isinstance(value, str) else value)
    if report.outcome != Report.Outcome.POSTPONED:
        report.postponed_to, report.postpone_reason = None, ""
    errors = _validate(report, submit)

    checked, file_errors = _checked_files(files)
    good_links, link_errors = _checked_links(links)
    if file_errors:
        errors["files"] = file_errors
    if link_errors:
        errors["links"] = link_errors
    kept = list(report.evidence.all()) if report.pk else []
    removed = [item for item in kept if item.pk in set(remove_evidence)]
    if len(kept) - len(removed) + len(checked) + len(good_links) > MAX_EVIDENCE:
        errors.setdefault("files", []).append(
            _("К отчёту можно приложить не больше %(max)s файлов и ссылок.") % {"max": MAX_EVIDENCE}
        )
    if errors:
        raise ReportRefused(errors)

    report.on_behalf = on_behalf  # who wrote it last: the school, or its coordinator for it
    if submit:
        report.status = Report.Status.SUBMITTED
        report.submitted_by, report.submitted_at = by, now
        if report.first_submitted_at is None:  # a resubmission after a return keeps the first
            report.first_submitted_at = now
        if report.outcome == Report.Outcome.POSTPONED:
            report.postpone_decision = Report.Decision.PENDING
    report.version += 1
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:  # someone created the report of this pair meanwhile
        current = Report.objects.get(occurrence=occurrence, school=school)
        raise StaleEdit(current, last_change(current)) from None

    changes = _changes(before, report, SCHOOL_FIELDS)
    for item in removed:
        changes.append({"field": _("Удалён документ"), "old": str(item), "new": ""})
        name, storage = item.file.name, item.file.storage
        item.delete()
        if name:
            transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
    for upload in checked:
        evidence = Evidence(
            report=report,
            original_name=upload.name,
            content_type=upload.content_type,
            size=len(upload.data),
            uploaded_by=by,
        )
        evidence.file.save(upload.name, ContentFile(upload.data), save=False)
        evidence.save()
        changes.append({"field": _("Добавлен файл"), "old": "", "new": upload.name})
    for link in good_links:
        Evidence.objects.create(report=report, link=link, uploaded_by=by)
        changes.append({"field": _("Добавлена ссылка"), "old": "", "new": link})
    action = ReportStep.Action.SUBMITTED if submit else ReportStep.Action.SAVED
    _step(report, action, by, now, changes=changes, on_behalf=on_behalf)
    return report


def _locked_for_review(report: Report, expected_version: int | None) -> Report:
    current = lock_for_update(report, expected_version)
    if current.status != Report.Status.SUBMITTED:
        raise ReportRefused.because(
            _("Отчёт уже проверен или ещё не отправлен: обновите страницу.")
        )
    return current


def _reviewed(
    report: Report,
    by: AbstractBaseUser | None,
    now: datetime,
    status: str,
    comment: str,
    action: str,
    notify: bool,
    changes: list[dict[str, str]] | None = None,
) -> Report:
    report.status = status
    report.reviewed_by, report.reviewed_at = by, now
    report.review_comment = comment
    report.version += 1
    report.save()
    step = _step(report, action, by, now, changes=changes, comment=comment)
    if notify:
        _notify(step)
    return report


@transaction.atomic
def report_accept(
    *,
    report: Report,
    by: AbstractBaseUser | None,
    comment: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
    notify: bool = True,
) -> Report:
    """The working group accepts a submitted report (a postponement is decided instead)."""
    report = _locked_for_review(report, expected_version)
    if report.outcome == Report.Outcome.POSTPONED:
        raise ReportRefused.because(
            _("Школа просит перенести срок: примите или отклоните новый срок.")
        )
    if not report.acceptable:
        raise ReportRefused.because(
            _(
                "Отчёт о ходе работы («%(outcome)s») на контрольную дату не принимается: "
                "принятый отчёт окончательный. Верните его с комментарием, когда ждать итога."
            )
            % {"outcome": report.get_outcome_display()}
        )
    return _reviewed(
        report,
        by,
        now or timezone.now(),
        Report.Status.ACCEPTED,
        clean_text(comment).strip(),
        ReportStep.Action.ACCEPTED,
        notify,
    )


@transaction.atomic
def report_return(
    *,
    report: Report,
    by: AbstractBaseUser | None,
    comment: str,
    expected_version: int | None = None,
    now: datetime | None = None,
    notify: bool = True,
) -> Report:
    """Return a submitted report to the school for revision; the comment says what to fix."""
    comment = clean_text(comment).strip()
    if not comment:
        raise ReportRefused.because(
            _("Напишите, что нужно исправить: комментарий увидит школа."), "comment"
        )
    report = _locked_for_review(report, expected_version)
    return _reviewed(
        report,
        by,
        now or timezone.now(),
        Report.Status.RETURNED,
        comment,
        ReportStep.Action.RETURNED,
        notify,
    )


@transaction.atomic
def postponement_decide(
    *,
    report: Report,
    by: AbstractBaseUser | None,
    accept: bool,
    comment: str = "",
    expected_version: int | None = None,
    now: datetime | None = None,
    notify: bool = True,
) -> Report:
    """Decide a school's request to move its control date. Accepted: the school's date moves
    and the report goes back to the school as a draft, to be reported by the new date.
    Refused: the report is returned with the comment, and the date stays."""
    comment = clean_text(comment).strip()
    if not accept and not comment:
        raise ReportRefused.because(
            _("Напишите, почему перенос не принят: комментарий увидит школа."), "comment"
        )
    report = _locked_for_review(report, expected_version)
    if report.outcome != Report.Outcome.POSTPONED or report.postponed_to is None:
        raise ReportRefused.because(_("Школа не просила перенести срок."))
    now = now or timezone.now()
    report.first_submitted_at = None  # a request to postpone is not the report on the measure
    if not accept:
        report.postpone_decision = Report.Decision.REFUSED
        return _reviewed(
            report,
            by,
            now,
            Report.Status.RETURNED,
            comment,
            ReportStep.Action.POSTPONE_REFUSED,
            notify,
        )
    before = Report.objects.get(pk=report.pk)
    report.due_on = report.postponed_to
    report.postpone_decision = Report.Decision.ACCEPTED
    report.outcome = Report.Outcome.IN_PROGRESS
    return _reviewed(
        report,
        by,
        now,
        Report.Status.DRAFT,
        comment,
        ReportStep.Action.POSTPONE_ACCEPTED,
        notify,
        changes=_changes(before, report, ["due_on"]),
    )
