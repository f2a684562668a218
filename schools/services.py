"""Appointing people to roles: each role is a Django group plus object permissions
(django-guardian) on the municipality, school or region it is for."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, Group
from django.db import transaction
from guardian.shortcuts import assign_perm, remove_perm

from schools.models import Appointment, Municipality, Region, School

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
