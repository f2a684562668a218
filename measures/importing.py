"""Reading roadmaps from the files municipalities keep: DOCX appendices, XLSX and CSV tables.

`read_roadmap_file(name, data, period, columns)` checks the file (type, size, zip bomb,
password), reads its table rows, and interprets them into a `Parsed`: typed sections, measures
(each with the engine's reading of its deadline), the approving order, the columns as they were
understood, errors and warnings. `Parsed.as_dict()` is the JSON kept in the import's preview and
printed by `import_roadmap --dry-run --json`; `Parsed.from_dict()` reads it back. It touches no
database and never raises for a bad file: every problem becomes an error with its row and column.

Tables are read as municipalities really lay them out: headers worded in many ways, over two rows
or missing (a column whose header is not recognised is decided from its content), a row of
column numbers, bands that split the table by year or stage, repeated headers and notes (skipped
with a warning), sections numbered with digits, Roman numerals, letters or «Раздел 1.».
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _

from measures.deadlines import OUTSIDE_NOTE, Deadline, Kind, parse_deadline
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

Period = tuple[date, date]

FIELDS = ("section", "number", "title", "owners", "deadline", "result")
COLUMN_LABELS = {
    "section": "Раздел",
    "number": "№ п/п",
    "title": "Наименование мероприятия",
    "owners": "Ответственные исполнители",
    "deadline": "Сроки реализации",
    "result": "Планируемый результат",
}
UNUSED = ""  # a column the import does not take
IGNORED = "ignored"  # a header known to hold nothing the portal keeps («Примечание»)
# How a column's field was decided, for the preview.
BY_HEADER, BY_CONTENT, BY_CHOICE = "header", "content", "chosen"
BY_LABELS = {BY_HEADER: "по заголовку", BY_CONTENT: "по содержимому", BY_CHOICE: "выбрано вами"}
# Several columns of one field (a two-row header «Сроки: начало | окончание», «Ответственный |
# Соисполнители») are read as one text joined with this.
JOINERS = {"deadline": " - ", "owners": "\n", "result": "\n", "title": "\n"}


# --- The contract between reading, interpretation, preview and confirm ------------------------


@dataclass
class ImportProblem:
    message: str
    row: int | None = None  # the row as a person finds it in the file
    column: str | None = None  # the column's header as printed

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportProblem:
        return cls(message=data["message"], row=data.get("row"), column=data.get("column"))


@dataclass
class ParsedOrder:
    """The act named before the table that approved the roadmap."""

    kind: str  # LegalAct.Kind: order, disposition, resolution
    number: str
    date: str  # ISO date
    issuer: str = ""  # in the nominative, as the registry names it
    issuer_as_written: str = ""  # as printed («Управления образования»)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "issuer": self.issuer,
            "issuer_as_written": self.issuer_as_written,
            "number": self.number,
            "date": self.date,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ParsedOrder:
        return cls(
            kind=data.get("kind") or "",
            issuer=data.get("issuer") or "",
            issuer_as_written=data.get("issuer_as_written") or "",
            number=data.get("number") or "",
            date=data.get("date") or "",
        )


@dataclass
class ParsedSection:
    number: str
    title: str

    def as_dict(self) -> dict[str, Any]:
        return {"number": self.number, "title": self.title}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ParsedSection:
        return cls(number=data.get("number") or "", title=data.get("title") or "")


@dataclass
class ParsedMeasure:
    row: int
    number: str
    title: str
    owners_text: str
    deadline_text: str
    planned_result: str
    deadline: Deadline  # the reading the coordinator sees in the preview and the confirm saves
    section: int | None = None  # index into Parsed.sections
    # the band row («2024 год») whose years the deadline was read in, "" when none: the
    # confirm keeps such a reading as a correction, so later edits do not read it again
    band: str = ""

    def as_dict(self) -> dict[str, Any]:
        data = {
            "row": self.row,
            "number": self.number,
            "section": self.section,
            "title": self.title,
            "owners_text": self.owners_text,
            "deadline_text": self.deadline_text,
            "planned_result": self.planned_result,
            "deadline": self.deadline.as_dict(),
        }
        if self.band:  # only when there is one: the structure of the JSON export otherwise
            data["band"] = self.band
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ParsedMeasure:
        # strict: a stored preview without a measure's fields is refused, not guessed
        return cls(
            row=data["row"],
            number=data["number"],
            section=data.get("section"),
            title=data["title"],
            owners_text=data["owners_text"],
            deadline_text=data["deadline_text"],
            planned_result=data["planned_result"],
            deadline=Deadline.from_dict(data["deadline"]),
            band=data.get("band") or "",
        )


@dataclass
class ColumnReading:
    """What the import understood of one column of the table, for the preview."""

    index: int  # 0-based
    header: str  # the header as printed (both rows of a two-row header), or ""
    field: str = UNUSED  # one of FIELDS, or UNUSED
    by: str = ""  # BY_HEADER, BY_CONTENT, BY_CHOICE; "" for an unused column

    @property
    def field_label(self) -> str:
        return COLUMN_LABELS.get(self.field) or _("не используется")

    @property
    def by_label(self) -> str:
        return BY_LABELS.get(self.by, "")

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "header": self.header, "field": self.field, "by": self.by}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ColumnReading:
        return cls(
            index=data["index"],
            header=data.get("header") or "",
            field=data.get("field") or UNUSED,
            by=data.get("by") or "",
        )


@dataclass
class Parsed:
    title: str = ""
    period: Period | None = None
    order: ParsedOrder | None = None
    sections: list[ParsedSection] = field(default_factory=list)
    measures: list[ParsedMeasure] = field(default_factory=list)
    errors: list[ImportProblem] = field(default_factory=list)
    warnings: list[ImportProblem] = field(default_factory=list)
    columns: list[ColumnReading] = field(default_factory=list)

    def error(self, message: str, row: int | None = None, column: str | None = None) -> None:
        self.errors.append(ImportProblem(message, row, column))

    def warn(self, message: str, row: int | None = None, column: str | None = None) -> None:
        self.warnings.append(ImportProblem(message, row, column))

    def as_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "period": (
                f"{self.period[0].isoformat()}:{self.period[1].isoformat()}"
                if self.period
                else None
            ),
            "order": self.order.as_dict() if self.order else None,
            "sections": [section.as_dict() for section in self.sections],
            "measures": [measure.as_dict() for measure in self.measures],
            "errors": [problem.as_dict() for problem in self.errors],
            "warnings": [problem.as_dict() for problem in self.warnings],
            "columns": [column.as_dict() for column in self.columns],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Parsed:
        period = None
        if data.get("period"):
            start, end = str(data["period"]).split(":")
            period = (date.fromisoformat(start), date.fromisoformat(end))
        return cls(
            title=data.get("title") or "",
            period=period,
            order=ParsedOrder.from_dict(data["order"]) if data.get("order") else None,
            sections=[ParsedSection.from_dict(s) for s in data.get("sections") or []],
            measures=[ParsedMeasure.from_dict(m) for m in data.get("measures") or []],
            errors=[ImportProblem.from_dict(p) for p in data.get("errors") or []],
            warnings=[ImportProblem.from_dict(p) for p in data.get("warnings") or []],
            columns=[ColumnReading.from_dict(c) for c in data.get("columns") or []],
        )


# --- Headers ---------------------------------------------------------------------------------

# The words that begin the headers of real roadmaps' columns, gathered from published plans of
# education authorities («Наименование мероприятия», «Содержание деятельности», «Срок
# исполнения», «Дата», «Ответственные исполнители», «Ожидаемый результат», «Форма завершения»,
# «Итоговый документ», «Показатель»…). A header takes the field whose stem comes first in it (a
# longer stem wins at the same place): «Ожидаемый результат мероприятия» is a result,
# «Мероприятия по достижению результата» a title, «Планируемые сроки» a deadline.
HEADER_STEMS: dict[str, tuple[str, ...]] = {
    "section": (
        "раздел", "направление", "направления", "направление деятельности", "блок", "задача",
        "задачи", "этап",
    ),
    "title": (
        "наименование", "мероприят", "содержание", "перечень", "вид деятельности",
        "виды деятельности", "действия", "действие", "название", "тема", "описание",
        "основные мероприят", "вид работ", "виды работ", "работы",
    ),
    "owners": (
        "ответствен", "исполнител", "соисполнител", "кто выполняет", "куратор", "координатор",
        "ф.и.о", "фио",
    ),
    "deadline": (
        "срок", "дата", "период", "время", "когда", "календар", "график", "начало", "окончание",
        "плановое начало", "плановое окончание", "планируемая дата", "квартал", "месяц",
        "периодичн", "регулярн",
    ),
    "result": (
        "результат", "показател", "наименование показател", "индикатор", "форма завершения",
        "итоговый документ", "итоговые документы", "итоговый продукт", "форма отчет", "отчетн",
        "форма представления", "выходной документ", "продукт", "эффект", "контрольное событие",
        "вид документа", "документ", "форма контроля", "критери", "ожидаемый эффект",
        "контрольн",
    ),
    IGNORED: (
        "примечан", "отметка", "информация о выполнении", "выполнение", "статус", "источник",
        "финансир", "объем финансир", "механизм", "участник", "целевая аудитория", "категория",
        "ресурс", "затрат", "стоимость", "бюджет", "комментари", "контроль исполнения",
        "контроль выполнения", "форма проведения",
        "место проведения", "уровень", "целевая группа", "охват", "количество",
        "форма участия", "последстви", "связь с", "риск",
    ),
}  # fmt: skip
NUMBER_HEADER_RE = re.compile(r"^(?:№+|n|n°|#|номер|п/п|пп|пункт)(?:$|[\s.,/№]|п/п)")
# «Номер и наименование основного мероприятия»: the number printed in the title's own column
TITLE_IN_NUMBER_HEADER_RE = re.compile(r"наименовани|мероприят|содержани")
HEADER_MAX_CHARS = 80


def _header_key(text: str) -> str:
    value = clean_cell(text).lower().replace("ё", "е").replace("\n", " ")
    value = value.replace("n₂", "№").replace("n°", "№")
    return re.sub(r"\s+", " ", value).strip(" :.")


def _header_word(text: str) -> str:
    """A header cell without its qualifiers: «Срок исполнения (квартал, год)*» → «срок
    исполнения»."""
    key = re.sub(r"\([^)]*\)|\[[^\]]*\]|[*«»\"]", " ", _header_key(text))
    return re.sub(r"\s+", " ", key).strip(" :.,")


def header_field(text: str) -> str | None:
    """The field a header names (IGNORED for a known column the portal does not keep), or None
    when the header is not in the vocabulary."""
    key = _header_word(text) or _header_key(text)
    if not key or len(key) > HEADER_MAX_CHARS:
        return None
    if NUMBER_HEADER_RE.match(key) and not TITLE_IN_NUMBER_HEADER_RE.search(key):
        return "number"
    best: tuple[int, int, str] | None = None
    for name, pattern in _STEM_PATTERNS.items():
        if match := pattern.search(key):
            candidate = (match.start(), -len(match[0]), name)
            if best is None or candidate < best:
                best = candidate
    return best[2] if best else None


# One pattern a field: its stems at the start of a word, the longest first, so that the first
# match is the earliest place and, there, the longest stem.
_STEM_PATTERNS = {
    name: re.compile(
        r"(?:^|(?<=[\s,;/(-]))(?:"
        + "|".join(re.escape(stem) for stem in sorted(stems, key=len, reverse=True))
        + ")"
    )
    for name, stems in HEADER_STEMS.items()
}


def header_row_fields(cells: list[str]) -> dict[int, str] | None:
    """The fields a header row names, by column; None when the row is not a header: a header
    has at least two short cells from the vocabulary, one of them a column the portal keeps,
    and they are most of its filled cells."""
    fields: dict[int, str] = {}
    filled = 0
    seen: set[str] = set()
    for index, cell in enumerate(cells):
        if not cell.strip():
            continue
        if cell in seen:  # a merged header cell repeated over the columns it spans
            name = header_field(cell)
            if name is not None:
                fields[index] = name
            continue
        seen.add(cell)
        filled += 1
        name = header_field(cell)
        if name is not None:
            fields[index] = name
    distinct = {cells[i] for i in fields}
    kept = {name for name in fields.values() if name != IGNORED}
    if len(distinct) < 2 or not kept or len(distinct) * 2 < filled:
        return None
    return fields


def repeats_header(cells: list[str], known: set[str]) -> bool:
    """A row that really repeats the header (a table continued on the next page): most of its
    filled cells are header words or the labels of the header found first (`known`, as
    `header_words(labels)` gives them). A measure whose title starts with «Мероприятия…» and
    result with «Результат…» is not one."""
    filled = list(dict.fromkeys(cell for cell in cells if cell.strip()))  # merged cells once
    if len(filled) < 2 or any(NUMBER_CELL_RE.match(c) or MARK_RE.match(c) for c in filled):
        return False  # «4», «2.1» or a «+» in a quarter's column is a measure's row
    words = sum(
        1
        for cell in filled
        if _header_word(cell) in known
        or (
            len(cell) <= REPEATED_HEADER_MAX_CHARS
            and not re.search(r"\d", cell)  # «До 14.02.2024» is a measure's, not a header
            and header_field(cell) is not None
        )
    )
    return words >= 2 and words * 2 >= len(filled)


# a header word in a longer text («Проведение муниципального этапа олимпиады») is a title
REPEATED_HEADER_MAX_CHARS = 40


def header_words(labels: list[str]) -> set[str]:
    return {_header_word(label) for label in labels if label}


def numbers_columns(cells: list[str]) -> bool:
    """The row of column numbers under a header: «1 | 2 | 3 | 4 | 5»."""
    filled = [cell.strip().rstrip(".") for cell in cells if cell.strip()]
    return len(filled) >= 3 and filled == [str(n) for n in range(1, len(filled) + 1)]


def _sub_header(parent: list[str], cells: list[str], period: Period | None) -> bool:
    """The second row of a two-row header: under a merged parent («Сроки» over «начало |
    окончание», «Ответственные» over «ФИО | должность»), short words that are not data."""
    filled = [cell for cell in cells if cell]
    if numbers_columns(cells) or len(set(filled)) < 2:
        return False  # one text across the row is a section or a band, not sub-headers
    new = []
    for index, cell in enumerate(cells):
        if not cell:
            continue
        above = parent[index] if index < len(parent) else ""
        if cell == above:
            continue  # a header cell merged over both rows
        if len(cell) > 60 or NUMBER_CELL_RE.match(cell):
            return False
        following = parent[index + 1] if index + 1 < len(parent) else ""  # XLSX trims it
        merged_above = (
            not above  # XLSX keeps a merged cell's text in its first column only
            or following == ""
            or (index > 0 and parent[index - 1] == above)
            or following == above  # DOCX repeats it in every column it spans
        )
        word = header_field(cell) is not None
        if _deadline_like(cell, period) and not (merged_above and word):
            return False  # a date of the first measure, not «I квартал» under «Сроки»
        if not merged_above and not word:
            return False
        new.append(cell)
    return bool(new)


def _combined_labels(parent: list[str], child: list[str] | None, width: int) -> list[str]:
    labels = []
    last = ""
    for index in range(width):
        top = parent[index] if index < len(parent) else ""
        below = child[index] if child is not None and index < len(child) else ""
        if not top and below and last:
            top = last  # a cell merged from the left (XLSX keeps the text in its first cell)
        if top:
            last = top
        top, below = top.replace("\n", " "), below.replace("\n", " ")
        labels.append(f"{top} {below}".strip() if below and below != top else top)
    return labels


# --- Content of the columns ------------------------------------------------------------------

NUMBER_CELL_RE = re.compile(r"^(?:\d{1,3}(?:\.\d{1,3})*\.?|[IVXLC]{1,6}\.?|[А-ЯЁA-Z][.)])$")
DEADLINE_HINT_RE = re.compile(
    r"январ|феврал|март|апрел|\bма[йя]\b|июн|июл|август|сентябр|октябр|ноябр|декабр|"
    r"(?<!\d)20\d\d(?!\d)|квартал|полугоди|четверт|ежемесячн|еженедельн|ежекварт|ежегодн|"
    r"постоянн|в течение|по мере|\bдо \d|\d{1,2}\.\d{1,2}\.\d{2,4}|учебн|декад|весь период",
    re.I,
)
OWNER_RE = re.compile(
    r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?\s+[А-ЯЁ]\.\s?[А-ЯЁ]\.|[А-ЯЁ]\.\s?[А-ЯЁ]\.\s?[А-ЯЁ][а-яё]+|"
    r"директор|руководител|заместител|начальник|специалист|методист|заведующ|учител|педагог|"
    r"председател|инспектор|советник|куратор|координатор|администрац|управлени|отдел|комитет|"
    r"министерств|департамент|\bОО\b|\bОУ\b|\bОУО\b|\bМОУО\b|\bМКУ\b|\bМБОУ\b|\bМАОУ\b|\bМОУ\b|"
    r"\bГБУ\b|\bГАУ\b|\bДПО\b|\bИРО\b|\bЦНППМ\b|\bРМО\b|\bШМО\b|\bМО\b|центр",
)
NAME_RE = re.compile(
    r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?\s+[А-ЯЁ]\.\s?[А-ЯЁ]\.|[А-ЯЁ]\.\s?[А-ЯЁ]\.\s?[А-ЯЁ][а-яё]+"
)
TITLE_MIN_CHARS = 12
SAMPLE_ROWS = 300
HEADER_SEARCH_ROWS = 50


def _deadline_like(text: str, period: Period | None) -> bool:
    if len(text) > 100:
        return False
    if DEADLINE_HINT_RE.search(text):
        return True
    return parse_deadline(text, period).kind != Kind.UNKNOWN


@dataclass
class _ColumnContent:
    index: int
    filled: float = 0.0
    numbers: float = 0.0
    deadlines: float = 0.0
    owners: float = 0.0
    names: float = 0.0
    length: float = 0.0


def _column_content(index: int, rows: list[list[str]], period: Period | None) -> _ColumnContent:
    values = [cells[index] for cells in rows if index < len(cells) and cells[index]]
    content = _ColumnContent(index)
    if not rows or not values:
        return content
    count = len(values)
    content.filled = count / len(rows)
    content.numbers = sum(1 for v in values if NUMBER_CELL_RE.match(v)) / count
    deadline_like = [_deadline_like(v, period) for v in values]
    content.deadlines = sum(deadline_like) / count
    content.owners = (
        sum(
            1
            for v, is_deadline in zip(values, deadline_like, strict=True)
            if not is_deadline and len(v) <= 300 and OWNER_RE.search(v)
        )
        / count
    )
    content.names = sum(1 for v in values if NAME_RE.search(v) and len(v) <= 300) / count
    content.length = sum(len(v) for v in values) / count
    return content


def _decide_by_content(
    fields: dict[int, str], unknown: list[int], rows: list[list[str]], period: Period | None
) -> dict[int, str]:
    """Fields for the columns whose header says nothing the import knows, from what they hold:
    numbers («1», «1.1», «I.»), deadline phrases, names and positions, long titles."""
    taken = set(fields.values())
    contents = {
        index: content
        for index in unknown
        if (content := _column_content(index, rows, period)).filled >= 0.3
    }
    decided: dict[int, str] = {}

    def best(score: str, minimum: float) -> int | None:
        scored = [
            (getattr(c, score), -c.index)
            for i, c in contents.items()
            if i not in decided and getattr(c, score) >= minimum
        ]
        return -max(scored)[1] if scored else None

    if "number" not in taken:
        numbered = [i for i, c in sorted(contents.items()) if c.numbers >= 0.7 and c.length <= 8]
        if numbered:
            decided[numbered[0]] = "number"
    if "deadline" not in taken and (index := best("deadlines", 0.5)) is not None:
        decided[index] = "deadline"
        # «Плановое начало | Плановое окончание»: two columns of dates side by side are read
        # as one span
        for other in (index - 1, index + 1):
            if other in contents and other not in decided and contents[other].deadlines >= 0.8:
                decided[other] = "deadline"
                break
    # names with initials say owners for sure; position words («учителей», «директор») also
    # occur in titles, so they decide only among the columns the title does not take
    if "owners" not in taken and (index := best("names", 0.5)) is not None:
        decided[index] = "owners"
        taken.add("owners")
    texts = [
        i
        for i, c in sorted(contents.items())
        if i not in decided and c.numbers < 0.5 and c.length >= 3
    ]
    title_index = next((i for i, name in fields.items() if name == "title"), None)
    if "title" not in taken:
        longest = max((contents[i].length for i in texts), default=0)
        titled = [i for i in texts if contents[i].length >= max(TITLE_MIN_CHARS, longest * 0.6)]
        if titled:
            title_index = titled[0]
            decided[title_index] = "title"
            texts.remove(title_index)
    if "owners" not in taken:
        owners = [
            (contents[i].owners, -contents[i].length, i) for i in texts if contents[i].owners >= 0.5
        ]
        if owners:
            decided[max(owners)[2]] = "owners"
            texts.remove(max(owners)[2])
    if "result" not in taken:
        after = [i for i in texts if title_index is None or i > title_index]
        if after:
            decided[after[0]] = "result"
    return decided


# --- Rows that are not measures ---------------------------------------------------------------

# a section row's number: «1.», «IV», «Б)», «Раздел 2.», «Подпрограмма 1», «Задача 3.»
SECTION_WORD = r"(?i:раздел|подраздел|подпрограмма|направление|задача|блок)"
SECTION_NUMBER = rf"(?:{SECTION_WORD}\s+)?(?:\d+|[IVXLC]{{1,6}}|[А-ЯЁA-Z](?=[.)]))[.):]?"
SECTION_RE = re.compile(rf"^(?P<number>{SECTION_NUMBER})\s+(?P<title>\S.*)$", re.S)
SECTION_NUMBER_RE = re.compile(rf"^{SECTION_NUMBER}$")
MEASURE_NUMBER_IN_TITLE = re.compile(r"^(?P<number>\d+(?:\.\d+)+\.?)\s+(?P<title>\S.*)$", re.S)
NUMBER_IN_TITLE_RE = re.compile(r"^(?P<number>\d{1,3}[.)])\s+(?P<title>[А-ЯЁA-Z«\"].*)$", re.S)
NOTE_RE = re.compile(
    r"^(?:\*+|примечани[ея]|прим\.|сноск[аи]|пояснени[ея]|справочно|список сокращений|"
    r"сокращения|условные обозначения|используемые сокращения)",
    re.I,
)
YEAR_IN_TEXT = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")
MARK_RE = re.compile(r"^(?:[+xхvV✓✔•*]|да)$", re.I)
TOTAL_RE = re.compile(r"^(?:итого|всего)\b", re.I)
TOTAL_LABEL_MAX_CHARS = 30  # «Итого:», «Всего по разделу 1:» with its sums beside it
YEAR_WORD = r"(?:\s*(?:г\.?|гг\.?|год[а-я]*))?"
BAND_RE = re.compile(
    r"^(?:(?:[ivx\d]+\s*(?:-?й\s+)?этап|этап\s+[ivx\d]+)[\s:.,-]*)?\(?\s*(?:на\s+)?"
    rf"(?P<y1>\d{{4}}){YEAR_WORD}\s*(?:[-/]\s*(?P<y2>\d{{4}}){YEAR_WORD})?\s*"
    r"(?P<school>учебн[а-я]*\s+год[а-я]*|уч\.?\s*г(?:од)?\.?)?\s*\)?\.?$"
)


def normalise_section_number(number: str) -> str:
    """A section's number as printed («Раздел 2.», «IV», «Б)») without a trailing colon; a bare
    digit gets its point («1» → «1.»), as the seeds print it."""
    number = number.strip().rstrip(":").strip()
    if number.isdigit():
        number += "."
    return number


def split_section(text: str) -> tuple[str, str]:
    text = clean_cell(text).replace("\n", " ")
    if m := SECTION_RE.match(text):
        return normalise_section_number(m["number"]), m["title"].strip()
    return "", text


def band_span(text: str, period: Period | None) -> Period | None:
    """The years a band row covers («2023 год», «I этап (2023–2024)», «2023-2024 учебный
    год»), or None when the row is not a band."""
    value = text.lower().replace("ё", "е").replace("\n", " ")
    value = re.sub(r"[‐‑‒–—―−]", "-", value)
    value = re.sub(r"\s+", " ", value).strip()
    m = BAND_RE.match(value)
    if not m:
        return None
    first = int(m["y1"])
    last = int(m["y2"]) if m["y2"] else first
    if not (MIN_PERIOD_YEAR <= first <= last <= MAX_PERIOD_YEAR) or last - first > MAX_PERIOD_YEARS:
        return None
    if m["school"]:
        span = (date(first, 9, 1), date(last if last > first else first + 1, 8, 31))
    else:
        span = (date(first, 1, 1), date(last, 12, 31))
    if period is not None:
        start, end = max(span[0], period[0]), min(span[1], period[1])
        # a band outside the period keeps its own years: the deadlines under it are then
        # flagged «Срок вне периода дорожной карты», not read in the roadmap's years
        return (start, end) if start <= end else span
    return span


# --- Interpretation of rows ------------------------------------------------------------------


@dataclass
class _Table:
    """Where the table starts and what its columns hold."""

    start: int  # the index of the first row after the header
    skipped: list[int]  # rows before the header
    labels: list[str]  # the header of each column ("" when untitled)
    columns: dict[int, str]  # column index → field (only the columns the import takes)
    own: list[str]  # each column's own header: its sub-header under a merged parent


def _find_table(
    rows: list[Row], period: Period | None, chosen: dict[int, str] | None
) -> tuple[_Table, list[ColumnReading]]:
    width = min(max((len(row.cells) for row in rows), default=0), 50)
    # the header is near the top (a sheet's title and approval lines come first); a row deep
    # in the table that looks like one is a repeated header, not the start of the table
    header_at = next(
        (
            i
            for i, row in enumerate(rows[:HEADER_SEARCH_ROWS])
            if header_row_fields(row.cells) is not None
        ),
        None,
    )
    child: list[str] | None = None
    if header_at is None:
        # no header the import knows: the table starts at its first row of several cells; that
        # row is a header in words the import does not know when it holds no data
        first = next((i for i, row in enumerate(rows) if len({c for c in row.cells if c}) >= 2), 0)
        cells = rows[first].cells if rows else []
        unknown_header = len(rows) > first + 1 and all(
            len(c) <= 40 and not NUMBER_CELL_RE.match(c) and not _deadline_like(c, period)
            for c in cells
            if c
        )
        start = first + 1 if unknown_header else first
        labels = _combined_labels(cells if unknown_header else [], None, width)
        by_header: dict[int, str] = {}
        skipped = [row.number for row in rows[:first]]
    else:
        parent = rows[header_at].cells
        start = header_at + 1
        if start < len(rows) and _sub_header(parent, rows[start].cells, period):
            child = rows[start].cells
            start += 1
        labels = _combined_labels(parent, child, width)
        by_header = {}
        for index, label in enumerate(labels):
            name = header_field(label) if label else None
            if name is not None:
                by_header[index] = name
        skipped = [row.number for row in rows[:header_at]]
    own = [
        (child[i] if child is not None and i < len(child) and child[i] else labels[i])
        for i in range(width)
    ]
    readings = [ColumnReading(index, labels[index]) for index in range(width)]
    if chosen:
        columns = {i: name for i, name in chosen.items() if name in FIELDS and i < width}
        for reading in readings:
            reading.field = columns.get(reading.index, UNUSED)
            reading.by = BY_CHOICE
        return _Table(start, skipped, labels, columns, own), readings
    columns = {i: name for i, name in by_header.items() if name != IGNORED}
    # a field named by two headers: the one of a two-row header's sub-columns is read as one
    # text; otherwise the first column keeps it and the other is decided by its content
    seen: dict[str, int] = {}
    for index in sorted(columns):
        name = columns[index]
        if name in seen and (name in ("number", "section") or (child is None and name == "title")):
            del columns[index]
            by_header.pop(index)
        seen.setdefault(name, index)
    sample = [
        row.cells
        for row in rows[start : start + SAMPLE_ROWS]
        if len({c for c in row.cells if c}) >= 2 and not numbers_columns(row.cells)
    ]
    retitled = None
    if "title" not in columns.values():
        # «Направления деятельности» over the measures' titles: a column headed with a section
        # word whose rows each hold a text of their own is the title, decided by its content
        for index in [i for i, name in sorted(columns.items()) if name == "section"]:
            values = [cells[index] for cells in sample if index < len(cells) and cells[index]]
            if (
                len(values) >= 2
                and len(set(values)) >= 0.8 * len(values)
                and sum(map(len, values)) / len(values) >= TITLE_MIN_CHARS
            ):
                columns[index] = by_header[index] = "title"
                retitled = index
                break
    unknown = [i for i in range(width) if i not in by_header]
    content = _decide_by_content(columns, unknown, sample, period)
    for reading in readings:
        if reading.index in columns:
            reading.field, reading.by = columns[reading.index], BY_HEADER
        elif reading.index in content:
            reading.field, reading.by = content[reading.index], BY_CONTENT
        if reading.index == retitled:
            reading.by = BY_CONTENT
    columns.update(content)
    return _Table(start, skipped, labels, columns, own), readings


def interpret(
    rows: list[Row],
    period: Period | None,
    preamble: list[str],
    columns: dict[int, str] | None = None,
) -> Parsed:
    """The roadmap in a table's rows. `columns` (column index → field, or "" for a column not
    taken) replaces what the import would decide: the coordinator's choice in the preview."""
    parsed = Parsed(period=period)
    read_preamble(parsed, preamble)
    if isinstance(parsed.order, dict):  # the preamble reader's own spelling of the order
        parsed.order = ParsedOrder.from_dict(parsed.order) if parsed.order else None
    if len(rows) > MAX_ROWS:
        parsed.error(
            _("В таблице %(count)s строк; больше %(max)s строк за один раз не принимается.")
            % {"count": len(rows), "max": MAX_ROWS}
        )
        return parsed
    rows = [Row(row.number, [clean_cell(c) for c in row.cells]) for row in rows]
    rows = [row for row in rows if any(row.cells)]
    if not rows:
        parsed.error(_("В файле не найдена таблица мероприятий: в нём нет ни одной строки."))
        return parsed
    table, parsed.columns = _find_table(rows, period, columns)
    mapping = table.columns

    def label(name: str) -> str:
        index = next((i for i, field_ in sorted(mapping.items()) if field_ == name), None)
        if index is not None and table.labels[index]:
            return table.labels[index]
        return COLUMN_LABELS[name]

    if "title" not in mapping.values():
        parsed.error(
            _(
                "В файле не найдена таблица мероприятий: ни один столбец не похож на "
                "наименования мероприятий. Укажите в предпросмотре, какой столбец их содержит, "
                "или проверьте файл."
            )
        )
        return parsed

    for number in table.skipped:
        parsed.warn(_("Пропущена: стоит до строки заголовков таблицы мероприятий."), number)
    section_index: int | None = None
    section_by_text: dict[str, int] = {}
    band: Period | None = None
    band_text = ""
    body = rows[table.start :]
    known = header_words(table.labels)
    # a chart of terms has a column per term; a lone «+» under one «Сроки» column is its text
    chart_of_terms = sum(1 for field_ in mapping.values() if field_ == "deadline") > 1
    for position, row in enumerate(body):
        cells = row.cells
        if numbers_columns(cells):
            parsed.warn(_("Пропущена: это нумерация столбцов таблицы."), row.number)
            continue
        if repeats_header(cells, known):
            parsed.warn(_("Пропущена: повторяет строку заголовков."), row.number)
            continue

        def value(name: str, cells: list[str] = cells) -> str:
            parts: list[str] = []
            years: set[str] = set()
            for index, field_ in sorted(mapping.items()):
                text = cells[index] if field_ == name and index < len(cells) else ""
                if (
                    name == "deadline"
                    and chart_of_terms
                    and MARK_RE.match(text)
                    and table.own[index]
                ):
                    # a chart of terms («I квартал | II квартал…» marked «х» under «Сроки
                    # выполнения: 2023 год»): the marked columns' headers are the deadline
                    text = table.own[index].replace("\n", " ")
                    years |= set(YEAR_IN_TEXT.findall(table.labels[index])) or {""}
                if text and text not in parts:
                    parts.append(text)
            if years:
                year = years.pop() if len(years) == 1 else ""
                return ", ".join(parts) + (f" {year} г." if year and year not in parts[-1] else "")
            return JOINERS.get(name, " ").join(parts)

        filled = [c for c in cells if c]
        mapped = {name: value(name) for name in set(mapping.values())}
        lone = len(set(filled)) == 1
        lone_text = filled[0].replace("\n", " ") if lone else ""
        if lone and (span := band_span(lone_text, period)):
            band, band_text = span, lone_text
            outside = period is not None and (span[1] < period[0] or span[0] > period[1])
            parsed.warn(
                (
                    _(
                        "Пропущена: «%(text)s» делит таблицу по годам или этапам; мероприятиям "
                        "ниже без года в сроке взят период %(start)s–%(end)s — он вне периода "
                        "дорожной карты: проверьте период или сроки."
                    )
                    if outside
                    else _(
                        "Пропущена: «%(text)s» делит таблицу по годам или этапам; мероприятиям "
                        "ниже без года в сроке взят период %(start)s–%(end)s."
                    )
                )
                % {
                    "text": lone_text,
                    "start": span[0].strftime("%d.%m.%Y"),
                    "end": span[1].strftime("%d.%m.%Y"),
                },
                row.number,
            )
            continue
        if NOTE_RE.match(filled[0]) and (lone or not mapped.get("number")):
            parsed.warn(_("Пропущена: это примечание к таблице, а не мероприятие."), row.number)
            continue
        if TOTAL_RE.match(filled[0]) and (lone or len(filled[0]) <= TOTAL_LABEL_MAX_CHARS):
            parsed.warn(_("Пропущена: это итоговая строка, а не мероприятие."), row.number)
            continue
        detail = [mapped.get(n, "") for n in ("owners", "deadline", "result")]
        # a section number, then one title merged over all the other columns
        rest = [c for i, c in enumerate(cells) if c and mapping.get(i) != "number"]
        merged_title = (
            len(rest) >= 2
            and len(set(rest)) == 1
            and bool(SECTION_NUMBER_RE.match(mapped.get("number", "")))
            and _opens_section(mapped.get("number", ""), body[position + 1 :], mapping)
        )
        # A section row: one text across the row (merged cells), a lone numbered cell, or a
        # section number with a title and nothing else.
        is_section = (
            (
                lone
                and (
                    len(filled) > 1
                    or mapped.get("number") == filled[0]
                    or SECTION_RE.match(lone_text)
                )
                and not re.match(r"^\d+\.\d+", lone_text)
            )
            or bool(
                SECTION_NUMBER_RE.match(mapped.get("number", ""))
                and mapped.get("title")
                and (
                    merged_title
                    # «2 | title | (empty)» is a measure with its details missing unless the rows
                    # below show a section: its children «2.1», numbering restarted at 1, or a
                    # number not in the measures' style (Roman, a letter, «Раздел 2»)
                    or (
                        not any(detail)
                        and _opens_section(mapped.get("number", ""), body[position + 1 :], mapping)
                    )
                )
                and "section" not in mapping.values()
            )
        )
        # «I. | Этап подготовки | ноябрь 2012 – май 2013 г.» over rows numbered «1.», «1.1.»: a
        # stage of the plan with its own dates is a section, not a measure (said, not silent)
        stage = (
            not is_section
            and "section" not in mapping.values()
            and bool(mapped.get("title"))
            and any(detail)
            and bool(SECTION_NUMBER_RE.match(mapped.get("number", "")))
            and not mapped.get("number", "")[:1].isdigit()
            and _next_number(body[position + 1 :], mapping)[:1].isdigit()
        )
        if stage:
            parsed.warn(
                _(
                    "Строка «%(number)s %(title)s» прочитана как раздел (этап плана): под ней "
                    "пункты с арабской нумерацией. Её срок и исполнители «%(detail)s» к "
                    "мероприятиям не перенесены — проверьте."
                )
                % {
                    "number": mapped.get("number", ""),
                    "title": mapped["title"].replace("\n", " "),
                    "detail": "; ".join(d.replace("\n", " ") for d in detail if d),
                },
                row.number,
            )
            is_section = True
        if is_section:
            if lone:
                number, title = split_section(lone_text)
            else:
                number = normalise_section_number(mapped.get("number", ""))
                title = mapped["title"].replace("\n", " ")
            check_section(parsed, number, row.number, label)
            parsed.sections.append(ParsedSection(number, title))
            section_index = len(parsed.sections) - 1
            continue

        if "section" in mapping.values():
            section_text = value("section").replace("\n", " ")
            if section_text:
                if section_text not in section_by_text:
                    number, title = split_section(section_text)
                    check_section(parsed, number, row.number, label)
                    parsed.sections.append(ParsedSection(number, title))
                    section_by_text[section_text] = len(parsed.sections) - 1
                section_index = section_by_text[section_text]
            else:
                section_index = None

        number, title = value("number").replace("\n", " "), value("title")
        if not number and (m := MEASURE_NUMBER_IN_TITLE.match(title)):
            number, title = m["number"], m["title"]
        elif "number" not in mapping.values() and (m := NUMBER_IN_TITLE_RE.match(title)):
            number, title = m["number"], m["title"]  # «1. Приобретение мебели», no «№» column
        deadline_text = value("deadline").replace("\n", " ")
        measure = ParsedMeasure(
            row=row.number,
            number=number,
            section=section_index,
            title=title,
            owners_text=value("owners"),
            deadline_text=deadline_text,
            planned_result=value("result"),
            # under a band («2023 год») a deadline without a year is read in the band's years
            deadline=parse_deadline(
                deadline_text, period if YEAR_IN_TEXT.search(deadline_text) else band or period
            ),
        )
        under_band = bool(band and deadline_text and not YEAR_IN_TEXT.search(deadline_text))
        measure.band = band_text if under_band else ""
        if under_band and period is not None and not measure.deadline.needs_review:
            dates = measure.deadline.due_dates
            if any(not period[0] <= due <= period[1] for due in dates):
                measure.deadline.needs_review = True
                measure.deadline.note = _(OUTSIDE_NOTE)
        check_measure(parsed, measure, label)
        if measure.deadline.needs_review and deadline_text:
            parsed.warn(measure.deadline.note, row.number, label("deadline"))
        parsed.measures.append(measure)

    if not parsed.measures:
        parsed.error(_("Таблица мероприятий пуста: в ней нет ни одного мероприятия."))
    return parsed


