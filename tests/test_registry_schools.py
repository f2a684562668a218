"""The registry of a municipality: schools with their designations, mentor pairings with their
partnership agreements — the services' rules, the pages' permissions, filters and queries."""

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.urls import reverse

from measures.models import ControlPair
from measures.selectors import roadmaps_for_user
from schools import registry
from schools.models import (
    MentorPairing,
    Organisation,
    PartnershipAgreement,
    School,
    SchoolDesignation,
)
from schools.services import appoint
from tests import factories

pytestmark = pytest.mark.django_db

STANDARD = [str(text) for text in registry.STANDARD_AGREEMENT_ITEMS]


def login(client, username: str) -> None:
    client.force_login(User.objects.get(username=username))


def a_pairing(tenants, **fields) -> MentorPairing:
    first, second = tenants.home.schools
    return registry.pairing_save(
        pairing=MentorPairing(
            mentor=fields.get("mentor", second), supported=fields.get("supported", first),
            starts_on=fields.get("starts_on", date(2022, 1, 1)),
            ends_on=fields.get("ends_on", date(2022, 12, 31)),
        ),
        municipality=tenants.home.municipality,
    )  # fmt: skip


def directors(tenants) -> tuple:
    first, second = tenants.home.schools
    mentor_director = factories.PersonFactory(
        municipality=tenants.home.municipality, short_name="Наставникова Н.Н.", school=second
    )
    return mentor_director, first.director


def agreement_fields(tenants, **fields) -> dict:
    mentor_director, supported_director = directors(tenants)
    return {
        "number": "7", "signed_on": date(2022, 2, 1), "starts_on": date(2022, 2, 1),
        "ends_on": date(2022, 12, 31), "term_text": "2022 год",
        "mentor_director": mentor_director, "supported_director": supported_director,
        "items": [STANDARD[0], STANDARD[4]], **fields,
    }  # fmt: skip


# --- Services: designations ------------------------------------------------------------------


def test_a_designation_is_added_with_its_basis(tenants):
    school = tenants.home.schools[0]
    designation = registry.designation_add(
        school=school, kind="unfavourable_context", year=2023, basis="Приказ от 10.01.2023 № 5"
    )
    assert designation.basis == "Приказ от 10.01.2023 № 5"
    assert designation.ended_on is None


def test_a_designation_on_an_act_alone_takes_the_act_as_its_text(tenants):
    act = factories.LegalActFactory(issuer=tenants.home.authority, number="22")
    designation = registry.designation_add(
        school=tenants.home.schools[0], kind="risk_zone", year=2023, basis_act=act
    )
    assert "№\xa022" in designation.basis and act.title in designation.basis


def test_a_designation_needs_a_basis_and_is_not_doubled(tenants):
    school = tenants.home.schools[0]
    with pytest.raises(ValidationError) as error:
        registry.designation_add(school=school, kind="risk_zone", year=2023, basis="  ")
    assert "Укажите основание" in error.value.message_dict["basis"][0]
    with pytest.raises(ValidationError) as error:  # the tenant made it ШНОР in 2022
        registry.designation_add(school=school, kind="low_results", year=2022, basis="Приказ")
    assert "уже отнесена" in error.value.message_dict["kind"][0]


def test_a_basis_act_of_another_municipality_is_refused(tenants):
    foreign = factories.LegalActFactory(issuer=tenants.other.authority)
    with pytest.raises(ValidationError) as error:
        registry.designation_add(
            school=tenants.home.schools[0], kind="risk_zone", year=2023, basis_act=foreign
        )
    assert "другому муниципалитету" in error.value.message_dict["basis_act"][0]
    assert not SchoolDesignation.objects.filter(kind="risk_zone").exists()


def test_a_regional_order_is_a_basis_for_the_schools_of_its_region(tenants):
    municipality = tenants.home.municipality
    ministry = factories.OrganisationFactory(
        kind=Organisation.Kind.REGIONAL_BODY, municipality=None, region=municipality.region,
        name="Министерство просвещения",
    )  # fmt: skip
    neighbour = factories.MunicipalityFactory(region=municipality.region)
    order = factories.LegalActFactory(issuer=ministry, municipality=neighbour)
    assert order in registry.acts_for_designation(municipality)
    registry.designation_add(
        school=tenants.home.schools[0], kind="risk_zone", year=2023, basis_act=order
    )
    assert order not in registry.acts_for_designation(tenants.other.municipality)


