"""Tables of values (monitoring.importing, monitoring.import_views): reading realistic tables,
every refusal named by its row, the preview, the all-or-nothing confirmation."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from monitoring import importing
from monitoring.models import Indicator, IndicatorValue, ValuesImport
from monitoring.services import set_value
from schools.models import School
from tests import factories

pytestmark = pytest.mark.django_db

VPR = "Доля участников ВПР по русскому языку (5 кл.), подтвердивших отметки"
OGE = "Средний балл ОГЭ по математике"


@pytest.fixture
def place(tenants):
    """The home municipality's catalogue (three school indicators, one municipality's), a
    stage, and three schools: two with codes, a lyceum with a long name and no code."""
    from types import SimpleNamespace

    municipality = tenants.home.municipality
    School.objects.filter(municipality=municipality, short_name="МКОУ СОШ № 1").update(
        code="070001"
    )
    School.objects.filter(municipality=municipality, short_name="МКОУ СОШ № 2").update(
        code="070002"
    )
    lyceum = factories.SchoolFactory(
        municipality=municipality,
        short_name="МКОУ «Лицей № 3»",
        name="Муниципальное казённое общеобразовательное учреждение «Лицей № 3» с. Бабугент",
    )
    make = factories.IndicatorFactory
    return SimpleNamespace(
        municipality=municipality,
        school1=School.objects.get(municipality=municipality, short_name="МКОУ СОШ № 1"),
        school2=School.objects.get(municipality=municipality, short_name="МКОУ СОШ № 2"),
        lyceum=lyceum,
        vpr=make(municipality=municipality, code="vpr-ru-5", title=VPR),
        oge=make(municipality=municipality, code="oge-math", title=OGE, unit="points"),
        count=make(municipality=municipality, code="uch", title="Число участников", unit="count"),
        plan=make(
            municipality=municipality,
            code="mun-plan",
            title="Доля школ с программой",
            level=Indicator.Level.MUNICIPALITY,
        ),
        stage=factories.MonitoringStageFactory(municipality=municipality),
        koordinator=User.objects.get(username="koordinator"),
    )


def xlsx(rows: list[list], merges: tuple[str, ...] = ()) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for merge in merges:
        sheet.merge_cells(merge)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def csv(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    return "\r\n".join(";".join(row) for row in rows).encode(encoding)


def read(place, name: str, data: bytes) -> ValuesImport:
    return importing.values_import_read(
        municipality=place.municipality, stage=place.stage, file_name=name, data=data,
        source="ФИС ОКО, ВПР-2025", measured_on=date(2025, 10, 1), user=place.koordinator,
    )  # fmt: skip


def values_of(record: ValuesImport) -> dict[tuple[int, str], str]:
    codes = {c["indicator"]: c["code"] for c in record.parsed["columns"]}
    return {
        (row["row"], codes[item["indicator"]]): item["value"]
        for row in record.parsed["rows"]
        for item in row["values"]
    }


def problems_of(record: ValuesImport) -> list[tuple]:
    return [(p["row"], p["column"], p["message"]) for p in record.parsed["problems"]]


# --- reading --------------------------------------------------------------------------------


def test_a_realistic_xlsx_reads_titles_merges_totals_and_numbers(place):
    data = xlsx(
        [
            ["Результаты ВПР-2025 по Черекскому району"],
            ["(по данным ФИС ОКО)"],
            [],
            ["Код ОО", "Наименование ОО", "Показатели", None, None, "Примечание"],
            [None, None, f"{VPR}, %", "oge-math", "Число участников", None],
            [1, 2, 3, 4, 5, 6],
            ["070001", "МКОУ СОШ №1", 85.33333, "4,2", 25, ""],
            [],
            [70002, "МКОУ СОШ № 2", "72,5 %", None, "30", "нет данных по ОГЭ"],
            [
                None,
                'Муниципальное казённое общеобразовательное учреждение "Лицей №3" с. Бабугент',
                "100%",
                3.9,
                12,
                None,
            ],
            ["Итого по району", None, 80.1, 4.0, 67, None],
        ],
        merges=("A4:A5", "B4:B5", "C4:E4", "F4:F5", "A11:B11"),
    )
    record = read(place, "впр.xlsx", data)
    assert record.status == ValuesImport.Status.PREVIEW
    assert record.parsed["problems"] == []
    assert record.parsed["header_row"] == 5
    assert [(c["code"], c["header"]) for c in record.parsed["columns"]] == [
        ("vpr-ru-5", f"{VPR}, %"), ("oge-math", "oge-math"), ("uch", "Число участников"),
    ]  # fmt: skip
    assert record.parsed["unknown_columns"] == [{"index": 5, "header": "Примечание"}]
    assert values_of(record) == {
        (7, "vpr-ru-5"): "85.33", (7, "oge-math"): "4.20", (7, "uch"): "25.00",
        (9, "vpr-ru-5"): "72.50", (9, "uch"): "30.00",  # the empty ОГЭ cell: no value, not 0
        (10, "vpr-ru-5"): "100.00", (10, "oge-math"): "3.90", (10, "uch"): "12.00",
    }  # fmt: skip
    schools = [(r["row"], r["school"], r["as_written"]) for r in record.parsed["rows"]]
    assert schools == [
        (7, place.school1.pk, "070001 · МКОУ СОШ №1"),
        (9, place.school2.pk, "70002 · МКОУ СОШ № 2"),
        (
            10,
            place.lyceum.pk,
            'Муниципальное казённое общеобразовательное учреждение "Лицей №3" с. Бабугент',
        ),
    ]
    assert record.parsed["skipped"] == [{"row": 11, "text": "Итого по району"}]


def test_a_cp1251_csv_with_names_only(place):
    data = csv(
        [
            ["Школа", "vpr-ru-5", OGE.upper()],
            ['МКОУ "СОШ № 1"', "85,5", "4"],
            ["мкоу сош №2", "", "3,75"],
            ["Среднее", "85,5", "3,9"],
        ],
        "cp1251",
    )
    record = read(place, "огэ.csv", data)
    assert record.parsed["problems"] == []
    assert values_of(record) == {
        (2, "vpr-ru-5"): "85.50", (2, "oge-math"): "4.00", (3, "oge-math"): "3.75",
    }  # fmt: skip
    assert record.parsed["skipped"] == [{"row": 4, "text": "Среднее"}]


def test_a_utf8_csv_with_codes_only_and_logins(place):
    data = csv([["Логин", "Доля участников ВПР по русскому языку (5 кл.), подтвердивших отметки (vpr-ru-5)"],
                ["070002", "61"], ["70001", "59.9"]])  # fmt: skip
    record = read(place, "впр.csv", data)
    assert record.parsed["problems"] == []
    assert [r["school"] for r in record.parsed["rows"]] == [place.school2.pk, place.school1.pk]
    assert values_of(record) == {(2, "vpr-ru-5"): "61.00", (3, "vpr-ru-5"): "59.90"}


def test_every_refusal_names_its_row_and_column(place):
    data = csv(
        [
            ["Код ОО", "ОО", "vpr-ru-5", "uch", "mun-plan"],
            ["070001", "МКОУ СОШ № 1", "120", "25", "50"],
            ["", "МКОУ СОШ № 9", "50", "", ""],
            ["070002", "МКОУ СОШ № 2", "абв", "2,5", ""],
            ["", "МКОУ СОШ № 2", "50", "", ""],
            ["", "", "50", "", ""],
            ["070001", "МКОУ СОШ № 2", "50", "", ""],
        ]
    )
    record = read(place, "ошибки.csv", data)
    assert record.status == ValuesImport.Status.PREVIEW
    problems = problems_of(record)
    assert problems[0][:2] == (1, "mun-plan") and "показатель муниципалитета" in problems[0][2]
    assert problems[1:] == [
        (2, "vpr-ru-5", "Процент должен быть от 0 до 100, а не 120."),
        (
            3,
            "ОО",
            "Школа «МКОУ СОШ № 9» не найдена среди школ муниципалитета. Проверьте "
            "название или впишите код ОО в карточке школы (Реестр → Школы).",
        ),
        (4, "vpr-ru-5", "«абв» — не число."),
        (4, "uch", "Количество — целое неотрицательное число, а не 2,5."),
        (5, "ОО", "Школа «МКОУ СОШ № 2» уже есть в строке 4: оставьте одну строку."),
        (6, "ОО", "В строке есть значения, но не указана школа."),
        (
            7,
            "ОО",
            "Код «070001» — это школа «МКОУ СОШ № 1», а название «МКОУ СОШ № 2» — "
            "школа «МКОУ СОШ № 2». Исправьте код или название.",
        ),
    ]


def test_a_file_without_a_header_is_refused(place):
    record = read(place, "что-то.csv", csv([["Фамилия", "Балл"], ["Иванов", "5"]]))
    assert record.status == ValuesImport.Status.REFUSED
    assert "Не найдена строка заголовка" in record.error


def test_a_word_file_or_a_broken_one_is_refused(place):
    assert "не удаётся открыть" in read(place, "t.xlsx", b"not a zip").error
    assert "Неподдерживаемый тип" in read(place, "t.pdf", b"%PDF-1.4").error


# --- the pages and the confirmation ----------------------------------------------------------


def login(client, username: str = "koordinator") -> None:
    client.force_login(User.objects.get(username=username))


def upload(client, place, name: str, data: bytes, **fields):
    return client.post(
        reverse("monitoring:import_upload", args=[place.municipality.pk]),
        {
            "stage": place.stage.pk,
            "source": "ФИС ОКО, ВПР-2025",
            "measured_on": "01.10.2025",
            "file": SimpleUploadedFile(name, data),
            **fields,
        },
    )


GOOD = [["Код ОО", "Школа", "vpr-ru-5", "uch"], ["070001", "", "85,5", "25"],
        ["070002", "", "70", ""]]  # fmt: skip


def test_upload_preview_confirm(client, place):
    set_value(
        user=None, indicator=place.vpr, stage=place.stage, school=place.school2,
        value=Decimal(70), source="старое", measured_on=date(2025, 9, 1),
    )  # fmt: skip
    set_value(
        user=None, indicator=place.count,
        stage=place.stage, school=place.school1, value=Decimal(20), source="старое",
        measured_on=date(2025, 9, 1),
    )  # fmt: skip
    login(client)
    response = upload(client, place, "впр.csv", csv(GOOD))
    record = ValuesImport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("monitoring:import_preview", args=[record.pk])
    page = client.get(response["Location"]).text
    assert "новое" in page and "изменится: было 20" in page and "без изменений" in page
    assert "Загрузить значений: 3" in page
    response = client.post(reverse("monitoring:import_confirm", args=[record.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse(
        "monitoring:indicator_list", args=[place.municipality.pk]
    )
    assert "Загружено значений из «впр.csv»: 3 (новых 1, изменено 1, без изменений 1)" in (
        response.text
    ) or any("Загружено значений" in str(m) for m in response.context["messages"])
    saved = {
        (v.school_id, v.indicator.code): (v.value, v.source, v.values_import_id)
        for v in IndicatorValue.objects.select_related("indicator")
    }
    assert saved == {
        (place.school1.pk, "vpr-ru-5"): (Decimal("85.50"), "ФИС ОКО, ВПР-2025", record.pk),
        (place.school1.pk, "uch"): (Decimal(25), "ФИС ОКО, ВПР-2025", record.pk),
        (place.school2.pk, "vpr-ru-5"): (Decimal(70), "старое", None),  # unchanged, kept
    }
    record.refresh_from_db()
    assert (
        record.status == ValuesImport.Status.DONE and record.confirmed_by.username == "koordinator"
    )
    # a second click: nothing more, said so
    response = client.post(reverse("monitoring:import_confirm", args=[record.pk]), follow=True)
    assert "уже загружена" in response.text
    assert IndicatorValue.objects.get(school=place.school1, indicator=place.count).version == 2


def test_a_table_with_one_bad_row_saves_nothing(client, place):
    login(client)
    rows = [*GOOD, ["", "МКОУ «Лицей № 3»", "120", "3"]]
    upload(client, place, "впр.csv", csv(rows))
    record = ValuesImport.objects.get()
    page = client.get(reverse("monitoring:import_preview", args=[record.pk])).text
    assert "Строка 4, «vpr-ru-5»: Процент должен быть от 0 до 100, а не 120." in page
    assert "ничего не будет сохранено" in page
    assert "ошибка — см. выше" in page  # the refused cell is shown as written, not as empty
    assert reverse("monitoring:import_confirm", args=[record.pk]) not in page
    client.post(reverse("monitoring:import_confirm", args=[record.pk]))
    assert not IndicatorValue.objects.exists()
    assert ValuesImport.objects.get().status == ValuesImport.Status.PREVIEW


def test_a_failure_midway_rolls_back_every_value(client, place, monkeypatch):
    login(client)
    upload(client, place, "впр.csv", csv(GOOD))
    record = ValuesImport.objects.get()
    calls = []

    def failing(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return set_value(**kwargs)

    monkeypatch.setattr(importing, "set_value", failing)
    with pytest.raises(RuntimeError):
        importing.values_import_confirm(record=record, user=place.koordinator)
    assert not IndicatorValue.objects.exists()
    assert ValuesImport.objects.get().status == ValuesImport.Status.PREVIEW


def test_a_value_changed_after_the_preview_refuses_the_whole_import(client, place):
    login(client)
    upload(client, place, "впр.csv", csv(GOOD))
    record = ValuesImport.objects.get()
    direktor = User.objects.get(username="direktor")
    set_value(
        user=direktor, indicator=place.vpr, stage=place.stage, school=place.school2,
        value=Decimal(66), source="вручную", measured_on=date(2025, 10, 2),
    )  # fmt: skip
    response = client.post(reverse("monitoring:import_confirm", args=[record.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("monitoring:import_preview", args=[record.pk])
    assert "Ничего не сохранено" in response.text
    assert "МКОУ СОШ № 2 — vpr-ru-5: при проверке было —, сейчас 66\u00a0%" in response.text
    assert IndicatorValue.objects.count() == 1  # only the director's
    assert ValuesImport.objects.get().status == ValuesImport.Status.PREVIEW


def test_the_template_round_trip(client, place):
    set_value(
        user=None, indicator=place.oge, stage=place.stage, school=place.lyceum,
        value=Decimal("4.25"), source="РЦОИ", measured_on=date(2025, 9, 1),
    )  # fmt: skip
    login(client)
    url = reverse("monitoring:import_template", args=[place.municipality.pk])
    response = client.get(url, {"stage": place.stage.pk})
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    header = [cell.value for cell in sheet[2]]
    assert header == ["Код ОО", "Школа", f"{OGE} (oge-math)", "Число участников (uch)",
                      f"{VPR} (vpr-ru-5)"]  # fmt: skip
    names = [sheet.cell(row=r, column=2).value for r in range(3, sheet.max_row + 1)]
    assert names == ["МКОУ «Лицей № 3»", "МКОУ СОШ № 1", "МКОУ СОШ № 2"]
    assert sheet.cell(row=3, column=3).value == 4.25  # prefilled
    sheet.cell(row=4, column=5).value = 91.5
    sheet.cell(row=5, column=4).value = 17
    output = io.BytesIO()
    workbook.save(output)
    upload(client, place, "шаблон.xlsx", output.getvalue())
    record = ValuesImport.objects.get()
    assert record.parsed["problems"] == [] and record.parsed["header_row"] == 2
    client.post(reverse("monitoring:import_confirm", args=[record.pk]))
    saved = {(v.school_id, v.indicator_id): v.value for v in IndicatorValue.objects.all()}
    assert saved == {
        (place.lyceum.pk, place.oge.pk): Decimal("4.25"),
        (place.school1.pk, place.vpr.pk): Decimal("91.5"),
        (place.school2.pk, place.count.pk): Decimal(17),
    }


def test_an_invalid_form_keeps_the_input(client, place):
    login(client)
    response = upload(client, place, "впр.csv", csv(GOOD), measured_on="32.13.2025")
    assert response.status_code == 400
    assert "Дата — в виде дд.мм.гггг" in response.text
    assert "ФИС ОКО, ВПР-2025" in response.text
    assert not ValuesImport.objects.exists()


def test_a_refused_file_is_shown_with_its_reason(client, place):
    login(client)
    response = upload(client, place, "план.docx", b"PK\x03\x04 nothing")
    page = client.get(response["Location"]).text
    assert "Файл не прочитан — ничего не сохранено" in page
    assert "import/confirm" not in page


@pytest.mark.parametrize(("username", "status"), [("rabgruppa", 403), ("direktor", 403),
                                                  ("nablyudatel", 403), ("grechkina", 404)])  # fmt: skip
def test_only_the_coordinator_uploads_and_confirms(client, place, username, status):
    login(client)
    upload(client, place, "впр.csv", csv(GOOD))
    record = ValuesImport.objects.get()
    login(client, username)
    assert upload(client, place, "впр.csv", csv(GOOD)).status_code == status
    confirm = client.post(reverse("monitoring:import_confirm", args=[record.pk]))
    assert confirm.status_code == 404
    assert not IndicatorValue.objects.exists()
    assert ValuesImport.objects.count() == 1


@pytest.mark.parametrize("schools", [3, 40])
def test_preview_queries_are_pinned(client, place, django_assert_num_queries, schools):
    for n in range(schools):
        factories.SchoolFactory(municipality=place.municipality, short_name=f"Школа {n}")
    rows = [["Школа", "vpr-ru-5", "oge-math", "uch"]] + [
        [school.short_name, "50", "4", "10"]
        for school in School.objects.filter(municipality=place.municipality)
    ]
    login(client)
    upload(client, place, "впр.csv", csv(rows))
    url = reverse("monitoring:import_preview", args=[ValuesImport.objects.get().pk])
    client.get(url)
    with django_assert_num_queries(4):
        assert client.get(url).status_code == 200


def test_the_coordinator_writes_a_school_code_in_the_registry(client, place):
    login(client)
    url = reverse("schools:registry_school", args=[place.municipality.pk, place.lyceum.pk])
    fields = {"name": place.lyceum.name, "short_name": place.lyceum.short_name}
    assert client.post(url, {**fields, "code": "070003"}).status_code == 302
    assert School.objects.get(pk=place.lyceum.pk).code == "070003"
    assert "070003" in client.get(url).text
    response = client.post(url, {**fields, "code": "070001"})  # СОШ № 1's
    assert response.status_code == 400
    assert School.objects.get(pk=place.lyceum.pk).code == "070003"


def test_a_percentage_formatted_cell_is_read_as_the_sheet_shows_it():
    """Excel keeps «85,5 %» as 0.855 with a percent format: read as 85.5, not 0.855."""
    import io

    from openpyxl import Workbook

    from measures.import_files import xlsx_rows

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Школа", "Доля"])
    sheet.append(["МКОУ СОШ № 1", 0.855])
    sheet["B2"].number_format = "0.0%"
    sheet.append(["МКОУ СОШ № 2", 0.7])
    sheet["B3"].number_format = "0%"
    sheet.append(["МКОУ СОШ № 3", 72.5])  # a plain number stays as it is
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows, _lead = xlsx_rows(buffer.getvalue())
    assert [row.cells[1] for row in rows[1:]] == ["85.5%", "70%", "72.5"]


def test_odd_cells_never_break_the_reading():
    """«1e400» or «inf» in a cell, a school row that looks like numbering: read, not a 500,
    and not skipped."""
    from monitoring.importing import _is_numbering

    assert _is_numbering(["1", "2", "3"])
    assert not _is_numbering(["7", "8", "9"])  # a school coded 7 with values 8 and 9
    assert not _is_numbering(["1e400", "inf"])
    assert not _is_numbering(["1", "2,5"])


def test_a_formula_saved_without_its_result_is_named_not_dropped(place):
    """openpyxl writes formulas without results (as programs do): the cell is a problem."""
    data = xlsx([["Код ОО", VPR], ["070001", "=10*5"], ["070002", 61]])
    record = read(place, "vpr.xlsx", data)
    assert len(problems_of(record)) == 1
    row, column, message = problems_of(record)[0]
    assert (row, column) == (2, VPR)
    assert "формула «=10*5» без вычисленного значения" in message
