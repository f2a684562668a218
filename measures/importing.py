"""Reading roadmaps from the files municipalities keep: DOCX appendices, XLSX and CSV tables.

`read_roadmap_file(name, data, period)` checks the file (type, size, zip bomb, password),
reads its table rows, and interprets them into the structure the preview shows and the import
saves (`Parsed.as_dict()`, the same as `import_roadmap --dry-run --json`). It touches no database
and never raises for a bad file: every problem becomes an error with its row and column.
"""

from __future__ import annotations

import csv
import io
import re
import time
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath
from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _

from measures.deadlines import parse_deadline
from measures.models import Measure, Section
from roadmap_portal.text import clean_text, restore_formula

MAX_FILE_SIZE = 10 * 1024 * 1024
MAX_UNCOMPRESSED = 60 * 1024 * 1024
MAX_RATIO = 200
MAX_ROWS = 10_000
# The work of one import is bounded while the file is read, before anything is built from it.
MAX_CELLS_PER_ROW = 50
MAX_CELLS = 100_000
MAX_CELL_CHARS = 20_000
MAX_TOTAL_CHARS = 5_000_000
MAX_READ_SECONDS = 20.0
# The period of an imported roadmap.
MIN_PERIOD_YEAR = 2000
MAX_PERIOD_YEAR = 2100
MAX_PERIOD_YEARS = 10
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

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
class Row:
    number: int  # the row as a person finds it in the file (1-based)
    cells: list[str]


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


