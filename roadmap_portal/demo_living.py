"""The living part of the demo: a roadmap for the current year with reports in every state.

The Черекский 2022 roadmap is copied to the current calendar year with `roadmap_copy`; the
measures whose deadline names 2022 («Февраль 2022г.») come out flagged, and the coordinator's
correction is played (the same month of the current year) for all but the last, which stays
flagged as a coordinator would find it. The Черекский schools are designated
for the current year as they were for 2022, so that the measures concern them. Then the schools
report through the report services, every date relative to `today` and none after it.

Loading twice changes nothing: the copy is made once, and a control pair that has a report is
left alone.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

from measures.deadlines import parse_deadline
from measures.models import Measure, Roadmap
from measures.services import copy_title, measure_correct_deadline, roadmap_copy
from schools.models import SchoolDesignation

if TYPE_CHECKING:
    from roadmap_portal.demo import LoadSummary

DESIGNATION_BASIS = (
    "Демонстрационные данные: школы отнесены к категориям на текущий год так же, как в 2022 "
    "году; названия школ условные."
)


def load_living(archive: Roadmap, today: date, summary: LoadSummary) -> None:
    year = today.year
    _designate(archive, year)
    roadmap = _current_roadmap(archive, date(year, 1, 1), date(year, 12, 31), summary)
    summary.current_roadmap = roadmap


def _designate(archive: Roadmap, year: int) -> None:
    """Each school of the municipality keeps for `year` the kinds it had in the archive year."""
    for school_id, kind in (
        SchoolDesignation.objects.filter(
            school__municipality_id=archive.municipality_id, year=archive.starts_on.year
        )
        .order_by("school_id", "kind")
        .values_list("school_id", "kind")
    ):
        SchoolDesignation.objects.update_or_create(
            school_id=school_id, kind=kind, year=year, defaults={"basis": DESIGNATION_BASIS}
        )


def _current_roadmap(
    archive: Roadmap, starts_on: date, ends_on: date, summary: LoadSummary
) -> Roadmap:
    """The copy for the current year, made once; its flagged deadlines corrected by hand."""
    title = copy_title(archive.title, (archive.starts_on, archive.ends_on), (starts_on, ends_on))
    existing = Roadmap.objects.filter(
        municipality_id=archive.municipality_id, title=title, starts_on=starts_on, ends_on=ends_on
    ).first()
    if existing is not None:
        return existing
    roadmap, flagged = roadmap_copy(roadmap=archive, starts_on=starts_on, ends_on=ends_on)
    summary.flagged = flagged
    for measure in flagged[:-1]:  # the last one stays flagged, for the coordinator to see
        _correct(measure, archive.starts_on.year, starts_on.year)
    return roadmap


def _correct(measure: Measure, old_year: int, year: int) -> None:
    """What a coordinator does with «Февраль 2022г.» in the copy: February of this year."""
    text = re.sub(rf"(?<!\d){old_year}(?!\d)", str(year), measure.deadline_text)
    reading = parse_deadline(text, (measure.roadmap.starts_on, measure.roadmap.ends_on))
    if reading.needs_review or not reading.due_dates:
        return  # left for a person to read
    measure_correct_deadline(
        measure=measure,
        kind=reading.kind,
        start=reading.start,
        end=reading.end,
        due_dates=reading.due_dates,
        recurrence=reading.recurrence,
        external_body=reading.external_body,
    )
