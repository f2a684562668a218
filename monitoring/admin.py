from django.contrib import admin

from monitoring import models
from roadmap_portal.admin_titles import AccusativeTitles
from roadmap_portal.forms import CleanTextModelForm


class TargetInline(admin.TabularInline):
    form = CleanTextModelForm
    model = models.IndicatorTarget
    extra = 0


@admin.register(models.Indicator)
class IndicatorAdmin(AccusativeTitles, admin.ModelAdmin):
    form = CleanTextModelForm
    list_display = ["code", "title", "municipality", "unit", "direction", "level"]
    list_filter = ["unit", "direction", "level", "municipality"]
    list_select_related = ["municipality"]
    filter_horizontal = ["roadmaps"]
    raw_id_fields = ["measures"]
    search_fields = ["code", "title"]
    inlines = [TargetInline]


@admin.register(models.IndicatorTarget)
class IndicatorTargetAdmin(AccusativeTitles, admin.ModelAdmin):
    form = CleanTextModelForm
    list_display = ["indicator", "year", "target"]
    list_filter = ["year", "indicator__municipality"]
    search_fields = ["indicator__title", "indicator__code"]
    list_select_related = ["indicator"]


@admin.register(models.MonitoringStage)
class MonitoringStageAdmin(AccusativeTitles, admin.ModelAdmin):
    form = CleanTextModelForm
    list_display = ["__str__", "municipality", "starts_on", "ends_on"]
    list_filter = ["kind", "year", "municipality"]
    search_fields = ["municipality__name"]
    list_select_related = ["municipality"]


@admin.register(models.IndicatorValue)
class IndicatorValueAdmin(AccusativeTitles, admin.ModelAdmin):
    form = CleanTextModelForm
    list_display = ["indicator", "municipality", "school", "stage", "value", "measured_on"]
    list_filter = ["stage__kind", "municipality"]
    search_fields = ["indicator__title", "school__short_name", "source"]
    list_select_related = ["indicator", "municipality", "school", "stage"]
    raw_id_fields = ["school"]
