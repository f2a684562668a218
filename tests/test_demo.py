"""The demo loader: every measure of the three real roadmaps, exactly as the seed documents
print them, and loading twice changes nothing."""

import re
from datetime import date
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.test import RequestFactory
from django.utils import timezone

from measures.demo import DEMO_PASSWORD, load_demo
from measures.models import ControlPair, Evidence, Measure, Report, ReportStep, Roadmap
from monitoring.models import IndicatorTarget, MonitoringStage
from schools.models import PartnershipAgreement, SchoolDesignation, WorkingGroup

pytestmark = pytest.mark.django_db

SEEDS = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"
SEED_FILES = {
    "Черекский муниципальный район": "000_46589c9c6f59fff2.txt",
    "Светлогорский городской округ": "001_d6732ecfa0f45767.txt",
    "Катангский район": "002_d1d2cc4c78246ee6.txt",
}
# Measures per section, counted by hand from the documents; None: a roadmap without sections.
SECTION_COUNTS = {
    "Черекский муниципальный район": {"1.": 2, "2.": 5, "3.": 17, "4.": 7},
    "Светлогорский городской округ": {"1.": 3, "2.": 8, "3.": 4},
    "Катангский район": {None: 12},
}
# Text-extraction artifacts the demo repairs: a cell broken by a page break, so that its text
# stands in the seed file in several pieces. Each piece must still be in the seed. Keyed by the
# measure's position in the roadmap (numbers repeat: seed 002 has two measures «11»).
REPAIRED = {
    ("Светлогорский городской округ", 8, "planned_result"): [  # 2.5.
        "Определение направлений методической",
        "работы ОУ",
    ],
    ("Светлогорский городской округ", 11, "planned_result"): [  # 2.8.
        "Проведение анализа по результатам",
        "реализации Дорожной карты",
    ],
    ("Катангский район", 2, "title"): [
        "Организация и проведение инструктивно-методических совещаний с руководителями",
        "общеобразовательных организаций по вопросам достижения качества образования",
    ],
    ("Катангский район", 2, "planned_result"): [
        "Определение основных направлений деятельности по управлению",
        "качеством образования",
    ],
    ("Катангский район", 7, "title"): [
        "Подготовка инструктивных писем для ОУ по",
        "вопросам повышения качества образования, функциональной грамотности, ликвидации "
        "дефицитов знаний обучающихся по предмету",
    ],
    ("Катангский район", 11, "title"): [
        "Участие педагогических работников и управленческих кадров школ, находящихся в зоне "
        "риска по низким образовательным результатам, в региональных мероприятиях, проводимых для",
        "школ с низкими образовательными результатами",
    ],
}


def squash(text: str) -> str:
    text = re.sub(r"</?p>|\*\*", " ", text)  # HTML and Markdown left by the extraction
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("municipality", list(SEED_FILES))
def test_every_measure_is_loaded_exactly_as_written(demo, municipality):
    seed = squash((SEEDS / SEED_FILES[municipality]).read_text())
    roadmap = Roadmap.objects.get(municipality__name=municipality)
    assert squash(roadmap.title) in seed

    counts: dict[str | None, int] = {}
    for measure in roadmap.measures.select_related("section"):
        key = measure.section.number if measure.section else None
        counts[key] = counts.get(key, 0) + 1
        if measure.section:
            assert squash(f"{measure.section.number} {measure.section.title}") in seed
        if measure.number:
            assert measure.number in seed
        for field in ("title", "owners_text", "deadline_text", "planned_result"):
            value = squash(getattr(measure, field))
            assert value, (measure.number, field)
            pieces = REPAIRED.get((municipality, measure.position, field), [value])
            assert squash(" ".join(pieces)) == value, (measure.number, field)
            for piece in pieces:
                assert squash(piece) in seed, (measure.number, field, piece)
    assert counts == SECTION_COUNTS[municipality]


