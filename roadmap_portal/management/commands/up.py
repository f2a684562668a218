"""Start the whole portal: database schema, static files, demo, web, Celery worker and beat.

When DATABASE_URL / REDIS_URL are not set, `manage.py` starts the embedded PostgreSQL and
Redis before this command runs (roadmap_portal/embedded.py); they stop when this process exits.
The web server, the Celery worker and beat are child processes given explicit DATABASE_URL and
REDIS_URL in their environment: they start nothing themselves.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from types import FrameType
from typing import Any

import redis
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.db.utils import OperationalError

from measures.demo import DEMO_PASSWORD
from roadmap_portal.celery import redis_client


def check_backends() -> None:
    """Fail with a message a person can act on when PostgreSQL or Redis cannot be reached."""
    try:
        connection.ensure_connection()
    except OperationalError as exc:
        raise CommandError(
            f"Нет соединения с PostgreSQL ({exc.__class__.__name__}: {str(exc).strip()}). "
            "Проверьте DATABASE_URL или уберите его, чтобы использовать встроенный сервер."
        ) from exc
    try:
        redis_client(settings.REDIS_URL).ping()
    except redis.RedisError as exc:
        raise CommandError(
            f"Нет соединения с Redis по REDIS_URL={settings.REDIS_URL} ({exc}). "
            "Проверьте REDIS_URL или уберите его, чтобы использовать встроенный сервер."
        ) from exc


class Command(BaseCommand):
    help = (
        "Запускает портал целиком: веб-сервер, Celery worker и beat, с демонстрационными данными."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("PORTAL_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORTAL_PORT", "8000")))
        parser.add_argument("--no-demo", action="store_true", help="Не загружать демо-данные.")

    def handle(self, *args: Any, **options: Any) -> None:
        check_backends()
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Схема базы данных актуальна.")
        call_command("collectstatic", interactive=False, verbosity=0)
        if not options["no_demo"]:
            call_command("load_demo", stdout=self.stdout)

        env = {**os.environ, "DATABASE_URL": settings.DATABASE_URL, "REDIS_URL": settings.REDIS_URL}
        python = sys.executable
        address = f"{options['host']}:{options['port']}"
        commands = {
            "web": [
                python,
                "-m",
                "gunicorn",
                "roadmap_portal.wsgi",
                "--bind",
                address,
                "--workers",
                "2",
                "--timeout",  # a request is killed after 30 s; imports run in the worker
                "30",
                "--graceful-timeout",
                "30",
                "--access-logfile",
                "-",
            ],
            "worker": [
                python,
                "-m",
                "celery",
                "-A",
                "roadmap_portal",
                "worker",
                "--loglevel",
                "INFO",
                "--concurrency",
                "2",
            ],
            "beat": [python, "-m", "celery", "-A", "roadmap_portal", "beat", "--loglevel", "INFO"],
        }
        processes = {name: subprocess.Popen(cmd, env=env) for name, cmd in commands.items()}
        self._catch_up_reminders()

        stopping = False

        def request_stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        self.stdout.write(
            self.style.SUCCESS(f"Портал запущен: http://{address}/  (остановить: Ctrl+C)")
        )
        if not options["no_demo"]:
            self.stdout.write(
                f"Вход: admin, koordinator, rabgruppa, direktor, grechkina; пароль {DEMO_PASSWORD}"
            )
        failed = None
        while not stopping and failed is None:
            time.sleep(0.5)
            failed = next((name for name, p in processes.items() if p.poll() is not None), None)
        self.stdout.write("Останавливаю портал…")
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + 15
        for process in processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
        connection.close()
        if failed is not None:
            raise CommandError(f"Процесс «{failed}» завершился с ошибкой; портал остановлен.")
        self.stdout.write("Портал остановлен.")

    def _catch_up_reminders(self) -> None:
        """One scan of deadline reminders now, as beat's next one would do: beat's schedule
        (every 15 minutes on the clock) first fires at the next quarter hour, and whatever fell
        due while the portal was stopped waits until then. The scan queues only the letters
        whose hour has come on a working day, so this changes the minute, not the day or the
        hour, a letter goes; the worker just started sends them (to the console when
        EMAIL_HOST is not set). Safe alongside beat's scan (reminder rows are inserted once,
        each letter is locked). A failure here does not stop the start: beat tries again."""
        from measures import reminders
        from measures.models import ReminderScan

        try:
            result = reminders.scan(trigger=ReminderScan.Trigger.COMMAND)
        except Exception as exc:  # the portal starts anyway; beat's scan follows
            self.stderr.write(f"Проверка сроков при запуске не удалась: {exc}")
            return
        backend = settings.MAILERS["default"]["BACKEND"]
        self.stdout.write(
            f"Проверка сроков: новых напоминаний {result.created}, писем поставлено "
            f"{len(result.digests) + len(result.weekly)}"
            + ("" if result.working_day else " (нерабочий день: письма — в ближайший рабочий)")
            + ("; письма печатаются в консоль воркера" if "console" in backend else "")
        )
