from __future__ import annotations

import os

import pytest

from roadmap_portal.demo import load_demo

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API with live_server


def pytest_configure(config: pytest.Config) -> None:
    """Settings for the whole test session (the live server thread reads them once)."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The manifest and STATIC_ROOT need collectstatic; tests serve the source files instead.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_AUTOREFRESH = True
    settings.WHITENOISE_USE_FINDERS = True


@pytest.fixture
def demo(db):
    return load_demo()


@pytest.fixture(autouse=True)
def _own_cache_keys(settings):
    """Each test counts in its own keys of the Redis cache (nothing to flush, nothing shared)."""
    from uuid import uuid4

    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid4().hex}"}
    }
