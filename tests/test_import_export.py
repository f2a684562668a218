"""Import (DOCX, XLSX, CSV) and export (XLSX, CSV, JSON, DOCX) of roadmaps."""

import io
import json
import zipfile
from datetime import date

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from measures.deadlines import Kind
from measures.exporting import export_roadmap
from measures.importing import MAX_FILE_SIZE, Row, interpret, read_roadmap_file
from measures.models import LegalAct, Measure, Roadmap, RoadmapImport
from measures.services import ImportRefused, roadmap_import_confirm, roadmap_import_preview
from tests import docx_builders, factories

pytestmark = pytest.mark.django_db

Y2022 = (date(2022, 1, 1), date(2022, 12, 31))
Y2022_24 = (date(2022, 1, 1), date(2024, 12, 31))
Y2023_24 = (date(2023, 1, 1), date(2024, 12, 31))
HEADER = ["№ п/п", "Наименование мероприятия", "Ответственные исполнители", "Сроки реализации",
          "Планируемый результат"]  # fmt: skip


def expected(name: str) -> list[tuple]:
    return [
        (number, title, m["number"], m["title"], m["owners"], m["deadline"], m["result"])
        for number, title, m in docx_builders.measures_of(docx_builders.seed(name))
    ]


def actual(parsed: dict) -> list[tuple]:
    sections = parsed["sections"]
    rows = []
    for m in parsed["measures"]:
        section = (
            sections[m["section"]] if m["section"] is not None else {"number": "", "title": ""}
        )
        rows.append((section["number"], section["title"], m["number"], m["title"],
                     m["owners_text"], m["deadline_text"], m["planned_result"]))  # fmt: skip
    return rows


def saved(roadmap: Roadmap) -> list[tuple]:
    return [
        (m.section.number if m.section else "", m.section.title if m.section else "", m.number,
         m.title, m.owners_text, m.deadline_text, m.planned_result)
        for m in roadmap.measures.select_related("section").order_by("position")
    ]  # fmt: skip


# --- The seeds as Word files --------------------------------------------------------------


@pytest.mark.parametrize(
    ("builder", "fixture", "period", "title_start", "order", "first_reading"),
    [
        (docx_builders.seed_000_docx, "000_cherek.json", Y2022, "План мероприятий («дорожная карта»)",
         {"kind": "order", "number": "31", "date": "2021-02-22"},
         # «Февраль 2022г.»: the month, due at its end
         ("month", date(2022, 2, 1), date(2022, 2, 28), [date(2022, 2, 28)])),
        (docx_builders.seed_001_docx, "001_svetlogorsk.json", Y2022_24,
         "План мероприятий («Дорожная карта») по поддержке",
         {"kind": "disposition", "number": "534", "date": "2022-06-03"},
         # «Май – июнь 2022 г.»: two months, due at the end of June
         ("range", date(2022, 5, 1), date(2022, 6, 30), [date(2022, 6, 30)])),
        (docx_builders.seed_002_docx, "002_katanga.json", Y2023_24,
         "План –мероприятий («Дорожная карта») по сопровождению школ",
         {"kind": "order", "number": "10", "date": "2023-01-17"},
         # «Январь 2023»
         ("month", date(2023, 1, 1), date(2023, 1, 31), [date(2023, 1, 31)])),
    ],
)  # fmt: skip
def test_each_seed_docx_imports_exactly(
    builder, fixture, period, title_start, order, first_reading
):
    municipality = factories.MunicipalityFactory()
    record = roadmap_import_preview(
        municipality=municipality, file_name="приложение.docx", data=builder(), period=period
    )
    parsed = record.parsed
    assert parsed["errors"] == []
    assert actual(parsed) == expected(fixture)
    assert parsed["title"].startswith(title_start)
    assert {k: parsed["order"][k] for k in order} == order

    roadmap = roadmap_import_confirm(roadmap_import=record)
    assert saved(roadmap) == expected(fixture)
    assert roadmap.status == "approved"
    assert roadmap.approved_by.number == order["number"]
    # each deadline was read (none left «не распознан»), the first as a person reads it
    readings = [m.deadline for m in roadmap.measures.order_by("position")]
    assert [r for r in readings if r.kind == Kind.UNKNOWN] == []
    first = readings[0]
    assert (first.kind, first.start, first.end, first.due_dates) == first_reading
    # and its occurrences made
    due = sum(len(m.deadline.due_dates) for m in roadmap.measures.all())
    assert (
        roadmap.measures.model.occurrences.rel.related_model.objects.filter(
            measure__roadmap=roadmap, kind="due"
        ).count()
        == due
    )


