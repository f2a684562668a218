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


LAST_COORDINATOR = _(
    "Нельзя снять последнего координатора муниципалитета: сначала назначьте другого."
)


@transaction.atomic
def remove_appointment(*, appointment: Appointment) -> None:
    """Take the role away: its permissions on the target go, except those another of the
    user's appointments on the same target still gives. The last coordinator of a
    municipality stays (ValidationError): nobody would be left to appoint anyone."""
    user, role, target = appointment.user, Role(appointment.role), appointment.target
    if role == Role.COORDINATOR:
        # the municipality's row locked: removals of its coordinators happen one after the
        # other, so two coordinators removing each other at once cannot both succeed (and do
        # not deadlock on each other's appointment rows)
        list(Municipality.objects.select_for_update().filter(pk=appointment.municipality_id))
        coordinators = Appointment.objects.filter(
            role=role, municipality=appointment.municipality_id
        )
        if not coordinators.exclude(pk=appointment.pk).exists():
            raise ValidationError(LAST_COORDINATOR)
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


def organisation_serves(
    organisation: Organisation, municipality_id: int | None, region_id: int | None = None
) -> bool:
    """Whether `organisation` may serve the municipality — own its roadmaps' measures, issue
    its acts, employ its people: one of the municipality's own organisations, a regional body
    of the municipality's region (its `region`, else its municipality's) or a federal body.
    The one rule for all of them; `region_id` is the municipality's region when the caller
    knows it (else it is read, only for a regional body of elsewhere)."""
    if municipality_id is None or organisation.municipality_id == municipality_id:
        return True
    if organisation.kind == Organisation.Kind.FEDERAL_BODY:
        return True
    if organisation.kind != Organisation.Kind.REGIONAL_BODY:
        return False
    own_region = organisation.region_id
    if own_region is None and organisation.municipality_id is not None:
        own_region = organisation.municipality.region_id
    if own_region is None:
        return False  # a regional body of no known region serves no municipality
    if region_id is None:
        region_id = (
            Municipality.objects.filter(pk=municipality_id)
            .values_list("region_id", flat=True)
            .first()
        )
    return own_region == region_id


def _stranger(row: Any, municipality_id: int | None) -> bool:
    """Whether `row` (with a municipality) belongs to another municipality than the given."""
    return row is not None and municipality_id not in (None, row.municipality_id)


def _act_of_another(act: Any, municipality_id: int | None) -> bool:
    """An act of another municipality, not issued by a body that serves this one (a regional
    body of its region or a federal body)."""
    return _stranger(act, municipality_id) and not organisation_serves(act.issuer, municipality_id)


def _organisation_of_another(organisation: Any, municipality_id: int | None) -> bool:
    return organisation is not None and not organisation_serves(organisation, municipality_id)


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
# --- The other side of the links: a row moved away from the rows that link it -----------------

# what about a row of the directory decides its tenant (a change of these re-checks its links)
TENANT_FIELDS: dict[type, tuple[str, ...]] = {
    Person: ("municipality_id",),
    School: ("municipality_id",),
    Organisation: ("municipality_id", "region_id", "kind"),
    WorkingGroup: ("municipality_id",),
}


def _where(row: Any) -> str:
    return f"«{row}» ({row.municipality})"


def _person_links(person: Person) -> list[str]:
    from measures.models import Roadmap

    m = person.municipality_id
    links = [
        _("ответственный за мероприятия дорожной карты %(row)s") % {"row": _where(r)}
        for r in Roadmap.objects.filter(measures__owners=person)
        .exclude(municipality_id=m)
        .select_related("municipality")
        .distinct()
    ]
    links += [
        _("руководитель школы %(row)s") % {"row": _where(s)}
        for s in person.directed_schools.exclude(municipality_id=m).select_related("municipality")
    ]
    links += [
        _("член рабочей группы %(row)s") % {"row": _where(g)}
        for g in WorkingGroup.objects.filter(memberships__person=person)
        .exclude(municipality_id=m)
        .select_related("municipality")
        .distinct()
    ]
    agreements = PartnershipAgreement.objects.select_related(
        "pairing__mentor__municipality", "pairing__supported__municipality"
    )
    for side in ("mentor", "supported"):
        for agreement in agreements.filter(**{f"{side}_director": person}).exclude(
            **{f"pairing__{side}__municipality_id": m}
        ):
            school = getattr(agreement.pairing, side)
            links.append(
                _("подписал(а) %(agreement)s за школу %(school)s")
                % {"agreement": agreement, "school": _where(school)}
            )
    return links


