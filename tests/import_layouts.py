"""Tables laid out as municipalities publish them (not the seeds), each with the fields a careful
person reads from it: the importer's field accuracy is measured on them
(`field_accuracy()`, run by tests/test_import_tables.py)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import docx
import openpyxl

from tests import docx_builders

Y2023_24 = (date(2023, 1, 1), date(2024, 12, 31))
# (section number, section title, number, title, owners, deadline text, result)
Expected = tuple[str, str, str, str, str, str, str]


@dataclass
class Layout:
    name: str
    file_name: str
    build: Callable[[], bytes]
    expected: list[Expected]
    period: tuple[date, date] = Y2023_24


def xlsx(rows: list[list[str | None]], merges: tuple[str, ...] = ()) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for values in rows:
        sheet.append(values)
    for cells in merges:
        sheet.merge_cells(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    return buffer.getvalue().encode("cp1251")


def _docx_two_row_owners() -> bytes:
    document = docx.Document()
    document.add_paragraph("Приложение к приказу")
    table = document.add_table(rows=4, cols=5)
    top, sub, first, second = table.rows
    for index, text in enumerate(["№", "Мероприятие", "Ответственные", "", "Сроки"]):
        top.cells[index].text = text
    top.cells[0].merge(sub.cells[0])
    top.cells[1].merge(sub.cells[1])
    top.cells[4].merge(sub.cells[4])
    top.cells[2].merge(top.cells[3]).text = "Ответственные"
    sub.cells[2].text, sub.cells[3].text = "ФИО", "должность"
    for row, values in (
        (first, ["1", "Анализ результатов ВПР", "Петрова А.А.", "методист", "октябрь 2023"]),
        (second, ["2", "Совещание с директорами", "Орлов Б.Б.", "начальник УО", "ноябрь 2023"]),
    ):
        for index, text in enumerate(values):
            row.cells[index].text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


LAYOUTS = [
    Layout(
        "слова заголовков, нумерация столбцов, примечание",
        "план.docx",
        lambda: docx_builders.docx_table(
            [
                ["№ п/п", "Содержание деятельности", "Срок исполнения", "Ответственный",
                 "Форма завершения", "Примечание"],
                ["1", "2", "3", "4", "5", "6"],
                ["1", "Совещание руководителей школ", "март 2023", "Иванов И.И.", "Протокол", ""],
                ["2", "Диагностика учителей математики", "апрель 2023", "ИМЦ",
                 "Аналитическая справка", "по согласованию"],
                ["Примечание: ИМЦ – информационно-методический центр"] * 6,
            ]
        ),
        [
            ("", "", "1", "Совещание руководителей школ", "Иванов И.И.", "март 2023", "Протокол"),
            ("", "", "2", "Диагностика учителей математики", "ИМЦ", "апрель 2023",
             "Аналитическая справка"),
        ],
    ),
    Layout(
        "шапка в две строки (XLSX, объединённые ячейки)",
        "план.xlsx",
        lambda: xlsx(
            [
                ["№", "Мероприятие", "Сроки", None, "Ответственные"],
                [None, None, "начало", "окончание", None],
                ["1", "Семинар для учителей математики", "сентябрь 2023", "декабрь 2023",
                 "Иванов И.И."],
                ["2", "Пробный экзамен", "март 2024", "апрель 2024", "Сидорова В.В."],
            ],
            merges=("A1:A2", "B1:B2", "C1:D1", "E1:E2"),
        ),
        [
            ("", "", "1", "Семинар для учителей математики", "Иванов И.И.",
             "сентябрь 2023 - декабрь 2023", ""),
            ("", "", "2", "Пробный экзамен", "Сидорова В.В.", "март 2024 - апрель 2024", ""),
        ],
    ),
    Layout(
        "шапка в две строки (DOCX, gridSpan и vMerge)",
        "план.docx",
        _docx_two_row_owners,
        [
            ("", "", "1", "Анализ результатов ВПР", "Петрова А.А.\nметодист", "октябрь 2023", ""),
            ("", "", "2", "Совещание с директорами", "Орлов Б.Б.\nначальник УО", "ноябрь 2023",
             ""),
        ],
    ),
    Layout(
        "первый столбец без заголовка",
        "план.docx",
        lambda: docx_builders.docx_table(
            [
                ["", "Мероприятие", "Срок", "Ответственный"],
                ["1", "Анализ результатов ВПР по школам", "октябрь 2023", "Петров П.П."],
                ["2", "Методический семинар для учителей", "ноябрь 2023", "методист ИМЦ"],
            ]
        ),
        [
            ("", "", "1", "Анализ результатов ВПР по школам", "Петров П.П.", "октябрь 2023", ""),
            ("", "", "2", "Методический семинар для учителей", "методист ИМЦ", "ноябрь 2023",
             ""),
        ],
    ),
    Layout(
        "незнакомые заголовки (CSV в Windows-1251)",
        "план.csv",
        lambda: csv_bytes(
            [
                ["Колонка 1", "Колонка 2", "Колонка 3", "Колонка 4", "Колонка 5"],
                ["1.1", "Анализ результатов ВПР по школам", "октябрь 2023", "Петров П.П.",
                 "Аналитическая справка"],
                ["1.2", "Методический семинар для учителей", "ежеквартально", "директор ОО",
                 "Программа семинара"],
            ]
        ),
        [
            ("", "", "1.1", "Анализ результатов ВПР по школам", "Петров П.П.", "октябрь 2023",
             "Аналитическая справка"),
            ("", "", "1.2", "Методический семинар для учителей", "директор ОО", "ежеквартально",
             "Программа семинара"),
        ],
    ),
    Layout(
        "таблица без шапки (XLSX)",
        "план.xlsx",
        lambda: xlsx(
            [
                ["1", "Анализ результатов ВПР по школам", "октябрь 2023",
                 "Управление образования"],
                ["2", "Методический семинар для учителей", "ноябрь 2023", "Сидорова В.В."],
            ]
        ),
        [
            ("", "", "1", "Анализ результатов ВПР по школам", "Управление образования",
             "октябрь 2023", ""),
            ("", "", "2", "Методический семинар для учителей", "Сидорова В.В.", "ноябрь 2023",
             ""),
        ],
    ),
    Layout(
        "полосы по годам и повторённая шапка",
        "план.csv",
        lambda: csv_bytes(
            [
                ["№ п/п", "Наименование мероприятия", "Сроки", "Ответственные"],
                ["2023 год", "", "", ""],
                ["1", "Совещание руководителей", "май", "УО"],
                ["№ п/п", "Наименование мероприятия", "Сроки", "Ответственные"],
                ["2024 год", "", "", ""],
                ["1", "Педсовет", "май", "ОО"],
            ]
        ),
        [
            ("", "", "1", "Совещание руководителей", "УО", "май", ""),
            ("", "", "1", "Педсовет", "ОО", "май", ""),
        ],
    ),
    Layout(
        "разделы римскими цифрами, буквами и «Раздел N.»",
        "план.docx",
        lambda: docx_builders.docx_table(
            [
                ["№", "Наименование мероприятия", "Сроки", "Ответственные"],
                ["I.", "Организационные мероприятия", "", ""],
                ["1", "Совещание", "март 2023", "УО"],
                ["Раздел 2. Методическая работа"] * 4,
                ["1", "Семинар", "май 2023", "ИМЦ"],
                ["Б) Мониторинг", "", "", ""],
                ["1", "ВПР", "апрель 2024", "ОО"],
            ]
        ),
        [
            ("I.", "Организационные мероприятия", "1", "Совещание", "УО", "март 2023", ""),
            ("Раздел 2.", "Методическая работа", "1", "Семинар", "ИМЦ", "май 2023", ""),
            ("Б)", "Мониторинг", "1", "ВПР", "ОО", "апрель 2024", ""),
        ],
    ),
    Layout(
        "сетевой график: плановое начало и окончание",
        "график.docx",
        lambda: docx_builders.docx_table(
            [
                ["N п/п", "Наименование мероприятия", "Контрольный показатель",
                 "Ответственный исполнитель", "Плановое начало", "Плановое окончание"],
                ["1", "2", "3", "4", "5", "6"],
                ["1"] + ["Приоритет: модернизация образования"] * 5,
                ["1.1", "Заключение соглашения о взаимодействии", "Соглашение",
                 "Управление образования", "20.03.2023", "30.12.2023"],
            ]
        ),
        [
            ("1.", "Приоритет: модернизация образования", "1.1",
             "Заключение соглашения о взаимодействии", "Управление образования",
             "20.03.2023 - 30.12.2023", "Соглашение"),
        ],
    ),
    Layout(
        "график по кварталам, отмеченным «х» (XLSX)",
        "график.xlsx",
        lambda: xlsx(
            [
                ["N п/п", "Пошаговые мероприятия", "Контрольные показатели реализации",
                 "Сроки выполнения: 2023 год", None, None, None],
                [None, None, None, "I квартал", "II квартал", "III квартал", "IV квартал"],
                ["1", "2", "3", "4", "5", "6", "7"],
                ["1. Создание нормативной базы", None, None, None, None, None, None],
                ["1.1", "Разработка положения о сетевом взаимодействии", "Положение утверждено",
                 "х", None, "х", None],
                ["1.2", "Мониторинг результатов", "Справка", "+", "+", "+", "+"],
            ],
            merges=("A1:A2", "B1:B2", "C1:C2", "D1:G1", "A4:G4"),
        ),
        [
            ("1.", "Создание нормативной базы", "1.1",
             "Разработка положения о сетевом взаимодействии", "",
             "I квартал, III квартал 2023 г.", "Положение утверждено"),
            ("1.", "Создание нормативной базы", "1.2", "Мониторинг результатов", "",
             "I квартал, II квартал, III квартал, IV квартал 2023 г.", "Справка"),
        ],
    ),
    Layout(
        "план подготовки к учебному году (нумерация «1.» без разделов)",
        "план.docx",
        lambda: docx_builders.docx_table(
            [
                ["N п/п", "Наименование мероприятия", "Срок исполнения",
                 "Ответственные исполнители"],
                ["1", "2", "3", "4"],
                ["1.", "Сбор информации о ходе устранения нарушений", "еженедельно",
                 "Министерство образования, органы местного самоуправления (по согласованию)"],
                ["2.", "Обобщение информации о реорганизации сети школ", "до 15 июня 2023",
                 "Министерство образования"],
            ]
        ),
        [
            ("", "", "1.", "Сбор информации о ходе устранения нарушений",
             "Министерство образования, органы местного самоуправления (по согласованию)",
             "еженедельно", ""),
            ("", "", "2.", "Обобщение информации о реорганизации сети школ",
             "Министерство образования", "до 15 июня 2023", ""),
        ],
    ),
]  # fmt: skip


def fields_read(layout: Layout) -> list[Expected]:
    from measures.importing import read_roadmap_file

    parsed = read_roadmap_file(layout.file_name, layout.build(), layout.period)
    # as_dict: the same for every version of the import contract
    data = parsed.as_dict()
    rows = []
    for m in data["measures"]:
        section = data["sections"][m["section"]] if m["section"] is not None else None
        rows.append(
            (section["number"] if section else "", section["title"] if section else "",
             m["number"], m["title"], m["owners_text"], m["deadline_text"], m["planned_result"])
        )  # fmt: skip
    return rows


def field_accuracy() -> tuple[int, int, dict[str, tuple[int, int]]]:
    """(fields read exactly, fields expected, per layout): a measure missing or extra counts
    all its fields wrong."""
    right = total = 0
    per_layout = {}
    for layout in LAYOUTS:
        read = fields_read(layout)
        count = max(len(read), len(layout.expected)) * 7
        hits = sum(
            1
            for got, want in zip(read, layout.expected, strict=False)
            for a, b in zip(got, want, strict=True)
            if a == b
        )
        per_layout[layout.name] = (hits, count)
        right += hits
        total += count
    return right, total, per_layout
