"""Reading roadmaps from the files municipalities keep: DOCX appendices, XLSX and CSV tables.

`read_roadmap_file(name, data, period)` checks the file (type, size, zip bomb, password),
reads its table rows, and interprets them into the structure the preview shows and the import
saves (`Parsed.as_dict()`, the same as `import_roadmap --dry-run --json`). It touches no database
and never raises for a bad file: every problem becomes an error with its row and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _

from measures.deadlines import parse_deadline
from measures.import_files import (  # noqa: F401 (the import's public names)
    CSV_ENCODINGS,
    MAX_FILE_SIZE,
    MAX_ROWS,
    FileRefused,
    ReadBudget,
    Row,
    check_file,
    clean_cell,
    csv_rows,
    docx_rows,
    xlsx_rows,
)
from measures.import_preamble import read_preamble
from measures.models import Measure, Section

# The period of an imported roadmap.
MIN_PERIOD_YEAR = 2000
MAX_PERIOD_YEAR = 2100
MAX_PERIOD_YEARS = 10

FIELDS = ("section", "number", "title", "owners", "deadline", "result")
COLUMN_LABELS = {
    "section": "Раздел",
    "number": "№ п/п",
    "title": "Наименование мероприятия",
    "owners": "Ответственные исполнители",
    "deadline": "Сроки реализации",
    "result": "Планируемый результат",
}
HEADER_SYNONYMS = {
    "section": ["раздел", "направление", "раздел (направление)"],
    "number": ["№ п/п", "№п/п", "№", "n₂", "n2", "n", "№ п\\п", "n п/п", "номер", "№ пп", "п/п"],
    "title": [
        "наименование мероприятия", "наименование мероприятий", "мероприятия", "мероприятие",
        "мероприятие (содержание деятельности)", "содержание деятельности",
        "содержание мероприятия", "наименование", "мероприятия (содержание работы)",
    ],
    "owners": [
        "ответственные исполнители", "ответственные", "исполнители", "ответственный",
        "ответственный исполнитель", "исполнитель", "ответственные лица",
    ],
    "deadline": [
        "сроки реализации", "сроки", "сроки исполнения", "срок", "срок исполнения",
        "срок реализации", "сроки проведения", "срок проведения", "дата проведения",
    ],
    "result": [
        "планируемый результат", "результат", "результат исполнения", "планируемые результаты",
        "ожидаемый результат", "ожидаемые результаты", "результаты", "показатель результата",
    ],
}  # fmt: skip


@dataclass
class Parsed:
    title: str = ""
    period: tuple[date, date] | None = None
    order: dict[str, str] = field(default_factory=dict)
    sections: list[dict[str, str]] = field(default_factory=list)
    measures: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def error(self, message: str, row: int | None = None, column: str | None = None) -> None:
        self.errors.append({"row": row, "column": column, "message": message})

    def warn(self, message: str, row: int | None = None, column: str | None = None) -> None:
        self.warnings.append({"row": row, "column": column, "message": message})

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "period": (
                f"{self.period[0].isoformat()}:{self.period[1].isoformat()}"
                if self.period
                else None
            ),
            "order": self.order or None,
            "sections": self.sections,
            "measures": self.measures,
            "errors": self.errors,
            "warnings": self.warnings,
        }


# --- Text ----------------------------------------------------------------------------------


def _header_key(text: str) -> str:
    value = clean_cell(text).lower().replace("ё", "е").replace("\n", " ")
    value = value.replace("n₂", "№").replace("n°", "№")
    return re.sub(r"\s+", " ", value).strip(" :.")


HEADER_WORDS = {word for synonyms in HEADER_SYNONYMS.values() for word in synonyms} | {
    "примечание", "примечания", "отметка о выполнении", "информация о выполнении",
    "источник финансирования", "финансирование",
}  # fmt: skip


def _header_word(text: str) -> str:
    """A header cell without its qualifiers: «Срок исполнения (квартал, год)*» → «срок
    исполнения»."""
    key = re.sub(r"\([^)]*\)|\[[^\]]*\]|[*«»\"]", " ", _header_key(text))
    return re.sub(r"\s+", " ", key).strip(" :.,")


def repeats_header(cells: list[str], labels: dict[str, str]) -> bool:
    """A row that really repeats the header (a table continued on the next page): most of its
    filled cells are header words or the labels of the header found first. A measure whose
    title starts with «Мероприятия…» and result with «Результат…» is not one."""
    known = {_header_word(word) for word in HEADER_WORDS | set(labels.values())}
    filled = [_header_word(cell) for cell in cells if cell.strip()]
    words = sum(1 for key in filled if key in known)
    return words >= 2 and words * 2 >= len(filled)


def numbers_columns(cells: list[str]) -> bool:
    """The row of column numbers under a header: «1 | 2 | 3 | 4 | 5»."""
    filled = [cell.strip().rstrip(".") for cell in cells if cell.strip()]
    return len(filled) >= 3 and filled == [str(n) for n in range(1, len(filled) + 1)]


def header_mapping(cells: list[str]) -> dict[str, int] | None:
    """Map a header row's columns to fields, or None when the row is not a header."""
    mapping: dict[str, int] = {}
    for index, cell in enumerate(cells):
        key = _header_key(cell)
        if not key:
            continue
        for name, synonyms in HEADER_SYNONYMS.items():
            if name in mapping:
                continue
            if key in synonyms or (
                name != "number" and any(key.startswith(s) for s in synonyms if len(s) > 4)
            ):
                mapping[name] = index
                break
    if "title" not in mapping or len(mapping) < 2:
        return None
    return mapping


