"""Database constraints: each rule the domain states is refused by PostgreSQL itself."""

from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from measures.models import Evidence, LegalAct, Measure, Report, Roadmap
from monitoring.models import Indicator, IndicatorTarget, MonitoringStage
from schools.models import MentorPairing, Person, SchoolDesignation, WorkingGroupMember
from tests import factories

pytestmark = pytest.mark.django_db


def refused(create) -> bool:
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return True
    return False


def test_designation_is_unique_per_school_kind_and_year():
    school = factories.SchoolFactory()
    SchoolDesignation.objects.create(school=school, kind="low_results", year=2022, basis="Перечень")
    assert refused(
        lambda: SchoolDesignation.objects.create(
            school=school, kind="low_results", year=2022, basis="Другой перечень"
        )
    )
    # another kind in the same year is allowed: ШНОР and ШНСУ at once
    SchoolDesignation.objects.create(
        school=school, kind="unfavourable_context", year=2022, basis="Перечень"
    )


def test_designation_year_must_be_plausible():
    school = factories.SchoolFactory()
    assert refused(
        lambda: SchoolDesignation.objects.create(
            school=school, kind="risk_zone", year=20201, basis="опечатка"
        )
    )


def test_school_cannot_mentor_itself_and_pairing_period_is_ordered():
    school, other = factories.SchoolFactory(), factories.SchoolFactory()
    assert refused(
        lambda: MentorPairing.objects.create(
            mentor=school, supported=school, starts_on=date(2022, 1, 1), ends_on=date(2022, 12, 31)
        )
    )
    assert refused(
        lambda: MentorPairing.objects.create(
            mentor=school, supported=other, starts_on=date(2022, 1, 1), ends_on=date(2021, 12, 31)
        )
    )


def test_person_works_in_one_place_and_short_name_is_unique_in_municipality():
    school = factories.SchoolFactory()
    organisation = factories.OrganisationFactory(municipality=school.municipality)
    assert refused(
        lambda: Person.objects.create(
            municipality=school.municipality,
            short_name="Петров П.П.",
            organisation=organisation,
            school=school,
        )
    )
    Person.objects.create(municipality=school.municipality, short_name="Петров П.П.")
    assert refused(
        lambda: Person.objects.create(municipality=school.municipality, short_name="Петров П.П.")
    )


def test_working_group_has_one_chair_and_one_secretary():
    group = factories.WorkingGroupFactory()
    people = [factories.PersonFactory(municipality=group.municipality) for _ in range(3)]
    WorkingGroupMember.objects.create(group=group, person=people[0], role="chair", position=1)
    assert refused(
        lambda: WorkingGroupMember.objects.create(
            group=group, person=people[1], role="chair", position=2
        )
    )
    WorkingGroupMember.objects.create(group=group, person=people[1], role="secretary", position=2)
    assert refused(
        lambda: WorkingGroupMember.objects.create(
            group=group, person=people[2], role="secretary", position=3
        )
    )
    assert refused(
        lambda: WorkingGroupMember.objects.create(group=group, person=people[0], position=4)
    )


def test_signed_act_needs_number_and_date():
    issuer = factories.OrganisationFactory()
    assert refused(
        lambda: LegalAct.objects.create(
            municipality=issuer.municipality, issuer=issuer, title="Без номера", status="signed"
        )
    )
    LegalAct.objects.create(municipality=issuer.municipality, issuer=issuer, title="Проект")


def test_act_number_is_unique_per_issuer_kind_and_date():
    act = factories.LegalActFactory(number="31")
    assert refused(
        lambda: LegalAct.objects.create(
            municipality=act.municipality,
            issuer=act.issuer,
            number="31",
            date=act.date,
            title="Дубликат",
        )
    )


def test_roadmap_rules():
    municipality = factories.MunicipalityFactory()

    def roadmap(**kwargs):
        values = {
            "municipality": municipality,
            "title": "Карта",
            "starts_on": date(2022, 1, 1),
            "ends_on": date(2022, 12, 31),
        }
        return lambda: Roadmap.objects.create(**{**values, **kwargs})

    assert refused(roadmap(ends_on=date(2021, 12, 31)))
    assert refused(roadmap(level="school"))
    assert refused(roadmap(status="approved"))
    assert refused(roadmap(level="municipal", school=factories.SchoolFactory()))
    roadmap()()
    assert refused(roadmap())  # same title and period twice


def test_measure_positions_are_unique_and_deadline_ordered():
    measure = factories.MeasureFactory()
    # unique at commit (the editor reorders rows in a few UPDATEs): checked here at once
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS measure_unique_position IMMEDIATE")
    assert refused(
        lambda: factories.MeasureFactory(roadmap=measure.roadmap, position=measure.position)
    )
    assert refused(
        lambda: factories.MeasureFactory(
            deadline_start=date(2022, 5, 1), deadline_end=date(2022, 4, 30)
        )
    )
    # numbers as written may repeat (seed 002 has two measures numbered «11») or be empty
    factories.MeasureFactory(roadmap=measure.roadmap, number=measure.number)
    factories.MeasureFactory(roadmap=measure.roadmap, number="")
    assert Measure.objects.filter(roadmap=measure.roadmap).count() == 3


def test_report_rules():
    report = factories.ReportFactory()
    assert refused(
        lambda: factories.ReportFactory(occurrence=report.occurrence, school=report.school)
    )
    assert refused(lambda: factories.ReportFactory(status="submitted"))
    assert refused(
        lambda: factories.ReportFactory(
            status="returned", submitted_at=timezone.now(), reviewed_at=timezone.now()
        )
    )
    factories.ReportFactory(
        status="returned",
        submitted_at=timezone.now(),
        reviewed_at=timezone.now(),
        review_comment="Приложите протокол заседания",
    )
    assert Report.objects.count() == 2


def test_evidence_needs_a_file_or_a_link():
    report = factories.ReportFactory()
    assert refused(lambda: Evidence.objects.create(report=report, description="пусто"))
    Evidence.objects.create(report=report, link="https://school.example.org/protocol")


def test_monitoring_rules():
    municipality = factories.MunicipalityFactory()
    indicator = Indicator.objects.create(
        municipality=municipality,
        code="share",
        title="Доля",
        unit="percent",
        direction="higher",
        level="school",
    )
    IndicatorTarget.objects.create(indicator=indicator, year=2022, target=100)
    assert refused(
        lambda: IndicatorTarget.objects.create(indicator=indicator, year=2022, target=90)
    )
    assert refused(
        lambda: Indicator.objects.create(
            municipality=municipality,
            code="share",
            title="Другая",
            unit="count",
            direction="lower",
            level="school",
        )
    )
    assert refused(
        lambda: MonitoringStage.objects.create(
            municipality=municipality,
            kind="entry",
            year=2022,
            starts_on=date(2022, 3, 1),
            ends_on=date(2022, 2, 1),
        )
    )
