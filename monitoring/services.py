"""Writes of monitoring: values (entered one by one or from a table). The catalogue's and the
stages' writes sit beside them here; the table import's in monitoring/importing.py."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from measures.models import Measure, Roadmap
from monitoring.models import (
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    MonitoringStage,
    ValuesImport,
)
from monitoring.values import ValueRefused
from roadmap_portal.concurrency import StaleEdit, last_change, lock_for_update
from schools.models import School


def check_place(indicator: Indicator, stage: MonitoringStage, school: School | None) -> None:
    """ValueRefused unless the value fits: the stage and the school are of the indicator's
    municipality, a school's indicator has a school and a municipality's has none."""
    if stage.municipality_id != indicator.municipality_id:
        raise ValueRefused(_("Этап мониторинга относится к другому муниципалитету."))
    if indicator.level == Indicator.Level.SCHOOL:
        if school is None:
            raise ValueRefused(_("Это показатель школы: укажите школу."))
        if school.municipality_id != indicator.municipality_id:
            raise ValueRefused(
                _("Школа «%(school)s» — из другого муниципалитета.") % {"school": school}
            )
    elif school is not None:
        raise ValueRefused(_("Это показатель муниципалитета: значение вносится без школы."))


@transaction.atomic
def set_value(
    *,
    user: AbstractBaseUser | None,
    indicator: Indicator,
    stage: MonitoringStage,
    school: School | None,
    value: Decimal,
    source: str,
    measured_on: date,
    expected_version: int | None = None,
    values_import: ValuesImport | None = None,
) -> IndicatorValue:
    """Create or change the value of (indicator, school, stage). `expected_version` is the
    version the form was opened on (0 for a value that did not exist then): StaleEdit when
    someone saved it meanwhile, nothing saved. A save that changes nothing keeps the version.
    The caller has checked the value against the unit (monitoring.values.parse_value) and the
    user's right to enter it (monitoring.selectors.may_enter)."""
    check_place(indicator, stage, school)
    row = (
        IndicatorValue.objects.select_for_update()
        .filter(indicator=indicator, school=school, stage=stage)
        .first()
    )
    if row is None:
        if expected_version:
            # it was there when the form was opened and was deleted since
            raise ValueRefused(_("Это значение тем временем удалили. Откройте форму заново."))
        try:
            with transaction.atomic():
                return IndicatorValue.objects.create(
                    indicator=indicator,
                    municipality_id=indicator.municipality_id,
                    school=school,
                    stage=stage,
                    value=value,
                    source=source,
                    measured_on=measured_on,
                    values_import=values_import,
                    updated_by=user,
                )
        except IntegrityError:
            # a concurrent first entry won the unique constraint: read it as a stale edit
            row = IndicatorValue.objects.filter(
                indicator=indicator, school=school, stage=stage
            ).first()
            if row is None:
                raise
            raise StaleEdit(row, last_change(row)) from None
    if expected_version is not None and row.version != expected_version:
        raise StaleEdit(row, last_change(row))
    new = (value, source, measured_on)
    if (row.value, row.source, row.measured_on) == new:
        return row
    row.value, row.source, row.measured_on = new
    row.values_import = values_import
    row.updated_by = user
    row.version += 1
    row.save()
    return row


@transaction.atomic
def delete_value(*, row: IndicatorValue, expected_version: int | None) -> None:
    current = IndicatorValue.objects.select_for_update().filter(pk=row.pk).first()
    if current is None:
        return
    if expected_version is not None and current.version != expected_version:
        raise StaleEdit(current, last_change(current))
    current.delete()


# --- catalogue and stages ---------------------------------------------------------------------


def _indicator_links_problem(
    indicator: Indicator, roadmaps: Sequence[Roadmap], measures: Sequence[Measure]
) -> str:
    if any(r.municipality_id != indicator.municipality_id for r in roadmaps):
        return _("Дорожная карта относится к другому муниципалитету.")
    if any(m.roadmap.municipality_id != indicator.municipality_id for m in measures):
        return _("Мероприятие относится к дорожной карте другого муниципалитета.")
    return ""


