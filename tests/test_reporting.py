"""A school reports on a control date; the working group accepts or returns; every step stays."""

from datetime import date, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from measures.models import Evidence, Report, ReportStep
from measures.notifications import send_report_step_mail
from measures.reporting import (
    ReportRefused,
    postponement_decide,
    report_accept,
    report_return,
    report_save,
)
from measures.services import measure_save
from roadmap_portal.concurrency import StaleEdit
from schools.models import SchoolDesignation
from schools.services import appoint
from tests import factories

MOSCOW = ZoneInfo("Europe/Moscow")
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=MOSCOW)


@pytest.fixture
def world(db):
    municipality = factories.MunicipalityFactory(name="Черекский муниципальный район")
    school = factories.SchoolFactory(municipality=municipality, short_name="МКОУ СОШ № 1")
    other = factories.SchoolFactory(municipality=municipality, short_name="МКОУ СОШ № 2")
    for designated in (school, other):
        SchoolDesignation.objects.create(school=designated, kind="low_results", year=2022)
    roadmap = factories.RoadmapFactory(municipality=municipality)
    measure = factories.MeasureFactory(
        roadmap=roadmap, number="1.1", title="Провести семинар", deadline_text="Февраль 2022г."
    )
    measure_save(measure=measure)
    continuous = factories.MeasureFactory(roadmap=roadmap, deadline_text="Постоянно")
    measure_save(measure=continuous)

    def person(username, role, target, email=""):
        user = factories.UserFactory(username=username, email=email, first_name=username)
        appoint(user=user, role=role, target=target)
        return user

    return SimpleNamespace(
        municipality=municipality,
        school=school,
        other=other,
        roadmap=roadmap,
        measure=measure,
        occurrence=measure.occurrences.get(),
        quarter=continuous.occurrences.order_by("due_on").first(),
        director=person("direktor", "director", school, "direktor@school1.example"),
        stranger=person("chuzhoy", "director", other, "chuzhoy@school2.example"),
        member=person("rabgruppa", "working_group", municipality),
        coordinator=person("koordinator", "coordinator", municipality),
    )


def save(world, submit=False, when="2022-02-20 10:00", **values):
    values = {"outcome": "done", "done_text": "Семинар проведён, 12 участников", **values}
    return report_save(
        occurrence=world.occurrence,
        school=world.school,
        by=world.director,
        values=values,
        submit=submit,
        now=at(when),
    )


def test_draft_then_submit_then_return_then_fix_then_accept(world):
    report = save(world, outcome="in_progress", done_text="")
    assert (report.status, report.outcome, report.due_on) == (
        "draft",
        "in_progress",
        date(2022, 2, 28),
    )

    report = save(world, submit=True)
    assert report.status == "submitted" and report.submitted_by == world.director

    with pytest.raises(ReportRefused) as refused:
        report_return(report=report, by=world.member, comment="  ")
    assert "комментарий" in refused.value.errors["comment"][0]
    report = report_return(
        report=report, by=world.member, comment="Приложите протокол", now=at("2022-02-21 09:00")
    )
    assert report.status == "returned" and report.review_comment == "Приложите протокол"

    report = save(
        world, submit=True, done_text="Семинар проведён, протокол № 3", when="2022-02-22 12:00"
    )
    report = report_accept(report=report, by=world.member, now=at("2022-02-23 15:00"))
    assert report.status == "accepted"

    steps = list(report.steps.values_list("action", "by__username", "comment"))
    assert steps == [
        ("saved", "direktor", ""),
        ("submitted", "direktor", ""),
        ("returned", "rabgruppa", "Приложите протокол"),
        ("submitted", "direktor", ""),
        ("accepted", "rabgruppa", ""),
    ]
    changed = report.steps.filter(action="submitted").last().changes
    assert {
        "field": "Что сделано (фактический результат)",
        "old": "Семинар проведён, 12 участников",
        "new": "Семинар проведён, протокол № 3",
    } in changed

    with pytest.raises(ReportRefused, match="принят"):
        save(world)  # an accepted report is final


