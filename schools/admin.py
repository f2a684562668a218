from django.contrib import admin

from schools import models


@admin.register(models.Region)
class RegionAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(models.Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "region"]
    list_filter = ["region"]
    search_fields = ["name"]
    list_select_related = ["region"]


@admin.register(models.Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "municipality"]
    list_filter = ["kind", "region", "municipality"]
    search_fields = ["name", "short_name"]
    list_select_related = ["municipality"]


class DesignationInline(admin.TabularInline):
    model = models.SchoolDesignation
    extra = 0
    autocomplete_fields = ["basis_act"]


@admin.register(models.School)
class SchoolAdmin(admin.ModelAdmin):
    list_display = ["short_name", "municipality", "director"]
    list_filter = ["municipality__region", "municipality", "designations__kind"]
    search_fields = ["name", "short_name"]
    list_select_related = ["municipality", "director"]
    autocomplete_fields = ["director"]
    inlines = [DesignationInline]


@admin.register(models.SchoolDesignation)
class SchoolDesignationAdmin(admin.ModelAdmin):
    list_display = ["school", "kind", "year"]
    list_filter = ["kind", "year", "school__municipality"]
    search_fields = ["school__name", "school__short_name", "basis"]
    list_select_related = ["school"]
    autocomplete_fields = ["school", "basis_act"]


class AgreementItemInline(admin.TabularInline):
    model = models.AgreementItem
    extra = 0


@admin.register(models.PartnershipAgreement)
class PartnershipAgreementAdmin(admin.ModelAdmin):
    list_display = ["__str__", "pairing", "starts_on", "ends_on"]
    search_fields = ["number", "pairing__mentor__short_name", "pairing__supported__short_name"]
    list_select_related = ["pairing__mentor", "pairing__supported"]
    autocomplete_fields = ["mentor_director", "supported_director"]
    inlines = [AgreementItemInline]


@admin.register(models.MentorPairing)
class MentorPairingAdmin(admin.ModelAdmin):
    list_display = ["mentor", "supported", "starts_on", "ends_on"]
    list_filter = ["mentor__municipality"]
    search_fields = ["mentor__short_name", "supported__short_name"]
    list_select_related = ["mentor", "supported"]
    autocomplete_fields = ["mentor", "supported"]


@admin.register(models.Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["short_name", "position", "organisation", "school", "municipality"]
    list_filter = ["municipality"]
    search_fields = ["short_name", "full_name", "position", "email"]
    list_select_related = ["organisation", "school", "municipality"]
    autocomplete_fields = ["organisation", "school", "user"]


class MemberInline(admin.TabularInline):
    model = models.WorkingGroupMember
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(models.WorkingGroup)
class WorkingGroupAdmin(admin.ModelAdmin):
    list_display = ["title", "municipality", "year"]
    list_filter = ["municipality", "year"]
    search_fields = ["title"]
    list_select_related = ["municipality"]
    inlines = [MemberInline]
