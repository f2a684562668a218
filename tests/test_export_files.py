"""Export files as people open them: named after the roadmap, a styled printable sheet, a CSV
that Russian Excel splits into columns. The files are read back, not inspected as bytes."""

import csv
import io
from datetime import date
from urllib.parse import quote

import docx
import openpyxl
import pytest
from django.urls import reverse

from measures.exporting import export_roadmap, file_name, sheet_name
from measures.importing import COLUMN_LABELS
from tests import factories

pytestmark = pytest.mark.django_db

HEADERS = [COLUMN_LABELS[k] for k in ("section", "number", "title", "owners", "deadline", "result")]


@pytest.fixture
def roadmap(tenants):
    roadmap = tenants.home.roadmap
    roadmap.title = "Дорожная карта МО: «Тест» / школы 2021-2022"
    roadmap.starts_on, roadmap.ends_on = date(2021, 9, 1), date(2022, 8, 31)
    roadmap.save()
    measure = roadmap.measures.first()
    measure.title = "Очень длинное название " * 30
    measure.save()
    return roadmap


def test_file_names_are_the_roadmap_in_russian_without_forbidden_characters(roadmap):
    assert file_name(roadmap, "xlsx") == "Дорожная карта МО «Тест» школы 2021-2022.xlsx"
    roadmap.title = "План на 2026 год"
    roadmap.starts_on, roadmap.ends_on = date(2026, 1, 1), date(2026, 12, 31)
    assert file_name(roadmap, "csv") == "План на 2026 год.csv"
    roadmap.title = "План мероприятий по работе со школами " * 10  # too long: the municipality
    assert file_name(roadmap, "docx") == f"Дорожная карта {factories.HOME} 2026.docx"
    roadmap.title = 'con\x00trol?*<>|"'
    assert file_name(roadmap, "json") == "control 2026.json"


def test_sheet_names_are_what_excel_accepts(roadmap):
    assert sheet_name(roadmap) == "Дорожная карта 2021-2022"  # the title is over 31 characters
    roadmap.title = "План [на]: *год*?"
    assert sheet_name(roadmap) == "План на год"
    roadmap.title = "'"
    assert sheet_name(roadmap) == "Дорожная карта 2021-2022"


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json", "docx"])
def test_download_is_named_per_rfc_6266(client, tenants, roadmap, fmt):
    client.force_login(tenants.home.working_group)
    response = client.get(reverse("measures:roadmap_export", args=[roadmap.pk, fmt]))
    assert response.status_code == 200
    name = f"Дорожная карта МО «Тест» школы 2021-2022.{fmt}"
    assert response["Content-Disposition"] == (
        f"attachment; filename=\"roadmap-{roadmap.pk}.{fmt}\"; filename*=UTF-8''{quote(name)}"
    )
    response["Content-Disposition"].encode("ascii")  # a header is ASCII


def test_xlsx_is_styled_wrapped_frozen_and_printable(roadmap):
    workbook = openpyxl.load_workbook(io.BytesIO(export_roadmap(roadmap, "xlsx")))
    assert workbook.sheetnames == ["Дорожная карта 2021-2022"]
    sheet = workbook.active
    header = [cell for cell in sheet[1]]
    assert [cell.value for cell in header] == HEADERS
    for cell in header:
        assert cell.font.bold
        assert cell.fill.fill_type == "solid" and cell.fill.fgColor.rgb.endswith("DCE6F1")
        assert cell.border.bottom.style == "thin" and cell.border.left.style == "thin"
    assert sheet.freeze_panes == "A2"
    widths = [sheet.column_dimensions[letter].width for letter in "ABCDEF"]
    assert all(8 <= width <= 60 for width in widths), widths
    long_title = sheet.cell(row=2, column=3)
    assert len(long_title.value) > 600 and long_title.alignment.wrap_text
    # the row grows to its wrapped text (a spreadsheet would not on opening), within Excel's limit
    assert 200 < sheet.row_dimensions[2].height <= 409
    assert sheet.row_dimensions[3].height < 50
    assert sheet.cell(row=3, column=4).border.top.style == "thin"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1 and sheet.page_setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$1:$1"
    assert sheet.max_row == 1 + roadmap.measures.count()


def test_csv_is_for_russian_excel(roadmap):
    data = export_roadmap(roadmap, "csv")
    assert data.startswith("\ufeff".encode())
    text = data.decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[0] == ";".join(HEADERS)
    assert lines[-1] == ""  # every row ends with CRLF
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0] == HEADERS
    assert len(rows) == 1 + roadmap.measures.count()
    assert all(len(row) == 6 for row in rows)
    numbers = [row[1] for row in rows[1:]]
    assert numbers == list(roadmap.measures.order_by("position").values_list("number", flat=True))


def test_docx_still_carries_the_title(roadmap):
    document = docx.Document(io.BytesIO(export_roadmap(roadmap, "docx")))
    assert any(p.text == roadmap.title for p in document.paragraphs)
