"""«Внести изменения» in Chromium: the coordinator opens the draft of changes of an approved
roadmap, edits two measures in the editor, and compares the draft with the version in force:
the two changes are highlighted word by word. Screenshots of the pages at 1280 and 390 px."""

from pathlib import Path

from playwright.sync_api import Page, expect

from measures.demo import load_demo
from measures.models import Roadmap
from tests.test_editor_browser import login, settled

expect.set_options(timeout=15_000)


def edit_measure(page: Page, pk: int, field: str, text: str) -> None:
    settled(page)
    page.locator(f"#measure-{pk}-edit").click()
    box = page.locator(f"[name=measure-{pk}-{field}]")
    expect(box).to_be_visible()
    settled(page)
    box.fill(text)
    page.locator(f"#measure-{pk}").get_by_role("button", name="Сохранить").click()
    expect(page.locator(f"#measure-{pk} .editor-measure-body")).to_be_visible()


def shoot(page: Page, folder: Path, name: str) -> None:
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=folder / f"{name}-{width}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_amend_edit_two_measures_and_compare(live_server, browser, tmp_path: Path):
    load_demo()
    roadmap = Roadmap.objects.filter(status="approved", amends=None).order_by("pk").first()
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    login(page, live_server)
    page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/")
    expect(page.locator(".edition-in-force")).to_contain_text("Утверждена приказом")
    shoot(page, tmp_path, "roadmap")
    page.get_by_role("button", name="Внести изменения").click()
    draft = Roadmap.objects.get(amends=roadmap)
    expect(page).to_have_url(f"{live_server.url}/roadmaps/{draft.pk}/editor/")
    page.wait_for_function("() => typeof htmx !== 'undefined'")
    first, second = draft.measures.order_by("position")[:2]
    edit_measure(page, first.pk, "title", f"{first.title} и родителей обучающихся")
    edit_measure(page, second.pk, "deadline_text", "Ежемесячно")
    shoot(page, tmp_path, "editor")

    page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/")
    expect(page.locator(".amendment-box")).to_contain_text("Проект изменений")
    shoot(page, tmp_path, "roadmap-with-draft")
    page.get_by_role("link", name="Сравнить с действующей редакцией").click()
    expect(page.locator(".compare-summary")).to_contain_text("Добавлено 0, исключено 0, изменено 2")
    changed = page.locator(".compare-changed")
    expect(changed).to_have_count(2)
    expect(changed.nth(0).locator("ins")).to_contain_text("и родителей обучающихся")
    expect(changed.nth(1).locator("ins")).to_contain_text("Ежемесячно")
    expect(changed.nth(1).locator("del")).not_to_have_count(0)
    # readable without colour: the markers are text
    assert "[+" in changed.nth(0).inner_text()
    shoot(page, tmp_path, "compare")
    page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/editions/1/")
    expect(page.locator(".roadmap-table tbody tr").first).to_be_visible()
    shoot(page, tmp_path, "edition")
    context.close()
    print(f"screenshots: {tmp_path}")
