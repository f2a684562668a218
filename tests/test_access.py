"""Access and accounts (issue 7, items 9–12): histories follow the reader's view, lockouts hit
only the attacker's address, password reset does not tell who exists, signed-in pages are not
cached."""

import pghistory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from schools.services import appoint
from tests import factories

pytestmark = pytest.mark.django_db


# --- 9. Histories follow the reader's view ------------------------------------------------


@pytest.fixture
def two_schools():
    """A roadmap with a measure that concerns the director's school and one that does not."""
    municipality = factories.MunicipalityFactory()
    own = factories.SchoolFactory(municipality=municipality)
    other = factories.SchoolFactory(municipality=municipality)
    roadmap = factories.RoadmapFactory(municipality=municipality)
    own_section = factories.SectionFactory(roadmap=roadmap, title="Раздел нашей школы")
    other_section = factories.SectionFactory(roadmap=roadmap, title="Раздел чужой школы")
    mine = factories.MeasureFactory(
        roadmap=roadmap,
        section=own_section,
        title="Мероприятие нашей школы",
        all_designated_schools=False,
    )
    mine.schools.add(own)
    theirs = factories.MeasureFactory(
        roadmap=roadmap,
        section=other_section,
        title="Мероприятие чужой школы",
        all_designated_schools=False,
    )
    theirs.schools.add(other)
    factories.OccurrenceFactory(measure=theirs)
    director = factories.UserFactory()
    appoint(user=director, role="director", target=own)
    coordinator = factories.UserFactory()
    appoint(user=coordinator, role="coordinator", target=municipality)
    with pghistory.context(user=coordinator.pk):
        mine.planned_result = "Правка нашей школы"
        mine.save()
        theirs.title = "Секретная правка чужой школы"
        theirs.save()
    return {
        "roadmap": roadmap, "own": own, "other": other, "mine": mine, "theirs": theirs,
        "director": director, "coordinator": coordinator,
    }  # fmt: skip


def test_a_director_reads_only_the_history_of_what_concerns_their_school(client, two_schools):
    roadmap, director = two_schools["roadmap"], two_schools["director"]
    client.force_login(director)
    assert client.get(reverse("measures:roadmap_detail", args=[roadmap.pk])).status_code == 200
    page = client.get(reverse("measures:roadmap_history", args=[roadmap.pk])).text
    assert "Мероприятие нашей школы" in page
    assert "Раздел нашей школы" in page
    assert "Мероприятие чужой школы" not in page
    assert "Секретная правка чужой школы" not in page
    assert "Раздел чужой школы" not in page
    theirs = two_schools["theirs"]
    hidden = reverse("measures:measure_history", args=[roadmap.pk, theirs.pk])
    assert client.get(hidden).status_code == 404


def test_a_coordinator_reads_the_whole_history_deletions_included(client, two_schools):
    roadmap = two_schools["roadmap"]
    two_schools["theirs"].delete()
    client.force_login(two_schools["coordinator"])
    page = client.get(reverse("measures:roadmap_history", args=[roadmap.pk])).text
    assert "Мероприятие нашей школы" in page
    assert "Секретная правка чужой школы" in page
    assert "Раздел чужой школы" in page
    assert "Удаление" in page


def test_a_director_reads_the_history_of_their_own_report_not_of_another_schools(
    client, two_schools
):
    occurrence = factories.OccurrenceFactory(measure=two_schools["mine"])
    own_report = factories.ReportFactory(occurrence=occurrence, school=two_schools["own"])
    other_report = factories.ReportFactory(occurrence=occurrence, school=two_schools["other"])
    client.force_login(two_schools["director"])
    response = client.get(reverse("measures:report_history", args=[own_report.pk]))
    assert response.status_code == 200
    assert "Создание" in response.text
    assert client.get(reverse("measures:report_history", args=[other_report.pk])).status_code == 404


def test_the_filtered_history_keeps_a_flat_query_count(client, two_schools):
    roadmap = two_schools["roadmap"]
    client.force_login(two_schools["director"])
    url = reverse("measures:roadmap_history", args=[roadmap.pk])
    client.get(url)  # the first request of a session also writes the session
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
        for school in 5 * ["other", "own"]:  # more hidden and more visible rows
            measure = factories.MeasureFactory(roadmap=roadmap, all_designated_schools=False)
            measure.schools.add(two_schools[school])
    assert counts[0] == counts[1]
