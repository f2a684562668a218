from django.core.management.base import BaseCommand

from roadmap_portal.demo import DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Загружает демонстрационные данные: три реальные дорожные карты и учётные записи ролей."

    def handle(self, *args: object, **options: object) -> None:
        summary = load_demo()
        self.stdout.write(
            self.style.SUCCESS(
                f"Демо загружено: дорожных карт {summary.roadmaps}, разделов {summary.sections}, "
                f"мероприятий {summary.measures}, школ {summary.schools}, "
                f"сотрудников {summary.people}."
            )
        )
        self.stdout.write(f"Учётные записи: {', '.join(summary.accounts)}; пароль: {DEMO_PASSWORD}")
