"""Editions (редакции) of a roadmap: every approval keeps one; «Внести изменения» opens a draft
of changes that a signed order writes onto the roadmap in force (same rows: reports stay on
their measures) as edition N+1; any two editions (or an edition and the draft) compare."""

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from measures import editing, editions, services
from measures.models import (
    LegalAct,
    Measure,
    Occurrence,
    Report,
    Roadmap,
    RoadmapEdition,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def home(db):
    return factories.tenant(
        factories.HOME, coordinator="koordinator", working_group="rabgruppa", director="direktor"
    )


def amending_act(home, number="76-Д", day=date(2022, 4, 28)) -> LegalAct:
    return factories.LegalActFactory(
        issuer=home.authority, number=number, date=day, title="О внесении изменений"
    )


def report_on(measure: Measure, school, due_on: date | None = None) -> Report:
    occurrences = Occurrence.objects.filter(measure=measure).order_by("due_on")
    occurrence = occurrences.get(due_on=due_on) if due_on else occurrences.first()
    return Report.objects.create(occurrence=occurrence, school=school)


def check_constraints_now() -> None:
    """The deferred (roadmap, position) constraints, checked as a commit would."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def rows(roadmap: Roadmap) -> list[tuple]:
    return list(
        roadmap.measures.order_by("position").values_list(
            "pk", "number", "title", "deadline_text", "section__title"
        )
    )


# --- every approval records its edition ---------------------------------------------------------


def test_an_approved_tenant_roadmap_has_its_first_edition(home):
    edition = home.roadmap.editions.get()
    assert (edition.number, edition.act) == (1, home.roadmap.approved_by)
    assert edition.content == editions.snapshot(home.roadmap)
    assert [m["id"] for m in edition.content["measures"]] == [m.pk for m in home.measures]


def test_the_admin_approving_a_draft_records_edition_one(home):
    draft = factories.RoadmapFactory(municipality=home.municipality, title="Новая")
    factories.MeasureFactory(roadmap=draft, title="Семинар")
    assert not draft.editions.exists()
    draft.status = Roadmap.Status.APPROVED
    draft.approved_by = home.roadmap.approved_by
    services.roadmap_save(roadmap=draft)
    edition = draft.editions.get()
    assert [m["title"] for m in edition.content["measures"]] == ["Семинар"]
    services.roadmap_save(roadmap=draft)  # saved again: still one edition
    assert draft.editions.count() == 1


def test_the_import_with_an_approving_order_records_edition_one(home):
    from tests import docx_builders

    preview = services.roadmap_import_preview(
        municipality=home.municipality,
        file_name="план.docx",
        period=(date(2023, 1, 1), date(2023, 12, 31)),
        title="Импорт с приказом",
        data=docx_builders.docx_table([["№", "Мероприятие", "Сроки"], ["1", "Семинар", "Май"]]),
    )
    preview.parsed["order"] = {"kind": "order", "number": "31", "date": "2023-02-22"}
    preview.save(update_fields=["parsed"])
    roadmap = services.roadmap_import_confirm(roadmap_import=preview)
    assert roadmap.status == Roadmap.Status.APPROVED
    assert roadmap.editions.get().act.number == "31"


def test_first_approval_by_an_order(home):
    draft = factories.RoadmapFactory(municipality=home.municipality, title="Проект")
    editing.measure_add(measure=Measure(roadmap=draft, title="Семинар", deadline_text="Май"))
    edition = editions.approve(roadmap=draft, act=amending_act(home), appendix_number="1")
    draft.refresh_from_db()
    assert (draft.status, draft.appendix_number, edition.number) == ("approved", "1", 1)
    with pytest.raises(ValidationError):
        editions.approve(roadmap=draft, act=amending_act(home, "77"))
    unsigned = factories.LegalActFactory(
        issuer=home.authority, status=LegalAct.Status.DRAFT, number="", date=None
    )
    other = factories.RoadmapFactory(municipality=home.municipality, title="Ещё проект")
    with pytest.raises(ValidationError, match="подписанный"):
        editions.approve(roadmap=other, act=unsigned)


# --- «Внести изменения» ------------------------------------------------------------------------


def dress(home) -> None:
    """Owners, an organisation, named schools and a hand-corrected deadline on the roadmap in
    force (written directly: it is approved)."""
    m1, m2, m3 = home.measures
    m1.owners.add(factories.PersonFactory(municipality=home.municipality))
    m1.owner_organisations.add(home.authority)
    Measure.objects.filter(pk=m3.pk).update(all_designated_schools=False)
    m3.schools.add(home.schools[1])
    Measure.objects.filter(pk=m2.pk).update(deadline_corrected=True, deadline_note="Вручную.")
    Occurrence.objects.filter(measure=m2).exclude(due_on=date(2022, 3, 31)).delete()
    home.roadmap.editions.all().delete()  # edition 1 as dressed
    editions.ensure_recorded(home.roadmap)


def test_amend_start_copies_everything_with_its_source(home):
    dress(home)
    roadmap = home.roadmap
    draft = editions.amend_start(roadmap=roadmap, by=home.coordinator)
    assert (draft.amends, draft.status, draft.title) == (roadmap, "draft", roadmap.title)
    assert (draft.starts_on, draft.ends_on) == (roadmap.starts_on, roadmap.ends_on)
    assert [(s.source_id, s.number, s.title) for s in draft.sections.order_by("position")] == [
        (s.pk, s.number, s.title) for s in roadmap.sections.order_by("position")
    ]
    for copy in draft.measures.with_deadline().order_by("position"):
        source = Measure.objects.with_deadline().get(pk=copy.source_id)
        for name in editions.COPIED_MEASURE_FIELDS:
            assert getattr(copy, name) == getattr(source, name), name
        assert copy.section.source_id == source.section_id
        assert copy.current_due_dates == source.current_due_dates
        for name in editions.LINKS:
            assert set(getattr(copy, name).all()) == set(getattr(source, name).all())
    corrected = draft.measures.with_deadline().get(source=home.measures[1])
    assert corrected.deadline_corrected and corrected.current_due_dates == [date(2022, 3, 31)]
    # the draft's content is the edition's: nothing to compare yet
    assert editions.compare(roadmap.editions.get().content, editions.draft_content(draft)).empty
    # one open draft: a second click opens it
    assert editions.amend_start(roadmap=roadmap, by=home.coordinator) == draft
    assert Roadmap.objects.filter(amends=roadmap).count() == 1


def test_amend_start_refuses_a_draft_and_an_amendment(home):
    draft = factories.RoadmapFactory(municipality=home.municipality, title="Проект")
    with pytest.raises(ValidationError, match="утверждённую"):
        editions.amend_start(roadmap=draft)
    amendment = editions.amend_start(roadmap=home.roadmap)
    with pytest.raises(ValidationError):
        editions.amend_start(roadmap=amendment)


def test_a_draft_of_changes_is_no_school_s_and_not_a_roadmap_of_the_list(home):
    from measures import selectors
    from measures.models import ControlPair

    draft = editions.amend_start(roadmap=home.roadmap)
    director = home.director
    assert draft not in selectors.roadmaps_for_user(director)
    assert home.roadmap in selectors.roadmaps_for_user(director)
    assert draft in selectors.roadmaps_for_user(home.coordinator)
    assert draft not in selectors.roadmap_list(home.coordinator)
    assert not ControlPair.objects.filter(roadmap=draft).exists()


def test_the_editor_refuses_to_drop_a_reported_measure_from_the_draft(home):
    m1 = home.measures[0]
    report_on(m1, home.schools[0])
    draft = editions.amend_start(roadmap=home.roadmap)
    copy = draft.measures.get(source=m1)
    with pytest.raises(ValidationError, match="отчёты школ"):
        editing.measure_delete(measure=copy)
    with pytest.raises(ValidationError, match="отчёты школ"):
        editing.section_delete(section=copy.section)
    editing.measure_delete(measure=draft.measures.get(source=home.measures[1]))  # no reports
    # the draft itself may go (its rows carry no reports)
    editing.roadmap_delete(roadmap=draft)
    assert Measure.objects.filter(pk=m1.pk).exists()


# --- approving the draft of changes -----------------------------------------------------------


def test_approve_writes_the_draft_onto_the_roadmap_in_force(home):
    roadmap = home.roadmap
    m1, m2, m3 = home.measures  # 1.1 (Feb), 1.2 (quarterly), 2.1 (Apr)
    early = report_on(m1, home.schools[0], date(2022, 2, 28))
    quarterly = report_on(m3, home.schools[1])
    reports = Report.objects.filter(occurrence__measure__roadmap=roadmap).count()
    draft = editions.amend_start(roadmap=roadmap)
    copy1 = draft.measures.get(source=m1)
    copy1.title = "Анализ результатов оценочных процедур и ВПР"
    copy1.deadline_text = "Март 2022г."
    editing.measure_update(
        measure=copy1, number_before=(copy1.number, copy1.number_typed), expected_version=None
    )
    editing.measure_delete(measure=draft.measures.get(source=m2))
    section2 = draft.sections.get(source=home.sections[1])
    added = editing.measure_add(
        measure=Measure(
            roadmap=draft, section=section2, title="Новый семинар", deadline_text="Май 2022г."
        )
    )
    copy3 = draft.measures.get(source=m3)
    copy3.number_typed = False
    Measure.objects.filter(pk=copy3.pk).update(number_typed=False)
    editing.measure_move(measure=copy3, direction="up")  # into section 1: 2.1 → 1.2
    draft.goal = "Новая цель"
    draft.save(update_fields=["goal"])
    act = amending_act(home)

    edition = editions.approve(roadmap=draft, act=act)
    check_constraints_now()

    roadmap.refresh_from_db()
    assert edition.number == 2 and edition.act == act
    assert list(roadmap.amended_by.all()) == [act]
    assert not Roadmap.objects.filter(pk=draft.pk).exists()
    assert roadmap.goal == "Новая цель"
    assert edition.content == editions.snapshot(roadmap)
    # the same rows: m1 changed, m2 gone, m3 moved, one new
    m1.refresh_from_db()
    assert (m1.title, m1.deadline_text) == (copy1.title, "Март 2022г.")
    assert not Measure.objects.filter(pk=m2.pk).exists()
    m3.refresh_from_db()
    assert (m3.number, m3.section_id) == ("1.2", home.sections[0].pk)
    new = roadmap.measures.get(title="Новый семинар")
    assert new.pk != added.pk and new.section.title == home.sections[1].title
    assert list(new.occurrences.values_list("due_on", flat=True)) == [date(2022, 5, 31)]
    # occurrences follow the new deadline; the reported one is kept, retired
    current = Occurrence.objects.filter(measure=m1, retired=False).values_list("due_on", flat=True)
    assert list(current) == [date(2022, 3, 31)]
    assert Occurrence.objects.get(pk=early.occurrence_id).retired
    # reports stay attached to their measures, all of them
    assert Report.objects.filter(occurrence__measure__roadmap=roadmap).count() == reports
    assert Report.objects.get(pk=early.pk).occurrence.measure_id == m1.pk
    assert Report.objects.get(pk=quarterly.pk).occurrence.measure_id == m3.pk
    # compared: one added, one removed, two changed (one of them moved)
    comparison = editions.compare(
        roadmap.editions.get(number=1).content, roadmap.editions.get(number=2).content
    )
    assert comparison.summary == "добавлено 1, исключено 1, изменено 2"
    assert [m["title"] for m in comparison.added] == ["Новый семинар"]
    assert [m["id"] for m in comparison.removed] == [m2.pk]
    changed = {c["id"]: c for c in comparison.changed}
    assert changed[m3.pk]["moved"] and (changed[m3.pk]["number_a"], changed[m3.pk]["number_b"]) == (
        "2.1",
        "1.2",
    )
    title = next(f for f in changed[m1.pk]["fields"] if f["label"] == "Наименование мероприятия")
    assert {"kind": "added", "text": "и ВПР"} in title["diff"]
    assert [h["label"] for h in comparison.header] == ["Цель"]
    # a second amendment: edition 3
    draft = editions.amend_start(roadmap=roadmap)
    assert editions.approve(roadmap=draft, act=amending_act(home, "80")).number == 3


def test_approve_refuses_to_remove_a_reported_measure_and_changes_nothing(home):
    roadmap = home.roadmap
    m1 = home.measures[0]
    report_on(m1, home.schools[0])
    draft = editions.amend_start(roadmap=roadmap)
    before = rows(roadmap)
    Measure.objects.filter(roadmap=draft, source=m1).delete()  # past the editor's refusal
    with pytest.raises(ValidationError, match="отчитывались"):
        editions.approve(roadmap=draft, act=amending_act(home))
    assert rows(roadmap) == before
    assert Roadmap.objects.filter(pk=draft.pk).exists()
    assert roadmap.editions.count() == 1


def test_approve_is_all_or_nothing(home):
    """A refusal at the very end (the new title is another roadmap's) leaves every row as it
    was: the measures written before it are rolled back."""
    roadmap = home.roadmap
    factories.RoadmapFactory(
        municipality=home.municipality, title="Занято", starts_on=roadmap.starts_on,
        ends_on=roadmap.ends_on,
    )  # fmt: skip
    draft = editions.amend_start(roadmap=roadmap)
    copy = draft.measures.order_by("position").first()
    copy.title = "Изменено"
    editing.measure_update(measure=copy, number_before=(copy.number, True), expected_version=None)
    editing.measure_delete(measure=draft.measures.order_by("position").last())
    draft.title = "Занято"
    draft.save(update_fields=["title"])
    before = rows(roadmap)
    with pytest.raises(ValidationError, match="уже есть"):
        editions.approve(roadmap=draft, act=amending_act(home))
    assert rows(roadmap) == before
    assert roadmap.editions.count() == 1 and not roadmap.amended_by.exists()
    assert Roadmap.objects.filter(pk=draft.pk).exists()


def test_approve_refuses_an_act_of_another_municipality(home):
    other = factories.tenant(factories.OTHER, coordinator="grechkina", working_group="rg2")
    draft = editions.amend_start(roadmap=home.roadmap)
    with pytest.raises(ValidationError, match="другому муниципалитету"):
        editions.approve(roadmap=draft, act=amending_act(other))


def test_the_order_s_appendix_follows_the_roadmap_in_force(home):
    from measures.models import ActAppendix

    draft = editions.amend_start(roadmap=home.roadmap)
    act = amending_act(home)
    appendix = ActAppendix.objects.create(act=act, position=1, kind="roadmap", roadmap=draft)
    editions.approve(roadmap=draft, act=act)
    appendix.refresh_from_db()
    assert appendix.roadmap == home.roadmap


def test_in_force_line():
    act = LegalAct(pk=5, kind="order", number="76-Д", date=date(2023, 4, 28))
    assert editions.in_force_line(RoadmapEdition(number=2, act=act), 4) == (
        "Действует в редакции приказа от 28.04.2023 №\u00a076-Д"
    )
    # a roadmap amended before editions were kept: its edition 1 is in the amending act's words
    assert editions.in_force_line(RoadmapEdition(number=1, act=act), 4).startswith("Действует")
    act.kind = "disposition"
    assert editions.in_force_line(RoadmapEdition(number=1, act=act), 5) == (
        "Утверждена распоряжением от 28.04.2023 №\u00a076-Д"
    )
    assert editions.edition_line(RoadmapEdition(number=2, act=act), 4) == (
        "изменения утверждены распоряжением от 28.04.2023 №\u00a076-Д"
    )


def test_the_director_sees_only_the_measures_of_their_school():
    content = {
        "measures": [
            {"id": 1, "all_designated_schools": True, "schools": []},
            {"id": 2, "all_designated_schools": False, "schools": ["Школа 1"]},
            {"id": 3, "all_designated_schools": False, "schools": ["Школа 2"]},
        ]
    }
    seen = editions.visible_content(content, measure_ids=set(), school_names={"Школа 1"})
    assert [m["id"] for m in seen["measures"]] == [1, 2]
    assert editions.visible_content(content, measure_ids=None, school_names=set()) is content


# --- pages --------------------------------------------------------------------------------------


def login(client, username: str):
    client.force_login(User.objects.get(username=username))
    return client


def test_the_roadmap_page_says_which_edition_is_in_force(client, home):
    login(client, "koordinator")
    url = reverse("measures:roadmap_detail", args=[home.roadmap.pk])
    page = client.get(url).text
    assert "Утверждена приказом от 01.02.2022 №\u00a015" in page
    assert "Внести изменения</button>" in page
    assert reverse("measures:edition_detail", args=[home.roadmap.pk, 1]) in page
    response = client.post(reverse("measures:roadmap_amend", args=[home.roadmap.pk]))
    draft = Roadmap.objects.get(amends=home.roadmap)
    assert response.url == reverse("measures:roadmap_editor", args=[draft.pk])
    assert client.get(response.url).status_code == 200  # the editor takes the draft
    page = client.get(url).text
    assert "Проект изменений" in page and "Внести изменения</button>" not in page
    assert reverse("measures:roadmap_delete", args=[draft.pk]) in page
    assert f"{reverse('measures:edition_compare', args=[home.roadmap.pk])}?b=draft" in page
    # a second click opens the same draft
    assert client.post(reverse("measures:roadmap_amend", args=[home.roadmap.pk])).url == (
        response.url
    )
    # the draft's own page points back; its deletion goes back to the roadmap in force
    assert (
        "Это проект изменений"
        in client.get(reverse("measures:roadmap_detail", args=[draft.pk])).text
    )
    response = client.post(reverse("measures:roadmap_delete", args=[draft.pk]))
    assert response.url == url
    assert not Roadmap.objects.filter(amends=home.roadmap).exists()


def test_amending_a_draft_is_refused_with_a_message(client, home):
    login(client, "koordinator")
    draft = factories.RoadmapFactory(municipality=home.municipality, title="Проект")
    response = client.post(reverse("measures:roadmap_amend", args=[draft.pk]), follow=True)
    assert "Изменения вносят в утверждённую" in response.text
    assert not Roadmap.objects.filter(amends=draft).exists()


def test_the_editor_edits_a_draft_of_changes_in_place(client, home):
    login(client, "koordinator")
    draft = editions.amend_start(roadmap=home.roadmap)
    copy = draft.measures.order_by("position").first()
    key = f"measure-{copy.pk}"
    response = client.post(
        reverse("measures:measure_inline", args=[draft.pk, copy.pk]),
        {f"{key}-number": copy.number, f"{key}-title": "Анализ ВПР", f"{key}-owners_text":
         copy.owners_text, f"{key}-deadline_text": copy.deadline_text,
         f"{key}-planned_result": copy.planned_result, f"{key}-version": copy.version},
    )  # fmt: skip
    assert response.status_code == 302, response.text[:2000]
    copy.refresh_from_db()
    assert copy.title == "Анализ ВПР" and copy.source_id == home.measures[0].pk


def test_edition_page_and_compare(client, home):
    login(client, "koordinator")
    page = client.get(reverse("measures:edition_detail", args=[home.roadmap.pk, 1])).text
    for measure in home.measures:
        assert measure.title in page
    assert (
        client.get(reverse("measures:edition_detail", args=[home.roadmap.pk, 9])).status_code == 404
    )
    draft = editions.amend_start(roadmap=home.roadmap)
    copy = draft.measures.order_by("position").first()
    Measure.objects.filter(pk=copy.pk).update(title="Анализ результатов ВПР")
    compare = reverse("measures:edition_compare", args=[home.roadmap.pk])
    response = client.get(compare, {"b": "draft"})
    assert response.status_code == 200
    assert "Добавлено 0, исключено 0, изменено 1" in response.text
    assert "<ins>" in response.text and "ВПР" in response.text
    assert "оценочных процедур" in response.text
    response = client.get(compare, {"a": "zzz", "b": "1"})
    assert response.status_code == 400
    assert "Такой редакции нет или она вам недоступна" in response.text
    # the draft's own pk compares nothing: its editions are the roadmap's
    assert client.get(reverse("measures:edition_compare", args=[draft.pk])).status_code == 404


def test_a_director_compares_editions_but_never_sees_the_draft(client, home):
    editions.amend_start(roadmap=home.roadmap)
    login(client, "direktor")
    compare = reverse("measures:edition_compare", args=[home.roadmap.pk])
    response = client.get(compare)
    assert response.status_code == 200 and "Проект изменений" not in response.text
    assert client.get(compare, {"a": "1", "b": "draft"}).status_code == 400
    page = client.get(reverse("measures:roadmap_detail", args=[home.roadmap.pk])).text
    assert "Проект изменений" not in page and "Внести изменения</button>" not in page


def grow(home, count: int) -> None:
    """`count` more measures on the approved roadmap (written directly), with its edition 1
    taken again and a draft of changes."""
    section = home.sections[1]
    Measure.objects.bulk_create(
        [
            Measure(roadmap=home.roadmap, section=section, position=100 + n, number=f"2.{n + 2}",
                    title=f"Мероприятие {n}", deadline_text="Май 2022г.",
                    all_designated_schools=n % 2 == 0)
            for n in range(count)
        ]
    )  # fmt: skip
    home.roadmap.editions.all().delete()
    editions.ensure_recorded(home.roadmap)
    editions.amend_start(roadmap=home.roadmap)


@pytest.mark.parametrize("count", [0, 40])
@pytest.mark.parametrize(("username", "queries"), [("koordinator", 8), ("direktor", 10)])
def test_edition_page_queries_are_pinned(
    client, home, django_assert_num_queries, count, username, queries
):
    grow(home, count)
    login(client, username)
    url = reverse("measures:edition_detail", args=[home.roadmap.pk, 1])
    client.get(url)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("count", [0, 40])
@pytest.mark.parametrize(
    ("username", "query", "queries"), [("koordinator", {"b": "draft"}, 14), ("direktor", {}, 10)]
)
def test_compare_queries_are_pinned(
    client, home, django_assert_num_queries, count, username, query, queries
):
    grow(home, count)
    login(client, username)
    url = reverse("measures:edition_compare", args=[home.roadmap.pk])
    client.get(url, query)
    with django_assert_num_queries(queries):
        assert client.get(url, query).status_code == 200


@pytest.mark.parametrize("count", [0, 40])
def test_roadmap_page_queries_with_a_draft_of_changes_are_flat(
    client, home, django_assert_num_queries, count
):
    grow(home, count)
    login(client, "koordinator")
    url = reverse("measures:roadmap_detail", args=[home.roadmap.pk])
    client.get(url)
    with django_assert_num_queries(13):  # the pinned page's, its open draft, the orders
        client.get(url)


def test_first_editions_in_bulk_hold_what_snapshot_gives(home):
    """The scale data's one statement writes the same content as `snapshot`."""
    roadmap = home.roadmap
    Measure.objects.filter(pk=home.measures[2].pk).update(all_designated_schools=False)
    home.measures[2].schools.add(*home.schools)
    roadmap.amended_by.add(amending_act(home))
    roadmap.editions.all().delete()
    assert editions.ensure_recorded_all() >= 1
    edition = roadmap.editions.get()
    assert edition.content == editions.snapshot(roadmap)
    assert edition.act == editions.in_force_act(roadmap)
    assert editions.ensure_recorded_all() == 0


def test_a_director_reads_an_edition_without_other_schools_measures(client, home):
    hidden = home.measures[2]
    Measure.objects.filter(pk=hidden.pk).update(all_designated_schools=False)
    hidden.schools.add(home.schools[1])  # not the director's school
    home.roadmap.editions.all().delete()
    editions.ensure_recorded(home.roadmap)
    url = reverse("measures:edition_detail", args=[home.roadmap.pk, 1])
    login(client, "direktor")
    page = client.get(url).text
    assert home.measures[0].title in page and hidden.title not in page
    login(client, "rabgruppa")
    assert hidden.title in client.get(url).text
