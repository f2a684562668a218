"""What a user may see and change, read from django-guardian object permissions.

Querysets, never per-row checks: a list shows only what these return."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.auth.models import User as AuthUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import BigIntegerField, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from django.http import Http404
from django.utils.translation import gettext as _
from guardian.models import GroupObjectPermission, UserObjectPermission

from schools.models import Appointment, Municipality, Organisation, Region, School

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


def get_municipality_for_coordination(user: User, pk: int) -> Municipality:
    """404 for a municipality the user cannot see, 403 for one they see but do not coordinate."""
    municipality = visible_municipalities(user).filter(pk=pk).select_related("region").first()
    if municipality is None:
        raise Http404("Муниципалитет не найден")
    if not coordinated_municipalities(user).filter(pk=pk).exists():
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
