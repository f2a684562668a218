"""The reminder benchmark keeps working: it prints its numbers and leaves nothing behind (a
bench command that rots is useless). Tiny sizes: the numbers are not checked against targets."""

import re
from io import StringIO

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command

from roadmap_portal.celery import redis_client

pytestmark = pytest.mark.django_db

COUNTED = [
    "schools.Region",
    "schools.Municipality",
    "schools.Organisation",
    "schools.School",
    "schools.SchoolDesignation",
    "schools.Appointment",
    "auth.User",
    "measures.LegalAct",
    "measures.Roadmap",
    "measures.Measure",
    "measures.Occurrence",
    "measures.Reminder",
    "measures.ReminderLetter",
    "measures.ReminderScan",
]


def counts() -> dict[str, int]:
    return {label: apps.get_model(label).objects.count() for label in COUNTED}


def bench_keys() -> set[bytes]:
    return set(redis_client(settings.REDIS_URL).scan_iter("*bench-reminders-*"))


def test_bench_reminders_prints_its_numbers_and_leaves_nothing():
    before, keys_before = counts(), bench_keys()
    out, err = StringIO(), StringIO()
    call_command("bench_reminders", "--pairs", "50", "--runs", "1", "--renders", "3", stdout=out,
                 stderr=err)  # fmt: skip
    text = out.getvalue()

    assert "открытых пар со сроком 56" in text, text  # 7 schools × 8 control dates
    scans = re.findall(
        r"^1\s+(fresh|found)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$",
        text,
        re.MULTILINE,
    )
    assert [s[0] for s in scans] == ["fresh", "found"], text
    fresh, found = scans
    assert int(fresh[4]) == 56 and int(fresh[5]) > 0 and int(fresh[6]) > 0, text
    assert int(found[5]) == 0 and found[6] == fresh[6], text  # the second scan finds its rows
    assert re.search(r"^scan \+ queue: worst [\d.]+ s", text, re.MULTILINE), text
    digests = re.findall(r"^(director|coordinator)[^\n]*?\s+(\d+)\s+([\d.]+)\s+([\d.]+)", text,
                         re.MULTILINE)  # fmt: skip
    assert len(digests) == 4 and all(int(rows) > 0 for _who, rows, _p50, _p95 in digests), text
    assert "(всё созданное откатилось)" in text
    assert err.getvalue() == ""  # every queued letter was found in the throwaway queue

    assert counts() == before
    assert bench_keys() == keys_before  # the throwaway queue and its bindings are deleted
