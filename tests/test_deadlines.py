"""The deadline engine: every phrase of the three seeds, and many more of the same families."""

import json
from datetime import date

import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from measures.deadlines import parse_deadline
from tests import deadline_corpus as corpus

Y2022 = (date(2022, 1, 1), date(2022, 12, 31))
Y2022_24 = (date(2022, 1, 1), date(2024, 12, 31))
Y2023_24 = (date(2023, 1, 1), date(2024, 12, 31))
D = date.fromisoformat


def check(text, period, kind, due=(), start=None, end=None, review=False, **extra):
    result = parse_deadline(text, period)
    assert result.kind == kind, result
    assert result.due_dates == [D(d) for d in due], result
    if start is not None:
        assert result.start == D(start), result
    if end is not None:
        assert result.end == D(end), result
    assert result.needs_review is review, result
    for key, value in extra.items():
        assert getattr(result, key) == value, result
    if review:
        assert result.note, "a flagged deadline says why"


# Seed 000 (period: 2022)
SEED_000 = [
    ("Февраль  2022г.", "month", ["2022-02-28"], {"start": "2022-02-01"}),
    ("Февраль 2022г.", "month", ["2022-02-28"], {}),
    ("По графику ГБУ ДПО «ЦНППМ»", "external", [], {"external_body": "ГБУ ДПО «ЦНППМ»"}),
    ("По графику ГБУ КБР «ЦОКОПМК»", "external", [], {"external_body": "ГБУ КБР «ЦОКОПМК»"}),
    ("По графику Минпросвещения КБР", "external", [], {"external_body": "Минпросвещения КБР"}),
    ("Ежегодно в декабре", "recurring", ["2022-12-31"], {"recurrence": "yearly"}),
    ("По мере необходимости", "as_needed", [], {}),
    ("По мере поступления документа", "as_needed", [], {}),
    ("До 20 июня", "by_date", ["2022-06-20"], {"end": "2022-06-20"}),
    ("В течение всего периода", "continuous", [], {"start": "2022-01-01", "end": "2022-12-31"}),
    ("в течение всего периода", "continuous", [], {"end": "2022-12-31"}),
    ("Январь 2022г.", "month", ["2022-01-31"], {}),
    ("Постоянно в течение всего периода", "continuous", [], {"start": "2022-01-01"}),
    ("Постоянно в течение всего периода по отдельному графику", "continuous", [], {}),
    ("Сентябрь 2022г", "month", ["2022-09-30"], {}),
    ("По графику Рособрнадзора", "external", [], {"external_body": "Рособрнадзора"}),
    ("Октябрь-ноябрь ", "range", ["2022-11-30"], {"start": "2022-10-01", "end": "2022-11-30"}),
    ("Декабрь ", "month", ["2022-12-31"], {}),
    ("По мере проведения", "as_needed", [], {}),
    ("По приказу Минпросвещения КБР", "external", [], {"external_body": "Минпросвещения КБР"}),
]
# Seed 001 (period: 2022–2024)
SEED_001 = [
    ("Май – июнь 2022 г.", "range", ["2022-06-30"], {"start": "2022-05-01"}),
    ("По мере необходимости", "as_needed", [], {}),
    ("Май 2022 г.", "month", ["2022-05-31"], {}),
    ("Февраль 2022 г. – далее ежегодно", "recurring",
     ["2022-02-28", "2023-02-28", "2024-02-29"], {"recurrence": "yearly"}),
    ("ежегодно", "recurring", ["2022-12-31", "2023-12-31", "2024-12-31"], {"recurrence": "yearly"}),
    ("в соответствии с графиком", "external", [], {"external_body": ""}),
    ("В течение года", "continuous", [], {"start": "2022-01-01", "end": "2024-12-31"}),
    ("До 31 мая ежегодно", "recurring", ["2022-05-31", "2023-05-31", "2024-05-31"], {}),
    ("По графику", "external", [], {"external_body": ""}),
    ("постоянно", "continuous", [], {"end": "2024-12-31"}),
    ("Ежегодно май", "recurring", ["2022-05-31", "2023-05-31", "2024-05-31"], {}),
]  # fmt: skip
# Seed 002 (period: 2023–2024)
SEED_002 = [
    ("Январь 2023", "month", ["2023-01-31"], {}),
    ("В течение 2023-2024 гг", "continuous", [], {"start": "2023-01-01", "end": "2024-12-31"}),
    ("По отдельному графику", "external", [], {"external_body": ""}),
    ("Март- апрель", "range", ["2023-04-30", "2024-04-30"], {"recurrence": "yearly"}),
    ("По мере необходимости", "as_needed", [], {}),
    # the school years 2022/23–2024/25 cover the whole calendar period
    ("В течение учебного года", "continuous", [], {"start": "2023-01-01", "end": "2024-12-31"}),
    ("В течение года, согласно региональной дорожной карты", "continuous", [],
     {"start": "2023-01-01", "end": "2024-12-31"}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "kind", "due", "extra"), SEED_000)
