"""The registry of a municipality: people, organisations, the working group, «Люди и роли»."""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.urls import reverse

from schools.models import Appointment, Organisation, Person, WorkingGroupMember
from schools.services import (
    appoint,
    member_add,
    member_change,
    member_move,
    member_remove,
    remove_appointment,
)
from tests import factories

pytestmark = pytest.mark.django_db

Role = WorkingGroupMember.Role


def login(client, username: str) -> None:
    client.force_login(User.objects.get(username=username))


@pytest.fixture
def group(tenants):
    return factories.WorkingGroupFactory(municipality=tenants.home.municipality, year=2022)


def person(tenants, short_name: str, **fields) -> Person:
    return factories.PersonFactory(
        municipality=tenants.home.municipality, short_name=short_name, **fields
    )


# --- services ---------------------------------------------------------------------------------


def test_the_last_coordinator_of_a_municipality_cannot_be_removed(tenants):
    municipality = tenants.home.municipality
    only = Appointment.objects.get(role="coordinator", municipality=municipality)
    with pytest.raises(ValidationError, match="последнего координатора"):
        remove_appointment(appointment=only)
    assert Appointment.objects.filter(pk=only.pk).exists()
    second = appoint(user=factories.UserFactory(), role="coordinator", target=municipality)
    remove_appointment(appointment=only)  # another one stays now
    assert not Appointment.objects.filter(pk=only.pk).exists()
    with pytest.raises(ValidationError):
        remove_appointment(appointment=second)


def test_one_chair_and_one_secretary_at_most(tenants, group):
    chair = member_add(group=group, person=person(tenants, "Бозиев А.Т."), role=Role.CHAIR)
    with pytest.raises(ValidationError) as refused:
        member_add(group=group, person=person(tenants, "Аттоев А.А."), role=Role.CHAIR)
    assert refused.value.message_dict["role"] == [
        "В рабочей группе уже есть председатель: Бозиев А.Т.. Сначала смените его роль."
    ]
    secretary = member_add(group=group, person=person(tenants, "Гериева М.Б."), role="secretary")
    with pytest.raises(ValidationError, match="уже есть секретарь"):
        member_change(member=chair, role=Role.SECRETARY, position_text="")
    member_change(member=secretary, role=Role.MEMBER, position_text="главный специалист")
    member_change(member=chair, role=Role.SECRETARY, position_text="")  # the chair's place is free
    assert list(group.memberships.values_list("role", flat=True)) == ["secretary", "member"]


def test_adding_takes_the_position_from_the_registry_and_refuses_a_second_entry(tenants, group):
    bozhiev = person(tenants, "Бозиев А.Т.", position="и.о. начальника управления")
    member = member_add(group=group, person=bozhiev, role=Role.MEMBER)
    assert (member.position, member.position_text) == (1, "и.о. начальника управления")
    with pytest.raises(ValidationError, match="уже в составе"):
        member_add(group=group, person=bozhiev, role=Role.MEMBER)
    stranger = factories.PersonFactory(municipality=tenants.other.municipality)
    with pytest.raises(ValidationError, match="другому муниципалитету"):
        member_add(group=group, person=stranger, role=Role.MEMBER)
    assert group.memberships.count() == 1


def test_members_move_up_and_down_and_leave(tenants, group):
    a, b, c = (
        member_add(group=group, person=person(tenants, name), role=Role.MEMBER)
        for name in ("А А.А.", "Б Б.Б.", "В В.В.")
    )

    def order() -> list[str]:
        return [m.person.short_name for m in group.memberships.order_by("position")]

    member_move(member=c, up=True)
    assert order() == ["А А.А.", "В В.В.", "Б Б.Б."]
    member_move(member=a, up=True)  # first already: nothing
    member_move(member=a, up=False)
    assert order() == ["В В.В.", "А А.А.", "Б Б.Б."]
    member_move(member=b, up=False)  # last already: nothing
    member_remove(member=a)
    assert order() == ["В В.В.", "Б Б.Б."]
    assert Person.objects.filter(short_name="А А.А.").exists()  # stays in the registry


