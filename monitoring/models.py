from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from measures.models import Roadmap
from schools.models import Municipality, School


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

    code = models.SlugField(_("код"), max_length=50, unique=True)
    title = models.TextField(_("название"))
    unit = models.CharField(_("единица измерения"), max_length=20, choices=Unit.choices)
    direction = models.CharField(_("направление"), max_length=10, choices=Direction.choices)
    level = models.CharField(_("уровень"), max_length=20, choices=Level.choices)
    source = models.TextField(_("откуда взят"), blank=True)

    class Meta:
        verbose_name = _("показатель")
        verbose_name_plural = _("показатели")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.title


class IndicatorTarget(models.Model):
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("показатель"), on_delete=models.CASCADE, related_name="targets"
    )
    municipality = models.ForeignKey(
        Municipality,
        verbose_name=_("муниципалитет"),
        on_delete=models.CASCADE,
        related_name="indicator_targets",
    )
    year = models.PositiveSmallIntegerField(_("год"))
    baseline = models.DecimalField(
        _("базовое значение"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    target = models.DecimalField(_("целевое значение"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("целевое значение показателя")
        verbose_name_plural = _("целевые значения показателей")
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "municipality", "year"], name="target_unique_year"
            ),
            models.CheckConstraint(
                condition=Q(year__gte=2000, year__lte=2100), name="target_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.year}: {self.target}"


class MonitoringStage(models.Model):
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
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year}"


class IndicatorValue(models.Model):
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
