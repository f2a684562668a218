"""Tables as municipalities really lay them out: header words, two-row and missing headers,
columns decided by their content, rows that are not measures, section numbering; the typed
contract and the confirm that saves the reading the coordinator saw."""

import csv
import io
from datetime import date

import docx
import pytest

from measures.deadlines import Deadline, Kind
from measures.importing import (
    BY_CONTENT,
    BY_HEADER,
    Parsed,
    Row,
    band_span,
    header_field,
    interpret,
    read_roadmap_file,
)
from measures.models import RoadmapImport
from measures.services import (
    ImportRefused,
    roadmap_import_confirm,
    roadmap_import_preview,
    roadmap_import_read,
    roadmap_import_reassign,
)
from tests import docx_builders, factories
from tests.import_layouts import LAYOUTS, field_accuracy, xlsx

Y2023_24 = (date(2023, 1, 1), date(2024, 12, 31))


def read(rows: list[list[str]], period=Y2023_24, columns=None) -> Parsed:
    return interpret([Row(i + 1, cells) for i, cells in enumerate(rows)], period, [], columns)


def fields(parsed: Parsed) -> list[tuple]:
    return [
        (m.row, m.number, m.section, m.title, m.owners_text, m.deadline_text, m.planned_result)
        for m in parsed.measures
    ]


def columns(parsed: Parsed) -> list[tuple[str, str, str]]:
    return [(c.header, c.field, c.by) for c in parsed.columns]


def csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    return buffer.getvalue().encode()


# --- Header words ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("№ п/п", "number"), ("N п/п", "number"), ("№№", "number"), ("Номер", "number"),
        ("Наименование мероприятия", "title"), ("Содержание деятельности", "title"),
        ("Мероприятия по достижению результата", "title"), ("Перечень мероприятий", "title"),
        ("Срок исполнения", "deadline"), ("Сроки", "deadline"), ("Дата", "deadline"),
        ("Планируемые сроки", "deadline"), ("Период реализации", "deadline"),
        ("Срок выполнения (квартал, год)*", "deadline"),
        ("Ответственный", "owners"), ("Ответственные исполнители", "owners"),
        ("Исполнители", "owners"), ("Ответственный за исполнение", "owners"),
        ("Ожидаемый результат", "result"), ("Результат", "result"), ("Показатель", "result"),
        ("Форма завершения", "result"), ("Итоговый документ", "result"),
        ("Ожидаемый результат мероприятия", "result"), ("Результат исполнения", "result"),
        ("Примечание", "ignored"), ("Отметка о выполнении", "ignored"),
        ("Раздел", "section"), ("Задачи", "section"),
        ("Периодичность", "deadline"), ("Плановое окончание", "deadline"),
        ("Контрольное событие", "result"), ("Значение показателя", "result"),
        ("Ответственный (ФИО, должность)", "owners"), ("№\nп/п", "number"),
        ("Источник финансирования", "ignored"), ("Объём финансирования, тыс. руб.", "ignored"),
        ("Целевая группа", "ignored"), ("Участники", "ignored"),
        ("Цвет обложки", None), ("", None),
    ],
)  # fmt: skip
def test_header_words_of_real_roadmaps(header, field):
    assert header_field(header) == field


def test_a_table_with_other_header_words_is_read_by_its_headers():
    parsed = read(
        [
            ["№", "Содержание деятельности", "Срок исполнения", "Ответственный",
             "Форма завершения", "Примечание"],
            ["1", "Совещание руководителей школ", "март 2023", "Иванов И.И.", "Протокол", "—"],
        ]
    )  # fmt: skip
    assert parsed.errors == []
    assert fields(parsed) == [
        (2, "1", None, "Совещание руководителей школ", "Иванов И.И.", "март 2023", "Протокол")
    ]
    assert columns(parsed) == [
        ("№", "number", BY_HEADER),
        ("Содержание деятельности", "title", BY_HEADER),
        ("Срок исполнения", "deadline", BY_HEADER),
        ("Ответственный", "owners", BY_HEADER),
        ("Форма завершения", "result", BY_HEADER),
        ("Примечание", "", ""),
    ]
    reading = parsed.measures[0].deadline
    assert (reading.kind, reading.due_dates) == (Kind.MONTH, [date(2023, 3, 31)])


