"""The files municipalities keep, checked and read into table rows: DOCX, XLSX and CSV.

Checks come first (type by content, size, zip bomb, password) and every reader works under a
`ReadBudget`, so a hostile file costs bounded work. Nothing here interprets the rows: that is
`measures.importing`.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import zipfile
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path, PurePath
from typing import Any

from django.utils.translation import gettext as _

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
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class Row:
    number: int  # the row as a person finds it in the file (1-based)
    cells: list[str]


# --- Files ---------------------------------------------------------------------------------


def clean_cell(value: object) -> str:
    """Cell text as printed: lines kept, spaces inside a line folded, empty lines dropped."""
    if value is None:
        return ""
    text = clean_text(str(value)).replace("\u00a0", " ")
    lines = [re.sub(r"[ \t\u2003\u2002]+", " ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


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


LEGACY_WORD = {".doc", ".rtf", ".odt"}
LEGACY_SHEET = {".xls", ".ods"}
# Safely below the read task's soft limit (measures.tasks.READ_SOFT_LIMIT, 60 s), so that a
# slow conversion ends in its own Russian message and the task still has time to record it.
CONVERT_SECONDS = 45
ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": ".odt",
    b"application/vnd.oasis.opendocument.spreadsheet": ".ods",
}


def _ole_streams(data: bytes) -> set[str]:
    """The OLE streams a file names (their names are written in UTF-16 in its directory)."""
    names = ("EncryptedPackage", "EncryptionInfo", "WordDocument", "Workbook", "Book")
    return {name for name in names if name.encode("utf-16-le") in data}


def legacy_kind(data: bytes) -> str | None:
    """The old format a file is written in, by its content: ".doc", ".xls", ".rtf", ".odt",
    ".ods", or None (DOCX, XLSX, CSV or not a document at all)."""
    if data.startswith(OLE_MAGIC):
        streams = _ole_streams(data)
        if "EncryptedPackage" in streams:
            return None
        if "WordDocument" in streams:
            return ".doc"
        if streams & {"Workbook", "Book"}:
            return ".xls"
        return None
    if data.lstrip(b"\xef\xbb\xbf").startswith(b"{\\rtf"):
        return ".rtf"
    if data.startswith(b"PK\x03\x04"):
        head = data[:200]  # ODF stores its «mimetype» first and uncompressed
        for mimetype, suffix in ODF_MIMETYPES.items():
            if b"mimetype" + mimetype in head:
                return suffix
    return None


@functools.cache
def libreoffice() -> str | None:
    """LibreOffice's command line program on this server, or None when it is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


