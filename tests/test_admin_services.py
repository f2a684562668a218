"""The admin writes through the services: the tenant rules hold there as everywhere, a broken
rule is a Russian message in the form, and nothing is saved."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from measures import services
from measures.models import LegalAct, Measure, Occurrence, Roadmap, Section
from schools import services as school_services
from schools.models import Organisation, Person, School
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