# --- views: who sees what ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "sees"),
    [("admin", True), ("koordinator", True), ("rabgruppa", True), ("nablyudatel", False)],
)
def test_contacts_are_shown_only_to_those_who_work_with_the_people(client, tenants, username, sees):
    municipality = tenants.home.municipality
    someone = person(tenants, "Бозиев А.Т.", email="boziev@example.org", phone="+7 866 000-00-00")
    login(client, username)
    for url in [
        reverse("schools:person_list", args=[municipality.pk]),
        reverse("schools:person_detail", args=[municipality.pk, someone.pk]),
        reverse("schools:people", args=[municipality.pk]),
        reverse("schools:school_people", args=[tenants.home.schools[0].pk]),
    ]:
        page = client.get(url)
        assert page.status_code == 200
        shown = "boziev@example.org" in page.text or "koordinator@example.org" in page.text
        shown = shown or "direktor@example.org" in page.text
        assert shown == sees, url
    if not sees:
        page = client.get(reverse("schools:person_detail", args=[municipality.pk, someone.pk]))
        assert "+7 866" not in page.text
        assert "Бозиев А.Т." in page.text  # the person, without contacts


def test_a_director_sees_contacts_of_their_own_school_only(client, tenants):
    login(client, "direktor")
    page = client.get(reverse("schools:school_people", args=[tenants.home.schools[0].pk]))
    assert "direktor@example.org" in page.text
    municipality = tenants.home.municipality
    assert client.get(reverse("schools:person_list", args=[municipality.pk])).status_code == 404


def test_another_municipality_is_not_found(client, tenants, group):
    home = tenants.home.municipality
    bozhiev = person(tenants, "Бозиев А.Т.")
    member = member_add(group=group, person=bozhiev, role=Role.MEMBER)
    login(client, "grechkina")
    for url in [
        reverse("schools:person_detail", args=[home.pk, bozhiev.pk]),
        reverse("schools:working_group", args=[home.pk]),
        reverse("schools:member_remove", args=[home.pk, member.pk]),
    ]:
        assert client.get(url).status_code == 404
    # her own municipality's key with a person of ours: not found either
    own = tenants.other.municipality
    assert (
        client.get(reverse("schools:person_detail", args=[own.pk, bozhiev.pk])).status_code == 404
    )
    assert client.post(reverse("schools:member_move", args=[own.pk, member.pk])).status_code == 404
    delete = reverse("schools:person_delete", args=[own.pk, bozhiev.pk])
    assert client.post(delete).status_code == 404
    assert Person.objects.filter(pk=bozhiev.pk).exists()