def test_submitting_needs_what_was_done_and_a_reviewed_report_is_locked(world):
    with pytest.raises(ReportRefused) as refused:
        save(world, submit=True, done_text="")
    assert "Опишите, что сделано" in refused.value.errors["done_text"][0]
    with pytest.raises(ReportRefused) as refused:
        save(world, submit=True, outcome="not_started")
    assert "outcome" in refused.value.errors
    assert not Report.objects.exists()  # nothing half-saved

    save(world, submit=True)
    with pytest.raises(ReportRefused, match="отправлен на проверку"):
        save(world, done_text="Передумали")
    with pytest.raises(ReportRefused, match="не просила перенести"):
        postponement_decide(report=Report.objects.get(), by=world.member, accept=True)


def test_a_postponement_accepted_moves_the_schools_date_only(world):
    with pytest.raises(ReportRefused) as refused:
        save(world, submit=True, outcome="postponed", postponed_to=date(2022, 2, 1))
    assert set(refused.value.errors) == {"postponed_to", "postpone_reason"}

    report = save(
        world,
        submit=True,
        outcome="postponed",
        postponed_to=date(2022, 4, 15),
        postpone_reason="Карантин в школе",
    )
    assert report.postpone_decision == "pending"
    with pytest.raises(ReportRefused, match="перенести срок"):
        report_accept(report=report, by=world.member)

    report = postponement_decide(report=report, by=world.member, accept=True)
    assert report.due_on == date(2022, 4, 15) and report.status == "draft"
    assert report.postpone_decision == "accepted"
    assert world.occurrence.reports.get().due_on == date(2022, 4, 15)
    world.occurrence.refresh_from_db()
    assert world.occurrence.due_on == date(2022, 2, 28)  # other schools keep the date

    step = report.steps.get(action="postpone_accepted")
    assert step.changes == [
        {"field": "Контрольная дата школы", "old": "28.02.2022", "new": "15.04.2022"}
    ]


def test_a_postponement_refused_goes_back_with_the_reason(world):
    report = save(
        world,
        submit=True,
        outcome="postponed",
        postponed_to=date(2022, 5, 1),
        postpone_reason="Нет зала",
    )
    with pytest.raises(ReportRefused):
        postponement_decide(report=report, by=world.member, accept=False, comment="")
    report = postponement_decide(
        report=report, by=world.member, accept=False, comment="Проведите в феврале онлайн"
    )
    assert (report.status, report.due_on, report.postpone_decision) == (
        "returned",
        date(2022, 2, 28),
        "refused",
    )


def test_a_stale_save_is_refused_and_changes_nothing(world):
    report = save(world)
    report_save(
        occurrence=world.occurrence, school=world.school, by=world.coordinator,
        values={"done_text": "Исправил координатор"}, expected_version=report.version,
    )  # fmt: skip
    with pytest.raises(StaleEdit):
        report_save(
            occurrence=world.occurrence, school=world.school, by=world.director,
            values={"done_text": "Моя правка"}, expected_version=report.version,
        )  # fmt: skip
    assert Report.objects.get().done_text == "Исправил координатор"

    # a form opened before the report existed carries version 0
    with pytest.raises(StaleEdit):
        report_save(
            occurrence=world.occurrence, school=world.school, by=world.director,
            values={"done_text": "Новый"}, expected_version=0,
        )  # fmt: skip


