from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import ProtectedError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from roadmap_portal.forms import show_errors
from schools import selectors, services
from schools.forms import (
    AppointForm,
    MemberAddForm,
    MemberForm,
    OrganisationForm,
    PersonForm,
    SearchForm,
    WorkingGroupForm,
)
from schools.models import Municipality, Organisation, Person, WorkingGroup

PAGE_SIZE = 50  # rows of a list page


def people(request: HttpRequest, pk: int) -> HttpResponse:
    """Everyone who reads the municipality sees its people; its coordinators appoint."""
    if request.method == "POST":
        municipality = selectors.get_municipality_for_coordination(request.user, pk)
    else:
        municipality = selectors.get_municipality_for_user(request.user, pk)
    can_appoint = selectors.coordinates(request.user, pk)
    form = AppointForm(request.POST or None, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        target = data["school"] if data["role"] == "director" else municipality
        services.appoint(user=data["username"], role=data["role"], target=target, by=request.user)
        messages.success(request, _("Назначение сохранено."))
        return redirect("schools:people", pk=pk)
    return render(
        request,
        "schools/people.html",
        {
            "municipality": municipality,
            "page": Paginator(selectors.appointments_in(municipality), PAGE_SIZE).get_page(
                request.GET.get("page")
            ),
            "form": form,
            "can_appoint": can_appoint,
            "sees_contacts": can_appoint
            or selectors.sees_contacts(request.user, municipality=municipality),
            "tab": "people",
        },
        status=400 if form.errors else 200,
    )


def appointment_remove(request: HttpRequest, pk: int, appointment_pk: int) -> HttpResponse:
    """A confirmation page (GET), then the removal (POST); the last coordinator stays."""
    municipality = selectors.get_municipality_for_coordination(request.user, pk)
    appointment = selectors.appointments_in(municipality).filter(pk=appointment_pk).first()
    if appointment is None:
        raise Http404("Назначение не найдено")
    error = ""
    if request.method == "POST":
        try:
            services.remove_appointment(appointment=appointment)
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            messages.success(request, _("Назначение снято, права отозваны."))
            return redirect("schools:people", pk=pk)
    return render(
        request,
        "schools/appointment_remove.html",
        {"municipality": municipality, "appointment": appointment, "error": error},
        status=400 if error else 200,
    )


def school_people(request: HttpRequest, pk: int) -> HttpResponse:
    school = selectors.get_school_for_user(request.user, pk)
    people = school.people.select_related("user").order_by("short_name", "pk")
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    contacts = selectors.sees_contacts(
        request.user, municipality=school.municipality, school=school
    )
    return render(
        request,
        "schools/school_people.html",
        {"school": school, "page": page, "sees_contacts": contacts},
    )


# --- The registry of a municipality: people, organisations, the working group ---------------


def registry(request: HttpRequest) -> HttpResponse:
    """The navigation's «Реестр»: the user's municipality, or a choice among several."""
    municipalities = list(selectors.visible_municipalities(request.user).order_by("name")[:501])
    if not municipalities:
        raise Http404("Нет муниципалитетов, реестр которых вам доступен")
    if len(municipalities) == 1:
        return redirect("schools:registry_schools", pk=municipalities[0].pk)
    return render(request, "schools/registry.html", {"municipalities": municipalities})


def _registry_context(request: HttpRequest, municipality: Municipality, tab: str) -> dict:
    return {
        "municipality": municipality,
        "tab": tab,
        "can_change": selectors.coordinates(request.user, municipality.pk),
    }


def person_list(request: HttpRequest, pk: int) -> HttpResponse:
    municipality = selectors.get_municipality_for_user(request.user, pk)
    search = SearchForm(request.GET)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    people = selectors.persons_in(municipality, query)
    return render(
        request,
        "schools/person_list.html",
        {
            **_registry_context(request, municipality, "persons"),
            "search": search,
            "query": query,
            "page": Paginator(people, PAGE_SIZE).get_page(request.GET.get("page")),
            "sees_contacts": selectors.sees_contacts(request.user, municipality=municipality),
        },
    )


def person_detail(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    person = selectors.get_person_for_user(request.user, pk, person_pk)
    municipality = person.municipality
    appointments = (
        selectors.appointments_in(municipality).filter(user=person.user_id)
        if person.user_id
        else []
    )
    return render(
        request,
        "schools/person_detail.html",
        {
            **_registry_context(request, municipality, "persons"),
            "person": person,
            "appointments": appointments,
            "memberships": person.memberships.select_related("group").order_by("-group__year"),
            "measures": person.measures.filter(roadmap__municipality=municipality)
            .select_related("roadmap")
            .order_by("-roadmap__starts_on", "position"),
            "sees_contacts": selectors.sees_contacts(request.user, municipality=municipality),
        },
    )


def _person_form(request: HttpRequest, pk: int, person: Person | None) -> HttpResponse:
    municipality = selectors.get_municipality_for_coordination(request.user, pk)
    form = PersonForm(request.POST or None, instance=person, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.record_save(obj=form.save(commit=False))
        except ValidationError as problem:
            show_errors(form, problem)
        else:
            messages.success(request, _("Сотрудник «%(name)s» сохранён.") % {"name": saved})
            return redirect("schools:person_detail", pk=pk, person_pk=saved.pk)
    return render(
        request,
        "schools/person_form.html",
        {**_registry_context(request, municipality, "persons"), "form": form, "person": person},
        status=400 if form.errors else 200,
    )


def person_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _person_form(request, pk, None)


def person_edit(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    selectors.get_municipality_for_coordination(request.user, pk)
    return _person_form(request, pk, selectors.get_person_for_user(request.user, pk, person_pk))


def _delete_page(
    request: HttpRequest, municipality: Municipality, obj: Person | Organisation, **context: Any
) -> HttpResponse | None:
    """On POST: delete through the service; None when it went, else the confirmation page
    (GET, or a refused POST with what holds the row) is returned."""
    error = ""
    if request.method == "POST":
        try:
            services.record_delete(obj=obj)
        except ProtectedError as protected:
            held_by = sorted({str(row._meta.verbose_name) for row in protected.protected_objects})
            error = _(
                "Удалить нельзя: на запись ссылаются — %(rows)s. Сначала уберите эти связи."
            ) % {"rows": ", ".join(held_by)}
        else:
            return None
    return render(
        request,
        "schools/record_delete.html",
        {
            **_registry_context(request, municipality, context.pop("tab")),
            "obj": obj,
            "error": error,
            **context,
        },
        status=400 if error else 200,
    )


def person_delete(request: HttpRequest, pk: int, person_pk: int) -> HttpResponse:
    municipality = selectors.get_municipality_for_coordination(request.user, pk)
    person = selectors.get_person_for_user(request.user, pk, person_pk)
    page = _delete_page(
        request,
        municipality,
        person,
        tab="persons",
        consequences=selectors.person_delete_consequences(person),
        back=reverse("schools:person_detail", args=[pk, person.pk]),
    )
    if page is None:
        messages.success(request, _("Сотрудник «%(name)s» удалён из реестра.") % {"name": person})
        return redirect("schools:person_list", pk=pk)
    return page


def organisation_list(request: HttpRequest, pk: int) -> HttpResponse:
    municipality = selectors.get_municipality_for_user(request.user, pk)
    search = SearchForm(request.GET)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    organisations = selectors.organisations_in(municipality, query)
    return render(
        request,
        "schools/organisation_list.html",
        {
            **_registry_context(request, municipality, "organisations"),
            "search": search,
            "query": query,
            "page": Paginator(organisations, PAGE_SIZE).get_page(request.GET.get("page")),
        },
    )


def _own_organisation(request: HttpRequest, pk: int, organisation_pk: int) -> Organisation:
    """An organisation of the municipality itself: regional and federal bodies are not the
    municipality's to change (403, they are shown read-only)."""
    organisation = selectors.get_organisation_for_user(request.user, pk, organisation_pk)
    if organisation.municipality_id != pk:
        raise PermissionDenied(_("Эту организацию ведёт не муниципалитет, а регион или федерация."))
    return organisation


def _organisation_form(
    request: HttpRequest, pk: int, organisation: Organisation | None
) -> HttpResponse:
    municipality = selectors.get_municipality_for_coordination(request.user, pk)
    form = OrganisationForm(request.POST or None, instance=organisation, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.record_save(obj=form.save(commit=False))
        except ValidationError as problem:
            show_errors(form, problem)
        else:
            messages.success(request, _("Организация «%(name)s» сохранена.") % {"name": saved})
            return redirect("schools:organisation_list", pk=pk)
    return render(
        request,
        "schools/organisation_form.html",
        {
            **_registry_context(request, municipality, "organisations"),
            "form": form,
            "organisation": organisation,
        },
        status=400 if form.errors else 200,
    )


def organisation_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _organisation_form(request, pk, None)


def organisation_edit(request: HttpRequest, pk: int, organisation_pk: int) -> HttpResponse:
    selectors.get_municipality_for_coordination(request.user, pk)
    return _organisation_form(request, pk, _own_organisation(request, pk, organisation_pk))


def organisation_delete(request: HttpRequest, pk: int, organisation_pk: int) -> HttpResponse:
    municipality = selectors.get_municipality_for_coordination(request.user, pk)
    organisation = _own_organisation(request, pk, organisation_pk)
    page = _delete_page(
        request,
        municipality,
        organisation,
        tab="organisations",
        consequences=selectors.organisation_delete_consequences(organisation),
        back=reverse("schools:organisation_list", args=[pk]),
    )
    if page is None:
        messages.success(request, _("Организация «%(name)s» удалена.") % {"name": organisation})
        return redirect("schools:organisation_list", pk=pk)
    return page


# --- The working group ----------------------------------------------------------------------


def _working_group_page(
    request: HttpRequest,
    municipality: Municipality,
    *,
    year: int | None = None,
    bound: dict | None = None,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    """The groups by year, the chosen one (`year`, else `?year=`, else the newest) with its
    members; `bound` holds a submitted form with its errors, by name, to show in its place."""
    bound = bound or {}
    groups = list(selectors.working_groups_in(municipality))
    if year is None and request.GET.get("year", "").isdecimal():
        year = int(request.GET["year"])
    group = next((g for g in groups if g.year == year), groups[0] if groups else None)
    context = _registry_context(request, municipality, "working_group")
    if context["can_change"]:
        context["new_group_form"] = bound.get("new_group") or WorkingGroupForm(
            municipality=municipality, prefix="new"
        )
        if group is not None:
            context["group_form"] = bound.get("group") or WorkingGroupForm(
                instance=group, municipality=municipality
            )
            context["member_add_form"] = bound.get("member_add") or MemberAddForm(group=group)
            for member in group.memberships.all():
                member.form = bound.get(f"member-{member.pk}") or MemberForm(
                    initial={"role": member.role, "position_text": member.position_text},
                    prefix=f"m{member.pk}",
                )
    return render(
        request,
        "schools/working_group.html",
        {**context, "groups": groups, "group": group, "notice": notice},
        status=status,
    )


def _after_member_change(
    request: HttpRequest, municipality: Municipality, group: WorkingGroup, notice: str
) -> HttpResponse:
    """htmx: the page again (it swaps the group's part in place); without JS: a redirect."""
    if request.htmx:
        return _working_group_page(request, municipality, year=group.year, notice=notice)
    messages.success(request, notice)
    return redirect(f"{reverse('schools:working_group', args=[municipality.pk])}?year={group.year}")


def working_group(request: HttpRequest, pk: int) -> HttpResponse:
    return _working_group_page(request, selectors.get_municipality_for_user(request.user, pk))


@require_POST
def working_group_add(request: HttpRequest, pk: int) -> HttpResponse:
    municipality = selectors.get_municipality_for_coordination(request.user, pk)
    form = WorkingGroupForm(request.POST, municipality=municipality, prefix="new")
    if form.is_valid():
        try:
            group = services.record_save(obj=form.save(commit=False))
        except ValidationError as problem:
            show_errors(form, problem)
        else:
            messages.success(
                request, _("Рабочая группа на %(year)s год создана.") % {"year": group.year}
            )
            return redirect(f"{reverse('schools:working_group', args=[pk])}?year={group.year}")
    return _working_group_page(request, municipality, bound={"new_group": form}, status=400)


@require_POST
def working_group_edit(request: HttpRequest, pk: int, group_pk: int) -> HttpResponse:
    municipality = selectors.get_municipality_for_coordination(request.user, pk)
    group = get_object_or_404(WorkingGroup, municipality=municipality, pk=group_pk)
    year = group.year
    form = WorkingGroupForm(request.POST, instance=group, municipality=municipality)
    if form.is_valid():
        try:
            group = services.record_save(obj=form.save(commit=False))
        except ValidationError as problem:
            show_errors(form, problem)
        else:
            messages.success(request, _("Рабочая группа сохранена."))
            return redirect(f"{reverse('schools:working_group', args=[pk])}?year={group.year}")
    return _working_group_page(request, municipality, year=year, bound={"group": form}, status=400)


@require_POST
def member_add(request: HttpRequest, pk: int, group_pk: int) -> HttpResponse:
    municipality = selectors.get_municipality_for_coordination(request.user, pk)
    group = get_object_or_404(WorkingGroup, municipality=municipality, pk=group_pk)
    form = MemberAddForm(request.POST, group=group)
    if form.is_valid():
        try:
            member = services.member_add(group=group, **form.cleaned_data)
        except ValidationError as problem:
            show_errors(form, problem)
        else:
            notice = _("%(person)s добавлен(а) в состав: %(role)s.") % {
                "person": member.person,
                "role": member.get_role_display().lower(),
            }
            return _after_member_change(request, municipality, group, notice)
    return _working_group_page(
        request, municipality, year=group.year, bound={"member_add": form}, status=400
    )


@require_POST
def member_edit(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    member = selectors.get_member_for_user(request.user, pk, member_pk)
    municipality = selectors.get_municipality_for_coordination(request.user, pk)
    form = MemberForm(request.POST, prefix=f"m{member.pk}")
    if form.is_valid():
        try:
            services.member_change(member=member, **form.cleaned_data)
        except ValidationError as problem:
            show_errors(form, problem)
        else:
            notice = _("Роль и должность %(person)s сохранены.") % {"person": member.person}
            return _after_member_change(request, municipality, member.group, notice)
    return _working_group_page(
        request,
        municipality,
        year=member.group.year,
        bound={f"member-{member.pk}": form},
        status=400,
    )


@require_POST
def member_move(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    member = selectors.get_member_for_user(request.user, pk, member_pk)
    municipality = selectors.get_municipality_for_coordination(request.user, pk)
    up = request.POST.get("direction") != "down"
    services.member_move(member=member, up=up)
    notice = (_("%(person)s — выше в списке.") if up else _("%(person)s — ниже в списке.")) % {
        "person": member.person
    }
    return _after_member_change(request, municipality, member.group, notice)


def member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    """A confirmation page (GET), then the removal from the group (POST)."""
    member = selectors.get_member_for_user(request.user, pk, member_pk)
    municipality = selectors.get_municipality_for_coordination(request.user, pk)
    if request.method == "POST":
        services.member_remove(member=member)
        messages.success(
            request,
            _("%(person)s выведен(а) из состава рабочей группы.") % {"person": member.person},
        )
        return redirect(f"{reverse('schools:working_group', args=[pk])}?year={member.group.year}")
    return render(
        request,
        "schools/member_remove.html",
        {**_registry_context(request, municipality, "working_group"), "member": member},
    )
