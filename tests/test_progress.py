"""Progress (issue 8): the same number everywhere — selectors, pages and the command.

Counted over control pairs (a control date and a school it concerns) on a day: выполнено в срок,
с опозданием, просрочено, срок не наступил."""

import json
from datetime import date, datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from measures.models import Occurrence, Report
from measures.progress import (
    Progress,
    pairs_for,
    progress_by,
    progress_for_school,
    progress_of,
    queue_summary,
    roadmap_progress,
)
from schools.models import SchoolDesignation
from schools.services import appoint
from tests import factories

pytestmark = pytest.mark.django_db

MOSCOW = ZoneInfo("Europe/Moscow")
DUE = date(2022, 2, 28)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=MOSCOW)


def _report(occurrence, school, status="accepted", outcome="done", submitted=None, **fields):
    """A report as the review leaves it (the CHECK constraints need the times)."""
    submitted = submitted or _at(occurrence.due_on, 12)
    reviewed = submitted if status in ("accepted", "returned") else None
    comment = "Доработать" if status == "returned" else ""
    return factories.ReportFactory(
        occurrence=occurrence,
        school=school,
        status=status,
        outcome=outcome,
        submitted_at=None if status == "draft" else submitted,
        reviewed_at=reviewed,
        review_comment=comment,
        **fields,
    )


@pytest.fixture
def town():
    """A 2022 municipal roadmap with a section and one control date for all designated schools
    (two of them, designated in 2022)."""
    municipality = factories.MunicipalityFactory()
    one = factories.SchoolFactory(municipality=municipality, short_name="СОШ № 1")
    two = factories.SchoolFactory(municipality=municipality, short_name="СОШ № 2")
    for school in (one, two):
        SchoolDesignation.objects.create(school=school, kind="low_results", year=2022)
    roadmap = factories.RoadmapFactory(municipality=municipality, title="Дорожная карта ШНОР")
    section = factories.SectionFactory(roadmap=roadmap, title="Методическая работа")
    measure = factories.MeasureFactory(roadmap=roadmap, section=section)
    occurrence = factories.OccurrenceFactory(measure=measure, due_on=DUE)
    return {
        "municipality": municipality,
        "one": one,
        "two": two,
        "roadmap": roadmap,
        "section": section,
        "measure": measure,
        "occurrence": occurrence,
    }


def _of(town, on, school=None):
    schools = None if school is None else [school.pk]
    return progress_of(pairs_for([town["roadmap"].pk], schools), on)


# --- the four states ------------------------------------------------------------------------


def test_submitted_on_the_due_date_is_on_time_and_the_next_local_day_late(town):
    # 23:30 in Moscow on the due date is on time; 00:30 the next day is late, though in UTC
    # it is still the due date (21:30)
    _report(town["occurrence"], town["one"], submitted=_at(DUE, 23, 30))
    _report(town["occurrence"], town["two"], submitted=_at(date(2022, 3, 1), 0, 30))
    assert _of(town, date(2022, 6, 1), town["one"]) == Progress(on_time=1)
    assert _of(town, date(2022, 6, 1), town["two"]) == Progress(late=1)
    # a late report stays late, however early the day it is counted on
    assert _of(town, date(2022, 1, 1)) == Progress(on_time=1, late=1)


def test_not_accepted_and_done_is_overdue_only_after_the_due_date(town):
    _report(town["occurrence"], town["one"], outcome="partly")  # accepted, partly done
    _report(town["occurrence"], town["two"], status="submitted")  # done, not yet accepted
    assert _of(town, DUE) == Progress(not_due=2)  # the due date itself: not overdue yet
    assert _of(town, date(2022, 3, 1)) == Progress(overdue=2)


def test_a_pair_without_a_report_is_counted(town):
    assert _of(town, date(2022, 2, 1)) == Progress(not_due=2)
    assert _of(town, date(2022, 3, 1)) == Progress(overdue=2)


def test_an_accepted_postponement_moves_the_schools_due_date(town):
    moved = date(2022, 4, 30)
    _report(
        town["occurrence"],
        town["one"],
        status="draft",
        outcome="postponed",
        due_on=moved,
        postponed_to=moved,
        postpone_reason="Карантин",
        postpone_decision="accepted",
    )
    assert _of(town, date(2022, 3, 15), town["one"]) == Progress(not_due=1)
    assert _of(town, date(2022, 3, 15), town["two"]) == Progress(overdue=1)
    assert _of(town, date(2022, 5, 1), town["one"]) == Progress(overdue=1)
    Report.objects.filter(school=town["one"]).update(
        status="accepted",
        outcome="done",
        submitted_at=_at(date(2022, 4, 10), 10),
        reviewed_at=_at(date(2022, 4, 11), 10),
    )
    assert _of(town, date(2022, 5, 1), town["one"]) == Progress(on_time=1)


