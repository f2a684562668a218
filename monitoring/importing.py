"""Tables of values (ВПР, ОГЭ, ЕГЭ results as municipalities receive them): read, matched
against the municipality's schools and catalogue, shown as a preview, then confirmed whole.

A table is one row per school, one column per indicator (by code or by title), with a column
of school codes («Код ОО», «Логин») and/or names («ОО», «Школа»). Title rows above the header,
merged header cells, total rows («Итого», «Среднее»), empty rows, numbers as text with comma
decimals, floats and percent signs are read as people make them. The file is read by
measures.import_files (one reader of XLSX and CSV in the project); each cell is checked by
monitoring.values.parse_value, the one check of a value against its unit.

Nothing is written until the confirmation: `read_table` builds `ValuesImport.parsed` (the
matched rows, the problems, the values seen in the database at that moment), `values_import_confirm`
writes every value or none.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from measures.import_files import FileRefused, ReadBudget, Row, check_file, csv_rows, xlsx_rows
from monitoring.models import Indicator, IndicatorValue, MonitoringStage, ValuesImport
from monitoring.services import set_value
from monitoring.values import ValueRefused, format_value, parse_value
from roadmap_portal.concurrency import StaleEdit
from schools.models import Municipality, School

# The headers of the school columns, normalised (see `normalise`).
CODE_HEADERS = {
    "код оо", "код", "код школы", "логин", "логин оо", "код организации", "код ои",
    "код образовательной организации", "код оу", "код ou",
}  # fmt: skip
NAME_HEADERS = {
    "оо", "наименование оо", "школа", "наименование школы", "образовательная организация",
    "наименование образовательной организации", "наименование", "название оо", "оу",
    "наименование оу", "общеобразовательная организация", "название школы", "организация",
}  # fmt: skip
TOTAL_WORDS = ("итого", "всего", "среднее", "по району", "по муниципалитету", "по городу",
               "по округу", "в среднем", "средний", "по мо")  # fmt: skip
HEADER_SEARCH_ROWS = 30  # the header is among the first rows; a title or two above it

_QUOTES = re.compile("[«»\"'“”„‟`´]")
_SPACES = re.compile(r"\s+")
_NUMBER_SIGN = re.compile(r"№\s*")
_DASHES = re.compile("[‐‑‒–—―]")
_UNIT_SUFFIX = re.compile(r"(,\s*%|\(\s*%\s*\)|,\s*в\s*%|\s%)$")
_CODE_IN_BRACKETS = re.compile(r"[(\[]\s*([^()\[\]]+?)\s*[)\]]$")


def normalise(text: str) -> str:
    """Text compared case, quote, space and «№» spacing insensitive: «МКОУ "СОШ №1"» and
    «мкоу сош № 1» read the same."""
    text = _QUOTES.sub("", str(text)).replace("ё", "е").replace("Ё", "Е")
    text = _DASHES.sub("-", text)
    text = _NUMBER_SIGN.sub("№ ", text)
    text = _SPACES.sub(" ", text).strip().lower()
    return text.rstrip(" .:")


def normalise_code(text: str) -> str:
    """A school code as a cell holds it: «070001», 70001 read as «70001.0» from a number cell."""
    text = normalise(text).replace(" ", "")
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    return text


@dataclass
class Reading:
    """What a file says, before anything is written: stored as ValuesImport.parsed."""

    header_row: int | None = None
    columns: list[dict] = field(default_factory=list)  # recognised indicator columns
    unknown_columns: list[dict] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)

    def problem(self, message: str, row: int | None = None, column: str = "") -> None:
        self.problems.append({"row": row, "column": column, "message": message})

    def as_dict(self) -> dict:
        return {
            "header_row": self.header_row,
            "columns": self.columns,
            "unknown_columns": self.unknown_columns,
            "rows": self.rows,
            "problems": self.problems,
            "skipped": self.skipped,
        }


class TableRefused(Exception):
    """The file cannot be read as a table of values at all (no header, not a table)."""


def _indicator_keys(indicators: list[Indicator]) -> tuple[dict, dict]:
    by_code = {normalise(i.code): i for i in indicators}
    by_title: dict[str, list[Indicator]] = {}
    for indicator in indicators:
        by_title.setdefault(normalise(indicator.title), []).append(indicator)
    return by_code, by_title


def match_indicator(header: str, by_code: dict, by_title: dict) -> list[Indicator]:
    """The indicators a header cell names: by code («vpr-1», «vpr-1. Доля…», «Доля… (vpr-1)»)
    or by title («Доля…», «Доля…, %»); several when a title is shared and no code tells."""
    text = normalise(header)
    if not text:
        return []
    if text in by_code:
        return [by_code[text]]
    bracketed = _CODE_IN_BRACKETS.search(text)
    if bracketed and bracketed.group(1) in by_code:
        return [by_code[bracketed.group(1)]]
    first = re.split(r"[\s:]", text, maxsplit=1)[0].rstrip(".")
    if first in by_code and first != text:
        return [by_code[first]]
    for candidate in (text, _UNIT_SUFFIX.sub("", text).strip().rstrip(",")):
        if candidate in by_title:
            return by_title[candidate]
    if bracketed:
        bare = text[: bracketed.start()].strip().rstrip(",")
        if bare in by_title:
            return by_title[bare]
    return []


def _school_column_kind(cell: str) -> str | None:
    text = normalise(cell)
    if text in CODE_HEADERS:
        return "code"
    if text in NAME_HEADERS:
        return "name"
    return None


def _find_header(rows: list[Row], by_code: dict, by_title: dict) -> Row | None:
    """The first row naming a school column and at least one indicator of the catalogue."""
    for row in rows[:HEADER_SEARCH_ROWS]:
        kinds = [_school_column_kind(cell) for cell in row.cells]
        if not any(kinds):
            continue
        if any(
            match_indicator(cell, by_code, by_title)
            for cell, kind in zip(row.cells, kinds, strict=True)
            if kind is None
        ):
            return row
    return None


def _is_numbering(cells: list[str]) -> bool:
    """The row of column numbers under a header (1, 2, 3, …)."""
    filled = [cell.strip() for cell in cells if cell.strip()]
    if len(filled) < 2:
        return False
    if not all(cell.isascii() and cell.isdigit() for cell in filled):
        return False
    numbers = [int(cell) for cell in filled]
    return numbers == list(range(1, len(numbers) + 1))


def _is_total(text: str) -> bool:
    text = normalise(text)
    return any(text == word or text.startswith(word + " ") for word in TOTAL_WORDS)


def _school_keys(schools: list[School]) -> tuple[dict, dict]:
    by_code: dict[str, School] = {}
    by_name: dict[str, list[School]] = {}
    for school in schools:
        if school.code:
            by_code[normalise_code(school.code)] = school
            by_code.setdefault(normalise_code(school.code).lstrip("0"), school)
        for name in {normalise(school.short_name), normalise(school.name)}:
            if name:
                by_name.setdefault(name, []).append(school)
    return by_code, by_name


def read_rows(
    rows: list[Row],
    *,
    municipality: Municipality,
    stage: MonitoringStage,
) -> Reading:
    """Match the rows of a table against the municipality's catalogue and schools, and the
    values already stored for the stage. TableRefused when no header row is found."""
    reading = Reading()
    indicators = list(Indicator.objects.filter(municipality=municipality).order_by("code"))
    by_code, by_title = _indicator_keys(indicators)
    header = _find_header(rows, by_code, by_title)
    if header is None:
        school_levels = [i for i in indicators if i.level == Indicator.Level.SCHOOL]
        examples = ", ".join(f"«{i.code}»" for i in school_levels[:5])
        raise TableRefused(
            _(
                "Не найдена строка заголовка таблицы. В ней должны быть столбец школы («Код ОО», "
                "«Логин» или «ОО», «Наименование ОО», «Школа») и хотя бы один столбец показателя "
                "этого муниципалитета — по коду или названию (коды: %(codes)s). Скачайте шаблон: "
                "в нём заголовок уже готов."
            )
            % {"codes": examples or _("в каталоге пока нет показателей школ")}
        )
    reading.header_row = header.number
    code_column = name_column = None
    seen: dict[int, str] = {}
    for index, cell in enumerate(header.cells):
        if not cell.strip():
            continue
        kind = _school_column_kind(cell)
        if kind == "code" and code_column is None:
            code_column = index
            continue
        if kind == "name" and name_column is None:
            name_column = index
            continue
        found = match_indicator(cell, by_code, by_title)
        if not found:
            reading.unknown_columns.append({"index": index, "header": cell})
            continue
        if len(found) > 1:
            reading.problem(
                _(
                    "Название подходит к нескольким показателям (%(codes)s): укажите в заголовке "
                    "код показателя."
                )
                % {"codes": ", ".join(i.code for i in found)},
                header.number,
                cell,
            )
            continue
        indicator = found[0]
        if indicator.level != Indicator.Level.SCHOOL:
            reading.problem(
                _(
                    "«%(code)s» — показатель муниципалитета: в таблице школ его значения не "
                    "принимаются. Удалите столбец или внесите значение на странице показателя."
                )
                % {"code": indicator.code},
                header.number,
                cell,
            )
            continue
        if indicator.pk in seen:
            reading.problem(
                _("Показатель «%(code)s» уже есть в столбце «%(other)s»: оставьте один столбец.")
                % {"code": indicator.code, "other": seen[indicator.pk]},
                header.number,
                cell,
            )
            continue
        seen[indicator.pk] = cell
        reading.columns.append(
            {
                "index": index,
                "header": cell,
                "indicator": indicator.pk,
                "code": indicator.code,
                "title": indicator.title,
                "unit": indicator.unit,
            }
        )

    schools = list(School.objects.filter(municipality=municipality))
    schools_by_code, schools_by_name = _school_keys(schools)
    header_texts = {normalise(cell) for cell in header.cells if cell.strip()}
    code_header = header.cells[code_column] if code_column is not None else ""
    name_header = header.cells[name_column] if name_column is not None else ""
    rows_of_school: dict[int, int] = {}

    def cell_at(row: Row, index: int | None) -> str:
        if index is None or index >= len(row.cells):
            return ""
        return row.cells[index].strip()

    for row in rows[rows.index(header) + 1 :]:
        if not any(cell.strip() for cell in row.cells):
            continue  # an empty row
        code_text, name_text = cell_at(row, code_column), cell_at(row, name_column)
        values_text = [cell_at(row, column["index"]) for column in reading.columns]
        if {normalise(cell) for cell in row.cells if cell.strip()} <= header_texts:
            continue  # the second row of a merged header repeats it
        if _is_numbering(row.cells):
            continue
        if _school_column_kind(name_text or code_text):
            continue  # a sub-header row under a merged «Школа» («%», «чел.» under indicators)
        first = next(cell for cell in row.cells if cell.strip())
        if _is_total(name_text or code_text or first) or _is_total(first):
            reading.skipped.append({"row": row.number, "text": (name_text or first)[:200]})
            continue
        as_written = " · ".join(text for text in (code_text, name_text) if text)
        if not code_text and not name_text:
            if any(values_text):
                reading.problem(
                    _("В строке есть значения, но не указана школа."),
                    row.number,
                    name_header or code_header,
                )
            continue  # a note under the table
        school, problem = _match_school(
            code_text, name_text, schools_by_code, schools_by_name, code_header, name_header
        )
        if school is None:
            reading.problem(problem, row.number, name_header if name_text else code_header)
            continue
        if school.pk in rows_of_school:
            reading.problem(
                _("Школа «%(school)s» уже есть в строке %(other)s: оставьте одну строку.")
                % {"school": school.short_name, "other": rows_of_school[school.pk]},
                row.number,
                name_header or code_header,
            )
            continue
        rows_of_school[school.pk] = row.number
        values = []
        refused_cells = {}
        for column, raw in zip(reading.columns, values_text, strict=True):
            if raw.startswith("="):
                reading.problem(
                    _("В ячейке формула «%(formula)s» без вычисленного значения: откройте файл "
                      "в Excel или LibreOffice и сохраните его, чтобы значения были посчитаны.")
                    % {"formula": raw[:60]},
                    row.number,
                    column["header"],
                )  # fmt: skip
                refused_cells[str(column["indicator"])] = raw[:100]
                continue
            try:
                value = parse_value(column["unit"], raw)
            except ValueRefused as refused:
                reading.problem(refused.message, row.number, column["header"])
                refused_cells[str(column["indicator"])] = raw[:100]
                continue
            if value is None:
                continue  # an empty cell is no value, not zero
            values.append({"indicator": column["indicator"], "raw": raw, "value": str(value)})
        reading.rows.append(
            {
                "row": row.number,
                "school": school.pk,
                "school_name": school.short_name,
                "as_written": as_written,
                "values": values,
                "refused": refused_cells,  # shown as written, marked, in the preview
            }
        )
    if not reading.columns and not reading.problems:
        reading.problem(_("В заголовке не найдено ни одного столбца показателя школы."))
    if not reading.rows and not reading.problems:
        reading.problem(_("В таблице нет ни одной строки школы под заголовком."))
    _note_existing(reading, stage)
    return reading


def _match_school(
    code_text: str,
    name_text: str,
    by_code: dict,
    by_name: dict,
    code_header: str,
    name_header: str,
) -> tuple[School | None, str]:
    """The school a row names: by code first, then by short or full name."""
    by_code_school = None
    if code_text:
        key = normalise_code(code_text)
        by_code_school = by_code.get(key) or by_code.get(key.lstrip("0"))
    named: list[School] = by_name.get(normalise(name_text), []) if name_text else []
    if by_code_school is not None:
        if named and by_code_school not in named:
            return None, _(
                "Код «%(code)s» — это школа «%(by_code)s», а название «%(name)s» — школа "
                "«%(by_name)s». Исправьте код или название."
            ) % {
                "code": code_text,
                "by_code": by_code_school.short_name,
                "name": name_text,
                "by_name": named[0].short_name,
            }
        return by_code_school, ""
    if len(named) == 1:
        return named[0], ""
    if len(named) > 1:
        return None, _("Название «%(name)s» подходит к нескольким школам: укажите код ОО.") % {
            "name": name_text
        }
    written = " / ".join(f"«{text}»" for text in (code_text, name_text) if text)
    return None, _(
        "Школа %(written)s не найдена среди школ муниципалитета. Проверьте название или впишите "
        "код ОО в карточке школы (Реестр → Школы)."
    ) % {"written": written}


def _note_existing(reading: Reading, stage: MonitoringStage) -> None:
    """Each value's stored counterpart for the stage as of now: its value and version (0 when
    none), so that the preview says «новое» / «изменится» and the confirmation can tell a
    value changed meanwhile."""
    schools = {row["school"] for row in reading.rows}
    indicators = {column["indicator"] for column in reading.columns}
    existing = {
        (value.indicator_id, value.school_id): value
        for value in IndicatorValue.objects.filter(
            stage=stage, school__in=schools, indicator__in=indicators
        ).only("indicator_id", "school_id", "value", "version")
    }
    for row in reading.rows:
        for item in row["values"]:
            stored = existing.get((item["indicator"], row["school"]))
            item["was"] = str(stored.value) if stored else None
            item["version"] = stored.version if stored else 0


def read_file(name: str, data: bytes) -> list[Row]:
    """The rows of an XLSX (or XLS/ODS converted by LibreOffice) or CSV file; FileRefused with
    the reason in Russian."""
    kind = check_file(name, data)
    if kind == "docx":
        raise FileRefused(
            _("Это документ Word, а нужна таблица: загрузите XLSX или CSV (или XLS, ODS).")
        )
    budget = ReadBudget()
    rows, _preamble = (xlsx_rows if kind == "xlsx" else csv_rows)(data, budget)
    if kind == "xlsx" and data.startswith(b"PK"):
        _show_uncomputed_formulas(data, rows)
    return rows


def _show_uncomputed_formulas(data: bytes, rows: list[Row]) -> None:
    """A formula saved without its result (a file written by a program, not by Excel) reads as
    an empty cell: put the formula in its place, so that the cell is named as a problem rather
    than silently taken for «no value»."""
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    try:
        by_number = {row.number: row for row in rows}
        for number, cells in enumerate(workbook.active.iter_rows(values_only=True), start=1):
            row = by_number.get(number)
            if row is None:
                continue
            for index, value in enumerate(cells):
                if isinstance(value, str) and value.startswith("="):
                    row.cells += [""] * (index + 1 - len(row.cells))
                    if not row.cells[index].strip():
                        row.cells[index] = value
    finally:
        workbook.close()


def values_import_read(
    *,
    municipality: Municipality,
    stage: MonitoringStage,
    file_name: str,
    data: bytes,
    source: str,
    measured_on: date,
    user: AbstractBaseUser | None,
) -> ValuesImport:
    """Read an uploaded table into a ValuesImport: PREVIEW with its matched rows and problems,
    or REFUSED with the reason the file cannot be read. Nothing else is written."""
    record = ValuesImport(
        municipality=municipality,
        stage=stage,
        file_name=file_name[:300],
        sha256=hashlib.sha256(data).hexdigest(),
        source=source,
        measured_on=measured_on,
        created_by=user,
    )
    try:
        rows = read_file(file_name, data)
        record.parsed = read_rows(rows, municipality=municipality, stage=stage).as_dict()
    except (FileRefused, TableRefused) as refused:
        record.status = ValuesImport.Status.REFUSED
        record.error = str(refused)
    record.save()
    return record


# --- The preview ---------------------------------------------------------------------------


def preview_rows(record: ValuesImport) -> list[dict]:
    """The matched table for the page: each school and each column's value with what will
    happen to it (new, changes from, unchanged), formatted in its unit."""
    parsed = record.parsed or {}
    columns = parsed.get("columns", [])
    rows = []
    for row in parsed.get("rows", []):
        by_indicator = {item["indicator"]: item for item in row["values"]}
        cells = []
        for column in columns:
            item = by_indicator.get(column["indicator"])
            label = f"{column['title']} ({column['code']})"
            if item is None:
                refused = row.get("refused", {}).get(str(column["indicator"]))
                if refused is not None:
                    cells.append({"refused": refused, "label": label})
                else:
                    cells.append({"empty": True, "label": label})
                continue
            value = Decimal(item["value"])
            was = Decimal(item["was"]) if item["was"] is not None else None
            cells.append(
                {
                    "label": label,
                    "text": format_value(column["unit"], value),
                    "change": "new" if was is None else ("same" if was == value else "changed"),
                    "was": format_value(column["unit"], was),
                }
            )
        rows.append({**row, "cells": cells, "has_problem": bool(row.get("refused"))})
    return rows


def counts(record: ValuesImport) -> dict[str, int]:
    rows = (record.parsed or {}).get("rows", [])
    result = {"schools": len(rows), "values": 0, "new": 0, "changed": 0, "same": 0}
    for row in rows:
        for item in row["values"]:
            result["values"] += 1
            if item["was"] is None:
                result["new"] += 1
            elif Decimal(item["was"]) == Decimal(item["value"]):
                result["same"] += 1
            else:
                result["changed"] += 1
    return result


# --- The confirmation ----------------------------------------------------------------------


class ImportRefused(Exception):
    """The confirmation is refused, nothing saved; `messages` say why in Russian."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