def test_seed_000_deadline_reading_in_the_preview():
    parsed = read_roadmap_file("000.docx", docx_builders.seed_000_docx(), Y2022).as_dict()
    by_number = {m["number"]: m for m in parsed["measures"]}
    assert by_number["1.1"]["deadline"]["due_dates"] == ["2022-02-28"]
    assert by_number["3.1"]["deadline"]["kind"] == "recurring"
    assert by_number["2.1"]["deadline"]["external_body"] == "ГБУ ДПО «ЦНППМ»"
    assert (
        by_number["1.1"]["owners_text"] == "Бозиев А.Т.\nАттоев А.А.\nКульбаева А.В.\nАнахаева А.Х."
    )


def test_owners_the_portal_knows_are_linked(demo):
    cherek = Roadmap.objects.get(municipality__name="Черекский муниципальный район").municipality
    record = roadmap_import_preview(
        municipality=cherek, file_name="000.docx", data=docx_builders.seed_000_docx(),
        period=Y2022, title="Копия для проверки",
    )  # fmt: skip
    roadmap = roadmap_import_confirm(roadmap_import=record)
    first = roadmap.measures.get(number="1.1")
    assert sorted(p.short_name for p in first.owners.all()) == [
        "Анахаева А.Х.", "Аттоев А.А.", "Бозиев А.Т.", "Кульбаева А.В.",
    ]  # fmt: skip
    # the order named before the table is the one already in the registry
    assert roadmap.approved_by == LegalAct.objects.get(number="31")


# --- Round trips --------------------------------------------------------------------------


ROUND_TRIP_READINGS = {
    # «Февраль 2022г.»
    "Черекский муниципальный район": ("1.1", ("month", [date(2022, 2, 28)])),
    # «Май – июнь 2022 г.»
    "Светлогорский городской округ": ("1.1.", ("range", [date(2022, 6, 30)])),
    # «Январь 2023»
    "Катангский район": ("1", ("month", [date(2023, 1, 31)])),
}


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "docx"])
@pytest.mark.parametrize("municipality", ["Черекский муниципальный район",
                                          "Светлогорский городской округ", "Катангский район"])  # fmt: skip
def test_round_trip_gives_back_the_same_roadmap(demo, fmt, municipality):
    original = Roadmap.objects.get(municipality__name=municipality)
    data = export_roadmap(original, fmt)
    record = roadmap_import_preview(
        municipality=factories.MunicipalityFactory(), file_name=f"export.{fmt}", data=data,
        period=(original.starts_on, original.ends_on), title=original.title,
    )  # fmt: skip
    assert record.parsed["errors"] == []
    copy = roadmap_import_confirm(roadmap_import=record)
    assert saved(copy) == saved(original)
    assert [(s.number, s.title) for s in copy.sections.all()] == [
        (s.number, s.title) for s in original.sections.all()
    ]
    # the deadlines read again from the exported text, as a person reads them
    number, reading = ROUND_TRIP_READINGS[municipality]
    measure = copy.measures.get(number=number)
    assert (measure.deadline.kind, measure.deadline.due_dates) == reading