def test_ending_a_designation_keeps_the_row_with_date_and_reason(tenants):
    designation = tenants.home.schools[1].designations.get()
    with pytest.raises(ValidationError) as error:
        registry.designation_end(designation=designation, ended_on=date(2021, 12, 31), reason="")
    assert set(error.value.message_dict) == {"ended_on", "reason"}
    registry.designation_end(
        designation=designation, ended_on=date(2022, 6, 1), reason="Исключена из перечня"
    )
    designation.refresh_from_db()
    assert (designation.ended_on, designation.end_reason) == (
        date(2022, 6, 1), "Исключена из перечня",
    )  # fmt: skip
    with pytest.raises(ValidationError, match="уже снята"):
        registry.designation_end(designation=designation, ended_on=date(2022, 7, 1), reason="x")


def test_a_designation_ended_before_the_roadmap_no_longer_makes_the_school_one_of_its(tenants):
    roadmap = tenants.home.roadmap
    first, second = tenants.home.schools
    # ended while the roadmap ran: the school was in the category then and stays concerned
    registry.designation_end(
        designation=second.designations.get(), ended_on=date(2022, 6, 1), reason="Исключена"
    )
    concerned = set(ControlPair.objects.filter(roadmap=roadmap).values_list("school", flat=True))
    assert concerned == {first.pk, second.pk}
    # ended on the day the roadmap starts: neither the pairs nor the director's view count it
    SchoolDesignation.objects.filter(school=first).update(
        ended_on=date(2022, 1, 1), end_reason="Исключена"
    )
    concerned = set(ControlPair.objects.filter(roadmap=roadmap).values_list("school", flat=True))
    assert concerned == {second.pk}
    assert not roadmaps_for_user(tenants.home.director).filter(pk=roadmap.pk).exists()


# --- Services: pairings and agreements ----------------------------------------------------------


def test_a_pairing_of_the_municipality(tenants):
    pairing = a_pairing(tenants)
    assert pairing.pk and registry.pairings_in(tenants.home.municipality).get() == pairing


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ("self", "mentor", "самой себе"),
        ("dates", "ends_on", "раньше начала"),
        ("foreign_supported", "supported", "не из этого муниципалитета"),
        ("other_region_mentor", "supported", "из разных регионов"),
        ("twice", "starts_on", "уже есть"),
    ],
)
def test_pairing_rules(tenants, change, field, message):
    first = tenants.home.schools[0]
    foreign = factories.SchoolFactory(municipality=tenants.other.municipality)
    fields = {
        "self": {"mentor": first},
        "dates": {"ends_on": date(2021, 12, 31)},
        "foreign_supported": {"supported": foreign, "mentor": first},
        "other_region_mentor": {"mentor": foreign},
        "twice": {},
    }[change]
    if change == "twice":
        a_pairing(tenants)
    with pytest.raises(ValidationError) as error:
        a_pairing(tenants, **fields)
    assert message in error.value.message_dict[field][0]
    assert MentorPairing.objects.count() == (1 if change == "twice" else 0)


def test_ending_a_pairing(tenants):
    pairing = a_pairing(tenants)
    municipality = tenants.home.municipality
    with pytest.raises(ValidationError, match="раньше начала"):
        registry.pairing_end(pairing=pairing, municipality=municipality, ends_on=date(2021, 1, 1))
    with pytest.raises(ValidationError, match="и так заканчивается"):
        registry.pairing_end(pairing=pairing, municipality=municipality, ends_on=date(2023, 1, 1))
    registry.pairing_end(pairing=pairing, municipality=municipality, ends_on=date(2022, 5, 31))
    pairing.refresh_from_db()
    assert pairing.ends_on == date(2022, 5, 31)


def test_agreement_items_are_kept_in_their_order_and_replaced(tenants):
    pairing = a_pairing(tenants)
    fields = agreement_fields(tenants, items=["Свой пункт", STANDARD[3], " ", STANDARD[0]])
    agreement = registry.agreement_save(pairing=pairing, **fields)
    assert list(agreement.items.values_list("position", "text")) == [
        (1, "Свой пункт"), (2, STANDARD[3]), (3, STANDARD[0]),
    ]  # fmt: skip
    registry.agreement_save(pairing=pairing, **{**fields, "items": [STANDARD[6], "Второй"]})
    agreement = PartnershipAgreement.objects.get(pairing=pairing)
    assert list(agreement.items.values_list("text", flat=True)) == [STANDARD[6], "Второй"]
    assert PartnershipAgreement.objects.count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_on": date(2022, 1, 1)}, "ends_on"),
        ({"signed_on": date(2023, 1, 10)}, "signed_on"),
        ({"items": ["", " "]}, "items"),
    ],
)
def test_agreement_rules(tenants, change, field):
    pairing = a_pairing(tenants)
    with pytest.raises(ValidationError) as error:
        registry.agreement_save(pairing=pairing, **agreement_fields(tenants, **change))
    assert field in error.value.message_dict
    assert not PartnershipAgreement.objects.exists()


