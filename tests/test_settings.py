"""Settings come from the environment; a wrong value stops the start with a message that says
what to fix."""

import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from roadmap_portal import settings as portal_settings
from roadmap_portal.embedded import start_missing
from roadmap_portal.tasks import clear_expired_sessions

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def without_servers(data_dir: Path) -> dict[str, str]:
    """This environment with DATABASE_URL and REDIS_URL unset and the data folder elsewhere."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    return {**env, "PORTAL_DATA_DIR": str(data_dir), "SECRET_KEY": "test"}


# Runs in a fresh interpreter: records every socket, connection and child process from the
# audit hooks, then reads the settings and sets Django up as gunicorn or celery would.
IMPORT_PROBE = """
import json, sys
events = []
WATCHED = ("socket.", "subprocess.", "os.fork", "os.posix_spawn", "os.exec", "os.spawn",
           "os.system", "pty.")
sys.addaudithook(lambda name, args: events.append(name) if name.startswith(WATCHED) else None)
import django
from django.conf import settings
settings.DATABASES
django.setup()
print(json.dumps({"events": events, "database": settings.DATABASES["default"]["NAME"],
                  "redis": settings.REDIS_URL}))
"""


def test_reading_the_settings_starts_nothing_and_connects_nowhere(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_PROBE], cwd=ROOT, env=without_servers(tmp_path),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    assert probe == {
        "events": [],  # no socket made, no process started
        "database": "roadmap_portal",  # the conventional local default, not connected to
        "redis": "redis://127.0.0.1:6379/0",
    }
    assert list(tmp_path.iterdir()) == []  # no embedded server's folder, nothing written


def test_a_command_that_needs_no_server_starts_none(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=without_servers(tmp_path),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout
    assert not (tmp_path / "postgres").exists() and not (tmp_path / "redis").exists()


def test_start_missing_leaves_set_urls_alone(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    environ = {"DATABASE_URL": "postgres://db/x", "REDIS_URL": "redis://cache:6379/1"}
    assert start_missing(environ) == {}
    assert environ == {"DATABASE_URL": "postgres://db/x", "REDIS_URL": "redis://cache:6379/1"}
    assert list(tmp_path.iterdir()) == []


def test_env_bool_reads_people_and_refuses_nonsense(monkeypatch):
    monkeypatch.setenv("PORTAL_FLAG", "Да")
    assert portal_settings.env_bool("PORTAL_FLAG", False) is True
    monkeypatch.setenv("PORTAL_FLAG", "off")
    assert portal_settings.env_bool("PORTAL_FLAG", True) is False
    monkeypatch.setenv("PORTAL_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="PORTAL_FLAG='maybe': ожидается true или false"):
        portal_settings.env_bool("PORTAL_FLAG", False)


def test_env_int_refuses_words(monkeypatch):
    monkeypatch.setenv("EMAIL_PORT", "двадцать пять")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT='двадцать пять': ожидается целое"):
        portal_settings.env_int("EMAIL_PORT", 25)


def test_defaults_are_russian_and_moscow():
    assert portal_settings.LANGUAGE_CODE == "ru"
    assert portal_settings.TIME_ZONE == "Europe/Moscow"
    assert portal_settings.USE_TZ is True


def test_a_database_that_is_not_postgresql_is_refused_at_start():
    result = run_manage("check", DATABASE_URL="mysql://root@127.0.0.1/roadmap")
    assert result.returncode != 0
    assert "DATABASE_URL должен указывать на PostgreSQL" in result.stderr


def test_a_wrong_redis_url_is_refused_at_start():
    result = run_manage("check", REDIS_URL="http://127.0.0.1:6379")
    assert result.returncode != 0
    assert "REDIS_URL='http://127.0.0.1:6379': ожидается адрес вида redis://" in result.stderr


def test_an_unreachable_database_stops_up_with_a_message():
    result = run_manage("up", "--no-demo", DATABASE_URL="postgres://nobody@127.0.0.1:1/roadmap")
    assert result.returncode != 0
    assert "Нет соединения с PostgreSQL" in result.stderr
    assert "Проверьте DATABASE_URL" in result.stderr


@pytest.mark.django_db
def test_clear_expired_sessions_task_deletes_only_expired_ones():
    live, expired = SessionStore(), SessionStore()
    live.create()
    expired.set_expiry(timezone.now() - timedelta(days=1))
    expired.create()
    clear_expired_sessions()
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
    clear_expired_sessions()  # safe to run twice
    assert Session.objects.count() == 1


@pytest.mark.django_db
def test_the_session_connects_where_the_settings_say():
    """With the URLs unset the session started the embedded server (conftest.py): the
    connection must go there, not to the settings' local default."""
    from django.conf import settings
    from django.db import connection

    entry = portal_settings.database_entry(settings.DATABASE_URL)
    wanted = {key: entry[key] for key in ("HOST", "PORT", "USER", "OPTIONS")}
    assert {key: connection.settings_dict[key] for key in wanted} == wanted
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        assert cursor.fetchone()[0] == "test_" + entry["NAME"]


def test_production_dependencies_carry_no_test_only_packages():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    test_only = {"pytest", "pytest-django", "playwright", "hypothesis", "factory-boy", "ruff"}

    def names(requirements: list[str]) -> set[str]:
        return {re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0].lower() for r in requirements}

    assert names(project["project"]["dependencies"]) & test_only == set()
    assert names(project["dependency-groups"]["dev"]) >= test_only  # uv sync installs them
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "uv sync --frozen --no-dev" in dockerfile  # the image installs production only