def test_seed_000_phrases(text, kind, due, extra):
    check(text, Y2022, kind, due, **extra)


@pytest.mark.parametrize(("text", "kind", "due", "extra"), SEED_001)
def test_seed_001_phrases(text, kind, due, extra):
    check(text, Y2022_24, kind, due, **extra)


@pytest.mark.parametrize(("text", "kind", "due", "extra"), SEED_002)
def test_seed_002_phrases(text, kind, due, extra):
    check(text, Y2023_24, kind, due, **extra)


def test_seed_002_after_the_school_year_is_flagged_with_its_assumption():
    check("По итогам учебного года", Y2023_24, "recurring", ["2023-06-30", "2024-06-30"],
          review=True, recurrence="yearly")  # fmt: skip


@pytest.mark.parametrize("text", ["По графику Минпросвещения КБР", "по графику минпросвещения кбр",
                                  "ПО ГРАФИКУ МИНПРОСВЕЩЕНИЯ КБР"])  # fmt: skip
def test_case_does_not_matter(text):
    assert parse_deadline(text, Y2022).kind == "external"


FAMILIES = [
    # dates
    ("24.03.2021", (date(2021, 1, 1), date(2021, 12, 31)), "date", ["2021-03-24"], {}),
    ("24.03.21", (date(2021, 1, 1), date(2021, 12, 31)), "date", ["2021-03-24"], {}),
    ("15 марта 2022 года", Y2022, "date", ["2022-03-15"], {}),
    ("15 марта", Y2022_24, "date", ["2022-03-15", "2023-03-15", "2024-03-15"],
     {"recurrence": "yearly"}),
    # by a date
    ("не позднее 15 декабря", Y2022, "by_date", ["2022-12-15"], {}),
    ("до 01.03.2022", Y2022, "by_date", ["2022-03-01"], {}),
    ("до 31.12.2022 г.", Y2022, "by_date", ["2022-12-31"], {}),
    ("в срок до 30.06.2022", Y2022, "by_date", ["2022-06-30"], {}),
    ("до конца 2022 года", Y2022, "by_date", ["2022-12-31"], {}),
    ("до конца года", Y2022_24, "by_date", ["2022-12-31", "2023-12-31", "2024-12-31"], {}),
    ("к 1 сентября", Y2022, "by_date", ["2022-09-01"], {}),
    ("До 20 июня", Y2022_24, "by_date", ["2022-06-20", "2023-06-20", "2024-06-20"], {}),
    # months
    ("май 2021", (date(2021, 1, 1), date(2021, 12, 31)), "month", ["2021-05-31"], {}),
    ("Сентябрь", Y2022, "month", ["2022-09-30"], {}),
    ("ДЕКАБРЬ 2022 Г.", Y2022, "month", ["2022-12-31"], {}),
    ("в феврале 2024 г.", Y2023_24, "month", ["2024-02-29"], {}),
    ("Сентябрь", Y2022_24, "month", ["2022-09-30", "2023-09-30", "2024-09-30"],
     {"recurrence": "yearly"}),
    # ranges
    ("Май – июнь 2022 г.", Y2022, "range", ["2022-06-30"], {}),
    ("Май—Июнь 2022", Y2022, "range", ["2022-06-30"], {}),
    ("Декабрь 2021-Май 2022", (date(2021, 1, 1), date(2022, 12, 31)), "range", ["2022-05-31"],
     {"start": "2021-12-01"}),
    ("с 01.09.2022 по 31.12.2022", Y2022, "range", ["2022-12-31"], {"start": "2022-09-01"}),
    ("II квартал 2022", Y2022, "range", ["2022-06-30"], {"start": "2022-04-01"}),
    ("4 квартал", Y2022, "range", ["2022-12-31"], {"start": "2022-10-01"}),
    ("I кв. 2022", Y2022, "range", ["2022-03-31"], {}),
    ("1 полугодие 2022", Y2022, "range", ["2022-06-30"], {}),
    ("II полугодие", Y2022, "range", ["2022-12-31"], {"start": "2022-07-01"}),
    ("2021", (date(2021, 1, 1), date(2021, 12, 31)), "range", ["2021-12-31"], {}),
    ("2023-2024 гг.", Y2023_24, "range", ["2024-12-31"], {"start": "2023-01-01"}),
    ("2022 – 2024 годы", Y2022_24, "range", ["2024-12-31"], {}),
    ("2019-2020 уч.г.", (date(2019, 1, 1), date(2020, 12, 31)), "range", ["2020-08-31"],
     {"start": "2019-09-01"}),
    ("2022/2023 учебный год", (date(2022, 1, 1), date(2023, 12, 31)), "range", ["2023-08-31"],
     {"start": "2022-09-01"}),
    ("Октябрь-ноябрь", Y2022_24, "range", ["2022-11-30", "2023-11-30", "2024-11-30"], {}),
    ("Декабрь - январь", Y2022_24, "range", ["2023-01-31", "2024-01-31"], {}),
    # several dates
    ("Декабрь 2019, Май 2020", (date(2019, 1, 1), date(2020, 12, 31)), "dates",
     ["2019-12-31", "2020-05-31"], {}),
    ("март, июнь, сентябрь, декабрь", Y2022, "dates",
     ["2022-03-31", "2022-06-30", "2022-09-30", "2022-12-31"], {}),
    ("Сентябрь, декабрь 2022", Y2022, "dates", ["2022-09-30", "2022-12-31"], {}),
    ("май и октябрь 2022", Y2022, "dates", ["2022-05-31", "2022-10-31"], {}),
    # recurring
    ("Ежемесячно с 01.09.2021", (date(2021, 1, 1), date(2021, 12, 31)), "recurring",
     ["2021-09-30", "2021-10-31", "2021-11-30", "2021-12-31"], {"start": "2021-09-01"}),
    ("ежеквартально", Y2022, "recurring", ["2022-03-31", "2022-06-30", "2022-09-30", "2022-12-31"],
     {"recurrence": "quarterly"}),
    ("1 раз в полугодие", Y2022, "recurring", ["2022-06-30", "2022-12-31"],
     {"recurrence": "half_yearly"}),
    ("ЕЖЕГОДНО В ДЕКАБРЕ", Y2022_24, "recurring", ["2022-12-31", "2023-12-31", "2024-12-31"], {}),
    ("ежегодно до 1 сентября", Y2023_24, "recurring", ["2023-09-01", "2024-09-01"], {}),
    # continuous
    ("Весь период", Y2022_24, "continuous", [], {"start": "2022-01-01", "end": "2024-12-31"}),
    ("в течение 2022/2023 учебного года", Y2022_24, "continuous", [],
     {"start": "2022-09-01", "end": "2023-08-31"}),
    ("в течение 2022 года", Y2022_24, "continuous", [],
     {"start": "2022-01-01", "end": "2022-12-31"}),
    ("систематически", Y2022, "continuous", [], {}),
    # as needed and external
    ("при необходимости", Y2022, "as_needed", [], {}),
    ("По мере поступления запросов", Y2022, "as_needed", [], {}),
    ("По плану ИМЦ, КРИПКиПРО", Y2022, "external", [], {"external_body": "ИМЦ, КРИПКиПРО"}),
    ("по приказу Министерства просвещения РФ", Y2022, "external", [],
     {"external_body": "Министерства просвещения РФ"}),
    ("согласно графику ФИОКО", Y2022, "external", [], {"external_body": "ФИОКО"}),
    # a day of each month (this phrase was flagged before; it is now read)
    ("до 10 числа каждого месяца", Y2022, "recurring",
     [f"2022-{m:02d}-10" for m in range(1, 13)], {"recurrence": "monthly"}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "period", "kind", "due", "extra"), FAMILIES)