def test_forged_posts_of_the_working_group_are_refused(client, tenants, group):
    municipality = tenants.home.municipality
    m = municipality.pk
    bozhiev = person(tenants, "Бозиев А.Т.")
    attoev = person(tenants, "Аттоев А.А.")
    member = member_add(group=group, person=bozhiev, role=Role.MEMBER)
    member_add(group=group, person=attoev, role=Role.MEMBER)
    organisation = factories.OrganisationFactory(municipality=municipality)
    appointment = appoint(user=factories.UserFactory(), role="working_group", target=municipality)
    login(client, "rabgruppa")
    forged = [
        (reverse("schools:person_add", args=[m]), {"short_name": "Подделкин П.П."}),
        (reverse("schools:person_edit", args=[m, bozhiev.pk]), {"short_name": "Подделкин П.П."}),
        (reverse("schools:person_delete", args=[m, attoev.pk]), {}),
        (reverse("schools:organisation_add", args=[m]), {"kind": "other", "name": "Подделка"}),
        (reverse("schools:organisation_edit", args=[m, organisation.pk]), {"name": "Подделка"}),
        (reverse("schools:organisation_delete", args=[m, organisation.pk]), {}),
        (reverse("schools:working_group_add", args=[m]), {"new-year": "2030", "new-title": "П"}),
        (reverse("schools:working_group_edit", args=[m, group.pk]), {"year": "2022", "title": "П"}),
        (reverse("schools:member_add", args=[m, group.pk]), {"person": attoev.pk, "role": "chair"}),
        (reverse("schools:member_edit", args=[m, member.pk]), {f"m{member.pk}-role": "chair"}),
        (reverse("schools:member_move", args=[m, member.pk]), {"direction": "down"}),
        (reverse("schools:member_remove", args=[m, member.pk]), {}),
        (reverse("schools:appointment_remove", args=[m, appointment.pk]), {}),
    ]
    for url, data in forged:
        assert client.post(url, data).status_code == 403, url
        assert client.post(url, data, headers={"HX-Request": "true"}).status_code == 403, url
    assert not Person.objects.filter(short_name="Подделкин П.П.").exists()
    assert Person.objects.filter(pk=attoev.pk).exists()
    assert not Organisation.objects.filter(name="Подделка").exists()
    assert Organisation.objects.filter(pk=organisation.pk).exists()
    assert list(group.memberships.values_list("person__short_name", "role")) == [
        ("Бозиев А.Т.", "member"),
        ("Аттоев А.А.", "member"),
    ]
    assert Appointment.objects.filter(pk=appointment.pk).exists()
    assert not municipality.working_groups.filter(year=2030).exists()


def test_the_navigation_leads_to_the_registry(client, tenants):
    municipality = tenants.home.municipality
    for username in ("koordinator", "rabgruppa", "nablyudatel"):
        login(client, username)
        page = client.get(reverse("measures:roadmap_list"))
        assert reverse("schools:registry") in page.text
        response = client.get(reverse("schools:registry"))
        assert response.url == reverse("schools:registry_schools", args=[municipality.pk])
    login(client, "direktor")
    assert reverse("schools:registry") not in client.get(reverse("measures:my_school")).text
    assert client.get(reverse("schools:registry")).status_code == 404
    login(client, "admin")  # several municipalities: a choice
    page = client.get(reverse("schools:registry"))
    assert page.status_code == 200
    assert factories.HOME in page.text and factories.OTHER in page.text


# --- views: people and organisations ----------------------------------------------------------


def test_a_coordinator_adds_and_edits_a_person(client, tenants):
    municipality = tenants.home.municipality
    login(client, "koordinator")
    url = reverse("schools:person_add", args=[municipality.pk])
    data = {
        "full_name": "Бозиев Азамат Тимурович",
        "short_name": "Бозиев А.Т.",
        "position": "и.о. начальника Управления образования",
        "organisation": tenants.home.authority.pk,
        "email": "boziev@example.org",
        "phone": "+7 866 000-00-00",
    }
    response = client.post(url, data)
    bozhiev = Person.objects.get(municipality=municipality, short_name="Бозиев А.Т.")
    assert response.url == reverse("schools:person_detail", args=[municipality.pk, bozhiev.pk])
    assert bozhiev.organisation == tenants.home.authority
    edit = reverse("schools:person_edit", args=[municipality.pk, bozhiev.pk])
    client.post(edit, {**data, "position": "начальник Управления образования"})
    bozhiev.refresh_from_db()
    assert bozhiev.position == "начальник Управления образования"


def test_bad_input_is_answered_inline_and_nothing_typed_is_lost(client, tenants):
    municipality = tenants.home.municipality
    person(tenants, "Бозиев А.Т.")
    login(client, "koordinator")
    url = reverse("schools:person_add", args=[municipality.pk])
    response = client.post(url, {"full_name": "Азамат Тимурович", "short_name": ""})
    assert response.status_code == 400
    assert "Обязательное поле." in response.text and "Азамат Тимурович" in response.text
    response = client.post(url, {"short_name": "Бозиев А.Т.", "position": "начальник"})
    assert response.status_code == 400
    assert "Сотрудник «Бозиев А.Т.» уже есть в реестре муниципалитета." in response.text
    response = client.post(
        url,
        {
            "short_name": "Аттоев А.А.",
            "organisation": tenants.home.authority.pk,
            "school": tenants.home.schools[0].pk,
            "email": "не почта",
        },
    )
    assert response.status_code == 400
    assert "Укажите одно место работы" in response.text
    assert "Введите правильный адрес электронной почты." in response.text
    assert "не почта" in response.text
    foreign_school = tenants.other.schools[0]
    response = client.post(url, {"short_name": "Аттоев А.А.", "school": foreign_school.pk})
    assert response.status_code == 400  # not among the choices
    assert not Person.objects.filter(short_name="Аттоев А.А.").exists()