def test_a_two_row_header_in_xlsx_with_merged_cells():
    data = xlsx(
        [
            ["№", "Мероприятие", "Сроки", None, "Ответственные"],
            [None, None, "начало", "окончание", None],
            ["1", "Семинар для учителей математики", "сентябрь 2023", "декабрь 2023",
             "Иванов И.И."],
        ],
        merges=("A1:A2", "B1:B2", "C1:D1", "E1:E2"),
    )  # fmt: skip
    parsed = read_roadmap_file("план.xlsx", data, Y2023_24)
    assert parsed.errors == []
    assert columns(parsed) == [
        ("№", "number", BY_HEADER),
        ("Мероприятие", "title", BY_HEADER),
        ("Сроки начало", "deadline", BY_HEADER),
        ("Сроки окончание", "deadline", BY_HEADER),
        ("Ответственные", "owners", BY_HEADER),
    ]
    assert fields(parsed) == [
        (3, "1", None, "Семинар для учителей математики", "Иванов И.И.",
         "сентябрь 2023 - декабрь 2023", "")
    ]  # fmt: skip
    reading = parsed.measures[0].deadline
    assert (reading.start, reading.end) == (date(2023, 9, 1), date(2023, 12, 31))


def test_a_two_row_header_in_docx_with_grid_spans_and_vertical_merges():
    document = docx.Document()
    table = document.add_table(rows=3, cols=5)
    top, sub, data = table.rows
    for index, text in enumerate(["№", "Мероприятие", "Ответственные", "", "Сроки"]):
        top.cells[index].text = text
    top.cells[0].merge(sub.cells[0])  # vertical merges
    top.cells[1].merge(sub.cells[1])
    top.cells[4].merge(sub.cells[4])
    top.cells[2].merge(top.cells[3]).text = "Ответственные"  # a grid span
    sub.cells[2].text, sub.cells[3].text = "ФИО", "должность"
    for index, text in enumerate(
        ["1", "Анализ результатов ВПР", "Петрова А.А.", "методист", "октябрь 2023"]
    ):
        data.cells[index].text = text
    buffer = io.BytesIO()
    document.save(buffer)
    parsed = read_roadmap_file("план.docx", buffer.getvalue(), Y2023_24)
    assert parsed.errors == []
    assert [(c.header, c.field) for c in parsed.columns] == [
        ("№", "number"), ("Мероприятие", "title"), ("Ответственные ФИО", "owners"),
        ("Ответственные должность", "owners"), ("Сроки", "deadline"),
    ]  # fmt: skip
    assert fields(parsed) == [
        (3, "1", None, "Анализ результатов ВПР", "Петрова А.А.\nметодист", "октябрь 2023", "")
    ]


def test_a_network_schedule_with_planned_start_and_end_columns():
    """The layout of a municipal «сетевой график»: a control indicator before the owner, the
    planned start and end in two columns, the column numbers, a merged priority row."""
    data = docx_builders.docx_table(
        [
            ["N п/п", "Наименование мероприятия", "Контрольный показатель",
             "Ответственный исполнитель", "Плановое начало", "Плановое окончание"],
            ["1", "2", "3", "4", "5", "6"],
            ["1"] + ["Приоритет: модернизация образования"] * 5,
            ["1.1", "Заключение соглашения о взаимодействии", "Соглашение",
             "Управление образования", "20.03.2023", "30.12.2023"],
        ]
    )  # fmt: skip
    parsed = read_roadmap_file("график.docx", data, Y2023_24)
    assert parsed.errors == []
    assert [c.field for c in parsed.columns] == [
        "number", "title", "result", "owners", "deadline", "deadline",
    ]  # fmt: skip
    assert [(s.number, s.title) for s in parsed.sections] == [
        ("1.", "Приоритет: модернизация образования")
    ]
    assert fields(parsed) == [
        (4, "1.1", 0, "Заключение соглашения о взаимодействии", "Управление образования",
         "20.03.2023 - 30.12.2023", "Соглашение"),
    ]  # fmt: skip
    reading = parsed.measures[0].deadline
    assert (reading.start, reading.end) == (date(2023, 3, 20), date(2023, 12, 30))


def test_a_chart_of_quarters_marked_with_crosses_gives_the_marked_quarters():
    layout = next(layout for layout in LAYOUTS if layout.file_name == "график.xlsx")
    parsed = read_roadmap_file(layout.file_name, layout.build(), Y2023_24)
    assert parsed.errors == []
    assert [c.header for c in parsed.columns][3:] == [
        "Сроки выполнения: 2023 год I квартал", "Сроки выполнения: 2023 год II квартал",
        "Сроки выполнения: 2023 год III квартал", "Сроки выполнения: 2023 год IV квартал",
    ]  # fmt: skip
    assert [m.deadline_text for m in parsed.measures] == [
        "I квартал, III квартал 2023 г.",
        "I квартал, II квартал, III квартал, IV квартал 2023 г.",
    ]
    assert parsed.measures[0].deadline.due_dates == [date(2023, 3, 31), date(2023, 9, 30)]


