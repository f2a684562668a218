"""«На проверке»: the submitted reports of the municipalities the user reviews."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from measures.models import Report
from schools.services import appoint
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def submitted(occurrence, school, *, hours_ago: int = 1, **values):
    return factories.ReportFactory(
        occurrence=occurrence,
        school=school,
        status=Report.Status.SUBMITTED,
        submitted_at=timezone.now() - timedelta(hours=hours_ago),
        outcome=values.pop("outcome", Report.Outcome.DONE),
        **values,
    )


@pytest.fixture
def district():
    municipality = factories.MunicipalityFactory()
    schools = [
        factories.SchoolFactory(municipality=municipality, short_name=f"МКОУ СОШ № {n}")
        for n in (1, 2)
    ]
    roadmap = factories.RoadmapFactory(
        municipality=municipality,
        title="Дорожная карта района",
        starts_on=TODAY - timedelta(days=100),
        ends_on=TODAY + timedelta(days=300),
    )
    section = factories.SectionFactory(roadmap=roadmap, title="Методическая работа")
    measures = [
        factories.MeasureFactory(
            roadmap=roadmap, section=section if n == 0 else None, title=f"Мероприятие {n}"
        )
        for n in range(2)
    ]
    occurrences = [
        factories.OccurrenceFactory(measure=measure, due_on=TODAY + timedelta(days=10))
        for measure in measures
    ]
    group_member = factories.UserFactory(first_name="Ирина", last_name="Рабочая")
    appoint(user=group_member, role="working_group", target=municipality)
    return {
        "municipality": municipality,
        "schools": schools,
        "roadmap": roadmap,
        "section": section,
        "measures": measures,
        "occurrences": occurrences,
        "member": group_member,
    }


def queue(client, **params):
    response = client.get(reverse("measures:review_queue"), params)
    assert response.status_code == 200
    return response


def listed(response) -> list[int]:
    return [report.pk for report in response.context["reports"]]


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("measures:review_queue"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ["director", "regional_viewer"])
def test_those_who_do_not_review_are_refused(client, district, role):
    user = factories.UserFactory()
    target = {
        "director": district["schools"][0],
        "regional_viewer": district["municipality"].region,
    }[role]
    appoint(user=user, role=role, target=target)
    client.force_login(user)
    response = client.get(reverse("measures:review_queue"))
    assert response.status_code == 403


def test_queue_holds_submitted_reports_of_the_reviewed_municipality_oldest_first(client, district):
    (first, second), (school, other_school) = district["occurrences"], district["schools"]
    newer = submitted(first, school, hours_ago=1)
    older = submitted(second, other_school, hours_ago=30)
    factories.ReportFactory(occurrence=second, school=school)  # a draft: not in the queue
    accepted = factories.ReportFactory(
        occurrence=first,
        school=other_school,
        status=Report.Status.ACCEPTED,
        submitted_at=timezone.now(),
        reviewed_at=timezone.now(),
    )
    elsewhere = factories.SchoolFactory()  # another municipality
    foreign = submitted(factories.OccurrenceFactory(), elsewhere, hours_ago=100)

    for role in ("working_group", "coordinator"):
        user = factories.UserFactory()
        appoint(user=user, role=role, target=district["municipality"])
        client.force_login(user)
        response = queue(client)
        assert listed(response) == [older.pk, newer.pk]
        assert reverse("measures:report_detail", args=[older.pk]) in response.text
        assert accepted.pk not in listed(response) and foreign.pk not in listed(response)
        assert 'На проверке <span class="nav-count">(2)</span>' in response.text

    client.force_login(factories.UserFactory(is_superuser=True))
    assert listed(queue(client)) == [foreign.pk, older.pk, newer.pk]


def test_rows_say_who_sent_when_and_what(client, district):
    first, school = district["occurrences"][0], district["schools"][0]
    coordinator = factories.UserFactory(first_name="Пётр", last_name="Координаторов")
    submitted(
        first,
        school,
        outcome=Report.Outcome.POSTPONED,
        postponed_to=TODAY + timedelta(days=60),
        postpone_reason="Ремонт спортзала",
        postpone_decision=Report.Decision.PENDING,
        submitted_by=coordinator,
        on_behalf=True,
    )
    client.force_login(district["member"])
    text = queue(client).text
    assert "МКОУ СОШ № 1" in text
    assert "Мероприятие 0" in text
    assert "Срок " + first.due_on.strftime("%d.%m.%Y") in text
    assert "Просит перенести на " + (TODAY + timedelta(days=60)).strftime("%d.%m.%Y") in text
    assert "Пётр Координаторов" in text and "(за школу)" in text
    assert "Перенесено" in text


@pytest.mark.parametrize("field", ["school", "roadmap", "section", "measure"])
def test_filters(client, district, field):
    (first, second), (school, other_school) = district["occurrences"], district["schools"]
    other_roadmap = factories.RoadmapFactory(municipality=district["municipality"])
    third = factories.OccurrenceFactory(measure=factories.MeasureFactory(roadmap=other_roadmap))
    in_section = submitted(first, school)  # measure 0, in the section, school 1
    submitted(second, other_school)  # measure 1, no section, school 2
    submitted(third, other_school)  # another roadmap
    value = {
        "school": school.pk,
        "roadmap": district["roadmap"].pk,
        "section": district["section"].pk,
        "measure": district["measures"][0].pk,
    }[field]
    client.force_login(district["member"])
    response = queue(client, **{field: value})
    if field == "roadmap":
        assert len(listed(response)) == 2
    else:
        assert listed(response) == [in_section.pk]
    assert f"{field}={value}" in response.request["QUERY_STRING"]
    # a value not in the queue is refused by the form, the list stays whole
    response = queue(client, **{field: 999999})
    assert response.context["form"].errors
    assert len(listed(response)) == 3


def test_progress_of_the_current_roadmaps_is_at_the_top(client, district):
    client.force_login(district["member"])
    progress = queue(client).context["progress"]
    assert progress.total == 0  # no designated or named schools: no control pairs yet
    district["measures"][0].all_designated_schools = False
    district["measures"][0].save()
    district["measures"][0].schools.add(*district["schools"])
    response = queue(client)
    assert response.context["progress"].total == 2
    assert "Выполнение текущих дорожных карт" in response.text
    # no roadmap current: the progress of all of them
    district["roadmap"].starts_on = TODAY - timedelta(days=400)
    district["roadmap"].ends_on = TODAY - timedelta(days=30)
    district["roadmap"].save()
    response = queue(client)
    assert response.context["progress"].total == 2
    assert "Выполнение дорожных карт" in response.text


@pytest.mark.parametrize("count", [5, 50])
def test_query_count_is_flat(client, district, django_assert_num_queries, count):
    schools = [factories.SchoolFactory(municipality=district["municipality"]) for _ in range(count)]
    for index, school in enumerate(schools):
        submitted(district["occurrences"][index % 2], school, hours_ago=index + 1)
    client.force_login(district["member"])
    client.get(reverse("measures:review_queue"))
    with django_assert_num_queries(9):
        response = client.get(reverse("measures:review_queue"))
    assert len(listed(response)) == count