def test_a_person_shows_their_roles_with_links(client, tenants, group):
    municipality = tenants.home.municipality
    koordinator = Person.objects.get(user__username="koordinator")
    member_add(group=group, person=koordinator, role=Role.SECRETARY)
    measure = tenants.home.measures[0]
    measure.owners.add(koordinator)
    login(client, "nablyudatel")
    page = client.get(reverse("schools:person_list", args=[municipality.pk])).text
    detail = reverse("schools:person_detail", args=[municipality.pk, koordinator.pk])
    for anchor in ("#roles", "#working-groups", "#measures"):
        assert f"{detail}{anchor}" in page
    page = client.get(detail).text
    assert "Муниципальный координатор" in page and "Секретарь" in page
    assert measure.title in page


def test_people_are_searched(client, tenants):
    municipality = tenants.home.municipality
    person(tenants, "Бозиев А.Т.", position="начальник управления")
    person(tenants, "Гериева М.Б.", position="главный специалист")
    login(client, "koordinator")
    url = reverse("schools:person_list", args=[municipality.pk])
    page = client.get(url, {"q": "главный"}).text
    assert "Гериева М.Б." in page and "Бозиев А.Т." not in page
    assert "Никого не нашлось" in client.get(url, {"q": "Несуществующий"}).text


def test_deleting_a_person_says_what_changes_and_what_holds_them(client, tenants, group):
    municipality = tenants.home.municipality
    held = person(tenants, "Бозиев А.Т.")
    member_add(group=group, person=held, role=Role.CHAIR)
    free = person(tenants, "Аттоев А.А.")
    tenants.home.measures[0].owners.add(free)
    login(client, "koordinator")
    url = reverse("schools:person_delete", args=[municipality.pk, held.pk])
    page = client.get(url).text
    assert "член рабочей группы 2022 года: сначала выведите из состава" in page
    response = client.post(url)
    assert response.status_code == 400
    assert "Удалить нельзя" in response.text and "член рабочей группы" in response.text
    assert Person.objects.filter(pk=held.pk).exists()
    url = reverse("schools:person_delete", args=[municipality.pk, free.pk])
    assert "связь будет снята" in client.get(url).text
    assert client.post(url).url == reverse("schools:person_list", args=[municipality.pk])
    assert not Person.objects.filter(pk=free.pk).exists()
    assert tenants.home.measures[0].owners_text  # the printed text stays


def test_organisations_of_the_municipality_are_kept_by_its_coordinator(client, tenants):
    municipality = tenants.home.municipality
    login(client, "koordinator")
    url = reverse("schools:organisation_add", args=[municipality.pk])
    data = {
        "kind": "methodological_centre",
        "name": "Муниципальный методический центр",
        "name_genitive": "муниципального методического центра",
    }
    assert client.post(url, data).status_code == 302
    centre = Organisation.objects.get(name="Муниципальный методический центр")
    assert (centre.municipality, centre.region) == (municipality, municipality.region)
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Организация с таким названием уже есть в реестре." in response.text
    response = client.post(url, {**data, "kind": "federal_body", "name": "Рособрнадзор"})
    assert response.status_code == 400  # federal bodies are not the municipality's
    regional = factories.OrganisationFactory(
        kind="regional_body", municipality=None, region=municipality.region, name="Минпрос КБР"
    )
    page = client.get(reverse("schools:organisation_list", args=[municipality.pk])).text
    assert "Минпрос КБР" in page and "ведёт регион" in page
    edit = reverse("schools:organisation_edit", args=[municipality.pk, regional.pk])
    assert client.get(edit).status_code == 403
    delete = reverse("schools:organisation_delete", args=[municipality.pk, centre.pk])
    assert client.post(delete).status_code == 302
    assert not Organisation.objects.filter(pk=centre.pk).exists()
    authority = reverse(
        "schools:organisation_delete", args=[municipality.pk, tenants.home.authority.pk]
    )
    response = client.post(authority)  # it issued the roadmap's order
    assert response.status_code == 400 and "Удалить нельзя" in response.text


