"""Appointing people to roles: each role is a Django group plus object permissions
(django-guardian) on the municipality, school or region it is for."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from schools.models import (
    Appointment,
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

Role = Appointment.Role

ROLE_GROUPS = {
    Role.COORDINATOR: "Муниципальные координаторы",
    Role.WORKING_GROUP: "Члены рабочих групп",
    Role.DIRECTOR: "Руководители школ",
    Role.REGIONAL_VIEWER: "Региональные наблюдатели",
}
ROLE_PERMISSIONS = {
    Role.COORDINATOR: [
        "schools.view_municipality",
        "schools.coordinate_municipality",
        "schools.review_reports",
    ],
    Role.WORKING_GROUP: ["schools.view_municipality", "schools.review_reports"],
    Role.DIRECTOR: ["schools.view_school", "schools.report_for_school"],
    Role.REGIONAL_VIEWER: ["schools.view_region"],
}
TARGET_FIELD = {
    Role.COORDINATOR: "municipality",
    Role.WORKING_GROUP: "municipality",
    Role.DIRECTOR: "school",
    Role.REGIONAL_VIEWER: "region",
}


def _grant(appointment: Appointment) -> None:
    for permission in ROLE_PERMISSIONS[Role(appointment.role)]:
        assign_perm(permission, appointment.user, appointment.target)


@transaction.atomic
def appoint(
    *,
    user: AbstractBaseUser,
    role: str,
    target: Municipality | School | Region,
    by: AbstractBaseUser | None = None,
) -> Appointment:
    """Give `user` the role on `target`; appointing twice changes nothing."""
    role = Role(role)
    appointment, _ = Appointment.objects.get_or_create(
        user=user, role=role, **{TARGET_FIELD[role]: target}, defaults={"appointed_by": by}
    )
    user.groups.add(Group.objects.get_or_create(name=ROLE_GROUPS[role])[0])
    _grant(appointment)
    return appointment


@transaction.atomic
def remove_appointment(*, appointment: Appointment) -> None:
    """Take the role away: its permissions on the target go, except those another of the
    user's appointments on the same target still gives."""
    user, role, target = appointment.user, Role(appointment.role), appointment.target
    appointment.delete()
    for permission in ROLE_PERMISSIONS[role]:
        remove_perm(permission, user, target)
    for remaining in Appointment.objects.filter(user=user).select_related(
        "municipality", "school", "region"
    ):
        if remaining.target == target:
            _grant(remaining)
    if not Appointment.objects.filter(user=user, role=role).exists():
        user.groups.remove(*Group.objects.filter(name=ROLE_GROUPS[role]))


# --- Writes of the directory (the admin's): the tenant rules ---------------------------------

OUTSIDE_BODIES = (Organisation.Kind.REGIONAL_BODY, Organisation.Kind.FEDERAL_BODY)


def _stranger(row: Any, municipality_id: int | None) -> bool:
    """Whether `row` (with a municipality) belongs to another municipality than the given."""
    return row is not None and municipality_id not in (None, row.municipality_id)


def _act_of_another(act: Any, municipality_id: int | None) -> bool:
    """An act of another municipality, not issued by a regional or federal body."""
    return _stranger(act, municipality_id) and act.issuer.kind not in OUTSIDE_BODIES


def _organisation_of_another(organisation: Any, municipality_id: int | None) -> bool:
    return _stranger(organisation, municipality_id) and organisation.kind not in OUTSIDE_BODIES


def _other_region(a: Any, b: Any) -> bool:
    return a is not None and b is not None and a.municipality.region_id != b.municipality.region_id


def _municipality_of(row: Any, path: str) -> int | None:
    for name in path.split("."):
        row = getattr(row, name, None) if row is not None else None
    return row


# per model: (field, does the field's row break the rule for this row)
RULES: dict[type, list[tuple[str, Any]]] = {
    Person: [
        ("organisation", lambda o: _organisation_of_another(o.organisation, o.municipality_id)),
        ("school", lambda o: _stranger(o.school, o.municipality_id)),
    ],
    School: [("director", lambda o: _stranger(o.director, o.municipality_id))],
    SchoolDesignation: [
        (
            "basis_act",
            lambda o: _act_of_another(o.basis_act, _municipality_of(o, "school.municipality_id")),
        ),
    ],
    WorkingGroup: [("act", lambda o: _act_of_another(o.act, o.municipality_id))],
    WorkingGroupMember: [
        ("person", lambda o: _stranger(o.person, _municipality_of(o, "group.municipality_id")))
    ],
    PartnershipAgreement: [
        (
            "mentor_director",
            lambda o: _stranger(
                o.mentor_director, _municipality_of(o, "pairing.mentor.municipality_id")
            ),
        ),
        (
            "supported_director",
            lambda o: _stranger(
                o.supported_director, _municipality_of(o, "pairing.supported.municipality_id")
            ),
        ),
    ],
}
OTHER_MUNICIPALITY = _("«%(row)s» относится к другому муниципалитету.")


def record_problems(obj: Any) -> dict[str, str]:
    """What in a row of the directory points outside its municipality (field → Russian
    message): a person's organisation or school, a school's director, the act a designation or
    a working group rests on (unless a regional or federal body issued it), a working group's
    member, an agreement's directors; an organisation's region that is not its municipality's,
    a mentor pairing across regions."""
    problems = {
        field: OTHER_MUNICIPALITY % {"row": getattr(obj, field)}
        for field, breaks in RULES.get(type(obj), [])
        if breaks(obj)
    }
    if (
        isinstance(obj, Organisation)
        and obj.municipality_id
        and obj.region_id
        and obj.municipality.region_id != obj.region_id
    ):
        problems["region"] = _("Муниципалитет организации — в другом регионе.")
    if isinstance(obj, MentorPairing) and _other_region(
        getattr(obj, "mentor", None), getattr(obj, "supported", None)
    ):
        problems["supported"] = _("Школы пары — из разных регионов.")
    return problems


def check_record(obj: Any) -> None:
    """ValidationError (by field, in Russian) when a tenant rule of `record_problems` fails."""
    if problems := record_problems(obj):
        raise ValidationError(problems)


@transaction.atomic
def record_save(*, obj: Any) -> Any:
    """Save a row of the directory (region, municipality, organisation, school, person, …)
    under the tenant rules and the model's own validation; ValidationError, nothing saved."""
    check_record(obj)
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def record_delete(*, obj: Any) -> None:
    """Delete a row of the directory (rows that others rest on are protected by the schema)."""
    obj.delete()