def test_an_untitled_first_column_of_numbers_is_the_number():
    data = docx_builders.docx_table(
        [
            ["", "Мероприятие", "Срок", "Ответственный"],
            ["1", "Анализ результатов ВПР по школам", "октябрь 2023", "Петров П.П."],
            ["2", "Методический семинар для учителей", "ноябрь 2023", "методист ИМЦ"],
        ]
    )
    parsed = read_roadmap_file("план.docx", data, Y2023_24)
    assert parsed.errors == []
    assert columns(parsed)[0] == ("", "number", BY_CONTENT)
    assert fields(parsed) == [
        (2, "1", None, "Анализ результатов ВПР по школам", "Петров П.П.", "октябрь 2023", ""),
        (3, "2", None, "Методический семинар для учителей", "методист ИМЦ", "ноябрь 2023", ""),
    ]


def test_unknown_headers_are_decided_by_content():
    data = csv_bytes(
        [
            ["Колонка 1", "Колонка 2", "Колонка 3", "Колонка 4", "Колонка 5"],
            ["1.1", "Анализ результатов ВПР по школам", "октябрь 2023", "Петров П.П.",
             "Аналитическая справка"],
            ["1.2", "Методический семинар для учителей", "ежеквартально", "директор ОО",
             "Программа семинара"],
        ]
    )  # fmt: skip
    parsed = read_roadmap_file("план.csv", data, Y2023_24)
    assert parsed.errors == []
    assert columns(parsed) == [
        ("Колонка 1", "number", BY_CONTENT),
        ("Колонка 2", "title", BY_CONTENT),
        ("Колонка 3", "deadline", BY_CONTENT),
        ("Колонка 4", "owners", BY_CONTENT),
        ("Колонка 5", "result", BY_CONTENT),
    ]
    assert fields(parsed) == [
        (2, "1.1", None, "Анализ результатов ВПР по школам", "Петров П.П.", "октябрь 2023",
         "Аналитическая справка"),
        (3, "1.2", None, "Методический семинар для учителей", "директор ОО", "ежеквартально",
         "Программа семинара"),
    ]  # fmt: skip


def test_a_table_without_any_header_is_read_by_content():
    parsed = read(
        [
            ["1", "Анализ результатов ВПР по школам", "октябрь 2023", "Управление образования"],
            ["2", "Методический семинар для учителей", "ноябрь 2023", "Сидорова В.В."],
        ]
    )
    assert parsed.errors == []
    assert [c.field for c in parsed.columns] == ["number", "title", "deadline", "owners"]
    assert [m.title for m in parsed.measures] == [
        "Анализ результатов ВПР по школам",
        "Методический семинар для учителей",
    ]


@pytest.mark.django_db
def test_a_file_is_refused_only_when_no_column_can_hold_titles():
    with pytest.raises(ImportRefused) as refused:
        roadmap_import_preview(
            municipality=factories.MunicipalityFactory(), file_name="план.csv",
            data=csv_bytes([["1", "2023", "2024"], ["2", "2023", "2024"]]), period=Y2023_24,
        )  # fmt: skip
    assert "ни один столбец не похож на наименования мероприятий" in str(refused.value)
    assert RoadmapImport.objects.count() == 0


# --- Rows that are not measures ------------------------------------------------------------


