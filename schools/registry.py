"""The registry pages of a municipality: its schools with their designations, and the mentor
pairings with their partnership agreements. Reads (one access helper per model, querysets
scoped to the municipality) and writes (services under the tenant rules of `services`)."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from roadmap_portal.concurrency import save_versioned
from schools.models import (
    AgreementItem,
    MentorPairing,
    Municipality,
    Organisation,
    PartnershipAgreement,
    Person,
    School,
    SchoolDesignation,
)
from schools.services import check_record, record_save

# The subject items of the standard partnership agreement, in the order of the form
STANDARD_AGREEMENT_ITEMS = [
    gettext_lazy(
        "Консультации руководителя поддерживаемой школы по вопросам управления качеством "
        "образования"
    ),
    gettext_lazy(
        "Консультации заместителя руководителя поддерживаемой школы по вопросам оценки "
        "образовательных результатов"
    ),
    gettext_lazy("Тьюторское сопровождение учителей поддерживаемой школы"),
    gettext_lazy("Совместное использование учебного и лабораторного оборудования"),
    gettext_lazy("Проведение совместных методических семинаров и открытых уроков"),
    gettext_lazy("Работа совместных методических объединений учителей"),
    gettext_lazy(
        "Закрепление наставников (тьюторов) из числа учителей высшей и первой квалификационной "
        "категории за учителями поддерживаемой школы"
    ),
]


# --- Reads ----------------------------------------------------------------------------------


def registry_schools(
    municipality: Municipality, *, kind: str = "", year: int | None = None
) -> QuerySet[School]:
    """The municipality's schools with their designations (newest year first), those with a
    designation of `kind` and/or `year` when given."""
    schools = municipality.schools.select_related("director")
    if kind or year:
        match = SchoolDesignation.objects.filter(school=OuterRef("pk"))
        if kind:
            match = match.filter(kind=kind)
        if year:
            match = match.filter(year=year)
        schools = schools.filter(Exists(match))
    designations = SchoolDesignation.objects.order_by("-year", "kind", "pk")
    return schools.prefetch_related(Prefetch("designations", queryset=designations)).order_by(
        "short_name", "pk"
    )


def designation_years(municipality: Municipality) -> list[int]:
    return list(
        SchoolDesignation.objects.filter(school__municipality=municipality)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def get_school_in(municipality: Municipality, pk: int) -> School:
    """A school of the municipality (the caller has checked the user may read it), or 404."""
    school = municipality.schools.select_related("director", "municipality").filter(pk=pk).first()
    if school is None:
        raise Http404("Школа не найдена")
    return school


def get_designation_in(school: School, pk: int) -> SchoolDesignation:
    designation = school.designations.filter(pk=pk).first()
    if designation is None:
        raise Http404("Категория не найдена")
    return designation


def acts_for_designation(municipality: Municipality) -> QuerySet:
    """Acts a designation of the municipality's school may rest on: its own, its region's
    bodies' (regional orders) and federal ones (the federal lists)."""
    from measures.models import LegalAct

    regional = Q(issuer__kind=Organisation.Kind.REGIONAL_BODY) & (
        Q(issuer__region_id=municipality.region_id)
        | Q(issuer__municipality__region_id=municipality.region_id)
    )
    return (
        LegalAct.objects.filter(
            Q(municipality=municipality) | Q(issuer__kind=Organisation.Kind.FEDERAL_BODY) | regional
        )
        .select_related("issuer")
        .order_by("-date", "pk")
    )


def pairings_in(municipality: Municipality) -> QuerySet[MentorPairing]:
    """The pairings whose supported school is the municipality's (the municipality arranges
    the help), with their agreement."""
    return (
        MentorPairing.objects.filter(supported__municipality=municipality)
        .select_related("mentor", "supported", "agreement")
        .order_by("-starts_on", "supported__short_name", "pk")
    )


def get_pairing_in(municipality: Municipality, pk: int) -> MentorPairing:
    pairing = (
        pairings_in(municipality)
        .select_related(
            "mentor__municipality",
            "supported__municipality",
            "mentor__director",
            "supported__director",
            "agreement__mentor_director",
            "agreement__supported_director",
        )
        .prefetch_related("agreement__items")
        .filter(pk=pk)
        .first()
    )
    if pairing is None:
        raise Http404("Пара не найдена")
    return pairing


def agreement_of(pairing: MentorPairing) -> PartnershipAgreement | None:
    try:
        return pairing.agreement
    except PartnershipAgreement.DoesNotExist:
        return None


# --- Writes ---------------------------------------------------------------------------------


@transaction.atomic
def school_save(*, school: School) -> School:
    """A school's basic data (name, short name, address, director) under the tenant rules."""
    return record_save(obj=school)


@transaction.atomic
def designation_add(
    *, school: School, kind: str, year: int, basis: str = "", basis_act: Any = None
) -> SchoolDesignation:
    """Name the school as of `kind` in `year`, on a basis: the text of the order or list, the
    act itself, or both (with only the act, its name is the text)."""
    basis = basis.strip()
    if not basis and basis_act is None:
        raise ValidationError(
            {"basis": _("Укажите основание: текст приказа или перечня, или выберите документ.")}
        )
    if SchoolDesignation.objects.filter(school=school, kind=kind, year=year).exists():
        raise ValidationError(
            {"kind": _("Школа уже отнесена к этой категории в %(year)s году.") % {"year": year}}
        )
    designation = SchoolDesignation(
        school=school,
        kind=kind,
        year=year,
        basis=basis or f"{basis_act}: {basis_act.title}",
        basis_act=basis_act,
    )
    return record_save(obj=designation)