def test_families(text, period, kind, due, extra):
    check(text, period, kind, due, **extra)


NEEDS_REVIEW = [
    ("01.09.20201", "год «20201»"),
    ("Ежемесячно с…", "Начало не указано"),
    ("Май 2022 - Март 2022", "заканчивается раньше"),
    ("31 февраля", "нет такой даты"),
    ("29 февраля 2022", "нет такой даты"),
    ("2021-2023 уч.г.", "два соседних года"),
    ("Март 2025", "вне периода"),
    ("Ноябрь 2022, март 2025", "вне периода"),
    ("абракадабра", "не распознан"),
    ("", "не указан"),
    ("   ", "не указан"),
    ("32.13.2022", "нет месяца 13 в дате «32.13.2022»"),
    ("Декабрь 2022 г., май 20233", "20233"),
]


@pytest.mark.parametrize(("text", "why"), NEEDS_REVIEW)
def test_uncertain_texts_ask_a_person(text, why):
    result = parse_deadline(text, Y2022)
    assert result.needs_review, result
    assert why in result.note, result


def test_without_a_period_a_yearless_month_asks_for_review():
    result = parse_deadline("Сентябрь", None)
    assert result.needs_review
    assert "период" in result.note


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=80))
def test_any_text_gives_a_structure_and_never_raises(text):
    result = parse_deadline(text, Y2022_24)
    assert result.kind in {"date", "by_date", "month", "range", "dates", "recurring",
                           "continuous", "as_needed", "external", "unknown"}  # fmt: skip
    assert result.due_dates == sorted(set(result.due_dates))
    assert all(Y2022_24[0] <= d <= Y2022_24[1] for d in result.due_dates)
    if result.kind == "unknown" or result.needs_review:
        assert result.needs_review and result.note
    if result.start and result.end:
        assert result.start <= result.end
    json.dumps(result.as_dict())