def test_column_numbers_bands_repeated_headers_and_notes_are_skipped_with_a_reason():
    parsed = read(
        [
            ["№ п/п", "Наименование мероприятия", "Сроки", "Ответственные"],
            ["1", "2", "3", "4"],
            ["2023 год", "", "", ""],
            ["1", "Совещание руководителей", "май", "УО"],
            ["2", "Семинар для учителей", "декабрь 2024", "ИМЦ"],
            ["№ п/п", "Наименование мероприятия", "Сроки", "Ответственные"],
            ["2024 год", "2024 год", "2024 год", "2024 год"],
            ["3", "Педсовет", "май", "ОО"],
            ["Примечание: ОО – общеобразовательные организации", "", "", ""],
            ["* по согласованию с ИРО", "", "", ""],
        ]
    )
    assert parsed.errors == []
    assert [(m.row, m.number, m.title) for m in parsed.measures] == [
        (4, "1", "Совещание руководителей"), (5, "2", "Семинар для учителей"),
        (8, "3", "Педсовет"),
    ]  # fmt: skip
    # under a year band a deadline without its year is in that year; with a year, as written
    readings = [(m.deadline.kind, m.deadline.due_dates) for m in parsed.measures]
    assert readings == [
        (Kind.MONTH, [date(2023, 5, 31)]),
        (Kind.MONTH, [date(2024, 12, 31)]),
        (Kind.MONTH, [date(2024, 5, 31)]),
    ]
    warnings = {w.row: w.message for w in parsed.warnings}
    assert warnings[2] == "Пропущена: это нумерация столбцов таблицы."
    assert warnings[3] == (
        "Пропущена: «2023 год» делит таблицу по годам или этапам; мероприятиям ниже без года "
        "в сроке взят период 01.01.2023–31.12.2023."
    )
    assert warnings[6] == "Пропущена: повторяет строку заголовков."
    assert "01.01.2024–31.12.2024" in warnings[7]
    assert warnings[9] == warnings[10] == "Пропущена: это примечание к таблице, а не мероприятие."
    assert parsed.sections == []


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("2023 год", (date(2023, 1, 1), date(2023, 12, 31))),
        ("2024 г.", (date(2024, 1, 1), date(2024, 12, 31))),
        ("I этап (2023–2024)", (date(2023, 1, 1), date(2024, 12, 31))),
        ("II этап: 2024 год", (date(2024, 1, 1), date(2024, 12, 31))),
        ("2023-2024 учебный год", (date(2023, 9, 1), date(2024, 8, 31))),
        ("2023/2024 уч. год", (date(2023, 9, 1), date(2024, 8, 31))),
        ("На 2023 год", (date(2023, 1, 1), date(2023, 12, 31))),
        # cut to the roadmap's period
        ("2022-2023 учебный год", (date(2023, 1, 1), date(2023, 8, 31))),
        # outside it: its own years (it used to become the whole period)
        ("2025-2026 учебный год", (date(2025, 9, 1), date(2026, 8, 31))),
        ("Организационные мероприятия", None),
        ("Совещание 2023 года", None),
        ("2023", (date(2023, 1, 1), date(2023, 12, 31))),
    ],
)
def test_band_spans(text, span):
    assert band_span(text, Y2023_24) == span


# --- Sections --------------------------------------------------------------------------------


def test_sections_numbered_in_roman_numerals_letters_and_words_with_restarting_measures():
    parsed = read(
        [
            ["№", "Наименование мероприятия", "Сроки", "Ответственные"],
            ["I.", "Организационные мероприятия", "", ""],
            ["1", "Совещание", "март 2023", "УО"],
            ["2", "Приказ о рабочей группе", "апрель 2023", "УО"],
            ["Раздел 2. Методическая работа", "", "", ""],
            ["1", "Семинар", "май 2023", "ИМЦ"],
            ["Б) Мониторинг", "Б) Мониторинг", "Б) Мониторинг", "Б) Мониторинг"],
            ["1", "ВПР", "апрель 2024", "ОО"],
            ["IV", "Контроль", "", ""],
            ["1", "Отчёт", "декабрь 2024", "УО"],
            ["2. Информационное сопровождение", "", "", ""],
            ["1", "Публикации на сайте", "ежеквартально", "УО"],
        ]
    )
    assert parsed.errors == []
    assert [(s.number, s.title) for s in parsed.sections] == [
        ("I.", "Организационные мероприятия"),
        ("Раздел 2.", "Методическая работа"),
        ("Б)", "Мониторинг"),
        ("IV", "Контроль"),
        ("2.", "Информационное сопровождение"),
    ]
    # numbers restart in each section and are kept as written, without a complaint
    assert [(m.number, m.section) for m in parsed.measures] == [
        ("1", 0), ("2", 0), ("1", 1), ("1", 2), ("1", 3), ("1", 4),
    ]  # fmt: skip
    assert parsed.warnings == []


