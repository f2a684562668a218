"""Times preview + confirm of a large XLSX and DOCX import. Prints numbers; saves nothing."""

import io
import statistics
import time
from datetime import date

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from measures.services import roadmap_import_confirm, roadmap_import_preview
from schools.models import Municipality, Region

DEADLINES = [
    "Февраль 2022г.", "Ежегодно в декабре", "По мере необходимости", "До 20 июня",
    "В течение всего периода", "Октябрь-ноябрь", "По графику Минпросвещения КБР",
    "ежемесячно", "II квартал 2022", "Май – июнь 2022 г.", "ежеквартально", "Декабрь 2022",
]  # fmt: skip
HEADER = ["№ п/п", "Наименование мероприятия", "Ответственные исполнители", "Сроки реализации",
          "Планируемый результат"]  # fmt: skip
PER_SECTION = 25


def rows(count: int) -> list[list[str]]:
    result = []
    for i in range(count):
        if i % PER_SECTION == 0:
            result.append(
                [f"{i // PER_SECTION + 1}.", f"Раздел {i // PER_SECTION + 1}", "", "", ""]
            )
        result.append([
            f"{i // PER_SECTION + 1}.{i % PER_SECTION + 1}",
            f"Мероприятие {i + 1}: проведение методического семинара для учителей школ с "
            "низкими образовательными результатами по вопросам объективности оценивания",
            "Отдел образования\nРуководители ОУ",
            DEADLINES[i % len(DEADLINES)],
            "Повышение уровня профессиональных компетенций педагогических работников",
        ])  # fmt: skip
    return result


def xlsx(count: int) -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows(count):
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def docx_file(count: int) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("План мероприятий («дорожная карта») для замера скорости")
    table = document.add_table(rows=1, cols=5)
    for cell, text in zip(table.rows[0].cells, HEADER, strict=True):
        cell.text = text
    for values in rows(count):
        cells = table.add_row().cells
        if values[2] == "":
            cells[0].merge(cells[4]).text = f"{values[0]} {values[1]}"
            continue
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


class Command(BaseCommand):
    help = "Замер: предпросмотр и подтверждение импорта XLSX (2000 мероприятий) и DOCX (300)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--runs", type=int, default=3)
        parser.add_argument("--xlsx-measures", type=int, default=2000)
        parser.add_argument("--docx-measures", type=int, default=300)

    def handle(self, *args: object, **options: object) -> None:
        runs = int(options["runs"])  # type: ignore[arg-type]
        cases = [
            ("xlsx", int(options["xlsx_measures"]), xlsx, 5.0),  # type: ignore[arg-type]
            ("docx", int(options["docx_measures"]), docx_file, 3.0),  # type: ignore[arg-type]
        ]
        period = (date(2022, 1, 1), date(2022, 12, 31))
        for fmt, count, build, target in cases:
            data = build(count)
            previews, confirms, totals = [], [], []
            for _ in range(runs):
                with transaction.atomic():
                    region = Region.objects.create(name="Замер скорости")
                    municipality = Municipality.objects.create(region=region, name="Замер")
                    started = time.perf_counter()
                    record = roadmap_import_preview(
                        municipality=municipality, file_name=f"bench.{fmt}", data=data,
                        period=period, title="Замер",
                    )  # fmt: skip
                    middle = time.perf_counter()
                    roadmap = roadmap_import_confirm(roadmap_import=record)
                    finished = time.perf_counter()
                    assert roadmap.measures.count() == count, record.parsed["errors"][:3]
                    transaction.set_rollback(True)
                previews.append(middle - started)
                confirms.append(finished - middle)
                totals.append(finished - started)
            best = min(totals)
            verdict = "OK" if best <= target else "МЕДЛЕННО"
            self.stdout.write(
                f"{fmt}: {count} мероприятий, {len(data) // 1024} КБ; "
                f"предпросмотр {statistics.median(previews):.2f} с, "
                f"подтверждение {statistics.median(confirms):.2f} с, "
                f"всего медиана {statistics.median(totals):.2f} с, лучшее {best:.2f} с "
                f"(цель ≤ {target:.0f} с) {verdict}"
            )
