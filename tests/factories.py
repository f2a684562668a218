"""Factories for test data (the demo JSON in fixtures/ is for people, not for tests)."""

from datetime import date

import factory
from django.contrib.auth.models import User

from measures.models import LegalAct, Measure, Occurrence, Report, Roadmap, Section
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
