"""Times preview + confirm of a large XLSX and DOCX import. Prints numbers; saves nothing.

`--hostile` instead measures the refusal of the largest hostile Word file (issue 7, item 5):
a 520,000-row table read in a separate process, as a Celery worker reads it, while this process
keeps answering GET /login/ as the web does; it prints the time and the peak memory.
"""

import io
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from argparse import SUPPRESS
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.test import Client, override_settings

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


def peak_rss_kib() -> int:
    """The peak resident memory of this process (VmHWM: unlike ru_maxrss, not inherited from
    the parent over exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


class Command(BaseCommand):
    help = "Замер: предпросмотр и подтверждение импорта XLSX (2000 мероприятий) и DOCX (300)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hostile", action="store_true", help="Замер отказа для DOCX-бомбы")
        parser.add_argument("--hostile-rows", type=int, default=520_000)
        parser.add_argument("--read-file", type=Path, help=SUPPRESS)  # the child of --hostile
        parser.add_argument("--runs", type=int, default=3)
        parser.add_argument("--xlsx-measures", type=int, default=2000)
        parser.add_argument("--docx-measures", type=int, default=300)

    def handle(self, *args: object, **options: object) -> None:
        if options["read_file"]:
            return self.read_child(Path(str(options["read_file"])))
        if options["hostile"]:
            return self.hostile(int(options["hostile_rows"]))  # type: ignore[arg-type]
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

    def read_child(self, path: Path) -> None:
        """Read one file as the import task does; print seconds, peak RSS and the refusal."""
        from measures.importing import read_roadmap_file

        data = path.read_bytes()
        before = peak_rss_kib()
        started = time.perf_counter()
        parsed = read_roadmap_file(path.name, data, (date(2022, 1, 1), date(2022, 12, 31)))
        seconds = time.perf_counter() - started
        peak = peak_rss_kib()
        self.stdout.write(
            json.dumps(
                {"seconds": seconds, "peak_kib": peak, "before_kib": before,
                 "errors": [e.message for e in parsed.errors][:3],
                 "measures": len(parsed.measures)},
                ensure_ascii=False,
            )
        )  # fmt: skip

    def hostile(self, count: int) -> None:
        from measures.importing import MAX_ROWS, check_file
        from tests.docx_builders import many_rows_docx

        # Short cells, so that the file passes the zip-bomb check as the file did.
        data = many_rows_docx(count, cells=2, text="{i}")
        check_file("hostile.docx", data)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "hostile.docx"
            path.write_bytes(data)
            host = next((h for h in settings.ALLOWED_HOSTS if h not in {"*", ""}), "localhost")
            client = Client(HTTP_HOST=host.lstrip("."))
            plain_static = override_settings(  # no collectstatic needed for the login page
                STORAGES={
                    **settings.STORAGES,
                    "staticfiles": {
                        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
                    },
                }
            )
            plain_static.enable()
            client.get("/login/")  # warm up: templates, translations
            latencies: list[float] = []
            done = threading.Event()

            def web() -> None:
                while not done.is_set():
                    started = time.perf_counter()
                    status = client.get("/login/").status_code
                    latencies.append(time.perf_counter() - started)
                    assert status == 200, status
                    time.sleep(0.05)

            thread = threading.Thread(target=web)
            thread.start()
            child = subprocess.run(
                [sys.executable, "manage.py", "bench_import", "--read-file", str(path)],
                capture_output=True, text=True, check=True, cwd=settings.BASE_DIR,
            )  # fmt: skip
            done.set()
            thread.join()
            plain_static.disable()
        result = json.loads(child.stdout.strip().splitlines()[-1])
        peak_mb = result["peak_kib"] / 1024
        ok = result["seconds"] <= 2 and peak_mb <= 200 and result["errors"]
        self.stdout.write(
            f"largest refused DOCX: {result['seconds']:.2f} s, {peak_mb:.0f} MB peak "
            f"({count:,} rows, {len(data) / 1024 / 1024:.1f} MB file; process before reading "
            f"{result['before_kib'] / 1024:.0f} MB; target ≤ 2 s, ≤ 200 MB) "
            f"{'OK' if ok else 'НЕ УКЛАДЫВАЕТСЯ'}"
        )
        self.stdout.write(f"refusal: {result['errors'][0] if result['errors'] else '—'}")
        # The heaviest file the limits still let through to the full reader.
        big = many_rows_docx(MAX_ROWS, cells=10, text="Мероприятие {i}: семинар для учителей")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "largest.docx"
            path.write_bytes(big)
            accepted = json.loads(
                subprocess.run(
                    [sys.executable, "manage.py", "bench_import", "--read-file", str(path)],
                    capture_output=True, text=True, check=True, cwd=settings.BASE_DIR,
                ).stdout.strip().splitlines()[-1]
            )  # fmt: skip
        self.stdout.write(
            f"largest accepted DOCX ({MAX_ROWS:,} rows × 10 cells, "
            f"{len(big) / 1024 / 1024:.1f} MB file): {accepted['seconds']:.2f} s, "
            f"{accepted['peak_kib'] / 1024:.0f} MB peak, {accepted['measures']} measures read"
        )
        self.stdout.write(
            f"meanwhile GET /login/ answered {len(latencies)} times, "
            f"median {statistics.median(latencies) * 1000:.0f} ms, "
            f"max {max(latencies) * 1000:.0f} ms"
        )