def _next_number(following: list[Row], mapping: dict[int, str]) -> str:
    """The number of the next row that has one (within a few rows), or ""."""
    column = next((i for i, name in sorted(mapping.items()) if name == "number"), None)
    if column is None:
        return ""
    for row in following[:3]:
        if column < len(row.cells) and row.cells[column]:
            return row.cells[column]
    return ""


def _opens_section(number: str, following: list[Row], mapping: dict[int, str]) -> bool:
    """Whether a row numbered «1» opens a section: a Roman numeral or a letter does; a digit
    when the next numbered row is its child («1.1») or numbering restarts under it («1» under
    «2»), not when it is its sibling («2» after «1»)."""
    if not number[:1].isdigit():
        return True
    column = next((i for i, name in sorted(mapping.items()) if name == "number"), None)
    for row in following[:3]:
        child = row.cells[column] if column is not None and column < len(row.cells) else ""
        child = child.strip()
        if child:
            own = number.strip().rstrip(".")
            restarts = child.rstrip(".)") == "1" and own != "1" and own.isdigit()
            return child.startswith(own + ".") or restarts
    return False


def _max_length(model: type[Model], name: str) -> int:
    return model._meta.get_field(name).max_length


def check_section(parsed: Parsed, number: str, row: int, label: Any) -> None:
    if len(number) > (limit := _max_length(Section, "number")):
        parsed.error(
            _("Номер раздела длиннее %(max)s символов.") % {"max": limit}, row, label("number")
        )


def check_measure(parsed: Parsed, measure: ParsedMeasure, label: Any) -> None:
    row = measure.row
    if not measure.title:
        parsed.error(_("Нет наименования мероприятия."), row, label("title"))
    if len(measure.number) > (limit := _max_length(Measure, "number")):
        parsed.error(_("Номер длиннее %(max)s символов.") % {"max": limit}, row, label("number"))
    if len(measure.deadline_text) > (limit := _max_length(Measure, "deadline_text")):
        parsed.error(
            _("Текст срока длиннее %(max)s символов.") % {"max": limit}, row, label("deadline")
        )
    if not measure.deadline_text and measure.title:
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


def read_roadmap_file(
    name: str, data: bytes, period: Period | None, columns: dict[int, str] | None = None
) -> Parsed:
    """Everything a coordinator needs to see before confirming an import; never raises.
    `columns` is the coordinator's choice of the columns' fields (see `interpret`)."""
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
    parsed = interpret(rows, period, preamble, columns)
    if fmt == "csv" and not parsed.measures and parsed.errors:
        parsed.error(
            _("Если таблица в файле есть, проверьте его кодировку: понимаются %(encodings)s.")
            % {"encodings": CSV_ENCODINGS}
        )
    return parsed
