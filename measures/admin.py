from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from measures import models, services
from roadmap_portal.concurrency import last_change
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


class MeasureAdminForm(CleanTextModelForm):
    """The admin's measure form is guarded like the portal's: it carries the version it was
    opened on, and a save over a newer one is refused with who changed it and when."""

    opened_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["opened_version"].initial = self.instance.version

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        opened = data.get("opened_version")
        if self.instance.pk and opened is not None:
            current = models.Measure.objects.get(pk=self.instance.pk)
            if current.version != opened:
                change = last_change(current)
                raise forms.ValidationError(
                    _(
                        "Мероприятие изменил(а) %(who)s, пока вы редактировали; ваши изменения "
                        "не сохранены. Откройте мероприятие заново."
                    )
                    % {"who": change.who}
                )
        return data


@admin.register(models.Measure)
class MeasureAdmin(admin.ModelAdmin):
    form = MeasureAdminForm
    list_display = ["number", "title", "deadline_text", "deadline_kind", "roadmap"]
    list_filter = ["deadline_kind", "deadline_needs_review", "roadmap__municipality"]
    search_fields = ["title", "owners_text", "deadline_text", "planned_result"]
    list_select_related = ["roadmap"]
    autocomplete_fields = ["owners", "owner_organisations", "schools"]
    raw_id_fields = ["roadmap", "section"]
    exclude = ["version"]

    def save_model(
        self, request: HttpRequest, obj: models.Measure, form: MeasureAdminForm, change: bool
    ) -> None:
        """Through the same service as the portal's form: the deadline is read again and the
        occurrences follow it; a new version, so open edit forms do not overwrite it."""
        if not change:
            super().save_model(request, obj, form, change)
        services.measure_save(measure=obj, expected_version=form.cleaned_data["opened_version"])


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
