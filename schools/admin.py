"""The directory's admin writes through `schools.services`: every save checks the tenant
rules there (`record_problems`) and they are the form's errors, in Russian; nothing is saved
past a broken rule. Appointments have their own services (permissions follow them)."""

from typing import Any

from django.contrib import admin
from django.contrib.admin.options import ActionLocation, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponseRedirect

from roadmap_portal.admin_titles import AccusativeTitles
from roadmap_portal.forms import CleanTextModelForm
from schools import models, services


class CheckedForm(CleanTextModelForm):
    """The service's tenant rules on the instance the form built, as the form's errors."""

    def _post_clean(self) -> None:
        super()._post_clean()
        if not self.errors:
            try:
                services.check_record(self.instance)
            except ValidationError as exc:
                self._update_errors(exc)


class ThroughServices:
    """Saves and deletes, of the row and of its inlines, through the directory's services."""

    form = CheckedForm

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        services.record_save(obj=obj)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        services.record_delete(obj=obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for obj in queryset:
            services.record_delete(obj=obj)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        rows = formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.record_delete(obj=obj)
        for obj in rows:
            services.record_save(obj=obj)
        formset.save_m2m()


@admin.register(models.Region)
class RegionAdmin(AccusativeTitles, ThroughServices, admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(models.Municipality)
class MunicipalityAdmin(AccusativeTitles, ThroughServices, admin.ModelAdmin):
    list_display = ["name", "region"]
    list_filter = ["region"]
    search_fields = ["name"]
    list_select_related = ["region"]


@admin.register(models.Organisation)
class OrganisationAdmin(AccusativeTitles, ThroughServices, admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "municipality"]
    list_filter = ["kind", "region", "municipality"]
    search_fields = ["name", "short_name"]
    list_select_related = ["municipality"]


class DesignationInline(admin.TabularInline):
    form = CheckedForm
    model = models.SchoolDesignation
    extra = 0
    autocomplete_fields = ["basis_act"]


@admin.register(models.School)
class SchoolAdmin(AccusativeTitles, ThroughServices, admin.ModelAdmin):
    list_display = ["short_name", "municipality", "director"]
    list_filter = ["municipality__region", "municipality", "designations__kind"]
    search_fields = ["name", "short_name"]
    list_select_related = ["municipality", "director"]
    autocomplete_fields = ["director"]
    inlines = [DesignationInline]


@admin.register(models.SchoolDesignation)
class SchoolDesignationAdmin(AccusativeTitles, ThroughServices, admin.ModelAdmin):
    list_display = ["school", "kind", "year", "ended_on"]
    list_filter = ["kind", "year", "school__municipality"]
    search_fields = ["school__name", "school__short_name", "basis"]
    list_select_related = ["school"]
    autocomplete_fields = ["school", "basis_act"]


class AgreementItemInline(admin.TabularInline):
    form = CheckedForm
    model = models.AgreementItem
    extra = 0


@admin.register(models.PartnershipAgreement)
class PartnershipAgreementAdmin(AccusativeTitles, ThroughServices, admin.ModelAdmin):
    list_display = ["__str__", "pairing", "starts_on", "ends_on"]
    search_fields = ["number", "pairing__mentor__short_name", "pairing__supported__short_name"]
    list_select_related = ["pairing__mentor", "pairing__supported"]
    autocomplete_fields = ["mentor_director", "supported_director"]
    inlines = [AgreementItemInline]


@admin.register(models.MentorPairing)
class MentorPairingAdmin(AccusativeTitles, ThroughServices, admin.ModelAdmin):
    list_display = ["mentor", "supported", "starts_on", "ends_on"]
    list_filter = ["mentor__municipality"]
    search_fields = ["mentor__short_name", "supported__short_name"]
    list_select_related = ["mentor", "supported"]
    autocomplete_fields = ["mentor", "supported"]


@admin.register(models.Person)
class PersonAdmin(AccusativeTitles, ThroughServices, admin.ModelAdmin):
    list_display = ["short_name", "position", "organisation", "school", "municipality"]
    list_filter = ["municipality"]
    search_fields = ["short_name", "full_name", "position", "email"]
    list_select_related = ["organisation", "school", "municipality"]
    autocomplete_fields = ["organisation", "school", "user"]


class MemberInline(admin.TabularInline):
    form = CheckedForm
    model = models.WorkingGroupMember
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(models.WorkingGroup)
class WorkingGroupAdmin(AccusativeTitles, ThroughServices, admin.ModelAdmin):
    list_display = ["title", "municipality", "year"]
    list_filter = ["municipality", "year"]
    search_fields = ["title"]
    list_select_related = ["municipality"]
    inlines = [MemberInline]


@admin.register(models.Appointment)
class AppointmentAdmin(AccusativeTitles, admin.ModelAdmin):
    """Appointments go through the services, so that permissions follow them."""

    form = CleanTextModelForm

    list_display = ["user", "role", "municipality", "school", "region", "appointed_at"]
    list_filter = ["role", "municipality", "region"]
    search_fields = ["user__username", "user__last_name", "school__short_name"]
    list_select_related = ["user", "municipality", "school", "region"]
    autocomplete_fields = ["user", "municipality", "school", "region"]
    fields = ["user", "role", "region", "municipality", "school"]

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj else []

    def save_model(self, request, obj, form, change):
        if not change:
            created = services.appoint(
                user=obj.user, role=obj.role, target=obj.target, by=request.user
            )
            obj.pk = created.pk

    def delete_model(self, request, obj):
        services.remove_appointment(appointment=obj)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as refused:  # the last coordinator of a municipality stays
            self.message_user(request, " ".join(refused.messages), messages.ERROR)
            return HttpResponseRedirect(request.path)

    def get_actions(self, request, action_location=ActionLocation.CHANGE_LIST):
        # removed one at a time, each through the service, so that the page says exactly what
        # was removed and what was refused (the last coordinator of a municipality stays):
        # Django's bulk delete counts the selected rows before they are tried
        actions = super().get_actions(request, action_location=action_location)
        actions.pop("delete_selected", None)
        return actions
