"""In Chromium: the coordinator uploads a table of values with one bad row (120 in a percent
column): the preview names the row and offers no confirmation; the fixed file is uploaded
again, confirmed, and its values are saved."""

from playwright.sync_api import Page, expect

from measures.demo import load_demo
from monitoring.models import Indicator, IndicatorValue, MonitoringStage
from tests.test_reminders_browser import login

expect.set_options(timeout=15_000)


def table(title: str, second: str) -> bytes:
    rows = [
        "Результаты диагностики учителей, 2022;;",  # Excel keeps the separators
        f"Школа;{title}, %;Примечание",
        "МКОУ СОШ №1 (демо);85,5%;",
        f"МКОУ СОШ № 2 (демо);{second};",
        "Итого;;",
    ]
    # the code column is absent: schools are matched by name
    return "\r\n".join(rows).encode("cp1251")


def upload(page: Page, live_server, municipality_pk: int, stage: MonitoringStage, data: bytes):
    page.goto(f"{live_server.url}/monitoring/{municipality_pk}/import/")
    expect(page.locator("h1")).to_have_text("Загрузка таблицы значений")
    page.get_by_label("Этап мониторинга").select_option(str(stage.pk))
    page.get_by_label("Источник данных").fill("Диагностика ЦНППМ")
    page.get_by_label("Дата измерения").fill("15.10.2022")
    page.get_by_label("Таблица значений").set_input_files(
        files=[{"name": "диагностика.csv", "mimeType": "text/csv", "buffer": data}]
    )
    page.get_by_role("button", name="Загрузить и проверить").click()
    expect(page.locator("h1")).to_have_text("Проверка таблицы значений")


def test_a_bad_row_is_named_then_the_fixed_table_is_loaded(live_server, browser):
    load_demo()
    indicator = Indicator.objects.get(code="deficit_diagnosed_teachers_share")
    stage = (  # the seed's own stage: the demo's later stages hold values already
        MonitoringStage.objects.filter(municipality=indicator.municipality, kind="interim")
        .order_by("year")
        .first()
    )
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, live_server, "koordinator")

    upload(page, live_server, indicator.municipality_id, stage, table(indicator.title, "120"))
    problems = page.locator(".problems")
    expect(problems).to_contain_text("ничего не будет сохранено")
    expect(problems).to_contain_text("Строка 4")
    expect(problems).to_contain_text("Процент должен быть от 0 до 100, а не 120.")
    expect(page.get_by_role("button", name="Загрузить значений")).to_have_count(0)
    expect(page.get_by_text("Столбцы не распознаны — будут пропущены")).to_be_visible()
    expect(page.get_by_text("«Итого» — итог по муниципалитету, не школа")).to_be_visible()
    assert not IndicatorValue.objects.filter(stage=stage).exists()  # nothing saved

    page.get_by_role("link", name="Загрузить исправленный файл").click()
    upload(page, live_server, indicator.municipality_id, stage, table(indicator.title, "100"))
    expect(page.locator(".problems")).to_have_count(0)
    expect(page.locator(".import-values tbody tr")).to_have_count(2)
    expect(page.locator(".import-values")).to_contain_text("85,5\u00a0%")
    expect(page.locator(".import-values")).to_contain_text("← МКОУ СОШ №1 (демо)")
    page.get_by_role("button", name="Загрузить значений: 2").click()
    page.wait_for_url(f"**/monitoring/{indicator.municipality_id}/indicators/")
    loaded = IndicatorValue.objects.filter(stage=stage)
    saved = {v.school.short_name: str(v.value) for v in loaded}
    assert saved == {"МКОУ СОШ № 1 (демо)": "85.50", "МКОУ СОШ № 2 (демо)": "100.00"}
    assert {v.source for v in loaded} == {"Диагностика ЦНППМ"}
    context.close()