class AlreadyDone(Exception):
    pass


@transaction.atomic
def values_import_confirm(*, record: ValuesImport, user: AbstractBaseUser) -> dict[str, int]:
    """Write every value of a previewed table, or none: ImportRefused when the table has
    problems or a value changed since the preview (listed), AlreadyDone on a second confirm.
    Values unchanged since the preview and equal to the file's are left as they are."""
    record = ValuesImport.objects.select_for_update().get(pk=record.pk)
    if record.status == ValuesImport.Status.DONE:
        raise AlreadyDone
    parsed = record.parsed or {}
    if record.status != ValuesImport.Status.PREVIEW or parsed.get("problems"):
        raise ImportRefused([_("В таблице есть ошибки: исправьте файл и загрузите его снова.")])
    stage = MonitoringStage.objects.get(pk=record.stage_id)
    columns = {column["indicator"]: column for column in parsed.get("columns", [])}
    indicators = Indicator.objects.in_bulk(list(columns))
    school_ids = [row["school"] for row in parsed.get("rows", [])]
    schools = School.objects.filter(municipality=record.municipality_id).in_bulk(school_ids)
    current = {
        (value.indicator_id, value.school_id): value
        for value in IndicatorValue.objects.select_for_update(of=("self",))
        .filter(stage=stage, school__in=school_ids, indicator__in=list(columns))
        .select_related("updated_by")
    }
    stale = []
    missing = set()
    for row in parsed.get("rows", []):
        if row["school"] not in schools:
            missing.add(_("школа «%(school)s» удалена") % {"school": row["school_name"]})
            continue
        for item in row["values"]:
            indicator = indicators.get(item["indicator"])
            if (
                indicator is None
                or indicator.level != Indicator.Level.SCHOOL
                or indicator.unit != columns[item["indicator"]]["unit"]
            ):
                missing.add(
                    _("показатель «%(code)s» удалён или изменён")
                    % {"code": columns[item["indicator"]]["code"]}
                )
                continue
            stored = current.get((item["indicator"], row["school"]))
            version = stored.version if stored else 0
            if version != item["version"]:
                unit = columns[item["indicator"]]["unit"]
                was = Decimal(item["was"]) if item["was"] is not None else None
                who = ""
                if stored is not None and stored.updated_by is not None:
                    who = stored.updated_by.get_full_name() or stored.updated_by.username
                stale.append(
                    _("%(school)s — %(code)s: при проверке было %(was)s, сейчас %(now)s%(who)s")
                    % {
                        "school": row["school_name"],
                        "code": indicator.code,
                        "was": format_value(unit, was),
                        "now": format_value(unit, stored.value if stored else None),
                        "who": f" ({who})" if who else "",
                    }
                )
    if missing or stale:
        raise ImportRefused(sorted(missing) + stale)
    result = {"values": 0, "new": 0, "changed": 0, "same": 0}
    for row in parsed.get("rows", []):
        school = schools[row["school"]]
        for item in row["values"]:
            value = Decimal(item["value"])
            result["values"] += 1
            if item["was"] is not None and Decimal(item["was"]) == value:
                result["same"] += 1
                continue
            result["new" if item["was"] is None else "changed"] += 1
            try:
                set_value(
                    user=user,
                    indicator=indicators[item["indicator"]],
                    stage=stage,
                    school=school,
                    value=value,
                    source=record.source,
                    measured_on=record.measured_on,
                    expected_version=item["version"],
                    values_import=record,
                )
            except StaleEdit as stale_edit:  # saved by someone else after the check above
                raise ImportRefused(
                    [
                        _("%(school)s — %(code)s: значение изменено, пока таблица загружалась")
                        % {"school": row["school_name"], "code": indicators[item["indicator"]].code}
                    ]
                ) from stale_edit
    record.status = ValuesImport.Status.DONE
    record.confirmed_by = user
    record.confirmed_at = timezone.now()
    record.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    return result