def test_quarterly_notes_are_not_progress(town):
    quarter = factories.OccurrenceFactory(
        measure=town["measure"], due_on=date(2022, 3, 31), kind=Occurrence.Kind.QUARTER
    )
    _report(quarter, town["one"])
    assert _of(town, date(2022, 6, 1)) == Progress(overdue=2)
    # the review queue still sees the quarterly note waiting
    _report(quarter, town["two"], status="submitted")
    summary = queue_summary([town["municipality"].pk], date(2022, 6, 1))
    assert summary[town["municipality"].pk].to_review == 1
    assert summary[town["municipality"].pk].progress == Progress(overdue=2)


def test_designated_and_named_schools(town):
    # designated only in 2021, outside the roadmap's period: not concerned by its measures
    earlier = factories.SchoolFactory(municipality=town["municipality"])
    SchoolDesignation.objects.create(school=earlier, kind="low_results", year=2021)
    # not designated, named by a measure: concerned by that measure only
    named = factories.SchoolFactory(municipality=town["municipality"])
    only_named = factories.MeasureFactory(
        roadmap=town["roadmap"], section=town["section"], all_designated_schools=False
    )
    only_named.schools.add(named)
    factories.OccurrenceFactory(measure=only_named, due_on=DUE)
    by_school = progress_by(pairs_for([town["roadmap"].pk]), "school", date(2022, 6, 1))
    assert by_school == {
        town["one"].pk: Progress(overdue=1),
        town["two"].pk: Progress(overdue=1),
        named.pk: Progress(overdue=1),
    }


def test_a_schools_roadmap_counts_its_school(town):
    roadmap = factories.RoadmapFactory(
        municipality=town["municipality"], level="school", school=town["one"]
    )
    occurrence = factories.OccurrenceFactory(
        measure=factories.MeasureFactory(roadmap=roadmap), due_on=DUE
    )
    _report(occurrence, town["one"])
    result = progress_for_school([town["one"].pk], None, date(2022, 6, 1))
    assert result == {
        town["one"].pk: {roadmap.pk: Progress(on_time=1), town["roadmap"].pk: Progress(overdue=1)}
    }


def test_groupings_add_up_to_the_total(town):
    second = factories.SectionFactory(roadmap=town["roadmap"], title="Мониторинг")
    measure = factories.MeasureFactory(roadmap=town["roadmap"], section=second)
    later = factories.OccurrenceFactory(measure=measure, due_on=date(2022, 9, 1))
    _report(town["occurrence"], town["one"])
    _report(later, town["two"], submitted=_at(date(2022, 8, 1), 9))
    on = date(2022, 6, 1)
    pairs = pairs_for([town["roadmap"].pk])
    total = progress_of(pairs, on)
    assert total == Progress(on_time=2, overdue=1, not_due=1)
    for field in ("roadmap", "section", "measure", "school"):
        assert sum(progress_by(pairs, field, on).values(), Progress()) == total
    assert progress_by(pairs, "section", on) == {
        town["section"].pk: Progress(on_time=1, overdue=1),
        second.pk: Progress(on_time=1, not_due=1),
    }
    with pytest.raises(ValueError):
        progress_by(pairs, "municipality", on)


