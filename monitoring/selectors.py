"""Who reads and who changes indicators, stages and values: one helper per model.

- The catalogue, stages and values of a municipality are read by those who read the
  municipality in full (coordinators, working group, regional viewer, admin) and by its
  directors; a director reads only their own schools' values (and the municipality's own).
- The coordinator (and the admin) changes the catalogue and stages, imports tables, and
  enters a value of any school of the municipality; a director enters their own school's.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from measures.models import Roadmap
from monitoring.models import (
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    MonitoringStage,
    ValuesImport,
)
from schools.models import Municipality, Region, School
from schools.selectors import (
    coordinated_municipalities,
    coordinates,
    director_schools,
    viewed_regions,
    visible_municipalities,
)

User = AbstractBaseUser | AnonymousUser


def monitoring_municipalities(user: User) -> QuerySet[Municipality]:
    """Municipalities whose catalogue the user reads: read in full, or a director's own."""
    own = director_schools(user).values("municipality_id")
    return Municipality.objects.filter(
        Q(pk__in=visible_municipalities(user).values("pk")) | Q(pk__in=own)
    ).select_related("region")


def get_monitoring_municipality(user: User, pk: int) -> Municipality:
    municipality = monitoring_municipalities(user).filter(pk=pk).first()
    if municipality is None:
        raise Http404(_("Муниципалитет не найден"))
    return municipality


def get_coordinated_municipality(user: User, pk: int) -> Municipality:
    """404 for a municipality the user cannot read, 403 for one they read but do not coordinate."""
    municipality = get_monitoring_municipality(user, pk)
    if not coordinates(user, municipality.pk):
        raise PermissionDenied(
            _("Показатели, этапы и загрузку значений ведёт координатор муниципалитета.")
        )
    return municipality


def indicators_in(municipality: Municipality) -> QuerySet[Indicator]:
    """The catalogue of a municipality, with targets by year and linked roadmaps."""
    return (
        Indicator.objects.filter(municipality=municipality)
        .prefetch_related(
            Prefetch("targets", queryset=IndicatorTarget.objects.order_by("year")),
            "roadmaps",
        )
        .order_by("code")
    )


def get_indicator_for_user(user: User, pk: int) -> Indicator:
    indicator = (
        Indicator.objects.filter(
            pk=pk, municipality__in=monitoring_municipalities(user).values("pk")
        )
        .select_related("municipality__region")
        .first()
    )
    if indicator is None:
        raise Http404(_("Показатель не найден"))
    return indicator


def get_indicator_for_coordination(user: User, pk: int) -> Indicator:
    indicator = get_indicator_for_user(user, pk)
    if not coordinates(user, indicator.municipality_id):
        raise PermissionDenied(_("Изменять показатель может только координатор муниципалитета."))
    return indicator


def stages_in(municipality: Municipality) -> QuerySet[MonitoringStage]:
    """The stages in reading order: by year, then entry, interim, final (their windows)."""
    return MonitoringStage.objects.filter(municipality=municipality).order_by("year", "starts_on")


def get_stage_for_coordination(user: User, pk: int) -> MonitoringStage:
    stage = (
        MonitoringStage.objects.filter(
            pk=pk, municipality__in=monitoring_municipalities(user).values("pk")
        )
        .select_related("municipality")
        .first()
    )
    if stage is None:
        raise Http404(_("Этап мониторинга не найден"))
    if not coordinates(user, stage.municipality_id):
        raise PermissionDenied(_("Этапы мониторинга ведёт координатор муниципалитета."))
    return stage


def reads_all_schools(user: User, municipality_id: int) -> bool:
    """Whether the user reads every school's values of the municipality (not only a director's)."""
    return visible_municipalities(user).filter(pk=municipality_id).exists()


def values_seen_by(user: User, municipality: Municipality) -> QuerySet[IndicatorValue]:
    """Values of the municipality the user reads: all of them, or a director's own schools'
    and the municipality's own (school empty)."""
    rows = IndicatorValue.objects.filter(municipality=municipality)
    if reads_all_schools(user, municipality.pk):
        return rows
    own = director_schools(user).filter(municipality=municipality).values("pk")
    return rows.filter(Q(school__in=own) | Q(school__isnull=True))


def entry_schools(user: User, municipality: Municipality) -> QuerySet[School]:
    """Schools whose values the user enters: all of the municipality for its coordinator,
    a director's own."""
    if coordinates(user, municipality.pk):
        return School.objects.filter(municipality=municipality)
    return director_schools(user).filter(municipality=municipality)


def may_enter(user: User, indicator: Indicator, school: School | None) -> bool:
    """Whether the user may enter this value: the coordinator any of the municipality
    (a school's or the municipality's own), a director only their school's."""
    if coordinates(user, indicator.municipality_id):
        return True
    if school is None:
        return False
    return (
        director_schools(user).filter(pk=school.pk, municipality=indicator.municipality_id).exists()
    )


def imports_in(municipality: Municipality) -> QuerySet[ValuesImport]:
    return ValuesImport.objects.filter(municipality=municipality).select_related(
        "stage", "created_by", "confirmed_by"
    )


def get_import_for_coordination(user: User, pk: int) -> ValuesImport:
    record = (
        ValuesImport.objects.filter(
            pk=pk, municipality__in=coordinated_municipalities(user).values("pk")
        )
        .select_related("stage", "municipality")
        .first()
    )
    if record is None:
        raise Http404(_("Загрузка не найдена"))
    return record


def get_region_for_dashboard(user: User, pk: int) -> Region:
    """A region the user reads whole; 403 for one where they read only a municipality (its
    dashboard is theirs), 404 otherwise."""
    region = viewed_regions(user).filter(pk=pk).first()
    if region is not None:
        return region
    if visible_municipalities(user).filter(region=pk).exists():
        raise PermissionDenied(
            _("Панель региона открыта наблюдателям региона. Откройте панель своего муниципалитета.")
        )
    raise Http404(_("Регион не найден"))


def get_school_for_monitoring(user: User, pk: int) -> School:
    """A school whose values the user reads: of a municipality read in full, or a director's
    own; 404 otherwise."""
    school = School.objects.filter(pk=pk).select_related("municipality__region").first()
    if school is None or not (
        reads_all_schools(user, school.municipality_id)
        or director_schools(user).filter(pk=school.pk).exists()
    ):
        raise Http404(_("Школа не найдена"))
    return school


def current_stage(stages: list[MonitoringStage], today: date) -> MonitoringStage | None:
    """The stage a value is entered for by default: the one whose window holds today, else
    the latest started, else the first."""
    for stage in stages:
        if stage.starts_on <= today <= stage.ends_on:
            return stage
    started = [s for s in stages if s.starts_on <= today]
    if started:
        return max(started, key=lambda s: (s.starts_on, s.pk))
    return stages[0] if stages else None


def approved_roadmaps(municipality_ids: Iterable[int] | QuerySet) -> QuerySet[Roadmap]:
    """The roadmaps dashboards count: approved, not a draft of changes, newest first."""
    keys = municipality_ids if isinstance(municipality_ids, QuerySet) else list(municipality_ids)
    return Roadmap.objects.filter(
        municipality__in=keys,
        status=Roadmap.Status.APPROVED,
        amends__isnull=True,
    ).order_by("-starts_on", "pk")