def test_a_measure_numbered_with_a_digit_and_no_details_stays_a_measure():
    # «2 | title | (empty)» followed by its sibling «3» used to become a section silently, and
    # «3» moved under it
    data = (
        "№ п/п;Наименование мероприятия;Срок исполнения;Ответственный;Ожидаемый результат\n"
        "1;Провести анализ результатов ВПР;октябрь 2023;Иванов И.И.;Справка\n"
        "2;Разработать программы помощи школам;;;\n"
        "3;Организовать семинар для учителей;ноябрь 2023;Петров П.П.;Протокол\n"
    ).encode()
    parsed = read_roadmap_file("план.csv", data, Y2023_24)
    assert parsed.errors == []
    assert parsed.sections == []
    assert [(m.number, m.section, m.title, m.deadline_text) for m in parsed.measures] == [
        ("1", None, "Провести анализ результатов ВПР", "октябрь 2023"),
        ("2", None, "Разработать программы помощи школам", ""),
        ("3", None, "Организовать семинар для учителей", "ноябрь 2023"),
    ]
    assert [w.row for w in parsed.warnings if "Срок не указан" in w.message] == [3]


def test_a_digit_numbered_row_without_details_is_a_section_when_the_rows_below_say_so():
    parsed = read(
        [
            ["№", "Наименование мероприятия", "Сроки", "Ответственные"],
            ["1", "Организационные мероприятия", "", ""],
            ["1.1", "Совещание", "март 2023", "УО"],
            ["2", "Методическая работа", "", ""],
            ["1", "Семинар", "май 2023", "ИМЦ"],
            ["2", "Вебинар", "июнь 2023", "ИМЦ"],
        ]
    )
    assert parsed.errors == []
    assert [(s.number, s.title) for s in parsed.sections] == [
        ("1.", "Организационные мероприятия"), ("2.", "Методическая работа"),
    ]  # fmt: skip
    assert [(m.number, m.section) for m in parsed.measures] == [("1.1", 0), ("1", 1), ("2", 1)]


# --- The contract and the confirm ----------------------------------------------------------


def test_parsed_as_dict_and_back():
    parsed = read_roadmap_file("000.docx", docx_builders.seed_000_docx(), Y2023_24)
    data = parsed.as_dict()
    assert Parsed.from_dict(data) == parsed
    assert set(data) == {
        "title", "period", "order", "sections", "measures", "errors", "warnings", "columns",
    }  # fmt: skip
    assert set(data["measures"][0]) == {
        "row", "number", "section", "title", "owners_text", "deadline_text", "planned_result",
        "deadline",
    }  # fmt: skip
    assert data["columns"][3] == {
        "index": 3, "header": "Сроки реализации", "field": "deadline", "by": "header",
    }  # fmt: skip


@pytest.mark.django_db
def test_the_confirm_saves_the_reading_seen_in_the_preview_not_a_new_one():
    record = roadmap_import_preview(
        municipality=factories.MunicipalityFactory(), file_name="000.docx",
        data=docx_builders.seed_000_docx(), period=(date(2022, 1, 1), date(2022, 12, 31)),
    )  # fmt: skip
    first = record.parsed["measures"][0]
    assert first["deadline_text"] == "Февраль 2022г."
    # the stored reading differs from what the engine gives for the text: the confirm keeps it
    first["deadline"] = Deadline(
        text="Февраль 2022г.", kind=Kind.DATE, start=date(2022, 2, 15), end=date(2022, 2, 15),
        due_dates=[date(2022, 2, 15)], needs_review=True, note="проверено вручную",
    ).as_dict()  # fmt: skip
    record.save(update_fields=["parsed"])
    roadmap = roadmap_import_confirm(roadmap_import=record)
    measure = roadmap.measures.get(position=1)
    reading = measure.deadline
    assert (reading.kind, reading.start, reading.end, reading.due_dates) == (
        Kind.DATE, date(2022, 2, 15), date(2022, 2, 15), [date(2022, 2, 15)],
    )  # fmt: skip
    assert (reading.needs_review, reading.note) == (True, "проверено вручную")
    assert list(measure.occurrences.filter(kind="due").values_list("due_on", flat=True)) == [
        date(2022, 2, 15)
    ]


@pytest.mark.django_db
def test_measures_under_a_band_are_saved_with_the_bands_year():
    data = csv_bytes(
        [
            ["№", "Мероприятие", "Срок исполнения", "Ответственный"],
            ["2024 год", "", "", ""],
            ["1", "Итоговое совещание", "декабрь", "Управление образования"],
        ]
    )
    record = roadmap_import_preview(
        municipality=factories.MunicipalityFactory(), file_name="план.csv", data=data,
        period=Y2023_24, title="План",
    )  # fmt: skip
    roadmap = roadmap_import_confirm(roadmap_import=record)
    assert roadmap.measures.get().deadline.due_dates == [date(2024, 12, 31)]


