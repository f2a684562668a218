"""The coordinator builds a roadmap in Chromium: from the keyboard with htmx (the page never
reloads), and the same steps with JavaScript disabled (plain form posts)."""

from pathlib import Path

from playwright.sync_api import Page, expect

from measures.demo import DEMO_PASSWORD, load_demo
from measures.models import Roadmap

expect.set_options(timeout=15_000)  # a loaded CI machine: htmx answers may take seconds

TITLE = "Дорожная карта по повышению качества образования (проект)"


def login(page: Page, live_server) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Имя пользователя").fill("koordinator")
    page.get_by_label("Пароль").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.locator("h1")).to_contain_text("Дорожные карты")


def focused(page: Page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.name || ''")


def tab_to(page: Page, text: str, limit: int = 15) -> None:
    """Press Tab until the focused control says `text`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if text in page.evaluate("document.activeElement.textContent || ''"):
            return
    raise AssertionError(f"«{text}» не достигается клавишей Tab")


def add_section(page: Page, title: str) -> None:
    page.get_by_role("link", name="+ Раздел").focus()
    page.keyboard.press("Enter")
    expect(page.locator("input[name=number]")).to_be_focused()  # the number: empty, automatic
    settled(page)  # htmx focuses [autofocus] once more when it settles: type after it
    page.keyboard.press("Tab")
    page.keyboard.type(title)
    tab_to(page, "Добавить раздел")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    # focus goes to the new section's «+ Мероприятие» (once htmx has settled the new rows)
    expect(page.locator(".editor-section .add-link").last).to_be_focused()


def settled(page: Page) -> None:
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-settling')")


def add_measure(page: Page, section_number: str, title: str, deadline: str) -> None:
    settled(page)
    link = page.get_by_role("link", name=f"+ Мероприятие в раздел {section_number}")
    link.focus()
    page.keyboard.press("Enter")
    number = page.locator("input[name=new-number]")
    expect(number).to_be_focused()  # the form's first field
    settled(page)
    page.keyboard.press("Tab")
    page.keyboard.type(title)
    page.locator("[name=new-deadline_text]").focus()
    page.keyboard.type(deadline)
    tab_to(page, "Добавить мероприятие")
    page.keyboard.press("Enter")
    expect(page.locator(".editor-measure", has_text=title)).to_be_visible()
    # focus is back on the control that opened the form: the next measure is one Enter away
    expect(
        page.get_by_role("link", name=f"+ Мероприятие в раздел {section_number}")
    ).to_be_focused()


def numbers(page: Page) -> list[str]:
    return page.locator(".editor-measure .editor-number").all_inner_texts()


def test_coordinator_builds_a_roadmap_from_the_keyboard(live_server, browser, tmp_path: Path):
    load_demo()
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, live_server)
    page.get_by_role("link", name="Создать дорожную карту").click()
    page.get_by_label("Название").fill(TITLE)
    page.get_by_label("Цель").fill("Повышение качества образования в школах с низкими результатами")
    page.get_by_role("button", name="Создать и перейти к разделам").click()
    expect(page.locator("h1")).to_have_text(TITLE)
    page.wait_for_function("() => typeof htmx !== 'undefined'")  # loaded with «defer»
    page.wait_for_load_state("load")
    page.evaluate("window.editorMarker = 'same page'")

    add_section(page, "Анализ результатов")
    add_measure(page, "1", "Анализ результатов ВПР", "Октябрь 2026 г.")
    add_measure(page, "1", "Совещание с директорами", "Ежеквартально")
    add_measure(page, "1", "Семинар для учителей математики", "Ноябрь 2026 г.")
    add_section(page, "Методическая помощь")
    add_measure(page, "2", "Консультации для заместителей", "В течение года")
    add_measure(page, "2", "Взаимопосещение уроков", "Декабрь 2026 г.")
    assert numbers(page) == ["1.1", "1.2", "1.3", "2.1", "2.2"]
    page.screenshot(path=tmp_path / "editor.png", full_page=True)

    # reorder: the last measure of section 1 goes down, into section 2, as 2.1
    row = page.locator(".editor-measure", has_text="Семинар для учителей математики")
    row_id = row.get_attribute("id")
    settled(page)
    page.locator(f"#{row_id}-down").focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#{row_id} .editor-number")).to_have_text("2.1")
    expect(page.locator(f"#{row_id}-down")).to_be_focused()  # focus stays on the control
    assert numbers(page) == ["1.1", "1.2", "2.1", "2.2", "2.3"]
    settled(page)
    page.keyboard.press("Enter")  # once more: 2.2
    expect(page.locator(f"#{row_id} .editor-number")).to_have_text("2.2")
    settled(page)
    expect(page.locator(f"#{row_id}-down")).to_be_focused()

    # delete one: an inline question, then «Да, удалить»
    victim = page.locator(".editor-measure", has_text="Совещание с директорами")
    victim_id = victim.get_attribute("id")
    settled(page)
    page.locator(f"#{victim_id}-delete").focus()
    page.keyboard.press("Enter")
    confirm = page.get_by_role("button", name="Да, удалить")
    expect(confirm).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(f"#{victim_id}")).to_have_count(0)
    assert numbers(page) == ["1.1", "2.1", "2.2", "2.3"]
    assert page.evaluate("window.editorMarker") == "same page"  # never reloaded
    roadmap = Roadmap.objects.get(title=TITLE)
    assert roadmap.status == Roadmap.Status.DRAFT and roadmap.measures.count() == 4
    page.screenshot(path=tmp_path / "editor-after.png", full_page=True)
    context.close()


def test_the_same_steps_without_javascript(live_server, browser):
    load_demo()
    context = browser.new_context(locale="ru-RU", java_script_enabled=False)
    page = context.new_page()
    login(page, live_server)
    page.get_by_role("link", name="Создать дорожную карту").click()
    page.get_by_label("Название").fill(TITLE)
    page.get_by_role("button", name="Создать и перейти к разделам").click()
    expect(page.locator("h1")).to_have_text(TITLE)

    for title in ["Анализ результатов", "Методическая помощь"]:
        page.get_by_role("link", name="+ Раздел").click()
        page.get_by_label("Название раздела").fill(title)
        page.get_by_role("button", name="Добавить раздел").click()
    for section, title in [("1", "Анализ ВПР"), ("1", "Совещание"), ("2", "Семинар")]:
        page.get_by_role("link", name=f"+ Мероприятие в раздел {section}").click()
        page.locator("[name=new-title]").fill(title)
        page.locator("[name=new-deadline_text]").fill("Октябрь 2026 г.")
        page.get_by_role("button", name="Добавить мероприятие").click()
        expect(page.locator(".editor-measure", has_text=title)).to_be_visible()
    assert numbers(page) == ["1.1", "1.2", "2.1"]

    # a blank title: the form comes back with the message, the deadline typed kept
    page.get_by_role("link", name="+ Мероприятие в раздел 2").click()
    page.locator("[name=new-title]").fill("   ")
    page.locator("[name=new-deadline_text]").fill("Май 2027 г.")
    page.get_by_role("button", name="Добавить мероприятие").click()
    expect(page.locator(".editor-form .errorlist")).to_contain_text("Обязательное поле")
    expect(page.locator("[name=new-deadline_text]")).to_have_value("Май 2027 г.")

    row_id = page.locator(".editor-measure", has_text="Семинар").get_attribute("id")
    page.locator(f"#{row_id}-up").click()  # the first of section 2 goes up, into section 1
    expect(page.locator(f"#{row_id} .editor-number")).to_have_text("1.3")
    assert numbers(page) == ["1.1", "1.2", "1.3"]

    page.locator(f"#{row_id}-delete").click()
    page.get_by_role("button", name="Да, удалить").click()
    expect(page.locator(f"#{row_id}")).to_have_count(0)
    assert numbers(page) == ["1.1", "1.2"]
    context.close()
