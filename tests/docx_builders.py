"""The three seed roadmaps written out as Word files, each the way its municipality keeps it:
different headers, column orders, section rows and table breaks (seed 000: merged section rows;
seed 001: other column order, numbered section rows, the table broken in two with its header
repeated; seed 002: no sections, the table broken without a header)."""

import io
import json
from pathlib import Path

import docx

DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo"


def seed(name: str) -> dict:
    return json.loads((DEMO / name).read_text())


def measures_of(data: dict) -> list[tuple[str, str, dict]]:
    """(section number, section title, measure) in print order."""
    roadmap = data["roadmap"]
    rows = [("", "", m) for m in roadmap.get("measures", [])]
    for section in roadmap["sections"]:
        rows += [(section["number"], section["title"], m) for m in section["measures"]]
    return rows


def _save(document: docx.document.Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _fill(row, values) -> None:
    for cell, value in zip(row.cells, values, strict=True):
        cell.text = value


def seed_000_docx() -> bytes:
    data = seed("000_cherek.json")
    document = docx.Document()
    document.add_paragraph("Приложение 1")
    document.add_paragraph(
        "к приказу МКУ «Управление образования и молодежной политики \n"
        " Черекского муниципального района КБР»  от 22.02.2021 г. №31"
    )
    document.add_paragraph(data["roadmap"]["title"])
    table = document.add_table(rows=1, cols=5)
    _fill(table.rows[0], ["№п/п", "Наименование мероприятия", "Ответственные исполнители",
                          "Сроки реализации", "Планируемый результат"])  # fmt: skip
    for section in data["roadmap"]["sections"]:
        row = table.add_row()
        row.cells[0].merge(row.cells[4]).text = f"{section['number']} {section['title']}"
        for m in section["measures"]:
            _fill(
                table.add_row(), [m["number"], m["title"], m["owners"], m["deadline"], m["result"]]
            )
    document.add_paragraph("Приложение 2")
    return _save(document)


def seed_001_docx() -> bytes:
    data = seed("001_svetlogorsk.json")
    document = docx.Document()
    for line in ["Приложение", "к распоряжению администрации",
                 "муниципального образования", "«Светлогорский городской округ»",
                 "от «03» 06 2022 г. № 534", ""]:  # fmt: skip
        document.add_paragraph(line)
    document.add_paragraph(data["roadmap"]["title"])
    header = ["№ п/п", "Мероприятие (содержание деятельности)", "Сроки исполнения",
              "Ответственный", "Результат"]  # fmt: skip
    table = document.add_table(rows=1, cols=5)
    _fill(table.rows[0], header)
    for index, section in enumerate(data["roadmap"]["sections"]):
        if index == 2:  # the table breaks before section 3; Word repeats the header
            document.add_paragraph("")
            table = document.add_table(rows=1, cols=5)
            _fill(table.rows[0], header)
        _fill(table.add_row(), [section["number"], section["title"], "", "", ""])
        for m in section["measures"]:
            _fill(
                table.add_row(), [m["number"], m["title"], m["deadline"], m["owners"], m["result"]]
            )
    return _save(document)


def seed_002_docx() -> bytes:
    data = seed("002_katanga.json")
    document = docx.Document()
    for line in ["Приложение", "к приказу МОО № 10 от 17.01.23", "(с изменениями от 28.04.23 № 76-Д)",
                 "План –мероприятий («Дорожная карта»)",
                 "по сопровождению школ, находящихся в зоне риска по низким образовательным "
                 "результатам, на 2023-2024 гг.",
                 "1. Цель - " + data["roadmap"]["goal"]]:  # fmt: skip
        document.add_paragraph(line)
    measures = data["roadmap"]["measures"]
    table = document.add_table(rows=1, cols=5)
    _fill(table.rows[0], ["№", "Мероприятия", "Сроки", "Ответственные", "Результат исполнения"])
    for index, m in enumerate(measures):
        if index == 6:  # a page break splits the table; no header on the continuation
            table = document.add_table(rows=0, cols=5)
        _fill(table.add_row(), [m["number"], m["title"], m["deadline"], m["owners"], m["result"]])
    return _save(document)


def docx_table(rows: list[list[str]], preamble: tuple[str, ...] = ()) -> bytes:
    document = docx.Document()
    for line in preamble:
        document.add_paragraph(line)
    if rows:
        table = document.add_table(rows=0, cols=len(rows[0]))
        for values in rows:
            _fill(table.add_row(), values)
    return _save(document)


W_MAIN = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _cell(text: str) -> str:
    return f"<w:tc><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"


def many_rows_docx(
    rows: int, *, cells: int = 5, text: str = "Мероприятие {i}", tail: str = ""
) -> bytes:
    """A Word file whose table has `rows` rows, written straight as XML (python-docx would take
    minutes for the hostile sizes). `tail` is appended after the table as is: a broken tail
    (unclosed tags) shows whether a reader stopped before it."""
    header = (
        "<w:tr>"
        + "".join(
            _cell(h) for h in ["№", "Мероприятие", "Ответственные", "Сроки", "Результат"][:cells]
        )
        + "</w:tr>"
    )
    body = "".join(
        "<w:tr>"
        + _cell(str(i))
        + "".join(_cell(text.format(i=i)) for _ in range(cells - 1))
        + "</w:tr>"
        for i in range(1, rows)
    )
    xml = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W_MAIN}">'
        f"<w:body><w:tbl>{header}{body}</w:tbl>{tail or '</w:body></w:document>'}"
    )
    return replace_document_xml(docx_table([["x"]]), xml.encode())


def replace_document_xml(data: bytes, xml: bytes) -> bytes:
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = xml if info.filename == "word/document.xml" else source.read(info)
            target.writestr(info.filename, content)
    return buffer.getvalue()
