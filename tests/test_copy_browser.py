"""The coordinator copies the demo's Черекский 2022 roadmap to the next year in Chromium and
reviews the deadlines that the new period flagged."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from measures.demo import load_demo
from measures.models import Roadmap
from tests.test_browser import login


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def test_coordinator_copies_a_roadmap_and_reviews_the_flagged_deadlines(
    live_server, page, tmp_path: Path
):
    load_demo()
    count = Roadmap.objects.count()
    login(page, live_server, "koordinator")
    page.locator("table a", has_text="на 2022 год").first.click()
    page.get_by_role("link", name="Копировать на новый период").click()

    expect(page.get_by_role("heading", name="Копировать на новый период")).to_be_visible()
    expect(page.get_by_label("Начало нового периода")).to_have_value("2023-01-01")
    expect(page.get_by_label("Окончание нового периода")).to_have_value("2023-12-31")
    expect(page.get_by_label("Название копии")).to_have_value(
        "План мероприятий («дорожная карта») по работе с общеобразовательными учреждениями с "
        "низкими образовательными результатами на территории Черекского муниципального района "
        "Кабардино-Балкарской Республики на 2023 год"
    )

    # a period that overlaps the old one: refused inline, the typed title kept, nothing saved
    page.get_by_label("Начало нового периода").fill("2022-07-01")
    page.get_by_label("Название копии").fill("Моя копия")
    page.get_by_role("button", name="Создать копию").click()
    expect(page.locator(".error")).to_contain_text("пересекается с периодом")
    expect(page.get_by_label("Название копии")).to_have_value("Моя копия")
    assert Roadmap.objects.count() == count

    page.get_by_label("Начало нового периода").fill("2023-01-01")
    page.get_by_role("button", name="Создать копию").click()

    expect(page.get_by_role("heading", name="Сроки на проверку")).to_be_visible()
    expect(page.locator(".message-success")).to_contain_text("Копия создана как черновик")
    copy = Roadmap.objects.get(title="Моя копия")
    assert copy.status == Roadmap.Status.DRAFT
    flagged = copy.measures.filter(deadline_needs_review=True).order_by("position")
    assert flagged.count() >= 1
    cards = page.locator(".copy-flag")
    expect(cards).to_have_count(flagged.count())
    first = cards.first
    expect(first).to_contain_text(f"«{flagged[0].deadline_text}»")
    expect(first).to_contain_text("Срок вне периода дорожной карты")
    page.screenshot(path=tmp_path / "review.png", full_page=True)

    first.get_by_role("link", name="Проверить мероприятие").click()
    expect(page.get_by_role("heading", name="Срок понят неверно?")).to_be_visible()
    assert page.url.endswith(f"/roadmaps/{copy.pk}/measures/{flagged[0].pk}/")