WORDS = ["январь", "Февраль", "мая", "декабре", "2022", "2023", "20201", "г.", "гг.", "года", "-",
         "–", "по", "с", "до", "ежегодно", "ежемесячно", "в течение", "квартал", "II", "уч.г.",
         "15", "31.05.2022", "графику", ",", "и", "не позднее", "далее", "полугодие"]  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(WORDS), min_size=1, max_size=6))
def test_odd_combinations_of_deadline_words_never_raise(words):
    result = parse_deadline(" ".join(words), Y2022)
    assert all(Y2022[0] <= d <= Y2022[1] for d in result.due_dates)
    if result.kind == "unknown":
        assert result.needs_review


def test_parse_deadline_command_prints_json_lines(capsys):
    call_command("parse_deadline", "Февраль 2022г.", "Ежегодно в декабре", "01.09.20201",
                 period="2022-01-01:2024-12-31")  # fmt: skip
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["kind"] for line in lines] == ["month", "recurring", "unknown"]
    assert lines[0] == {
        "text": "Февраль 2022г.", "kind": "month", "start": "2022-02-01", "end": "2022-02-28",
        "due_dates": ["2022-02-28"], "recurrence": None, "external_body": None,
        "needs_review": False, "note": None,
    }  # fmt: skip
    assert lines[1]["due_dates"] == ["2022-12-31", "2023-12-31", "2024-12-31"]
    assert lines[2]["needs_review"] is True


