"""/api/v1/: the routes of every app's API, a root that lists them, and JSON 404s for the rest.

Adding an app's API is one line in API_URLCONFS: a module with ``urlpatterns`` (and, to be
listed at the root, a ``router``).
"""

from importlib import import_module

from django.urls import include, path, re_path
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from portal.api.exceptions import not_found
from portal.api.views import ApiViewMixin

app_name = "api"

API_URLCONFS = [
    "resources.api.urls",
    "tutorials.api.urls",
    "accounts.api.urls",
    "notifications.api",
    "paths.api.urls",
    "portal.recommend_api",
]


class ApiRoot(ApiViewMixin, APIView):
    """The list endpoints of /api/v1/, by name."""

    @extend_schema(exclude=True)
    def get(self, request, format=None):
        links = {}
        for module in API_URLCONFS:
            router = getattr(import_module(module), "router", None)
            for prefix, _viewset, basename in router.registry if router else ():
                links[prefix] = reverse(f"api:{basename}-list", request=request)
        links["search"] = reverse("api:search", request=request)
        return Response(links)


urlpatterns = [
    path("", ApiRoot.as_view(), name="root"),
    *(path("", include(module)) for module in API_URLCONFS),
    # Only paths ending in a slash, so that CommonMiddleware still adds a missing slash first.
    # [\s\S], not ".": a path may hold an encoded line break (%0A), which "." would not match,
    # leaving the address to Django's HTML 404 page.
    re_path(r"^(?:[\s\S]*/)?$", not_found),
]
