"""The reporting journey in a real Chromium, on the living demo: the director reports with a file
on a phone, a working-group member returns it, the director fixes it, the member accepts, and
the roadmap page's progress moves."""

import re
from pathlib import Path

from django.db.models import Count, Min
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from measures.demo import DEMO_PASSWORD, load_demo
from measures.models import ControlPair, Report, Roadmap
from schools.models import School

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def open_as(browser, live_server, username: str, viewport: dict):
    context = browser.new_context(locale="ru-RU", viewport=viewport)
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Имя пользователя").fill(username)
    page.get_by_label("Пароль").fill(DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    return context, page


def a_future_pair(school: School, roadmap: Roadmap) -> ControlPair:
    """A control date of the current roadmap the school has not reported on, of a measure whose
    every date is still ahead: its card on «Моя школа» opens exactly this pair."""
    today = timezone.localdate()
    measure = (
        ControlPair.objects.filter(school=school, roadmap=roadmap, kind="due")
        .values("measure")
        .annotate(first=Min("due_on"), reports=Count("report"))
        .filter(first__gte=today, reports=0)
        .order_by("first", "measure")
        .values_list("measure", flat=True)
        .first()
    )
    assert measure is not None, "в демо нет мероприятия с будущими сроками"
    return ControlPair.objects.filter(school=school, measure=measure).order_by("due_on").first()


def done_count(page) -> int:
    headline = page.locator(".progress-headline").first.inner_text()
    return int(re.search(r"выполнено (\d+) из", headline).group(1))


def test_report_returned_fixed_and_accepted(live_server, browser, tmp_path: Path):
    load_demo(living=True)
    school = School.objects.get(short_name="МКОУ СОШ № 1 (демо)")
    today = timezone.localdate()
    roadmap = Roadmap.objects.get(
        municipality=school.municipality, starts_on__lte=today, ends_on__gte=today
    )
    pair = a_future_pair(school, roadmap)
    report_url = reverse(
        "measures:report_edit",
        kwargs={"occurrence_pk": pair.occurrence_id, "school_pk": school.pk},
    )
    evidence = tmp_path / "Справка о проведении.pdf"
    from weasyprint import HTML

    evidence.write_bytes(HTML(string="<h1>Справка</h1><p>Семинар проведён.</p>").write_pdf())

    coordinator, roadmap_page = open_as(browser, live_server, "koordinator", DESKTOP)
    roadmap_page.goto(live_server.url + reverse("measures:roadmap_detail", args=[roadmap.pk]))
    done_before = done_count(roadmap_page)

    # the director, on a phone, lands on «Моя школа» and opens the measure's card
    director_context, director = open_as(browser, live_server, "direktor", PHONE)
    expect(director.get_by_role("heading", level=1)).to_contain_text("Моя школа")
    director.get_by_text("Отбор").click()
    director.get_by_label("Состояние").select_option(label="Позже")
    director.get_by_role("button", name="Показать").click()
    director.locator(f'a[href="{report_url}"]').click()
    expect(director.get_by_role("button", name="Отправить на проверку")).to_be_visible()
    director.get_by_label("Выполнено", exact=True).check()
    director.get_by_label("Что сделано (фактический результат)").fill(
        "Проведён семинар для учителей, 14 участников."
    )
    director.get_by_label("Подтверждающие документы").set_input_files(evidence)
    director.get_by_role("button", name="Отправить на проверку").click()
    expect(director.locator(".messages .message-success")).to_contain_text("отправлен на проверку")
    expect(director.get_by_role("link", name="Справка о проведении.pdf")).to_be_visible()
    assert director.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    director.screenshot(path=tmp_path / "director-sent.png", full_page=True)
    report = Report.objects.get(occurrence=pair.occurrence_id, school=school)
    assert report.status == "submitted" and report.evidence.get().original_name.endswith(".pdf")

    # a working-group member finds it in the queue and returns it with a comment
    member_context, member = open_as(browser, live_server, "rabgruppa", DESKTOP)
    member.get_by_role("link", name=re.compile("На проверке")).first.click()
    member.locator(f'a[href="{reverse("measures:report_detail", args=[report.pk])}"]').click()
    expect(member.get_by_role("link", name="Справка о проведении.pdf")).to_be_visible()
    member.get_by_label("Комментарий для школы").fill(
        "Приложите список участников. Образец: https://school1.example.org/documents/"
        "spisok-uchastnikov-metodicheskogo-seminara-dlya-uchiteley-nachalnyh-klassov-2026.pdf"
    )
    member.get_by_role("button", name="Вернуть на доработку").click()
    expect(member.locator(".messages .message-success")).to_contain_text("возвращён школе")

    # the director sees the comment on top, fixes the report and sends it again
    director.goto(live_server.url + "/")
    expect(director.get_by_text("Приложите список участников.").first).to_be_visible()
    director.goto(live_server.url + report_url)
    expect(director.locator(".returned-note")).to_contain_text("Приложите список участников.")
    assert director.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    director.get_by_label("Ссылки на сайт школы").fill("https://school1.example.org/news/seminar")
    director.get_by_role("button", name="Отправить на проверку").click()
    expect(director.locator(".messages .message-success")).to_contain_text("отправлен на проверку")

    # the member accepts; the roadmap page counts one more control date done
    member.goto(live_server.url + reverse("measures:report_detail", args=[report.pk]))
    member.get_by_role("button", name="Принять отчёт").click()
    expect(member.locator(".messages .message-success")).to_contain_text("Отчёт принят")
    expect(member.get_by_text("Возвращён на доработку")).to_be_visible()  # the way so far
    member.screenshot(path=tmp_path / "member-accepted.png", full_page=True)
    roadmap_page.reload()
    assert done_count(roadmap_page) == done_before + 1
    report.refresh_from_db()
    assert report.status == "accepted" and report.evidence.count() == 2
    for context in (coordinator, director_context, member_context):
        context.close()