SECTION_RE = re.compile(r"^(?P<number>(?:раздел\s+)?[\dIVXivx]+\.?)\s+(?P<title>\S.*)$", re.S)
MEASURE_NUMBER_IN_TITLE = re.compile(r"^(?P<number>\d+(?:\.\d+)+\.?)\s+(?P<title>\S.*)$", re.S)


def split_section(text: str) -> tuple[str, str]:
    text = clean_cell(text).replace("\n", " ")
    if m := SECTION_RE.match(text):
        number = m["number"]
        if not number.endswith(".") and number[-1].isdigit():
            number += "."
        return number, m["title"].strip()
    return "", text


# --- Interpretation of rows ----------------------------------------------------------------


def interpret(rows: list[Row], period: tuple[date, date] | None, preamble: list[str]) -> Parsed:
    parsed = Parsed(period=period)
    read_preamble(parsed, preamble)
    mapping: dict[str, int] | None = None
    labels: dict[str, str] = {}
    section_index: int | None = None
    section_by_text: dict[str, int] = {}
    skipped_before_header: list[int] = []
    if len(rows) > MAX_ROWS:
        parsed.error(
            _("В таблице %(count)s строк; больше %(max)s строк за один раз не принимается.")
            % {"count": len(rows), "max": MAX_ROWS}
        )
        return parsed

    for row in rows:
        cells = [clean_cell(c) for c in row.cells]
        if not any(cells):
            continue
        candidate = header_mapping(cells)
        if candidate is not None and (mapping is None or repeats_header(cells, labels)):
            if mapping is not None:
                parsed.warn(_("Пропущена: повторяет строку заголовков."), row.number)
            if mapping is None or set(candidate) >= set(mapping) - {"section"}:
                mapping = candidate
                labels = {name: cells[index].replace("\n", " ") for name, index in mapping.items()}
            continue  # the header (also one repeated on a continued table)
        if mapping is None:
            skipped_before_header.append(row.number)
            continue
        if numbers_columns(cells):
            parsed.warn(_("Пропущена: это нумерация столбцов таблицы."), row.number)
            continue

        def value(name: str, cells: list[str] = cells, mapping: dict[str, int] = mapping) -> str:
            index = mapping.get(name)
            return cells[index] if index is not None and index < len(cells) else ""

        filled = [c for c in cells if c]
        mapped = {name: value(name) for name in mapping}
        detail = [mapped.get(n, "") for n in ("owners", "deadline", "result")]
        # A section row: one text across the row (merged cells), a lone numbered cell, or a
        # number with a title and nothing else.
        lone = len(set(filled)) == 1
        lone_text = filled[0] if lone else ""
        is_section = (
            lone
            and (
                len(filled) > 1 or mapped.get("number") == lone_text or SECTION_RE.match(lone_text)
            )
            and not re.match(r"^\d+\.\d+", lone_text)
        ) or (
            re.fullmatch(r"(?:раздел\s+)?[\dIVX]+\.?", mapped.get("number", ""), re.I)
            and mapped.get("title")
            and not any(detail)
            and "section" not in mapping
        )
        if is_section:
            if lone:
                number, title = split_section(lone_text)
            else:
                number, title = mapped.get("number", ""), mapped["title"].replace("\n", " ")
                if number and not number.endswith(".") and number[-1].isdigit():
                    number += "."
            check_section(parsed, number, row.number, labels)
            parsed.sections.append({"number": number, "title": title})
            section_index = len(parsed.sections) - 1
            continue

        if "section" in mapping:
            section_text = value("section").replace("\n", " ")
            if section_text:
                if section_text not in section_by_text:
                    number, title = split_section(section_text)
                    check_section(parsed, number, row.number, labels)
                    parsed.sections.append({"number": number, "title": title})
                    section_by_text[section_text] = len(parsed.sections) - 1
                section_index = section_by_text[section_text]
            else:
                section_index = None

        number, title = value("number").replace("\n", " "), value("title")
        if not number and (m := MEASURE_NUMBER_IN_TITLE.match(title)):
            number, title = m["number"], m["title"]
        measure = {
            "row": row.number,
            "number": number,
            "section": section_index,
            "title": title,
            "owners_text": value("owners"),
            "deadline_text": value("deadline").replace("\n", " "),
            "planned_result": value("result"),
        }
        check_measure(parsed, measure, labels)
        deadline = parse_deadline(measure["deadline_text"], period)
        measure["deadline"] = deadline.as_dict()
        if deadline.needs_review and measure["deadline_text"]:
            parsed.warn(
                deadline.note, row.number, labels.get("deadline", COLUMN_LABELS["deadline"])
            )
        parsed.measures.append(measure)

    if mapping is None:
        parsed.error(
            _(
                "В файле не найдена таблица мероприятий: нужна строка заголовков со столбцами "
                "«Наименование мероприятия» и «Сроки реализации» (или «Ответственные», "
                "«Планируемый результат»)."
            )
        )
    else:
        for number in skipped_before_header:
            parsed.warn(_("Пропущена: стоит до строки заголовков таблицы мероприятий."), number)
        if not parsed.measures:
            parsed.error(_("Таблица мероприятий пуста: в ней нет ни одного мероприятия."))
    return parsed