def test_spot_checks_of_the_printed_text(demo):
    cherek = Measure.objects.filter(roadmap__municipality__name="Черекский муниципальный район")
    webinars = cherek.get(number="3.15")
    assert webinars.deadline_text == "Постоянно в течение всего периода по отдельному графику"
    assert webinars.owners_text == "Муниципальный и школьные координаторы"
    first = cherek.get(number="1.1")
    assert first.owners_text == "Бозиев А.Т.\nАттоев А.А.\nКульбаева А.В.\nАнахаева А.Х."
    assert first.deadline_text == "Февраль 2022г."
    assert sorted(p.short_name for p in first.owners.all()) == [
        "Анахаева А.Х.",
        "Аттоев А.А.",
        "Бозиев А.Т.",
        "Кульбаева А.В.",
    ]
    assert cherek.filter(number="").count() == 3  # three unnumbered measures in section 2
    assert cherek.get(number="2.1").deadline_text == "По графику ГБУ ДПО «ЦНППМ»"

    katanga = Measure.objects.filter(roadmap__municipality__name="Катангский район")
    assert list(katanga.filter(number="11").values_list("title", flat=True)) == [
        "Участие педагогических работников и управленческих кадров школ, находящихся в зоне "
        "риска по низким образовательным результатам, в региональных мероприятиях, проводимых "
        "для школ с низкими образовательными результатами",
        "Подготовка сводного анализа по деятельности ШНОР",
    ]
    svetlogorsk = Measure.objects.filter(
        roadmap__municipality__name="Светлогорский городской округ"
    )
    # the seed prints row 2.6 twice; the demo keeps it once
    assert svetlogorsk.filter(title__startswith="Внутренняя оценка качества").count() == 1
    assert svetlogorsk.get(number="2.2.").deadline_text == "Февраль 2022 г. – далее ежегодно"


def test_roadmap_headers_and_acts(demo):
    katanga = Roadmap.objects.get(municipality__name="Катангский район")
    assert str(katanga.approved_by) == "Приказ от 17.01.2023 №\u00a010"
    assert [str(act) for act in katanga.amended_by.all()] == ["Приказ от 28.04.2023 №\u00a076-Д"]
    assert katanga.goal.startswith("Создание условий для поддержки школ")
    assert katanga.tasks.count("\n") == 3
    cherek = Roadmap.objects.get(municipality__name="Черекский муниципальный район")
    assert (cherek.starts_on.isoformat(), cherek.ends_on.isoformat()) == (
        "2022-01-01",
        "2022-12-31",
    )
    assert cherek.appendix_number == "1"
    assert cherek.approved_by.issuer.name == (
        "МКУ «Управление образования и молодежной политики Черекского муниципального района КБР»"
    )
    svetlogorsk = Roadmap.objects.get(municipality__name="Светлогорский городской округ")
    assert str(svetlogorsk.approved_by) == "Распоряжение от 03.06.2022 №\u00a0522"
    assert svetlogorsk.approved_by.signatory_name == "В.В. Бондаренко"


def test_schools_designations_group_pairing_and_indicators(demo):
    designations = {
        (d.school.short_name, d.kind, d.year)
        for d in SchoolDesignation.objects.select_related("school")
    }
    assert {
        ("МБОУ СОШ с. Ербогачен", "risk_zone", 2023),
        ("МКОУ СОШ с. Непа", "risk_zone", 2023),
        ("МКОУ СОШ с. Преображенка", "risk_zone", 2023),
        ("МАОУ «ООШ п. Приморье»", "unobjective_results", 2022),
        ("МКОУ СОШ № 1 (демо)", "low_results", 2022),
        ("МКОУ СОШ № 4 (демо)", "resilient", 2022),
    } <= designations

    group = WorkingGroup.objects.get(municipality__name="Черекский муниципальный район")
    members = list(group.memberships.select_related("person"))
    assert [m.person.short_name for m in members] == [
        "Бозиев А.Т.",
        "Аттоев А.А.",
        "Кульбаева А.В.",
        "Анахаева А.Х.",
        "Гериева М.Б.",
        "Кертиева М.Х.",
    ]
    assert members[2].position_text == "заведующая отделом дошкольного, общего образования УО и МП"
    assert group.act.number == "31"

    agreement = PartnershipAgreement.objects.get()
    assert agreement.pairing.mentor.short_name == "МКОУ СОШ № 4 (демо)"
    assert agreement.items.count() == 4
    years = set(
        IndicatorTarget.objects.filter(
            indicator__code="regional_events_participation_share"
        ).values_list("year", flat=True)
    )
    demo_years = {timezone.localdate().year - n for n in range(3)}  # measures/demo/monitoring.py
    assert years == {2023, 2024} | demo_years
    # the seed's three stages of 2022 and the demo's nine of its three years (monitoring.py)
    assert MonitoringStage.objects.filter(municipality=group.municipality).count() == 12


