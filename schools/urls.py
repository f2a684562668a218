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
    # the registry: people, organisations, the working group
    path("registry/", views.registry, name="registry"),
    path("<int:pk>/persons/", views.person_list, name="person_list"),
    path("<int:pk>/persons/add/", views.person_add, name="person_add"),
    path("<int:pk>/persons/<int:person_pk>/", views.person_detail, name="person_detail"),
    path("<int:pk>/persons/<int:person_pk>/edit/", views.person_edit, name="person_edit"),
    path("<int:pk>/persons/<int:person_pk>/delete/", views.person_delete, name="person_delete"),
    path("<int:pk>/organisations/", views.organisation_list, name="organisation_list"),
    path("<int:pk>/organisations/add/", views.organisation_add, name="organisation_add"),
    path(
        "<int:pk>/organisations/<int:organisation_pk>/edit/",
        views.organisation_edit,
        name="organisation_edit",
    ),
    path(
        "<int:pk>/organisations/<int:organisation_pk>/delete/",
        views.organisation_delete,
        name="organisation_delete",
    ),
    path("<int:pk>/working-group/", views.working_group, name="working_group"),
    path("<int:pk>/working-group/add/", views.working_group_add, name="working_group_add"),
    path(
        "<int:pk>/working-group/<int:group_pk>/edit/",
        views.working_group_edit,
        name="working_group_edit",
    ),
    path(
        "<int:pk>/working-group/<int:group_pk>/members/add/",
        views.member_add,
        name="member_add",
    ),
    path(
        "<int:pk>/working-group/members/<int:member_pk>/edit/",
        views.member_edit,
        name="member_edit",
    ),
    path(
        "<int:pk>/working-group/members/<int:member_pk>/move/",
        views.member_move,
        name="member_move",
    ),
    path(
        "<int:pk>/working-group/members/<int:member_pk>/remove/",
        views.member_remove,
        name="member_remove",
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
