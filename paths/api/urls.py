"""The paths and progress API's routes; portal/api_urls.py mounts them under /api/v1/."""

from rest_framework.routers import SimpleRouter

from paths.api.views import PathViewSet, ProgressViewSet

router = SimpleRouter()
router.register("paths", PathViewSet, basename="path")
router.register("progress", ProgressViewSet, basename="progress")

urlpatterns = router.urls