def test_field_accuracy_on_published_layouts():
    """Every field of the layouts in tests/import_layouts.py read exactly (before this work:
    83 of 168, a header in unknown words refused the whole file)."""
    right, total, per_layout = field_accuracy()
    assert {name: hits for name, (hits, count) in per_layout.items() if hits != count} == {}
    assert (right, total) == (154, 154)


@pytest.mark.django_db
def test_reassigning_columns_needs_the_file_and_a_title_column_and_changes_nothing_otherwise():
    record = roadmap_import_preview(
        municipality=factories.MunicipalityFactory(), file_name="000.docx",
        data=docx_builders.seed_000_docx(), period=(date(2022, 1, 1), date(2022, 12, 31)),
    )  # fmt: skip
    before = record.parsed
    # the command line's preview keeps no file
    with pytest.raises(ImportRefused, match="Файл этого импорта не сохранён"):
        roadmap_import_reassign(roadmap_import=record, columns={0: "number", 1: "title"})
    RoadmapImport.objects.filter(pk=record.pk).update(data=docx_builders.seed_000_docx())
    with pytest.raises(ImportRefused, match="Укажите столбец «Наименование мероприятия»"):
        roadmap_import_reassign(roadmap_import=record, columns={0: "number", 1: "result"})
    with pytest.raises(ImportRefused, match="Неизвестное поле: colour"):
        roadmap_import_reassign(roadmap_import=record, columns={1: "title", 2: "colour"})
    record.refresh_from_db()
    assert record.parsed == before
    # the owners column taken as the title: the new reading is what the confirm saves
    roadmap_import_reassign(roadmap_import=record, columns={0: "number", 2: "title", 3: "deadline"})
    record.refresh_from_db()
    assert record.status == RoadmapImport.Status.QUEUED  # read again by the read task
    roadmap_import_read(import_id=record.pk)
    record.refresh_from_db()
    assert record.status == RoadmapImport.Status.PREVIEW
    roadmap = roadmap_import_confirm(roadmap_import=record)
    first = roadmap.measures.get(position=1)
    assert (first.number, first.title, first.owners_text, first.planned_result) == (
        "1.1", "Бозиев А.Т.\nАттоев А.А.\nКульбаева А.В.\nАнахаева А.Х.", "", "",
    )  # fmt: skip


# --- Held-out layouts (tests/fixtures/real_layouts 11-19) -------------------------------------


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("Номер и наименование основного мероприятия", "title"),
        ("Номер и наименование ведомственной целевой программы, основного мероприятия", "title"),
        ("Последствия нереализации основного мероприятия", "ignored"),
        ("Связь с показателями государственной программы (подпрограммы)", "ignored"),
        ("Номер", "number"),
        ("Направления деятельности", "section"),
    ],
)
def test_header_words_of_held_out_roadmaps(header, field):
    assert header_field(header) == field


def test_a_title_column_headed_with_a_section_word_is_decided_by_its_content():
    """«Направления деятельности» heads the measures' titles in GIA plans: the file is read, not
    refused for a header name, and the preview says the column was decided by content."""
    parsed = read(
        [
            ["N п/п", "Направления деятельности", "Сроки", "Ответственные лица"],
            ["I. Организационное сопровождение ГИА-11"] * 4,
            ["1", "Составление ежемесячного плана подготовки ГИА", "до 25 числа каждого месяца",
             "Ф.Л. Балкизова"],
            ["2", "Подготовка распорядительных документов", "январь-май 2024", "Б.С. Муртазов"],
        ]
    )  # fmt: skip
    assert parsed.errors == []
    assert columns(parsed) == [
        ("N п/п", "number", BY_HEADER), ("Направления деятельности", "title", BY_CONTENT),
        ("Сроки", "deadline", BY_HEADER), ("Ответственные лица", "owners", BY_HEADER),
    ]  # fmt: skip
    assert [(s.number, s.title) for s in parsed.sections] == [
        ("I.", "Организационное сопровождение ГИА-11")
    ]
    assert fields(parsed) == [
        (3, "1", 0, "Составление ежемесячного плана подготовки ГИА", "Ф.Л. Балкизова",
         "до 25 числа каждого месяца", ""),
        (4, "2", 0, "Подготовка распорядительных документов", "Б.С. Муртазов",
         "январь-май 2024", ""),
    ]  # fmt: skip


