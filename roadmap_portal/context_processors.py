"""What the header shows besides the user: «Моя школа» for directors, «На проверке (N)» for
those who review school reports, and who the user is here: «Координатор · Черекский район»."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

# the role as the header names it: short, the place follows
ROLE_LABELS = {
    "coordinator": lambda: _("Координатор"),
    "working_group": lambda: _("Рабочая группа"),
    "director": lambda: _("Директор"),
    "regional_viewer": lambda: _("Наблюдатель"),
}


def role_label(values: dict, *, superuser: bool = False) -> str:
    """«Координатор · Черекский район», «и ещё 2» after it for more appointments;
    «Администратор» for a superuser without one; "" for a user without a role."""
    role = values.get("role")
    if not role:
        return _("Администратор") if superuser else ""
    place = (values.get("place") or "").replace(" муниципальный район", " район")
    label = f"{ROLE_LABELS[role]()} · {place}" if place else ROLE_LABELS[role]()
    more = values.get("appointment_count", 1) - 1
    if more > 0:
        label += " " + _("и ещё %(n)s") % {"n": more}
    return label


def _navigation(request: HttpRequest) -> dict:
    cached = getattr(request, "_portal_navigation", None)
    if cached is None:
        from measures.worklists import navigation_counts

        cached = request._portal_navigation = navigation_counts(request.user)
        cached["role_label"] = role_label(cached, superuser=request.user.is_superuser)
    return cached


def navigation(request: HttpRequest) -> dict:
    """`nav.directs`, `nav.reviews`, `nav.queue`, `nav.role_label`: read on first use in a
    template, once per request (one query), never for an anonymous visitor."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav": SimpleLazyObject(lambda: _navigation(request))}
