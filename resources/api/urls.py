"""The catalogue's API routes; portal/api_urls.py mounts them under /api/v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from resources.api import views

router = SimpleRouter()
router.register("topics", views.TopicViewSet, basename="topic")
router.register("conferences", views.ConferenceSeriesViewSet, basename="conference")
router.register("editions", views.EditionViewSet, basename="edition")
router.register("deadlines", views.DeadlineViewSet, basename="deadline")
router.register("deadline-changes", views.DeadlineChangeViewSet, basename="deadline-change")
router.register("courses", views.CourseViewSet, basename="course")
router.register("books", views.BookViewSet, basename="book")
router.register("papers", views.PaperViewSet, basename="paper")
router.register("communities", views.CommunityViewSet, basename="community")

urlpatterns = [
    *router.urls,
    path("search/", views.SearchView.as_view(), name="search"),
    path("expected-deadlines/", views.ExpectedDeadlinesView.as_view(), name="expected-deadlines"),
]
