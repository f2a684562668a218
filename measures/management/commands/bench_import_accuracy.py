"""The importer's field accuracy on real-layout fixtures: `manage.py bench_import_accuracy`.

Every fixture (tests/fixtures/real_layouts/*: DOCX of python-docx and of LibreOffice, XLSX, CSV,
ODT, DOC, RTF) is read through the whole pipeline (`measures.importing.read_roadmap_file`) and
compared field by field with the expected JSON next to it, written from the document: the title,
the approving act (kind, number, date, issuer), each section (number, title) and each measure
(section, number, title, owners, deadline text, result). Texts are compared with their spaces
and line breaks folded. A measure or section the importer invents where the document has none
counts as one missed field. Prints per file and in total: fields expected, fields exact,
accuracy %; `--verbose` lists the misses.
"""

from __future__ import annotations

import difflib
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

FIXTURES = Path(settings.BASE_DIR) / "tests" / "fixtures" / "real_layouts"
MEASURE_FIELDS = {
    "section": "section",
    "number": "number",
    "title": "title",
    "owners": "owners_text",
    "deadline": "deadline_text",
    "result": "planned_result",
}


def fold(value: Any) -> str:
    return re.sub(r"\s+", " ", str(value or "")).strip()


class Score:
    def __init__(self) -> None:
        self.expected = 0
        self.exact = 0
        self.misses: list[str] = []

    def field(self, where: str, expected: Any, actual: Any) -> None:
        self.expected += 1
        if fold(expected) == fold(actual):
            self.exact += 1
        else:
            self.misses.append(f"{where}: expected «{fold(expected)}», read «{fold(actual)}»")

    def extra(self, where: str, actual: Any) -> None:
        self.expected += 1
        self.misses.append(f"{where}: not in the document, read «{fold(actual)}»")

    @property
    def accuracy(self) -> float:
        return 100.0 * self.exact / self.expected if self.expected else 100.0


def _pairs(expected: list[str], actual: list[str]) -> list[tuple[int | None, int | None]]:
    """Expected and read items aligned on their titles (a missed or an invented row shifts
    nothing after it)."""
    pairs: list[tuple[int | None, int | None]] = []
    matcher = difflib.SequenceMatcher(None, [fold(t) for t in expected], [fold(t) for t in actual])
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        left, right = list(range(i1, i2)), list(range(j1, j2))
        if op in {"equal", "replace"}:
            common = min(len(left), len(right))
            pairs += list(zip(left[:common], right[:common], strict=True))
            pairs += [(i, None) for i in left[common:]]
            pairs += [(None, j) for j in right[common:]]
        elif op == "delete":
            pairs += [(i, None) for i in left]
        else:
            pairs += [(None, j) for j in right]
    return pairs


def score_file(expected: dict[str, Any], parsed: dict[str, Any]) -> Score:
    score = Score()
    if parsed["errors"]:
        score.misses.append("errors: " + "; ".join(e["message"] for e in parsed["errors"]))
    score.field("title", expected["title"], parsed.get("title", ""))
    want_order, got_order = expected.get("order") or {}, parsed.get("order") or {}
    if want_order:
        for key in ("kind", "number", "date", "issuer"):
            score.field(f"order {key}", want_order[key], got_order.get(key, ""))
    elif got_order:
        score.extra("order", got_order)

    want_sections, got_sections = expected["sections"], parsed.get("sections", [])
    for i, j in _pairs([s["title"] for s in want_sections], [s["title"] for s in got_sections]):
        if i is None:
            score.extra(f"section #{j + 1}", got_sections[j]["title"])
            continue
        got = got_sections[j] if j is not None else {}
        for key in ("number", "title"):
            score.field(f"section «{want_sections[i]['title'][:40]}» {key}",
                        want_sections[i][key], got.get(key, ""))  # fmt: skip

    def section_title(sections: list[dict], index: int | None) -> str:
        return sections[index]["title"] if index is not None and index < len(sections) else ""

    want, got = expected["measures"], parsed.get("measures", [])
    for i, j in _pairs([m["title"] for m in want], [m["title"] for m in got]):
        if i is None:
            score.extra(f"measure (row {got[j].get('row')})", got[j]["title"][:60])
            continue
        where = f"measure {want[i]['number'] or i + 1}"
        read = got[j] if j is not None else {}
        for key, name in MEASURE_FIELDS.items():
            if key == "section":
                score.field(f"{where} section", section_title(want_sections, want[i]["section"]),
                            section_title(got_sections, read.get("section")))  # fmt: skip
            else:
                score.field(f"{where} {key}", want[i][key], read.get(name, ""))
    return score


class Command(BaseCommand):
    help = "The importer's field accuracy on the real-layout fixtures (DOCX, XLSX, CSV, ODT, DOC)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", default=str(FIXTURES), help="the fixtures' folder")
        parser.add_argument("--verbose", action="store_true", help="list the misses")
        parser.add_argument("--json", action="store_true", help="print the numbers as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        from measures.import_files import legacy_kind, libreoffice_reads
        from measures.importing import read_roadmap_file

        folder = Path(options["dir"])
        total_expected = total_exact = 0
        results = []
        for path in sorted(folder.glob("*.expected.json")):
            expected = json.loads(path.read_text())
            source = folder / expected["file"]
            data = source.read_bytes()
            if (kind := legacy_kind(data)) and not libreoffice_reads(kind):
                self.stdout.write(f"{source.name}: skipped, LibreOffice cannot read it here")
                continue
            start, end = expected["period"].split(":")
            parsed = read_roadmap_file(
                source.name, data, (date.fromisoformat(start), date.fromisoformat(end))
            ).as_dict()
            score = score_file(expected, parsed)
            total_expected += score.expected
            total_exact += score.exact
            results.append({"file": source.name, "expected": score.expected,
                            "exact": score.exact, "accuracy": round(score.accuracy, 1),
                            "misses": score.misses})  # fmt: skip
            if not options["json"]:
                self.stdout.write(
                    f"{source.name:48} {score.exact:4}/{score.expected:<4} {score.accuracy:5.1f}%"
                )
                if options["verbose"]:
                    for miss in score.misses:
                        self.stdout.write(f"    ✘ {miss}")
        accuracy = 100.0 * total_exact / total_expected if total_expected else 0.0
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "files": results,
                        "expected": total_expected,
                        "exact": total_exact,
                        "accuracy": round(accuracy, 1),
                    },
                    ensure_ascii=False,
                    indent=2,
                )
            )
            return
        self.stdout.write(
            f"{'TOTAL (' + str(len(results)) + ' files)':48} {total_exact:4}/{total_expected:<4} "
            f"{accuracy:5.1f}%"
        )