def _max_length(model: type[Model], name: str) -> int:
    return model._meta.get_field(name).max_length


def check_section(parsed: Parsed, number: str, row: int, labels: dict[str, str]) -> None:
    if len(number) > (limit := _max_length(Section, "number")):
        parsed.error(
            _("Номер раздела длиннее %(max)s символов.") % {"max": limit},
            row,
            labels.get("section", labels.get("number", COLUMN_LABELS["number"])),
        )


def check_measure(parsed: Parsed, measure: dict[str, Any], labels: dict[str, str]) -> None:
    row = measure["row"]

    def label(name: str) -> str:
        return labels.get(name, COLUMN_LABELS[name])

    if not measure["title"]:
        parsed.error(_("Нет наименования мероприятия."), row, label("title"))
    if len(measure["number"]) > (limit := _max_length(Measure, "number")):
        parsed.error(_("Номер длиннее %(max)s символов.") % {"max": limit}, row, label("number"))
    if len(measure["deadline_text"]) > (limit := _max_length(Measure, "deadline_text")):
        parsed.error(
            _("Текст срока длиннее %(max)s символов.") % {"max": limit}, row, label("deadline")
        )
    if not measure["deadline_text"] and measure["title"]:
        parsed.warn(_("Срок не указан."), row, label("deadline"))


def period_problem(starts_on: date, ends_on: date) -> str | None:
    """Why an import period is not accepted, or None: years 2000–2100, at most 10 years."""
    if ends_on < starts_on:
        return _("Окончание периода раньше его начала.")
    if starts_on.year < MIN_PERIOD_YEAR or ends_on.year > MAX_PERIOD_YEAR:
        return _("Период дорожной карты должен лежать в пределах %(min)s–%(max)s годов.") % {
            "min": MIN_PERIOD_YEAR,
            "max": MAX_PERIOD_YEAR,
        }
    day = min(starts_on.day, 28) if starts_on.month == 2 else starts_on.day
    if ends_on >= date(starts_on.year + MAX_PERIOD_YEARS, starts_on.month, day):
        return _("Период дорожной карты длиннее %(max)s лет: укажите не больше %(max)s лет.") % {
            "max": MAX_PERIOD_YEARS
        }
    return None


def read_roadmap_file(name: str, data: bytes, period: tuple[date, date] | None) -> Parsed:
    """Everything a coordinator needs to see before confirming an import; never raises."""
    try:
        fmt = check_file(name, data)
        reader = {"docx": docx_rows, "xlsx": xlsx_rows, "csv": csv_rows}[fmt]
        rows, preamble = reader(data, ReadBudget())
    except FileRefused as exc:
        parsed = Parsed(period=period)
        parsed.error(str(exc))
        return parsed
    except Exception as exc:  # a damaged file can break any reader in any way
        parsed = Parsed(period=period)
        parsed.error(
            _("Файл повреждён, его не удаётся прочитать (%(reason)s).")
            % {"reason": exc.__class__.__name__}
        )
        return parsed
    parsed = interpret(rows, period, preamble)
    if fmt == "csv" and not parsed.measures and parsed.errors:
        parsed.error(
            _("Если таблица в файле есть, проверьте его кодировку: понимаются %(encodings)s.")
            % {"encodings": CSV_ENCODINGS}
        )
    return parsed