# The corpus of phrases beyond the seeds (tests/deadline_corpus.py): each under two periods, read
# as a careful person reads it; an expected flag passes only when the engine flags.
CORPUS = [
    pytest.param(case, name, expected, id=f"{name}-{case.text}")
    for case, name, expected in corpus.runs()
]


@pytest.mark.parametrize(("case", "period_name", "expected"), CORPUS)
def test_corpus_phrase_is_read_as_a_careful_person_reads_it(case, period_name, expected):
    result = parse_deadline(case.text, corpus.PERIODS[period_name])
    assert corpus.judge(expected, result) == corpus.RIGHT, (
        corpus.differences(expected, result),
        result,
        case.source,
    )
    if result.needs_review:
        assert any(word in result.note for word in ("провер", "уточните", "укажите", "вне периода"))


def test_corpus_is_large_and_sourced():
    texts = {case.text for case in corpus.CASES}
    assert len(texts) >= 150
    assert all(case.source for case in corpus.CASES)
    published = [c for c in corpus.CASES if c.source.startswith("http")]
    assert len(published) >= 50


def test_bench_deadlines_prints_agreement_and_no_silent_misreadings(capsys):
    call_command("bench_deadlines", verbose=True)
    out = capsys.readouterr().out
    count = len(list(corpus.runs()))
    assert f"прочтений (фраза × период): {count}" in out
    assert f"Прочитано верно: {count} (100.0 %)" in out
    assert "Прочитано неверно без отметки: 0" in out
    assert "Промахи" not in out


@pytest.mark.parametrize(
    ("text", "period", "why"),
    [
        ("в течение месяца", Y2023_24, "отсчитывается от события"),
        ("ежемесячно, ежеквартально", Y2023_24, "несколько периодичностей"),
        ("зима 2024", Y2023_24, "какая зима"),
        ("III квартал", corpus.ACAD, "укажите год"),
        ("в течение года (май, декабрь)", Y2023_24, "в скобках названы месяцы"),
    ],
)
def test_a_flag_says_what_to_check(text, period, why):
    result = parse_deadline(text, period)
    assert result.needs_review, result
    assert why in result.note, result


def test_end_of_the_school_year_says_its_day_is_assumed():
    result = parse_deadline("конец учебного года", corpus.ACAD)
    assert result.due_dates == [date(2024, 5, 31)] and not result.needs_review
    assert "31 мая" in result.note and "уточните" in result.note


def test_an_academic_period_places_months_in_its_own_year():
    assert parse_deadline("Октябрь", corpus.ACAD).due_dates == [date(2023, 10, 31)]
    assert parse_deadline("Май", corpus.ACAD).due_dates == [date(2024, 5, 31)]
    assert parse_deadline("октябрь-ноябрь", corpus.ACAD).due_dates == [date(2023, 11, 30)]


def test_termly_recurrence_is_a_choice_of_the_model():
    from measures.deadlines import Recurrence
    from measures.models import Measure

    field = Measure._meta.get_field("deadline_recurrence")
    assert ("termly", "раз в четверть") in [(k, str(v)) for k, v in field.choices]
    assert Recurrence.TERMLY == "termly"


MORE_WORDS = ["четверть", "II", "декада", "весна", "осень", "зима", "(", ")", "(ежемесячно)",
              "числа", "каждого месяца", "по четвергам", "учебного года", "начало", "конец",
              "в течение", "в период", "с", "по", "2 раза в год", "(май, декабрь)", "(13.03.24)",
              "вторая среда марта", "в сроки, установленные", "Минпросвещения", "включительно",
              "III-IV квартал", "январь,", "2024", "15", "-", "ежегодно", ";", "и", "до"]  # fmt: skip


