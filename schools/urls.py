from django.urls import path

from schools import registry_views, views

app_name = "schools"

urlpatterns = [
    path("schools/<int:pk>/people/", views.school_people, name="school_people"),
    path("<int:pk>/people/", views.people, name="people"),
    path(
        "<int:pk>/people/<int:appointment_pk>/remove/",
        views.appointment_remove,
        name="appointment_remove",
    ),
    # the registry (schools/registry_views.py)
    path("<int:pk>/schools/", registry_views.schools, name="registry_schools"),
    path("<int:pk>/schools/<int:school_pk>/", registry_views.school, name="registry_school"),
    path(
        "<int:pk>/schools/<int:school_pk>/designations/",
        registry_views.designation_add,
        name="registry_designation_add",
    ),
    path(
        "<int:pk>/schools/<int:school_pk>/designations/<int:designation_pk>/end/",
        registry_views.designation_end,
        name="registry_designation_end",
    ),
    path("<int:pk>/pairings/", registry_views.pairings, name="registry_pairings"),
    path("<int:pk>/pairings/<int:pairing_pk>/", registry_views.pairing, name="registry_pairing"),
    path(
        "<int:pk>/pairings/<int:pairing_pk>/end/",
        registry_views.pairing_end,
        name="registry_pairing_end",
    ),
    path(
        "<int:pk>/pairings/<int:pairing_pk>/agreement/",
        registry_views.agreement,
        name="registry_agreement",
    ),
]
