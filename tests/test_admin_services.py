"""The admin writes through the services: the tenant rules hold there as everywhere, a broken
rule is a Russian message in the form, and nothing is saved."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from measures import services
from measures.models import LegalAct, Measure, Occurrence, Roadmap, Section
from schools import services as school_services
from schools.models import (
    Organisation,
    Person,
    School,
    SchoolDesignation,
    WorkingGroup,
    WorkingGroupMember,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(factories.UserFactory(is_superuser=True, is_staff=True))
    return client


def page_data(response) -> dict:
    """What the admin's change page would post back untouched: its form and inline forms."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            if isinstance(value, list | tuple):
                data[form.add_prefix(name)] = [str(v) for v in value]
            elif value is True:
                data[form.add_prefix(name)] = "on"
            elif hasattr(value, "strftime"):
                data[form.add_prefix(name)] = value.isoformat()
            else:
                data[form.add_prefix(name)] = str(value)
    return data


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def errors_of(response) -> str:
    form = response.context["adminform"].form
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


# --- A measure's section belongs to its roadmap ---------------------------------------------


def test_the_service_refuses_a_section_of_another_roadmap():
    measure = factories.MeasureFactory()
    services.measure_save(measure=measure)
    version = measure.version
    other = factories.SectionFactory()
    measure.section = other
    with pytest.raises(ValidationError) as refused:
        services.measure_save(measure=measure)
    assert "относится к другой дорожной карте" in str(refused.value)
    assert Measure.objects.get(pk=measure.pk).section_id is None
    assert Measure.objects.get(pk=measure.pk).version == version


def test_the_admin_refuses_a_section_of_another_roadmap(admin_client):
    measure = factories.MeasureFactory()
    services.measure_save(measure=measure)
    other = factories.SectionFactory()
    data = page_data(admin_client.get(change_url(measure)))
    data["section"] = str(other.pk)
    response = admin_client.post(change_url(measure), data)
    assert response.status_code == 200
    assert "относится к другой дорожной карте" in errors_of(response)
    assert Measure.objects.get(pk=measure.pk).section_id is None


def test_the_admin_saves_a_measure_through_the_service(admin_client):
    measure = factories.MeasureFactory(deadline_text="Февраль 2022г.")
    services.measure_save(measure=measure)
    version = measure.version
    section = factories.SectionFactory(roadmap=measure.roadmap)
    data = page_data(admin_client.get(change_url(measure)))
    data.update(deadline_text="ежеквартально", section=str(section.pk))
    data["deadline_kind"] = "date"  # the reading is not the admin's to type: ignored
    response = admin_client.post(change_url(measure), data)
    assert response.status_code == 302
    measure = Measure.objects.get(pk=measure.pk)
    assert measure.section == section and measure.version == version + 1
    assert measure.deadline_kind == "recurring" and measure.deadline_recurrence == "quarterly"
    assert measure.deadline.due_dates == [
        date(2022, 3, 31), date(2022, 6, 30), date(2022, 9, 30), date(2022, 12, 31)
    ]  # fmt: skip
    assert not measure.occurrences.filter(due_on=date(2022, 2, 28)).exists()


def test_the_admin_adds_a_measure_with_its_occurrences(admin_client):
    roadmap = factories.RoadmapFactory()
    school = factories.SchoolFactory(municipality=roadmap.municipality)
    SchoolDesignation.objects.create(school=school, kind="low_results", year=roadmap.starts_on.year)
    response = admin_client.post(
        reverse("admin:measures_measure_add"),
        {
            "roadmap": roadmap.pk, "position": 1, "number": "1.1", "title": "Семинар",
            "deadline_text": "Май 2022", "all_designated_schools": "", "schools": [school.pk],
        },
    )  # fmt: skip
    assert response.status_code == 302
    measure = Measure.objects.get(roadmap=roadmap)
    assert measure.deadline_kind == "month" and measure.deadline.due_dates == [date(2022, 5, 31)]
    assert list(measure.schools.all()) == [school]


