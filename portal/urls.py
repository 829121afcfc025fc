"""Root URLs of the portal."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from portal import views

urlpatterns = [
    path("", TemplateView.as_view(template_name="portal/home.html"), name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
]