@transaction.atomic
def designation_end(
    *, designation: SchoolDesignation, ended_on: datetime.date, reason: str
) -> SchoolDesignation:
    """The school leaves the category from `ended_on`; the row stays, for the history and for
    the roadmaps of the years it was in force."""
    designation = SchoolDesignation.objects.select_for_update().get(pk=designation.pk)
    errors = {}
    if designation.ended_on is not None:
        errors["ended_on"] = _("Школа уже снята с этой категории.")
    elif ended_on < datetime.date(designation.year, 1, 1):
        errors["ended_on"] = _(
            "Дата снятия — раньше года, на который школа отнесена (%(year)s)."
        ) % {"year": designation.year}
    if not reason.strip():
        errors["reason"] = _("Укажите причину снятия.")
    if errors:
        raise ValidationError(errors)
    designation.ended_on = ended_on
    designation.end_reason = reason.strip()
    check_record(designation)
    # only the end is written: a row loaded without its basis text (older data) still ends
    designation.save(update_fields=["ended_on", "end_reason"])
    return designation


def _pairing_problems(pairing: MentorPairing, municipality: Municipality) -> dict[str, str]:
    problems = {}
    if pairing.supported.municipality_id != municipality.pk:
        problems["supported"] = _("Поддерживаемая школа — не из этого муниципалитета.")
    if pairing.mentor_id == pairing.supported_id:
        problems["mentor"] = _("Школа не может быть наставником самой себе.")
    if pairing.starts_on and pairing.ends_on and pairing.ends_on < pairing.starts_on:
        problems["ends_on"] = _("Окончание — раньше начала.")
    same = MentorPairing.objects.filter(
        mentor=pairing.mentor_id, supported=pairing.supported_id, starts_on=pairing.starts_on
    ).exclude(pk=pairing.pk)
    if not problems and same.exists():
        problems["starts_on"] = _("Такая пара с этой даты начала уже есть.")
    return problems


@transaction.atomic
def pairing_save(
    *, pairing: MentorPairing, municipality: Municipality, expected_version: int | None = None
) -> MentorPairing:
    """Add or change a pairing of the municipality: its supported school is the
    municipality's, the mentor another school of the same region, dates in order.
    StaleEdit (nothing saved) when someone changed it after `expected_version`."""
    if problems := _pairing_problems(pairing, municipality):
        raise ValidationError(problems)
    if pairing.pk is None:
        return record_save(obj=pairing)
    check_record(pairing)
    pairing.full_clean()
    return save_versioned(pairing, expected_version)


@transaction.atomic
def pairing_end(
    *, pairing: MentorPairing, municipality: Municipality, ends_on: datetime.date
) -> MentorPairing:
    """The pairing stops at `ends_on` (not before it started, not later than planned)."""
    pairing = (
        MentorPairing.objects.select_for_update().select_related("supported").get(pk=pairing.pk)
    )
    if ends_on < pairing.starts_on:
        raise ValidationError({"ends_on": _("Окончание — раньше начала пары.")})
    if ends_on > pairing.ends_on:
        raise ValidationError(
            {"ends_on": _("Пара и так заканчивается раньше: %(date)s.")
             % {"date": pairing.ends_on.strftime("%d.%m.%Y")}}
        )  # fmt: skip
    pairing.ends_on = ends_on
    return pairing_save(pairing=pairing, municipality=municipality)


@transaction.atomic
def agreement_save(
    *,
    pairing: MentorPairing,
    number: str,
    signed_on: datetime.date,
    starts_on: datetime.date,
    ends_on: datetime.date,
    term_text: str,
    mentor_director: Person,
    supported_director: Person,
    items: list[str],
) -> PartnershipAgreement:
    """Write the pairing's partnership agreement and its subject items, in the given order
    (the items replace the ones it had)."""
    items = [text.strip() for text in items if text.strip()]
    errors = {}
    if ends_on < starts_on:
        errors["ends_on"] = _("«Действует по» — раньше «действует с».")
    if signed_on > ends_on:
        errors["signed_on"] = _("Соглашение подписано после окончания его срока.")
    if not items:
        errors["items"] = _("Отметьте или впишите хотя бы один пункт предмета соглашения.")
    if mentor_director.pk == supported_director.pk:
        errors["supported_director"] = _("У двух школ — один и тот же руководитель.")
    if errors:
        raise ValidationError(errors)
    agreement = agreement_of(pairing) or PartnershipAgreement(pairing=pairing)
    agreement.number = number.strip()
    agreement.signed_on = signed_on
    agreement.starts_on = starts_on
    agreement.ends_on = ends_on
    agreement.term_text = term_text.strip()
    agreement.mentor_director = mentor_director
    agreement.supported_director = supported_director
    agreement = record_save(obj=agreement)
    agreement.items.all().delete()
    AgreementItem.objects.bulk_create(
        AgreementItem(agreement=agreement, position=position, text=text)
        for position, text in enumerate(items, start=1)
    )
    return agreement


def get_municipality_for_registry(user: Any, pk: int, *, change: bool = False) -> Municipality:
    """The municipality whose registry the user reads in full (its coordinators, working
    group, the regional viewer), or 404; with `change`, 403 unless they coordinate it."""
    from django.core.exceptions import PermissionDenied

    from schools import selectors

    municipality = selectors.get_municipality_for_user(user, pk)
    if change and not selectors.coordinates(user, municipality.pk):
        raise PermissionDenied(_("Изменять реестр может только координатор муниципалитета."))
    return municipality
