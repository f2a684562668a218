"""The coordinator approves a draft roadmap in Chromium: the order prepared from the roadmap's
page, its number and date set, the working group's composition added as appendix 2, the order
marked signed; the roadmap is approved and locked, and the PDF's progress is polled (htmx)
until the download appears."""

from datetime import date

from playwright.sync_api import expect

from measures.demo import load_demo
from measures.models import LegalAct, Roadmap
from measures.services import roadmap_copy
from tests.test_editor_browser import login

expect.set_options(timeout=15_000)


def test_coordinator_approves_a_draft_by_an_order(live_server, browser):
    load_demo()
    seed = Roadmap.objects.get(municipality__name__startswith="Черекский")
    roadmap, _flagged = roadmap_copy(
        roadmap=seed, starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31)
    )  # a draft
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, live_server)
    page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/")
    page.get_by_role("button", name="Подготовить приказ об утверждении").click()
    expect(page.locator("h1")).to_have_text("Текст проекта")
    page.get_by_label("Номер").fill("45")
    page.get_by_label("Дата").fill("2026-03-02")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator("h1")).to_contain_text("Приказ от 02.03.2026 № 45")
    expect(page.locator(".order-heading")).to_contain_text("Об утверждении плана мероприятий")

    page.locator(".appendix-add summary").click()
    page.get_by_label("Что приложить").select_option("working_group")
    page.get_by_label("Рабочая группа").select_option(index=1)
    page.get_by_role("button", name="Добавить приложение").click()
    expect(page.locator(".appendix-row")).to_have_count(2)
    expect(page.locator(".appendix-row").nth(1)).to_contain_text("Приложение 2")
    expect(page.locator(".order-items li").nth(1)).to_contain_text(
        "Утвердить состав муниципальной рабочей группы по реализации"
    )

    page.get_by_role("link", name="Отметить подписанным").click()
    expect(page.locator(".order-sign")).to_contain_text(
        "После отметки приказ и дорожная карта не меняются"
    )
    page.get_by_role("button", name="Да, документ подписан").click()
    expect(page.locator(".page-head .status")).to_contain_text("Подписан")
    expect(page.locator("#pdf")).to_contain_text("В очереди на формирование")
    act = LegalAct.objects.get(number="45")
    assert act.pdf_status == LegalAct.PdfStatus.QUEUED
    roadmap.refresh_from_db()
    assert roadmap.status == Roadmap.Status.APPROVED and roadmap.approved_by_id == act.pk

    # the worker's part, by hand: htmx polls the block until the download appears
    page.wait_for_function("() => typeof htmx !== 'undefined'")
    LegalAct.objects.filter(pk=act.pk).update(pdf_status="ready", pdf="orders/2026/45.pdf")
    expect(page.get_by_role("link", name="Скачать PDF")).to_be_visible()
    expect(page.get_by_role("link", name="Скачать PDF")).to_have_attribute(
        "href", f"/roadmaps/orders/{act.pk}/pdf/"
    )

    # the approved roadmap is locked: the editor refuses, pointing to «Внести изменения»
    response = page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/editor/")
    assert response.status == 403
    expect(page.locator("body")).to_contain_text("Внести изменения")
    context.close()