def test_json_export_is_the_dry_run_structure_with_ids(demo, tmp_path):
    roadmap = Roadmap.objects.get(municipality__name="Черекский муниципальный район")
    data = json.loads(export_roadmap(roadmap, "json"))
    assert data["id"] == roadmap.pk
    assert data["period"] == "2022-01-01:2022-12-31"
    assert len(data["sections"]) == 4 and all("id" in s for s in data["sections"])
    first = data["measures"][0]
    assert set(first) >= {"id", "number", "section", "title", "owners_text", "deadline_text",
                          "planned_result", "deadline"}  # fmt: skip
    assert first["deadline"]["due_dates"] == ["2022-02-28"]
    # the same structure the dry run prints for the exported file, ids and status aside
    path = tmp_path / "export.xlsx"
    path.write_bytes(export_roadmap(roadmap, "xlsx"))
    out = io.StringIO()
    call_command(
        "import_roadmap", str(path), municipality=str(factories.MunicipalityFactory().pk),
        period="2022-01-01:2022-12-31", dry_run=True, json=True, stdout=out,
    )  # fmt: skip
    dry = json.loads(out.getvalue())
    assert dry["sections"] == [{k: v for k, v in s.items() if k != "id"} for s in data["sections"]]
    assert [{k: v for k, v in m.items() if k != "row"} for m in dry["measures"]] == [
        {
            **{k: v for k, v in m.items() if k != "id"},
            "deadline": {k: v for k, v in m["deadline"].items() if k != "corrected"},
        }
        for m in data["measures"]
    ]
    assert len(dry["measures"]) == 31


def test_docx_export_is_landscape_with_a_repeated_header(demo):
    import docx

    roadmap = Roadmap.objects.get(municipality__name="Черекский муниципальный район")
    document = docx.Document(io.BytesIO(export_roadmap(roadmap, "docx")))
    section = document.sections[0]
    assert section.page_width > section.page_height
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[:3] == [
        "Приложение 1",
        "к приказу МКУ «Управление образования и молодежной политики Черекского "
        "муниципального района КБР»",
        "от 22.02.2021 №\u00a031",  # a no-break space: «№ 31» stays on one line
    ]
    table = document.tables[0]
    assert table.rows[0]._tr.xpath("./w:trPr/w:tblHeader")
    assert len(table.rows) == 1 + 4 + 31


# --- Bad files ----------------------------------------------------------------------------


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<w:document/>")
        archive.writestr("word/big.xml", b"\0" * (80 * 1024 * 1024))
    return buffer.getvalue()


def encrypted_zip() -> bytes:
    data = bytearray(docx_builders.docx_table([HEADER, ["1", "a", "b", "май 2022", "c"]]))
    # set the "encrypted" flag on every local and central header, as a password tool would
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            data[start + offset] |= 0x1
            start += 4
    return bytes(data)


BAD_FILES = [
    ("план.pdf", b"%PDF-1.4 ...", "Неподдерживаемый тип файла «.pdf»"),
    ("план.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "старом формате"),
    ("план.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "зашифрован паролем"),
    ("план.docx", b"not a zip at all", "не удаётся открыть"),
    ("план.docx", b"", "Файл пуст"),
    ("план.docx", b"PK\x03\x04" + b"\0" * 50, "не удаётся открыть"),
    ("план.xlsx", b"PK\x05\x06" + b"\0" * 18, "внутри нет ожидаемого"),
    ("план.docx", b"x" * (MAX_FILE_SIZE + 1), "слишком большой"),
]


@pytest.mark.parametrize(("name", "data", "message"), BAD_FILES)
def test_bad_files_are_refused_with_the_reason_and_nothing_is_saved(name, data, message):
    with pytest.raises(ImportRefused) as refused:
        roadmap_import_preview(
            municipality=factories.MunicipalityFactory(), file_name=name, data=data, period=Y2022
        )
    assert message in str(refused.value)
    assert RoadmapImport.objects.count() == 0
    assert Roadmap.objects.count() == 0


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (zip_bomb, "zip-бомбу"),
        (encrypted_zip, "зашифрован паролем"),
        (lambda: docx_builders.seed_000_docx()[:3000], "не удаётся открыть"),
        (lambda: docx_builders.docx_table([], ("Просто текст без таблицы",)), "не найдена таблица"),
        (lambda: docx_builders.docx_table([["a", "b"], ["c", "d"]]), "не найдена таблица"),
        (lambda: docx_builders.docx_table([HEADER]), "Таблица мероприятий пуста"),
    ],
)
def test_broken_word_files_are_refused(make, message):
    with pytest.raises(ImportRefused) as refused:
        roadmap_import_preview(
            municipality=factories.MunicipalityFactory(), file_name="план.docx", data=make(),
            period=Y2022,
        )  # fmt: skip
    assert message in str(refused.value)
    assert RoadmapImport.objects.count() == 0


