"""What the roadmaps promise to move and what was measured: a catalogue of indicators per
municipality, their targets by year, the monitoring stages (входной, промежуточный, итоговый)
with their windows, the values per school or municipality, and the tables they come in by."""

import pghistory
from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from measures.models import Measure, Roadmap
from schools.models import Municipality, School

CODE_VALIDATOR = RegexValidator(
    r"^[0-9A-Za-zА-Яа-яЁё_.-]+$",
    _("Код — буквы, цифры, точка, дефис и подчёркивание, без пробелов."),
)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Indicator(models.Model):
    class Unit(models.TextChoices):
        PERCENT = "percent", _("%")
        COUNT = "count", _("ед.")
        POINTS = "points", _("баллы")
        PERCENTAGE_POINTS = "pp", _("п.п.")
        BOOLEAN = "boolean", _("да/нет")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("Чем больше, тем лучше")
        LOWER = "lower", _("Чем меньше, тем лучше")

    class Level(models.TextChoices):
        SCHOOL = "school", _("Школа")
        MUNICIPALITY = "municipality", _("Муниципалитет")

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("муниципалитет"),
        on_delete=models.CASCADE,
        related_name="indicators",
    )
    code = models.CharField(_("код"), max_length=50, validators=[CODE_VALIDATOR])
    title = models.TextField(_("название"))
    unit = models.CharField(_("единица измерения"), max_length=20, choices=Unit.choices)
    direction = models.CharField(_("направление"), max_length=10, choices=Direction.choices)
    level = models.CharField(_("уровень"), max_length=20, choices=Level.choices)
    baseline = models.DecimalField(
        _("базовое значение"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField(
        _("год базового значения"), null=True, blank=True
    )
    method = models.TextField(_("как измеряется"), blank=True)
    source = models.TextField(_("источник данных"), blank=True)
    roadmaps = models.ManyToManyField(
        Roadmap, verbose_name=_("дорожные карты"), blank=True, related_name="indicators"
    )
    measures = models.ManyToManyField(
        Measure,
        verbose_name=_("мероприятия"),
        blank=True,
        related_name="indicators",
        help_text=_("Мероприятия дорожной карты, которые служат этому показателю"),
    )
    version = models.PositiveIntegerField(_("версия"), default=1)
    updated_at = models.DateTimeField(_("изменён"), auto_now=True)

    class Meta:
        verbose_name = _("показатель")
        verbose_name_plural = _("показатели")
        ordering = ["municipality", "code"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "code"], name="indicator_unique_code"),
            models.CheckConstraint(
                condition=Q(baseline_year__isnull=True)
                | Q(baseline_year__gte=2000, baseline_year__lte=2100),
                name="indicator_baseline_year_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class IndicatorTarget(models.Model):
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("показатель"), on_delete=models.CASCADE, related_name="targets"
    )
    year = models.PositiveSmallIntegerField(_("год"))
    target = models.DecimalField(_("целевое значение"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("целевое значение показателя")
        verbose_name_plural = _("целевые значения показателей")
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="target_unique_year"),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="target_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year}: {self.target}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class MonitoringStage(models.Model):
    """A stage of monitoring in a year: its window is when values are measured and entered."""

    class Kind(models.TextChoices):
        ENTRY = "entry", _("Входной мониторинг")
        INTERIM = "interim", _("Промежуточный мониторинг")
        FINAL = "final", _("Итоговый мониторинг")

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("муниципалитет"),
        on_delete=models.CASCADE,
        related_name="monitoring_stages",
    )
    roadmap = models.ForeignKey(
        Roadmap,
        verbose_name=_("дорожная карта"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="monitoring_stages",
    )
    kind = models.CharField(_("этап"), max_length=20, choices=Kind.choices)
    year = models.PositiveSmallIntegerField(_("год"))
    starts_on = models.DateField(_("начало окна"))
    ends_on = models.DateField(_("окончание окна"))

    class Meta:
        verbose_name = _("этап мониторинга")
        verbose_name_plural = _("этапы мониторинга")
        ordering = ["starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "kind", "year"], name="stage_unique_kind_year"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="stage_window_order"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="stage_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}"

    @property
    def short(self) -> str:
        """«2025 · вход.»: a column's or a chart's label."""
        return f"{self.year} · {SHORT_KINDS[self.kind]}"


SHORT_KINDS = {
    MonitoringStage.Kind.ENTRY: _("вход."),
    MonitoringStage.Kind.INTERIM: _("промеж."),
    MonitoringStage.Kind.FINAL: _("итог."),
}


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class IndicatorValue(models.Model):
    """One measured value: of a school (or of the municipality, `school` empty) at a stage.

    `value` is the number as the unit reads it; yes/no is 1 or 0 (monitoring.values)."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("показатель"), on_delete=models.CASCADE, related_name="values"
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("муниципалитет"),
        on_delete=models.CASCADE,
        related_name="indicator_values",
    )
    school = models.ForeignKey(
        School,
        verbose_name=_("школа"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="indicator_values",
        help_text=_("Пусто — значение по муниципалитету"),
    )
    stage = models.ForeignKey(
        MonitoringStage,
        verbose_name=_("этап мониторинга"),
        on_delete=models.PROTECT,
        related_name="values",
    )
    value = models.DecimalField(_("значение"), max_digits=12, decimal_places=2)
    source = models.CharField(_("источник"), max_length=500, blank=True)
    measured_on = models.DateField(_("дата измерения"))
    values_import = models.ForeignKey(
        "ValuesImport",
        verbose_name=_("загружено из таблицы"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="values",
    )
    version = models.PositiveIntegerField(_("версия"), default=1)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("внёс"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("значение показателя")
        verbose_name_plural = _("значения показателей")
        ordering = ["-measured_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "municipality", "school", "stage"],
                name="value_unique_per_stage",
                nulls_distinct=False,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code}: {self.value}"


class ValuesImport(models.Model):
    """One uploaded table of values (a school × indicator table of a stage): its preview and
    its problems, kept until it is confirmed; confirming writes every value or none."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Предпросмотр")
        REFUSED = "refused", _("Отклонён")
        DONE = "done", _("Загружен")

    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("муниципалитет"),
        on_delete=models.CASCADE,
        related_name="values_imports",
    )
    stage = models.ForeignKey(
        MonitoringStage,
        verbose_name=_("этап мониторинга"),
        on_delete=models.CASCADE,
        related_name="imports",
    )
    file_name = models.CharField(_("файл"), max_length=300)
    sha256 = models.CharField(_("контрольная сумма"), max_length=64)
    source = models.CharField(_("источник"), max_length=500, blank=True)
    measured_on = models.DateField(_("дата измерения"))
    parsed = models.JSONField(_("разобранная таблица"), default=dict)
    status = models.CharField(
        _("статус"), max_length=20, choices=Status.choices, default=Status.PREVIEW
    )
    error = models.TextField(_("ошибка"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("загрузил"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("загружен"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("подтвердил"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("подтверждён"), null=True, blank=True)

    class Meta:
        verbose_name = _("загрузка значений")
        verbose_name_plural = _("загрузки значений")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name


# --- Progress counted ahead of the municipal dashboard (monitoring.counting) ---------------


class ProgressChange(models.Model):
    """A change to what progress is counted from, in a municipality (None: the trigger could
    not tell which, and every count is stale). Written by the triggers of migration 0004, read
    and pruned by `monitoring.counting`; its id orders the changes."""

    id = models.BigAutoField(primary_key=True)
    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.DO_NOTHING,
        db_constraint=False,  # written inside deletions, by triggers
        null=True,
        related_name="+",
    )

    class Meta:
        indexes = [models.Index(fields=["municipality", "id"])]

    def __str__(self) -> str:
        return f"{self.pk}: {self.municipality_id}"


class ProgressCount(models.Model):
    """When a municipality's progress cells were last counted, for which day and roadmaps, and
    the generation they include: the latest `ProgressChange` then (-1: changes were in flight,
    the count is stale)."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="progress_count"
    )
    counted_at = models.DateTimeField(_("посчитано"))
    counted_on = models.DateField(_("на день"))
    generation = models.BigIntegerField(_("поколение изменений"))
    roadmaps = models.JSONField(_("дорожные карты"), default=list)
    seconds = models.FloatField(_("секунд на подсчёт"), default=0)

    class Meta:
        verbose_name = _("подсчёт выполнения")
        verbose_name_plural = _("подсчёты выполнения")

    def __str__(self) -> str:
        return f"{self.municipality_id}: {self.counted_at:%Y-%m-%d %H:%M}"


def _unconstrained(to, **options) -> models.ForeignKey:
    """A key of a derived row: not constrained (the row is replaced at the next count)."""
    return models.ForeignKey(
        to, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", **options
    )


class ProgressCell(models.Model):
    """The control pairs of one measure and one school whose dates fall in one year, counted on
    `ProgressCount.counted_on` (`measures.progress`'s states): what the municipal dashboard
    adds up. A derived copy, replaced whole by each count; its keys are not constrained (a
    measure deleted since the count is left out by the page and gone at the next count)."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="+")
    roadmap = _unconstrained(Roadmap)
    section = _unconstrained("measures.Section", null=True)
    measure = _unconstrained(Measure)
    school = _unconstrained(School)
    year = models.IntegerField()
    on_time = models.IntegerField()
    late = models.IntegerField()
    overdue = models.IntegerField()
    not_due = models.IntegerField()
    first_overdue = models.DateField(null=True)
    overdue_report = _unconstrained("measures.Report", null=True)
    any_report = _unconstrained("measures.Report", null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "measure", "school", "year"], name="progress_cell_key"
            )
        ]
        indexes = [
            models.Index(fields=["municipality", "school"]),
            models.Index(fields=["municipality", "roadmap", "year"]),
            models.Index(
                fields=["municipality", "first_overdue"],
                condition=Q(overdue__gt=0),
                name="progress_cell_overdue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure_id}/{self.school_id}/{self.year}"