# --- views: the working group and «Люди и роли» ------------------------------------------------


def test_a_coordinator_keeps_the_working_group(client, tenants):
    municipality = tenants.home.municipality
    m = municipality.pk
    login(client, "koordinator")
    page = client.get(reverse("schools:working_group", args=[m]))
    assert "Рабочая группа муниципалитета пока не внесена." in page.text
    act = tenants.home.roadmap.approved_by
    response = client.post(
        reverse("schools:working_group_add", args=[m]),
        {"new-year": "2022", "new-title": "Муниципальная рабочая группа", "new-act": act.pk},
    )
    assert response.status_code == 302
    group = municipality.working_groups.get(year=2022)
    assert group.act == act
    response = client.post(
        reverse("schools:working_group_add", args=[m]),
        {"new-year": "2022", "new-title": "Ещё одна"},
    )
    assert response.status_code == 400
    assert "Рабочая группа на 2022 год уже есть." in response.text
    bozhiev, attoev = person(tenants, "Бозиев А.Т."), person(tenants, "Аттоев А.А.")
    add = reverse("schools:member_add", args=[m, group.pk])
    assert client.post(add, {"person": bozhiev.pk, "role": "chair"}).status_code == 302
    response = client.post(add, {"person": attoev.pk, "role": "chair", "position_text": "зам."})
    assert response.status_code == 400
    assert "В рабочей группе уже есть председатель: Бозиев А.Т." in response.text
    assert 'value="зам."' in response.text  # what was typed stays
    response = client.post(add, {"person": attoev.pk, "role": "secretary"})
    page = client.get(response.url).text
    members = page[page.index('class="wg-members"') :]
    assert members.index("Бозиев А.Т.") < members.index("Аттоев А.А.")
    assert "№ 15" in page  # the order that formed it
    secretary = group.memberships.get(person=attoev)
    client.post(reverse("schools:member_move", args=[m, secretary.pk]), {"direction": "up"})
    assert [mb.person_id for mb in group.memberships.order_by("position")] == [
        attoev.pk,
        bozhiev.pk,
    ]
    edit = reverse("schools:member_edit", args=[m, secretary.pk])
    response = client.post(edit, {f"m{secretary.pk}-role": "chair"})
    assert response.status_code == 400 and "уже есть председатель" in response.text
    remove = reverse("schools:member_remove", args=[m, secretary.pk])
    assert "Вывести Аттоев А.А. из состава" in client.get(remove).text
    assert group.memberships.count() == 2  # asking removes nothing
    client.post(remove)
    assert group.memberships.count() == 1


