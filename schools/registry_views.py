"""The registry of a municipality: schools with their designations, mentor pairings with their
partnership agreements. Everyone who reads the municipality in full reads them (coordinators,
working group, regional viewer); its coordinators change them; directors and others get 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from measures.views import _conflict
from roadmap_portal.concurrency import StaleEdit
from roadmap_portal.forms import show_errors
from schools import registry, selectors
from schools.models import MentorPairing, Municipality, School
from schools.registry_forms import (
    AgreementForm,
    DesignationEndForm,
    DesignationForm,
    PairingEndForm,
    PairingForm,
    RegistryFilterForm,
    SchoolForm,
)

PAGE_SIZE = 50


def _change(request: HttpRequest, pk: int) -> Municipality:
    return registry.get_municipality_for_registry(request.user, pk, change=request.method == "POST")


# --- Schools ----------------------------------------------------------------------------------


def schools(request: HttpRequest, pk: int) -> HttpResponse:
    municipality = registry.get_municipality_for_registry(request.user, pk)
    form = RegistryFilterForm(request.GET, years=registry.designation_years(municipality))
    filters = form.cleaned_data if form.is_valid() else {}
    rows = registry.registry_schools(
        municipality, kind=filters.get("kind", ""), year=filters.get("year")
    )
    return render(
        request,
        "schools/registry/schools.html",
        {
            "municipality": municipality,
            "filter_form": form,
            "filtered": any(filters.values()),
            "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
            "nav_section": "registry_schools",
        },
    )


def _school_page(
    request: HttpRequest,
    municipality: Municipality,
    school: School,
    *,
    school_form: SchoolForm | None = None,
    designation_form: DesignationForm | None = None,
    end_form: DesignationEndForm | None = None,
    ending: int | None = None,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    can_change = selectors.coordinates(request.user, municipality.pk)
    designations = list(
        school.designations.select_related("basis_act__issuer").order_by("-year", "kind", "pk")
    )
    for designation in designations:  # each row's own «снять» form, the refused one as posted
        designation.end_form = (
            end_form
            if designation.pk == ending
            else DesignationEndForm(prefix=f"end-{designation.pk}")
        )
    template = "schools/registry/school.html"
    if request.htmx and request.method == "POST":
        template += "#designations"
    return render(
        request,
        template,
        {
            "municipality": municipality,
            "school": school,
            "designations": designations,
            "can_change": can_change,
            "school_form": school_form or SchoolForm(instance=school),
            "designation_form": designation_form
            or DesignationForm(municipality=municipality, prefix="designation"),
            "ending": ending,
            "notice": notice,
            "nav_section": "registry_schools",
        },
        status=status,
    )


def school(request: HttpRequest, pk: int, school_pk: int) -> HttpResponse:
    """A school's card: its basic data (a coordinator edits it here) and its designations."""
    municipality = _change(request, pk)
    school = registry.get_school_in(municipality, school_pk)
    if request.method != "POST":
        return _school_page(request, municipality, school)
    form = SchoolForm(request.POST, instance=school)
    if form.is_valid():
        try:
            registry.school_save(school=form.save(commit=False))
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("Данные школы сохранены."))
            return redirect("schools:registry_school", pk=pk, school_pk=school_pk)
    school = registry.get_school_in(municipality, school_pk)  # the heading as saved
    return _school_page(request, municipality, school, school_form=form, status=400)


@require_POST
def designation_add(request: HttpRequest, pk: int, school_pk: int) -> HttpResponse:
    municipality = _change(request, pk)
    school = registry.get_school_in(municipality, school_pk)
    form = DesignationForm(request.POST, municipality=municipality, prefix="designation")
    if form.is_valid():
        try:
            registry.designation_add(school=school, **form.cleaned_data)
        except ValidationError as error:
            show_errors(form, error)
        else:
            if request.htmx:
                return _school_page(request, municipality, school, notice=_("Категория добавлена."))
            messages.success(request, _("Категория добавлена."))
            return redirect("schools:registry_school", pk=pk, school_pk=school_pk)
    return _school_page(request, municipality, school, designation_form=form, status=400)