def test_the_admin_refuses_a_school_of_another_municipality(admin_client):
    measure = factories.MeasureFactory()
    services.measure_save(measure=measure)
    stranger = factories.SchoolFactory()
    data = page_data(admin_client.get(change_url(measure)))
    data["schools"] = [str(stranger.pk)]
    response = admin_client.post(change_url(measure), data)
    assert response.status_code == 200
    assert f"Из другого муниципалитета: {stranger}" in errors_of(response)
    assert not measure.schools.exists()


def test_the_admin_refuses_a_school_outside_the_roadmap(admin_client):
    roadmap = factories.RoadmapFactory()
    school = factories.SchoolFactory(municipality=roadmap.municipality)  # not designated
    response = admin_client.post(
        reverse("admin:measures_measure_add"),
        {
            "roadmap": roadmap.pk, "position": 1, "number": "1.1", "title": "Семинар",
            "deadline_text": "Май 2022", "all_designated_schools": "", "schools": [school.pk],
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert "Не входят в дорожную карту" in errors_of(response)
    assert not Measure.objects.filter(roadmap=roadmap).exists()


def test_a_measure_with_reports_is_not_deleted_by_the_admin(admin_client):
    measure = factories.MeasureFactory()
    services.measure_save(measure=measure)
    factories.ReportFactory(occurrence=measure.occurrences.get())
    url = reverse("admin:measures_measure_delete", args=[measure.pk])
    response = admin_client.post(url, {"post": "yes"})
    assert "по мероприятиям есть отчёты школ (1)" in response.text
    assert Measure.objects.filter(pk=measure.pk).exists()
    with pytest.raises(ValidationError):
        services.row_delete(row=measure)
    assert Measure.objects.filter(pk=measure.pk).exists()


def test_a_measure_without_reports_is_deleted_by_the_admin(admin_client):
    measure = factories.MeasureFactory()
    services.measure_save(measure=measure)
    url = reverse("admin:measures_measure_delete", args=[measure.pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not Measure.objects.filter(pk=measure.pk).exists()


def test_a_section_with_measures_is_not_moved_to_another_roadmap(admin_client):
    section = factories.SectionFactory()
    measure = factories.MeasureFactory(roadmap=section.roadmap, section=section)
    services.measure_save(measure=measure)
    other = factories.RoadmapFactory(municipality=section.roadmap.municipality)
    section.roadmap = other
    with pytest.raises(ValidationError):
        services.section_save(section=section)
    section = Section.objects.get(pk=section.pk)
    data = page_data(admin_client.get(change_url(section)))
    data["roadmap"] = str(other.pk)
    response = admin_client.post(change_url(section), data)
    assert response.status_code == 200
    assert "раздел нельзя перенести в другую дорожную карту" in errors_of(response)
    assert Section.objects.get(pk=section.pk).roadmap_id == measure.roadmap_id


# --- An approving act's issuer: the roadmap's municipality, or a regional or federal body -----


def act_of(issuer: Organisation, municipality) -> LegalAct:
    return factories.LegalActFactory(issuer=issuer, municipality=municipality)


def test_the_service_refuses_an_act_of_another_municipalitys_body():
    roadmap = factories.RoadmapFactory()
    foreign = act_of(factories.OrganisationFactory(), roadmap.municipality)
    roadmap.approved_by, roadmap.status = foreign, Roadmap.Status.APPROVED
    with pytest.raises(ValidationError) as refused:
        services.roadmap_save(roadmap=roadmap)
    assert "организация другого муниципалитета" in str(refused.value)
    assert Roadmap.objects.get(pk=roadmap.pk).approved_by is None


@pytest.mark.parametrize(
    "kind", [Organisation.Kind.REGIONAL_BODY, Organisation.Kind.FEDERAL_BODY, "own"]
)
def test_the_service_accepts_an_act_of_its_own_regional_or_federal_body(kind):
    roadmap = factories.RoadmapFactory()
    if kind == "own":
        issuer = factories.OrganisationFactory(municipality=roadmap.municipality)
    else:
        issuer = factories.OrganisationFactory(
            kind=kind, municipality=None, region=roadmap.municipality.region
        )
    roadmap.approved_by, roadmap.status = act_of(issuer, roadmap.municipality), "approved"
    services.roadmap_save(roadmap=roadmap)
    assert Roadmap.objects.get(pk=roadmap.pk).approved_by.issuer == issuer


def test_a_regional_body_of_another_region_is_refused():
    roadmap = factories.RoadmapFactory()
    issuer = factories.OrganisationFactory(
        kind=Organisation.Kind.REGIONAL_BODY, municipality=None, region=factories.RegionFactory()
    )
    roadmap.approved_by, roadmap.status = act_of(issuer, roadmap.municipality), "approved"
    with pytest.raises(ValidationError):
        services.roadmap_save(roadmap=roadmap)


def test_the_admin_refuses_an_approving_or_amending_act_of_another_municipality(admin_client):
    roadmap = factories.RoadmapFactory()
    foreign = act_of(factories.OrganisationFactory(), roadmap.municipality)
    url = change_url(roadmap)
    for field, value in (("approved_by", str(foreign.pk)), ("amended_by", [str(foreign.pk)])):
        data = page_data(admin_client.get(url))
        data[field] = value
        if field == "approved_by":
            data["status"] = "approved"
        response = admin_client.post(url, data)
        assert response.status_code == 200
        assert "организация другого муниципалитета" in errors_of(response)
    roadmap = Roadmap.objects.get(pk=roadmap.pk)
    assert roadmap.approved_by is None and not roadmap.amended_by.exists()


def test_the_admin_saves_a_roadmap_and_its_sections_through_the_services(admin_client):
    roadmap = factories.RoadmapFactory()
    own = act_of(
        factories.OrganisationFactory(municipality=roadmap.municipality), roadmap.municipality
    )
    url = change_url(roadmap)
    data = page_data(admin_client.get(url))
    data.update(approved_by=str(own.pk), status="approved")
    data.update({"sections-TOTAL_FORMS": "1", "sections-0-position": "1",
                 "sections-0-number": "I.", "sections-0-title": "Диагностика"})  # fmt: skip
    response = admin_client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    roadmap = Roadmap.objects.get(pk=roadmap.pk)
    assert roadmap.approved_by == own
    assert [(s.number, s.title) for s in roadmap.sections.all()] == [("I.", "Диагностика")]


def test_the_admin_refuses_a_legal_act_issued_by_another_municipalitys_body(admin_client):
    act = factories.LegalActFactory()
    stranger = factories.OrganisationFactory()
    data = page_data(admin_client.get(change_url(act)))
    data["issuer"] = str(stranger.pk)
    response = admin_client.post(change_url(act), data)
    assert response.status_code == 200
    assert "организация другого муниципалитета" in errors_of(response)
    assert LegalAct.objects.get(pk=act.pk).issuer_id == act.issuer_id


def test_a_period_changed_in_the_admin_rereads_the_deadlines(admin_client):
    roadmap = factories.RoadmapFactory()
    measure = factories.MeasureFactory(roadmap=roadmap, deadline_text="ежеквартально")
    services.measure_save(measure=measure)
    data = page_data(admin_client.get(change_url(roadmap)))
    data.update(starts_on="2023-01-01", ends_on="2023-12-31")
    assert admin_client.post(change_url(roadmap), data).status_code == 302
    measure = Measure.objects.get(pk=measure.pk)
    assert measure.deadline.due_dates == [
        date(2023, 3, 31), date(2023, 6, 30), date(2023, 9, 30), date(2023, 12, 31)
    ]  # fmt: skip


# --- Read-only: what has its own workflow on the portal --------------------------------------


def test_reports_and_occurrences_are_read_only_in_the_admin(admin_client):
    report = factories.ReportFactory()
    occurrence = report.occurrence
    assert admin_client.get(change_url(report)).status_code == 200  # viewed
    assert admin_client.post(change_url(report), {"status": "accepted"}).status_code == 403
    assert admin_client.post(change_url(occurrence), {"due_on": "2022-05-01"}).status_code == 403
    delete = reverse("admin:measures_occurrence_delete", args=[occurrence.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Occurrence.objects.get(pk=occurrence.pk).due_on == date(2022, 2, 28)


# --- The directory (schools' admin) through schools.services ---------------------------------


def test_the_directory_service_refuses_a_person_of_another_municipalitys_school():
    person = factories.PersonFactory()
    person.school = factories.SchoolFactory()
    with pytest.raises(ValidationError) as refused:
        school_services.record_save(obj=person)
    assert "относится к другому муниципалитету" in str(refused.value)
    assert Person.objects.get(pk=person.pk).school is None


def test_the_admin_refuses_a_director_of_another_municipality(admin_client):
    school = factories.SchoolFactory()
    stranger = factories.PersonFactory()
    data = page_data(admin_client.get(change_url(school)))
    data["director"] = str(stranger.pk)
    response = admin_client.post(change_url(school), data)
    assert response.status_code == 200
    assert f"«{stranger}» относится к другому муниципалитету" in errors_of(response)
    assert School.objects.get(pk=school.pk).director is None


def test_the_admin_saves_a_person_and_a_school_director_of_the_municipality(admin_client):
    school = factories.SchoolFactory()
    response = admin_client.post(
        reverse("admin:schools_person_add"),
        {"municipality": school.municipality_id, "short_name": "Бозиев А.Т.",
         "school": school.pk},
    )  # fmt: skip
    assert response.status_code == 302
    person = Person.objects.get(short_name="Бозиев А.Т.")
    data = page_data(admin_client.get(change_url(school)))
    data["director"] = str(person.pk)
    assert admin_client.post(change_url(school), data).status_code == 302
    assert School.objects.get(pk=school.pk).director == person


def test_the_admin_refuses_a_designation_on_another_municipalitys_act(admin_client):
    school = factories.SchoolFactory()
    foreign = factories.LegalActFactory()
    data = page_data(admin_client.get(change_url(school)))
    data.update({"designations-TOTAL_FORMS": "1", "designations-0-kind": "low_results",
                 "designations-0-year": "2022", "designations-0-basis": "Приказ",
                 "designations-0-basis_act": str(foreign.pk)})  # fmt: skip
    response = admin_client.post(change_url(school), data)
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert "относится к другому муниципалитету" in str(formset.errors)
    assert not school.designations.exists()


# --- The tenant rules from the other side: a linked row does not move away --------------------


def cherek_roadmap_with_a_measure():
    """A roadmap of «Черекский муниципальный район» with one saved measure, and a municipality
    B of the same region to move rows to."""
    cherek = factories.MunicipalityFactory(name="Черекский муниципальный район")
    roadmap = factories.RoadmapFactory(municipality=cherek, title="ШНОР 2022")
    measure = factories.MeasureFactory(roadmap=roadmap)
    services.measure_save(measure=measure)
    return roadmap, measure, factories.MunicipalityFactory(region=cherek.region)


STILL_OWNS = (
    "ответственный за мероприятия дорожной карты «ШНОР 2022» (Черекский муниципальный район)"
)


def test_an_organisation_that_owns_measures_and_issued_the_act_does_not_move():
    roadmap, measure, elsewhere = cherek_roadmap_with_a_measure()
    uo = factories.OrganisationFactory(municipality=roadmap.municipality, short_name="УО")
    services.measure_save(measure=measure, links={"owner_organisations": [uo]})
    roadmap.approved_by, roadmap.status = act_of(uo, roadmap.municipality), "approved"
    services.roadmap_save(roadmap=roadmap)
    uo.municipality = elsewhere
    with pytest.raises(ValidationError) as refused:
        school_services.record_save(obj=uo)
    message = " ".join(refused.value.messages)  # str() would escape the no-break space of «№ 0»
    assert (
        "ответственная за мероприятия дорожной карты «ШНОР 2022» (Черекский муниципальный район)"
        in message
    )
    assert f"издала документ «{roadmap.approved_by}» (Черекский муниципальный район)" in message
    assert Organisation.objects.get(pk=uo.pk).municipality == roadmap.municipality


@pytest.mark.parametrize("link", ["owner", "director", "member"])
def test_a_person_linked_in_the_municipality_does_not_move(link):
    roadmap, measure, elsewhere = cherek_roadmap_with_a_measure()
    person = factories.PersonFactory(municipality=roadmap.municipality)
    if link == "owner":
        services.measure_save(measure=measure, links={"owners": [person]})
        expected = STILL_OWNS
    elif link == "director":
        school = factories.SchoolFactory(municipality=roadmap.municipality, director=person)
        expected = f"руководитель школы «{school}» (Черекский муниципальный район)"
    else:
        group = factories.WorkingGroupFactory(municipality=roadmap.municipality)
        WorkingGroupMember.objects.create(group=group, person=person, position=1)
        expected = f"член рабочей группы «{group}» (Черекский муниципальный район)"
    person.municipality = elsewhere
    with pytest.raises(ValidationError) as refused:
        school_services.record_save(obj=person)
    assert f"«{person}» — {expected}" in str(refused.value)
    assert Person.objects.get(pk=person.pk).municipality == roadmap.municipality


def test_a_person_or_organisation_without_links_moves():
    roadmap, _, elsewhere = cherek_roadmap_with_a_measure()
    person = factories.PersonFactory(municipality=roadmap.municipality)
    organisation = factories.OrganisationFactory(municipality=roadmap.municipality)
    person.municipality = organisation.municipality = elsewhere
    school_services.record_save(obj=person)
    school_services.record_save(obj=organisation)
    assert Person.objects.get(pk=person.pk).municipality == elsewhere
    assert Organisation.objects.get(pk=organisation.pk).municipality == elsewhere


def test_a_regional_body_that_owns_measures_does_not_move_to_another_region():
    roadmap, measure, _ = cherek_roadmap_with_a_measure()
    body = factories.OrganisationFactory(
        kind=Organisation.Kind.REGIONAL_BODY, municipality=None, region=roadmap.municipality.region
    )
    services.measure_save(measure=measure, links={"owner_organisations": [body]})
    body.region = factories.RegionFactory()
    with pytest.raises(ValidationError) as refused:
        school_services.record_save(obj=body)
    assert "region" in refused.value.message_dict
    assert Organisation.objects.get(pk=body.pk).region == roadmap.municipality.region


def test_a_school_of_the_municipalitys_measures_does_not_move():
    roadmap, measure, elsewhere = cherek_roadmap_with_a_measure()
    school = factories.SchoolFactory(municipality=roadmap.municipality)
    services.measure_save(measure=measure, links={"schools": [school]})
    school.municipality = elsewhere
    with pytest.raises(ValidationError) as refused:
        school_services.record_save(obj=school)
    assert "касается мероприятий дорожной карты «ШНОР 2022» (Черекский муниципальный район)" in str(
        refused.value
    )
    assert School.objects.get(pk=school.pk).municipality == roadmap.municipality


def test_the_admin_refuses_to_move_a_person_who_owns_measures(admin_client):
    roadmap, measure, elsewhere = cherek_roadmap_with_a_measure()
    person = factories.PersonFactory(municipality=roadmap.municipality)
    services.measure_save(measure=measure, links={"owners": [person]})
    data = page_data(admin_client.get(change_url(person)))
    data["municipality"] = str(elsewhere.pk)
    response = admin_client.post(change_url(person), data)
    assert response.status_code == 200
    assert STILL_OWNS in errors_of(response)
    assert Person.objects.get(pk=person.pk).municipality == roadmap.municipality


def test_a_roadmap_with_measures_keeps_its_municipality():
    roadmap, _, elsewhere = cherek_roadmap_with_a_measure()
    roadmap.municipality = elsewhere
    with pytest.raises(ValidationError) as refused:
        services.roadmap_save(roadmap=roadmap)
    assert "municipality" in refused.value.message_dict
    assert "В дорожной карте есть мероприятия (1)" in str(refused.value)
    assert Roadmap.objects.get(pk=roadmap.pk).municipality.name == "Черекский муниципальный район"
    empty = factories.RoadmapFactory()
    empty.municipality = elsewhere
    services.roadmap_save(roadmap=empty)
    assert Roadmap.objects.get(pk=empty.pk).municipality == elsewhere


def test_the_admin_refuses_to_move_a_roadmap_with_measures(admin_client):
    roadmap, measure, elsewhere = cherek_roadmap_with_a_measure()
    data = page_data(admin_client.get(change_url(roadmap)))
    data["municipality"] = str(elsewhere.pk)
    response = admin_client.post(change_url(roadmap), data)
    assert response.status_code == 200
    assert "муниципалитет дорожной карты изменить нельзя" in errors_of(response)
    assert Roadmap.objects.get(pk=roadmap.pk).municipality_id == measure.roadmap.municipality_id


def test_an_act_a_roadmap_cites_keeps_its_municipality():
    roadmap, _, elsewhere = cherek_roadmap_with_a_measure()
    body = factories.OrganisationFactory(
        kind=Organisation.Kind.REGIONAL_BODY, municipality=None, region=roadmap.municipality.region
    )
    act = act_of(body, roadmap.municipality)
    roadmap.approved_by, roadmap.status = act, "approved"
    services.roadmap_save(roadmap=roadmap)
    act.municipality = elsewhere
    with pytest.raises(ValidationError) as refused:
        services.legal_act_save(act=act)
    assert "«ШНОР 2022» (Черекский муниципальный район)" in str(refused.value)
    assert LegalAct.objects.get(pk=act.pk).municipality == roadmap.municipality


# --- A roadmap cites only its own municipality's acts ----------------------------------------


@pytest.mark.parametrize("field", ["approved_by", "amended_by"])
def test_a_roadmap_does_not_cite_another_municipalitys_act_of_a_regional_body(field):
    roadmap, _, elsewhere = cherek_roadmap_with_a_measure()
    body = factories.OrganisationFactory(
        kind=Organisation.Kind.REGIONAL_BODY, municipality=None, region=roadmap.municipality.region
    )
    foreign = act_of(body, elsewhere)
    if field == "approved_by":
        roadmap.approved_by, roadmap.status, amended = foreign, "approved", None
    else:
        amended = [foreign]
    with pytest.raises(ValidationError) as refused:
        services.roadmap_save(roadmap=roadmap, amended_by=amended)
    assert f"относится к другому муниципалитету ({elsewhere})" in str(
        refused.value.message_dict[field]
    )
    roadmap = Roadmap.objects.get(pk=roadmap.pk)
    assert roadmap.approved_by is None and not roadmap.amended_by.exists()
    own = act_of(body, roadmap.municipality)  # the same body's act for this municipality
    services.roadmap_save(roadmap=roadmap, amended_by=[own])
    assert list(roadmap.amended_by.all()) == [own]


def test_the_admin_refuses_another_municipalitys_act_of_a_federal_body(admin_client):
    roadmap = factories.RoadmapFactory()
    federal = factories.OrganisationFactory(
        kind=Organisation.Kind.FEDERAL_BODY, municipality=None, region=None
    )
    foreign = act_of(federal, factories.MunicipalityFactory())
    data = page_data(admin_client.get(change_url(roadmap)))
    data.update(approved_by=str(foreign.pk), status="approved")
    response = admin_client.post(change_url(roadmap), data)
    assert response.status_code == 200
    assert f"Документ «{foreign}» относится к другому муниципалитету" in errors_of(response)
    assert Roadmap.objects.get(pk=roadmap.pk).approved_by is None


# --- One rule for the organisations that may serve a municipality ----------------------------


def test_organisation_serves_its_municipality_a_regional_body_of_its_region_a_federal_body():
    municipality = factories.MunicipalityFactory()
    region = municipality.region
    serves = school_services.organisation_serves
    OF = factories.OrganisationFactory
    assert serves(OF(municipality=municipality), municipality.pk)
    assert not serves(OF(), municipality.pk)
    assert not serves(
        OF(municipality=factories.MunicipalityFactory(region=region)), municipality.pk
    )
    regional = Organisation.Kind.REGIONAL_BODY
    assert serves(OF(kind=regional, municipality=None, region=region), municipality.pk)
    assert serves(  # a regional institution seated in a neighbouring municipality
        OF(kind=regional, municipality=factories.MunicipalityFactory(region=region)),
        municipality.pk,
    )
    other_region = factories.RegionFactory()
    assert not serves(OF(kind=regional, municipality=None, region=other_region), municipality.pk)
    assert not serves(OF(kind=regional, municipality=None, region=None), municipality.pk)
    federal = Organisation.Kind.FEDERAL_BODY
    assert serves(OF(kind=federal, municipality=None, region=None), municipality.pk)


def foreign_regional_body() -> Organisation:
    return factories.OrganisationFactory(
        kind=Organisation.Kind.REGIONAL_BODY, municipality=None, region=factories.RegionFactory()
    )


def test_a_regional_body_of_another_region_owns_no_measure():
    measure = factories.MeasureFactory()
    services.measure_save(measure=measure)
    body = foreign_regional_body()
    with pytest.raises(ValidationError) as refused:
        services.measure_save(measure=measure, links={"owner_organisations": [body]})
    assert f"Из другого муниципалитета: {body}" in str(refused.value)
    assert not measure.owner_organisations.exists()


def test_the_admin_refuses_a_regional_body_of_another_region_as_owner(admin_client):
    measure = factories.MeasureFactory()
    services.measure_save(measure=measure)
    body = foreign_regional_body()
    data = page_data(admin_client.get(change_url(measure)))
    data["owner_organisations"] = [str(body.pk)]
    response = admin_client.post(change_url(measure), data)
    assert response.status_code == 200
    assert f"Из другого муниципалитета: {body}" in errors_of(response)
    assert not measure.owner_organisations.exists()


def test_a_person_does_not_work_for_a_regional_body_of_another_region():
    person = factories.PersonFactory()
    person.organisation = foreign_regional_body()
    with pytest.raises(ValidationError) as refused:
        school_services.record_save(obj=person)
    assert "относится к другому муниципалитету" in str(refused.value)
    assert Person.objects.get(pk=person.pk).organisation is None
    person.organisation = factories.OrganisationFactory(
        kind=Organisation.Kind.REGIONAL_BODY, municipality=None, region=person.municipality.region
    )
    school_services.record_save(obj=person)
    assert Person.objects.get(pk=person.pk).organisation == person.organisation


def test_a_working_group_does_not_move_away_from_its_members():
    roadmap, _, elsewhere = cherek_roadmap_with_a_measure()
    group = factories.WorkingGroupFactory(municipality=roadmap.municipality)
    member = factories.PersonFactory(municipality=roadmap.municipality)
    WorkingGroupMember.objects.create(group=group, person=member, position=1)
    group.municipality = elsewhere
    with pytest.raises(ValidationError) as refused:
        school_services.record_save(obj=group)
    assert f"в её составе сотрудник «{member}» (Черекский муниципальный район)" in str(
        refused.value.message_dict["municipality"]
    )
    assert WorkingGroup.objects.get(pk=group.pk).municipality == roadmap.municipality


def test_an_act_a_working_group_rests_on_keeps_its_municipality():
    roadmap, _, elsewhere = cherek_roadmap_with_a_measure()
    uo = factories.OrganisationFactory(municipality=roadmap.municipality)
    act = act_of(uo, roadmap.municipality)
    group = factories.WorkingGroupFactory(municipality=roadmap.municipality, act=act)
    act.municipality, act.issuer = elsewhere, factories.OrganisationFactory(municipality=elsewhere)
    with pytest.raises(ValidationError) as refused:
        services.legal_act_save(act=act)
    assert f"рабочая группа «{group}» (Черекский муниципальный район)" in str(refused.value)
    assert LegalAct.objects.get(pk=act.pk).municipality == roadmap.municipality


def test_an_approved_roadmaps_content_is_refused_in_the_admin_too(admin_client):
    """The draft-only rule is the services': the admin shows it, and changes nothing."""
    roadmap = factories.RoadmapFactory()
    section = factories.SectionFactory(roadmap=roadmap)
    measure = factories.MeasureFactory(roadmap=roadmap, section=section, title="Как было")
    own = act_of(
        factories.OrganisationFactory(municipality=roadmap.municipality), roadmap.municipality
    )
    roadmap.approved_by, roadmap.status = own, "approved"
    services.roadmap_save(roadmap=roadmap)
    url = reverse("admin:measures_measure_change", args=[measure.pk])
    data = page_data(admin_client.get(url))
    data["title"] = "Изменено в обход"
    response = admin_client.post(url, data)
    assert response.status_code == 200 and "можно только проект" in response.text
    assert Measure.objects.get(pk=measure.pk).title == "Как было"
    delete = reverse("admin:measures_section_delete", args=[section.pk])
    assert "можно только проект" in admin_client.get(delete).text
    admin_client.post(delete, {"post": "yes"})
    assert Section.objects.filter(pk=section.pk).exists()
    with pytest.raises(ValidationError):
        services.measure_correct_deadline(measure=measure, kind="continuous")


# --- A signed order stays as signed ---------------------------------------------------------


def test_the_admin_keeps_a_signed_order_signed_and_its_printed_text(admin_client, tenants):
    from measures import editing, orders

    roadmap = factories.RoadmapFactory(municipality=tenants.home.municipality, title="Проект")
    editing.section_add(roadmap=roadmap, title="Раздел")
    act = orders.order_new(roadmap=roadmap, by=None)
    act.number, act.date = "5", date(2026, 3, 1)
    act = orders.order_save(act=act, expected_version=act.version)
    orders.order_sign(act=act, by=None, expected_version=act.version)
    for field, value in (("status", "draft"), ("number", "6"), ("title", "Другой заголовок")):
        data = page_data(admin_client.get(change_url(act)))
        data[field] = value
        response = admin_client.post(change_url(act), data)
        assert response.status_code == 200, field
        assert "нельзя" in errors_of(response) or "не меняются" in errors_of(response), field
    stored = LegalAct.objects.get(pk=act.pk)
    assert (stored.status, stored.number, stored.title) == ("signed", "5", act.title)
    # an act recorded from elsewhere (no appendices, approving nothing) may still be corrected
    basis = factories.LegalActFactory(issuer=tenants.home.authority, status="signed")
    data = page_data(admin_client.get(change_url(basis)))
    data["title"] = "Исправленный заголовок"
    assert admin_client.post(change_url(basis), data).status_code == 302
    assert LegalAct.objects.get(pk=basis.pk).title == "Исправленный заголовок"
