"""The coordinator's first journey in a real Chromium: log in, open the seed 000 roadmap."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from measures.demo import DEMO_PASSWORD, load_demo


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


def login(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Имя пользователя").fill(username)
    page.get_by_label("Пароль").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Войти").click()
    # a director lands on «Моя школа», everyone else on the roadmap list
    landing = "Моя школа" if username == "direktor" else "Дорожные карты"
    expect(page.locator("h1")).to_contain_text(landing)


def test_coordinator_imports_a_word_appendix_and_corrects_a_deadline(
    live_server, page, tmp_path: Path, celery_worker_process
):
    from tests.docx_builders import seed_002_docx

    load_demo()
    upload = tmp_path / "Приложение к приказу 10.docx"
    upload.write_bytes(seed_002_docx())
    login(page, live_server, "koordinator")
    page.get_by_role("link", name="Импортировать из файла").click()
    page.get_by_label("Начало периода").fill("2023-01-01")
    page.get_by_label("Окончание периода").fill("2024-12-31")
    page.get_by_label("Название").fill("Дорожная карта для школ зоны риска (импорт)")
    page.get_by_label("Файл дорожной карты").set_input_files(upload)
    page.get_by_role("button", name="Загрузить и проверить").click()

    # The worker reads the file; the page refreshes itself until the preview is there.
    expect(page.get_by_role("heading", name="Проверка импорта")).to_be_visible()
    expect(page.get_by_role("button", name="Подтвердить импорт")).to_be_visible(timeout=30_000)
    expect(page.locator(".roadmap-meta dd").last).to_have_text("12")
    reading = page.locator("tr", has_text="Собеседование с руководителями").locator(
        ".deadline-reading"
    )
    expect(reading).to_contain_text("контрольные даты: 30.04.2023, 30.04.2024")
    page.screenshot(path=tmp_path / "preview.png", full_page=True)
    page.get_by_role("button", name="Подтвердить импорт").click()

    expect(page.locator(".message-success")).to_contain_text("мероприятий 12", timeout=30_000)
    expect(page.locator("h1")).to_have_text("Дорожная карта для школ зоны риска (импорт)")
    # imported with its approving order: approved, changed only by an amendment
    expect(page.get_by_role("link", name="изменить")).to_have_count(0)
    expect(page.locator(".edit-refused")).to_contain_text("документом о внесении изменений")
    from measures.models import Roadmap

    Roadmap.objects.filter(title="Дорожная карта для школ зоны риска (импорт)").update(
        status=Roadmap.Status.DRAFT
    )  # as a draft, its measures are edited
    page.reload()
    page.locator("tr", has_text="Подготовка инструктивных писем").get_by_role(
        "link", name="изменить"
    ).click()
    page.get_by_label("Вид срока").select_option(label="Дата")
    page.get_by_label("Контрольные даты").fill("01.03.2023, 01.03.2024")
    page.get_by_role("button", name="Исправить понимание срока").click()
    expect(page.locator(".message-success")).to_contain_text("Понимание срока исправлено")
    expect(page.locator(".deadline-reading").first).to_contain_text("01.03.2023, 01.03.2024")


def test_a_working_group_member_sees_no_edit_or_import_controls(live_server, page):
    load_demo()
    login(page, live_server, "rabgruppa")
    expect(page.get_by_role("link", name="Импортировать из файла")).to_have_count(0)
    page.get_by_role("link", name="Черекского муниципального района").click()
    expect(page.get_by_role("link", name="изменить")).to_have_count(0)
    expect(page.get_by_role("link", name="DOCX")).to_be_visible()


def test_a_director_gets_404_for_another_schools_report(live_server, page):
    from measures.models import Occurrence, Report
    from schools.models import School

    load_demo()
    occurrence = (
        Occurrence.objects.filter(
            measure__roadmap__municipality__name="Черекский муниципальный район"
        )
        .order_by("pk")
        .first()
    )
    own = Report.objects.create(
        occurrence=occurrence, school=School.objects.get(short_name="МКОУ СОШ № 1 (демо)")
    )
    other = Report.objects.create(
        occurrence=occurrence, school=School.objects.get(short_name="МКОУ СОШ № 2 (демо)")
    )
    login(page, live_server, "direktor")
    page.goto(f"{live_server.url}/roadmaps/reports/{own.pk}/")
    expect(page.get_by_role("heading", name="Отчёт школы: МКОУ СОШ № 1 (демо)")).to_be_visible()
    response = page.goto(f"{live_server.url}/roadmaps/reports/{other.pk}/")
    assert response.status == 404
    expect(page.get_by_role("heading", name="Страница не найдена")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text("МКОУ СОШ № 2")


def test_a_working_group_members_forged_post_is_refused(live_server, page):
    from measures.models import Roadmap

    load_demo()
    roadmap = Roadmap.objects.get(municipality__name="Черекский муниципальный район")
    measure = roadmap.measures.get(number="1.1")
    login(page, live_server, "rabgruppa")
    page.goto(f"{live_server.url}/roadmaps/{roadmap.pk}/")
    expect(page.get_by_role("link", name="изменить")).to_have_count(0)
    token = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    url = f"{live_server.url}/roadmaps/{roadmap.pk}/measures/{measure.pk}/"
    response = page.request.post(
        url,
        form={"csrfmiddlewaretoken": token, "measure-number": "1.1", "measure-title": "Подмена"},
        headers={"Referer": url},
    )
    assert response.status == 403
    measure.refresh_from_db()
    assert measure.title.startswith("Анализ образовательных организаций")


@pytest.mark.parametrize("username", ["direktor", "admin"])
def test_on_a_phone_the_header_shows_every_link_and_the_page_does_not_scroll_sideways(
    live_server, browser, username
):
    """390 px wide: brand and the folded user menu, then the links (every one on the screen,
    wrapped when they do not fit one row); a director lands on «Моя школа» and its cards fit
    the screen."""
    load_demo()
    context = browser.new_context(locale="ru-RU", viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        login(page, live_server, username)
        if username == "direktor":
            expect(page.locator("h1")).to_contain_text("Моя школа")
        brand = page.locator(".brand").bounding_box()
        menu = page.locator(".user-menu summary").bounding_box()
        boxes = [link.bounding_box() for link in page.locator(".main-nav a").all()]
        links = [box["y"] for box in boxes]
        assert menu["y"] < brand["y"] + brand["height"]  # the menu on the brand's row
        # the links below, wrapped onto a second row rather than scrolled out of sight
        assert len({round(y) for y in links}) <= 2
        assert all(box["x"] >= 0 and box["x"] + box["width"] <= 390 for box in boxes)
        assert min(links) >= brand["y"] + brand["height"] - 1
        assert page.evaluate("document.documentElement.scrollWidth") == 390
        expect(page.get_by_role("button", name="Выйти")).to_be_hidden()  # folded
        page.locator(".user-menu summary").click()
        expect(page.get_by_role("button", name="Выйти")).to_be_visible()
    finally:
        context.close()


def test_on_a_phone_no_page_is_wider_than_the_screen(live_server, browser):
    """The existing pages at 390 px: the appendix becomes cards, lists and histories wrap or
    scroll inside their own box; nothing widens the page."""
    from measures import editing
    from measures.models import Measure, Roadmap
    from schools.models import School

    load_demo()
    cherek = Roadmap.objects.get(municipality__name="Черекский муниципальный район")
    school = School.objects.get(short_name="МКОУ СОШ № 1 (демо)")
    # a draft (only a draft's measures are edited), as the editor builds it
    draft = editing.roadmap_create(roadmap=Roadmap(
        municipality=cherek.municipality, title="Проект на следующий учебный год",
        starts_on=cherek.starts_on, ends_on=cherek.ends_on,
    ))  # fmt: skip
    section = editing.section_add(roadmap=draft, title=cherek.sections.first().title)
    measure = editing.measure_add(measure=Measure(
        roadmap=draft, section=section, title=cherek.measures.first().title,
        owners_text=cherek.measures.first().owners_text, deadline_text="Октябрь-ноябрь",
    ))  # fmt: skip
    editor = f"/roadmaps/{draft.pk}/editor/"
    paths = {
        "koordinator": [
            "/roadmaps/",
            f"/roadmaps/{cherek.pk}/",
            f"/roadmaps/{cherek.pk}/history/",
            f"/roadmaps/{draft.pk}/measures/{measure.pk}/",
            f"/roadmaps/{draft.pk}/measures/{measure.pk}/history/",
            "/roadmaps/new/",
            editor,
            f"{editor}?edit=measure-{measure.pk}",
            f"{editor}?delete=measure-{measure.pk}",
            f"{editor}?edit=section-{section.pk}",
            f"{editor}?add=section",
            f"/roadmaps/{draft.pk}/edit/",
            f"/roadmaps/{draft.pk}/delete/",
            f"/municipalities/{cherek.municipality_id}/people/",
            "/roadmaps/review/",
            "/roadmaps/import/",
        ],
        "direktor": [
            "/roadmaps/school/",
            f"/roadmaps/{cherek.pk}/",
            f"/municipalities/schools/{school.pk}/people/",
        ],
    }
    wide = []
    for username, urls in paths.items():
        context = browser.new_context(locale="ru-RU", viewport={"width": 390, "height": 844})
        page = context.new_page()
        try:
            login(page, live_server, username)
            for url in urls:
                assert page.goto(live_server.url + url).status == 200, url
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > 390:
                    wide.append(f"{username} {url}: {width}px")
        finally:
            context.close()
    assert wide == []
