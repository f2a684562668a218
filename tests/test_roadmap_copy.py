"""A roadmap copied to a new period: a draft whose deadlines the engine reads again.

What the engine does with the Черекский 2022 texts in 2026, as tested here: a text that names
its own year («Февраль 2022г.», «Январь 2022г.», «Сентябрь 2022г») is NOT moved to 2026 — it is
read as a month outside the new period, flagged «Срок вне периода дорожной карты» and left
without control dates, so it gets quarterly status notes until someone corrects it. Texts
without a year («Ежегодно в декабре», «До 20 июня», «Декабрь», «Октябрь-ноябрь») are read in
the new period."""

from datetime import date

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from measures.models import Measure, Occurrence, Roadmap
from measures.services import (
    RoadmapCopyRefused,
    copy_title,
    measure_correct_deadline,
    roadmap_copy,
)
from tests import factories

pytestmark = pytest.mark.django_db

Y2022 = (date(2022, 1, 1), date(2022, 12, 31))
Y2026 = (date(2026, 1, 1), date(2026, 12, 31))
CHEREK = "Черекский муниципальный район"


def cherek() -> Roadmap:
    return Roadmap.objects.get(municipality__name=CHEREK)


def dates(measure: Measure, kind: str = "due") -> list[date]:
    return sorted(measure.occurrences.filter(kind=kind).values_list("due_on", flat=True))


def test_cherek_2022_copied_to_2026(demo):
    old = cherek()
    old_occurrences = Occurrence.objects.filter(measure__roadmap=old).count()
    copy, flagged = roadmap_copy(roadmap=old, starts_on=Y2026[0], ends_on=Y2026[1])

    assert copy.title == old.title.replace("на 2022 год", "на 2026 год")
    assert copy.title.endswith("Кабардино-Балкарской Республики на 2026 год")
    assert (copy.starts_on, copy.ends_on) == Y2026
    assert copy.municipality_id == old.municipality_id
    assert copy.status == Roadmap.Status.DRAFT
    assert copy.approved_by is None and copy.appendix_number == ""
    assert not copy.amended_by.exists()
    for name in ("goal", "tasks", "expected_results", "legal_basis", "developers", "control"):
        assert getattr(copy, name) == getattr(old, name)
    assert (copy.level, copy.school_id) == (old.level, old.school_id)
    assert list(copy.sections.values_list("position", "number", "title")) == list(
        old.sections.values_list("position", "number", "title")
    )

    pairs = list(
        zip(old.measures.order_by("position"), copy.measures.order_by("position"), strict=True)
    )
    assert len(pairs) == 31
    for before, after in pairs:
        for name in ("position", "number", "title", "owners_text", "deadline_text"):
            assert getattr(after, name) == getattr(before, name)
        assert after.planned_result == before.planned_result
        assert after.section.number == before.section.number
        assert after.section.roadmap_id == copy.pk
        assert set(after.owners.all()) == set(before.owners.all())
        assert set(after.owner_organisations.all()) == set(before.owner_organisations.all())
    assert copy.measures.get(number="1.1").owners.count() == 4

    measures = {m.number or m.pk: m for m in copy.measures.all()}
    assert dates(measures["3.1"]) == [date(2026, 12, 31)]  # Ежегодно в декабре
    assert dates(measures["3.8"]) == [date(2026, 6, 20)]  # До 20 июня
    assert dates(measures["4.2"]) == [date(2026, 12, 31)]  # Декабрь
    assert dates(measures["4.1"]) == [date(2026, 11, 30)]  # Октябрь-ноябрь
    continuous = measures["3.14"]  # Постоянно в течение всего периода
    assert dates(continuous) == []
    assert dates(continuous, "quarter") == [
        date(2026, 3, 31), date(2026, 6, 30), date(2026, 9, 30), date(2026, 12, 31)
    ]  # fmt: skip

    # a written year is not moved: «Февраль 2022г.» is outside 2026, flagged, quarterly notes
    february = measures["1.1"]
    assert february.deadline_kind == "month"
    assert february.deadline_needs_review
    assert february.deadline_note == "Срок вне периода дорожной карты."
    assert dates(february) == [] and len(dates(february, "quarter")) == 4
    assert sorted(m.number for m in flagged) == ["", "1.1", "1.2", "3.13", "3.16"]
    assert all(m.deadline_needs_review and m.roadmap_id == copy.pk for m in flagged)
    assert set(copy.measures.filter(deadline_needs_review=True)) == set(flagged)

    # the original is untouched
    assert Occurrence.objects.filter(measure__roadmap=old).count() == old_occurrences
    assert old.measures.get(number="1.1").deadline_start == date(2022, 2, 1)


