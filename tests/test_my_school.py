"""«Моя школа»: a director's measures at their next open control date, grouped and counted."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from measures.models import Occurrence, Report
from schools.models import SchoolDesignation
from schools.services import appoint
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YESTERDAY = TODAY - timedelta(days=1)
LATER = TODAY + timedelta(days=40)  # always another month


def report(occurrence, school, status=Report.Status.DRAFT, **values):
    """A report in the given state, with what the CHECK constraints ask of that state."""
    now = timezone.now()
    if status != Report.Status.DRAFT:
        values.setdefault("submitted_at", now)
    if status in (Report.Status.ACCEPTED, Report.Status.RETURNED):
        values.setdefault("reviewed_at", now)
    if status == Report.Status.RETURNED:
        values.setdefault("review_comment", "Добавьте фотографии")
    return factories.ReportFactory(occurrence=occurrence, school=school, status=status, **values)


def named_measure(roadmap, school, *dates, kind=Occurrence.Kind.DUE, **fields):
    """A municipal measure that names `school`, with occurrences on `dates`."""
    measure = factories.MeasureFactory(roadmap=roadmap, all_designated_schools=False, **fields)
    measure.schools.add(school)
    occurrences = [
        factories.OccurrenceFactory(measure=measure, due_on=day, kind=kind) for day in dates
    ]
    return measure, occurrences


@pytest.fixture
def town():
    municipality = factories.MunicipalityFactory()
    school = factories.SchoolFactory(municipality=municipality, short_name="МКОУ СОШ № 1")
    other = factories.SchoolFactory(municipality=municipality, short_name="МКОУ СОШ № 2")
    roadmap = factories.RoadmapFactory(
        municipality=municipality,
        title="Текущая дорожная карта",
        starts_on=TODAY - timedelta(days=200),
        ends_on=TODAY + timedelta(days=400),
    )
    director = factories.UserFactory(username="direktor1")
    appoint(user=director, role="director", target=school)
    return {
        "municipality": municipality,
        "school": school,
        "other": other,
        "roadmap": roadmap,
        "director": director,
    }


def page(client, **params):
    response = client.get(reverse("measures:my_school"), params)
    assert response.status_code == 200
    return response


def shown(response) -> dict[str, list[str]]:
    return {
        group["key"]: [row.measure.title for row in group["rows"]]
        for group in response.context["groups"]
    }


# --- access ----------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("measures:my_school"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_only_a_director_has_the_page(client, town):
    coordinator = factories.UserFactory()
    appoint(user=coordinator, role="coordinator", target=town["municipality"])
    client.force_login(coordinator)
    assert client.get(reverse("measures:my_school")).status_code == 403


def test_another_school_is_not_found(client, town):
    named_measure(town["roadmap"], town["other"], LATER, title="Чужое мероприятие")
    client.force_login(town["director"])
    url = reverse("measures:my_school")
    assert client.get(url, {"school": town["other"].pk}).status_code == 404
    assert client.get(url, {"school": "abc"}).status_code == 404
    assert "Чужое мероприятие" not in page(client).text


def test_a_director_of_two_schools_switches_between_them(client, town):
    second = factories.SchoolFactory(municipality=town["municipality"], short_name="МКОУ СОШ № 3")
    appoint(user=town["director"], role="director", target=second)
    named_measure(town["roadmap"], town["school"], LATER, title="Мероприятие первой школы")
    named_measure(town["roadmap"], second, LATER, title="Мероприятие третьей школы")
    client.force_login(town["director"])

    first_page = page(client)
    assert first_page.context["school"] == town["school"]
    assert "Мероприятие первой школы" in first_page.text
    assert "Мероприятие третьей школы" not in first_page.text
    assert 'name="school"' in first_page.text  # the switch is shown: two schools

    third = page(client, school=second.pk)
    assert "Мероприятие третьей школы" in third.text
    assert "Мероприятие первой школы" not in third.text


def test_home_sends_a_director_to_their_school_and_others_to_the_list(client, town):
    client.force_login(town["director"])
    assert client.get(reverse("home")).url == reverse("measures:my_school")
    assert client.get(reverse("home"), {"next": "/roadmaps/"}).url == "/roadmaps/"
    assert client.get(reverse("home"), {"next": "https://evil.example/"}).url == reverse(
        "measures:my_school"
    )
    client.force_login(factories.UserFactory())
    assert client.get(reverse("home")).url == reverse("measures:roadmap_list")


def test_login_lands_a_director_on_their_school_and_keeps_next(client, town):
    response = client.post(
        reverse("login"), {"username": "direktor1", "password": "пароль-для-теста"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("measures:my_school")
    client.logout()
    response = client.post(
        reverse("login") + "?next=/roadmaps/",
        {"username": "direktor1", "password": "пароль-для-теста", "next": "/roadmaps/"},
    )
    assert response.url == "/roadmaps/"


# --- grouping, order, counts -------------------------------------------------------------------


@pytest.fixture
def worklist(town):
    roadmap, school = town["roadmap"], town["school"]
    _, (returned,) = named_measure(roadmap, school, LATER, title="Возвращённое")
    report(returned, school, Report.Status.RETURNED, review_comment="Нет протокола совещания")
    named_measure(roadmap, school, YESTERDAY, title="Просроченное")
    _, (month,) = named_measure(roadmap, school, TODAY, title="Сегодняшнее")
    report(month, school, Report.Status.DRAFT, outcome=Report.Outcome.IN_PROGRESS)
    named_measure(roadmap, school, LATER, title="Будущее")
    _, (done,) = named_measure(roadmap, school, YESTERDAY, title="Сделанное")
    report(done, school, Report.Status.ACCEPTED, outcome=Report.Outcome.DONE)
    # accepted first date, the next one is open: the row shows the next date
    _, (first, second) = named_measure(
        roadmap, school, YESTERDAY - timedelta(days=30), LATER + timedelta(days=5), title="Второе"
    )
    report(first, school, Report.Status.ACCEPTED, outcome=Report.Outcome.DONE)
    # accepted, but not done: still open
    _, (not_done,) = named_measure(
        roadmap, school, YESTERDAY - timedelta(days=3), title="Недоделанное"
    )
    report(not_done, school, Report.Status.ACCEPTED, outcome=Report.Outcome.NOT_DONE)
    # submitted and waiting
    _, (waiting,) = named_measure(roadmap, school, LATER, title="Ждёт проверки")
    report(waiting, school, Report.Status.SUBMITTED, outcome=Report.Outcome.DONE)
    # a quarterly note of a measure without dates
    named_measure(roadmap, school, LATER, kind=Occurrence.Kind.QUARTER, title="Постоянное")
    # another school's returned report changes nothing here
    _, (others,) = named_measure(roadmap, town["other"], YESTERDAY, title="Чужое")
    report(others, town["other"], Report.Status.RETURNED)
    return {"second": second}


def test_rows_are_grouped_returned_overdue_month_later_done(client, town, worklist):
    client.force_login(town["director"])
    response = page(client)
    groups = shown(response)
    assert list(groups) == ["returned", "overdue", "month", "later", "done"]
    assert groups["returned"] == ["Возвращённое"]
    assert groups["overdue"] == ["Недоделанное", "Просроченное"]  # by date
    assert groups["month"] == ["Сегодняшнее"]
    assert sorted(groups["later"]) == sorted(["Будущее", "Ждёт проверки", "Постоянное", "Второе"])
    assert groups["later"][-1] == "Второе"  # the latest date last
    assert groups["done"] == ["Сделанное"]
    assert "Чужое" not in response.text

    text = response.text
    assert "Нет протокола совещания" in text  # the reviewer's comment on the returned report
    assert text.index("Возвращённое") < text.index("Просроченное") < text.index("Сегодняшнее")
    assert "Отметка за квартал до " + LATER.strftime("%d.%m.%Y") in text
    second = next(r for r in response.context["groups"][3]["rows"] if r.measure.title == "Второе")
    assert second.due_on == worklist["second"].due_on
    counts = {item["key"]: item["count"] for item in response.context["counts"]}
    assert counts == {"overdue": 2, "month": 1, "later": 4, "done": 1, "returned": 1}
    assert "Просрочено <strong>2</strong>" in text
    assert "Возвращено <strong>1</strong>" in text


def test_the_row_shows_the_pair_the_database_picks_among_many(client, town):
    """The database picks each measure's pair (DISTINCT ON): a returned one before an earlier
    open one, the earliest open one, the last when every one is closed; an accepted quarterly
    note is closed whatever it says."""
    roadmap, school = town["roadmap"], town["school"]
    early, late = YESTERDAY - timedelta(days=60), LATER + timedelta(days=30)
    _, (first, middle, last) = named_measure(roadmap, school, early, YESTERDAY, late, title="А")
    report(last, school, Report.Status.RETURNED)
    _, (first, middle, last) = named_measure(roadmap, school, early, YESTERDAY, late, title="Б")
    report(first, school, Report.Status.ACCEPTED, outcome=Report.Outcome.DONE)
    report(middle, school, Report.Status.SUBMITTED, outcome=Report.Outcome.DONE)
    _, dates = named_measure(roadmap, school, early, YESTERDAY, title="В")
    for occurrence in dates:
        report(occurrence, school, Report.Status.ACCEPTED, outcome=Report.Outcome.DONE)
    _, notes = named_measure(roadmap, school, early, LATER, kind=Occurrence.Kind.QUARTER, title="Г")
    for occurrence in notes:
        report(occurrence, school, Report.Status.ACCEPTED, outcome=Report.Outcome.PARTLY)
    client.force_login(town["director"])
    rows = {
        row.measure.title: (group["key"], row.due_on)
        for group in page(client).context["groups"]
        for row in group["rows"]
    }
    assert rows == {
        "А": ("returned", late),
        "Б": ("overdue", YESTERDAY),
        "В": ("done", YESTERDAY),
        "Г": ("done", LATER),
    }


def test_rows_show_the_report_status_and_outcome(client, town, worklist):
    client.force_login(town["director"])
    rows = {
        row.measure.title: row for group in page(client).context["groups"] for row in group["rows"]
    }
    assert rows["Будущее"].status_display == "Нет отчёта"
    assert rows["Сегодняшнее"].status_display == "Черновик"
    assert rows["Сегодняшнее"].outcome_display == "В работе"
    assert rows["Ждёт проверки"].status_display == "На проверке"
    assert not rows["Ждёт проверки"].needs_report
    assert rows["Возвращённое"].needs_report


def test_progress_of_the_school_is_at_the_top(client, town, worklist):
    client.force_login(town["director"])
    progress = page(client).context["progress"]
    # control dates of the school (quarterly notes do not count): 9 pairs, 2 accepted as done
    assert (progress.total, progress.done) == (9, 2)
    assert progress.overdue == 2  # yesterday's, and the one accepted as not done


def test_filter_by_status_keeps_the_counts(client, town, worklist):
    client.force_login(town["director"])
    response = page(client, status="overdue")
    assert shown(response) == {"overdue": ["Недоделанное", "Просроченное"]}
    counts = {item["key"]: item["count"] for item in response.context["counts"]}
    assert counts["later"] == 4
    assert page(client, status="nonsense").status_code == 200  # a stale value is left out


def test_filter_by_section(client, town):
    roadmap, school = town["roadmap"], town["school"]
    section = factories.SectionFactory(roadmap=roadmap, title="Методическая работа")
    named_measure(roadmap, school, LATER, title="В разделе", section=section)
    named_measure(roadmap, school, LATER, title="Без раздела")
    client.force_login(town["director"])
    assert "Методическая работа" in page(client).text  # offered in the select
    assert shown(page(client, section=section.pk)) == {"later": ["В разделе"]}


def test_current_roadmaps_by_default_and_all_on_request(client, town):
    school = town["school"]
    old = factories.RoadmapFactory(
        municipality=town["municipality"],
        title="Прошлогодняя",
        starts_on=TODAY - timedelta(days=800),
        ends_on=TODAY - timedelta(days=400),
    )
    named_measure(town["roadmap"], school, LATER, title="Нынешнее")
    named_measure(old, school, TODAY - timedelta(days=500), title="Старое")
    client.force_login(town["director"])

    assert shown(page(client)) == {"later": ["Нынешнее"]}
    assert shown(page(client, roadmap="all")) == {"overdue": ["Старое"], "later": ["Нынешнее"]}
    assert shown(page(client, roadmap=old.pk)) == {"overdue": ["Старое"]}
    # a roadmap the school has nothing to do with is not a choice
    foreign = factories.RoadmapFactory(title="Чужого района")
    assert page(client, roadmap=foreign.pk).context["form"].errors


def test_only_past_roadmaps_are_all_shown(client, town):
    town["roadmap"].delete()
    old = factories.RoadmapFactory(
        municipality=town["municipality"],
        starts_on=TODAY - timedelta(days=800),
        ends_on=TODAY - timedelta(days=400),
    )
    named_measure(old, town["school"], TODAY - timedelta(days=500), title="Старое")
    client.force_login(town["director"])
    assert shown(page(client)) == {"overdue": ["Старое"]}


def test_designated_school_sees_measures_for_all_schools(client, town):
    SchoolDesignation.objects.create(
        school=town["school"], kind="low_results", year=TODAY.year, basis="Приказ"
    )
    measure = factories.MeasureFactory(roadmap=town["roadmap"], title="Для всех ШНОР")
    factories.OccurrenceFactory(measure=measure, due_on=LATER)
    client.force_login(town["director"])
    assert shown(page(client)) == {"later": ["Для всех ШНОР"]}


def test_a_school_roadmap_appears_too(client, town):
    own = factories.RoadmapFactory(
        municipality=town["municipality"],
        level="school",
        school=town["school"],
        title="Программа перехода в эффективный режим",
        starts_on=TODAY - timedelta(days=10),
        ends_on=TODAY + timedelta(days=300),
    )
    measure = factories.MeasureFactory(roadmap=own, title="Школьное мероприятие")
    factories.OccurrenceFactory(measure=measure, due_on=LATER)
    client.force_login(town["director"])
    assert shown(page(client)) == {"later": ["Школьное мероприятие"]}


def test_header_shows_my_school_for_a_director(client, town):
    client.force_login(town["director"])
    text = page(client).text
    assert f'href="{reverse("measures:my_school")}" aria-current="page"' in text
    assert reverse("measures:review_queue") not in text


# --- query count -------------------------------------------------------------------------------


def _fill(town, measures: int, reports: int) -> None:
    roadmap, school = town["roadmap"], town["school"]
    section = factories.SectionFactory(roadmap=roadmap)
    occurrences = []
    for index in range(measures):
        _, made = named_measure(
            roadmap, school, YESTERDAY, LATER, section=section if index % 2 else None
        )
        occurrences.extend(made)
    states = [Report.Status.DRAFT, Report.Status.SUBMITTED, Report.Status.RETURNED,
              Report.Status.ACCEPTED]  # fmt: skip
    for index, occurrence in enumerate(occurrences[:reports]):
        report(occurrence, school, states[index % 4], outcome=Report.Outcome.DONE)


@pytest.mark.parametrize(("measures", "reports"), [(3, 0), (30, 40)])
def test_query_count_is_flat(client, town, django_assert_num_queries, measures, reports):
    _fill(town, measures, reports)
    client.force_login(town["director"])
    client.get(reverse("measures:my_school"))  # the session and content types are cached
    with django_assert_num_queries(9):
        response = client.get(reverse("measures:my_school"), {"roadmap": "all"})
    assert sum(len(group["rows"]) for group in response.context["groups"]) == measures


def test_each_row_links_to_the_report_form(client, town, worklist):
    client.force_login(town["director"])
    response = page(client)
    text = response.text
    for group in response.context["groups"]:
        for row in group["rows"]:
            url = reverse("measures:report_edit", args=[row.occurrence_id, town["school"].pk])
            assert f'href="{url}"' in text
    rows = {row.measure.title: row for g in response.context["groups"] for row in g["rows"]}
    form = reverse("measures:report_edit", args=[rows["Будущее"].occurrence_id, town["school"].pk])
    assert f'href="{form}">Отчитаться</a>' in text
    sent = reverse(
        "measures:report_edit", args=[rows["Ждёт проверки"].occurrence_id, town["school"].pk]
    )
    assert f'href="{sent}">Открыть отчёт</a>' in text
    assert client.get(form).status_code == 200  # the director may open it
