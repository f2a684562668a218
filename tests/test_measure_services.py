"""A measure keeps its text verbatim and the reading beside it; occurrences follow the reading."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from measures.deadlines import parse_deadline
from measures.models import Measure, Occurrence
from measures.services import measure_correct_deadline, measure_reset_deadline, measure_save
from tests import factories

pytestmark = pytest.mark.django_db


def due(measure) -> list[date]:
    return list(
        measure.occurrences.filter(kind="due").order_by("due_on").values_list("due_on", flat=True)
    )


def quarter_notes(measure):
    return list(
        measure.occurrences.filter(kind="quarter")
        .order_by("due_on")
        .values_list("due_on", flat=True)
    )


def test_saving_reads_the_deadline_and_makes_occurrences():
    measure = factories.MeasureFactory(deadline_text="Февраль 2022г.")
    measure_save(measure=measure)
    assert measure.deadline_kind == "month"
    assert due(measure) == [date(2022, 2, 28)]

    measure.deadline_text = "ежеквартально"
    measure_save(measure=measure)
    assert measure.deadline_recurrence == "quarterly"
    assert due(measure) == [
        date(2022, 3, 31),
        date(2022, 6, 30),
        date(2022, 9, 30),
        date(2022, 12, 31),
    ]

    measure.deadline_text = "По мере необходимости"
    measure_save(measure=measure)
    assert due(measure) == []
    # no control dates: the schools leave a note per quarter of the roadmap's period instead
    assert quarter_notes(measure) == [
        date(2022, 3, 31),
        date(2022, 6, 30),
        date(2022, 9, 30),
        date(2022, 12, 31),
    ]

    measure.deadline_text = "Февраль 2022г."
    measure_save(measure=measure)
    assert due(measure) == [date(2022, 2, 28)] and quarter_notes(measure) == []


def test_a_correction_survives_later_edits_of_other_fields_and_of_the_text():
    measure = factories.MeasureFactory(deadline_text="По графику Минпросвещения КБР")
    measure_save(measure=measure)
    assert due(measure) == []
    measure_correct_deadline(
        measure=measure, kind="date", start=None, end=None, due_dates=[date(2022, 4, 15)]
    )
    assert due(measure) == [date(2022, 4, 15)]

    measure.title = "Новое название"
    measure.deadline_text = "По графику Минпросвещения КБР (уточнено письмом)"
    measure_save(measure=measure)
    measure.refresh_from_db()
    assert measure.deadline_corrected and measure.deadline_kind == "date"
    assert due(measure) == [date(2022, 4, 15)]
    assert measure.deadline_text == "По графику Минпросвещения КБР (уточнено письмом)"

    measure_reset_deadline(measure=measure)
    assert measure.deadline_kind == "external" and due(measure) == []


def test_an_occurrence_with_reports_is_never_deleted_by_an_edit():
    measure = factories.MeasureFactory(deadline_text="Февраль 2022г.")
    measure_save(measure=measure)
    factories.ReportFactory(occurrence=measure.occurrences.get())
    measure.deadline_text = "Март 2022"
    measure_save(measure=measure)
    assert due(measure) == [date(2022, 2, 28), date(2022, 3, 31)]
    assert Occurrence.objects.get(due_on=date(2022, 2, 28)).reports.count() == 1


def test_saving_twice_changes_nothing():
    measure = factories.MeasureFactory(deadline_text="ежемесячно")
    measure_save(measure=measure)
    ids = list(measure.occurrences.values_list("pk", flat=True))
    measure_save(measure=measure)
    assert list(measure.occurrences.values_list("pk", flat=True)) == ids
    assert len(ids) == 12


def test_a_date_with_reports_moved_away_is_kept_retired_and_is_not_a_due_date():
    measure = factories.MeasureFactory(deadline_text="Февраль 2022г.")
    measure_save(measure=measure)
    february = measure.occurrences.get()
    factories.ReportFactory(occurrence=february)
    measure.deadline_text = "Март 2022"
    measure_save(measure=measure)
    measure.refresh_from_db()
    assert measure.deadline.due_dates == [date(2022, 3, 31)]
    february.refresh_from_db()
    assert february.retired and february.kind == "due"
    # the reading comes back to February: the kept date is current again, with its report
    measure.deadline_text = "Февраль 2022г."
    measure_save(measure=measure)
    february.refresh_from_db()
    assert not february.retired and february.reports.count() == 1
    assert Measure.objects.get(pk=measure.pk).deadline.due_dates == [date(2022, 2, 28)]
    assert not measure.occurrences.filter(due_on=date(2022, 3, 31)).exists()


def test_a_quarterly_note_with_reports_on_a_date_now_due_becomes_that_control_date():
    measure = factories.MeasureFactory(deadline_text="Постоянно")
    measure_save(measure=measure)
    note = measure.occurrences.get(due_on=date(2022, 12, 31))
    factories.ReportFactory(occurrence=note)
    measure.deadline_text = "до 31 декабря 2022 г."
    measure_save(measure=measure)
    note.refresh_from_db()
    assert note.kind == "due" and not note.retired
    assert Measure.objects.get(pk=measure.pk).deadline.due_dates == [date(2022, 12, 31)]
    assert quarter_notes(measure) == []


def test_the_reading_is_set_and_read_in_one_place():
    measure = factories.MeasureFactory(deadline_text="ежеквартально")
    reading = parse_deadline(measure.deadline_text, (date(2022, 1, 1), date(2022, 12, 31)))
    measure.set_deadline(reading)
    assert measure.deadline == reading  # before saving: the reading as set
    measure_save(measure=measure)
    again = Measure.objects.get(pk=measure.pk)
    assert again.deadline == reading  # after: from the row and its occurrences
    listed = Measure.objects.filter(pk=measure.pk).with_deadline().get()
    assert listed.deadline == reading
    assert listed.deadline.due_dates == [
        date(2022, 3, 31), date(2022, 6, 30), date(2022, 9, 30), date(2022, 12, 31)
    ]  # fmt: skip


def test_a_list_reads_every_reading_without_a_query_per_measure(django_assert_num_queries):
    roadmap = factories.RoadmapFactory()
    for text in ("Февраль 2022г.", "ежеквартально", "постоянно"):
        measure_save(measure=factories.MeasureFactory(roadmap=roadmap, deadline_text=text))
    with django_assert_num_queries(1):
        due = [m.deadline.due_dates for m in roadmap.measures.with_deadline().order_by("pk")]
    assert due == [
        [date(2022, 2, 28)],
        [date(2022, 3, 31), date(2022, 6, 30), date(2022, 9, 30), date(2022, 12, 31)],
        [],
    ]


def test_a_correction_through_a_reading():
    measure = factories.MeasureFactory(deadline_text="По графику ИМЦ")
    measure_save(measure=measure)
    reading = parse_deadline("15.04.2022", (date(2022, 1, 1), date(2022, 12, 31)))
    measure_correct_deadline(measure=measure, reading=reading)
    again = Measure.objects.get(pk=measure.pk)
    assert again.deadline_corrected and not again.deadline_needs_review
    assert again.deadline.kind == "date" and again.deadline.due_dates == [date(2022, 4, 15)]
    assert again.deadline_note == "Срок уточнён вручную."
    assert again.deadline_text == "По графику ИМЦ"


def test_a_new_measure_is_saved_through_the_service():
    roadmap = factories.RoadmapFactory()
    measure = Measure(roadmap=roadmap, position=1, title="Семинар", deadline_text="Май 2022")
    measure_save(measure=measure)
    assert measure.version == 1 and measure.deadline_kind == "month"
    assert due(measure) == [date(2022, 5, 31)]


@pytest.mark.parametrize("kind", ["regional_body", "federal_body"])
def test_a_regional_body_of_the_region_or_a_federal_body_owns_a_measure(kind):
    measure = factories.MeasureFactory()
    body = factories.OrganisationFactory(
        kind=kind,
        municipality=None,
        region=measure.roadmap.municipality.region if kind == "regional_body" else None,
    )
    measure_save(measure=measure, links={"owner_organisations": [body]})
    assert list(Measure.objects.get(pk=measure.pk).owner_organisations.all()) == [body]


def test_a_regional_body_owns_no_measure_of_another_region():
    measure = factories.MeasureFactory()
    measure_save(measure=measure)
    body = factories.OrganisationFactory(
        kind="regional_body", municipality=None, region=factories.RegionFactory()
    )
    assert body.region != measure.roadmap.municipality.region
    with pytest.raises(ValidationError) as refused:
        measure_save(measure=measure, links={"owner_organisations": [body]})
    assert refused.value.message_dict == {
        "owner_organisations": [f"Из другого муниципалитета: {body}."]
    }
    assert not Measure.objects.get(pk=measure.pk).owner_organisations.exists()


def test_a_measure_does_not_move_to_another_municipalitys_roadmap_with_its_owners():
    measure = factories.MeasureFactory()
    owner = factories.PersonFactory(municipality=measure.roadmap.municipality)
    measure_save(measure=measure, links={"owners": [owner]})
    roadmap = measure.roadmap
    measure.roadmap = factories.RoadmapFactory()
    with pytest.raises(ValidationError) as refused:
        measure_save(measure=measure)
    assert refused.value.message_dict == {"owners": [f"Из другого муниципалитета: {owner}."]}
    assert Measure.objects.get(pk=measure.pk).roadmap == roadmap
    measure.roadmap = factories.RoadmapFactory(municipality=roadmap.municipality)
    measure_save(measure=measure)  # another roadmap of the same municipality: the links hold
    assert Measure.objects.get(pk=measure.pk).roadmap == measure.roadmap
