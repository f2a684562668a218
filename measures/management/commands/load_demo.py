from django.core.management.base import BaseCommand

from measures.demo import DEMO_PASSWORD, load_demo


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
        if summary.current_roadmap is not None:
            self.stdout.write(
                f"Текущая дорожная карта: «{summary.current_roadmap.title}», "
                f"новых отчётов школ {summary.reports}."
            )
        self.stdout.write(f"Учётные записи: {', '.join(summary.accounts)}; пароль: {DEMO_PASSWORD}")
