"""The coordinator keeps the registry in a real Chromium: a school's designation (added and
ended) and a mentor pairing with its partnership agreement — with JavaScript and without."""

import pytest
from playwright.sync_api import expect

from measures.demo import DEMO_PASSWORD, load_demo
from schools.models import MentorPairing, Municipality, SchoolDesignation


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def page(request, browser):
    context = browser.new_context(
        locale="ru-RU", viewport={"width": 1280, "height": 900}, java_script_enabled=request.param
    )
    page = context.new_page()
    yield page
    context.close()


def test_coordinator_designates_a_school_and_pairs_it_with_a_mentor(live_server, page):
    load_demo()
    municipality = Municipality.objects.get(name="Черекский муниципальный район")
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Имя пользователя").fill("koordinator")
    page.get_by_label("Пароль").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.locator("h1")).to_contain_text("Дорожные карты")

    # the schools: filter, open one, add a designation
    page.goto(f"{live_server.url}/municipalities/{municipality.pk}/schools/")
    expect(page.locator("h1")).to_contain_text("Школы и категории")
    page.get_by_label("Категория").select_option("mentor")
    page.get_by_role("button", name="Показать").click()
    expect(page.locator("table.registry-table tbody tr")).to_have_count(1)
    page.get_by_role("link", name="Сбросить").click()
    page.get_by_role("link", name="МКОУ СОШ № 3 (демо)").click()
    expect(page.locator("h1")).to_have_text("МКОУ СОШ № 3 (демо)")
    add = page.locator("#designations form").last
    add.get_by_label("Категория").select_option(
        label="Школа с признаками необъективности результатов"
    )
    add.get_by_label("Год").fill("2026")
    add.get_by_label("Основание, как записано").fill("Перечень ФИОКО на 2026 год")
    add.get_by_role("button", name="Отнести к категории").click()
    expect(page.get_by_text("Категория добавлена.")).to_be_visible()
    item = page.locator(".designation-item", has_text="признаками необъективности")
    expect(item).to_contain_text("Основание: Перечень ФИОКО на 2026 год")

    # a mistake is shown inline, nothing typed is lost
    add = page.locator("#designations form").last
    add.get_by_label("Категория").select_option(
        label="Школа с признаками необъективности результатов"
    )
    add.get_by_label("Год").fill("2026")
    add.get_by_label("Основание, как записано").fill("Ещё раз")
    add.get_by_role("button", name="Отнести к категории").click()
    expect(page.locator("#designations")).to_contain_text(
        "Школа уже отнесена к этой категории в 2026 году."
    )
    expect(
        page.locator("#designations form").last.get_by_label("Основание, как записано")
    ).to_have_value("Ещё раз")

    # end it
    item = page.locator(".designation-item", has_text="признаками необъективности")
    item.locator("summary").click()
    item.get_by_label("Снята с категории с").fill("2026-09-01")
    item.get_by_label("Причина").fill("Результаты подтверждены")
    item.get_by_role("button", name="Снять с категории").click()
    expect(
        page.locator(".designation-item", has_text="признаками необъективности")
    ).to_contain_text("Снята с категории с 01.09.2026: Результаты подтверждены")
    designation = SchoolDesignation.objects.get(kind="unobjective_results", year=2026)
    assert designation.ended_on.isoformat() == "2026-09-01"

    # a mentor pairing and its agreement
    page.get_by_role("link", name="Наставничество").click()
    expect(page.locator("h1")).to_contain_text("Школы-наставники и поддерживаемые школы")
    form = page.locator("form", has=page.get_by_role("button", name="Добавить пару"))
    form.get_by_label("Школа-наставник").select_option(label="МКОУ СОШ № 4 (демо)")
    form.get_by_label("Поддерживаемая школа").select_option(label="МКОУ СОШ № 3 (демо)")
    form.get_by_label("Начало").fill("2026-09-01")
    form.get_by_label("Окончание").fill("2027-06-30")
    form.get_by_role("button", name="Добавить пару").click()
    expect(page.locator("h1")).to_have_text("Партнёрское соглашение")
    page.get_by_label("Номер").fill("5")
    page.get_by_label("Дата подписания").fill("2026-08-28")
    page.get_by_label("Срок, как записан").fill("2026–2027 учебный год")
    page.get_by_label("Руководитель школы-наставника").select_option(label="Наставникова Н.Н.")
    page.get_by_label("Руководитель поддерживаемой школы").select_option(label="Руководова Р.Р.")
    page.get_by_label("Совместное использование учебного и лабораторного оборудования").check()
    page.get_by_label("Консультации руководителя поддерживаемой школы").check()
    page.get_by_label("Другие пункты").fill("Взаимные посещения уроков")
    page.get_by_role("button", name="Сохранить соглашение").click()
    expect(page.locator(".messages")).to_contain_text("Партнёрское соглашение сохранено.")
    expect(page.locator(".agreement-items li")).to_have_text(
        [
            "Консультации руководителя поддерживаемой школы по вопросам управления качеством "
            "образования",
            "Совместное использование учебного и лабораторного оборудования",
            "Взаимные посещения уроков",
        ]
    )
    expect(page.locator(".report-facts")).to_contain_text("Соглашение №\u00a05 от 28.08.2026")
    pairing = MentorPairing.objects.get(supported__short_name="МКОУ СОШ № 3 (демо)")
    assert pairing.agreement.items.count() == 3
