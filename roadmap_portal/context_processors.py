"""What the header shows besides the user: «Моя школа» for directors, «На проверке (N)» for
those who review school reports."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def _navigation(request: HttpRequest) -> dict:
    cached = getattr(request, "_portal_navigation", None)
    if cached is None:
        from measures.worklists import navigation_counts

        cached = request._portal_navigation = navigation_counts(request.user)
    return cached


def navigation(request: HttpRequest) -> dict:
    """`nav.directs`, `nav.reviews`, `nav.queue`: read on first use in a template, once per
    request (one query), never for an anonymous visitor."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav": SimpleLazyObject(lambda: _navigation(request))}
