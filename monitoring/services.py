"""Writes of monitoring: values (entered one by one or from a table). The catalogue's and the
stages' writes sit beside them here; the table import's in monitoring/importing.py."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from monitoring.models import Indicator, IndicatorValue, MonitoringStage, ValuesImport
from monitoring.values import ValueRefused
from roadmap_portal.concurrency import StaleEdit, last_change
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