# --- The template --------------------------------------------------------------------------


def template_xlsx(*, municipality: Municipality, stage: MonitoringStage | None) -> bytes:
    """A table to fill: a title row, the header «Код ОО», «Школа», one column per school
    indicator («title (code)»), one row per school, prefilled with the stage's values."""
    import openpyxl
    from openpyxl.styles import Alignment, Font

    indicators = list(
        Indicator.objects.filter(municipality=municipality, level=Indicator.Level.SCHOOL).order_by(
            "code"
        )
    )
    schools = list(School.objects.filter(municipality=municipality).order_by("short_name"))
    stored: dict[tuple[int, int], Any] = {}
    if stage is not None:
        stored = {
            (value.indicator_id, value.school_id): value.value
            for value in IndicatorValue.objects.filter(
                stage=stage, indicator__in=indicators, school__isnull=False
            ).only("indicator_id", "school_id", "value")
        }
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = _("Значения")[:31]
    title = _("Значения показателей: %(municipality)s") % {"municipality": municipality.name}
    if stage is not None:
        title += f", {stage}"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True)
    sheet.append([_("Код ОО"), _("Школа")] + [f"{i.title} ({i.code})" for i in indicators])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for school in schools:
        line: list[Any] = [school.code, school.short_name]
        for indicator in indicators:
            value = stored.get((indicator.pk, school.pk))
            if value is None:
                line.append(None)
            elif indicator.unit == Indicator.Unit.BOOLEAN:
                line.append(_("да") if value else _("нет"))
            elif value == value.to_integral_value():
                line.append(int(value))
            else:
                line.append(float(value))
        sheet.append(line)
    sheet.column_dimensions["A"].width = 12
    sheet.column_dimensions["B"].width = 36
    for index in range(len(indicators)):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(index + 3)].width = 24
    sheet.freeze_panes = "C3"
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
