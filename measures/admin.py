from django.contrib import admin

from measures import models, services
from roadmap_portal.forms import CleanTextModelForm


@admin.register(models.LegalAct)
class LegalActAdmin(admin.ModelAdmin):
    form = CleanTextModelForm
    list_display = ["__str__", "issuer", "title", "status"]
    list_filter = ["kind", "status", "municipality"]
    search_fields = ["number", "title", "issuer__name"]
    list_select_related = ["issuer"]
    autocomplete_fields = ["issuer"]
    date_hierarchy = "date"


class SectionInline(admin.TabularInline):
    form = CleanTextModelForm
    model = models.Section
    extra = 0


@admin.register(models.Roadmap)
class RoadmapAdmin(admin.ModelAdmin):
    form = CleanTextModelForm
    list_display = ["title", "municipality", "starts_on", "ends_on", "level", "status"]
    list_filter = ["status", "level", "municipality__region", "municipality"]
    search_fields = ["title", "goal"]
    list_select_related = ["municipality"]
    autocomplete_fields = ["approved_by", "school", "amended_by"]
    inlines = [SectionInline]


@admin.register(models.Section)
class SectionAdmin(admin.ModelAdmin):
    form = CleanTextModelForm
    list_display = ["__str__", "roadmap"]
    search_fields = ["title"]
    list_select_related = ["roadmap"]


@admin.register(models.Measure)
class MeasureAdmin(admin.ModelAdmin):
    form = CleanTextModelForm
    list_display = ["number", "title", "deadline_text", "deadline_kind", "roadmap"]
    list_filter = ["deadline_kind", "deadline_needs_review", "roadmap__municipality"]
    search_fields = ["title", "owners_text", "deadline_text", "planned_result"]
    list_select_related = ["roadmap"]
    autocomplete_fields = ["owners", "owner_organisations", "schools"]
    raw_id_fields = ["roadmap", "section"]
    exclude = ["version"]

    def save_model(self, request, obj, form, change):
        """Through the same service as the portal's form: the deadline is read again and the
        occurrences follow it; a new version, so open edit forms do not overwrite it."""
        if change:
            services.measure_save(measure=obj)
        else:
            super().save_model(request, obj, form, change)
            services.measure_save(measure=obj)


@admin.register(models.Occurrence)
class OccurrenceAdmin(admin.ModelAdmin):
    form = CleanTextModelForm
    list_display = ["measure", "due_on"]
    list_filter = ["due_on"]
    search_fields = ["measure__title"]
    list_select_related = ["measure"]
    raw_id_fields = ["measure"]


class EvidenceInline(admin.TabularInline):
    form = CleanTextModelForm
    model = models.Evidence
    extra = 0
    raw_id_fields = ["uploaded_by"]


@admin.register(models.Report)
class ReportAdmin(admin.ModelAdmin):
    form = CleanTextModelForm
    list_display = ["school", "occurrence", "status", "submitted_at", "reviewed_at"]
    list_filter = ["status", "school__municipality"]
    search_fields = ["school__short_name", "occurrence__measure__title", "done_text"]
    list_select_related = ["school", "occurrence__measure"]
    raw_id_fields = ["occurrence", "submitted_by", "reviewed_by"]
    inlines = [EvidenceInline]
