from __future__ import annotations

import contextlib
import os

import pytest

from measures.demo import load_demo
from roadmap_portal.embedded import start_missing

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API with live_server


def _own_the_embedded_servers() -> None:
    """With DATABASE_URL / REDIS_URL unset, the test session is the owner of the embedded
    PostgreSQL / Redis: it starts them (they stop when it exits) and puts their URLs in the
    environment, for the processes tests start (manage.py, a Celery worker).

    pytest-django has read the settings already (with the URLs unset they name the local
    defaults and connected to nothing), so the entries built from the URLs are replaced here,
    with the settings' own functions, before any test connects."""
    started = start_missing()
    if not started:
        return
    from django.conf import settings
    from django.db import connections

    from roadmap_portal import settings as portal_settings

    if "DATABASE_URL" in started:
        settings.DATABASE_URL = started["DATABASE_URL"]
        settings.DATABASES = {"default": portal_settings.database_entry(settings.DATABASE_URL)}
        connections.__dict__.pop("settings", None)  # read DATABASES again on first use
        connections._settings = None
        for alias in ("default",):  # a connection object made meanwhile holds the old entry
            with contextlib.suppress(AttributeError):
                del connections[alias]
    if "REDIS_URL" in started:
        for name, value in portal_settings.redis_settings(started["REDIS_URL"]).items():
            setattr(settings, name, value)


_own_the_embedded_servers()


def pytest_configure(config: pytest.Config) -> None:
    """Settings for the whole test session (the live server thread reads them once)."""
    from django.conf import settings

    config.addinivalue_line(
        "markers", "reminder_worker: deadline reminders proven with a real Celery worker and SMTP"
    )
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The manifest and STATIC_ROOT need collectstatic; tests serve the source files instead.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_AUTOREFRESH = True
    settings.WHITENOISE_USE_FINDERS = True
    # The models' import already read STORAGES (the evidence field makes its storage then):
    # forget what the storage handlers cached, or pages name the manifest's hashed files.
    from django.contrib.staticfiles.storage import staticfiles_storage
    from django.core.files.storage import storages
    from django.utils.functional import empty

    storages._backends, storages._storages = None, {}
    storages.__dict__.pop("backends", None)
    staticfiles_storage._wrapped = empty


@pytest.fixture
def demo(db):
    """The three seed roadmaps: only for tests of the demo and of the seeds' content."""
    return load_demo()


@pytest.fixture
def tenants(db):
    """Two tenants built from factories, with the demo's logins for the roles: `home`
    (factories.HOME: coordinator koordinator, working-group member rabgruppa, director direktor
    of its «МКОУ СОШ № 1», read by the regional viewer nablyudatel) and `other`
    (factories.OTHER, of another region: coordinator grechkina); admin is a superuser."""
    from types import SimpleNamespace

    from tests import factories

    home = factories.tenant(
        factories.HOME, coordinator="koordinator", working_group="rabgruppa", director="direktor"
    )
    other = factories.tenant(factories.OTHER, coordinator="grechkina", working_group="rabgruppa2")
    viewer = factories.appointed("nablyudatel", "regional_viewer", home.municipality.region)
    admin = factories.UserFactory(
        username="admin", email="admin@example.org", is_superuser=True, is_staff=True
    )
    return SimpleNamespace(home=home, other=other, viewer=viewer, admin=admin)


