"""In Chromium: a working-group member opens the municipal dashboard from the header, filters it
by school and stage, follows a red cell of the grid to the school's report, and downloads a
table; the dashboard fits a phone and prints as an A4 handout."""

import io

from openpyxl import load_workbook
from playwright.sync_api import expect

from measures.demo import load_demo
from schools.models import Municipality
from tests.test_reminders_browser import login

expect.set_options(timeout=15_000)


def test_working_group_reads_filters_follows_and_exports(live_server, browser, tmp_path):
    load_demo(living=True)  # the roadmap in force with reports: done, late, returned, overdue
    municipality = Municipality.objects.get(name__startswith="Черекский")
    context = browser.new_context(
        locale="ru-RU", viewport={"width": 1280, "height": 900}, accept_downloads=True
    )
    page = context.new_page()
    login(page, live_server, "rabgruppa")
    page.locator(".main-nav").get_by_role("link", name="Показатели").click()
    # one municipality read in full: «Показатели» opens its dashboard
    expect(page.locator("h1")).to_contain_text("Работает ли план")
    page.get_by_role("link", name="Каталог показателей").click()
    expect(page.locator("h1")).to_contain_text("Показатели мониторинга")
    page.get_by_role("link", name="Панель рабочей группы").click()
    expect(page.locator("h1")).to_contain_text("Работает ли план")
    expect(page.locator(".progress-summary")).to_contain_text("контрольных сроков")

    school = (
        page.locator(".dashboard-grid td.cell-overdue a")
        .first.locator("xpath=ancestor::tr/th")
        .inner_text()
    )
    page.get_by_label("Школа", exact=True).select_option(label=school)
    page.get_by_label("Этап мониторинга").select_option("final")
    page.get_by_role("button", name="Показать").click()
    assert "school=" in page.url and "stage=final" in page.url
    expect(page.get_by_label("Школа", exact=True)).to_have_value(
        str(_school_pk(municipality, school))
    )
    expect(page.locator(".dashboard-grid tbody tr")).to_have_count(1)

    red = page.locator(".dashboard-grid td.cell-overdue a").first
    red.click()
    expect(page.locator("h1")).to_contain_text("Отчёт")
    expect(page.locator("main")).to_contain_text(school)
    page.go_back()

    with page.expect_download() as download:
        page.locator("#t-overdue").locator("xpath=..").get_by_role(
            "link", name="Скачать XLSX"
        ).click()
    path = tmp_path / "overdue.xlsx"
    download.value.save_as(path)
    rows = list(load_workbook(io.BytesIO(path.read_bytes())).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("№", "Мероприятие")
    assert all(row[3] == school for row in rows[1:]) and len(rows) > 1
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)

    # a phone: the filters and tables stay usable (the grid scrolls inside its box)
    phone = browser.new_context(locale="ru-RU", viewport={"width": 390, "height": 800})
    small = phone.new_page()
    login(small, live_server, "rabgruppa")
    small.goto(page.url)
    width = small.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, width
    phone.close()

    # the printed handout: A4, the date and the filters on the first page
    page.emulate_media(media="print")
    expect(page.locator(".dashboard-printed")).to_be_visible()
    expect(page.locator(".dashboard-printed")).to_contain_text("Этап мониторинга: Итоговый")
    expect(page.locator(".dashboard-filters")).to_be_hidden()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    context.close()


def _school_pk(municipality, short_name: str) -> int:
    return municipality.schools.get(short_name=short_name).pk
