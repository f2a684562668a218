"""Issue 10 as ONE journey of the demo coordinator in Chromium, with JavaScript and without:
a roadmap from scratch, its sections and measures from the keyboard, the deadlines' readings,
owners from the registry, reordering and a delete, the copy to the next year with its review of
the flagged deadlines, and the registry's designation and mentor pairing with its agreement.
A screenshot after each step (desktop; with JavaScript also the key screens at 390 px) goes to
JOURNEY_SHOTS when set, else to the test's temporary folder."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from measures.demo import load_demo
from measures.models import Measure, Roadmap, Section
from schools.models import MentorPairing, SchoolDesignation
from tests.test_browser import login

expect.set_options(timeout=15_000)  # a loaded machine: htmx answers may take seconds

TITLE = "Дорожная карта по повышению качества образования на 2027 год"
MEASURES = [  # section, title, deadline as typed
    ("1", "Анализ результатов ВПР по математике", "Октябрь 2027 г."),
    ("1", "Совещание с директорами школ", "Ежеквартально"),
    ("1", "Семинар для учителей математики", "в течение месяца"),
    ("2", "Консультации для заместителей директоров", "Декабрь 2027 г."),
    ("2", "Взаимопосещение уроков", "До 1 марта 2027 г."),
]


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def page(request, browser):
    context = browser.new_context(
        locale="ru-RU", viewport={"width": 1280, "height": 900}, java_script_enabled=request.param
    )
    page = context.new_page()
    page.javascript = request.param
    yield page
    context.close()


@pytest.fixture
def shots(page: Page, tmp_path: Path):
    folder = Path(os.environ.get("JOURNEY_SHOTS") or tmp_path) / (
        "js" if page.javascript else "no-js"
    )
    folder.mkdir(parents=True, exist_ok=True)
    count = iter(range(1, 100))

    def shot(name: str, phone: bool = False) -> None:
        page.screenshot(path=folder / f"{next(count):02d}-{name}.png", full_page=True)
        if phone and page.javascript:  # the key screens at phone width, once
            page.set_viewport_size({"width": 390, "height": 844})
            page.screenshot(path=folder / f"{name}-390.png", full_page=True)
            page.set_viewport_size({"width": 1280, "height": 900})

    return shot


def settled(page: Page) -> None:
    if page.javascript:
        page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-settling')")


def tab_to(page: Page, text: str, limit: int = 40) -> None:
    """Press Tab until the focused control says `text`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if text in page.evaluate("document.activeElement.textContent || ''"):
            return
    raise AssertionError(f"«{text}» не достигается клавишей Tab")


def press_enter_on(page: Page, locator) -> None:
    settled(page)
    locator.focus()
    page.keyboard.press("Enter")


def numbers(page: Page) -> list[str]:
    return page.locator(".editor-measure .editor-number").all_inner_texts()


def add_section(page: Page, title: str) -> None:
    press_enter_on(page, page.get_by_role("link", name="+ Раздел"))
    number = page.locator("#add-section input[name=number]")
    expect(number).to_be_focused()  # the form's first field: the number, left empty
    settled(page)  # htmx focuses [autofocus] once more when it settles
    page.keyboard.press("Tab")
    page.keyboard.type(title)
    tab_to(page, "Добавить раздел")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=title)).to_be_visible()


def add_measure(page: Page, section: str, title: str, deadline: str, shot=None) -> None:
    press_enter_on(page, page.get_by_role("link", name=f"+ Мероприятие в раздел {section}"))
    expect(page.locator("input[name=new-number]")).to_be_focused()
    settled(page)
    page.keyboard.press("Tab")
    page.keyboard.type(title)
    page.locator("[name=new-deadline_text]").focus()
    page.keyboard.type(deadline)
    reading = page.locator("#id_new-deadline_text-reading")
    if page.javascript:  # the reading beside the field, as typed
        if deadline == "в течение месяца":
            expect(reading.locator(".deadline-reading.needs-review")).to_contain_text(
                "Не распознан"
            )
            expect(reading.locator(".deadline-note")).to_contain_text(
                "срок отсчитывается от события"
            )
            assert reading.locator(".deadline-reading").evaluate(
                "el => getComputedStyle(el).color"
            ) == "rgb(154, 91, 0)"  # orange  # fmt: skip
            if shot:
                shot("deadline-flagged-live", phone=True)
        elif deadline == "Ежеквартально":
            expect(reading).to_contain_text("ежеквартально; контрольные даты: 31.03.2027")
            expect(reading.locator(".needs-review")).to_have_count(0)
    tab_to(page, "Добавить мероприятие")
    page.keyboard.press("Enter")
    expect(page.locator(".editor-measure", has_text=title)).to_be_visible()
    if page.javascript:  # back on the control that opened the form: the next one is one Enter away
        expect(page.get_by_role("link", name=f"+ Мероприятие в раздел {section}")).to_be_focused()


