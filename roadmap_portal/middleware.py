import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

LOGIN_AT = "portal_login_at"
SEEN_AT = "portal_seen_at"


def session_limits(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """End a session after an idle time and after an absolute lifetime since login."""
    idle = settings.SESSION_IDLE_TIMEOUT.total_seconds()
    lifetime = settings.SESSION_ABSOLUTE_LIFETIME.total_seconds()

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            login_at = request.session.get(LOGIN_AT)
            seen_at = request.session.get(SEEN_AT)
            if login_at is None:
                request.session[LOGIN_AT] = login_at = now
            if now - login_at > lifetime or (seen_at is not None and now - seen_at > idle):
                logout(request)
                messages.info(request, _("Сеанс завершён по времени. Войдите снова."))
                return redirect_to_login(request.get_full_path())
            if seen_at is None or now - seen_at > 60:  # one session write a minute at most
                request.session[SEEN_AT] = now
        return get_response(request)

    return middleware


def request_body_limit(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """Answer 413 before any byte of a body larger than allowed is read (or spooled to disk).

    The limit is REQUEST_BODY_MAX_ANONYMOUS for a visitor who is not signed in (the login and
    password forms are small), REQUEST_BODY_MAX for a signed-in user, REQUEST_BODY_MAX_LARGE
    for the URLs named in REQUEST_BODY_LARGE_URLS (the import upload) and
    REQUEST_BODY_MAX_EVIDENCE for those in REQUEST_BODY_EVIDENCE_URLS (the report form with its
    evidence files). A name that no URL has is simply never matched. It must come after the
    authentication middleware and before anything that reads request.POST (CSRF). A body
    without Content-Length (chunked) is never read by Django; the proxy limits it.
    """
    anonymous = settings.REQUEST_BODY_MAX_ANONYMOUS
    signed_in = settings.REQUEST_BODY_MAX
    by_url = {name: settings.REQUEST_BODY_MAX_LARGE for name in settings.REQUEST_BODY_LARGE_URLS}
    by_url.update(
        {name: settings.REQUEST_BODY_MAX_EVIDENCE for name in settings.REQUEST_BODY_EVIDENCE_URLS}
    )

    def middleware(request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > anonymous:
            limit = signed_in if request.user.is_authenticated else anonymous
            if length > limit and request.user.is_authenticated:
                try:
                    view_name = resolve(request.path_info).view_name
                except Resolver404:
                    view_name = None
                limit = by_url.get(view_name, limit)
            if length > limit:
                return too_large(request, limit)
        return get_response(request)

    return middleware


def too_large(request: HttpRequest, limit: int) -> HttpResponse:
    if limit >= 1024 * 1024:
        megabytes = f"{limit / 1024 / 1024:.1f}".removesuffix(".0").replace(".", ",")
        size = _("%(size)s МБ") % {"size": megabytes}
    else:
        size = _("%(size)s КБ") % {"size": limit // 1024}
    # No «Connection: close» here: WSGI forbids hop-by-hop headers (runserver answers 500 to
    # them); the servers close a connection whose body was not read on their own.
    return render(request, "413.html", {"limit": size}, status=413)


def no_store(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable:
    """Responses to signed-in users and every download carry `Cache-Control: no-store`: they
    hold personal data that no browser or proxy cache should keep. Static files are served
    before this middleware and keep their long caching."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        download = response.get("Content-Disposition", "").startswith("attachment")
        if request.user.is_authenticated or download:
            add_never_cache_headers(response)
        return response

    return middleware
