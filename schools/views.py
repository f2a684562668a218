from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from schools import selectors, services
from schools.forms import AppointForm

PAGE_SIZE = 50  # rows of a list page


def people(request: HttpRequest, pk: int) -> HttpResponse:
    """Everyone who reads the municipality sees its people; its coordinators appoint."""
    if request.method == "POST":
        municipality = selectors.get_municipality_for_coordination(request.user, pk)
    else:
        municipality = selectors.get_municipality_for_user(request.user, pk)
    can_appoint = selectors.coordinated_municipalities(request.user).filter(pk=pk).exists()
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
        },
        status=400 if form.errors else 200,
    )


@require_POST
def appointment_remove(request: HttpRequest, pk: int, appointment_pk: int) -> HttpResponse:
    municipality = selectors.get_municipality_for_coordination(request.user, pk)
    appointment = selectors.appointments_in(municipality).filter(pk=appointment_pk).first()
    if appointment is None:
        raise Http404("Назначение не найдено")
    services.remove_appointment(appointment=appointment)
    messages.success(request, _("Назначение снято, права отозваны."))
    return redirect("schools:people", pk=pk)


def school_people(request: HttpRequest, pk: int) -> HttpResponse:
    school = selectors.get_school_for_user(request.user, pk)
    people = school.people.select_related("user").order_by("short_name", "pk")
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "schools/school_people.html", {"school": school, "page": page})