@settings(max_examples=500, deadline=None)
@given(
    st.lists(st.sampled_from(WORDS + MORE_WORDS), min_size=1, max_size=7),
    st.sampled_from([corpus.CAL, corpus.ACAD, Y2022]),
)
def test_composed_phrases_keep_the_invariants_in_any_calendar(words, period):
    result = parse_deadline(" ".join(words), period)
    assert result.kind in {"date", "by_date", "month", "range", "dates", "recurring",
                           "continuous", "as_needed", "external", "unknown"}  # fmt: skip
    assert result.due_dates == sorted(set(result.due_dates))
    assert all(period[0] <= d <= period[1] for d in result.due_dates)
    if result.kind == "unknown" or result.needs_review:
        assert result.needs_review and result.note
    if result.start and result.end:
        assert result.start <= result.end
    assert result.recurrence in {"", "yearly", "half_yearly", "quarterly", "termly", "monthly",
                                 "weekly"}  # fmt: skip
    json.dumps(result.as_dict())


def test_held_out_phrases_are_published_and_new():
    """The held-out set: published wordings none of which the corpus had before it."""
    assert len(corpus.HELDOUT_TEXTS) >= 100
    assert all(case.source.startswith("http") for case in corpus.HELDOUT)
    earlier = [c.text for c in corpus.CASES if c not in corpus.HELDOUT]
    assert not corpus.HELDOUT_TEXTS & set(earlier)


@pytest.mark.parametrize(
    ("text", "period", "due", "recurrence"),
    [
        ("24 мая (среда)", corpus.CAL, [date(2023, 5, 24)], ""),  # a Friday in 2024
        ("13.03.2024 (среда)", corpus.CAL, [date(2024, 3, 13)], ""),
        ("1 сентября (пятница)", corpus.ACAD, [date(2023, 9, 1)], ""),
        ("1 июля, в субботу", corpus.CAL, [date(2023, 7, 1)], ""),  # a Monday in 2024
        ("24 мая, пятница", corpus.CAL, [date(2024, 5, 24)], ""),
    ],
)
def test_a_weekday_in_brackets_confirms_the_date_and_picks_its_year(text, period, due, recurrence):
    result = parse_deadline(text, period)
    assert (result.kind, result.due_dates, result.recurrence) == ("date", due, recurrence)
    assert not result.needs_review


@pytest.mark.parametrize(
    "text",
    [
        "13.03.2024 (четверг)",
        "24 мая (среда) ",
        "май 2024 (среда)",
        "с 1 по 3 мая 2024 (вторник)",
        "1 июля, в субботу",
    ],
)
def test_a_weekday_in_brackets_that_does_not_fit_is_flagged(text):
    result = parse_deadline(text, corpus.ACAD)
    assert result.needs_review and result.due_dates == []
    assert "день недели" in result.note and "не " in result.note


def test_a_bare_half_year_follows_the_periods_calendar():
    school = parse_deadline("1 полугодие", corpus.ACAD)
    assert (school.kind, school.start, school.due_dates) == (
        "range",
        date(2023, 9, 1),
        [date(2023, 12, 31)],
    )
    second = parse_deadline("в течение 2 полугодия", corpus.ACAD)
    assert second.due_dates == [date(2024, 5, 31)]
    calendar_years = parse_deadline("1 полугодие", corpus.CAL)  # the calendar's halves
    assert calendar_years.due_dates == [date(2023, 6, 30), date(2024, 6, 30)]
    assert calendar_years.start == date(2023, 1, 1) and not calendar_years.needs_review
    with_year = parse_deadline("1 полугодие 2024 года", corpus.CAL)
    assert with_year.due_dates == [date(2024, 6, 30)] and not with_year.needs_review


def test_the_end_or_start_of_a_named_term_is_a_day():
    end = parse_deadline("конец четвертой четверти", corpus.ACAD)
    assert (end.kind, end.due_dates) == ("date", [date(2024, 5, 31)])
    assert "31 мая" in end.note
    start = parse_deadline("начало третьей четверти", corpus.ACAD)
    assert start.due_dates == [date(2024, 1, 1)] and "уточните" in start.note


