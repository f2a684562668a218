from django.urls import path

from measures import views

app_name = "measures"

urlpatterns = [
    path("", views.roadmap_list, name="roadmap_list"),
    path("<int:pk>/", views.roadmap_detail, name="roadmap_detail"),
]