def test_a_stage_row_with_its_own_dates_is_a_section_said_not_a_measure():
    parsed = read(
        [
            ["№ п/п", "Мероприятия", "Установленные сроки проведения мероприятия",
             "Ответственные исполнители"],
            ["I.", "Этап подготовки", "ноябрь 2023 – май 2024г.", ""],
            ["1.", "Организационные мероприятия", "", ""],
            ["1.1.", "Утверждение схемы проведения ГИА-9", "до 25 ноября 2023г.", "Министерство"],
        ]
    )  # fmt: skip
    assert parsed.errors == []
    assert [(s.number, s.title) for s in parsed.sections] == [
        ("I.", "Этап подготовки"), ("1.", "Организационные мероприятия"),
    ]  # fmt: skip
    assert [(m.number, m.section, m.title) for m in parsed.measures] == [
        ("1.1.", 1, "Утверждение схемы проведения ГИА-9")
    ]
    assert {w.row: w.message for w in parsed.warnings}[2] == (
        "Строка «I. Этап подготовки» прочитана как раздел (этап плана): под ней пункты с "
        "арабской нумерацией. Её срок и исполнители «ноябрь 2023 – май 2024г.» к мероприятиям "
        "не перенесены — проверьте."
    )


def test_roman_numbered_measures_with_dates_stay_measures():
    parsed = read(
        [
            ["№", "Мероприятие", "Срок", "Ответственный"],
            ["I.", "Совещание руководителей", "май 2023", "УО"],
            ["II.", "Семинар для учителей", "июнь 2023", "ИМЦ"],
        ]
    )
    assert parsed.sections == []
    assert [(m.number, m.title) for m in parsed.measures] == [
        ("I.", "Совещание руководителей"), ("II.", "Семинар для учителей"),
    ]  # fmt: skip


def test_a_number_printed_in_the_title_and_a_total_row_with_its_sums():
    parsed = read(
        [
            ["Мероприятия", "Стоимость в тыс. руб.", "Сроки", "Ответственные"],
            ["1. Приобретение ученической мебели", "552,0", "II - III кв. 2023", "руководители ОУ"],
            ["2. Приобретение учебников", "549,0", "I кв. 2023", "руководители МОУ СОШ"],
            ["Итого:", "1101,0", "", ""],
        ]
    )  # fmt: skip
    assert parsed.errors == []
    assert [(m.number, m.title, m.owners_text) for m in parsed.measures] == [
        ("1.", "Приобретение ученической мебели", "руководители ОУ"),
        ("2.", "Приобретение учебников", "руководители МОУ СОШ"),
    ]
    assert {w.row: w.message for w in parsed.warnings}[4] == (
        "Пропущена: это итоговая строка, а не мероприятие."
    )


def test_a_number_in_the_title_is_kept_when_a_column_holds_the_numbers():
    parsed = read(
        [
            ["N", "Номер и наименование основного мероприятия", "Срок", "Ответственный"],
            ["1.", "1.1. Реализация общеобразовательных программ", "2023", "Управление"],
        ]
    )
    assert [(m.number, m.title) for m in parsed.measures] == [
        ("1.", "1.1. Реализация общеобразовательных программ")
    ]


def test_a_measure_with_header_words_in_its_texts_is_not_a_repeated_header():
    parsed = read(
        [
            ["N п/п", "Пошаговые мероприятия", "Контрольные показатели реализации", "Срок"],
            ["2.1", "Проведение муниципального этапа всероссийской олимпиады школьников",
             "Число участников не менее 1200", "+"],
            ["2.2", "Проведение конкурса «Учитель года»", "Число участников", "декабрь 2023"],
        ]
    )  # fmt: skip
    assert [m.number for m in parsed.measures] == ["2.1", "2.2"]
    assert all("повторяет" not in w.message for w in parsed.warnings)


def test_sections_named_subprogramme_and_task_keep_their_word():
    parsed = read(
        [
            ["N п/п", "Наименование мероприятия", "Срок", "Ответственный"],
            ['Подпрограмма 1 "Развитие общего образования"'] * 4,
            ["1.", "Реализация общеобразовательных программ", "2023", "Комитет образования"],
            ['Задача 2. "Развитие кадрового потенциала"'] * 4,
            ["2.", "Повышение квалификации педагогов", "2024", "Комитет образования"],
        ]
    )
    assert [(s.number, s.title) for s in parsed.sections] == [
        ("Подпрограмма 1", '"Развитие общего образования"'),
        ("Задача 2.", '"Развитие кадрового потенциала"'),
    ]
    assert [(m.number, m.section) for m in parsed.measures] == [("1.", 0), ("2.", 1)]


