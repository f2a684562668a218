from django.urls import path

from schools import views

app_name = "schools"

urlpatterns = [
    path("schools/<int:pk>/people/", views.school_people, name="school_people"),
    path("<int:pk>/people/", views.people, name="people"),
    path(
        "<int:pk>/people/<int:appointment_pk>/remove/",
        views.appointment_remove,
        name="appointment_remove",
    ),
]