def test_a_refused_file_refuses_the_whole_save(world):
    save(world, done_text="Было")
    executable = SimpleUploadedFile("протокол.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    good = SimpleUploadedFile("справка.pdf", PDF)
    with pytest.raises(ReportRefused) as refused:
        report_save(
            occurrence=world.occurrence, school=world.school, by=world.director,
            values={"done_text": "Стало"}, files=[good, executable],
        )  # fmt: skip
    assert "протокол.pdf" in refused.value.errors["files"][0]
    report = Report.objects.get()
    assert report.done_text == "Было" and not report.evidence.exists()

    report = report_save(
        occurrence=world.occurrence, school=world.school, by=world.director,
        values={}, files=[SimpleUploadedFile("справка.pdf", PDF)],
        links=["https://school1.example/news/seminar"],
    )  # fmt: skip
    names = sorted(str(item) for item in report.evidence.all())
    assert names == ["https://school1.example/news/seminar", "справка.pdf"]
    removed = report.evidence.get(link="").pk
    report = report_save(
        occurrence=world.occurrence, school=world.school, by=world.director,
        values={}, remove_evidence=[removed],
    )  # fmt: skip
    assert list(report.evidence.values_list("link", flat=True)) == [
        "https://school1.example/news/seminar"
    ]
    assert report.steps.last().changes == [
        {"field": "Удалён документ", "old": "справка.pdf", "new": ""}
    ]


def test_quarterly_note_of_a_measure_without_dates(world):
    report = report_save(
        occurrence=world.quarter, school=world.school, by=world.director,
        values={"outcome": "not_started", "done_text": ""}, submit=True,
    )  # fmt: skip
    assert report.status == "submitted" and report.occurrence.kind == "quarter"


# --- pages ----------------------------------------------------------------------------------


def edit_url(world, school=None):
    return reverse(
        "measures:report_edit",
        kwargs={"occurrence_pk": world.occurrence.pk, "school_pk": (school or world.school).pk},
    )


def test_access_to_the_report_pages(client, world):
    url = edit_url(world)
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))

    client.force_login(world.stranger)
    assert client.get(url).status_code == 404  # another school's report: not there
    assert client.post(url, {"outcome": "done", "version": 0}).status_code == 404

    client.force_login(world.member)
    assert client.get(url).status_code == 403  # the working group reviews, it does not report
    assert client.post(url, {"outcome": "done", "version": 0}).status_code == 403
    assert not Report.objects.exists()

    client.force_login(world.director)
    assert client.get(url).status_code == 200
    # a measure that does not concern the school
    elsewhere = factories.OccurrenceFactory()
    missing = reverse(
        "measures:report_edit",
        kwargs={"occurrence_pk": elsewhere.pk, "school_pk": world.school.pk},
    )
    assert client.get(missing).status_code == 404

    report = save(world, submit=True)
    detail = reverse("measures:report_detail", args=[report.pk])
    review = reverse("measures:report_review", args=[report.pk])
    assert client.post(review, {"action": "accept", "version": report.version}).status_code == 403
    client.force_login(world.stranger)
    assert client.get(detail).status_code == 404
    assert client.post(review, {"action": "accept", "version": report.version}).status_code == 404
    assert Report.objects.get(pk=report.pk).status == "submitted"


