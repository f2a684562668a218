"""In Chromium: the demo director opens their school's values, enters a value with a comma
and sees it in the table; a percent over 100 is refused in Russian and nothing is saved."""

from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import Page, expect

from measures.demo import load_demo
from monitoring.models import IndicatorValue

expect.set_options(timeout=15_000)

VPR = "Доля участников ВПР, подтвердивших отметки по журналу"


def login(page: Page, live_server, username: str) -> None:
    from tests.test_editor_browser import DEMO_PASSWORD

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Имя пользователя").fill(username)
    page.get_by_label("Пароль").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.locator("h1")).not_to_have_text("Вход")


def vpr_value() -> Decimal:
    """The director's school's value at the stage the form opens on (the latest started)."""
    row = (
        IndicatorValue.objects.filter(
            indicator__code="vpr_marks_confirmed_share",
            school__short_name="МКОУ СОШ № 1 (демо)",
            stage__starts_on__lte=timezone.localdate(),
        )
        .order_by("-stage__starts_on")
        .first()
    )
    return row.value


def test_director_enters_a_value_and_a_percent_over_100_is_refused(live_server, browser):
    load_demo()
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, live_server, "direktor")
    expect(page.locator(".main-nav").get_by_role("link", name="Показатели")).to_be_visible()
    page.goto(f"{live_server.url}/monitoring/school/")
    expect(page.locator("h1")).to_have_text("Показатели школы: МКОУ СОШ № 1 (демо)")

    row = page.locator(".school-values-table tbody tr", has_text=VPR)
    row.get_by_role("link", name="Внести значение").click()
    expect(page.locator("h1")).to_have_text("Значение показателя")
    expect(page.locator(".value-facts")).to_contain_text("от 0 до 100")
    page.locator("#id_value").fill("72,5")
    page.get_by_label("Источник").fill("ФИС ОКО, ВПР-2026")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator(".messages")).to_contain_text("Значение сохранено: 72,5")
    expect(page.locator("h1")).to_have_text("Показатели школы: МКОУ СОШ № 1 (демо)")
    expect(row).to_contain_text("72,5\u00a0%")
    assert vpr_value() == Decimal("72.50")

    row.get_by_role("link", name="Внести значение").click()
    page.locator("#id_value").fill("120")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator(".field-value .error")).to_have_text(
        "Процент должен быть от 0 до 100, а не 120."
    )
    expect(page.locator("#id_value")).to_have_value("120")
    assert vpr_value() == Decimal("72.50")
    context.close()