def clean_cell(value: object) -> str:
    """Cell text as printed: lines kept, spaces inside a line folded, empty lines dropped."""
    if value is None:
        return ""
    text = clean_text(str(value)).replace("\u00a0", " ")
    lines = [re.sub(r"[ \t\u2003\u2002]+", " ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


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


ORDER_RE = re.compile(
    r"(?:к\s+)?(?P<kind>приказ[а-я]*|распоряжени[а-я]*|постановлени[а-я]*)\s+"
    r"(?P<issuer>[^№]*?)\s*(?:от\s+«?(?P<d>\d{1,2})»?[.\s]+(?P<m>\d{1,2})[.\s]+(?P<y>\d{2,4})\s*г?\.?)"
    r"\s*(?:г\.?\s*)?№\s*(?P<number>[\w\-/]+)",
    re.I | re.S,
)
ORDER_AFTER_NUMBER_RE = re.compile(
    r"(?:к\s+)?(?P<kind>приказ[а-я]*|распоряжени[а-я]*|постановлени[а-я]*)\s+"
    r"(?P<issuer>[^№]*?)\s*№\s*(?P<number>[\w\-/]+)\s+от\s+(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{2,4})",
    re.I | re.S,
)
TITLE_START_RE = re.compile(r"^(?:план|дорожная карта|комплекс мер|«дорожная карта»)", re.I)


def read_preamble(parsed: Parsed, lines: list[str]) -> None:
    """Take the roadmap's title and the approving order from the text before the table."""
    lines = [clean_cell(line).replace("\n", " ") for line in lines]
    lines = [line for line in lines if line]
    for index, line in enumerate(lines):
        if TITLE_START_RE.match(line):
            parts = [line]
            for following in lines[index + 1 :]:
                if following[:1].islower() or following.startswith(("по ", "на ", "в ")):
                    parts.append(following)
                else:
                    break
            parsed.title = re.sub(r"\s+", " ", " ".join(parts)).strip(" *")
            break
    text = " ".join(lines)
    matches = [m for m in (ORDER_RE.search(text), ORDER_AFTER_NUMBER_RE.search(text)) if m]
    match = min(matches, key=lambda m: m.start()) if matches else None
    if match:
        year = int(match["y"]) + (2000 if len(match["y"]) == 2 else 0)
        try:
            when = date(year, int(match["m"]), int(match["d"]))
        except ValueError:
            parsed.warn(_("Дата приказа в тексте перед таблицей не распознана."))
            return
        kind = match["kind"].lower()
        parsed.order = {
            "kind": "order" if kind.startswith("приказ")
            else "disposition" if kind.startswith("распоряж")
            else "resolution",
            "issuer": match["issuer"].strip(" ,") or "",
            "number": match["number"],
            "date": when.isoformat(),
        }  # fmt: skip


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


# --- Files ---------------------------------------------------------------------------------


class FileRefused(Exception):
    pass


def check_zip(data: bytes, required: str, kind: str) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise FileRefused(
            _("Файл повреждён или это не %(kind)s: его не удаётся открыть.") % {"kind": kind}
        ) from None
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if info.flag_bits & 0x1:
            raise FileRefused(_("Файл зашифрован паролем: снимите пароль и загрузите снова."))
        if (
            info.compress_size
            and info.file_size / info.compress_size > MAX_RATIO
            and (info.file_size > 1024 * 1024)
        ):
            raise FileRefused(
                _("Файл распаковывается в подозрительно большой объём (похоже на zip-бомбу).")
            )
    if total > MAX_UNCOMPRESSED:
        raise FileRefused(_("Файл распаковывается в слишком большой объём (похоже на zip-бомбу)."))
    if required not in archive.namelist():
        raise FileRefused(_("Это не %(kind)s: внутри нет ожидаемого содержимого.") % {"kind": kind})
    return archive


def check_file(name: str, data: bytes) -> str:
    """The file's format ("docx", "xlsx", "csv"), or FileRefused with the reason in Russian."""
    suffix = PurePath(name).suffix.lower()
    if not data:
        raise FileRefused(_("Файл пуст."))
    if len(data) > MAX_FILE_SIZE:
        raise FileRefused(
            _("Файл слишком большой (%(size)s МБ); допускается до %(max)s МБ.")
            % {"size": round(len(data) / 1024 / 1024, 1), "max": MAX_FILE_SIZE // 1024 // 1024}
        )
    if data.startswith(OLE_MAGIC):
        raise FileRefused(
            _(
                "Файл зашифрован паролем или сохранён в старом формате (.doc, .xls). "
                "Снимите пароль и сохраните его как .docx или .xlsx."
            )
        )
    if suffix == ".docx":
        check_zip(data, "word/document.xml", "документ Word (DOCX)")
        return "docx"
    if suffix in {".xlsx", ".xlsm"}:
        check_zip(data, "xl/workbook.xml", "таблица Excel (XLSX)")
        return "xlsx"
    if suffix == ".csv":
        return "csv"
    if suffix in {".doc", ".xls", ".rtf", ".odt", ".ods"}:
        raise FileRefused(
            _("Формат «%(suffix)s» не поддерживается: сохраните файл как .docx или .xlsx.")
            % {"suffix": suffix}
        )
    raise FileRefused(
        _("Неподдерживаемый тип файла «%(suffix)s»: загрузите DOCX, XLSX или CSV.")
        % {"suffix": suffix or name}
    )


class ReadBudget:
    """The limits of one import, checked while the file is read; refuses with the limit named."""

    def __init__(self, seconds: float = MAX_READ_SECONDS) -> None:
        self.deadline = time.monotonic() + seconds
        self.seconds = seconds
        self.rows = 0
        self.cells = 0
        self.chars = 0

    def row(self, cells: int) -> None:
        self.rows += 1
        if self.rows > MAX_ROWS:
            raise FileRefused(
                _(
                    "В таблице больше %(max)s строк: за один импорт принимается не больше "
                    "%(max)s строк. Разделите файл на части."
                )
                % {"max": f"{MAX_ROWS:,}".replace(",", "\u00a0")}
            )
        if cells > MAX_CELLS_PER_ROW:
            raise FileRefused(
                _(
                    "В строке %(row)s таблицы %(count)s ячеек: допускается не больше %(max)s "
                    "ячеек в строке."
                )
                % {"row": self.rows, "count": cells, "max": MAX_CELLS_PER_ROW}
            )
        self.cells += cells
        if self.cells > MAX_CELLS:
            raise FileRefused(
                _(
                    "В таблице больше %(max)s ячеек: столько за один импорт не принимается. "
                    "Разделите файл на части."
                )
                % {"max": f"{MAX_CELLS:,}".replace(",", "\u00a0")}
            )
        if self.rows % 256 == 0:
            self.clock()

    def cell(self, length: int) -> None:
        if length > MAX_CELL_CHARS:
            raise FileRefused(
                _(
                    "В строке %(row)s таблицы ячейка длиннее %(max)s символов: "
                    "такой текст не похож на мероприятие дорожной карты."
                )
                % {"row": self.rows + 1, "max": f"{MAX_CELL_CHARS:,}".replace(",", "\u00a0")}
            )
        self.chars += length
        if self.chars > MAX_TOTAL_CHARS:
            raise FileRefused(
                _("В таблице больше %(max)s символов текста: это больше, чем принимает импорт.")
                % {"max": f"{MAX_TOTAL_CHARS:,}".replace(",", "\u00a0")}
            )

    def clock(self) -> None:
        if time.monotonic() > self.deadline:
            raise FileRefused(
                _("Файл читается дольше %(seconds)s секунд; чтение прервано.")
                % {"seconds": int(self.seconds)}
            )


W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W_BODY, W_TBL, W_TR, W_TC, W_P, W_R, W_T = (
    f"{W_NS}{name}" for name in ("body", "tbl", "tr", "tc", "p", "r", "t")
)
RUN_TEXT = {f"{W_NS}tab": "\t", f"{W_NS}ptab": "\t", f"{W_NS}cr": "\n", f"{W_NS}noBreakHyphen": "-"}


def _run_text(run: Any) -> str:
    parts = []
    for child in run:
        if child.tag == W_T:
            parts.append(child.text or "")
        elif child.tag == f"{W_NS}br":
            parts.append("\n" if child.get(f"{W_NS}type", "textWrapping") == "textWrapping" else "")
        else:
            parts.append(RUN_TEXT.get(child.tag, ""))
    return "".join(parts)


def _paragraph_text(paragraph: Any) -> str:
    """As python-docx's Paragraph.text: the runs and the hyperlinks' runs."""
    parts = []
    for child in paragraph:
        if child.tag == W_R:
            parts.append(_run_text(child))
        elif child.tag == f"{W_NS}hyperlink":
            parts += [_run_text(run) for run in child if run.tag == W_R]
    return "".join(parts)


def _property(element: Any, path: str, default: str | None) -> str | None:
    found = element.find(path)
    if found is None:
        return default
    return found.get(f"{W_NS}val", "continue" if path.endswith("vMerge") else default)


def docx_rows(data: bytes, budget: ReadBudget | None = None) -> tuple[list[Row], list[str]]:
    """Rows of every table in document order (a table broken in several continues), and the
    paragraphs before the first table.

    word/document.xml is streamed element by element (lxml iterparse) and every row is dropped
    once read, so memory follows one row, and the budget refuses as soon as the file passes a
    limit: a hostile file costs the reading of MAX_ROWS rows, not of the whole file. The cells
    are python-docx's `_Row.cells`: a horizontally merged cell repeated for each column it
    spans, a vertically merged one carrying the text of the cell where the merge starts.
    """
    from lxml import etree

    budget = budget or ReadBudget()
    rows: list[Row] = []
    preamble: list[str] = []
    seen_table = False
    table = None
    above: dict[int, tuple[str, int]] = {}  # grid column -> (text, span) in the row above
    cell_chars = 0
    with zipfile.ZipFile(io.BytesIO(data)).open("word/document.xml") as stream:
        events = etree.iterparse(
            stream,
            events=("end",),
            tag=(W_TBL, W_TR, W_TC, W_P, W_T),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
        )
        for _event, element in events:
            tag = element.tag
            if tag == W_T:
                cell_chars += len(element.text or "")
                continue
            if tag == W_TC:
                budget.cell(cell_chars)
                cell_chars = 0
                continue
            parent = element.getparent()
            at_top = parent is not None and parent.tag == W_BODY
            if tag == W_P:
                if at_top:
                    if not seen_table:
                        preamble.append(_paragraph_text(element))
                    parent.remove(element)
                continue
            if tag == W_TBL:
                if at_top:
                    seen_table = True
                    parent.remove(element)
                continue
            # w:tr
            tcs = [child for child in element if child.tag == W_TC]
            spans = [int(_property(tc, f"{W_NS}tcPr/{W_NS}gridSpan", "1") or 1) for tc in tcs]
            budget.row(sum(spans))
            grandparent = parent.getparent() if parent is not None else None
            if grandparent is None or grandparent.tag != W_BODY:
                continue  # a table inside a cell: not rows of the roadmap (as python-docx)
            if parent is not table:
                table, above = parent, {}
            offset = int(_property(element, f"{W_NS}trPr/{W_NS}gridBefore", "0") or 0)
            cells: list[str] = []
            grid: dict[int, tuple[str, int]] = {}
            for tc, span in zip(tcs, spans, strict=True):
                if _property(tc, f"{W_NS}tcPr/{W_NS}vMerge", None) == "continue":
                    if offset not in above:
                        raise ValueError("w:vMerge continues a cell that is not there")
                    text, root_span = above[offset]
                else:
                    text = "\n".join(_paragraph_text(p) for p in tc if p.tag == W_P)
                    root_span = span
                cells += [text] * root_span
                grid[offset] = (text, root_span)
                offset += span
            above = grid
            rows.append(Row(len(rows) + 1, cells))
            parent.remove(element)
    budget.clock()
    return rows, preamble


def csv_rows(data: bytes, budget: ReadBudget | None = None) -> tuple[list[Row], list[str]]:
    """Rows of a CSV in UTF-8 or Windows-1251, separated by «;» (Russian Excel), «,» or tabs."""
    budget = budget or ReadBudget()
    text = decode_csv(data)
    first_line = text.split("\n", 1)[0]
    delimiter = max(";,\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows = []
    try:
        for number, cells in enumerate(reader, start=1):
            for cell in cells:
                budget.cell(len(cell))
            budget.row(len(cells))
            # a cell our export protected against formula injection («'=…») reads back as written
            rows.append(Row(number, [restore_formula(cell) for cell in cells]))
    except csv.Error:  # a cell longer than csv's own limit
        raise FileRefused(
            _(
                "CSV не удаётся прочитать в строке %(row)s: ячейка слишком длинная "
                "или не закрыты кавычки."
            )
            % {"row": budget.rows + 1}
        ) from None
    return rows, []


def xlsx_rows(data: bytes, budget: ReadBudget | None = None) -> tuple[list[Row], list[str]]:
    """Rows of the first sheet, streamed by openpyxl in read-only mode up to the limits (the
    sheet's declared size is not trusted)."""
    import openpyxl

    budget = budget or ReadBudget()
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.active
        rows = []
        for number, values in enumerate(
            sheet.iter_rows(max_row=MAX_ROWS + 1, max_col=MAX_CELLS_PER_ROW + 1, values_only=True),
            start=1,
        ):
            cells = ["" if v is None else str(v) for v in values]
            while cells and not cells[-1]:
                cells.pop()
            for cell in cells:
                budget.cell(len(cell))
            budget.row(len(cells))
            rows.append(Row(number, cells))
    finally:
        workbook.close()
    return rows, []


CSV_ENCODINGS = _("UTF-8, UTF-16 (Юникод), Windows-1251 и KOI8-R")
_CYRILLIC = re.compile("[а-яё]")
_COMMON = re.compile("[оеаинтср]")  # the most frequent Russian letters, about half of a text
_HEADER_STEMS = ("мероприят", "наименован", "ответствен", "исполнит", "срок", "результат")


def _russian_score(text: str) -> float:
    """How Russian a decoding reads: header words of a roadmap table first, then the share of
    the commonest letters (case ignored, so capitals and abbreviations do not mislead it)."""
    lower = text[:20_000].lower()
    letters = len(_CYRILLIC.findall(lower))
    common = len(_COMMON.findall(lower)) / letters if letters else 0.0
    return sum(lower.count(stem) for stem in _HEADER_STEMS) + common


def _utf16_without_mark(head: bytes) -> str | None:
    """UTF-16 saved without its byte order mark: every other byte is 0 (Latin) or 4 (Cyrillic)."""
    for encoding, high in (("utf-16-le", head[1::2]), ("utf-16-be", head[0::2])):
        if len(high) >= 8 and sum(1 for b in high if b in (0, 4)) >= 0.9 * len(high):
            return encoding
    return None


def decode_csv(data: bytes) -> str:
    """CSV text in the encodings Russian offices save: UTF-8 (with or without BOM), UTF-16
    (Excel's «Текст Юникод»), Windows-1251 or KOI8-R (told apart by `_russian_score`)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    elif encoding := _utf16_without_mark(data[:4096]):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            pass
    else:
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            pass
        candidates = []
        for encoding in ("cp1251", "koi8_r"):
            try:
                candidates.append(data.decode(encoding))
            except UnicodeDecodeError:
                continue
        if candidates:
            return max(candidates, key=_russian_score)
    raise FileRefused(
        _("Не удалось прочитать кодировку CSV. Понимаются кодировки %(encodings)s.")
        % {"encodings": CSV_ENCODINGS}
    )


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
