"""A roadmap out to XLSX, CSV, JSON and DOCX; each reads back into the same roadmap."""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import tablib
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from import_export import fields, resources

from measures.importing import COLUMN_LABELS
from measures.models import Measure, Roadmap
from measures.services import roadmap_period
from roadmap_portal.text import act_number, clean_text, is_formula_like, neutralise_formula

FORMATS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "json": ("application/json", "json"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
}


class MeasureResource(resources.ModelResource):
    """The roadmap table as a flat sheet: one row a measure, its section in the first column."""

    section = fields.Field(column_name=COLUMN_LABELS["section"])
    number = fields.Field(attribute="number", column_name=COLUMN_LABELS["number"])
    title = fields.Field(attribute="title", column_name=COLUMN_LABELS["title"])
    owners_text = fields.Field(attribute="owners_text", column_name=COLUMN_LABELS["owners"])
    deadline_text = fields.Field(attribute="deadline_text", column_name=COLUMN_LABELS["deadline"])
    planned_result = fields.Field(attribute="planned_result", column_name=COLUMN_LABELS["result"])

    class Meta:
        model = Measure
        fields = ("section", "number", "title", "owners_text", "deadline_text", "planned_result")
        export_order = fields

    def dehydrate_section(self, measure: Measure) -> str:
        if measure.section is None:
            return ""
        return f"{measure.section.number} {measure.section.title}".strip()


def _measures(roadmap: Roadmap, measures: QuerySet[Measure] | None = None) -> QuerySet[Measure]:
    chosen = roadmap.measures.all() if measures is None else measures
    return chosen.select_related("section").order_by("position")


COLUMN_WIDTHS = (28, 9, 60, 34, 22, 45)  # characters, in MeasureResource's column order
MAX_COLUMN_WIDTH = 60  # characters: a longer text wraps inside its cell
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
FILE_NAME_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
FILE_STEM_LIMIT = 100  # characters of a file name before the extension
SHEET_NAME_LIMIT = 31  # Excel's limit


def _years(roadmap: Roadmap) -> str:
    start, end = roadmap_period(roadmap)
    return str(start.year) if start.year == end.year else f"{start.year}-{end.year}"


def sheet_name(roadmap: Roadmap) -> str:
    """The sheet's name as Excel allows it (at most 31 characters, none of []:*?/\\, no
    apostrophe at either end): the roadmap's title when it fits, else «Дорожная карта 2026»."""
    name = " ".join(SHEET_NAME_FORBIDDEN.sub(" ", clean_text(roadmap.title)).split()).strip("' ")
    if not name or len(name) > SHEET_NAME_LIMIT:
        name = _("Дорожная карта %(years)s") % {"years": _years(roadmap)}
    return name[:SHEET_NAME_LIMIT]


def file_name(roadmap: Roadmap, extension: str) -> str:
    """The file's name as people keep it: the title without characters file systems refuse
    when it is short enough, else «Дорожная карта Черекский муниципальный район» (a long
    title cut short loses what tells two roadmaps apart); then the period's years unless the
    name already ends with them: «Дорожная карта … 2021-2022.xlsx»."""
    stem = " ".join(FILE_NAME_FORBIDDEN.sub(" ", clean_text(roadmap.title)).split()).strip(". ")
    if not stem or len(stem) > FILE_STEM_LIMIT:
        stem = _("Дорожная карта %(municipality)s") % {
            "municipality": " ".join(
                FILE_NAME_FORBIDDEN.sub(" ", roadmap.municipality.name).split()
            )
        }
        stem = stem[:FILE_STEM_LIMIT].strip(". ")
    years = _years(roadmap)
    if not stem.endswith((years, f"{years} год", f"{years} годы")):
        stem = f"{stem} {years}"
    return f"{stem}.{extension}"


def content_disposition(roadmap: Roadmap, extension: str) -> str:
    """An attachment header per RFC 6266: an ASCII `filename=` for old clients and the
    Russian name in `filename*=UTF-8''…` for every browser of today. (Django's
    `content_disposition_header` writes only one of the two.)"""
    return attachment_header(file_name(roadmap, extension), f"roadmap-{roadmap.pk}.{extension}")


def attachment_header(name: str, fallback: str) -> str:
    """`Content-Disposition` of a download named `name` (Russian), `fallback` (ASCII) for old
    clients."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


def clean_sheet_name(text: str) -> str:
    """`text` as Excel allows a sheet's name (at most 31 characters, none of []:*?/\\)."""
    name = " ".join(SHEET_NAME_FORBIDDEN.sub(" ", clean_text(text)).split()).strip("' ")
    return name[:SHEET_NAME_LIMIT].strip("' ") or "Лист1"


LINE_HEIGHT = 15  # points: a line of the default 11-point font
MAX_ROW_HEIGHT = 409  # points: Excel's limit


def _wrapped_lines(value: object, width: float) -> int:
    """About how many lines a cell's text takes when wrapped in a column `width` characters
    wide (Cyrillic letters are a little wider than the digit the width is measured in, and
    words wrap whole)."""
    if not value:
        return 1
    per_line = max(int(width * 0.8), 1)
    return sum(max(math.ceil(len(line) / per_line), 1) for line in str(value).split("\n"))