def test_htmx_answers_the_group_in_place(client, tenants, group):
    m = tenants.home.municipality.pk
    a = member_add(group=group, person=person(tenants, "А А.А."), role=Role.MEMBER)
    member_add(group=group, person=person(tenants, "Б Б.Б."), role=Role.MEMBER)
    login(client, "koordinator")
    url = reverse("schools:member_move", args=[m, a.pk])
    response = client.post(url, {"direction": "down"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert f'id="wg-{group.pk}"' in response.text
    assert "А А.А. — ниже в списке." in response.text
    assert f'id="down-{a.pk}"' in response.text  # the focused button is there again
    edit = reverse("schools:member_edit", args=[m, a.pk])
    response = client.post(edit, {f"m{a.pk}-role": "nonsense"}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert "Выберите корректный вариант." in response.text


def test_removing_a_role_asks_first(client, tenants):
    municipality = tenants.home.municipality
    appointment = appoint(user=factories.UserFactory(), role="working_group", target=municipality)
    login(client, "koordinator")
    people = client.get(reverse("schools:people", args=[municipality.pk])).text
    url = reverse("schools:appointment_remove", args=[municipality.pk, appointment.pk])
    assert url in people and '<form method="post" action="' + url not in people
    page = client.get(url)
    assert page.status_code == 200 and "Снять роль «Член рабочей группы»" in page.text
    assert Appointment.objects.filter(pk=appointment.pk).exists()
    assert client.post(url).status_code == 302
    assert not Appointment.objects.filter(pk=appointment.pk).exists()
    last = Appointment.objects.get(role="coordinator", municipality=municipality)
    url = reverse("schools:appointment_remove", args=[municipality.pk, last.pk])
    response = client.post(url)
    assert response.status_code == 400
    assert "Нельзя снять последнего координатора муниципалитета" in response.text
    assert Appointment.objects.filter(pk=last.pk).exists()


# --- query counts -----------------------------------------------------------------------------


@pytest.mark.parametrize("size", [20, 200])
def test_registry_pages_query_count_is_flat(client, tenants, django_assert_max_num_queries, size):
    municipality = tenants.home.municipality
    group = factories.WorkingGroupFactory(municipality=municipality, year=2022)
    people = Person.objects.bulk_create(
        Person(municipality=municipality, short_name=f"Сотрудник{n} А.А.", position="методист",
               organisation=tenants.home.authority if n % 2 else None,
               school=None if n % 2 else tenants.home.schools[0])
        for n in range(size)
    )  # fmt: skip
    WorkingGroupMember.objects.bulk_create(
        WorkingGroupMember(group=group, person=p, position=n + 1) for n, p in enumerate(people)
    )
    Organisation.objects.bulk_create(
        Organisation(kind="other", municipality=municipality, name=f"Организация {n}")
        for n in range(size)
    )
    for p in people[:10]:
        tenants.home.measures[0].owners.add(p)
    m = municipality.pk
    login(client, "koordinator")
    client.get(reverse("measures:roadmap_list"))  # warm up
    # each: session, user, the header's links, the municipality, may change; then
    pages = [
        # who sees contacts, how many people, the page of them
        (reverse("schools:person_list", args=[m]), 8),
        # how many organisations, the page of them
        (reverse("schools:organisation_list", args=[m]), 7),
        # the groups, their acts, their members; the forms' people and acts
        (reverse("schools:working_group", args=[m]), 10),
        # the person; roles, groups, measures, who sees contacts
        (reverse("schools:person_detail", args=[m, people[1].pk]), 10),
        # the choices of organisations, schools and accounts
        (reverse("schools:person_add", args=[m]), 9),
    ]
    for url, most in pages:
        with django_assert_max_num_queries(most, info=url):
            assert client.get(url).status_code == 200


def test_the_admin_keeps_the_last_coordinator_too(client, tenants):
    municipality = tenants.home.municipality
    last = Appointment.objects.get(role="coordinator", municipality=municipality)
    login(client, "admin")
    url = reverse("admin:schools_appointment_delete", args=[last.pk])
    response = client.post(url, {"post": "yes"}, follow=True)
    assert response.status_code == 200
    assert "Нельзя снять последнего координатора муниципалитета" in response.text
    changelist = reverse("admin:schools_appointment_changelist")
    response = client.post(
        changelist, {"action": "delete_selected", "_selected_action": [last.pk], "post": "yes"},
        follow=True,
    )  # fmt: skip
    # no bulk delete, which would report the refused row as deleted: one at a time
    assert "Успешно удалены" not in response.text
    assert 'value="delete_selected"' not in client.get(changelist).text
    assert Appointment.objects.filter(pk=last.pk).exists()