def designation_end(
    request: HttpRequest, pk: int, school_pk: int, designation_pk: int
) -> HttpResponse:
    """Take the school off a category from a date, with the reason (the row stays)."""
    municipality = registry.get_municipality_for_registry(request.user, pk, change=True)
    school = registry.get_school_in(municipality, school_pk)
    designation = registry.get_designation_in(school, designation_pk)
    form = DesignationEndForm(request.POST or None, prefix=f"end-{designation.pk}")
    if request.method == "POST" and form.is_valid():
        try:
            registry.designation_end(
                designation=designation,
                ended_on=form.cleaned_data["ended_on"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            if request.htmx:
                notice = _("Школа снята с категории.")
                return _school_page(request, municipality, school, notice=notice)
            messages.success(request, _("Школа снята с категории."))
            return redirect("schools:registry_school", pk=pk, school_pk=school_pk)
    return _school_page(
        request,
        municipality,
        school,
        end_form=form,
        ending=designation.pk,
        status=400 if form.errors else 200,
    )


# --- Mentor pairings --------------------------------------------------------------------------


def pairings(request: HttpRequest, pk: int) -> HttpResponse:
    """The municipality's pairings; its coordinators add one here."""
    municipality = _change(request, pk)
    form = PairingForm(request.POST or None, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        try:
            pairing = registry.pairing_save(
                pairing=form.save(commit=False), municipality=municipality
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("Пара добавлена. Внесите партнерское соглашение."))
            return redirect("schools:registry_agreement", pk=pk, pairing_pk=pairing.pk)
    rows = registry.pairings_in(municipality)
    return render(
        request,
        "schools/registry/pairings.html",
        {
            "municipality": municipality,
            "page": Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page")),
            "form": form,
            "can_change": selectors.coordinates(request.user, municipality.pk),
            "nav_section": "registry_pairings",
        },
        status=400 if form.errors else 200,
    )


def _pairing_page(
    request: HttpRequest,
    municipality: Municipality,
    pairing: MentorPairing,
    *,
    form: PairingForm | None = None,
    end_form: PairingEndForm | None = None,
    conflict: dict | None = None,
    status: int = 200,
) -> HttpResponse:
    agreement = registry.agreement_of(pairing)
    return render(
        request,
        "schools/registry/pairing.html",
        {
            "municipality": municipality,
            "pairing": pairing,
            "agreement": agreement,
            "can_change": selectors.coordinates(request.user, municipality.pk),
            "form": form or PairingForm(instance=pairing, municipality=municipality),
            "end_form": end_form or PairingEndForm(),
            "conflict": conflict,
            "nav_section": "registry_pairings",
        },
        status=status,
    )


def pairing(request: HttpRequest, pk: int, pairing_pk: int) -> HttpResponse:
    """A pairing with its agreement; its coordinators change the schools and the term here."""
    municipality = _change(request, pk)
    pairing = registry.get_pairing_in(municipality, pairing_pk)
    if request.method != "POST":
        return _pairing_page(request, municipality, pairing)
    form = PairingForm(request.POST, instance=pairing, municipality=municipality)
    if form.is_valid():
        try:
            registry.pairing_save(
                pairing=form.save(commit=False),
                municipality=municipality,
                expected_version=form.cleaned_data["version"],
            )
        except StaleEdit as stale:
            conflict = _conflict(form, stale, _pairing_values, what=_("Пару"))
            conflict["heading"] = _("Не сохранено: пару изменили, пока вы редактировали")
            pairing = registry.get_pairing_in(municipality, pairing_pk)
            return _pairing_page(
                request, municipality, pairing, form=form, conflict=conflict, status=409
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("Пара сохранена."))
            return redirect("schools:registry_pairing", pk=pk, pairing_pk=pairing_pk)
    pairing = registry.get_pairing_in(municipality, pairing_pk)
    return _pairing_page(request, municipality, pairing, form=form, status=400)


def _pairing_values(pairing: MentorPairing) -> dict[str, object]:
    """A pairing's fields of the form (the schools by pk, as posted); for `_conflict`."""
    return {"mentor": pairing.mentor_id, "supported": pairing.supported_id,
            "starts_on": pairing.starts_on, "ends_on": pairing.ends_on}  # fmt: skip


@require_POST
def pairing_end(request: HttpRequest, pk: int, pairing_pk: int) -> HttpResponse:
    municipality = registry.get_municipality_for_registry(request.user, pk, change=True)
    pairing = registry.get_pairing_in(municipality, pairing_pk)
    form = PairingEndForm(request.POST)
    if form.is_valid():
        try:
            registry.pairing_end(
                pairing=pairing, municipality=municipality, ends_on=form.cleaned_data["ends_on"]
            )
        except ValidationError as error:
            show_errors(form, error)
        else:
            messages.success(request, _("Пара завершена."))
            return redirect("schools:registry_pairing", pk=pk, pairing_pk=pairing_pk)
    return _pairing_page(request, municipality, pairing, end_form=form, status=400)


def agreement(request: HttpRequest, pk: int, pairing_pk: int) -> HttpResponse:
    """The pairing's partnership agreement: parties, term, number, date and subject items."""
    municipality = registry.get_municipality_for_registry(request.user, pk, change=True)
    pairing = registry.get_pairing_in(municipality, pairing_pk)
    current = registry.agreement_of(pairing)
    form = AgreementForm(request.POST or None, pairing=pairing, agreement=current)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            registry.agreement_save(
                pairing=pairing,
                number=data["number"],
                signed_on=data["signed_on"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                term_text=data["term_text"],
                mentor_director=data["mentor_director"],
                supported_director=data["supported_director"],
                items=form.items(),
            )
        except ValidationError as error:
            show_errors(form, error, fallback="standard_items")
        else:
            messages.success(request, _("Партнёрское соглашение сохранено."))
            return redirect("schools:registry_pairing", pk=pk, pairing_pk=pairing_pk)
    return render(
        request,
        "schools/registry/agreement.html",
        {
            "municipality": municipality,
            "pairing": pairing,
            "agreement": current,
            "form": form,
            "nav_section": "registry_pairings",
        },
        status=400 if form.errors else 200,
    )
