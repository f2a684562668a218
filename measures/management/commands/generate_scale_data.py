"""Fills an EMPTY database with national-size data for `bench_pages`: regions, municipalities,
schools with designations, staff, roles and object permissions, roadmaps (municipal and school
level) with acts, sections and measures, some of them naming schools.

Rows are written with COPY in one transaction, with triggers off for it
(`session_replication_role = replica`: no history events, no trigger-checked foreign keys, the
generator keeps the keys consistent itself). Then five accounts to log in as are appointed through
the ordinary service. Never run it against a database with real data: it refuses a database that
already holds roadmaps or regions.
"""

from __future__ import annotations

import io
import random
import time
from collections.abc import Iterable, Sequence
from datetime import date

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from measures.deadlines import parse_deadline
from measures.editions import ensure_recorded_all
from measures.models import DEADLINE_FIELDS, Roadmap
from schools.models import Municipality, Region, School, SchoolDesignation
from schools.services import ROLE_GROUPS, ROLE_PERMISSIONS, appoint

PASSWORD = "scale-portal-2026"  # every generated account; the five logins below print it too
LOGINS = {
    "scale-admin": "admin",
    "scale-koordinator": "coordinator",
    "scale-rabgruppa": "working_group",
    "scale-direktor": "director",
    "scale-nablyudatel": "regional_viewer",
}