def test_one_bad_row_saves_nothing_and_every_bad_row_is_listed():
    rows = [
        HEADER,
        ["1.", "Организация работы", "", "", ""],
        ["1.1", "Хорошее мероприятие", "Отдел образования", "Май 2022", "Результат"],
        ["1.2", "", "Отдел образования", "Июнь 2022", "Результат без мероприятия"],
        ["1.3", "Ещё одно", "Отдел образования", "ежегодно", "Результат"],
        ["1.4", "", "", "Сентябрь 2022", "И ещё без названия"],
    ]
    record = roadmap_import_preview(
        municipality=factories.MunicipalityFactory(), file_name="план.docx",
        data=docx_builders.docx_table(rows), period=Y2022, title="План",
    )  # fmt: skip
    errors = record.parsed["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [
        (4, "Наименование мероприятия"),
        (6, "Наименование мероприятия"),
    ]
    with pytest.raises(ImportRefused):
        roadmap_import_confirm(roadmap_import=record)
    assert Roadmap.objects.count() == 0 and Measure.objects.count() == 0


def test_the_same_file_twice_does_not_duplicate():
    municipality = factories.MunicipalityFactory()
    data = docx_builders.seed_002_docx()
    first = roadmap_import_preview(
        municipality=municipality, file_name="план.docx", data=data, period=Y2023_24
    )
    roadmap = roadmap_import_confirm(roadmap_import=first)
    assert roadmap_import_confirm(roadmap_import=first) == roadmap  # confirmed twice
    second = roadmap_import_preview(
        municipality=municipality, file_name="копия.docx", data=data, period=Y2023_24
    )
    assert "уже импортирован" in second.parsed["errors"][0]["message"]
    with pytest.raises(ImportRefused):
        roadmap_import_confirm(roadmap_import=second)
    assert Roadmap.objects.count() == 1 and Measure.objects.count() == 12


def test_same_title_and_period_is_refused_with_a_message():
    municipality = factories.MunicipalityFactory()
    factories.RoadmapFactory(municipality=municipality, title="План", starts_on=Y2022[0],
                             ends_on=Y2022[1])  # fmt: skip
    record = roadmap_import_preview(
        municipality=municipality, file_name="план.docx", period=Y2022, title="План",
        data=docx_builders.docx_table([HEADER, ["1", "Мероприятие", "МОО", "Май 2022", "Итог"]]),
    )  # fmt: skip
    with pytest.raises(ImportRefused, match="уже есть"):
        roadmap_import_confirm(roadmap_import=record)
    assert Roadmap.objects.count() == 1


def test_csv_in_windows_1251_and_columns_in_any_order():
    text = (
        "Сроки;Мероприятия;№;Результат исполнения;Ответственные\n"
        "Январь 2023;Разработка дорожной карты;1;Утверждена;МОО\n"
        "По отдельному графику;Семинары;2;Проведены;МОО, консультант\n"
    )
    parsed = read_roadmap_file("план.csv", text.encode("cp1251"), Y2023_24).as_dict()
    assert parsed["errors"] == []
    assert [
        (m["number"], m["title"], m["owners_text"], m["deadline_text"]) for m in parsed["measures"]
    ] == [
        ("1", "Разработка дорожной карты", "МОО", "Январь 2023"),
        ("2", "Семинары", "МОО, консультант", "По отдельному графику"),
    ]


