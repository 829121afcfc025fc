"""A URLconf for the feed tests alone: the route names the models and feeds reverse, one trivial view."""

from django.http import HttpResponse
from django.urls import include, path


def page(request, **kwargs):
    return HttpResponse("ok")


resources_patterns = [
    path("papers/", page, name="paper-list"),
    path("papers/<slug:slug>/", page, name="paper-detail"),
    path("deadlines/", page, name="deadline-list"),
    path("conferences/<slug:slug>/", page, name="conference-detail"),
    path("conferences/<slug:slug>/<int:year>/", page, name="edition-detail"),
    path("topics/<slug:slug>/", page, name="topic-detail"),
    path("books/<slug:slug>/", page, name="book-detail"),
    path("courses/<slug:slug>/", page, name="course-detail"),
    path("communities/<slug:slug>/", page, name="community-detail"),
]

urlpatterns = [path("", include((resources_patterns, "resources")))]