def _organisation_links(organisation: Organisation) -> list[str]:
    from measures.models import LegalAct, Roadmap

    def serves(municipality: Municipality) -> bool:
        return organisation_serves(organisation, municipality.pk, municipality.region_id)

    roadmaps = Roadmap.objects.filter(measures__owner_organisations=organisation)
    links = [
        _("ответственная за мероприятия дорожной карты %(row)s") % {"row": _where(r)}
        for r in roadmaps.select_related("municipality").distinct()
        if not serves(r.municipality)
    ]
    links += [
        _("издала документ %(row)s") % {"row": _where(a)}
        for a in LegalAct.objects.filter(issuer=organisation).select_related("municipality")
        if not serves(a.municipality)
    ]
    links += [
        _("место работы сотрудника %(row)s") % {"row": _where(p)}
        for p in organisation.people.select_related("municipality")
        if not serves(p.municipality)
    ]
    return links


def _school_links(school: School) -> list[str]:
    from measures.models import Roadmap

    m = school.municipality_id
    others = Roadmap.objects.exclude(municipality_id=m).select_related("municipality")
    links = [
        _("касается мероприятий дорожной карты %(row)s") % {"row": _where(r)}
        for r in others.filter(measures__schools=school).distinct()
    ]
    links += [
        _("отчитывалась по мероприятиям дорожной карты %(row)s") % {"row": _where(r)}
        for r in others.filter(measures__occurrences__reports__school=school).distinct()
    ]
    links += [
        _("школа дорожной карты %(row)s") % {"row": _where(r)} for r in others.filter(school=school)
    ]
    links += [
        _("место работы сотрудника %(row)s") % {"row": _where(p)}
        for p in school.people.exclude(municipality_id=m).select_related("municipality")
    ]
    links += [
        _("отнесена к категории по документу %(row)s") % {"row": _where(d.basis_act)}
        for d in school.designations.select_related("basis_act__issuer", "basis_act__municipality")
        if _act_of_another(d.basis_act, m)
    ]
    return links


def _group_links(group: WorkingGroup) -> list[str]:
    return [
        _("в её составе сотрудник %(row)s") % {"row": _where(p)}
        for p in Person.objects.filter(memberships__group=group)
        .exclude(municipality_id=group.municipality_id)
        .select_related("municipality")
        .distinct()
    ]


LINKS = {
    Person: _person_links,
    Organisation: _organisation_links,
    School: _school_links,
    WorkingGroup: _group_links,
}
STILL_LINKED = _(
    "Изменение нельзя сохранить: «%(row)s» — %(links)s. Сначала уберите эти связи или замените их."
)


def links_left_behind(obj: Any) -> dict[str, str]:
    """For a saved person, organisation, school or working group whose municipality (an
    organisation's region or kind too) is being changed: the rows of the old tenant that still
    link it (measures it owns, acts it issued, schools it directs, members, …) as a Russian
    message on the changed field; {} when nothing is left behind or nothing decisive changed."""
    fields = TENANT_FIELDS.get(type(obj))
    if not fields or obj.pk is None:
        return {}
    before = type(obj).objects.filter(pk=obj.pk).values(*fields).first()
    if before is None:
        return {}
    changed = [f for f in fields if before[f] != getattr(obj, f)]
    if not changed or not (links := LINKS[type(obj)](obj)):
        return {}
    field = changed[0].removesuffix("_id")
    return {field: STILL_LINKED % {"row": obj, "links": "; ".join(links)}}


