from django.core.management.base import BaseCommand
from django.utils import timezone

from measures import printing
from measures.demo import DEMO_PASSWORD, load_demo
from measures.demo.living import play_reminders
from measures.models import LegalAct


class Command(BaseCommand):
    help = (
        "Загружает демонстрационные данные: три реальные дорожные карты, учётные записи ролей "
        "и текущую дорожную карту с отчётами школ."
    )

    def handle(self, *args: object, **options: object) -> None:
        summary = load_demo(living=True)
        self.stdout.write(
            self.style.SUCCESS(
                f"Демо загружено: дорожных карт {summary.roadmaps}, разделов {summary.sections}, "
                f"мероприятий {summary.measures}, школ {summary.schools}, "
                f"сотрудников {summary.people}."
            )
        )
        self.stdout.write(
            f"Мониторинг: показателей {summary.indicators}, этапов {summary.stages}, "
            f"значений {summary.values} (страница «Показатели»)."
        )
        if summary.current_roadmap is not None:
            self.stdout.write(
                f"Текущая дорожная карта: «{summary.current_roadmap.title}», "
                f"новых отчётов школ {summary.reports}."
            )
        self.stdout.write(f"Учётные записи: {', '.join(summary.accounts)}; пароль: {DEMO_PASSWORD}")
        # the reminders of the last working days, as beat would have sent them
        letters = play_reminders(timezone.localdate())
        self.stdout.write(
            f"Напоминания за последние рабочие дни: писем отправлено {letters.get('sent', 0)}, "
            f"еженедельных сводок {letters.get('weekly_sent', 0)} (страница «Напоминания»)."
        )
        # the demo's signed orders get their PDF from the worker (`manage.py up` starts it)
        # (the orders the demo holds the text of: a region's act cited as a basis has none)
        unprinted = (
            LegalAct.objects.filter(status=LegalAct.Status.SIGNED, appendices__isnull=False)
            .exclude(pdf_status=LegalAct.PdfStatus.READY)
            .distinct()
        )
        for act in unprinted:
            printing.enqueue_render(act)
        if unprinted:
            self.stdout.write(f"PDF подписанных приказов поставлены в очередь: {len(unprinted)}.")
