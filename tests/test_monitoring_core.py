"""The one check of a value against its unit, and the one write of a value."""

from datetime import date
from decimal import Decimal

import pytest

from monitoring.models import Indicator, IndicatorValue
from monitoring.services import set_value
from monitoring.values import ValueRefused, format_value, input_text, parse_value
from roadmap_portal.concurrency import StaleEdit
from tests import factories

Unit = Indicator.Unit


@pytest.mark.parametrize(
    ("unit", "raw", "expected"),
    [
        (Unit.PERCENT, "85,5", Decimal("85.50")),
        (Unit.PERCENT, "85.5 %", Decimal("85.50")),
        (Unit.PERCENT, 85.333333, Decimal("85.33")),
        (Unit.PERCENT, "0", Decimal("0")),
        (Unit.PERCENT, "100", Decimal("100")),
        (Unit.COUNT, "1 200", Decimal("1200")),
        (Unit.COUNT, 3, Decimal("3")),
        (Unit.POINTS, "4,25", Decimal("4.25")),
        (Unit.PERCENTAGE_POINTS, "-0,3", Decimal("-0.30")),
        (Unit.BOOLEAN, "Да", Decimal(1)),
        (Unit.BOOLEAN, "нет", Decimal(0)),
        (Unit.BOOLEAN, True, Decimal(1)),
        (Unit.BOOLEAN, "0", Decimal(0)),
        (Unit.PERCENT, "", None),
        (Unit.PERCENT, "  ", None),
        (Unit.PERCENT, None, None),
    ],
)
def test_a_value_is_read_as_its_unit_says(unit, raw, expected):
    assert parse_value(unit, raw) == expected


@pytest.mark.parametrize(
    ("unit", "raw", "message"),
    [
        (Unit.PERCENT, "101", "Процент должен быть от 0 до 100, а не 101."),
        (Unit.PERCENT, "-1", "Процент должен быть от 0 до 100, а не -1."),
        (Unit.COUNT, "2,5", "Количество — целое неотрицательное число, а не 2,5."),
        (Unit.COUNT, "-3", "Количество — целое неотрицательное число, а не -3."),
        (Unit.POINTS, "-1", "Баллы не могут быть отрицательными: -1."),
        (Unit.PERCENTAGE_POINTS, "150", "Процентные пункты — от −100 до 100, а не 150."),
        (Unit.BOOLEAN, "может быть", "укажите «да» или «нет», а не «можетбыть»"),
        (Unit.POINTS, "высокий", "«высокий» — не число."),
        (Unit.POINTS, "NaN", "«NaN» — не число."),
        (Unit.POINTS, "1e400", "Слишком большое число: 1e400."),
        (Unit.POINTS, "1e100000000", "Слишком большое число: 1e100000000."),
        (Unit.COUNT, "٣", "«٣» — не число."),
    ],
)
def test_what_is_not_a_value_of_the_unit_is_refused_in_russian(unit, raw, message):
    with pytest.raises(ValueRefused) as refused:
        parse_value(unit, raw)
    assert message in refused.value.message


def test_minus_zero_is_zero_and_the_measurement_date_is_checked():
    from monitoring.values import check_measured_on

    assert str(parse_value(Unit.PERCENT, "-0")) == "0.00"
    assert format_value(Unit.PERCENT, parse_value(Unit.PERCENT, "-0")) == "0\u00a0%"
    with pytest.raises(ValueRefused, match="не раньше 2000 года"):
        check_measured_on(date(1, 1, 1))
    with pytest.raises(ValueRefused, match="позже сегодняшнего дня"):
        check_measured_on(date(9999, 1, 1))
    check_measured_on(date(2025, 10, 1))


def test_values_are_written_back_the_russian_way():
    assert format_value(Unit.PERCENT, Decimal("85.50")) == "85,5\u00a0%"
    assert format_value(Unit.COUNT, Decimal("12.00")) == "12"
    assert format_value(Unit.PERCENTAGE_POINTS, Decimal("-0.30")) == "−0,3\u00a0п.п."
    assert format_value(Unit.BOOLEAN, Decimal(1)) == "да"
    assert format_value(Unit.POINTS, None) == "—"
    assert input_text(Unit.PERCENTAGE_POINTS, Decimal("-0.30")) == "-0,3"
    assert input_text(Unit.BOOLEAN, Decimal(0)) == "нет"


@pytest.fixture
def place(db):
    school = factories.SchoolFactory()
    municipality = school.municipality
    indicator = factories.IndicatorFactory(municipality=municipality)
    stage = factories.MonitoringStageFactory(municipality=municipality)
    return indicator, stage, school


def _set(place, value, **extra):
    indicator, stage, school = place
    return set_value(
        user=None, indicator=indicator, stage=stage, school=extra.pop("school", school),
        value=Decimal(value), source="ФИС ОКО", measured_on=date(2025, 9, 20), **extra,
    )  # fmt: skip


def test_a_value_is_created_changed_and_kept_when_nothing_changes(place):
    row = _set(place, "70", expected_version=0)
    assert (row.value, row.version) == (Decimal("70"), 1)
    same = _set(place, "70", expected_version=1)
    assert same.version == 1
    changed = _set(place, "72.5", expected_version=1)
    assert (changed.value, changed.version) == (Decimal("72.5"), 2)
    assert IndicatorValue.objects.count() == 1
    assert [e.value for e in changed.events.order_by("pgh_id")] == [Decimal("70"), Decimal("72.5")]


