"""Root URLs of the portal."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from portal import metrics, views
from resources import views as resource_views

urlpatterns = [
    path("", resource_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("accounts.urls")),
    path("tutorials/", include("tutorials.urls")),
    path("", include("notifications.urls")),
    path("paths/", include("paths.urls")),
    path("admin/", admin.site.urls),
    path("", include("resources.urls")),
    path("api/v1/", include("portal.api_urls", namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path(
        "api/redoc/",
        # Our template: drf-spectacular's, without the Google Fonts links.
        SpectacularRedocView.as_view(url_name="api-schema", template_name="portal/redoc.html"),
        name="api-redoc",
    ),
]