def test_a_director_of_another_municipality_cannot_sign(tenants):
    pairing = a_pairing(tenants)
    stranger = factories.PersonFactory(municipality=tenants.other.municipality)
    with pytest.raises(ValidationError) as error:
        registry.agreement_save(
            pairing=pairing, **agreement_fields(tenants, supported_director=stranger)
        )
    assert "другому муниципалитету" in error.value.message_dict["supported_director"][0]


# --- Views -------------------------------------------------------------------------------------


def school_url(tenants, name: str = "registry_school", **extra) -> str:
    school = tenants.home.schools[0]
    return reverse(
        f"schools:{name}", kwargs={"pk": school.municipality_id, "school_pk": school.pk, **extra}
    )


def test_a_coordinator_adds_and_ends_a_designation(client, tenants):
    login(client, "koordinator")
    response = client.post(
        school_url(tenants, "registry_designation_add"),
        {"designation-kind": "unobjective_results", "designation-year": "2023",
         "designation-basis": "Перечень ФИОКО 2023"},
    )  # fmt: skip
    assert response.status_code == 302
    designation = SchoolDesignation.objects.get(kind="unobjective_results")
    end = school_url(tenants, "registry_designation_end", designation_pk=designation.pk)
    assert client.get(end).status_code == 200
    response = client.post(
        end, {f"end-{designation.pk}-ended_on": "2023-09-01",
              f"end-{designation.pk}-reason": "Результаты подтверждены"},
    )  # fmt: skip
    assert response.status_code == 302
    designation.refresh_from_db()
    assert designation.ended_on == date(2023, 9, 1)
    page = client.get(school_url(tenants)).text
    assert "Снята с категории с 01.09.2023: Результаты подтверждены" in page