def test_a_value_saved_meanwhile_is_not_overwritten(place):
    _set(place, "70", expected_version=0)
    with pytest.raises(StaleEdit):
        _set(place, "71", expected_version=0)
    _set(place, "72", expected_version=1)
    with pytest.raises(StaleEdit):
        _set(place, "73", expected_version=1)
    assert IndicatorValue.objects.get().value == Decimal("72")


def test_a_value_must_fit_its_indicator(place):
    indicator = place[0]
    with pytest.raises(ValueRefused, match="укажите школу"):
        _set(place, "70", school=None)
    foreign = factories.SchoolFactory()
    with pytest.raises(ValueRefused, match="из другого муниципалитета"):
        _set(place, "70", school=foreign)
    indicator.level = Indicator.Level.MUNICIPALITY
    indicator.save()
    with pytest.raises(ValueRefused, match="без школы"):
        _set(place, "70")
    other_stage = factories.MonitoringStageFactory()
    with pytest.raises(ValueRefused, match="другому муниципалитету"):
        set_value(
            user=None, indicator=indicator, stage=other_stage, school=None, value=Decimal(1),
            source="", measured_on=date(2025, 9, 20),
        )  # fmt: skip
    assert _set(place, "70", school=None).school is None
    assert not IndicatorValue.objects.exclude(school=None).exists()


def test_the_municipal_figure_is_its_own_value_or_the_schools_average(
    db, django_assert_num_queries
):
    from monitoring.aggregates import stage_points

    school = factories.SchoolFactory()
    municipality = school.municipality
    schools = [school, *factories.SchoolFactory.create_batch(2, municipality=municipality)]
    by_school = factories.IndicatorFactory(municipality=municipality)
    own = factories.IndicatorFactory(municipality=municipality, level=Indicator.Level.MUNICIPALITY)
    stage = factories.MonitoringStageFactory(municipality=municipality)
    for each, value in zip(schools, ["60", "70", "80.5"], strict=True):
        _set((by_school, stage, each), value)
    _set((own, stage, None), "100", school=None)
    with django_assert_num_queries(1):
        points = stage_points([municipality.pk])
    assert points[(by_school.pk, stage.pk)].value == Decimal("70.17")
    assert points[(by_school.pk, stage.pk)].schools == 3
    assert points[(own.pk, stage.pk)].value == Decimal("100")
    only = stage_points([municipality.pk], school_ids=[schools[0].pk])
    assert only[(by_school.pk, stage.pk)].value == Decimal("60")


def test_the_gap_between_best_and_worst_tenths_needs_ten_schools(db, django_assert_num_queries):
    from monitoring.aggregates import decile_gaps

    municipality = factories.MunicipalityFactory()
    indicator = factories.IndicatorFactory(municipality=municipality)
    stage = factories.MonitoringStageFactory(municipality=municipality)
    schools = factories.SchoolFactory.create_batch(20, municipality=municipality)
    for number, school in enumerate(schools[:9]):
        _set((indicator, stage, school), str(50 + number))
    assert decile_gaps([municipality.pk]) == {}  # nine schools: no tenths to speak of
    for number, school in enumerate(schools[9:]):
        _set((indicator, stage, school), str(59 + number))
    # twenty values 50…69: the worst tenth is 50, 51, the best 68, 69
    with django_assert_num_queries(1):
        gap = decile_gaps([municipality.pk])[(indicator.pk, stage.pk)]
    assert (gap.bottom, gap.top, gap.gap, gap.schools) == (
        Decimal("50.50"), Decimal("68.50"), Decimal("18.00"), 20,
    )  # fmt: skip


def test_designations_per_year_tell_who_left_the_list(db):
    from monitoring.aggregates import Flow, designation_flow
    from schools.models import SchoolDesignation

    municipality = factories.MunicipalityFactory()
    a, b, c = factories.SchoolFactory.create_batch(3, municipality=municipality)
    low = SchoolDesignation.Kind.LOW_RESULTS
    rows = [(a, 2022), (b, 2022), (c, 2022), (a, 2023), (c, 2023), (c, 2025)]
    for school, year in rows:
        SchoolDesignation.objects.create(school=school, kind=low, year=year, basis="Приказ")
    SchoolDesignation.objects.create(school=b, kind="mentor", year=2022, basis="Приказ")
    other = factories.SchoolFactory()
    SchoolDesignation.objects.create(school=other, kind=low, year=2023, basis="Приказ")
    key = municipality.pk
    flow = designation_flow([key, other.municipality_id], kinds=[low])
    assert flow[(key, 2022, low)] == Flow(designated=3, new=3, left=0)
    assert flow[(key, 2023, low)] == Flow(designated=2, new=0, left=1)
    # nothing was entered for 2024: 2025 is compared with 2023, not with an empty year
    assert (key, 2024, low) not in flow
    assert flow[(key, 2025, low)] == Flow(designated=1, new=0, left=1)
    assert flow[(other.municipality_id, 2023, low)] == Flow(1, 1, 0)
    assert designation_flow([key])[(key, 2023, "mentor")] == Flow(0, 0, 1)
    assert (key, 2023, "mentor") not in flow
