"""Password reset that tells nobody who has an account, and lockouts a reset lifts.

The reset form answers the same way, in the same time, for a known and an unknown address: the
request only counts the client (`PASSWORD_RESET_REQUESTS_PER_ADDRESS_PER_HOUR`) and enqueues
`send_password_reset_mail`; the worker looks the address up and sends at most
`PASSWORD_RESET_MAILS_PER_HOUR` letters an hour to it.
"""

from __future__ import annotations

from axes.helpers import get_client_ip_address
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from roadmap_portal.accounts import within_limit
from roadmap_portal.tasks import send_password_reset_mail
from schools.selectors import director_schools


class PasswordResetView(auth_views.PasswordResetView):
    """The same answer for every address: count the client, enqueue, redirect."""

    def form_valid(self, form: auth_forms.PasswordResetForm) -> HttpResponse:
        address = get_client_ip_address(self.request) or "unknown"
        if not within_limit(
            f"password-reset:address:{address}",
            limit=settings.PASSWORD_RESET_REQUESTS_PER_ADDRESS_PER_HOUR,
        ):
            form.add_error(
                None, _("Слишком много запросов с вашего адреса. Попробуйте снова через час.")
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        send_password_reset_mail.delay_on_commit(
            form.cleaned_data["email"], self.request.get_host(), self.request.is_secure()
        )
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A new password set through the letter also lifts the lockouts of that username."""

    def form_valid(self, form: auth_forms.SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        axes_reset(username=form.user.get_username())
        return response


class LogoutView(auth_views.LogoutView):
    """Logout that says so on the login page it leads to."""

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("Вы вышли из портала."))
        return response


def home(request: HttpRequest) -> HttpResponse:
    """Where a signed-in user lands: a director on «Моя школа», everyone else on the roadmap
    list; a safe `?next=` wins."""
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return HttpResponseRedirect(target)
    if director_schools(request.user).exists():
        return redirect("measures:my_school")
    return redirect("measures:roadmap_list")