@pytest.mark.parametrize(
    "username", ["admin", "koordinator", "rabgruppa", "direktor", "grechkina", "nablyudatel"]
)
def test_each_demo_account_logs_in_with_the_readme_password(demo, username):
    request = RequestFactory().post("/login/")
    user = authenticate(request, username=username, password=DEMO_PASSWORD)
    assert user is not None
    assert user.is_superuser == (username == "admin")
    assert user.is_superuser or (user.groups.exists() and user.appointments.exists())


def snapshot() -> dict[str, list[tuple]]:
    models = [
        m
        for m in apps.get_models()
        if m._meta.app_label in {"schools", "measures", "monitoring", "auth"}
    ]
    return {m._meta.label: sorted(map(repr, m.objects.values_list())) for m in models}


def test_loading_twice_changes_nothing(demo):
    before = snapshot()
    second = load_demo()
    assert snapshot() == before
    assert (second.roadmaps, second.sections, second.measures) == (3, 7, 58)


# --- The living demo: the current roadmap and its reports ---------------------------------


def evidence_files() -> set[str]:
    """Every file in the evidence storage, with its size."""
    storage = Evidence._meta.get_field("file").storage
    found = set()

    def walk(path: str) -> None:
        if not storage.exists(path or "."):
            return
        directories, files = storage.listdir(path or ".")
        found.update(f"{path}/{name}:{storage.size(f'{path}/{name}')}" for name in files)
        for directory in directories:
            walk(f"{path}/{directory}" if path else directory)

    walk("")
    return found


def living(today: date):
    return load_demo(living=True, today=today)


def test_living_demo_twice_changes_nothing(db, capsys):
    call_command("load_demo")  # the command loads the living demo
    year = timezone.localdate().year
    assert f"на {year} год" in capsys.readouterr().out
    current = Roadmap.objects.get(
        municipality__name="Черекский муниципальный район", starts_on=date(year, 1, 1)
    )
    assert current.measures.count() == 31
    before, files = snapshot(), evidence_files()
    second = living(timezone.localdate())
    assert snapshot() == before
    assert evidence_files() == files
    assert second.reports == 0
    assert second.current_roadmap == current


LAST_YEAR = timezone.localdate().year - 1
A_DAY = date(LAST_YEAR, 11, 23)  # a fixed today in the past: every story can be played


def at_most(value, day: date) -> bool:
    return value is None or timezone.localtime(value).date() < day


