"""The importer in a real Chromium, with a real Celery worker: a table whose headers the portal
does not know, its columns reassigned on the preview, the name typed there, the roadmap made."""

from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import expect

from measures.demo import DEMO_PASSWORD, load_demo

HEADERS = ["№", "Что делаем", "Кто", "Когда", "Итог", "Комментарий куратора"]
ROWS = [
    [1, "Проведение диагностики профессиональных дефицитов педагогов", "Управление образования",
     "до 1 марта 2026 г.", "Выявлены дефициты", "Согласовано с ИРО"],
    [2, "Организация курсов повышения квалификации учителей математики", "ИРО КБР, школы",
     "в течение года", "Обучено 20 педагогов", "Нужна заявка школ"],
    [3, "Методический семинар для заместителей директоров", "Методический кабинет",
     "ежеквартально", "Проведено 4 семинара", "Протоколы семинаров"],
]  # fmt: skip


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


def test_coordinator_reassigns_the_columns_of_an_unknown_table_and_imports_it(
    live_server, page, tmp_path: Path, celery_worker_process
):
    load_demo()
    book = openpyxl.Workbook()
    for row in [HEADERS, *ROWS]:
        book.active.append(row)
    upload = tmp_path / "план.xlsx"
    book.save(upload)

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Имя пользователя").fill("koordinator")
    page.get_by_label("Пароль").fill(DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    page.goto(f"{live_server.url}/roadmaps/import/")
    page.get_by_label("Начало периода").fill("2026-01-01")
    page.get_by_label("Окончание периода").fill("2026-12-31")
    page.get_by_label("Файл дорожной карты").set_input_files(upload)
    page.get_by_role("button", name="Загрузить и проверить").click()

    # the worker reads the file; the preview lists every column with a select
    expect(page.get_by_role("heading", name="Столбцы таблицы")).to_be_visible(timeout=30_000)
    columns = page.locator(".columns-table tbody tr")
    expect(columns).to_have_count(6)
    for n, header in enumerate(HEADERS):
        expect(columns.nth(n).locator("td").nth(1)).to_have_text(header)
    first = page.locator(".preview-table tbody tr", has_text="диагностики").first
    expect(first).not_to_contain_text("Согласовано с ИРО")
    # the file has no name: the confirm asks for it instead of failing after the click
    expect(page.locator(".roadmap-meta + p")).to_contain_text("не найдено в файле")
    expect(page.get_by_label("Название дорожной карты")).to_be_visible()

    # on a phone the columns and the measures are cards: nothing wider than the screen
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    label = (
        columns.first.locator("td")
        .nth(1)
        .evaluate("el => getComputedStyle(el, '::before').content")
    )
    assert label == '"Заголовок в файле"'  # each line of a card says what it is
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_label("Столбец 3 содержит").select_option(label="Ответственные исполнители")
    page.get_by_label("Столбец 5 содержит").select_option(label="не используется")
    page.get_by_label("Столбец 6 содержит").select_option(label="Планируемый результат")
    page.get_by_role("button", name="Прочитать файл заново с этими столбцами").click()

    # the choice is kept and the worker reads the file again; the page refreshes itself
    expect(page.locator(".message-success")).to_contain_text("Файл будет прочитан заново")
    expect(columns.nth(5).locator("td").nth(2)).to_have_text(
        "Планируемый результат (выбрано вами)", timeout=30_000
    )
    cells = page.locator(".preview-table tbody tr", has_text="диагностики").first.locator("td")
    expect(cells.nth(3)).to_have_text("Управление образования")
    expect(cells.nth(5)).to_have_text("Согласовано с ИРО")

    title = "План мероприятий по поддержке школ на 2026 год"
    page.get_by_label("Название дорожной карты").fill(title)
    page.get_by_role("button", name="Подтвердить импорт").click()

    # the worker makes the roadmap; the page follows it to the roadmap itself
    expect(page.locator("h1")).to_contain_text(title, timeout=30_000)
    expect(page.locator("tr[id^=measure-]")).to_have_count(3)
    row = page.locator("tr[id^=measure-]", has_text="диагностики")
    expect(row).to_contain_text("Управление образования")
    expect(row).to_contain_text("Согласовано с ИРО")
    expect(row).not_to_contain_text("Выявлены дефициты")
