"""The coordinator's first journey in a real Chromium: log in, open the seed 000 roadmap."""

import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from roadmap_portal.demo import DEMO_PASSWORD, load_demo

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    executable = shutil.which("chromium")
    assert executable, "Chromium не установлен: apt-get install -y chromium (делает .ci/portal)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ru-RU", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def test_coordinator_logs_in_and_opens_the_cherek_roadmap(live_server, page, tmp_path: Path):
    load_demo()
    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Вход в портал")).to_be_visible()
    page.get_by_label("Имя пользователя").fill("koordinator")
    page.get_by_label("Пароль").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Войти").click()

    expect(page.get_by_role("heading", name="Дорожные карты")).to_be_visible()
    page.get_by_role("link", name="Черекского муниципального района").click()

    expect(page.locator("h1")).to_contain_text("План мероприятий («дорожная карта»)")
    expect(page.locator(".appendix-mark")).to_contain_text("от 22.02.2021 № 31")
    section = page.locator("tr.section-row", has_text="4. Мониторинг, контроль и оценка")
    expect(section).to_be_visible()
    row = page.locator("tr", has_text="Проведение мониторинга").first
    expect(row).to_contain_text("Октябрь-ноябрь")
    expect(page.locator("tr[id^=measure-]")).to_have_count(31)
    # the stylesheet is served locally and applied
    assert (
        page.locator("tr.section-row th").first.evaluate(
            "el => getComputedStyle(el).backgroundColor"
        )
        == "rgb(232, 238, 246)"
    )
    page.screenshot(path=tmp_path / "roadmap.png", full_page=True)
