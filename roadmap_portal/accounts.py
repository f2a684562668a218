"""Password reset letters and the counters that limit them (kept in the Redis cache)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.core.cache import cache

HOUR = 3600


def within_limit(key: str, *, limit: int, seconds: int = HOUR) -> bool:
    """Count one more event under `key`; False once more than `limit` fall in the window.

    The window starts with the first event (a fixed window): `add` creates the counter with its
    expiry only if it is missing, `incr` is atomic in Redis.
    """
    cache.add(key, 0, timeout=seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=seconds)
        count = 1
    return count <= limit


def _email_key(email: str) -> str:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()
    return f"password-reset:email:{digest}"


def send_password_reset(*, email: str, domain: str, use_https: bool) -> int:
    """Send the reset letter to the active accounts with this address, at most
    `PASSWORD_RESET_MAILS_PER_HOUR` times an hour per address; return how many were sent."""
    if not within_limit(_email_key(email), limit=settings.PASSWORD_RESET_MAILS_PER_HOUR):
        return 0
    form = auth_forms.PasswordResetForm({"email": email})
    if not form.is_valid():
        return 0
    users = list(form.get_users(form.cleaned_data["email"]))
    form.save(domain_override=domain, use_https=use_https)
    return len(users)
