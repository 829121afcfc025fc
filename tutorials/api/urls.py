"""The tutorials and runs API's routes; portal/api_urls.py mounts them under /api/v1/."""

from rest_framework.routers import SimpleRouter

from tutorials.api.views import RunViewSet, TutorialViewSet

router = SimpleRouter()
router.register("tutorials", TutorialViewSet, basename="tutorial")
router.register("runs", RunViewSet, basename="run")

urlpatterns = router.urls