def test_a_one_day_range_is_a_date():
    result = parse_deadline("с 08 марта 2024 года (пятница) по 08 марта 2024 года (пятница)")
    assert (result.kind, result.due_dates) == ("date", [date(2024, 3, 8)])


def test_a_trailing_remark_of_conformity_does_not_hide_the_span():
    result = parse_deadline("до 1 сентября 2023 г. в соответствии с приказом", corpus.CAL)
    assert (result.kind, result.due_dates) == ("by_date", [date(2023, 9, 1)])
    alone = parse_deadline("в соответствии с планом", corpus.CAL)
    assert alone.kind == "external"


def test_documents_named_together_are_a_schedule_not_a_body():
    result = parse_deadline("согласно Порядку и Плану-графику проведения ВПР", corpus.CAL)
    assert (result.kind, result.external_body) == ("external", "")
    assert "проведения ВПР" in result.note


def test_a_day_written_with_its_ordinal_ending_is_the_day():
    result = parse_deadline("22-го марта", corpus.ACAD)
    assert (result.kind, result.due_dates) == ("date", [date(2024, 3, 22)])


def test_the_school_year_narrowed_to_a_span_is_continuous_work_over_that_span():
    result = parse_deadline("в течение учебного года с сентября по май", corpus.ACAD)
    assert (result.kind, result.start, result.end) == (
        "continuous",
        date(2023, 9, 1),
        date(2024, 5, 31),
    )
    assert result.due_dates == [] and not result.needs_review


def test_a_weekly_rhythm_with_its_day_is_read_on_that_day():
    result = parse_deadline("еженедельно, в среду", corpus.ACAD)
    assert (result.kind, result.recurrence) == ("recurring", "weekly")
    assert result.due_dates[:2] == [date(2023, 9, 6), date(2023, 9, 13)]
    assert all(d.weekday() == 2 for d in result.due_dates)


# The review of the engine (D2, D3): a list of bare years after a point repeats the point in each
# year; a comma between a month and its year inside a range end is one point.
@pytest.mark.parametrize(
    ("text", "kind", "due"),
    [
        ("май 2023, 2024 гг.", "dates", [date(2023, 5, 31), date(2024, 5, 31)]),
        ("к 1 сентября 2023 и 2024 гг.", "by_date", [date(2023, 9, 1), date(2024, 9, 1)]),
        ("до 1 октября 2023, 2024 гг.", "by_date", [date(2023, 10, 1), date(2024, 10, 1)]),
        ("в марте 2023, 2024 годов", "dates", [date(2023, 3, 31), date(2024, 3, 31)]),
        ("ежегодно в мае 2023-2024 гг.", "recurring", [date(2023, 5, 31), date(2024, 5, 31)]),
        ("сентябрь, 2023 - май, 2024", "range", [date(2024, 5, 31)]),
    ],
)
def test_reviewed_phrases_are_read_in_each_named_year(text, kind, due):
    result = parse_deadline(text, corpus.CAL)
    assert (result.kind, result.due_dates, result.needs_review) == (kind, due, False)
    assert date(2024, 12, 31) not in result.due_dates  # never the whole of 2024


def test_a_month_comma_year_range_starts_at_its_first_month():
    result = parse_deadline("сентябрь, 2023 - май, 2024", corpus.ACAD)
    assert (result.start, result.end) == (date(2023, 9, 1), date(2024, 5, 31))
    assert not result.needs_review


def test_a_range_of_years_after_a_point_without_a_plural_asks_a_person():
    result = parse_deadline("май 2023 - 2024", corpus.CAL)
    assert result.needs_review
    assert "каждый год" in result.note
    assert result.due_dates == []


def test_a_year_list_half_outside_a_school_year_is_flagged():
    result = parse_deadline("май 2023, 2024 гг.", corpus.ACAD)
    assert result.needs_review
    assert result.due_dates == [date(2024, 5, 31)]