REGIONS = """Республика Адыгея|Республика Алтай|Республика Башкортостан|Республика Бурятия|
Республика Дагестан|Республика Ингушетия|Кабардино-Балкарская Республика|Республика Калмыкия|
Карачаево-Черкесская Республика|Республика Карелия|Республика Коми|Республика Крым|
Республика Марий Эл|Республика Мордовия|Республика Саха (Якутия)|
Республика Северная Осетия — Алания|Республика Татарстан|Республика Тыва|Удмуртская Республика|
Республика Хакасия|Чеченская Республика|Чувашская Республика|Алтайский край|Забайкальский край|
Камчатский край|Краснодарский край|Красноярский край|Пермский край|Приморский край|
Ставропольский край|Хабаровский край|Амурская область|Архангельская область|
Астраханская область|Белгородская область|Брянская область|Владимирская область|
Волгоградская область|Вологодская область|Воронежская область|Ивановская область|
Иркутская область|Калининградская область|Калужская область|Кемеровская область|
Кировская область|Костромская область|Курганская область|Курская область|
Ленинградская область|Липецкая область|Магаданская область|Московская область|
Мурманская область|Нижегородская область|Новгородская область|Новосибирская область|
Омская область|Оренбургская область|Орловская область|Пензенская область|Псковская область|
Ростовская область|Рязанская область|Самарская область|Саратовская область|
Сахалинская область|Свердловская область|Смоленская область|Тамбовская область|
Тверская область|Томская область|Тульская область|Тюменская область|Ульяновская область|
Челябинская область|Ярославская область|Еврейская автономная область|
Ненецкий автономный округ|Ханты-Мансийский автономный округ — Югра|Чукотский автономный округ|
Ямало-Ненецкий автономный округ|Москва|Санкт-Петербург|Севастополь""".replace("\n", "").split("|")
STEMS = """Бел Черн Красн Зелен Светл Нов Стар Верхн Нижн Больш Мал Сосн Берез Лес Озер Реч Камен
Полев Лугов Горн Степн Север Южн Восточн Западн Солнечн Ясн Тих Быстр Глубок Широк Долг Кругл
Сокол Орл Лебед Журавл Медвед Волч Лис Бобр Кедр Ольх Рябин Калин Малин Вишн Ягодн Хлебн Медов
Соль Желез Мед Золот Серебр Песчан Глин Торф Ключ Родник""".split()  # noqa: SIM905
SUFFIXES = ["ский", "овский", "инский", "ецкий", "янский", "огорский", "ореченский", "опольский"]
SURNAMES = """Иванов Петров Сидоров Кузнецов Смирнов Попов Васильев Соколов Михайлов Новиков
Фёдоров Морозов Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов
Андреев Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв
Сергеев Кузьмин Фролов Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов Поляков
Сорокин Виноградов Ковалёв Белов Медведев Антонов Тарасов Жуков Баранов Филиппов Комаров""".split()  # noqa: SIM905
INITIALS = "АБВГДЕИКЛМНОПРСТЮЯ"
SCHOOL_KINDS = ["МКОУ СОШ", "МБОУ СОШ", "МОУ СОШ", "МКОУ ООШ", "МБОУ Гимназия", "МАОУ Лицей"]
DESIGNATION_KINDS = [
    SchoolDesignation.Kind.LOW_RESULTS,
    SchoolDesignation.Kind.UNFAVOURABLE_CONTEXT,
    SchoolDesignation.Kind.RISK_ZONE,
    SchoolDesignation.Kind.UNOBJECTIVE_RESULTS,
]
ROADMAP_TITLES = [
    "Дорожная карта по повышению качества образования в школах с низкими образовательными "
    "результатами",
    "План мероприятий («дорожная карта») по поддержке школ, функционирующих в неблагоприятных "
    "социальных условиях",
    "Дорожная карта по обеспечению объективности процедур оценки качества образования",
    "План мероприятий по переходу школ в эффективный режим работы",
    "Дорожная карта реализации программы наставничества «школа — школе»",
]
SCHOOL_ROADMAP_TITLE = "Программа перехода школы в эффективный режим работы"
SECTIONS = [
    "Организационно-управленческие мероприятия",
    "Методическое сопровождение педагогов",
    "Работа с обучающимися и родителями",
    "Мониторинг и контроль",
]
MEASURES = [
    "Проведение методического семинара для учителей по вопросам объективности оценивания",
    "Анализ результатов всероссийских проверочных работ по школам муниципалитета",
    "Организация курсов повышения квалификации педагогов по функциональной грамотности",
    "Проведение родительских собраний по вопросам подготовки к государственной итоговой аттестации",
    "Мониторинг реализации программ перехода школ в эффективный режим работы",
    "Организация взаимопосещения уроков в паре «школа-наставник — школа»",
    "Разработка индивидуальных образовательных маршрутов для обучающихся группы риска",
    "Заседание рабочей группы по итогам полугодия",
]
OWNERS = ["Отдел образования", "Руководители ОУ", "Муниципальный методический кабинет",
          "Рабочая группа", "Руководители ШНОР и резильентных школ"]  # fmt: skip
DEADLINES = ["Февраль {y}г.", "Ежегодно в декабре", "По мере необходимости", "До 20 июня",
             "В течение всего периода", "Октябрь-ноябрь", "ежеквартально", "Декабрь {y}",
             "II квартал {y}", "Май – июнь {y} г."]  # fmt: skip
RESULTS = ["Повышение уровня профессиональных компетенций педагогов",
           "Аналитическая справка", "Протокол заседания", "Рост доли обучающихся, достигших "
           "базового уровня"]  # fmt: skip


# the printed order's fields an act written here leaves empty (NOT NULL, no database default)
ACT_BLANKS = {
    "place": "", "preamble": "", "items": "[]", "pdf": "", "pdf_status": "", "pdf_error": "",
    "signature": "", "signature_name": "", "certificate_owner": "", "certificate_serial": "",
}  # fmt: skip


def _value(value: object) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, list):
        return "{" + ",".join(str(item) for item in value) + "}"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "")


def _copy(table: str, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    buffer = io.StringIO()
    count = 0
    for row in rows:
        buffer.write("\t".join(_value(value) for value in row))
        buffer.write("\n")
        count += 1
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)
    return count