def test_roadmap_progress_equals_the_pairs_view(town):
    """`roadmap_progress` counts without reading each pair: the same numbers as the view on
    designated schools (and one designated outside the period), named schools, a school's own
    roadmap, an accepted postponement, quarterly notes and reports in every state."""
    municipality, roadmap = town["municipality"], town["roadmap"]
    earlier = factories.SchoolFactory(municipality=municipality)
    SchoolDesignation.objects.create(school=earlier, kind="low_results", year=2021)
    named = factories.SchoolFactory(municipality=municipality)
    only_named = factories.MeasureFactory(roadmap=roadmap, all_designated_schools=False)
    only_named.schools.add(named, town["one"])
    own = factories.RoadmapFactory(municipality=municipality, level="school", school=town["two"])
    own_measure = factories.MeasureFactory(roadmap=own)
    empty = factories.RoadmapFactory(municipality=municipality)  # no control dates
    days = [date(2022, 1, 31), DUE, date(2022, 5, 31), date(2022, 9, 30)]
    dates = [town["occurrence"]] + [
        factories.OccurrenceFactory(measure=measure, due_on=day)
        for measure in (town["measure"], only_named, own_measure)
        for day in days
        if (measure, day) != (town["measure"], DUE)
    ]
    for measure in (town["measure"], only_named, own_measure):
        dates.append(
            factories.OccurrenceFactory(
                measure=measure, due_on=date(2022, 3, 31), kind=Occurrence.Kind.QUARTER
            )
        )
    states = [
        {"status": "accepted", "outcome": "done"},
        {"status": "accepted", "outcome": "done", "submitted": _at(date(2022, 10, 5), 1)},
        {"status": "accepted", "outcome": "partly"},
        {"status": "submitted"},
        {"status": "returned", "outcome": "not_done"},
        {"status": "draft", "outcome": "in_progress"},
        {
            "status": "draft",
            "outcome": "postponed",
            "due_on": date(2022, 12, 1),
            "postponed_to": date(2022, 12, 1),
            "postpone_reason": "Карантин",
            "postpone_decision": "accepted",
        },
    ]
    schools = [town["one"], town["two"], named, earlier]
    n = 0
    for occurrence in dates:
        for school in schools:
            n += 1
            if n % 3 == 0:
                continue  # some pairs without a report
            fields = dict(states[n % len(states)])
            if fields.get("due_on") and fields["due_on"] < occurrence.due_on:
                fields["due_on"] = fields["postponed_to"] = occurrence.due_on
            _report(occurrence, school, **fields)
    keys = [roadmap.pk, own.pk, empty.pk]
    for on in (date(2021, 12, 1), DUE, date(2022, 3, 1), date(2022, 6, 15), date(2023, 1, 1)):
        expected = progress_by(pairs_for(keys), "roadmap", on)
        assert roadmap_progress(keys, on) == expected
        assert set(expected) == {roadmap.pk, own.pk}
    # the numbers are not all of one kind: the comparison tests each state
    total = sum(expected.values(), Progress())
    assert min(total.on_time, total.late, total.overdue) > 0
    assert roadmap_progress([], DUE) == {}


def test_progress_percents():
    assert Progress().percent == 0
    assert Progress().as_dict()["total"] == 0
    assert Progress().segments == []
    progress = Progress(on_time=1, late=1, overdue=1, not_due=5)
    assert (progress.total, progress.done, progress.percent) == (8, 2, 25)
    assert Progress(on_time=1, not_due=7).percent == 13  # 12.5 rounds half up
    assert Progress(on_time=2, overdue=1).percent == 67
    assert progress.as_dict() == {
        "on_time": 1,
        "late": 1,
        "overdue": 1,
        "not_due": 5,
        "done": 2,
        "total": 8,
        "percent": 25,
    }
    assert [part["start"] for part in progress.segments] == ["0.00", "12.50", "25.00", "37.50"]


# --- the command ----------------------------------------------------------------------------


def _command(*args) -> str:
    out = StringIO()
    call_command("roadmap_progress", *[str(arg) for arg in args], stdout=out)
    return out.getvalue()


def test_the_commands_json_equals_the_selectors(town):
    _report(town["occurrence"], town["one"], submitted=_at(date(2022, 3, 2), 9))
    on = date(2022, 6, 1)
    pairs = pairs_for([town["roadmap"].pk])
    data = json.loads(_command(town["roadmap"].pk, "--on", "2022-06-01", "--json"))
    assert (
        data["total"]
        == progress_of(pairs, on).as_dict()
        == {
            "on_time": 0,
            "late": 1,
            "overdue": 1,
            "not_due": 0,
            "done": 1,
            "total": 2,
            "percent": 50,
        }
    )
    by_section = progress_by(pairs, "section", on)
    assert data["sections"] == [
        {
            "id": town["section"].pk,
            "name": str(town["section"]),
            **by_section[town["section"].pk].as_dict(),
        }
    ]
    by_school = progress_by(pairs, "school", on)
    assert data["schools"] == [
        {"id": school.pk, "name": school.short_name, **by_school[school.pk].as_dict()}
        for school in (town["one"], town["two"])
    ]
    one = json.loads(
        _command(town["roadmap"].pk, "--school", town["one"].pk, "--on", "2022-06-01", "--json")
    )
    assert one["total"] == Progress(late=1).as_dict()
    table = _command(town["roadmap"].pk, "--on", "2022-06-01")
    assert "Методическая работа" in table and "СОШ № 2" in table and "просрочено" in table


