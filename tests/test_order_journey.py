"""The issue's journey in Chromium, with a real Celery worker on the real broker: the coordinator
prepares the order for a draft roadmap, adds the working group's composition, marks it signed
and watches the PDF appear (rendered by the worker), opens it; the approved roadmap refuses the
editor; «Внести изменения», two measures changed, a new order approves the changes (its PDF
rendered too); the two editions compared. Reports stay on their measures throughout."""

import subprocess
from datetime import date

from playwright.sync_api import Page, expect

from measures.demo import load_demo
from measures.models import LegalAct, Report, Roadmap
from measures.services import roadmap_copy
from tests.test_editions_browser import edit_measure
from tests.test_editor_browser import login

expect.set_options(timeout=20_000)


def sign_with_number(page: Page, number: str, day: str) -> None:
    """On a fresh draft order's text page: the number and date, saved, then signed."""
    page.get_by_label("Номер").fill(number)
    page.get_by_label("Дата").fill(day)
    page.get_by_role("button", name="Сохранить").click()
    page.get_by_role("link", name="Отметить подписанным").click()
    page.get_by_role("button", name="Да, документ подписан").click()
    expect(page.locator(".page-head .status")).to_contain_text("Подписан")


def pdf_text(page: Page, live_server, tmp_path, name: str) -> str:
    """Wait for the worker's PDF (htmx polls the block), download it, read it back."""
    link = page.get_by_role("link", name="Скачать PDF")
    expect(link).to_be_visible(timeout=90_000)
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    path = tmp_path / name
    path.write_bytes(response.body())
    assert path.read_bytes().startswith(b"%PDF-")
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_order_approve_amend_and_compare(live_server, browser, celery_worker_process, tmp_path):
    load_demo()
    seed = Roadmap.objects.get(municipality__name__startswith="Черекский", status="approved")
    roadmap, _flagged = roadmap_copy(
        roadmap=seed, starts_on=date(2027, 1, 1), ends_on=date(2027, 12, 31)
    )  # a draft of the next year
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, live_server)

    # 1. the order for the draft, with the working group's composition as appendix 2
    page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/")
    page.get_by_role("button", name="Подготовить приказ об утверждении").click()
    page.get_by_label("Номер").fill("12")
    page.get_by_label("Дата").fill("2027-01-15")
    page.get_by_role("button", name="Сохранить").click()
    page.locator(".appendix-add summary").click()
    page.get_by_label("Что приложить").select_option("working_group")
    page.get_by_label("Рабочая группа").select_option(index=1)
    page.get_by_role("button", name="Добавить приложение").click()
    expect(page.locator(".appendix-row")).to_have_count(2)
    page.get_by_role("link", name="Отметить подписанным").click()
    page.get_by_role("button", name="Да, документ подписан").click()
    expect(page.locator(".page-head .status")).to_contain_text("Подписан")

    # 2. the worker renders the PDF; the page shows it; it reads back right
    first = LegalAct.objects.get(number="12", date=date(2027, 1, 15))
    text = pdf_text(page, live_server, tmp_path, "approval.pdf")
    assert "ПРИКАЗ" in text and "№ 12" in text
    assert "Приложение 1" in text and "Приложение 2" in text
    first_measure = roadmap.measures.order_by("position").first()
    assert " ".join(first_measure.title.split()[:4]) in " ".join(text.split())
    roadmap.refresh_from_db()
    assert roadmap.status == "approved" and roadmap.approved_by_id == first.pk

    # 3. the approved roadmap refuses the editor, pointing to «Внести изменения»
    response = page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/editor/")
    assert response.status == 403
    expect(page.locator("body")).to_contain_text("Внести изменения")

    # a school reports on the first measure of the version in force
    occurrence = first_measure.occurrences.order_by("due_on").first()
    school = roadmap.municipality.schools.filter(designations__year=2027).first() or (
        roadmap.municipality.schools.first()
    )
    report = Report.objects.create(occurrence=occurrence, school=school, due_on=occurrence.due_on)

    # 4. «Внести изменения»: two measures changed in the editor
    page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/")
    page.get_by_role("button", name="Внести изменения").click()
    draft = Roadmap.objects.get(amends=roadmap)
    expect(page).to_have_url(f"{live_server.url}/roadmaps/{draft.pk}/editor/")
    page.wait_for_function("() => typeof htmx !== 'undefined'")
    one, two = draft.measures.order_by("position")[:2]
    edit_measure(page, one.pk, "title", f"{one.title} с участием родителей")
    edit_measure(page, two.pk, "deadline_text", "Ежеквартально")

    # 5. a new order approves the changes
    page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/")
    page.get_by_role("button", name="Подготовить приказ о внесении изменений").click()
    expect(page.locator("body")).to_contain_text("О внесении изменений")
    sign_with_number(page, "47", "2027-04-28")
    text = pdf_text(page, live_server, tmp_path, "amendment.pdf")
    assert "с участием родителей" in " ".join(text.split())
    assert not Roadmap.objects.filter(pk=draft.pk).exists()
    roadmap.refresh_from_db()
    assert [e.number for e in roadmap.editions.order_by("number")] == [1, 2]
    report.refresh_from_db()
    assert report.occurrence.measure_id == first_measure.pk  # the report kept its measure

    # 6. the roadmap page names the edition in force; the two editions compared
    page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/")
    expect(page.locator(".edition-in-force")).to_contain_text("в редакции приказа")
    expect(page.locator(".edition-in-force")).to_contain_text("№\u00a047")
    page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/compare/?a=1&b=2")
    expect(page.locator(".compare-summary")).to_contain_text("изменено 2")
    changed = page.locator(".compare-changed")
    expect(changed.nth(0).locator("ins")).to_contain_text("с участием родителей")
    expect(changed.nth(1).locator("ins")).to_contain_text("Ежеквартально")
    context.close()
