"""What a user may see and change, read from django-guardian object permissions.

Querysets, never per-row checks: a list shows only what these return."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.models import User as AuthUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import (
    BigIntegerField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from guardian.models import GroupObjectPermission, UserObjectPermission

from measures.models import Measure
from schools.models import (
    Appointment,
    Municipality,
    Organisation,
    Person,
    Region,
    School,
    WorkingGroup,
    WorkingGroupMember,
)

User = AbstractBaseUser | AnonymousUser


def _active(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active)


def _objects(user: User, permission: str, klass: type) -> QuerySet:
    """Objects on which the user holds `permission` (django-guardian object permissions, their
    own or a group's). The user's few permission rows are read through the user's index and the
    objects by primary key; guardian's get_objects_for_user compares every object's key cast to
    text, which reads the whole table (all 40,613 schools for one director)."""
    codename = permission.split(".", 1)[1]
    rows = {
        "permission__codename": codename,
        "permission__content_type": ContentType.objects.get_for_model(klass),
    }
    key = Cast("object_pk", BigIntegerField())
    own = UserObjectPermission.objects.filter(user=user, **rows).annotate(key=key)
    grouped = GroupObjectPermission.objects.filter(group__user=user, **rows).annotate(key=key)
    return klass.objects.filter(pk__in=own.values("key").union(grouped.values("key")))


def visible_municipalities(user: User) -> QuerySet[Municipality]:
    """Municipalities whose data the user reads in full (not a director's: see director_schools)."""
    if not _active(user):
        return Municipality.objects.none()
    if user.is_superuser:
        return Municipality.objects.all()
    direct = _objects(user, "schools.view_municipality", Municipality).values("pk")
    regions = _objects(user, "schools.view_region", Region).values("pk")
    in_regions = Municipality.objects.filter(region__in=regions).values("pk")
    return Municipality.objects.filter(pk__in=direct.union(in_regions))


def viewed_regions(user: User) -> QuerySet[Region]:
    """Regions the user reads whole (a regional viewer's; every region for the admin)."""
    if not _active(user):
        return Region.objects.none()
    if user.is_superuser:
        return Region.objects.all()
    return _objects(user, "schools.view_region", Region)


def coordinated_municipalities(user: User) -> QuerySet[Municipality]:
    if not _active(user):
        return Municipality.objects.none()
    if user.is_superuser:
        return Municipality.objects.all()
    return _objects(user, "schools.coordinate_municipality", Municipality)


def reviewed_municipalities(user: User) -> QuerySet[Municipality]:
    """Municipalities whose school reports the user reviews: its working group and coordinators."""
    if not _active(user):
        return Municipality.objects.none()
    if user.is_superuser:
        return Municipality.objects.all()
    return _objects(user, "schools.review_reports", Municipality)


def director_schools(user: User) -> QuerySet[School]:
    if not _active(user) or user.is_superuser:
        return School.objects.none()
    return _objects(user, "schools.report_for_school", School)


def get_municipality_for_user(user: User, pk: int) -> Municipality:
    """A municipality the user reads in full, or 404."""
    municipality = visible_municipalities(user).filter(pk=pk).select_related("region").first()
    if municipality is None:
        raise Http404("Муниципалитет не найден")
    return municipality


def coordinates(user: User, municipality_id: int) -> bool:
    """Whether the user coordinates the municipality: changes its roadmaps and registry,
    appoints its people. The one test for every such page and control."""
    return coordinated_municipalities(user).filter(pk=municipality_id).exists()


def get_municipality_for_coordination(user: User, pk: int) -> Municipality:
    """404 for a municipality the user cannot see, 403 for one they see but do not coordinate."""
    municipality = visible_municipalities(user).filter(pk=pk).select_related("region").first()
    if municipality is None:
        raise Http404("Муниципалитет не найден")
    if not coordinates(user, pk):
        raise PermissionDenied(_("Назначать людей может только координатор муниципалитета."))
    return municipality


def appointments_in(municipality: Municipality) -> QuerySet[Appointment]:
    """Roles on the municipality and on its schools: the two kinds are looked up by their own
    indexes and united (an OR over the school's municipality hash-joined every school of the
    country with every appointment)."""
    on_municipality = Appointment.objects.filter(municipality=municipality).values("pk")
    on_schools = Appointment.objects.filter(
        school__in=School.objects.filter(municipality=municipality).values("pk")
    ).values("pk")
    return (
        Appointment.objects.filter(pk__in=on_municipality.union(on_schools))
        .select_related("user", "school", "municipality", "user__person")
        .order_by("role", "user__last_name", "user__username", "pk")
    )


def appointable_users(municipality: Municipality) -> QuerySet[AuthUser]:
    """Accounts a coordinator of `municipality` may appoint by username: active ones that hold
    no role anywhere else (new accounts and people already working here). Whether a login
    exists in another municipality is not theirs to learn, so such a login is treated as
    unknown."""
    here = Q(municipality=municipality) | Q(school__municipality=municipality)
    elsewhere = Appointment.objects.filter(~here, user=OuterRef("pk"))
    return AuthUser.objects.filter(is_active=True, is_superuser=False).exclude(Exists(elsewhere))


def get_school_for_user(user: User, pk: int) -> School:
    """A school the user directs, or one of a municipality they read in full; else 404."""
    school = (
        School.objects.filter(
            Q(pk__in=director_schools(user).values("pk"))
            | Q(municipality__in=visible_municipalities(user).values("pk"))
        )
        .filter(pk=pk)
        .select_related("municipality")
        .first()
    )
    if school is None:
        raise Http404("Школа не найдена")
    return school


def organisations_serving(municipality: Municipality) -> QuerySet[Organisation]:
    """Organisations that may own the municipality's measures, as a queryset: the rule of
    `schools.services.organisation_serves` (its own, regional bodies of its region, federal
    bodies)."""
    Kind = Organisation.Kind
    region = municipality.region_id
    return Organisation.objects.filter(
        Q(municipality=municipality)
        | Q(kind=Kind.FEDERAL_BODY)
        | Q(kind=Kind.REGIONAL_BODY, region=region)
        | Q(kind=Kind.REGIONAL_BODY, region__isnull=True, municipality__region=region)
    )


# --- The registry of a municipality: people, organisations, the working group ---------------


def sees_contacts(user: User, *, municipality: Municipality, school: School | None = None) -> bool:
    """Whether the user may read e-mail addresses and phones of the people of `municipality`
    (of `school`, on a school's page): those who work with them — its coordinators and working
    group (the reviewers of the municipality), the superuser, and a director for the people of
    their own school. The regional viewer reads the registry without contacts."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    works_here = Exists(reviewed_municipalities(user).filter(pk=municipality.pk))
    if school is not None:
        works_here |= Exists(director_schools(user).filter(pk=school.pk))
    return AuthUser.objects.filter(works_here, pk=user.pk).exists()  # one query


def persons_in(municipality: Municipality, search: str = "") -> QuerySet[Person]:
    """The municipality's people with their workplace and the counts of their roles: portal
    appointments, working-group memberships and measures they own (subqueries, one query)."""

    def count(queryset: QuerySet) -> Subquery:
        counted = queryset.order_by().annotate(one=Value(1)).values("one")
        return Coalesce(
            Subquery(counted.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0
        )

    people = Person.objects.filter(municipality=municipality)
    if search:
        people = people.filter(
            Q(short_name__icontains=search)
            | Q(full_name__icontains=search)
            | Q(position__icontains=search)
            | Q(organisation__name__icontains=search)
            | Q(school__short_name__icontains=search)
        )
    return (
        people.select_related("organisation", "school", "user")
        .annotate(
            appointment_count=count(Appointment.objects.filter(user=OuterRef("user"))),
            membership_count=count(WorkingGroupMember.objects.filter(person=OuterRef("pk"))),
            measure_count=count(Measure.owners.through.objects.filter(person=OuterRef("pk"))),
        )
        .order_by("short_name", "pk")
    )


def get_person_for_user(user: User, municipality_pk: int, pk: int) -> Person:
    """A person of a municipality the user reads in full, or 404."""
    municipality = get_municipality_for_user(user, municipality_pk)
    person = persons_in(municipality).filter(pk=pk).first()
    if person is None:
        raise Http404("Сотрудник не найден")
    return person


def organisations_in(municipality: Municipality, search: str = "") -> QuerySet[Organisation]:
    """Organisations serving the municipality, with the number of its people working there."""
    organisations = organisations_serving(municipality)
    if search:
        organisations = organisations.filter(
            Q(name__icontains=search) | Q(short_name__icontains=search)
        )
    people = Person.objects.filter(organisation=OuterRef("pk"), municipality=municipality)
    counted = people.order_by().annotate(one=Value(1)).values("one").annotate(n=Count("pk"))
    return organisations.annotate(
        person_count=Coalesce(Subquery(counted.values("n"), output_field=IntegerField()), 0)
    ).order_by("name", "pk")


def get_organisation_for_user(user: User, municipality_pk: int, pk: int) -> Organisation:
    """An organisation serving a municipality the user reads in full, or 404."""
    municipality = get_municipality_for_user(user, municipality_pk)
    organisation = organisations_in(municipality).filter(pk=pk).first()
    if organisation is None:
        raise Http404("Организация не найдена")
    return organisation


def working_groups_in(municipality: Municipality) -> QuerySet[WorkingGroup]:
    """The municipality's working groups, newest year first, with members in their order."""
    members = WorkingGroupMember.objects.select_related(
        "person__organisation", "person__school"
    ).order_by("position", "pk")
    return (
        WorkingGroup.objects.filter(municipality=municipality)
        .select_related("act__issuer")
        .prefetch_related(Prefetch("memberships", queryset=members))
        .order_by("-year")
    )


def get_member_for_user(user: User, municipality_pk: int, pk: int) -> WorkingGroupMember:
    """A member of a working group of a municipality the user reads in full, or 404."""
    municipality = get_municipality_for_user(user, municipality_pk)
    member = (
        WorkingGroupMember.objects.filter(group__municipality=municipality, pk=pk)
        .select_related("group", "person")
        .first()
    )
    if member is None:
        raise Http404("Член рабочей группы не найден")
    return member


def person_delete_consequences(person: Person) -> dict[str, list[str]]:
    """What deleting `person` would change (`unlinked`: links that go with them) and what
    stops it (`blocking`: rows that must name someone, changed first), in Russian."""
    from schools.models import PartnershipAgreement

    unlinked, blocking = [], []
    if count := person.measures.count():
        unlinked.append(
            ngettext(
                "ответственный в %(count)s мероприятии: связь будет снята, текст «ответственные "
                "исполнители» останется",
                "ответственный в %(count)s мероприятиях: связь будет снята, текст «ответственные "
                "исполнители» останется",
                count,
            )
            % {"count": count}
        )
    for school in person.directed_schools.all():
        unlinked.append(_("руководитель школы «%(school)s»: поле очистится") % {"school": school})
    if person.user_id:
        unlinked.append(
            _("учётная запись %(user)s останется со своими ролями") % {"user": person.user}
        )
    for member in person.memberships.select_related("group"):
        blocking.append(
            _("член рабочей группы %(year)s года: сначала выведите из состава")
            % {"year": member.group.year}
        )
    agreements = PartnershipAgreement.objects.filter(
        Q(mentor_director=person) | Q(supported_director=person)
    )
    for agreement in agreements:
        blocking.append(_("подписал(а) %(agreement)s") % {"agreement": agreement})
    return {"unlinked": unlinked, "blocking": blocking}


def organisation_delete_consequences(organisation: Organisation) -> dict[str, list[str]]:
    """As person_delete_consequences, for an organisation."""
    unlinked, blocking = [], []
    if count := organisation.people.count():
        unlinked.append(
            ngettext(
                "место работы %(count)s сотрудника: поле очистится",
                "место работы %(count)s сотрудников: поле очистится",
                count,
            )
            % {"count": count}
        )
    if count := organisation.measures.count():
        unlinked.append(
            ngettext(
                "ответственная в %(count)s мероприятии: связь будет снята",
                "ответственная в %(count)s мероприятиях: связь будет снята",
                count,
            )
            % {"count": count}
        )
    if count := organisation.legal_acts.count():
        blocking.append(
            ngettext(
                "издала %(count)s документ: документы должны сохранить издателя",
                "издала %(count)s документов: документы должны сохранить издателя",
                count,
            )
            % {"count": count}
        )
    return {"unlinked": unlinked, "blocking": blocking}