@transaction.atomic
def indicator_save(
    *,
    indicator: Indicator,
    roadmaps: Sequence[Roadmap],
    measures: Sequence[Measure],
    targets: Sequence[tuple[int, Decimal]],
    expected_version: int | None = None,
) -> Indicator:
    """Create the indicator (no pk yet) or change it, with its linked roadmaps and measures and
    its targets by year (replacing the ones it had): all of it or nothing.

    ValidationError (Russian, by field) for a code already in the municipality, links to
    another municipality, or a changed unit or level while values exist (they would read in
    the wrong unit). StaleEdit when the indicator changed after the form was opened on
    `expected_version`. The version grows only when something changed."""
    problem = _indicator_links_problem(indicator, roadmaps, measures)
    if problem:
        raise ValidationError(problem)
    duplicate = Indicator.objects.filter(
        municipality_id=indicator.municipality_id, code__iexact=indicator.code
    ).exclude(pk=indicator.pk)
    if duplicate.exists():
        raise ValidationError(
            {"code": _("Показатель с кодом «%(code)s» в муниципалитете уже есть.")
             % {"code": indicator.code}}
        )  # fmt: skip
    targets = sorted(targets)
    if indicator.pk is None:
        changed = True
    else:
        current = lock_for_update(indicator, expected_version)
        if current.values.exists():
            for name, label in (("unit", _("единицу измерения")), ("level", _("уровень"))):
                if getattr(current, name) != getattr(indicator, name):
                    raise ValidationError(
                        {name: _("Нельзя изменить %(what)s: по показателю уже внесены значения "
                                 "(%(count)s), они потеряли бы смысл. Создайте новый показатель "
                                 "или сначала удалите значения.")
                         % {"what": label, "count": current.values.count()}}
                    )  # fmt: skip
        fields = [f.attname for f in Indicator._meta.concrete_fields]
        fields = [f for f in fields if f not in ("version", "updated_at")]
        changed = (
            any(getattr(current, f) != getattr(indicator, f) for f in fields)
            or set(current.roadmaps.values_list("pk", flat=True)) != {r.pk for r in roadmaps}
            or set(current.measures.values_list("pk", flat=True)) != {m.pk for m in measures}
            or list(current.targets.order_by("year").values_list("year", "target")) != targets
        )
        indicator.version = current.version + 1 if changed else current.version
    if not changed:
        return indicator
    try:
        with transaction.atomic():
            indicator.save()
    except IntegrityError:  # a concurrent save took the code
        raise ValidationError(
            {"code": _("Показатель с кодом «%(code)s» в муниципалитете уже есть.")
             % {"code": indicator.code}}
        ) from None  # fmt: skip
    indicator.roadmaps.set(roadmaps)
    indicator.measures.set(measures)
    kept = [year for year, _target in targets]
    indicator.targets.exclude(year__in=kept).delete()
    for year, target in targets:
        IndicatorTarget.objects.update_or_create(
            indicator=indicator, year=year, defaults={"target": target}
        )
    return indicator


@transaction.atomic
def indicator_delete(*, indicator: Indicator) -> None:
    """The indicator with its targets and values (the history of changes keeps them)."""
    indicator.delete()


@transaction.atomic
@transaction.atomic
def stage_save(*, stage: MonitoringStage) -> MonitoringStage:
    """Create or change a stage; ValidationError (by field) for a second stage of the same
    kind in the year, a window that ends before it starts, a roadmap of another municipality."""
    if stage.ends_on < stage.starts_on:
        raise ValidationError({"ends_on": _("Окончание окна раньше его начала.")})
    if stage.roadmap_id and stage.roadmap.municipality_id != stage.municipality_id:
        raise ValidationError({"roadmap": _("Дорожная карта другого муниципалитета.")})
    if stage.pk:
        before = MonitoringStage.objects.select_for_update().get(pk=stage.pk)
        moved = (before.kind, before.year) != (stage.kind, stage.year)
        if moved and before.values.exists():
            raise ValidationError(
                {"year": _("У этапа уже есть значения показателей: менять его вид и год нельзя "
                           "(значения оказались бы в другом году). Можно изменить окно.")}
            )  # fmt: skip
    twin = MonitoringStage.objects.filter(
        municipality_id=stage.municipality_id, kind=stage.kind, year=stage.year
    ).exclude(pk=stage.pk)
    message = _("%(stage)s за %(year)s год уже есть: у муниципалитета один такой этап в году.")
    if twin.exists():
        raise ValidationError(
            {"kind": message % {"stage": stage.get_kind_display(), "year": stage.year}}
        )
    try:
        with transaction.atomic():
            stage.save()
    except IntegrityError:
        raise ValidationError(
            {"kind": message % {"stage": stage.get_kind_display(), "year": stage.year}}
        ) from None
    return stage


@transaction.atomic
def stage_delete(*, stage: MonitoringStage) -> None:
    """ValidationError when values were measured at the stage: they keep it (PROTECT)."""
    count = stage.values.count()
    if count:
        raise ValidationError(
            _("Этап «%(stage)s» нельзя удалить: к нему относятся значения показателей "
              "(%(count)s). Сначала удалите или перенесите их.")
            % {"stage": stage, "count": count}
        )  # fmt: skip
    try:
        with transaction.atomic():
            stage.delete()
    except ProtectedError:
        raise ValidationError(
            _("Этап «%(stage)s» нельзя удалить: к нему только что внесли значения.")
            % {"stage": stage}
        ) from None
