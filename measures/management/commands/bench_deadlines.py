"""Agreement of the deadline engine with the corpus of real phrases (tests/deadline_corpus.py).

Prints the total, read right, flagged (a person is asked) and silently wrong (read wrong without a
flag: must be 0), overall and per family; `--verbose` lists every miss with what differs.
"""

from collections import Counter, defaultdict

from django.core.management.base import BaseCommand, CommandError, CommandParser

from measures.deadlines import parse_deadline


class Command(BaseCommand):
    help = "Печатает согласие разбора сроков с корпусом реальных формулировок."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--verbose", action="store_true", help="перечислить промахи")

    def handle(self, *args: object, **options: object) -> None:
        try:
            from tests.deadline_corpus import PERIODS, RIGHT, SILENT, differences, judge, runs
        except ImportError as exc:
            raise CommandError(f"Корпус tests/deadline_corpus.py недоступен: {exc}") from None
        total: Counter[str] = Counter()
        families: dict[str, Counter[str]] = defaultdict(Counter)
        misses = []
        for case, period_name, expected in runs():
            result = parse_deadline(case.text, PERIODS[period_name])
            verdict = judge(expected, result)
            total[verdict] += 1
            families[case.family][verdict] += 1
            if verdict != RIGHT:
                misses.append((verdict, period_name, case, differences(expected, result), result))
        count = sum(total.values())
        phrases = len({case.text for case, _, _ in runs()})
        self.stdout.write(
            f"Фраз: {phrases}; прочтений (фраза × период): {count}\n"
            f"Прочитано верно: {total[RIGHT]} ({100 * total[RIGHT] / count:.1f} %)\n"
            f"Отмечено для проверки: {total['flagged']}\n"
            f"Прочитано неверно без отметки: {total[SILENT]}"
        )
        self.stdout.write("\nПо семействам (верно / с отметкой / неверно без отметки):")
        for family in sorted(families):
            c = families[family]
            self.stdout.write(f"  {family:28} {c[RIGHT]:4} / {c['flagged']:3} / {c[SILENT]:3}")
        if options["verbose"] and misses:
            self.stdout.write("\nПромахи:")
            for verdict, period_name, case, diff, result in misses:
                self.stdout.write(
                    f"  [{verdict}] {period_name} «{case.text}»: {'; '.join(diff) or '—'}"
                    f"{' — ' + result.note if result.note else ''}"
                )
