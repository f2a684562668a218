"""A measure keeps its text verbatim and the reading beside it; occurrences follow the reading."""

from datetime import date

import pytest

from measures.models import Occurrence
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