def test_a_hand_correction_is_not_carried_over(demo):
    old = cherek()
    Roadmap.objects.filter(pk=old.pk).update(status=Roadmap.Status.DRAFT)  # corrected in a draft
    measure = old.measures.get(number="1.1")
    measure_correct_deadline(
        measure=measure, kind="date", start=None, end=None, due_dates=[date(2022, 2, 15)]
    )
    copy, flagged = roadmap_copy(roadmap=old, starts_on=Y2026[0], ends_on=Y2026[1])
    again = copy.measures.get(number="1.1")
    assert not again.deadline_corrected
    assert again.deadline_kind == "month" and again.deadline_needs_review
    assert again in flagged


def test_copy_refused_when_the_title_exists_for_the_period(demo):
    old = cherek()
    roadmap_copy(roadmap=old, starts_on=Y2026[0], ends_on=Y2026[1])
    count = Roadmap.objects.count(), Measure.objects.count(), Occurrence.objects.count()
    with pytest.raises(RoadmapCopyRefused, match="уже есть в муниципалитете"):
        roadmap_copy(roadmap=old, starts_on=Y2026[0], ends_on=Y2026[1])
    with pytest.raises(ValueError, match="уже есть"):  # a ValueError for plain callers
        roadmap_copy(roadmap=old, starts_on=Y2022[0], ends_on=Y2022[1], title=old.title)
    assert (Roadmap.objects.count(), Measure.objects.count(), Occurrence.objects.count()) == count
    # another title, or another period, is fine
    other, _ = roadmap_copy(roadmap=old, starts_on=Y2026[0], ends_on=Y2026[1], title="Вторая")
    assert other.title == "Вторая"


@pytest.mark.parametrize(
    ("period", "title", "message"),
    [
        ((date(2026, 12, 31), date(2026, 1, 1)), None, "Окончание периода раньше его начала"),
        ((date(1990, 1, 1), date(1990, 12, 31)), None, "в пределах"),
        ((date(2026, 1, 1), date(2040, 12, 31)), None, "длиннее"),
        (Y2026, "  ", "Укажите название"),
    ],
)
def test_bad_input_saves_nothing(period, title, message):
    roadmap = factories.RoadmapFactory()
    factories.MeasureFactory(roadmap=roadmap)
    with pytest.raises(RoadmapCopyRefused, match=message):
        roadmap_copy(roadmap=roadmap, starts_on=period[0], ends_on=period[1], title=title)
    assert Roadmap.objects.count() == 1 and Measure.objects.count() == 1


def test_schools_level_and_measure_schools_are_copied(django_assert_max_num_queries):
    school = factories.SchoolFactory()
    other = factories.SchoolFactory(municipality=school.municipality)
    roadmap = factories.RoadmapFactory(
        municipality=school.municipality, level=Roadmap.Level.SCHOOL, school=school,
        developers="Методист", control="Директор",
    )  # fmt: skip
    section = factories.SectionFactory(roadmap=roadmap)
    named = factories.MeasureFactory(
        roadmap=roadmap, section=section, all_designated_schools=False, deadline_text="Май"
    )
    named.schools.set([school, other])
    for _ in range(10):
        factories.MeasureFactory(roadmap=roadmap, deadline_text="ежемесячно")
    with django_assert_max_num_queries(20):  # flat: no query per measure
        copy, flagged = roadmap_copy(roadmap=roadmap, starts_on=Y2026[0], ends_on=Y2026[1])
    assert (copy.level, copy.school, copy.developers, copy.control) == (
        "school", school, "Методист", "Директор"
    )  # fmt: skip
    copied = copy.measures.get(position=named.position)
    assert not copied.all_designated_schools
    assert set(copied.schools.all()) == {school}  # a school's roadmap concerns that school only
    assert copied.section.roadmap == copy and dates(copied) == [date(2026, 5, 31)]
    assert flagged == []
    assert Occurrence.objects.filter(measure__roadmap=copy, kind="due").count() == 1 + 10 * 12
    assert copy.title == f"{roadmap.title} (копия на 2026 год)"


