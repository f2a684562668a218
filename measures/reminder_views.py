"""Reminder pages: the person's preferences, the one-click unsubscribe, the letters sent and
the log of reminders of the municipalities one works for."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from measures import reminders
from measures.models import ReminderLetter
from measures.reminder_forms import LogFilterForm, ReminderSettingsForm
from roadmap_portal.forms import show_errors
from schools.models import Municipality
from schools.selectors import reviewed_municipalities

LOG_PAGE_SIZE = 50
LETTERS_PAGE_SIZE = 20
SIDE_LIST_SIZE = 20  # the weekly summaries and the failed letters under the log


@require_http_methods(["GET", "POST"])
def reminder_settings(request: HttpRequest) -> HttpResponse:
    user = request.user
    prefs = reminders.settings_of([user.pk])[user.pk]
    municipalities = reminders.summary_municipalities(user)
    substitutes = reminders.substitute_candidates(user, municipalities) if municipalities else None
    if request.method == "POST" and request.POST.get("action") == "bounce_clear":
        reminders.bounce_clear(user=user)
        messages.success(request, _("Письма снова будут приходить на этот адрес."))
        return redirect("measures:reminder_settings")
    form = ReminderSettingsForm(
        request.POST if request.method == "POST" else None, prefs=prefs, substitutes=substitutes
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                reminders.settings_save(
                    user=user,
                    offsets=data["offsets"],
                    overdue_every=data["overdue_every"],
                    hour=data["hour"],
                    paused_until=data["paused_until"],
                    digest_enabled=data["digest_enabled"],
                    weekly_enabled=data["weekly_enabled"] if form.shows_weekly else None,
                    weekly_substitute=data.get("weekly_substitute"),
                )
            except ValidationError as problem:
                show_errors(form, problem)
            else:
                messages.success(request, _("Настройки напоминаний сохранены."))
                return redirect("measures:reminder_settings")
        status = 400
    address = reminders.address_of(user)
    bounced = bool(
        address and prefs.bounced_address and prefs.bounced_address.lower() == address.lower()
    )
    return render(
        request,
        "measures/reminders_settings.html",
        {
            "form": form,
            "prefs": prefs,
            "address": address,
            "bounced": bounced,
            "is_coordinator": form.shows_weekly and reminders.is_coordinator(user.pk),
        },
        status=status,
    )


@login_not_required
@csrf_exempt  # RFC 8058: the mail provider POSTs without a cookie; the signed token authorises
@require_http_methods(["GET", "POST"])
def reminders_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    read = reminders.unsubscribe_read(token)
    user = None
    if read is not None:
        user = get_user_model().objects.filter(pk=read[0]).first()
    if user is None:
        return render(
            request,
            "measures/reminders_unsubscribe.html",
            {"bad_token": True},
            status=404,
        )
    kind = read[1]
    outcome = ""
    status = 200
    if request.method == "POST":
        outcome = reminders.unsubscribe(user_id=user.pk, kind=kind)
        if outcome == reminders.NEEDS_SUBSTITUTE:
            status = 409
    return render(
        request,
        "measures/reminders_unsubscribe.html",
        {
            "kind": kind,
            "outcome": outcome,
            "token": token,
        },
        status=status,
    )


def _municipality_ids(request: HttpRequest) -> list[int] | None:
    """The municipalities whose reminders the user reads: those whose people they work with,
    and whose contacts they see (schools.selectors.sees_contacts): its coordinators and working
    group. None for a superuser (all). The regional viewer, who reads the registry without
    contacts, does not read who was written to at which address."""
    if request.user.is_superuser:
        return None
    return list(reviewed_municipalities(request.user).values_list("pk", flat=True))


def reminder_log(request: HttpRequest) -> HttpResponse:
    ids = _municipality_ids(request)
    if ids == []:
        return render(
            request,
            "403.html",
            {
                "exception": _(
                    "Журнал напоминаний ведут координаторы и рабочая группа муниципалитета. "
                    "Свои письма о сроках вы найдёте на странице «Мои письма»."
                ),
                "next_url": reverse("measures:my_letters"),
                "next_label": _("Мои письма"),
            },
            status=403,
        )
    municipalities = Municipality.objects.order_by("name")
    if ids is not None:
        municipalities = municipalities.filter(pk__in=ids)
    choices = list(municipalities.values_list("pk", "name"))
    form = LogFilterForm(request.GET, municipalities=choices)
    form.is_valid()  # a wrong value is shown on its field; the rest applies
    filters = form.cleaned_data
    rows = reminders.log_rows(ids, filters)
    page = Paginator(rows, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    for reminder in page.object_list:
        letter = reminder.letter
        reminder.address = letter.address if letter and letter.address else ""
        reminder.address = reminder.address or reminders.address_of(reminder.user)
    letters = ReminderLetter.objects.select_related("user", "municipality").defer("body")
    if ids is not None:
        letters = reminders.letters_of(letters, ids)
    weekly = list(
        letters.filter(kind=ReminderLetter.Kind.WEEKLY).order_by("-day", "-pk")[:SIDE_LIST_SIZE]
    )
    failed = list(
        letters.filter(status=ReminderLetter.Status.FAILED).order_by("-day", "-pk")[:SIDE_LIST_SIZE]
    )
    filtered = any(
        filters.get(name)
        for name in ("status", "kind", "recipient", "school", "date_from", "date_to")
    ) or bool(filters.get("municipality"))
    return render(
        request,
        "measures/reminders_log.html",
        {
            "form": form,
            "page": page,
            "rows": page.object_list,
            "filtered": filtered,
            "health": reminders.health(ids),
            "weekly": weekly,
            "failed": failed,
            "several": len(choices) > 1,
        },
    )


def my_letters(request: HttpRequest) -> HttpResponse:
    letters = ReminderLetter.objects.filter(user=request.user).select_related("municipality")
    page = Paginator(letters.order_by("-day", "-pk"), LETTERS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "measures/reminders_mine.html",
        {"page": page, "letters": page.object_list},
    )
