"""The bookmarks API's routes; portal/api_urls.py mounts them under /api/v1/."""

from rest_framework.routers import SimpleRouter

from accounts.api.views import BookmarkViewSet

router = SimpleRouter()
router.register("bookmarks", BookmarkViewSet, basename="bookmark")

urlpatterns = router.urls
