"""Loads the demo: the three real municipal roadmaps of `fixtures/seeds/`, as curated in
`fixtures/demo/*.json`, with their schools, people, acts, working group and indicators, and one
demo account per role.

With `living=True` (what `manage.py load_demo` does) the demo also gets a current roadmap: the
Черекский 2022 roadmap copied to the current calendar year with `roadmap_copy`, its schools
designated for that year, and school reports in every state made through the report services,
dated relative to `today` (measures/demo/living.py).

Every row is found by its natural key and updated in place, so loading twice changes nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from measures.demo.living import load_living
from measures.demo.monitoring import load_monitoring
from measures.editions import ensure_recorded
from measures.models import ActAppendix, LegalAct, Measure, Roadmap, Section
from measures.services import link_owners, measure_save
from monitoring.models import Indicator, IndicatorTarget, MonitoringStage
from schools.models import (
    AgreementItem,
    MentorPairing,
    Municipality,
    Organisation,
    PartnershipAgreement,
    Person,
    Region,
    School,
    SchoolDesignation,
    WorkingGroup,
    WorkingGroupMember,
)
from schools.services import appoint

FIXTURES_DIR = settings.BASE_DIR / "fixtures" / "demo"
SEED_FILES = ["000_cherek.json", "001_svetlogorsk.json", "002_katanga.json"]
DEMO_PASSWORD = "demo-portal-2026"


@dataclass
class LoadSummary:
    roadmaps: int = 0
    sections: int = 0
    measures: int = 0
    schools: int = 0
    people: int = 0
    accounts: list[str] = field(default_factory=list)
    current_roadmap: Roadmap | None = None
    flagged: list[Measure] = field(default_factory=list)
    reports: int = 0
    indicators: int = 0
    stages: int = 0
    values: int = 0


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _decimal(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


@transaction.atomic
def load_demo(
    *, fixtures_dir: Path = FIXTURES_DIR, living: bool = False, today: date | None = None
) -> LoadSummary:
    """The curated roadmaps; with `living`, also the current year's roadmap and its reports,
    dated relative to `today` (default: the local date)."""
    summary = LoadSummary()
    today = today or timezone.localdate()
    indicators = _load_indicators(json.loads((fixtures_dir / "indicators.json").read_text()))
    seeds = [json.loads((fixtures_dir / name).read_text()) for name in SEED_FILES]
    roadmaps = [_load_seed(data, indicators, summary) for data in seeds]
    _load_accounts(json.loads((fixtures_dir / "accounts.json").read_text()), summary)
    load_monitoring(
        [
            (roadmap.municipality, _seed_schools(roadmap, data))
            for roadmap, data in zip(roadmaps, seeds, strict=True)
        ],
        indicators,
        _indicator,
        today,
        summary,
    )
    if living:
        load_living(roadmaps[0], today, summary)
    return summary


def _seed_schools(roadmap: Roadmap, data: dict[str, Any]) -> list[School]:
    """The schools of a seed, in the seed's order."""
    by_name = {s.short_name: s for s in School.objects.filter(municipality=roadmap.municipality_id)}
    return [by_name[row["short_name"]] for row in data["schools"]]