def test_a_short_measure_with_a_date_is_not_a_repeated_header():
    parsed = read(
        [
            ["N", "Мероприятие", "Срок", "Ответственные"],
            ["3", "Мониторинг заявок", "До 09.02.2024", "Региональные координаторы"],
            ["4", "Выверка списка координаторов", "До 14.02.2024", "Региональные координаторы"],
            ["N", "Мероприятие", "Срок", "Ответственные"],
        ]
    )
    assert [(m.number, m.deadline_text) for m in parsed.measures] == [
        ("3", "До 09.02.2024"), ("4", "До 14.02.2024"),
    ]  # fmt: skip
    assert {w.row: w.message for w in parsed.warnings} == {
        4: "Пропущена: повторяет строку заголовков."
    }


def test_xlsx_merged_owners_and_deadline_are_read_in_every_row_they_cover():
    data = xlsx(
        [
            ["№", "Наименование мероприятия", "Срок", "Ответственный"],
            ["1", "Совещание руководителей", "май 2023", "Управление образования"],
            ["2", "Семинар для учителей", None, None],
            ["3", "Педсовет", "июнь 2023", "ИМЦ"],
        ],
        merges=("C2:C3", "D2:D3"),
    )
    parsed = read_roadmap_file("план.xlsx", data, Y2023_24)
    assert parsed.errors == []
    assert [(m.number, m.owners_text, m.deadline_text) for m in parsed.measures] == [
        ("1", "Управление образования", "май 2023"),
        ("2", "Управление образования", "май 2023"),
        ("3", "ИМЦ", "июнь 2023"),
    ]


def test_measures_under_a_band_outside_the_period_are_flagged_not_moved_into_it():
    parsed = read(
        [
            ["№", "Наименование мероприятия", "Сроки", "Ответственные"],
            ["2024-2025 учебный год", "", "", ""],
            ["1", "Совещание руководителей", "октябрь", "УО"],
        ],
        period=(date(2023, 9, 1), date(2024, 8, 31)),
    )
    assert parsed.errors == []
    measure = parsed.measures[0]
    # October of the band (2024), not of the roadmap (2023), and flagged
    assert measure.deadline.due_dates == [date(2024, 10, 31)]
    assert measure.deadline.needs_review
    assert measure.deadline.note == "Срок вне периода дорожной карты."
    warnings = {w.row: w.message for w in parsed.warnings}
    assert warnings[2] == (
        "Пропущена: «2024-2025 учебный год» делит таблицу по годам или этапам; мероприятиям "
        "ниже без года в сроке взят период 01.09.2024–31.08.2025 — он вне периода дорожной "
        "карты: проверьте период или сроки."
    )
    assert warnings[3] == "Срок вне периода дорожной карты."


@pytest.mark.django_db
def test_a_deadline_read_under_a_band_survives_an_unrelated_edit():
    from measures.services import measure_save

    data = (
        "№;Наименование мероприятия;Сроки;Ответственные\n"
        "2024 год;;;\n"
        "1;Совещание руководителей;май;УО\n"
        "2;Педсовет;май 2023;ОО\n"
    ).encode()
    record = roadmap_import_preview(
        municipality=factories.MunicipalityFactory(), file_name="план.csv", data=data,
        period=Y2023_24, title="План с годами",
    )  # fmt: skip
    roadmap = roadmap_import_confirm(roadmap_import=record)
    under_band = roadmap.measures.get(number="1")
    assert under_band.deadline.due_dates == [date(2024, 5, 31)]
    assert under_band.deadline_corrected
    assert under_band.deadline_note == "Год срока взят из строки таблицы «2024 год»."
    under_band.planned_result = "Протокол"  # an edit that has nothing to do with the deadline
    measure_save(measure=under_band)
    under_band.refresh_from_db()
    # read again from «май» with the roadmap's period it would become May 2023 and May 2024
    assert under_band.deadline.due_dates == [date(2024, 5, 31)]
    assert list(under_band.occurrences.values_list("due_on", flat=True)) == [date(2024, 5, 31)]
    # a deadline with its own year is the engine's reading as before
    assert not roadmap.measures.get(number="2").deadline_corrected