def _spread(total: int, buckets: int, rng: random.Random) -> list[int]:
    """`total` items over `buckets`, unevenly (some large towns, many small districts)."""
    weights = [rng.paretovariate(2.0) for _ in range(buckets)]
    scale = total / sum(weights)
    counts = [int(weight * scale) for weight in weights]
    for index in rng.sample(range(buckets), total - sum(counts)):
        counts[index] += 1
    return counts


class Command(BaseCommand):
    help = "Заполняет пустую базу данными национального масштаба для bench_pages."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--regions", type=int, default=85)
        parser.add_argument("--municipalities", type=int, default=2328)
        parser.add_argument("--schools", type=int, default=40613)
        parser.add_argument("--roadmaps", type=int, default=15169)
        parser.add_argument("--measures", type=int, default=728327)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args: object, **options: int) -> None:
        if Region.objects.exists() or Roadmap.objects.exists() or User.objects.exists():
            raise CommandError("База не пуста: генератор заполняет только пустую базу.")
        sizes = {key: options[key] for key in ("regions", "municipalities", "schools", "roadmaps")}
        if not (
            sizes["regions"] <= sizes["municipalities"] <= sizes["schools"]
            and sizes["municipalities"] <= sizes["roadmaps"] <= options["measures"]
        ):
            raise CommandError("Нужно: регионов ≤ муниципалитетов ≤ школ, карт ≤ мероприятий.")
        started = time.monotonic()
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
            counts = self._generate(random.Random(options["seed"]), options)
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = DEFAULT")
                for table in counts:
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
            logins = self._logins()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        for table, count in counts.items():
            self.stdout.write(f"{table}: {count}")
        for username, description in logins.items():
            self.stdout.write(f"вход {username} / {PASSWORD}: {description}")
        self.stdout.write(f"готово за {time.monotonic() - started:.0f} с")

    def _generate(self, rng: random.Random, options: dict[str, int]) -> dict[str, int]:
        counts: dict[str, int] = {}
        now = timezone.now().isoformat()
        regions = [
            (n + 1, REGIONS[n] if n < len(REGIONS) else f"Регион {n + 1}")
            for n in range(options["regions"])
        ]
        counts["schools_region"] = _copy("schools_region", ["id", "name"], regions)

        municipalities: list[tuple[int, str, int]] = []
        used: set[tuple[int, str]] = set()
        per_region = _spread(options["municipalities"], len(regions), rng)
        per_region = [max(1, count) for count in per_region]
        per_region[-1] -= sum(per_region) - options["municipalities"]
        for (region_id, _name), count in zip(regions, per_region, strict=True):
            for _ in range(count):
                while True:
                    stem = rng.choice(STEMS) + rng.choice(SUFFIXES)
                    kind = "муниципальный район" if rng.random() < 0.8 else "городской округ"
                    name = f"{stem} {kind}"
                    if (region_id, name) in used:
                        name = f"{name} {len(used)}"
                    if (region_id, name) not in used:
                        break
                used.add((region_id, name))
                municipalities.append((len(municipalities) + 1, name, region_id))
        counts["schools_municipality"] = _copy(
            "schools_municipality", ["id", "name", "region_id"], municipalities
        )
        counts["schools_organisation"] = _copy(
            "schools_organisation",
            ["id", "kind", "name", "short_name", "name_genitive", "municipality_id", "region_id"],
            (
                (m_id, "authority", f"Управление образования: {name}", "УО", "", m_id, region_id)
                for m_id, name, region_id in municipalities
            ),
        )

        schools: list[tuple[int, int]] = []  # (id, municipality id)
        school_rows = []
        per_municipality = _spread(options["schools"], len(municipalities), rng)
        by_municipality: dict[int, list[int]] = {}
        school_names: dict[int, str] = {}
        for (m_id, name, _region), count in zip(municipalities, per_municipality, strict=True):
            for number in range(1, count + 1):
                school_id = len(schools) + 1
                kind = rng.choice(SCHOOL_KINDS)
                short = f"{kind} № {number}"
                school_rows.append(
                    (school_id, f"{short} ({name})", short, f"ул. Школьная, д. {number}", m_id)
                )
                schools.append((school_id, m_id))
                school_names[school_id] = short
                by_municipality.setdefault(m_id, []).append(school_id)
        counts["schools_school"] = _copy(
            "schools_school",
            ["id", "name", "short_name", "address", "municipality_id"],
            school_rows,
        )

        designations = []
        designated: dict[int, set[int]] = {}  # school id -> years
        for school_id, _m in schools:
            if rng.random() < 0.35:
                kind = rng.choice(DESIGNATION_KINDS)
                for year in rng.sample(range(2021, 2026), rng.choice([1, 2])):
                    designations.append((len(designations) + 1, kind, year, "", school_id))
                    designated.setdefault(school_id, set()).add(year)
        counts["schools_schooldesignation"] = _copy(
            "schools_schooldesignation", ["id", "kind", "year", "basis", "school_id"], designations
        )

        counts.update(self._people(rng, now, regions, municipalities, schools))
        counts.update(self._roadmaps(rng, options, municipalities, by_municipality, school_names))
        # every approved roadmap has its edition 1, as after any other way of approving one
        counts["measures_roadmapedition"] = ensure_recorded_all()
        return counts

    def _people(self, rng, now, regions, municipalities, schools) -> dict[str, int]:
        password = make_password(PASSWORD)
        groups = {
            role: Group.objects.get_or_create(name=name)[0].pk for role, name in ROLE_GROUPS.items()
        }
        permissions = {
            f"{p.content_type.app_label}.{p.codename}": (p.pk, p.content_type_id)
            for p in Permission.objects.filter(content_type__app_label="schools").select_related(
                "content_type"
            )
        }
        users, user_groups, appointments, grants, persons = [], [], [], [], []

        taken: set[tuple[int | None, str]] = set()  # a short name is unique in a municipality

        def person_name(municipality_id: int | None) -> tuple[str, str, str]:
            for _attempt in range(20):
                surname = rng.choice(SURNAMES)
                first, middle = rng.choice(INITIALS), rng.choice(INITIALS)
                short = f"{surname} {first}.{middle}."
                if (municipality_id, short) not in taken:
                    break
            else:
                short = f"{short} ({len(taken)})"
            taken.add((municipality_id, short))
            return surname, f"{first}.{middle}.", short

        def add_user(role: str, target_field: str, target_id: int, municipality_id: int | None):
            user_id = len(users) + 1
            surname, initials, short = person_name(municipality_id)
            username = f"{role.replace('_', '')}-{target_field[0]}{target_id}-{user_id}"
            email = f"{username}@example.org"
            users.append(
                (user_id, password, False, username, initials, surname, email, False, True, now)
            )
            user_groups.append((len(user_groups) + 1, user_id, groups[role]))
            target = {"region": None, "municipality": None, "school": None, target_field: target_id}
            appointments.append(
                (len(appointments) + 1, role, now, target["municipality"], target["region"],
                 target["school"], user_id)
            )  # fmt: skip
            for permission in ROLE_PERMISSIONS[role]:
                permission_id, content_type_id = permissions[permission]
                grants.append(
                    (len(grants) + 1, str(target_id), content_type_id, permission_id, user_id)
                )
            if municipality_id is not None:
                persons.append(
                    (len(persons) + 1, "", short, "", email, "+7 900 000-00-00", municipality_id,
                     user_id, target["school"])
                )  # fmt: skip

        for region_id, _name in regions:
            add_user("regional_viewer", "region", region_id, None)
        for m_id, _name, _region in municipalities:
            add_user("coordinator", "municipality", m_id, m_id)
            for _ in range(2):
                add_user("working_group", "municipality", m_id, m_id)
        for school_id, m_id in schools:
            add_user("director", "school", school_id, m_id)
            for position in ("Заместитель директора по УВР", "Учитель математики"):
                _surname, _initials, short = person_name(m_id)
                persons.append(
                    (len(persons) + 1, "", short, position, "", "", m_id, None, school_id)
                )
        return {
            "auth_user": _copy(
                "auth_user",
                [
                    "id",
                    "password",
                    "is_superuser",
                    "username",
                    "first_name",
                    "last_name",
                    "email",
                    "is_staff",
                    "is_active",
                    "date_joined",
                ],
                users,
            ),
            "auth_user_groups": _copy(
                "auth_user_groups", ["id", "user_id", "group_id"], user_groups
            ),
            "schools_appointment": _copy(
                "schools_appointment",
                [
                    "id",
                    "role",
                    "appointed_at",
                    "municipality_id",
                    "region_id",
                    "school_id",
                    "user_id",
                ],
                appointments,
            ),
            "guardian_userobjectpermission": _copy(
                "guardian_userobjectpermission",
                ["id", "object_pk", "content_type_id", "permission_id", "user_id"],
                grants,
            ),
            "schools_person": _copy(
                "schools_person",
                [
                    "id",
                    "full_name",
                    "short_name",
                    "position",
                    "email",
                    "phone",
                    "municipality_id",
                    "user_id",
                    "school_id",
                ],
                persons,
            ),
        }

    def _roadmaps(
        self, rng, options, municipalities, by_municipality, school_names
    ) -> dict[str, int]:
        roadmaps, acts, sections, measures, named = [], [], [], [], []
        occurrences: list[tuple] = []
        titles: set[tuple[int, str, int, int]] = set()
        per_municipality = _spread(options["roadmaps"], len(municipalities), rng)
        for (m_id, _name, _region), count in zip(municipalities, per_municipality, strict=True):
            schools = by_municipality.get(m_id, [])
            for n in range(count):
                roadmap_id = len(roadmaps) + 1
                start = rng.choice([2021, 2022, 2023, 2024, 2025])
                end = start + rng.choice([0, 0, 1, 2])
                school_id = rng.choice(schools) if schools and rng.random() < 0.25 else None
                status = rng.choice(["approved", "approved", "draft", "archived"])
                act_id = None
                if status == "approved":
                    act_id = len(acts) + 1
                    acts.append(
                        (act_id, "order", str(roadmap_id), f"{start}-01-20",
                         "Об утверждении дорожной карты", "", "", "signed", m_id, m_id,
                         *ACT_BLANKS.values())
                    )  # fmt: skip
                years = f"на {start} год" if start == end else f"на {start}–{end} годы"
                base_title = (
                    SCHOOL_ROADMAP_TITLE if school_id else ROADMAP_TITLES[n % len(ROADMAP_TITLES)]
                )
                title = f"{base_title} {years}"
                if school_id:
                    title = f"{title} ({school_names[school_id]})"
                key = (m_id, title, start, end)
                if key in titles:
                    title = f"{title}, редакция {len(titles)}"
                titles.add((m_id, title, start, end))
                roadmaps.append(
                    (roadmap_id, title, f"{start}-01-01", f"{end}-12-31", "", "", "", "", "",
                     "", "school" if school_id else "municipal", status, "", act_id, m_id,
                     school_id)
                )  # fmt: skip
        base, extra = divmod(options["measures"], len(roadmaps))
        for roadmap in roadmaps:
            roadmap_id, start, end = roadmap[0], int(roadmap[2][:4]), int(roadmap[3][:4])
            m_id, school_id = roadmap[14], roadmap[15]
            period = (date(start, 1, 1), date(end, 12, 31))
            first_section = len(sections) + 1
            for position, title in enumerate(SECTIONS, start=1):
                sections.append((len(sections) + 1, position, f"{position}.", title, roadmap_id))
            count = base + (1 if roadmap_id <= extra else 0)
            for position in range(1, count + 1):
                measure_id = len(measures) + 1
                section = (position - 1) * len(SECTIONS) // count
                text = rng.choice(DEADLINES).format(y=start)
                deadline = _deadline(text, period)
                names_schools = school_id is None and rng.random() < 0.1
                measures.append(
                    (measure_id, position, f"{section + 1}.{position}", rng.choice(MEASURES),
                     rng.choice(OWNERS), text,
                     *(getattr(deadline, name) for name in DEADLINE_FIELDS),
                     False, rng.choice(RESULTS), not names_schools, roadmap_id,
                     first_section + section, 1)
                )  # fmt: skip
                occurrences += [
                    (len(occurrences) + n, measure_id, day, "due", False)
                    for n, day in enumerate(deadline.due_dates, start=1)
                ]
                if names_schools:
                    candidates = by_municipality.get(m_id, [])
                    for named_school in rng.sample(candidates, min(len(candidates), 2)):
                        named.append((len(named) + 1, measure_id, named_school))
        return {
            "measures_legalact": _copy(
                "measures_legalact",
                [
                    "id",
                    "kind",
                    "number",
                    "date",
                    "title",
                    "signatory_name",
                    "signatory_position",
                    "status",
                    "issuer_id",
                    "municipality_id",
                    *ACT_BLANKS,
                ],
                acts,
            ),
            "measures_roadmap": _copy(
                "measures_roadmap",
                [
                    "id",
                    "title",
                    "starts_on",
                    "ends_on",
                    "goal",
                    "tasks",
                    "expected_results",
                    "legal_basis",
                    "developers",
                    "control",
                    "level",
                    "status",
                    "appendix_number",
                    "approved_by_id",
                    "municipality_id",
                    "school_id",
                ],
                roadmaps,
            ),
            "measures_section": _copy(
                "measures_section", ["id", "position", "number", "title", "roadmap_id"], sections
            ),
            "measures_measure": _copy(
                "measures_measure",
                [
                    "id",
                    "position",
                    "number",
                    "title",
                    "owners_text",
                    "deadline_text",
                    *(f"deadline_{name}" for name in DEADLINE_FIELDS),
                    "deadline_corrected",
                    "planned_result",
                    "all_designated_schools",
                    "roadmap_id",
                    "section_id",
                    "version",
                ],
                measures,
            ),
            # the due dates of the readings (no quarterly notes, as before)
            "measures_occurrence": _copy(
                "measures_occurrence",
                ["id", "measure_id", "due_on", "kind", "retired"],
                occurrences,
            ),
            "measures_measure_schools": _copy(
                "measures_measure_schools", ["id", "measure_id", "school_id"], named
            ),
        }

    def _logins(self) -> dict[str, str]:
        """Five accounts to log in as, appointed through the service like real people."""
        ContentType.objects.clear_cache()
        municipality = (
            Municipality.objects.annotate(count=Count("roadmaps")).order_by("-count", "pk").first()
        )
        schools = School.objects.filter(municipality=municipality).order_by("pk")
        school = (
            schools.filter(designations__isnull=False, roadmaps__isnull=False).first()
            or schools.filter(designations__isnull=False).first()
            or schools.first()
        )
        targets = {
            "coordinator": municipality,
            "working_group": municipality,
            "director": school,
            "regional_viewer": municipality.region,
        }
        result = {}
        for username, role in LOGINS.items():
            user = User.objects.create_user(
                username, f"{username}@example.org", PASSWORD, is_superuser=role == "admin",
                is_staff=role == "admin",
            )  # fmt: skip
            if role == "admin":
                result[username] = "администратор портала"
                continue
            target = targets[role]
            appoint(user=user, role=role, target=target)
            result[username] = f"{role}: {target}"
        return result


_DEADLINES: dict[tuple[str, tuple[date, date]], object] = {}


def _deadline(text: str, period: tuple[date, date]):
    key = (text, period)
    if key not in _DEADLINES:
        _DEADLINES[key] = parse_deadline(text, period)
    return _DEADLINES[key]