def _load_indicators(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The catalogue the demo's municipalities take their indicators from, by code."""
    return {row["code"]: row for row in rows}


def _indicator(municipality: Municipality, row: dict[str, Any]) -> Indicator:
    fields = {
        key: row[key]
        for key in ("title", "unit", "direction", "level", "source", "method")
        if key in row
    }
    indicator, created = Indicator.objects.get_or_create(
        municipality=municipality, code=row["code"], defaults=fields
    )
    if not created and any(getattr(indicator, key) != value for key, value in fields.items()):
        # a second load changes nothing that is already as the catalogue says
        for key, value in fields.items():
            setattr(indicator, key, value)
        indicator.save()
    return indicator


def _load_seed(
    data: dict[str, Any], indicators: dict[str, dict[str, Any]], summary: LoadSummary
) -> Roadmap:
    region, _ = Region.objects.get_or_create(name=data["region"])
    municipality, _ = Municipality.objects.get_or_create(region=region, name=data["municipality"])

    organisations: dict[str, Organisation] = {}
    for row in data["organisations"]:
        regional = row.get("regional", False)
        organisations[row["key"]], _ = Organisation.objects.update_or_create(
            municipality=None if regional else municipality,
            name=row["name"],
            defaults={
                "kind": row["kind"],
                "short_name": row["short_name"],
                "name_genitive": row.get("name_genitive", ""),
                "region": region,
            },
        )

    schools: dict[str, School] = {}
    for row in data["schools"]:
        schools[row["short_name"]], _ = School.objects.update_or_create(
            municipality=municipality, short_name=row["short_name"], defaults={"name": row["name"]}
        )

    people: dict[str, Person] = {}
    for row in data["people"]:
        people[row["short_name"]], _ = Person.objects.update_or_create(
            municipality=municipality,
            short_name=row["short_name"],
            defaults={
                "full_name": row.get("full_name", ""),
                "position": row["position"],
                "organisation": organisations.get(row.get("organisation", "")),
                "school": schools.get(row.get("school", "")),
                "email": row.get("email", ""),
            },
        )

    acts: dict[str, LegalAct] = {}
    for row in data["acts"]:
        acts[row["key"]], _ = LegalAct.objects.update_or_create(
            issuer=organisations[row["issuer"]],
            kind=row["kind"],
            number=row["number"],
            date=_date(row["date"]),
            defaults={
                "municipality": municipality,
                "title": row["title"],
                "signatory_name": row.get("signatory_name", ""),
                "signatory_position": row.get("signatory_position", ""),
                "status": row["status"],
                "place": row.get("place", ""),
                "preamble": row.get("preamble", ""),
                "items": row.get("items", []),
            },
        )

    for row in data["schools"]:
        school = schools[row["short_name"]]
        if row.get("director"):
            school.director = people[row["director"]]
            school.save(update_fields=["director"])
        for designation in row["designations"]:
            SchoolDesignation.objects.update_or_create(
                school=school,
                kind=designation["kind"],
                year=designation["year"],
                defaults={
                    "basis": designation["basis"],
                    "basis_act": acts.get(designation.get("basis_act", "")),
                },
            )

    roadmap = _load_roadmap(data["roadmap"], municipality, acts, summary)

    group = None
    if "working_group" in data:
        group = _load_working_group(data["working_group"], municipality, acts, people)
    for row in data["acts"]:
        _load_appendices(acts[row["key"]], row.get("appendices", []), roadmap, group)
    for row in data.get("pairings", []):
        _load_pairing(row, schools, people)
    for row in data.get("targets", []):
        indicator = _indicator(municipality, indicators[row["indicator"]])
        indicator.roadmaps.add(roadmap)
        baseline = _decimal(row.get("baseline"))
        if baseline is not None and indicator.baseline is None:
            indicator.baseline, indicator.baseline_year = baseline, row["year"]
            indicator.save(update_fields=["baseline", "baseline_year"])
        IndicatorTarget.objects.update_or_create(
            indicator=indicator, year=row["year"], defaults={"target": Decimal(row["target"])}
        )
    for row in data.get("stages", []):
        MonitoringStage.objects.update_or_create(
            municipality=municipality,
            kind=row["kind"],
            year=row["year"],
            defaults={
                "roadmap": roadmap,
                "starts_on": _date(row["starts_on"]),
                "ends_on": _date(row["ends_on"]),
            },
        )
    summary.schools += len(schools)
    summary.people += len(people)
    return roadmap


def _load_roadmap(
    data: dict[str, Any],
    municipality: Municipality,
    acts: dict[str, LegalAct],
    summary: LoadSummary,
) -> Roadmap:
    roadmap, _ = Roadmap.objects.update_or_create(
        municipality=municipality,
        amends=None,  # not an open draft of changes to it, which bears the same title and period
        title=data["title"],
        starts_on=_date(data["starts_on"]),
        ends_on=_date(data["ends_on"]),
        defaults={
            "status": data["status"],
            "approved_by": acts.get(data.get("approved_by", "")),
            "appendix_number": data.get("appendix_number", ""),
            **{
                key: data.get(key, "")
                for key in ("goal", "tasks", "expected_results", "legal_basis", "control")
            },
        },
    )
    roadmap.amended_by.set([acts[key] for key in data.get("amended_by", [])])

    measure_rows: list[tuple[Section | None, dict[str, Any]]] = [
        (None, row) for row in data.get("measures", [])
    ]
    section_positions = []
    for position, row in enumerate(data["sections"], start=1):
        section, _ = Section.objects.update_or_create(
            roadmap=roadmap,
            position=position,
            defaults={"number": row["number"], "title": row["title"]},
        )
        section_positions.append(position)
        measure_rows.extend((section, measure) for measure in row["measures"])
    measures, changed = [], []
    for position, (section, row) in enumerate(measure_rows, start=1):
        measure = roadmap.measures.filter(position=position).first() or Measure(
            roadmap=roadmap, position=position
        )
        as_written = {
            "section_id": section.pk if section else None,
            "number": row["number"],
            "title": row["title"],
            "owners_text": row["owners"],
            "deadline_text": row["deadline"],
            "planned_result": row["result"],
        }
        if measure.pk is None or any(getattr(measure, k) != v for k, v in as_written.items()):
            for name, value in as_written.items():
                setattr(measure, name, value)
            changed.append(measure)
        measures.append(measure)
    if changed:  # only a draft's measures are written: drafted for the time of the writing
        status, roadmap.status = roadmap.status, Roadmap.Status.DRAFT
        Roadmap.objects.filter(pk=roadmap.pk).update(status=roadmap.status)
        for measure in changed:
            measure.roadmap = roadmap
            measure_save(measure=measure)  # the deadline and its occurrences
        roadmap.status = status
        Roadmap.objects.filter(pk=roadmap.pk).update(status=status)
    link_owners(municipality, measures, replace=True)  # as an import links them
    roadmap.measures.filter(position__gt=len(measure_rows)).delete()
    roadmap.sections.exclude(position__in=section_positions).delete()
    ensure_recorded(roadmap)  # an approved roadmap's edition 1, in the act in force
    summary.roadmaps += 1
    summary.sections += len(section_positions)
    summary.measures += len(measure_rows)
    return roadmap


def _load_working_group(
    data: dict[str, Any],
    municipality: Municipality,
    acts: dict[str, LegalAct],
    people: dict[str, Person],
) -> WorkingGroup:
    group, _ = WorkingGroup.objects.update_or_create(
        municipality=municipality,
        year=data["year"],
        defaults={"title": data["title"], "act": acts.get(data.get("act", ""))},
    )
    members = []
    for position, row in enumerate(data["members"], start=1):
        member, _ = WorkingGroupMember.objects.update_or_create(
            group=group,
            person=people[row["person"]],
            defaults={
                "role": row["role"],
                "position": position,
                "position_text": row["position_text"],
            },
        )
        members.append(member.pk)
    group.memberships.exclude(pk__in=members).delete()
    return group


def _load_appendices(
    act: LegalAct, rows: list[dict[str, Any]], roadmap: Roadmap, group: WorkingGroup | None
) -> None:
    """The order's appendices as its printed form numbers them: the seed's roadmap, its
    working group."""
    for row in rows:
        ActAppendix.objects.update_or_create(
            act=act,
            position=row["position"],
            defaults={
                "kind": row["kind"],
                "roadmap": roadmap if row["kind"] == ActAppendix.Kind.ROADMAP else None,
                "working_group": group if row["kind"] == ActAppendix.Kind.WORKING_GROUP else None,
                "year": row.get("year"),
                "title": row.get("title", ""),
                "mark": row.get("mark", ActAppendix.Mark.APPENDIX),
            },
        )
    act.appendices.exclude(position__in=[row["position"] for row in rows]).delete()


def _load_pairing(
    data: dict[str, Any], schools: dict[str, School], people: dict[str, Person]
) -> None:
    pairing, _ = MentorPairing.objects.update_or_create(
        mentor=schools[data["mentor"]],
        supported=schools[data["supported"]],
        starts_on=_date(data["starts_on"]),
        defaults={"ends_on": _date(data["ends_on"])},
    )
    row = data["agreement"]
    agreement, _ = PartnershipAgreement.objects.update_or_create(
        pairing=pairing,
        defaults={
            "number": row["number"],
            "signed_on": _date(row["signed_on"]),
            "starts_on": _date(row["starts_on"]),
            "ends_on": _date(row["ends_on"]),
            "term_text": row["term_text"],
            "mentor_director": people[row["mentor_director"]],
            "supported_director": people[row["supported_director"]],
        },
    )
    for position, text in enumerate(row["items"], start=1):
        AgreementItem.objects.update_or_create(
            agreement=agreement, position=position, defaults={"text": text}
        )
    agreement.items.filter(position__gt=len(row["items"])).delete()


def _load_accounts(rows: list[dict[str, Any]], summary: LoadSummary) -> None:
    for row in rows:
        user, created = User.objects.update_or_create(
            username=row["username"],
            defaults={
                "first_name": row["first_name"],
                "last_name": row["last_name"],
                "email": row["email"],
                "is_staff": row["role"] == "admin",
                "is_superuser": row["role"] == "admin",
                "is_active": True,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        target = row.get("appointment")
        if target:
            role = target["role"]
            if "municipality" in target:
                place = Municipality.objects.get(name=target["municipality"])
            elif "school" in target:
                place = School.objects.get(short_name=target["school"])
            else:
                place = Region.objects.get(name=target["region"])
            appoint(user=user, role=role, target=place)
        if row.get("person"):
            person = Person.objects.get(
                municipality__name=row["municipality"], short_name=row["person"]
            )
            if person.user_id != user.pk:
                person.user = user
                person.save(update_fields=["user"])
        summary.accounts.append(row["username"])
