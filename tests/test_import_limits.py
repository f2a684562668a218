"""Issue 7, item 5: one import is bounded while the file is read (rows, cells, characters), and
its period is bounded (years 2000–2100, at most 10 years) on the form, in the service and in the
command line. The time and memory of the largest refused file are measured by
`manage.py bench_import --hostile` (a benchmark, not a timed test)."""

import csv
import io
from datetime import date

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from measures.importing import MAX_ROWS, read_roadmap_file
from measures.models import Roadmap, RoadmapImport
from measures.services import ImportRefused, roadmap_import_preview
from tests import docx_builders, factories

PERIOD = (date(2022, 1, 1), date(2022, 12, 31))
MAX_CELL_CHARS = 20_000  # the limits named in the refusals below
ROW_LIMIT = "больше 10\u00a0000 строк"


def errors(parsed) -> list[str]:
    return [error.message for error in parsed.errors]


def test_a_word_table_over_the_row_limit_is_refused_while_reading():
    """Rows past the limit are never read: here they end in broken XML that a reader going to
    the end would report as a damaged file (and the old reader built all of them first)."""
    data = docx_builders.many_rows_docx(MAX_ROWS + 2, tail="<w:tbl><w:tr><w:tc>")
    parsed = read_roadmap_file("план.docx", data, PERIOD)
    assert errors(parsed) == [
        "В таблице больше 10\u00a0000 строк: за один импорт принимается не больше 10\u00a0000 "
        "строк. Разделите файл на части."
    ]
    assert not parsed.measures


def test_a_word_file_at_the_row_limit_is_still_read():
    data = docx_builders.many_rows_docx(MAX_ROWS, cells=3)
    parsed = read_roadmap_file("план.docx", data, PERIOD)
    assert not [e for e in errors(parsed) if "строк" in e]
    assert len(parsed.measures) == MAX_ROWS - 1


def test_a_huge_word_cell_and_too_many_cells_are_refused():
    long_text = "Очень длинный текст " * (MAX_CELL_CHARS // 10)
    parsed = read_roadmap_file("план.docx", docx_builders.many_rows_docx(3, text=long_text), PERIOD)
    assert errors(parsed) == [
        "В строке 2 таблицы ячейка длиннее 20\u00a0000 символов: такой текст не похож на "
        "мероприятие дорожной карты."
    ]
    parsed = read_roadmap_file("план.docx", docx_builders.many_rows_docx(3, cells=60), PERIOD)
    assert errors(parsed) == [
        "В строке 2 таблицы 60 ячеек: допускается не больше 50 ячеек в строке."
    ]


def test_a_csv_over_the_row_limit_is_refused_before_its_end():
    """The old reader read to the end and broke on the oversized field after the limit."""
    lines = ["№;Мероприятие;Сроки"] + [f"{i};Мероприятие {i};Май 2022" for i in range(MAX_ROWS)]
    lines.append('1;"' + "x" * 200_000)
    parsed = read_roadmap_file("план.csv", "\n".join(lines).encode(), PERIOD)
    assert len(errors(parsed)) == 1 and ROW_LIMIT in errors(parsed)[0]


def test_xlsx_limits_rows_cells_and_characters():
    def xlsx(rows):
        workbook = openpyxl.Workbook()
        for row in rows:
            workbook.active.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return buffer.getvalue()

    header = ["№", "Мероприятие", "Сроки"]
    parsed = read_roadmap_file(
        "план.xlsx", xlsx([header, ["1", "я" * (MAX_CELL_CHARS + 1), "Май 2022"]]), PERIOD
    )
    assert errors(parsed) == [
        "В строке 2 таблицы ячейка длиннее 20\u00a0000 символов: такой текст не похож на "
        "мероприятие дорожной карты."
    ]
    parsed = read_roadmap_file("план.xlsx", xlsx([header, ["1"] * 60]), PERIOD)
    assert errors(parsed) == [
        "В строке 2 таблицы 51 ячеек: допускается не больше 50 ячеек в строке."
    ]
    rows = [header] + [[str(i), f"Мероприятие {i}", "Май 2022"] for i in range(MAX_ROWS + 5)]
    parsed = read_roadmap_file("план.xlsx", xlsx(rows), PERIOD)
    assert len(errors(parsed)) == 1 and ROW_LIMIT in errors(parsed)[0]


def test_csv_text_as_before():
    """The streaming readers give the same rows as before for an ordinary table."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(
        [["№", "Мероприятие", "Сроки"], ["1", "Семинар", "Май 2022"]]
    )
    parsed = read_roadmap_file("план.csv", buffer.getvalue().encode(), PERIOD)
    assert [m.title for m in parsed.measures] == ["Семинар"]
    assert parsed.measures[0].deadline.due_dates == [date(2022, 5, 31)]


# --- The period of an import --------------------------------------------------------------

BAD_PERIODS = [
    ("0001-01-01", "9999-12-31", "в пределах 2000–2100 годов"),
    ("1999-01-01", "2000-12-31", "в пределах 2000–2100 годов"),
    ("2100-01-01", "2101-12-31", "в пределах 2000–2100 годов"),
    ("2022-01-01", "2032-01-01", "длиннее 10 лет"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("starts", "ends", "message"), BAD_PERIODS)
def test_the_form_refuses_a_period_out_of_bounds(client, tenants, starts, ends, message):
    client.force_login(User.objects.get(username="koordinator"))
    roadmap = Roadmap.objects.get(municipality__name=factories.HOME)
    response = client.post(
        reverse("measures:import_upload"),
        {
            "municipality": roadmap.municipality_id,
            "starts_on": starts,
            "ends_on": ends,
            "file": SimpleUploadedFile("план.docx", docx_builders.seed_000_docx()),
        },
    )
    assert response.status_code == 400
    assert message in response.text
    assert RoadmapImport.objects.count() == 0


@pytest.mark.django_db
def test_ten_years_are_accepted_by_the_form(client, tenants):
    client.force_login(User.objects.get(username="koordinator"))
    roadmap = Roadmap.objects.get(municipality__name=factories.HOME)
    response = client.post(
        reverse("measures:import_upload"),
        {
            "municipality": roadmap.municipality_id,
            "starts_on": "2022-01-01",
            "ends_on": "2031-12-31",
            "file": SimpleUploadedFile("план.docx", docx_builders.seed_000_docx()),
        },
    )
    assert response.status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize(("starts", "ends", "message"), BAD_PERIODS)
def test_the_service_refuses_a_period_out_of_bounds(tenants, starts, ends, message):
    roadmap = Roadmap.objects.get(municipality__name=factories.HOME)
    with pytest.raises(ImportRefused) as refused:
        roadmap_import_preview(
            municipality=roadmap.municipality,
            file_name="план.docx",
            data=docx_builders.seed_000_docx(),
            period=(date.fromisoformat(starts), date.fromisoformat(ends)),
        )
    assert message in str(refused.value)
    assert RoadmapImport.objects.count() == 0


@pytest.mark.django_db
def test_the_command_refuses_a_period_out_of_bounds(tenants, tmp_path):
    path = tmp_path / "план.docx"
    path.write_bytes(docx_builders.seed_000_docx())
    with pytest.raises(CommandError, match="в пределах 2000–2100 годов"):
        call_command(
            "import_roadmap", str(path), municipality=factories.HOME,
            period="0001-01-01:9999-12-31", dry_run=True,
        )  # fmt: skip
    assert RoadmapImport.objects.count() == 0
