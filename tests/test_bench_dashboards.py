"""The dashboards' benchmark keeps working: it prints its numbers and leaves nothing behind (a
bench command that rots is useless). Tiny sizes: the numbers are not checked against targets."""

import json
import re
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

pytestmark = pytest.mark.django_db

COUNTED = [
    "schools.Region",
    "schools.Municipality",
    "schools.School",
    "schools.SchoolDesignation",
    "auth.User",
    "measures.Roadmap",
    "measures.Measure",
    "measures.Occurrence",
    "measures.Report",
    "monitoring.Indicator",
    "monitoring.MonitoringStage",
    "monitoring.IndicatorValue",
]
CASES = ["municipality", "municipality, school", "municipality, stage", "grid.xlsx", "region"]


def counts() -> dict[str, int]:
    return {label: apps.get_model(label).objects.count() for label in COUNTED}


def test_bench_dashboards_prints_its_numbers_and_leaves_nothing():
    before = counts()
    out, err = StringIO(), StringIO()
    call_command("bench_dashboards", "--schools", "12", "--measures", "4", "--municipalities",
                 "2", "--runs", "2", "--json", "--profile", stdout=out, stderr=err)  # fmt: skip
    text = out.getvalue()

    assert re.search(r"школ 12, мероприятий 4, контрольных пар [1-9]\d* \(отчётов [1-9]", text)
    assert "показателей 10, значений" in text and "муниципалитетов в регионе 3" in text, text
    number = r"\s+([\d.]+)"
    for case in CASES:
        row = re.search(rf"^{re.escape(case)}{number * 3}\s+(\d+){number * 2}\s+([\d.]+)×", text,
                        re.MULTILINE)  # fmt: skip
        assert row, (case, text)
        assert int(row[4]) > 5, text  # the query count of one request
        assert float(row[1]) > 0 and float(row[5]) > 0, text
    assert re.search(r"^\s+[\d.]+ ms\s+SELECT", text, re.MULTILINE), text  # --profile
    assert re.search(r"^worst p95 [\d.]+ ms", text, re.MULTILINE), text
    cases = json.loads(next(line for line in text.splitlines() if line.startswith("{")))["cases"]
    assert [c["case"] for c in cases] == CASES
    assert "(всё созданное откатилось)" in text
    assert err.getvalue() == ""
    assert counts() == before