def test_unsure_deadlines_are_warnings_on_their_rows():
    rows = [HEADER, ["1", "Мониторинг", "МОО", "01.09.20201", "Отчёт"]]
    parsed = read_roadmap_file("план.docx", docx_builders.docx_table(rows), Y2022).as_dict()
    assert parsed["errors"] == []
    assert parsed["warnings"][0]["row"] == 2
    assert parsed["warnings"][0]["column"] == "Сроки реализации"
    assert "20201" in parsed["warnings"][0]["message"]


# --- Property-based: nothing raises, nothing half-saved -----------------------------------


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.binary(max_size=3000), suffix=st.sampled_from([".docx", ".xlsx", ".csv", ".txt"]))
def test_random_bytes_never_raise_and_never_save_a_roadmap(data, suffix):
    try:
        record = roadmap_import_preview(
            municipality=factories.MunicipalityFactory(), file_name=f"f{suffix}", data=data,
            period=Y2022,
        )  # fmt: skip
    except ImportRefused as refused:
        assert refused.errors
    else:
        assert record.parsed["measures"] or record.parsed["sections"]
    assert Roadmap.objects.count() == 0


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_damaged_word_files_never_raise(data):
    original = docx_builders.seed_002_docx()
    position = data.draw(st.integers(0, len(original) - 1))
    garbage = data.draw(st.binary(min_size=1, max_size=64))
    damaged = original[:position] + garbage + original[position + len(garbage) :]
    parsed = read_roadmap_file("план.docx", damaged, Y2023_24)
    assert parsed.measures or parsed.errors


cell_text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(cell_text, min_size=1, max_size=7), max_size=15))
def test_any_table_is_interpreted_without_raising(table):
    rows = [Row(1, HEADER)] + [Row(i + 2, cells) for i, cells in enumerate(table)]
    parsed = interpret(rows, Y2022, [])
    for measure in parsed.measures:
        assert measure.title or any(e.row == measure.row for e in parsed.errors)
        assert measure.section is None or 0 <= measure.section < len(parsed.sections)


# --- Commands -----------------------------------------------------------------------------


def test_import_roadmap_dry_run_json_saves_nothing(tmp_path, capsys):
    municipality = factories.MunicipalityFactory(name="Черекский муниципальный район")
    path = tmp_path / "000.docx"
    path.write_bytes(docx_builders.seed_000_docx())
    call_command("import_roadmap", str(path), municipality=str(municipality.pk),
                 period="2022-01-01:2022-12-31", dry_run=True, json=True)  # fmt: skip
    data = json.loads(capsys.readouterr().out)
    assert set(data) >= {"title", "period", "sections", "measures", "errors", "warnings"}
    assert data["period"] == "2022-01-01:2022-12-31"
    assert len(data["measures"]) == 31
    first = data["measures"][0]
    assert set(first) >= {"number", "section", "title", "owners_text", "deadline_text",
                          "planned_result", "deadline"}  # fmt: skip
    assert set(first["deadline"]) == {"text", "kind", "start", "end", "due_dates", "recurrence",
                                      "external_body", "needs_review", "note"}  # fmt: skip
    assert Roadmap.objects.count() == 0 and RoadmapImport.objects.count() == 0


def test_import_then_export_commands(tmp_path, capsys):
    factories.MunicipalityFactory(name="Катангский район")
    path = tmp_path / "002.docx"
    path.write_bytes(docx_builders.seed_002_docx())
    call_command("import_roadmap", str(path), municipality="Катангский район",
                 period="2023-01-01:2024-12-31")  # fmt: skip
    roadmap = Roadmap.objects.get()
    assert roadmap.measures.count() == 12
    output = tmp_path / "out.xlsx"
    call_command("export_roadmap", str(roadmap.pk), format="xlsx", output=str(output))
    assert output.read_bytes()[:2] == b"PK"
