from django.urls import path

from monitoring import catalogue_views, dashboard_views, import_views, value_views

app_name = "monitoring"

urlpatterns = [
    # the catalogue and stages (catalogue_views)
    path("", catalogue_views.index, name="index"),
    path("<int:pk>/indicators/", catalogue_views.indicator_list, name="indicator_list"),
    path("<int:pk>/indicators/new/", catalogue_views.indicator_create, name="indicator_create"),
    path("indicators/<int:pk>/", catalogue_views.indicator_detail, name="indicator_detail"),
    path("indicators/<int:pk>/edit/", catalogue_views.indicator_edit, name="indicator_edit"),
    path("indicators/<int:pk>/delete/", catalogue_views.indicator_delete, name="indicator_delete"),
    path("<int:pk>/stages/", catalogue_views.stage_list, name="stage_list"),
    path("stages/<int:pk>/edit/", catalogue_views.stage_edit, name="stage_edit"),
    path("stages/<int:pk>/delete/", catalogue_views.stage_delete, name="stage_delete"),
    # values entered one by one, a school's page, the history (value_views)
    path("indicators/<int:pk>/values/", value_views.value_enter, name="value_enter"),
    path("indicators/<int:pk>/history/", value_views.indicator_history, name="indicator_history"),
    path("school/", value_views.my_school_values, name="my_school_values"),
    path("schools/<int:pk>/", value_views.school_values, name="school_values"),
    path("schools/<int:pk>/<str:table>.xlsx", value_views.school_export, name="school_export"),
    # tables of values (import_views)
    path("<int:pk>/import/", import_views.import_upload, name="import_upload"),
    path("<int:pk>/import/template/", import_views.import_template, name="import_template"),
    path("imports/<int:pk>/", import_views.import_preview, name="import_preview"),
    path("imports/<int:pk>/confirm/", import_views.import_confirm, name="import_confirm"),
    # dashboards (dashboard_views)
    path("<int:pk>/dashboard/", dashboard_views.municipal, name="dashboard"),
    path(
        "<int:pk>/dashboard/<str:table>.xlsx",
        dashboard_views.municipal_export,
        name="dashboard_export",
    ),
    path("region/<int:pk>/dashboard/", dashboard_views.region, name="region_dashboard"),
    path(
        "region/<int:pk>/dashboard/<str:table>.xlsx",
        dashboard_views.region_export,
        name="region_dashboard_export",
    ),
]