class CeleryWorker:
    """A real Celery worker process (as `manage.py up` starts it) on the real Redis broker and
    the test database, in a session of its own: `kill()` sends SIGKILL to its whole process
    group (the pool's child too), `restart()` starts it again with the same environment."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.process = None
        self.log: list[str] = []

    def start(self) -> CeleryWorker:
        import subprocess
        import sys
        import threading
        import time
        from pathlib import Path

        root = Path(__file__).resolve().parent.parent
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "roadmap_portal", "worker", "--loglevel", "INFO",
             "--concurrency", "1", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=root, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True,
        )  # fmt: skip
        self.process = process
        started = time.monotonic()
        for line in process.stdout:  # wait until it consumes
            self.log.append(line)
            if "ready." in line:
                break
            if time.monotonic() - started > 60 or process.poll() is not None:
                raise RuntimeError("the Celery worker did not start:\n" + "".join(self.log))
        process.log = self.log  # kept for the tests that read `celery_worker_process.log`
        drain = threading.Thread(target=lambda: self.log.extend(process.stdout), daemon=True)
        drain.start()  # keep reading its output, so that it never blocks on a full pipe
        return self

    def kill(self) -> None:
        """SIGKILL to the worker and its pool: nothing is acknowledged, nothing cleaned up."""
        import signal

        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.process.stdout.close()

    def restart(self) -> CeleryWorker:
        return self.start()

    def stop(self) -> None:
        import subprocess

        process = self.process
        if process is None or process.returncode is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            import signal

            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        process.stdout.close()

    # what the tests of `celery_worker_process` read from the process
    def poll(self):
        return self.process.poll()

    @property
    def pid(self) -> int:
        return self.process.pid


def _forget_broker_messages() -> None:
    """Messages left by an earlier run name rows that are not there: the queue, and the
    unacknowledged ones of a worker that was killed (kombu would restore them after an hour)."""
    from roadmap_portal.celery import app

    app.control.purge()
    with app.connection_for_write() as conn:
        conn.default_channel.client.delete("unacked", "unacked_index", "unacked_mutex")


@pytest.fixture
def start_celery_worker(transactional_db, _order_files_in_a_temporary_folder):
    """Start a real Celery worker (`CeleryWorker`) on the test database with extra environment
    (e.g. EMAIL_HOST and EMAIL_PORT of `smtp_server`); every worker started is stopped at the
    end of the test, before the database is flushed."""
    from urllib.parse import urlsplit, urlunsplit

    from django.conf import settings

    # the settings' own URL (a TCP server or the embedded one's socket), on the test database
    url = urlsplit(settings.DATABASE_URL)
    database_url = urlunsplit(url._replace(path="/" + settings.DATABASES["default"]["NAME"]))
    _forget_broker_messages()
    workers: list[CeleryWorker] = []

    def start(env: dict[str, str] | None = None) -> CeleryWorker:
        worker = CeleryWorker(
            {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": settings.REDIS_URL,
             "MEDIA_ROOT": str(_order_files_in_a_temporary_folder.location), **(env or {})}
        )  # fmt: skip
        workers.append(worker)
        return worker.start()

    try:
        yield start
    finally:
        for worker in workers:
            worker.stop()
        _forget_broker_messages()


@pytest.fixture
def celery_worker_process(start_celery_worker):
    """A real Celery worker process (as `manage.py up` starts it) on the real Redis broker
    (REDIS_URL) and the test database; tasks are delivered once the test's transactions commit.
    The files it writes (orders' PDFs) go where this test process reads them (MEDIA_ROOT)."""
    return start_celery_worker().process


@pytest.fixture
def smtp_server():
    """A local SMTP server (aiosmtpd) on a free port that records what it receives
    (tests/smtp.py): `refused[address] = text` makes it answer 550 to that recipient."""
    from tests.smtp import SMTPRecorder, start

    recorder = SMTPRecorder()
    controller = start(recorder)
    try:
        yield recorder
    finally:
        recorder.release.set()
        controller.stop()


@pytest.fixture(autouse=True)
def _own_cache_keys(settings):
    """Each test counts in its own keys of the Redis cache (nothing to flush, nothing shared)."""
    from uuid import uuid4

    settings.CACHES = {
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid4().hex}"}
    }


@pytest.fixture(autouse=True, scope="session")
def _evidence_files_in_a_temporary_folder(tmp_path_factory):
    """Evidence files written by tests go to a temporary folder, not to PORTAL_DATA_DIR (the
    field made its storage object when the models were imported, so the field is pointed)."""
    from django.core.files.storage import FileSystemStorage

    from measures.models import Evidence

    field = Evidence._meta.get_field("file")
    kept = field.storage
    field.storage = FileSystemStorage(location=tmp_path_factory.mktemp("evidence"))
    yield field.storage
    field.storage = kept


@pytest.fixture(autouse=True, scope="session")
def _order_files_in_a_temporary_folder(tmp_path_factory):
    """Orders' PDFs and signature files written by tests go to a temporary folder too (a
    worker process started by a test is pointed there by MEDIA_ROOT: tests/test_printing.py)."""
    from django.core.files.storage import FileSystemStorage

    from measures.models import LegalAct

    storage = FileSystemStorage(location=tmp_path_factory.mktemp("media"))
    fields = [LegalAct._meta.get_field(name) for name in ("pdf", "signature")]
    kept = [field.storage for field in fields]
    for field in fields:
        field.storage = storage
    yield storage
    for field, old in zip(fields, kept, strict=True):
        field.storage = old


# --- the browser: one Chromium for the session, shared by every browser test -----------------

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    import shutil

    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    assert executable, "Chromium не установлен: apt-get install -y chromium (делает .ci/portal)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
