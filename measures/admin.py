"""The admin writes through the same services as the portal: the tenant rules, the deadline's
reading and its occurrences, versions and history hold here too. What has its own workflow
on the portal (a school's reports, the control dates that follow a deadline) is read-only."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from measures import models, services
from measures.models import DEADLINE_FIELDS
from roadmap_portal.admin_titles import AccusativeTitles
from roadmap_portal.concurrency import last_change
from roadmap_portal.forms import CleanTextModelForm


class CheckedForm(CleanTextModelForm):
    """A model form that runs the service's tenant rule on the instance it built: a broken
    rule is the form's error, in Russian, and nothing is saved."""

    def check(self, instance: Any) -> None:
        """The service's check of the instance (ValidationError when a rule is broken)."""

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors:
            return
        try:
            self.check(self.instance)
        except ValidationError as exc:
            self._update_errors(exc)


class ServiceDeletes:
    """Deletion through the service: a row the service would refuse is shown as protected on
    the admin's confirmation page (with the service's reason), so nothing is deleted."""

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # the control dates go with their measure, though the admin may not delete them one
        # by one; reports and their files never do: the service refuses, and says why below
        perms_needed = set(perms_needed) - {
            str(model._meta.verbose_name)
            for model in (models.Occurrence, models.Report, models.Evidence)
        }
        protected = list(protected) + [
            problem for obj in objs if (problem := services.deletion_problem(obj))
        ]
        return deleted, counts, perms_needed, protected

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.row_delete(row=obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            services.row_delete(row=obj)


class LegalActForm(CheckedForm):
    def check(self, instance: models.LegalAct) -> None:
        if problem := services.signed_act_problem(instance):
            raise ValidationError(problem)
        services.check_legal_act(instance)


@admin.register(models.LegalAct)
class LegalActAdmin(AccusativeTitles, ServiceDeletes, admin.ModelAdmin):
    form = LegalActForm
    list_display = ["__str__", "issuer", "title", "status"]
    list_filter = ["kind", "status", "municipality"]
    search_fields = ["number", "title", "issuer__name"]
    list_select_related = ["issuer"]
    autocomplete_fields = ["issuer"]
    date_hierarchy = "date"
    readonly_fields = ["pdf_link", "pdf_status", "pdf_error", "pdf_requested_at", "pdf_rendered_at"]
    exclude = ["pdf"]
    actions = ["render_pdf_again"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        services.legal_act_save(act=obj)

    @admin.display(description=_("PDF"))
    def pdf_link(self, obj: models.LegalAct) -> str:
        if obj.pk and obj.pdf and obj.pdf_status == models.LegalAct.PdfStatus.READY:
            return format_html(
                '<a href="{}">{}</a>',
                reverse("measures:order_pdf", args=[obj.pk]),
                _("Скачать PDF"),
            )
        return "—"

    @admin.action(description=_("Сформировать PDF заново"))
    def render_pdf_again(self, request: HttpRequest, queryset: Any) -> None:
        from measures import printing

        count = 0
        for act in queryset.filter(status=models.LegalAct.Status.SIGNED):
            printing.enqueue_render(act)
            count += 1
        if count < len(queryset):
            self.message_user(
                request, _("PDF формируется только для подписанных документов."), "warning"
            )
        self.message_user(
            request,
            ngettext(
                "PDF поставлен в очередь на формирование: %(count)s документ.",
                "PDF поставлен в очередь на формирование: %(count)s документа.",
                count,
            )
            % {"count": count},
        )


class SectionFormSet(forms.BaseInlineFormSet):
    """A section that schools reported on cannot be deleted from the roadmap's page."""

    def clean(self) -> None:
        super().clean()
        for form in self.deleted_forms:
            if form.instance.pk and (problem := services.deletion_problem(form.instance)):
                raise ValidationError(problem)


class SectionInline(admin.TabularInline):
    form = CleanTextModelForm
    formset = SectionFormSet
    model = models.Section
    extra = 0
    exclude = ["version"]


class RoadmapForm(CheckedForm):
    def check(self, instance: models.Roadmap) -> None:
        services.check_roadmap(instance, self.cleaned_data.get("amended_by") or ())


@admin.register(models.Roadmap)
class RoadmapAdmin(AccusativeTitles, ServiceDeletes, admin.ModelAdmin):
    form = RoadmapForm
    list_display = ["title", "municipality", "starts_on", "ends_on", "level", "status"]
    list_filter = ["status", "level", "municipality__region", "municipality"]
    search_fields = ["title", "goal"]
    list_select_related = ["municipality"]
    autocomplete_fields = ["approved_by", "school", "amended_by"]
    inlines = [SectionInline]
    exclude = ["version"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        # a draft approved in this same save stays a draft until its sections are saved (only
        # a draft's content changes); save_related approves it at the end
        stored = models.Roadmap.objects.filter(pk=obj.pk).values_list("status", flat=True).first()
        obj.status_wanted = obj.status
        if stored == models.Roadmap.Status.DRAFT:
            obj.status = stored
        services.roadmap_save(roadmap=obj, amended_by=form.cleaned_data.get("amended_by"))

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # the amending acts were set by roadmap_save; the sections go through their service
        for formset in formsets:
            sections = formset.save(commit=False)
            for section in formset.deleted_objects:
                services.row_delete(row=section)
            for section in sections:
                services.section_save(section=section)
        obj = form.instance
        if obj.status != obj.status_wanted:
            obj.status = obj.status_wanted
            services.roadmap_save(roadmap=obj)


class SectionForm(CheckedForm):
    def check(self, instance: models.Section) -> None:
        services.check_section(instance)


@admin.register(models.Section)
class SectionAdmin(AccusativeTitles, ServiceDeletes, admin.ModelAdmin):
    form = SectionForm
    list_display = ["__str__", "roadmap"]
    exclude = ["version"]
    search_fields = ["title"]
    list_select_related = ["roadmap"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        services.section_save(section=obj)


MEASURE_LINKS = ("owners", "owner_organisations", "schools")


class MeasureAdminForm(CheckedForm):
    """The admin's measure form is guarded like the portal's: it carries the version it was
    opened on, and a save over a newer one is refused with who changed it and when. The
    section must be one of the measure's roadmap, the owners and schools of its municipality."""

    opened_version = forms.IntegerField(
        label=_("открытая версия"), widget=forms.HiddenInput, required=False
    )

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

    def links(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in MEASURE_LINKS if name in self.fields}

    def check(self, instance: models.Measure) -> None:
        if instance.roadmap_id is None:
            return  # the roadmap field's own error says it
        services.check_measure(instance)
        services.check_measure_links(instance, self.links())
        services.check_measure_schools(instance, self.links())


@admin.register(models.Measure)
class MeasureAdmin(AccusativeTitles, ServiceDeletes, admin.ModelAdmin):
    form = MeasureAdminForm
    list_display = ["number", "title", "deadline_text", "deadline_kind", "roadmap"]
    list_filter = ["deadline_kind", "deadline_needs_review", "roadmap__municipality"]
    search_fields = ["title", "owners_text", "deadline_text", "planned_result"]
    list_select_related = ["roadmap"]
    autocomplete_fields = ["owners", "owner_organisations", "schools"]
    raw_id_fields = ["roadmap", "section"]
    exclude = ["version"]
    # the reading follows the text (or a correction made on the portal's measure page)
    readonly_fields = [
        *(f"deadline_{name}" for name in DEADLINE_FIELDS),
        "deadline_corrected",
        "deadline_summary",
    ]

    @admin.display(description=_("как понят срок"))
    def deadline_summary(self, obj: models.Measure) -> str:
        return obj.deadline_summary if obj.pk else "—"

    def save_model(
        self, request: HttpRequest, obj: models.Measure, form: MeasureAdminForm, change: bool
    ) -> None:
        """Through the same service as the portal's form: the deadline is read again and the
        occurrences follow it; a new version, so open edit forms do not overwrite it."""
        services.measure_save(
            measure=obj,
            expected_version=form.cleaned_data["opened_version"] if change else None,
            links=form.links(),
        )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """The owners and schools were set by measure_save."""


class ReadOnly:
    """Viewed in the admin, written only by the portal's own workflow."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.Occurrence)
class OccurrenceAdmin(AccusativeTitles, ReadOnly, admin.ModelAdmin):
    """Read-only: the control dates follow the measure's deadline (measure_save makes,
    retires and deletes them); an edit here would make them disagree with the reading."""

    list_display = ["measure", "due_on", "kind", "retired"]
    list_filter = ["kind", "retired", "due_on"]
    search_fields = ["measure__title"]
    list_select_related = ["measure"]


class EvidenceInline(ReadOnly, admin.TabularInline):
    model = models.Evidence
    extra = 0


@admin.register(models.Report)
class ReportAdmin(AccusativeTitles, ReadOnly, admin.ModelAdmin):
    """Read-only: a report moves through its review on the portal (measures.reporting keeps
    its steps, versions and letters); the admin only looks."""

    list_display = ["school", "occurrence", "status", "submitted_at", "reviewed_at"]
    list_filter = ["status", "school__municipality"]
    search_fields = ["school__short_name", "occurrence__measure__title", "done_text"]
    list_select_related = ["school", "occurrence__measure"]
    inlines = [EvidenceInline]


# --- deadline reminders (measures.reminders): the scan and the letters write them ----------


@admin.register(models.ReminderSettings)
class ReminderSettingsAdmin(AccusativeTitles, ReadOnly, admin.ModelAdmin):
    """Read-only: each person changes their own on «Настройки напоминаний»."""

    list_display = ["user", "offsets", "overdue_every", "hour", "paused_until",
                    "digest_enabled", "weekly_enabled", "bounced_address"]  # fmt: skip
    list_filter = ["digest_enabled", "weekly_enabled", "hour"]
    search_fields = ["user__username", "user__last_name", "bounced_address"]
    list_select_related = ["user"]


@admin.register(models.ReminderLetter)
class ReminderLetterAdmin(AccusativeTitles, ReadOnly, admin.ModelAdmin):
    list_display = ["user", "kind", "day", "status", "address", "attempts", "sent_at"]
    list_filter = ["kind", "status", "day"]
    search_fields = ["user__username", "user__last_name", "address", "subject"]
    list_select_related = ["user"]


@admin.register(models.Reminder)
class ReminderAdmin(AccusativeTitles, ReadOnly, admin.ModelAdmin):
    list_display = ["remind_on", "user", "school", "due_on", "kind", "status", "sent_at"]
    list_filter = ["status", "kind", "remind_on", "municipality"]
    search_fields = ["user__username", "user__last_name", "school__short_name"]
    list_select_related = ["user", "school"]
    raw_id_fields = ["occurrence", "school", "letter"]


@admin.register(models.ReminderScan)
class ReminderScanAdmin(AccusativeTitles, ReadOnly, admin.ModelAdmin):
    list_display = ["trigger", "moment", "finished_at", "pairs", "created", "digests", "weekly"]
    list_filter = ["trigger"]
