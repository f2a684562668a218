"""Factories for test data (the demo JSON in fixtures/ is for people, not for tests)."""

from dataclasses import dataclass
from datetime import date

import factory
from django.contrib.auth.models import User

from measures.models import LegalAct, Measure, Occurrence, Report, Roadmap, Section
from monitoring.models import Indicator, MonitoringStage
from schools.models import Municipality, Organisation, Person, Region, School, WorkingGroup


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    name = factory.Sequence(lambda n: f"Регион {n}")


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality

    region = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"Муниципальный район {n}")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = Organisation.Kind.AUTHORITY
    municipality = factory.SubFactory(MunicipalityFactory)
    region = factory.SelfAttribute("municipality.region")
    name = factory.Sequence(lambda n: f"Управление образования {n}")


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School

    municipality = factory.SubFactory(MunicipalityFactory)
    short_name = factory.Sequence(lambda n: f"МКОУ СОШ № {n}")
    name = factory.LazyAttribute(lambda o: f"Школа {o.short_name}")


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    municipality = factory.SubFactory(MunicipalityFactory)
    short_name = factory.Sequence(lambda n: f"Иванов{n} И.И.")


class WorkingGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingGroup

    municipality = factory.SubFactory(MunicipalityFactory)
    title = "Рабочая группа"
    year = 2022


class LegalActFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalAct

    issuer = factory.SubFactory(OrganisationFactory)
    municipality = factory.SelfAttribute("issuer.municipality")
    number = factory.Sequence(str)
    date = date(2022, 2, 22)
    title = "Об утверждении дорожной карты"
    status = LegalAct.Status.SIGNED


class RoadmapFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Roadmap

    municipality = factory.SubFactory(MunicipalityFactory)
    title = factory.Sequence(lambda n: f"Дорожная карта {n}")
    starts_on = date(2022, 1, 1)
    ends_on = date(2022, 12, 31)


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    roadmap = factory.SubFactory(RoadmapFactory)
    position = factory.Sequence(lambda n: n + 1)
    number = factory.LazyAttribute(lambda o: f"{o.position}.")
    title = factory.Sequence(lambda n: f"Раздел {n}")


class MeasureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Measure

    roadmap = factory.SubFactory(RoadmapFactory)
    position = factory.Sequence(lambda n: n + 1)
    number = factory.Sequence(lambda n: f"1.{n}")
    title = factory.Sequence(lambda n: f"Мероприятие {n}")
    owners_text = "Отдел образования"
    deadline_text = "Февраль 2022г."
    planned_result = "Результат"


class OccurrenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Occurrence

    measure = factory.SubFactory(MeasureFactory)
    due_on = date(2022, 2, 28)


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Report

    occurrence = factory.SubFactory(OccurrenceFactory)
    school = factory.SubFactory(SchoolFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("пароль-для-теста")


# --- a tenant: a municipality with its people, schools and a roadmap, ready for a test -------

HOME = "Тестовый муниципальный район"  # the tenant of `tenants` (conftest.py)
OTHER = "Тестовый городской округ"  # a municipality of another region: a foreign tenant


@dataclass
class Tenant:
    """A municipality as the portal knows it after a roadmap was imported and people appointed:
    its education authority, two schools designated for the roadmap's year (the director's one
    first), a roadmap of two sections whose measures have control dates, and users in roles."""

    municipality: Municipality
    authority: Organisation
    schools: list[School]
    roadmap: Roadmap
    sections: list[Section]
    measures: list[Measure]
    coordinator: User
    working_group: User
    director: User | None


def appointed(username: str, role: str, target, **fields) -> User:
    """A user with an e-mail of their login, appointed to a role on the target."""
    from schools.services import appoint

    user = UserFactory(username=username, email=f"{username}@example.org", **fields)
    appoint(user=user, role=role, target=target)
    return user


# (number, title, owners, deadline) of each section's measures: one date, quarterly, monthly
MEASURES = [
    ("1. Анализ результатов", [
        ("1.1", "Анализ результатов оценочных процедур", "Отдел образования", "Февраль 2022г."),
        ("1.2", "Совещание с руководителями школ", "Отдел образования", "Ежеквартально"),
    ]),
    ("2. Методическая помощь школам", [
        ("2.1", "Семинар для учителей математики", "Руководители ОО", "Апрель 2022г."),
    ]),
]  # fmt: skip


def tenant(
    name: str,
    *,
    region: Region | None = None,
    coordinator: str,
    working_group: str,
    director: str | None = None,
    year: int = 2022,
) -> Tenant:
    from measures.editions import ensure_recorded
    from measures.services import measure_save
    from schools.models import SchoolDesignation

    municipality = MunicipalityFactory(name=name, **({"region": region} if region else {}))
    authority = OrganisationFactory(
        municipality=municipality,
        name="Отдел образования администрации",
        short_name="Отдел образования",
    )
    schools = [
        SchoolFactory(municipality=municipality, short_name=f"МКОУ СОШ № {n}") for n in (1, 2)
    ]
    for school in schools:
        SchoolDesignation.objects.create(school=school, kind="low_results", year=year)
    act = LegalActFactory(issuer=authority, number="15", date=date(year, 2, 1))
    roadmap = RoadmapFactory(
        municipality=municipality,
        title=f"Дорожная карта по повышению качества образования на {year} год",
        starts_on=date(year, 1, 1),
        ends_on=date(year, 12, 31),
        approved_by=act,  # approved below, once its content is written (only a draft's is)
    )
    sections, measures, position = [], [], 0
    for number_title, rows in MEASURES:
        number, title = number_title.split(" ", 1)
        section = SectionFactory(roadmap=roadmap, number=number, title=title)
        sections.append(section)
        for number, title, owners, deadline in rows:
            position += 1
            measure = MeasureFactory(
                roadmap=roadmap, section=section, position=position, number=number,
                title=title, owners_text=owners, deadline_text=deadline,
            )  # fmt: skip
            measures.append(measure_save(measure=measure))  # the deadline's control dates
    roadmap.status = Roadmap.Status.APPROVED
    roadmap.save(update_fields=["status"])
    ensure_recorded(roadmap)
    coordinator_user = appointed(
        coordinator,
        "coordinator",
        municipality,
        first_name="Муниципальный",
        last_name="координатор",
    )
    working_group_user = appointed(
        working_group, "working_group", municipality, first_name="Член", last_name="рабочей группы"
    )
    director_user = (
        appointed(director, "director", schools[0], first_name="Директор", last_name="школы")
        if director
        else None
    )
    # each user is a person of the registry, with a position, as an import's owners text names
    for user, position, place in [
        (coordinator_user, "Главный специалист", {"organisation": authority}),
        (working_group_user, "Методист", {"organisation": authority}),
        (director_user, "Директор", {"school": schools[0]}),
    ]:
        if user is not None:
            person = PersonFactory(
                municipality=municipality, short_name=f"{user.username.capitalize()} А.А.",
                position=position, email=user.email, user=user, **place,
            )  # fmt: skip
            if "school" in place:
                schools[0].director = person
                schools[0].save(update_fields=["director"])
    return Tenant(
        municipality=municipality,
        authority=authority,
        schools=schools,
        roadmap=roadmap,
        sections=sections,
        measures=measures,
        coordinator=coordinator_user,
        working_group=working_group_user,
        director=director_user,
    )


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    municipality = factory.SubFactory(MunicipalityFactory)
    code = factory.Sequence(lambda n: f"vpr-{n}")
    title = factory.Sequence(lambda n: f"Доля участников ВПР, подтвердивших отметки ({n})")
    unit = Indicator.Unit.PERCENT
    direction = Indicator.Direction.HIGHER
    level = Indicator.Level.SCHOOL


class MonitoringStageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MonitoringStage

    municipality = factory.SubFactory(MunicipalityFactory)
    kind = MonitoringStage.Kind.ENTRY
    year = 2025
    starts_on = factory.LazyAttribute(lambda o: date(o.year, 9, 1))
    ends_on = factory.LazyAttribute(lambda o: date(o.year, 10, 15))