def test_the_command_refuses_in_russian(town):
    with pytest.raises(CommandError, match="Дорожная карта #0 не найдена"):
        _command(0, "--json")
    with pytest.raises(CommandError, match="не в виде ГГГГ-ММ-ДД"):
        _command(town["roadmap"].pk, "--on", "01.06.2022")
    with pytest.raises(CommandError, match="Школа #0 не найдена"):
        _command(town["roadmap"].pk, "--school", 0)


# --- the pages ------------------------------------------------------------------------------


def _login(client, role, target):
    user = factories.UserFactory()
    appoint(user=user, role=role, target=target)
    client.force_login(user)
    return user


def test_the_pages_show_the_numbers_in_words(client, town):
    _report(town["occurrence"], town["one"])
    _login(client, "coordinator", town["municipality"])
    listing = client.get(reverse("measures:roadmap_list")).text
    assert "Выполнение" in listing
    assert "50\u00a0%" in listing and "просрочено 1" in listing
    page = client.get(reverse("measures:roadmap_detail", args=[town["roadmap"].pk])).text
    assert "выполнено 1 из 2 контрольных сроков" in page
    assert "выполнено 1 из 2 (50\u00a0%)" in page  # the section's and the measure's rows
    assert 'style="' not in page  # strict CSP: the bar is drawn by SVG attributes and CSS


def test_a_director_counts_only_their_schools_pairs(client, town):
    _report(town["occurrence"], town["one"])
    _login(client, "director", town["one"])
    listing = client.get(reverse("measures:roadmap_list")).text
    assert "100\u00a0%" in listing and "(1 из 1)" in listing
    page = client.get(reverse("measures:roadmap_detail", args=[town["roadmap"].pk])).text
    assert "выполнено 1 из 1 контрольного срока" in page
    assert "по вашей школе" in page


def _roadmaps(town, count: int) -> None:
    """`count` roadmaps of the municipality, each with a control date and reports."""
    for n in range(count):
        roadmap = factories.RoadmapFactory(municipality=town["municipality"])
        section = factories.SectionFactory(roadmap=roadmap)
        occurrence = factories.OccurrenceFactory(
            measure=factories.MeasureFactory(roadmap=roadmap, section=section)
        )
        _report(occurrence, town["one"], outcome="done" if n % 2 else "partly")


@pytest.mark.parametrize("count", [1, 5])
@pytest.mark.parametrize("role", ["coordinator", "director"])
def test_roadmap_list_queries_are_pinned(client, town, django_assert_num_queries, count, role):
    _roadmaps(town, count)
    _login(client, role, town["municipality"] if role == "coordinator" else town["one"])
    client.get(reverse("measures:roadmap_list"))  # warm up: content types
    # session, user, keys of the municipalities read in full, of the schools directed and of
    # the roadmaps seen through them, how many match, the page of them, which of their
    # municipalities are read in full, their measure counts, schools directed, progress,
    # may import
    with django_assert_num_queries(13):  # and the header's links
        page = client.get(reverse("measures:roadmap_list"))
    assert page.text.count('class="progress-compact"') == count + 1  # and the town's roadmap


def _reports(town, count: int) -> None:
    """`count` reports on the roadmap: a measure and a control date for each, in sections."""
    sections = [town["section"], factories.SectionFactory(roadmap=town["roadmap"])]
    for n in range(count - 1):
        measure = factories.MeasureFactory(roadmap=town["roadmap"], section=sections[n % 2])
        occurrence = factories.OccurrenceFactory(measure=measure, due_on=date(2022, 3 + n % 9, 1))
        _report(occurrence, town["one"] if n % 3 else town["two"])
    _report(town["occurrence"], town["one"])


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize("role", ["coordinator", "director"])
def test_roadmap_page_queries_are_pinned(client, town, django_assert_num_queries, count, role):
    _reports(town, count)
    _login(client, role, town["municipality"] if role == "coordinator" else town["one"])
    url = reverse("measures:roadmap_detail", args=[town["roadmap"].pk])
    client.get(url)  # warm up: content types
    # session, user, the roadmap, its amendments, reads in full, sections, measures,
    # progress by measure (sections and the summary are its sums), may change, the orders
    # that carry it, its editions
    with django_assert_num_queries(12):  # and the header's links
        page = client.get(url)
    assert page.status_code == 200
    assert page.text.count('class="progress-row"') >= 3