@pytest.mark.parametrize(
    ("title", "old", "new", "expected"),
    [
        ("Дорожная карта на 2022 год", Y2022, Y2026, "Дорожная карта на 2026 год"),
        (
            "План на 2022 – 2024 годы",
            (date(2022, 1, 1), date(2024, 12, 31)),
            (date(2025, 1, 1), date(2027, 12, 31)),
            "План на 2025 – 2027 годы",
        ),
        (
            "План на 2022-2023 учебный год",
            (date(2022, 9, 1), date(2023, 8, 31)),
            (date(2026, 9, 1), date(2027, 8, 31)),
            "План на 2026-2027 учебный год",
        ),
        (
            "По итогам 2021 года: план на 2022 год",
            Y2022,
            Y2026,
            "По итогам 2021 года: план на 2026 год",
        ),
        ("План работы со ШНОР", Y2022, Y2026, "План работы со ШНОР (копия на 2026 год)"),
        (
            "План на 2022 год",
            Y2022,
            (date(2026, 1, 1), date(2027, 12, 31)),
            "План на 2022 год (копия на 2026–2027 годы)",
        ),
        ("План на 2026 год", Y2026, Y2026, "План на 2026 год (копия на 2026 год)"),
    ],
)
def test_copy_title(title, old, new, expected):
    assert copy_title(title, old, new) == expected


def test_command_prints_the_flagged_measures(demo, capsys):
    old = cherek()
    call_command("copy_roadmap", str(old.pk), "--from", "2026-01-01", "--to", "2026-12-31")
    out = capsys.readouterr().out
    assert "на 2026 год" in out and "мероприятий 31" in out
    assert "Сроки требуют проверки (5)" in out
    assert "1.1: «Февраль 2022г.» — Срок вне периода дорожной карты." in out
    with pytest.raises(CommandError, match="уже есть"):
        call_command("copy_roadmap", str(old.pk), "--from", "2026-01-01", "--to", "2026-12-31")
    with pytest.raises(CommandError, match="не распознана"):
        call_command("copy_roadmap", str(old.pk), "--from", "2026-02-30", "--to", "2026-12-31")


def test_chosen_schools_follow_the_new_periods_designations(client, tenants):
    """A measure of chosen schools keeps those designated in the new period; one whose chosen
    schools are none of them concerns all the copy's schools, and the review page says so."""
    from schools.models import SchoolDesignation

    roadmap = tenants.home.roadmap
    schools = list(roadmap.municipality.schools.order_by("pk"))
    year = roadmap.ends_on.year + 1
    SchoolDesignation.objects.create(
        school=schools[0], kind=SchoolDesignation.Kind.LOW_RESULTS, year=year, basis="Приказ"
    )
    kept, widened = roadmap.measures.order_by("position")[:2]
    for measure, chosen in ((kept, schools[:2]), (widened, schools[1:2])):
        measure.all_designated_schools = False
        measure.save(update_fields=["all_designated_schools"])
        measure.schools.set(chosen)
    copy, _ = roadmap_copy(roadmap=roadmap, starts_on=date(year, 1, 1), ends_on=date(year, 12, 31))
    kept_copy = copy.measures.get(position=kept.position)
    widened_copy = copy.measures.get(position=widened.position)
    assert not kept_copy.all_designated_schools
    assert list(kept_copy.schools.all()) == [schools[0]]
    assert widened_copy.all_designated_schools and not widened_copy.schools.exists()

    client.force_login(tenants.home.coordinator)
    url = reverse("measures:roadmap_copy_review", args=[copy.pk])
    page = client.get(f"{url}?from={roadmap.pk}").text
    assert "Школы на проверку" in page and widened_copy.title[:30] in page
    assert kept_copy.title[:30] not in page.split("Школы на проверку", 1)[1]