def test_the_director_reports_with_a_file_and_the_member_returns_then_accepts(
    client, world, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(world.director)
    url = edit_url(world)
    page = client.get(url).content.decode()
    assert "Отправить на проверку" in page and "Сохранить черновик" in page

    response = client.post(
        url,
        {
            "version": 0,
            "outcome": "done",
            "done_text": "",
            "action": "submit",
            "files": [SimpleUploadedFile("справка.pdf", PDF)],
        },
    )
    assert response.status_code == 400
    assert "Опишите, что сделано" in response.content.decode()
    assert not Report.objects.exists()

    response = client.post(
        url,
        {
            "version": 0,
            "outcome": "done",
            "done_text": "Семинар проведён",
            "links": "https://school1.example/seminar\n",
            "action": "submit",
            "files": [SimpleUploadedFile("справка о семинаре.pdf", PDF)],
        },
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.status == "submitted" and report.evidence.count() == 2
    page = client.get(url).content.decode()
    assert "Отчёт на проверке" in page and "справка о семинаре.pdf" in page

    client.force_login(world.member)
    detail = reverse("measures:report_detail", args=[report.pk])
    review = reverse("measures:report_review", args=[report.pk])
    assert "Вернуть на доработку" in client.get(detail).content.decode()
    response = client.post(review, {"action": "return", "comment": "", "version": report.version})
    assert (
        response.status_code == 400 and "Напишите, что нужно исправить" in response.content.decode()
    )
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            review, {"action": "return", "comment": "Нет протокола", "version": report.version}
        )
    assert response.status_code == 302
    assert len(callbacks) == 1  # the letter is the worker's, after the commit
    send_report_step_mail(report.steps.get(action="returned").pk)  # what the worker runs
    assert len(mailoutbox) == 1
    letter = mailoutbox[0]
    assert letter.to == ["direktor@school1.example"]
    assert letter.subject.startswith("Отчёт возвращён на доработку: 1.1 Провести семинар")
    assert "Нет протокола" in letter.body and edit_url(world) in letter.body
    assert "Нет протокола" in letter.alternatives[0].content

    client.force_login(world.director)
    page = client.get(url).content.decode()
    assert page.index("Нет протокола") < page.index("Ход выполнения")  # the comment on top
    report.refresh_from_db()
    response = client.post(
        url,
        {
            "version": report.version,
            "outcome": "done",
            "done_text": "Семинар проведён, протокол № 3",
            "action": "submit",
        },
    )
    assert response.status_code == 302

    client.force_login(world.member)
    report.refresh_from_db()
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(review, {"action": "accept", "comment": "", "version": report.version})
    assert len(callbacks) == 1
    send_report_step_mail(report.steps.get(action="accepted").pk)
    report.refresh_from_db()
    assert report.status == "accepted"
    assert len(mailoutbox) == 2 and mailoutbox[1].subject.startswith("Отчёт принят")
    page = client.get(detail).content.decode()
    for words in ("Отправлен на проверку", "Возвращён на доработку", "Нет протокола", "Принят"):
        assert words in page


def test_two_people_saving_the_same_report(client, world):
    report = save(world)
    client.force_login(world.director)
    report_save(
        occurrence=world.occurrence, school=world.school, by=world.coordinator,
        values={"done_text": "Правка координатора"}, expected_version=report.version,
    )  # fmt: skip
    response = client.post(
        edit_url(world),
        {
            "version": report.version,
            "outcome": "done",
            "done_text": "Правка директора",
            "action": "draft",
        },
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Правка директора" in page and "Правка координатора" in page
    assert Report.objects.get().done_text == "Правка координатора"


def test_the_coordinator_reports_on_behalf_of_the_school(client, world):
    client.force_login(world.coordinator)
    response = client.post(
        edit_url(world),
        {"version": 0, "outcome": "done", "done_text": "Проведено", "action": "submit"},
    )
    assert response.status_code == 302
    report = Report.objects.get()
    assert report.on_behalf and report.submitted_by == world.coordinator
    assert report.steps.get().on_behalf


def test_a_letter_is_sent_once_however_often_the_task_runs(world, mailoutbox):
    report = save(world, submit=True)
    report_accept(report=report, by=world.member, notify=False)
    step = ReportStep.objects.get(action="accepted")
    assert send_report_step_mail(step.pk) == 1
    assert send_report_step_mail(step.pk) == 0
    assert len(mailoutbox) == 1
    assert "http://localhost:8000" + edit_url(world) in mailoutbox[0].body
    assert Evidence.objects.count() == 0


def test_a_real_worker_sends_the_letter_after_the_review_commits(celery_worker_process):
    import time

    from django.db import transaction

    municipality = factories.MunicipalityFactory()
    school = factories.SchoolFactory(municipality=municipality)
    SchoolDesignation.objects.create(school=school, kind="low_results", year=2022)
    measure = factories.MeasureFactory(
        roadmap=factories.RoadmapFactory(municipality=municipality), number="2.4"
    )
    measure_save(measure=measure)
    director = factories.UserFactory(email="director@example.org")
    appoint(user=director, role="director", target=school)
    member = factories.UserFactory()
    report = report_save(
        occurrence=measure.occurrences.get(), school=school, by=director,
        values={"outcome": "done", "done_text": "Сделано"}, submit=True,
    )  # fmt: skip
    with transaction.atomic():
        report_return(report=report, by=member, comment="Нужен приказ о проведении")
        step = ReportStep.objects.get(action="returned")
        time.sleep(1)  # the task is not sent before the commit
        assert "director@example.org" not in "".join(celery_worker_process.log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        step.refresh_from_db()
        if step.mailed_at is not None and "director@example.org" in "".join(
            celery_worker_process.log
        ):
            break
        time.sleep(0.2)
    log = "".join(celery_worker_process.log)
    assert step.mailed_at is not None, log
    assert "To: director@example.org" in log


def test_only_a_result_is_accepted_on_a_control_date(world):
    report = save(world, submit=True, outcome="in_progress", done_text="Идёт подготовка")
    with pytest.raises(ReportRefused, match="не принимается"):
        report_accept(report=report, by=world.member)
    assert Report.objects.get().status == "submitted"
    report = report_return(report=report, by=world.member, comment="Ждём итог к 28.02")
    assert report.status == "returned"

    note = report_save(
        occurrence=world.quarter, school=world.school, by=world.director,
        values={"outcome": "in_progress", "done_text": "Работа идёт"}, submit=True,
    )  # fmt: skip
    assert report_accept(report=note, by=world.member).status == "accepted"  # a quarter's note


def test_a_return_for_a_fix_does_not_make_an_on_time_report_late(world):
    from measures.progress import pairs_for, progress_of

    report = save(world, submit=True, when="2022-02-20 10:00")
    report = report_return(
        report=report, by=world.member, comment="Опечатка", now=at("2022-03-02 09:00")
    )
    report = save(world, submit=True, done_text="Исправлено", when="2022-03-03 10:00")
    report = report_accept(report=report, by=world.member, now=at("2022-03-04 10:00"))
    assert report.first_submitted_at == at("2022-02-20 10:00")
    assert report.submitted_at == at("2022-03-03 10:00")
    progress = progress_of(pairs_for(school_ids=[world.school.pk]), date(2022, 6, 1))
    assert (progress.on_time, progress.late) == (1, 0)


def test_a_postponement_starts_the_reports_time_again(world):
    from measures.progress import pairs_for, progress_of

    report = save(
        world, submit=True, outcome="postponed", postponed_to=date(2022, 4, 15),
        postpone_reason="Карантин", when="2022-02-20 10:00",
    )  # fmt: skip
    report = postponement_decide(
        report=report, by=world.member, accept=True, now=at("2022-02-21 10:00")
    )
    assert report.first_submitted_at is None
    report = save(world, submit=True, when="2022-04-20 10:00")  # after the new date
    report_accept(report=report, by=world.member, now=at("2022-04-21 10:00"))
    progress = progress_of(pairs_for(school_ids=[world.school.pk]), date(2022, 6, 1))
    assert (progress.on_time, progress.late) == (0, 1)


def test_a_report_sent_meanwhile_keeps_the_typed_text_on_the_page(client, world):
    report = save(world)
    client.force_login(world.director)
    report_save(
        occurrence=world.occurrence, school=world.school, by=world.coordinator,
        values={}, submit=True, expected_version=report.version,
    )  # fmt: skip
    response = client.post(
        edit_url(world),
        {
            "version": report.version,
            "outcome": "done",
            "done_text": "Мой новый текст",
            "action": "draft",
        },
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Мой новый текст" in page and "уже отправлен на проверку" in page
    assert Report.objects.get().done_text == "Семинар проведён, 12 участников"