def test_htmx_answers_the_designations_fragment(client, tenants):
    login(client, "koordinator")
    response = client.post(
        school_url(tenants, "registry_designation_add"),
        {"designation-kind": "resilient", "designation-year": "2023", "designation-basis": "X"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "<html" not in response.text and 'id="designations"' in response.text
    assert "Резильентная школа" in response.text and "Категория добавлена." in response.text
    response = client.post(
        school_url(tenants, "registry_designation_add"),
        {"designation-kind": "resilient", "designation-year": "2023", "designation-basis": "Y"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert "Школа уже отнесена к этой категории в 2023 году." in response.text


def test_bad_input_is_shown_inline_and_nothing_typed_is_lost(client, tenants):
    login(client, "koordinator")
    response = client.post(
        school_url(tenants, "registry_designation_add"),
        {"designation-kind": "risk_zone", "designation-year": "1999",
         "designation-basis": "Мой набранный текст"},
    )  # fmt: skip
    assert response.status_code == 400
    assert "Мой набранный текст" in response.text
    assert "больше либо равно 2000" in response.text
    response = client.post(
        school_url(tenants, "registry_designation_add"),
        {"designation-kind": "risk_zone", "designation-year": "2023"},
    )
    assert response.status_code == 400 and "Укажите основание" in response.text
    assert not SchoolDesignation.objects.filter(kind="risk_zone").exists()
    response = client.post(school_url(tenants), {"name": "Школа", "short_name": ""})
    assert response.status_code == 400 and "Обязательное поле." in response.text


def test_a_coordinator_edits_a_school(client, tenants):
    login(client, "koordinator")
    school = tenants.home.schools[0]
    response = client.post(
        school_url(tenants),
        {"name": "Новое полное", "short_name": "СОШ № 1", "address": "ул. Ленина, 1",
         "director": school.director_id},
    )  # fmt: skip
    assert response.status_code == 302
    school.refresh_from_db()
    assert (school.short_name, school.address) == ("СОШ № 1", "ул. Ленина, 1")


def test_a_coordinator_adds_a_pairing_and_its_agreement(client, tenants):
    login(client, "koordinator")
    first, second = tenants.home.schools
    municipality = tenants.home.municipality
    response = client.post(
        reverse("schools:registry_pairings", args=[municipality.pk]),
        {"mentor": second.pk, "supported": first.pk, "starts_on": "2022-09-01",
         "ends_on": "2022-06-01"},
    )  # fmt: skip
    assert response.status_code == 400 and "Окончание — раньше начала." in response.text
    response = client.post(
        reverse("schools:registry_pairings", args=[municipality.pk]),
        {"mentor": second.pk, "supported": first.pk, "starts_on": "2022-09-01",
         "ends_on": "2023-06-30"},
    )  # fmt: skip
    pairing = MentorPairing.objects.get()
    url = reverse("schools:registry_agreement", args=[municipality.pk, pairing.pk])
    assert response.status_code == 302 and response.url == url
    mentor_director, supported_director = directors(tenants)
    data = {
        "number": "12", "signed_on": "2022-08-30", "starts_on": "2022-09-01",
        "ends_on": "2023-06-30", "term_text": "2022–2023 учебный год",
        "mentor_director": mentor_director.pk, "supported_director": supported_director.pk,
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Отметьте или впишите хотя бы один пункт" in response.text
    assert "2022–2023 учебный год" in response.text  # nothing typed is lost
    extra = {"extra_items": "Взаимные посещения уроков", "standard_items": ["5", "0"]}
    response = client.post(url, {**data, **extra})
    assert response.status_code == 302
    agreement = PartnershipAgreement.objects.get()
    assert list(agreement.items.values_list("text", flat=True)) == [
        STANDARD[0], STANDARD[5], "Взаимные посещения уроков",
    ]  # fmt: skip
    page = client.get(reverse("schools:registry_pairing", args=[municipality.pk, pairing.pk]))
    assert "Соглашение №\u00a012 от 30.08.2022" in page.text and STANDARD[5] in page.text
    form = client.get(url).text  # the saved agreement opens as it is
    assert 'value="12"' in form and "Взаимные посещения уроков" in form


def forged_writes(tenants) -> list[tuple[str, dict]]:
    first, second = tenants.home.schools
    municipality = tenants.home.municipality
    pairing = a_pairing(tenants)
    designation = first.designations.get()
    m = municipality.pk
    return [
        (school_url(tenants), {"name": "Взлом", "short_name": "Взлом"}),
        (school_url(tenants, "registry_designation_add"),
         {"designation-kind": "risk_zone", "designation-year": "2023", "designation-basis": "X"}),
        (school_url(tenants, "registry_designation_end", designation_pk=designation.pk),
         {f"end-{designation.pk}-ended_on": "2022-05-01", f"end-{designation.pk}-reason": "X"}),
        (reverse("schools:registry_pairings", args=[m]),
         {"mentor": first.pk, "supported": second.pk, "starts_on": "2023-01-01",
          "ends_on": "2023-12-31"}),
        (reverse("schools:registry_pairing", args=[m, pairing.pk]),
         {"mentor": second.pk, "supported": first.pk, "starts_on": "2022-01-01",
          "ends_on": "2022-02-01"}),
        (reverse("schools:registry_pairing_end", args=[m, pairing.pk]), {"ends_on": "2022-02-01"}),
        (reverse("schools:registry_agreement", args=[m, pairing.pk]),
         {"number": "1", "signed_on": "2022-01-01", "starts_on": "2022-01-01",
          "ends_on": "2022-12-31", "standard_items": ["0"]}),
    ]  # fmt: skip


def registry_state() -> tuple:
    return (
        list(School.objects.order_by("pk").values_list("name", "short_name")),
        list(SchoolDesignation.objects.order_by("pk").values_list("kind", "year", "ended_on")),
        list(MentorPairing.objects.order_by("pk").values_list("mentor", "supported", "ends_on")),
        PartnershipAgreement.objects.count(),
    )


@pytest.mark.parametrize(
    ("username", "status"), [("rabgruppa", 403), ("nablyudatel", 403), ("grechkina", 404),
                             ("direktor", 404)],
)  # fmt: skip
def test_forged_writes_are_refused(client, tenants, username, status):
    writes = forged_writes(tenants)
    before = registry_state()
    login(client, username)
    for url, data in writes:
        assert client.post(url, data).status_code == status, url
    assert registry_state() == before


@pytest.mark.parametrize("username", ["rabgruppa", "nablyudatel"])
def test_readers_see_the_registry_without_forms(client, tenants, username):
    pairing = a_pairing(tenants)
    registry.agreement_save(pairing=pairing, **agreement_fields(tenants))
    login(client, username)
    m = tenants.home.municipality.pk
    for url in [
        reverse("schools:registry_schools", args=[m]),
        school_url(tenants),
        reverse("schools:registry_pairings", args=[m]),
        reverse("schools:registry_pairing", args=[m, pairing.pk]),
    ]:
        page = client.get(url)
        assert page.status_code == 200
        assert 'method="post"' not in page.text.split("<main", 1)[-1].split("</main>")[0]
    page = client.get(reverse("schools:registry_pairing", args=[m, pairing.pk])).text
    assert STANDARD[4] in page and "Изменить соглашение" not in page


def test_the_list_filters_by_designation_and_year(client, tenants):
    first, second = tenants.home.schools
    registry.designation_add(school=second, kind="unfavourable_context", year=2023, basis="X")
    third = factories.SchoolFactory(municipality=tenants.home.municipality, short_name="Без")
    login(client, "koordinator")
    url = reverse("schools:registry_schools", args=[tenants.home.municipality.pk])

    def shown(query: dict) -> set[str]:
        page = client.get(url, query).text
        return {s.short_name for s in (first, second, third) if f">{s.short_name}</a>" in page}

    assert shown({}) == {first.short_name, second.short_name, "Без"}
    assert shown({"kind": "unfavourable_context"}) == {second.short_name}
    assert shown({"year": "2022"}) == {first.short_name, second.short_name}
    assert shown({"kind": "unfavourable_context", "year": "2022"}) == set()
    assert shown({"year": "1812"}) == {first.short_name, second.short_name, "Без"}  # ignored


def many(municipality, count: int) -> None:
    region_school = None
    for n in range(count):
        school = factories.SchoolFactory(municipality=municipality, short_name=f"Школа {n:03}")
        person = factories.PersonFactory(municipality=municipality, school=school)
        school.director = person
        school.save()
        SchoolDesignation.objects.create(school=school, kind="low_results", year=2022, basis="X")
        SchoolDesignation.objects.create(school=school, kind="risk_zone", year=2023, basis="X")
        if region_school is not None:
            pairing = MentorPairing.objects.create(
                mentor=region_school, supported=school, starts_on=date(2022, 1, 1),
                ends_on=date(2022, 12, 31),
            )  # fmt: skip
            registry.agreement_save(
                pairing=pairing, number=str(n), signed_on=date(2022, 1, 1),
                starts_on=date(2022, 1, 1), ends_on=date(2022, 12, 31), term_text="",
                mentor_director=region_school.director, supported_director=person,
                items=STANDARD[: 1 + n % 7],
            )  # fmt: skip
        region_school = school


@pytest.mark.parametrize("count", [10, 60])
def test_registry_pages_query_counts_are_flat(client, django_assert_max_num_queries, count):
    municipality = factories.MunicipalityFactory()
    coordinator = factories.UserFactory()
    appoint(user=coordinator, role="coordinator", target=municipality)
    many(municipality, count)
    school = municipality.schools.order_by("pk").last()
    pairing = MentorPairing.objects.filter(supported=school).get()
    client.force_login(coordinator)
    client.get(reverse("measures:roadmap_list"))  # warm up: login time, content types
    m = municipality.pk
    # session, user, municipality, the filter's years, how many schools, the page of them,
    # their designations, the header's links
    with django_assert_max_num_queries(9):
        page = client.get(reverse("schools:registry_schools", args=[m]), {"kind": "risk_zone"})
    assert page.text.count("designation-tag") == 2 * min(count, 50)
    # session, user, municipality, the school, may change, its designations, the acts and
    # the people of the forms, the header's links
    with django_assert_max_num_queries(11):
        client.get(reverse("schools:registry_school", args=[m, school.pk]))
    # session, user, municipality, how many pairings, the page of them, may change, the
    # form's two school lists, the header's links
    with django_assert_max_num_queries(10):
        page = client.get(reverse("schools:registry_pairings", args=[m]))
    assert page.text.count("<tr>") == min(count - 1, 50) + 1
    with django_assert_max_num_queries(10):
        client.get(reverse("schools:registry_pairing", args=[m, pairing.pk]))
    with django_assert_max_num_queries(10):
        client.get(reverse("schools:registry_agreement", args=[m, pairing.pk]))


def test_a_refused_end_opens_its_own_row_with_the_message(client, tenants):
    login(client, "koordinator")
    designation = tenants.home.schools[0].designations.get()
    prefix = f"end-{designation.pk}"
    response = client.post(
        school_url(tenants, "registry_designation_end", designation_pk=designation.pk),
        {f"{prefix}-ended_on": "2021-05-01", f"{prefix}-reason": "Моя причина"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert "<html" not in response.text
    assert "Дата снятия — раньше года, на который школа отнесена (2022)." in response.text
    assert '<details class="end-designation" open>' in response.text
    assert "Моя причина" in response.text
    designation.refresh_from_db()
    assert designation.ended_on is None