def xlsx_sheet(dataset: tablib.Dataset, title: str, widths: Sequence[int] = COLUMN_WIDTHS) -> bytes:
    """The sheet as people open and print it: a bold, filled, bordered header row that stays
    on screen and repeats on every printed page, capped widths with wrapped text, A4
    landscape fitted to the page width. A cell that a spreadsheet would run as a formula
    («=HYPERLINK(…)», «-2+3») is written as text with Excel's quote prefix: it reads the
    same and never runs."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    wrap = Alignment(wrap_text=True, vertical="top")
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    header_font = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="DCE6F1")
    header_alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for row_index, values in enumerate([dataset.headers, *dataset], start=1):
        for column, value in enumerate(values, start=1):
            text = clean_text("" if value is None else str(value))
            cell = sheet.cell(row=row_index, column=column, value=text or None)
            if text and is_formula_like(text):
                cell.data_type = "s"
                cell.quotePrefix = True
            cell.border = border
            if row_index == 1:
                cell.font = header_font
                cell.fill = header_fill
                cell.alignment = header_alignment
            else:
                cell.alignment = wrap
    widths = [min(width, MAX_COLUMN_WIDTH) for width in widths]
    widths += [20] * (len(dataset.headers or []) - len(widths))
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    for row in sheet.iter_rows():
        # spreadsheets do not grow a row to its wrapped text on opening: give each its height
        lines = max(_wrapped_lines(cell.value, widths[cell.column - 1]) for cell in row)
        sheet.row_dimensions[row[0].row].height = min(LINE_HEIGHT * lines + 4, MAX_ROW_HEIGHT)
    sheet.freeze_panes = "A2"
    sheet.print_title_rows = "1:1"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv(dataset: tablib.Dataset) -> bytes:
    """CSV as Russian Excel opens it: «;» between cells, UTF-8 with a BOM, CRLF line ends;
    with OWASP's protection: a cell that would run as a formula gets a leading apostrophe
    (the importer reads it back without it)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(dataset.headers)
    for values in dataset:
        writer.writerow([neutralise_formula(clean_text(str(v or ""))) for v in values])
    return buffer.getvalue().encode("utf-8-sig")


def export_table(roadmap: Roadmap, fmt: str, measures: QuerySet[Measure] | None = None) -> bytes:
    dataset = MeasureResource().export(queryset=_measures(roadmap, measures))
    return xlsx_sheet(dataset, sheet_name(roadmap)) if fmt == "xlsx" else _csv(dataset)


def export_structure(roadmap: Roadmap, measures: QuerySet[Measure] | None = None) -> dict[str, Any]:
    """The dry-run structure of `import_roadmap --json`, with the ids of the saved rows."""
    sections = list(roadmap.sections.all())
    index = {section.pk: i for i, section in enumerate(sections)}
    start, end = roadmap_period(roadmap)
    return {
        "id": roadmap.pk,
        "title": roadmap.title,
        "municipality": roadmap.municipality.name,
        "period": f"{start.isoformat()}:{end.isoformat()}",
        "status": roadmap.status,
        "sections": [{"id": s.pk, "number": s.number, "title": s.title} for s in sections],
        "measures": [
            {
                "id": m.pk,
                "number": m.number,
                "section": index.get(m.section_id),
                "title": m.title,
                "owners_text": m.owners_text,
                "deadline_text": m.deadline_text,
                "planned_result": m.planned_result,
                "deadline": {**m.deadline.as_dict(), "corrected": m.deadline_corrected},
            }
            for m in _measures(roadmap, measures).with_deadline()
        ],
    }


def export_docx(roadmap: Roadmap, measures: QuerySet[Measure] | None = None) -> bytes:
    """The appendix as municipalities keep it: A4 landscape, the mark, the title, the table."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    document = docx.Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    page = document.sections[0]
    page.orientation = WD_ORIENT.LANDSCAPE
    page.page_width, page.page_height = Mm(297), Mm(210)
    page.left_margin = Mm(30)
    page.right_margin = page.top_margin = page.bottom_margin = Mm(20)

    act = roadmap.approved_by
    if act is not None:
        mark = (
            _("Приложение %(number)s") % {"number": roadmap.appendix_number}
            if (roadmap.appendix_number)
            else _("Приложение")
        )
        lines = [mark, f"к {act.kind_dative} {act.issuer.genitive}"]
        if act.date or act.number:
            parts = []
            if act.date:
                parts.append(_("от %(date)s") % {"date": act.date.strftime("%d.%m.%Y")})
            if act.number:
                parts.append(act_number(act.number))
            lines.append(" ".join(parts))
        for line in lines:
            document.add_paragraph(clean_text(line)).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.add_run(clean_text(roadmap.title)).bold = True

    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    header = table.rows[0]
    header_props = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header_props.append(repeat)
    for cell, key in zip(
        header.cells, ("number", "title", "owners", "deadline", "result"), strict=True
    ):
        cell.text = COLUMN_LABELS[key]
        cell.paragraphs[0].runs[0].bold = True
    current = None
    for measure in _measures(roadmap, measures):
        if measure.section_id != current and measure.section is not None:
            current = measure.section_id
            cells = table.add_row().cells
            merged = cells[0].merge(cells[4])
            merged.text = clean_text(f"{measure.section.number} {measure.section.title}".strip())
            merged.paragraphs[0].runs[0].bold = True
        cells = table.add_row().cells
        values = (
            measure.number,
            measure.title,
            measure.owners_text,
            measure.deadline_text,
            measure.planned_result,
        )
        for cell, value in zip(cells, values, strict=True):
            cell.text = clean_text(value)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def export_roadmap(roadmap: Roadmap, fmt: str, measures: QuerySet[Measure] | None = None) -> bytes:
    """The roadmap in a format; `measures` narrows it to what the reader may see."""
    if fmt in {"xlsx", "csv"}:
        return export_table(roadmap, fmt, measures)
    if fmt == "json":
        data = export_structure(roadmap, measures)
        return json.dumps(data, ensure_ascii=False, indent=1).encode()
    if fmt == "docx":
        return export_docx(roadmap, measures)
    raise ValueError(fmt)
