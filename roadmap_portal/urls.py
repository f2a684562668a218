from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "Портал дорожных карт"
admin.site.site_title = "Портал дорожных карт"
admin.site.index_title = "Администрирование"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="measures:roadmap_list"), name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("roadmaps/", include("measures.urls")),
    path("admin/", admin.site.urls),
]
