"""The health of reminders: the last scan (and whether beat is late), the broker's queue, the
reminders waiting, sent and failed."""

import json

from django.core.management.base import BaseCommand
from django.utils import timezone

from measures import reminders


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%d.%m.%Y %H:%M:%S") if moment else "никогда"


class Command(BaseCommand):
    help = "Состояние напоминаний: последняя проверка сроков, очередь Celery, ошибки отправки."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Вывести в JSON")

    def handle(self, *args, **options):
        state = reminders.health()
        if options["json"]:
            self.stdout.write(json.dumps(state, ensure_ascii=False, indent=2, default=str))
            return
        trigger = f" ({state['last_scan_trigger']})" if state["last_scan"] else ""
        self.stdout.write(f"Последняя проверка сроков: {_when(state['last_scan'])}{trigger}")
        self.stdout.write(
            f"Последняя проверка по расписанию (beat): {_when(state['last_beat_scan'])}"
        )
        if state["beat_late"]:
            self.stdout.write(
                self.style.WARNING(
                    "Проверка по расписанию не выполнялась больше 30 минут: запущены ли "
                    "Celery beat и worker?"
                )
            )
        queue = "недоступна (брокер не отвечает)" if state["queue"] is None else state["queue"]
        self.stdout.write(f"Заданий в очереди Celery: {queue}")
        self.stdout.write(
            f"Напоминания: в очереди {state['queued']}, отправлено {state['sent']}, "
            f"не отправлено {state['failed']}, не отправляются {state['suppressed']}; "
            f"писем с ошибкой {state['letters_failed']}."
        )