def test_living_demo_has_reports_in_every_state(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        summary = living(A_DAY)
    roadmap = summary.current_roadmap
    archive = Roadmap.objects.get(municipality=roadmap.municipality, starts_on=date(2022, 1, 1))
    assert (roadmap.starts_on, roadmap.ends_on) == (date(LAST_YEAR, 1, 1), date(LAST_YEAR, 12, 31))
    assert roadmap.title == archive.title.replace("2022", str(LAST_YEAR))
    # approved by an order of the department at the start of the year (its PDF queued)
    assert roadmap.status == Roadmap.Status.APPROVED
    assert roadmap.approved_by.number == "4"
    assert roadmap.approved_by.date == date(LAST_YEAR, 1, 16)
    # the schools are designated for the year as for 2022, so the measures concern them
    kinds_2022 = set(
        SchoolDesignation.objects.filter(
            year=2022, school__municipality=roadmap.municipality
        ).values_list("school_id", "kind")
    )
    assert kinds_2022 == set(
        SchoolDesignation.objects.filter(
            year=LAST_YEAR, school__municipality=roadmap.municipality
        ).values_list("school_id", "kind")
    )
    # the flagged deadlines were corrected to this year's month, but for one left for review
    february = roadmap.measures.get(number="1.1")
    assert february.deadline_corrected and february.deadline.due_dates == [date(LAST_YEAR, 2, 28)]
    assert list(
        roadmap.measures.filter(deadline_needs_review=True).values_list("number", flat=True)
    ) == ["3.16"]

    reports = Report.objects.filter(occurrence__measure__roadmap=roadmap).select_related(
        "occurrence", "submitted_by", "reviewed_by"
    )
    assert summary.reports == len(reports) > 20
    statuses = {r.status for r in reports}
    assert statuses == {"draft", "submitted", "returned", "accepted"}
    accepted = [r for r in reports if r.status == "accepted" and r.occurrence.kind == "due"]
    assert any(r.submitted_at.date() <= r.occurrence.due_on for r in accepted)  # on time
    assert any(r.submitted_at.date() > r.occurrence.due_on for r in accepted)  # late
    assert {r.outcome for r in reports} >= {
        "done",
        "partly",
        "not_done",
        "postponed",
        "in_progress",
    }
    decisions = {r.postpone_decision for r in reports}
    assert {"pending", "accepted"} <= decisions
    moved = next(r for r in reports if r.postpone_decision == "accepted")
    assert moved.status == "draft" and moved.due_on == moved.postponed_to > moved.occurrence.due_on
    assert all(r.review_comment for r in reports if r.status == "returned")
    old_waiting = [
        r for r in reports if r.status == "submitted" and (A_DAY - r.submitted_at.date()).days > 30
    ]
    assert old_waiting  # waiting in the queue for a long time
    notes = [r for r in reports if r.occurrence.kind == "quarter"]
    assert {r.status for r in notes} >= {"accepted", "returned", "submitted"}
    # pairs whose date passed with nothing
    overdue = ControlPair.objects.filter(
        roadmap=roadmap, kind="due", due_on__lt=A_DAY, report__isnull=True
    )
    assert overdue.exists()

    # who: the director for their school, the coordinator for the others; reviews by both
    assert {r.submitted_by.username for r in reports if r.submitted_by} == {
        "direktor",
        "koordinator",
    }
    assert all(
        r.on_behalf == (r.submitted_by.username == "koordinator") for r in reports if r.submitted_by
    )
    assert {r.reviewed_by.username for r in reports if r.reviewed_by} == {
        "rabgruppa",
        "koordinator",
    }
    # nothing dated after today
    for r in reports:
        assert at_most(r.submitted_at, A_DAY) and at_most(r.reviewed_at, A_DAY)
    steps = ReportStep.objects.filter(report__in=reports)
    assert all(at_most(step.at, A_DAY) for step in steps)
    assert steps.count() > len(reports)

    evidence = list(Evidence.objects.filter(report__in=reports))
    heads = {}
    for item in evidence:
        if item.file:
            with item.file.open("rb") as data:
                heads[item.content_type] = data.read(8)
    assert heads["application/pdf"].startswith(b"%PDF")
    assert heads["image/jpeg"].startswith(b"\xff\xd8")
    assert heads["image/png"].startswith(b"\x89PNG")
    assert any(e.link.startswith("https://") for e in evidence)
    assert all(e.size == e.file.size for e in evidence if e.file)
    # no e-mail storm: nothing is sent for the demo's reviews; only the order's PDF is queued
    assert [c.__qualname__.split(".")[0] for c in callbacks] == ["enqueue_render"]
    # a second load on the same day adds nothing (a postponed report's date moved meanwhile)
    before, files = snapshot(), evidence_files()
    assert living(A_DAY).reports == 0
    assert (snapshot(), evidence_files()) == (before, files)


def test_early_in_the_year_nothing_is_dated_after_today(db):
    today = date(LAST_YEAR, 1, 5)
    summary = living(today)
    reports = Report.objects.filter(occurrence__measure__roadmap=summary.current_roadmap)
    assert reports.exists()  # drafts and early reports on the dates to come
    assert not reports.filter(status="accepted").exists()
    for r in reports:
        assert at_most(r.submitted_at, today) and at_most(r.reviewed_at, today)
    assert all(at_most(s.at, today) for s in ReportStep.objects.filter(report__in=reports))


def test_loading_again_while_a_draft_of_changes_is_open(demo):
    """A draft of changes bears its roadmap's title and period: loading the demo again finds
    the roadmap itself and leaves the draft alone."""
    from measures import editions

    roadmap = Roadmap.objects.filter(status="approved").order_by("pk").first()
    draft = editions.amend_start(roadmap=roadmap, by=None)
    load_demo()
    assert Roadmap.objects.filter(pk=draft.pk, amends=roadmap).exists()
    assert Roadmap.objects.filter(title=roadmap.title, amends=None).count() == 1