def test_coordinator_journey(live_server, page: Page, shots):
    load_demo()
    url = live_server.url
    login(page, live_server, "koordinator")

    # 1. a roadmap from scratch
    page.get_by_role("link", name="Создать дорожную карту").click()
    expect(page.locator("h1")).to_have_text("Новая дорожная карта")
    municipality = page.get_by_label("Муниципалитет")
    if municipality.locator("option").count() > 1:
        municipality.select_option(label="Черекский муниципальный район")
    page.get_by_label("Начало периода").fill("2027-01-01")
    page.get_by_label("Окончание периода").fill("2027-12-31")
    page.get_by_label("Название").fill(TITLE)
    page.get_by_label("Цель").fill("Повышение качества образования в школах с низкими результатами")
    page.get_by_label("Задачи").fill("Анализ результатов; методическая помощь учителям")
    shots("roadmap-new", phone=True)
    page.get_by_role("button", name="Создать и перейти к разделам").click()
    expect(page.locator("h1")).to_have_text(TITLE)
    roadmap = Roadmap.objects.get(title=TITLE)
    assert roadmap.municipality.name == "Черекский муниципальный район"
    assert roadmap.status == Roadmap.Status.DRAFT
    if page.javascript:
        page.wait_for_function("() => typeof htmx !== 'undefined'")  # loaded with «defer»
        page.wait_for_load_state("load")
        page.evaluate("window.journeyMarker = 'same page'")
    shots("editor-empty")

    # 2–3. two sections and five measures from the keyboard, the deadlines read as typed
    add_section(page, "Анализ результатов")
    for section, title, deadline in MEASURES[:3]:
        add_measure(page, section, title, deadline, shots)
    add_section(page, "Методическая помощь")
    for section, title, deadline in MEASURES[3:]:
        add_measure(page, section, title, deadline)
    assert numbers(page) == ["1.1", "1.2", "1.3", "2.1", "2.2"]
    # the editor's styles apply on a desktop too (not only inside a phone's @media block)
    assert page.locator(".editor-measures").first.evaluate(
        "el => getComputedStyle(el).listStyleType"
    ) == "none"  # fmt: skip
    flagged_row = page.locator(".editor-measure", has_text="Семинар для учителей математики")
    expect(flagged_row.locator(".deadline-reading.needs-review")).to_be_visible()
    quarterly = page.locator(".editor-measure", has_text="Совещание с директорами")
    expect(quarterly.locator(".deadline-reading")).to_contain_text("ежеквартально")
    expect(quarterly.locator(".needs-review")).to_have_count(0)
    shots("editor-five-measures", phone=True)

    # without JavaScript the flagged one's note is on the measure's page
    if not page.javascript:
        flagged = Measure.objects.get(roadmap=roadmap, title=MEASURES[2][1])
        page.goto(f"{url}/roadmaps/{roadmap.pk}/measures/{flagged.pk}/")
        reading = page.locator("#id_measure-deadline_text-reading")
        expect(reading.locator(".deadline-reading.needs-review")).to_contain_text("Не распознан")
        expect(reading.locator(".deadline-note")).to_contain_text("срок отсчитывается от события")
        shots("measure-flagged-deadline")
        page.goto(f"{url}/roadmaps/{roadmap.pk}/editor/")

    # 4. owners from the registry: tick a person, the printed text follows
    first = page.locator(".editor-measure", has_text=MEASURES[0][1])
    first_id = first.get_attribute("id")
    press_enter_on(page, page.locator(f"#{first_id}-edit"))
    form = page.locator(f"#{first_id} form.editor-form")
    expect(form).to_be_visible()
    owners_text = form.get_by_label("Как печатается в приложении")
    expect(owners_text).to_have_value("")
    if page.javascript:
        form.get_by_label("Найти: Сотрудники из реестра").fill("Бозиев")
    form.get_by_role("checkbox", name=re.compile("^Бозиев А.Т.")).check()
    if page.javascript:
        expect(owners_text).to_have_value("Бозиев А.Т.")
        form.get_by_label("Найти: Сотрудники из реестра").fill("")
    form.get_by_role("checkbox", name=re.compile("^Аттоев А.А.")).check()
    if page.javascript:
        expect(owners_text).to_have_value("Бозиев А.Т., Аттоев А.А.")
    shots("owners-ticked", phone=True)
    form.get_by_role("button", name="Сохранить").click()
    first = page.locator(f"#{first_id}")
    expect(first.locator(".editor-measure-meta")).to_contain_text("Бозиев А.Т., Аттоев А.А.")
    shots("owners-saved")

    # 5. reorder: 1.3 goes down into section 2 (2.1), then the new 2.3 goes up to 2.2
    seminar = page.locator(".editor-measure", has_text=MEASURES[2][1]).get_attribute("id")
    press_enter_on(page, page.locator(f"#{seminar}-down"))
    expect(page.locator(f"#{seminar} .editor-number")).to_have_text("2.1")
    if page.javascript:
        expect(page.locator(f"#{seminar}-down")).to_be_focused()  # focus stays on the control
    assert numbers(page) == ["1.1", "1.2", "2.1", "2.2", "2.3"]
    visits = page.locator(".editor-measure", has_text=MEASURES[4][1]).get_attribute("id")
    press_enter_on(page, page.locator(f"#{visits}-up"))
    expect(page.locator(f"#{visits} .editor-number")).to_have_text("2.2")
    assert numbers(page) == ["1.1", "1.2", "2.1", "2.2", "2.3"]
    shots("reordered")

    # …and delete one, after the question
    victim = page.locator(".editor-measure", has_text=MEASURES[1][1]).get_attribute("id")
    press_enter_on(page, page.locator(f"#{victim}-delete"))
    confirm = page.get_by_role("button", name="Да, удалить")
    expect(page.locator(f"#{victim} .editor-confirm")).to_contain_text(
        f"Удалить мероприятие 1.2 «{MEASURES[1][1]}»?"
    )
    if page.javascript:
        expect(confirm).to_be_focused()
    shots("delete-question", phone=True)
    confirm.focus()
    page.keyboard.press("Enter")
    expect(page.locator(f"#{victim}")).to_have_count(0)
    assert numbers(page) == ["1.1", "2.1", "2.2", "2.3"]
    if page.javascript:
        assert page.evaluate("window.journeyMarker") == "same page"  # never reloaded
    shots("editor-done")

    # 6. the copy to the next year, and the review of the flagged deadlines
    page.get_by_role("link", name="Просмотр как в приложении").click()
    page.get_by_role("link", name="Копировать на новый период").click()
    expect(page.get_by_label("Начало нового периода")).to_have_value("2028-01-01")
    expect(page.get_by_label("Окончание нового периода")).to_have_value("2028-12-31")
    expect(page.get_by_label("Название копии")).to_have_value(TITLE.replace("2027", "2028"))
    shots("copy-form")
    page.get_by_role("button", name="Создать копию").click()
    expect(page.get_by_role("heading", name="Сроки на проверку")).to_be_visible()
    copy = Roadmap.objects.get(title=TITLE.replace("2027", "2028"))
    flagged = list(copy.measures.filter(deadline_needs_review=True).order_by("position"))
    assert {m.title for m in flagged} >= {MEASURES[0][1], MEASURES[3][1], MEASURES[4][1]}
    cards = page.locator(".copy-flag")
    expect(cards).to_have_count(len(flagged))
    october = cards.filter(has_text=MEASURES[0][1])
    expect(october).to_contain_text("«Октябрь 2027 г.»")
    expect(october).to_contain_text("Срок вне периода дорожной карты")
    shots("copy-review", phone=True)

    # 7. the registry: a school's designation, a mentor pairing and its agreement
    page.get_by_role("navigation", name="Основное меню").get_by_role("link", name="Реестр").click()
    expect(page.locator("h1")).to_contain_text("Школы и категории")
    page.get_by_role("link", name="МКОУ СОШ № 3 (демо)").click()
    expect(page.locator("h1")).to_have_text("МКОУ СОШ № 3 (демо)")
    add = page.locator("#designations form").last
    add.get_by_label("Категория").select_option(
        label="Школа с признаками необъективности результатов"
    )
    add.get_by_label("Год").fill("2027")
    add.get_by_label("Основание, как записано").fill("Перечень ФИОКО на 2027 год")
    add.get_by_role("button", name="Отнести к категории").click()
    expect(page.get_by_text("Категория добавлена.")).to_be_visible()
    expect(
        page.locator(".designation-item", has_text="признаками необъективности")
    ).to_contain_text("Основание: Перечень ФИОКО на 2027 год")
    shots("designation", phone=True)

    page.get_by_role("link", name="Наставничество").click()
    expect(page.locator("h1")).to_contain_text("Школы-наставники и поддерживаемые школы")
    form = page.locator("form", has=page.get_by_role("button", name="Добавить пару"))
    form.get_by_label("Школа-наставник").select_option(label="МКОУ СОШ № 4 (демо)")
    form.get_by_label("Поддерживаемая школа").select_option(label="МКОУ СОШ № 3 (демо)")
    form.get_by_label("Начало").fill("2027-01-01")
    form.get_by_label("Окончание").fill("2027-12-31")
    form.get_by_role("button", name="Добавить пару").click()
    expect(page.locator("h1")).to_have_text("Партнёрское соглашение")
    page.get_by_label("Номер").fill("7")
    page.get_by_label("Дата подписания").fill("2026-12-20")
    page.get_by_label("Срок, как записан").fill("2027 год")
    page.get_by_label("Руководитель школы-наставника").select_option(label="Наставникова Н.Н.")
    page.get_by_label("Руководитель поддерживаемой школы").select_option(label="Руководова Р.Р.")
    page.get_by_label("Совместное использование учебного и лабораторного оборудования").check()
    page.get_by_label("Консультации руководителя поддерживаемой школы").check()
    page.get_by_label("Другие пункты").fill("Взаимные посещения уроков")
    shots("agreement-form", phone=True)
    page.get_by_role("button", name="Сохранить соглашение").click()
    expect(page.locator(".messages")).to_contain_text("Партнёрское соглашение сохранено.")
    expect(page.locator(".report-facts")).to_contain_text("Соглашение №\xa07 от 20.12.2026")
    shots("agreement-saved")

    # the database at the end
    sections = list(Section.objects.filter(roadmap=roadmap).order_by("position"))
    assert [(s.number, s.title) for s in sections] == [
        ("1", "Анализ результатов"),
        ("2", "Методическая помощь"),
    ]
    rows = list(roadmap.measures.order_by("position").select_related("section"))
    assert [(m.section.number, m.number, m.title) for m in rows] == [
        ("1", "1.1", MEASURES[0][1]),
        ("2", "2.1", MEASURES[2][1]),
        ("2", "2.2", MEASURES[4][1]),
        ("2", "2.3", MEASURES[3][1]),
    ]
    first = rows[0]
    assert first.owners_text == "Бозиев А.Т., Аттоев А.А."
    assert sorted(p.short_name for p in first.owners.all()) == ["Аттоев А.А.", "Бозиев А.Т."]
    assert {m.title for m in rows if m.deadline_needs_review} == {MEASURES[2][1]}
    assert not Measure.objects.filter(roadmap=roadmap, title=MEASURES[1][1]).exists()
    assert [m.number for m in copy.measures.order_by("position")] == ["1.1", "2.1", "2.2", "2.3"]
    assert copy.status == Roadmap.Status.DRAFT
    designation = SchoolDesignation.objects.get(
        school__short_name="МКОУ СОШ № 3 (демо)", kind="unobjective_results", year=2027
    )
    assert designation.basis == "Перечень ФИОКО на 2027 год"
    pairing = MentorPairing.objects.get(
        mentor__short_name="МКОУ СОШ № 4 (демо)", supported__short_name="МКОУ СОШ № 3 (демо)"
    )
    agreement = pairing.agreement
    assert agreement.number == "7"
    assert agreement.items.count() == 3


def test_the_stylesheet_closes_every_block():
    """An unclosed @media block once put every later part's styles (the editor, the copy's
    review, the registry) inside it: on a desktop those pages were unstyled."""
    text = (Path(__file__).resolve().parent.parent / "static/css/portal.css").read_text()
    code = re.sub(r"/\*.*?\*/", lambda m: "\n" * m[0].count("\n"), text, flags=re.S)
    depth = 0
    for number, (line, rules) in enumerate(
        zip(text.splitlines(), code.splitlines(), strict=True), 1
    ):
        if line.startswith("/* === "):  # a part's block starts at the top level
            assert depth == 0, f"строка {number}: блок выше не закрыт"
        depth += rules.count("{") - rules.count("}")
        assert depth >= 0, f"строка {number}: лишняя «}}»"
    assert depth == 0
