"""One scan of deadline reminders and the letters of that moment, by hand: for checking what
would go (--dry-run), and for catching up after downtime. The same services as beat's task."""

import json
from datetime import datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from measures import reminders
from measures.models import ReminderScan

FUTURE_SLACK = timedelta(minutes=5)


class Command(BaseCommand):
    help = "Проверить сроки и отправить напоминания на заданный момент (как делает beat)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            help="Момент проверки «ГГГГ-ММ-ДД ЧЧ:ММ» по московскому времени (по умолчанию сейчас)",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Только показать, что было бы создано и отправлено; ничего не сохранять",
        )
        parser.add_argument(
            "--queue",
            action="store_true",
            help="Передать письма воркеру Celery, а не отправлять их из этой команды",
        )
        parser.add_argument(
            "--future",
            action="store_true",
            help="Разрешить момент в будущем без --dry-run (письма того дня уйдут сейчас, "
            "и в тот день их уже не будет)",
        )
        parser.add_argument("--json", action="store_true", help="Вывести итог в JSON")

    def handle(self, *args, **options):
        now = timezone.now()
        if options["now"]:
            try:
                now = timezone.make_aware(datetime.strptime(options["now"], "%Y-%m-%d %H:%M"))
            except ValueError as error:
                raise CommandError(
                    f"--now {options['now']!r}: ожидается «ГГГГ-ММ-ДД ЧЧ:ММ», например "
                    "«2026-11-24 09:00»."
                ) from error
        if now > timezone.now() + FUTURE_SLACK and not (options["dry_run"] or options["future"]):
            raise CommandError(
                f"--now {options['now']!r} ещё не наступил: письма этого дня ушли бы сейчас, а "
                "в сам день их уже не было бы. Добавьте --dry-run, чтобы только посмотреть, "
                "или --future, если это и нужно."
            )
        if options["dry_run"] or options["queue"]:
            result = reminders.scan(
                now,
                trigger=ReminderScan.Trigger.COMMAND,
                dry_run=options["dry_run"],
                enqueue=options["queue"],
            )
            outcomes: dict[str, int] = {}
        else:
            result, outcomes = reminders.scan_and_send(now, trigger=ReminderScan.Trigger.COMMAND)
        data = {**result.as_dict(), "letters": outcomes, "queued_to_worker": options["queue"]}
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        moment = timezone.localtime(now).strftime("%d.%m.%Y %H:%M")
        self.stdout.write(
            f"Проверка на {moment}{' (пробная, ничего не сохранено)' if result.dry_run else ''}: "
            f"{'рабочий' if result.working_day else 'нерабочий'} день, открытых пар "
            f"{result.pairs}, новых напоминаний {result.created} (из них не отправляются "
            f"{result.suppressed}), ежедневных сводок к отправке {len(result.digests)}, "
            f"еженедельных {len(result.weekly)}."
        )
        if options["queue"] and not result.dry_run:
            self.stdout.write("Письма переданы воркеру Celery.")
        elif outcomes:
            labels = {
                "sent": "отправлено", "failed": "не отправлено", "suppressed": "не отправляются",
                "empty": "нечего отправлять", "already": "уже были отправлены",
                "retry": "почтовый сервер недоступен, повтор при следующей проверке",
            }  # fmt: skip
            for key, count in sorted(outcomes.items()):
                weekly = key.startswith("weekly_")
                label = labels.get(key.removeprefix("weekly_"), key)
                self.stdout.write(f"  {'еженедельные' if weekly else 'сводки'}: {label} — {count}")
