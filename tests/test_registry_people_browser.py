"""The coordinator keeps the registry in a real Chromium: adds a person, puts them into the
working group as секретарь, removes a role after confirming; with JavaScript and without."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from schools.models import Appointment, Person, WorkingGroupMember

PASSWORD = "пароль-для-теста"  # tests/factories.py UserFactory


@pytest.fixture(params=[True, False], ids=["js", "no-js"])
def page(request, browser):
    context = browser.new_context(
        locale="ru-RU", viewport={"width": 1280, "height": 900}, java_script_enabled=request.param
    )
    page = context.new_page()
    page.javascript = request.param
    yield page
    context.close()


def test_coordinator_adds_a_person_to_the_working_group_and_removes_a_role(
    live_server, tenants, page, tmp_path: Path
):
    municipality = tenants.home.municipality
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Имя пользователя").fill("koordinator")
    page.get_by_label("Пароль").fill(PASSWORD)
    page.get_by_role("button", name="Войти").click()
    expect(page.locator("h1")).to_contain_text("Дорожные карты")

    # «Реестр» in the header leads to the municipality's registry, its people one tab away
    page.get_by_role("navigation", name="Основное меню").get_by_role("link", name="Реестр").click()
    expect(page.locator("h1")).to_have_text(f"Школы и категории: {municipality.name}")
    page.get_by_role("navigation", name="Разделы реестра").get_by_role(
        "link", name="Сотрудники"
    ).click()
    expect(page.locator("h1")).to_have_text(f"Сотрудники: {municipality.name}")
    page.get_by_role("link", name="Добавить сотрудника").click()
    page.get_by_label("ФИО").fill("Бозиев Азамат Тимурович")
    page.get_by_label("Фамилия и инициалы").fill("Бозиев А.Т.")
    page.get_by_label("Должность").fill("и.о. начальника Управления образования")
    page.get_by_label("Организация").select_option(label=str(tenants.home.authority))
    page.get_by_label("Электронная почта").fill("не почта")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Введите правильный адрес электронной почты.")).to_be_visible()
    expect(page.get_by_label("ФИО")).to_have_value("Бозиев Азамат Тимурович")  # nothing lost
    page.get_by_label("Электронная почта").fill("boziev@example.org")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator("h1")).to_have_text("Бозиев Азамат Тимурович")
    expect(page.get_by_text("boziev@example.org")).to_be_visible()
    page.screenshot(path=tmp_path / "person.png", full_page=True)

    # the working group: none yet, so the form to create one is open
    page.get_by_role("navigation", name="Разделы реестра").get_by_role(
        "link", name="Рабочая группа"
    ).click()
    expect(page.get_by_text("Рабочая группа муниципалитета пока не внесена.")).to_be_visible()
    page.get_by_label("Год").fill("2022")
    page.get_by_role("button", name="Создать").click()
    expect(page.get_by_text("Рабочая группа на 2022 год создана.")).to_be_visible()

    adding = page.locator("form.wg-add")
    adding.get_by_label("Сотрудник").select_option(label="Koordinator А.А.")
    adding.get_by_role("button", name="Добавить").click()
    expect(page.locator(".wg-member")).to_have_count(1)
    adding = page.locator("form.wg-add")
    adding.get_by_label("Сотрудник").select_option(label="Бозиев А.Т.")
    adding.get_by_label("Роль").select_option(label="Секретарь")
    adding.get_by_role("button", name="Добавить").click()
    members = page.locator(".wg-member")
    expect(members).to_have_count(2)
    expect(members.nth(1)).to_contain_text("Бозиев")
    expect(members.nth(1).locator(".wg-role")).to_have_text("Секретарь")
    expect(members.nth(1).get_by_label("Должность, как в составе")).to_have_value(
        "и.о. начальника Управления образования"
    )
    bozhiev = WorkingGroupMember.objects.get(person__short_name="Бозиев А.Т.")
    assert bozhiev.role == "secretary"

    # a second secretary is refused in words, in place
    adding = page.locator("form.wg-add")
    adding.get_by_label("Сотрудник").select_option(label="Rabgruppa А.А.")
    adding.get_by_label("Роль").select_option(label="Секретарь")
    adding.get_by_role("button", name="Добавить").click()
    expect(page.get_by_text("В рабочей группе уже есть секретарь: Бозиев А.Т.")).to_be_visible()
    expect(page.locator(".wg-member")).to_have_count(2)

    # move the secretary up: with JavaScript the group is swapped in place, focus stays
    page.locator(f"#up-{bozhiev.pk}").click()
    members = page.locator(".wg-member")
    expect(members.nth(0)).to_contain_text("Бозиев")
    if page.javascript:
        expect(page.locator(f"#down-{bozhiev.pk}")).to_be_enabled()
        expect(page.get_by_role("status")).to_contain_text("Бозиев А.Т. — выше в списке.")
    page.screenshot(path=tmp_path / "working-group.png", full_page=True)

    # «Люди и роли»: removing a role asks first
    page.get_by_role("navigation", name="Разделы реестра").get_by_role(
        "link", name="Люди и роли"
    ).click()
    row = page.locator("tr", has_text="rabgruppa")
    row.get_by_role("link", name="Снять роль…").click()
    expect(page.locator("h1")).to_contain_text("Снять роль «Член рабочей группы»")
    assert Appointment.objects.filter(user__username="rabgruppa").exists()
    page.get_by_role("button", name="Снять роль").click()
    expect(page.get_by_text("Назначение снято, права отозваны.")).to_be_visible()
    expect(page.locator("tr", has_text="rabgruppa")).to_have_count(0)
    assert not Appointment.objects.filter(user__username="rabgruppa").exists()

    # the last coordinator stays
    page.locator("tr", has_text="koordinator").get_by_role("link", name="Снять роль…").click()
    page.get_by_role("button", name="Снять роль").click()
    expect(page.get_by_role("alert")).to_contain_text("Нельзя снять последнего координатора")
    assert Appointment.objects.filter(user__username="koordinator").exists()
    assert Person.objects.filter(short_name="Бозиев А.Т.", email="boziev@example.org").exists()