@functools.cache
def _without_network() -> list[str]:
    """A command prefix that runs a program without network access, where the system allows
    it (a new user and network namespace); empty where it does not."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return []
    try:
        probe = subprocess.run([unshare, "-rn", "true"], capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return []
    return [unshare, "-rn"] if probe.returncode == 0 else []


# The part of LibreOffice that reads each kind of file (Writer, Calc), by its core library.
COMPONENTS = {".doc": "libswlo.so", ".rtf": "libswlo.so", ".odt": "libswlo.so",
              ".xls": "libsclo.so", ".ods": "libsclo.so"}  # fmt: skip


def libreoffice_reads(suffix: str) -> bool:
    """Whether this server's LibreOffice has the part that reads `suffix` (a server may have
    Writer without Calc: libreoffice-writer-nogui alone)."""
    program = libreoffice()
    if program is None:
        return False
    folder = Path(os.path.realpath(program)).parent
    library = COMPONENTS[suffix]
    if not any(folder.glob("lib*lo.so")):
        return True  # not a layout we know (another system): let the conversion tell
    return (folder / library).exists()


def _missing_libreoffice(suffix: str) -> FileRefused:
    target = ".xlsx" if suffix in LEGACY_SHEET else ".docx"
    program = "LibreOffice"
    if libreoffice() is not None:  # installed, without the part that reads this file
        program = "LibreOffice Calc" if suffix in LEGACY_SHEET else "LibreOffice Writer"
    return FileRefused(
        _(
            "Файлы %(suffix)s читаются через %(program)s, который не установлен на сервере: "
            "сохраните файл как %(target)s."
        )
        % {"suffix": suffix, "target": target, "program": program}
    )


def convert_legacy(name: str, data: bytes) -> tuple[str, bytes]:
    """An old-format file (.doc, .rtf, .odt → .docx; .xls, .ods → .xlsx) converted through
    LibreOffice (headless, its own temporary profile, no network where the system allows, at
    most CONVERT_SECONDS); any other file is returned as it is. FileRefused with the reason in
    Russian when LibreOffice is missing or cannot convert the file."""
    suffix = legacy_kind(data)
    if suffix is None:
        return name, data
    program = libreoffice()
    if program is None or not libreoffice_reads(suffix):
        raise _missing_libreoffice(suffix)
    target = "xlsx" if suffix in LEGACY_SHEET else "docx"
    refused = FileRefused(
        _(
            "Файл в старом формате «%(suffix)s» не удалось прочитать: он повреждён или защищён "
            "паролем. Откройте его и сохраните как .%(target)s."
        )
        % {"suffix": suffix, "target": target}
    )
    with tempfile.TemporaryDirectory(prefix="roadmap-convert-") as folder:
        source = Path(folder) / f"file{suffix}"
        source.write_bytes(data)
        command = [
            *_without_network(), program, "--headless", "--norestore", "--nologo",
            "--nolockcheck", f"-env:UserInstallation={Path(folder, 'profile').as_uri()}",
            "--convert-to", target, "--outdir", str(Path(folder) / "out"), str(source),
        ]  # fmt: skip
        process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stopped whole when interrupted
            # its temporary files go to the conversion's own folder, removed with it
            env={**os.environ, "HOME": folder, "TMPDIR": folder, "TMP": folder, "TEMP": folder},
        )
        try:
            process.wait(timeout=CONVERT_SECONDS)
        except subprocess.TimeoutExpired:
            raise FileRefused(
                _("Файл «%(suffix)s» преобразуется дольше %(seconds)s секунд; чтение прервано.")
                % {"suffix": suffix, "seconds": CONVERT_SECONDS}
            ) from None
        finally:
            # any interruption (the time limit above, Celery's soft time limit, a signal that
            # stops the worker) stops LibreOffice too, before its folder is removed
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        result = Path(folder) / "out" / f"file.{target}"
        if not result.is_file():
            raise refused
        converted = result.read_bytes()
    required = "word/document.xml" if target == "docx" else "xl/workbook.xml"
    try:
        check_zip(converted, required, target.upper())
    except FileRefused:
        raise refused from None
    return f"{PurePath(name).stem}.{target}", converted


def check_file(name: str, data: bytes) -> str:
    """The format the file is read as ("docx", "xlsx", "csv"), or FileRefused with the reason
    in Russian. Old formats (.doc, .rtf, .odt; .xls, .ods) are read as "docx" / "xlsx": the
    readers convert them through LibreOffice (`convert_legacy`), here they are only
    recognised, so that the check stays fast."""
    suffix = PurePath(name).suffix.lower()
    if not data:
        raise FileRefused(_("Файл пуст."))
    if len(data) > MAX_FILE_SIZE:
        raise FileRefused(
            _("Файл слишком большой (%(size)s МБ); допускается до %(max)s МБ.")
            % {"size": round(len(data) / 1024 / 1024, 1), "max": MAX_FILE_SIZE // 1024 // 1024}
        )
    legacy = legacy_kind(data)
    if data.startswith(OLE_MAGIC) and legacy is None:
        if "EncryptedPackage" in _ole_streams(data) or suffix not in LEGACY_WORD | LEGACY_SHEET:
            raise FileRefused(
                _(
                    "Файл зашифрован паролем или сохранён в старом формате (.doc, .xls). "
                    "Снимите пароль и сохраните его как .docx или .xlsx."
                )
            )
        raise FileRefused(
            _("Файл в старом формате «%(suffix)s» повреждён: его не удаётся прочитать.")
            % {"suffix": suffix}
        )
    if legacy is not None or suffix in LEGACY_WORD | LEGACY_SHEET:
        kind = legacy or suffix
        if not libreoffice_reads(kind):
            raise _missing_libreoffice(kind)
        if legacy is None:
            raise FileRefused(
                _(
                    "Файл «%(suffix)s» повреждён или сохранён в другом формате: "
                    "его не удаётся открыть."
                )
                % {"suffix": suffix}
            )
        if legacy in ODF_MIMETYPES.values():
            check_zip(data, "content.xml", "документ OpenDocument")
        return "xlsx" if legacy in LEGACY_SHEET else "docx"
    if suffix == ".docx":
        check_zip(data, "word/document.xml", "документ Word (DOCX)")
        return "docx"
    if suffix in {".xlsx", ".xlsm"}:
        check_zip(data, "xl/workbook.xml", "таблица Excel (XLSX)")
        return "xlsx"
    if suffix == ".csv":
        return "csv"
    if libreoffice() is not None:
        raise FileRefused(
            _(
                "Неподдерживаемый тип файла «%(suffix)s»: загрузите DOCX, XLSX или CSV "
                "(или DOC, RTF, ODT, XLS, ODS)."
            )
            % {"suffix": suffix or name}
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
        self.width(cells, self.rows)
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

    def width(self, cells: int, row: int | None = None) -> None:
        """Refuse a row wider than MAX_CELLS_PER_ROW; called before a row's merged cells are
        expanded (a span of 300 000 000 columns must not be allocated to be counted)."""
        if cells > MAX_CELLS_PER_ROW:
            raise FileRefused(
                _(
                    "В строке %(row)s таблицы %(count)s ячеек: допускается не больше %(max)s "
                    "ячеек в строке."
                )
                % {"row": self.rows + 1 if row is None else row, "count": cells,
                   "max": MAX_CELLS_PER_ROW}
            )  # fmt: skip

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

    def restart(self) -> None:
        self.deadline = time.monotonic() + self.seconds

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
# Elements whose content is read as if it stood in their place: tracked insertions and moves
# (the text as it now stands), content controls, smart tags, custom XML, simple fields (their
# shown result), hyperlinks, text direction.
TRANSPARENT = {
    f"{W_NS}{name}"
    for name in (
        "ins", "moveTo", "hyperlink", "smartTag", "customXml", "sdt", "sdtContent", "fldSimple",
        "dir", "bdo",
    )
}  # fmt: skip
# Never read: deleted and moved-away text, the properties of content controls.
SKIPPED = {f"{W_NS}{name}" for name in ("del", "moveFrom", "sdtPr", "sdtEndPr", "pPr", "rPr")}
W_TXBX = f"{W_NS}txbxContent"


def _run_text(run: Any) -> str:
    """A run's text: w:t, tabs and breaks; not w:delText nor a field's code (w:instrText)."""
    parts = []
    for child in run:
        if child.tag == W_T:
            parts.append(child.text or "")
        elif child.tag == f"{W_NS}br":
            parts.append("\n" if child.get(f"{W_NS}type", "textWrapping") == "textWrapping" else "")
        else:
            parts.append(RUN_TEXT.get(child.tag, ""))
    return "".join(parts)


def _inline_text(element: Any) -> str:
    parts = []
    for child in element:
        if child.tag == W_R:
            parts.append(_run_text(child))
        elif child.tag in TRANSPARENT:
            parts.append(_inline_text(child))
    return "".join(parts)


def _paragraph_text(paragraph: Any) -> str:
    """The paragraph's text as it now reads: runs, also inside hyperlinks, insertions, moves to,
    content controls, smart tags and simple fields; without deleted or moved-away text."""
    return _inline_text(paragraph)


def _blocks_text(container: Any) -> list[str]:
    """The lines of a cell: its paragraphs, and the rows of a table nested in it (cells joined
    by «; »), also inside content controls."""
    lines: list[str] = []
    for child in container:
        if child.tag == W_P:
            lines.append(_paragraph_text(child))
        elif child.tag == W_TBL:
            for row in _children(child, W_TR):
                cells = ["\n".join(_blocks_text(tc)).strip() for tc in _children(row, W_TC)]
                lines.append("; ".join(cell for cell in cells if cell))
        elif child.tag in TRANSPARENT:
            lines += _blocks_text(child)
    return lines


def _children(element: Any, tag: str) -> list[Any]:
    """The children with `tag`, also those wrapped in content controls or custom XML."""
    found = []
    for child in element:
        if child.tag == tag:
            found.append(child)
        elif child.tag in TRANSPARENT:
            found += _children(child, tag)
    return found


def _property(element: Any, path: str, default: str | None) -> str | None:
    found = element.find(path)
    if found is None:
        return default
    return found.get(f"{W_NS}val", "continue" if path.endswith("vMerge") else default)


def _count(value: str | None, default: int) -> int:
    """A span or a skipped-columns count of Word XML; a value that is not a whole number of
    columns (empty, «abc», «-3») reads as `default`, as Word reads it."""
    try:
        number = int(value or default)
    except ValueError:
        return default
    return number if number >= default else default


def _nearest(element: Any, tags: set[str]) -> Any:
    """The nearest ancestor with one of `tags`, or None."""
    for ancestor in element.iterancestors():
        if ancestor.tag in tags:
            return ancestor
    return None


_ENCLOSING = {W_TC, W_P, W_TXBX}


def docx_rows(data: bytes, budget: ReadBudget | None = None) -> tuple[list[Row], list[str]]:
    """Rows of every table in document order (a table broken in several continues), and the
    paragraphs before the first table.

    word/document.xml is streamed element by element (lxml iterparse) and every row is dropped
    once read, so memory follows one row, and the budget refuses as soon as the file passes a
    limit: a hostile file costs the reading of MAX_ROWS rows, not of the whole file. The cells
    are python-docx's `_Row.cells`: a horizontally merged cell repeated for each column it
    spans, a vertically merged one carrying the text of the cell where the merge starts.
    Files of other programs read the same: text in content controls, smart tags and simple
    fields is read, tracked changes read as accepted (insertions and moves to are read, deleted
    rows, deletions and moves from are not), field codes are not text, a table nested in a
    cell is read as lines of that cell.
    """
    from lxml import etree

    budget = budget or ReadBudget()
    _name, data = convert_legacy("file.docx", data)
    budget.restart()  # the conversion has its own time limit
    rows: list[Row] = []
    preamble: list[str] = []
    seen_table = False
    between: list[str] = []  # paragraphs after a table: the preamble when another table follows
    table = None
    above: dict[int, tuple[str, int]] = {}  # grid column -> (text, span) in the row above
    with zipfile.ZipFile(io.BytesIO(data)).open("word/document.xml") as stream:
        events = etree.iterparse(
            stream,
            events=("end",),
            tag=(W_TBL, W_TR, W_P),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
        )
        for _event, element in events:
            tag = element.tag
            if _nearest(element, _ENCLOSING) is not None:
                continue  # inside a cell or a text box: read with the cell, or not at all
            parent = element.getparent()
            if tag == W_P:
                if _nearest(element, {f"{W_NS}del", f"{W_NS}moveFrom"}) is None:
                    (between if seen_table else preamble).append(_paragraph_text(element))
                parent.remove(element)
                continue
            if tag == W_TBL:
                seen_table = True
                parent.remove(element)
                continue
            # w:tr of a table of the body
            tcs = _children(element, W_TC)
            budget.width(len(tcs))
            spans = [_count(_property(tc, f"{W_NS}tcPr/{W_NS}gridSpan", "1"), 1) for tc in tcs]
            # every width is checked before a merged cell is repeated for the columns it spans
            budget.width(max(spans, default=0))
            budget.width(sum(spans))
            owner = _nearest(element, {W_TBL})
            if owner is not table:
                table, above = owner, {}
                # «Таблица 2 / Перечень мероприятий…» between a table of indicators and the
                # table of measures is read with the preamble; a note after the last table not
                preamble += between
                between = []
            if element.find(f"{W_NS}trPr/{W_NS}del") is not None:
                budget.row(sum(spans))
                parent.remove(element)  # a row deleted with tracked changes on
                continue
            offset = _count(_property(element, f"{W_NS}trPr/{W_NS}gridBefore", "0"), 0)
            budget.width(offset)
            budget.width(offset + sum(spans))
            read: list[tuple[str, int]] = []
            grid: dict[int, tuple[str, int]] = {}
            for tc, span in zip(tcs, spans, strict=True):
                if _property(tc, f"{W_NS}tcPr/{W_NS}vMerge", None) == "continue":
                    # a merge continued under nothing (some converters write it) reads empty
                    text, root_span = above.get(offset, ("", span))
                else:
                    text = "\n".join(_blocks_text(tc))
                    root_span = span
                budget.cell(len(text))
                read.append((text, root_span))
                grid[offset] = (text, root_span)
                offset += span
            budget.width(sum(width for _text, width in read))  # merges taken from above
            cells = [text for text, width in read for _ in range(width)]
            budget.row(sum(spans))
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
    return rows, leading_text(rows)


def leading_text(rows: list[Row]) -> list[str]:
    """The text above a sheet's table (its title, the approving act): the rows before the
    first row of two or more filled cells that hold one text each. They stay rows too: the
    interpretation decides where the table starts."""
    lines = []
    for row in rows:
        filled = [cell for cell in row.cells if cell.strip()]
        if len(set(filled)) > 1:
            break
        if filled:
            lines.append(filled[0])
    return lines


def _xlsx_merges(sheet: Any) -> dict[tuple[int, int], tuple[int, int]]:
    """The sheet's merged ranges (openpyxl's read-only mode does not read them), from its XML
    streamed row by row: (row, column) of each covered cell → (row, column) of the range's
    top-left cell, 0-based, clipped to the limits of a read. A sheet whose merges cover more
    than MAX_CELLS cells is refused before they are expanded."""
    from lxml import etree
    from openpyxl.utils import range_boundaries

    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    covered: dict[tuple[int, int], tuple[int, int]] = {}
    area = 0
    with sheet._get_source() as stream:
        events = etree.iterparse(
            stream, events=("end",), tag=(f"{ns}row", f"{ns}mergeCell"),
            resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
        )  # fmt: skip
        for _event, element in events:
            ref = element.get("ref") if element.tag == f"{ns}mergeCell" else None
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]
            if not ref:
                continue
            try:
                left, top, right, bottom = range_boundaries(ref)
            except (ValueError, TypeError):
                continue  # a range Excel would not write: nothing copied
            if None in (left, top, right, bottom):
                continue
            right, bottom = min(right, MAX_CELLS_PER_ROW + 1), min(bottom, MAX_ROWS + 1)
            if right < left or bottom < top:
                continue
            area += (right - left + 1) * (bottom - top + 1)
            if area > MAX_CELLS:
                raise FileRefused(
                    _(
                        "В таблице больше %(max)s объединённых ячеек: столько за один импорт "
                        "не принимается. Разделите файл на части."
                    )
                    % {"max": f"{MAX_CELLS:,}".replace(",", "\u00a0")}
                )
            for row in range(top - 1, bottom):
                for column in range(left - 1, right):
                    covered.setdefault((row, column), (top - 1, left - 1))
    return covered


def _xlsx_text(cell: Any) -> str:
    """A cell's value as the sheet shows it where it matters: a number formatted as a
    percentage (stored 0.855, shown «85,5 %», as results tables keep shares) is read as
    «85.5%», not as 0.855."""
    value = cell.value
    if value is None:
        return ""
    if (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and "%" in (getattr(cell, "number_format", "") or "")
    ):
        percent = (Decimal(repr(value)) * 100).normalize()
        return f"{percent:f}%"
    return str(value)


def xlsx_rows(data: bytes, budget: ReadBudget | None = None) -> tuple[list[Row], list[str]]:
    """Rows of the first sheet, streamed by openpyxl in read-only mode up to the limits (the
    sheet's declared size is not trusted). A merged range's value is read in every cell it
    covers, as Word's merged cells are (owners or a deadline shared by several rows)."""
    import openpyxl

    budget = budget or ReadBudget()
    _name, data = convert_legacy("file.xlsx", data)
    budget.restart()  # the conversion has its own time limit
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.active
        merges = _xlsx_merges(sheet)
        anchors = set(merges.values())
        anchor_values: dict[tuple[int, int], str] = {}
        rows = []
        for number, row_cells in enumerate(
            sheet.iter_rows(max_row=MAX_ROWS + 1, max_col=MAX_CELLS_PER_ROW + 1), start=1
        ):
            cells = [_xlsx_text(cell) for cell in row_cells]
            if merges:
                for column, cell in enumerate(cells):
                    if (number - 1, column) in anchors:
                        anchor_values[(number - 1, column)] = cell
                for column in range(MAX_CELLS_PER_ROW + 1):
                    anchor = merges.get((number - 1, column))
                    if anchor is not None and anchor_values.get(anchor):
                        cells += [""] * (column + 1 - len(cells))
                        if not cells[column]:
                            cells[column] = anchor_values[anchor]
            while cells and not cells[-1]:
                cells.pop()
            for cell in cells:
                budget.cell(len(cell))
            budget.row(len(cells))
            rows.append(Row(number, cells))
    finally:
        workbook.close()
    return rows, leading_text(rows)


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