OTHER_MUNICIPALITY = _("«%(row)s» относится к другому муниципалитету.")


def record_problems(obj: Any) -> dict[str, str]:
    """What in a row of the directory points outside its municipality (field → Russian
    message): a person's organisation or school, a school's director, the act a designation or
    a working group rests on (unless a regional or federal body issued it), a working group's
    member, an agreement's directors; an organisation's region that is not its municipality's,
    a mentor pairing across regions; and from the other side, a person, organisation or
    school moved away from the rows that still link it (`links_left_behind`)."""
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
    if not problems:
        problems = links_left_behind(obj)
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


# --- The working group: its members, their roles and order -----------------------------------

ONE_CHAIR = _("В рабочей группе уже есть председатель: %(person)s. Сначала смените его роль.")
ONE_SECRETARY = _("В рабочей группе уже есть секретарь: %(person)s. Сначала смените его роль.")
SINGLE_ROLES = {
    WorkingGroupMember.Role.CHAIR: ONE_CHAIR,
    WorkingGroupMember.Role.SECRETARY: ONE_SECRETARY,
}


def _check_single_role(member: WorkingGroupMember) -> None:
    """One председатель and one секретарь at most (the schema says so too; this says it in
    words, naming who holds the role)."""
    message = SINGLE_ROLES.get(WorkingGroupMember.Role(member.role))
    if message is None:
        return
    holder = (
        WorkingGroupMember.objects.filter(group=member.group_id, role=member.role)
        .exclude(pk=member.pk)
        .select_related("person")
        .first()
    )
    if holder is not None:
        raise ValidationError({"role": message % {"person": holder.person}})


def _lock_group(group: WorkingGroup) -> None:
    WorkingGroup.objects.select_for_update().filter(pk=group.pk).first()


@transaction.atomic
def member_add(
    *, group: WorkingGroup, person: Person, role: str, position_text: str = ""
) -> WorkingGroupMember:
    """Add `person` to the group, last in its order; ValidationError in Russian when they are
    a member already, of another municipality, or would be a second председатель/секретарь."""
    _lock_group(group)
    if group.memberships.filter(person=person).exists():
        raise ValidationError(
            {"person": _("%(person)s уже в составе группы.") % {"person": person}}
        )
    last = group.memberships.order_by("-position").values_list("position", flat=True).first()
    member = WorkingGroupMember(
        group=group,
        person=person,
        role=role,
        position=(last or 0) + 1,
        position_text=position_text or person.position,
    )
    _check_single_role(member)
    return record_save(obj=member)


@transaction.atomic
def member_change(
    *, member: WorkingGroupMember, role: str, position_text: str
) -> WorkingGroupMember:
    _lock_group(member.group)
    member.role, member.position_text = role, position_text
    _check_single_role(member)
    member.save(update_fields=["role", "position_text"])
    return member


@transaction.atomic
def member_move(*, member: WorkingGroupMember, up: bool) -> None:
    """Swap the member with the one before (`up`) or after them; nothing at either end."""
    _lock_group(member.group)
    member.refresh_from_db(fields=["position"])
    others = member.group.memberships.exclude(pk=member.pk)
    neighbour = (
        others.filter(position__lt=member.position).order_by("-position").first()
        if up
        else others.filter(position__gt=member.position).order_by("position").first()
    )
    if neighbour is None:
        return
    mine, theirs = member.position, neighbour.position
    member.position = 0  # (group, position) is unique: through a free place
    member.save(update_fields=["position"])
    neighbour.position = mine
    neighbour.save(update_fields=["position"])
    member.position = theirs
    member.save(update_fields=["position"])


@transaction.atomic
def member_remove(*, member: WorkingGroupMember) -> None:
    _lock_group(member.group)
    member.delete()
