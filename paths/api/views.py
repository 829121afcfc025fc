"""/api/v1/paths/ (published paths, with their steps on a path's page; curators write them) and
/api/v1/progress/ (the signed-in user's own progress: another user's row is 404, never 403).

Writing progress goes through ``paths.services.set_user_progress``, the function the site's
form uses; posting a step already in the list changes that row and answers 200.
"""

import django_filters
from django.db import transaction
from django.db.models import Count, Prefetch
from django.utils.cache import patch_cache_control
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from paths import services
from paths.api.serializers import (
    PathDetailSerializer,
    PathSerializer,
    ProgressCreateSerializer,
    ProgressSerializer,
)
from paths.models import LearningPath, Step, StepProgress
from portal.api.pagination import ApiPagination
from portal.api.permissions import OwnedQuerysetMixin
from portal.api.views import JSON_RENDERERS, ApiViewMixin, error_responses
from resources.api.views import CatalogueViewSet, catalogue_schema

PROGRESS_ERRORS = {
    "e400": "Invalid fields; `error.fields` says which.",
    "e401": "Missing or invalid credentials (send `Authorization: Token <key>`, or use a session).",
    "e403": "A session request without its CSRF token.",
    "e404": "No such progress row among yours (another user's is not there either).",
}


def _errors(*codes: int, **descriptions: str) -> dict:
    return error_responses(*codes, **{**PROGRESS_ERRORS, **descriptions})


class PathFilter(django_filters.FilterSet):
    topic = django_filters.CharFilter(field_name="topics__slug", label="Only paths on this topic (slug).")
    level = django_filters.ChoiceFilter(choices=LearningPath._meta.get_field("level").choices)

    class Meta:
        model = LearningPath
        fields = ["topic", "level"]


class ProgressFilter(django_filters.FilterSet):
    path = django_filters.CharFilter(field_name="step__path__slug", label="Only steps of this path (slug).")

    class Meta:
        model = StepProgress
        fields = ["path"]


@catalogue_schema("learning path", "learning paths", PathSerializer, PathDetailSerializer, formats=("json",))
class PathViewSet(CatalogueViewSet):
    """Learning paths: ordered steps through the catalogue and the tutorials."""

    queryset = LearningPath.objects.all()
    serializer_class = PathSerializer
    detail_serializer_class = PathDetailSerializer
    filterset_class = PathFilter
    renderer_classes = JSON_RENDERERS

    def read_queryset(self):
        queryset = (
            LearningPath.objects.published()
            .annotate(step_count=Count("steps", distinct=True))
            .prefetch_related(
                Prefetch("prerequisites", queryset=LearningPath.objects.published().only("id", "slug")),
            )
        )
        if self.action == "retrieve":
            steps = Step.objects.select_related(*services.TARGET_RELATIONS).prefetch_related(
                Prefetch("prerequisites", queryset=Step.objects.only("id"))
            )
            queryset = queryset.prefetch_related(Prefetch("steps", queryset=steps.order_by("position", "id")))
        return queryset.prefetch_related(*self.detail_prefetches()).distinct()


@extend_schema_view(
    list=extend_schema(
        summary="List your progress",
        description=(
            "Your state on each step you have touched, newest change first. `?path=<slug>` keeps one path."
        ),
        responses={
            200: ProgressSerializer(many=True),
            **_errors(400, 401, 404, 406, 429, e404="No such page."),
        },
    ),
    retrieve=extend_schema(
        summary="Your progress on one step",
        responses={200: ProgressSerializer, **_errors(401, 404, 406, 429)},
    ),
    create=extend_schema(
        summary="Set your state on a step",
        description="Creates your row for the step (201) or changes the one you have (200).",
        request=ProgressCreateSerializer,
        responses={
            200: OpenApiResponse(ProgressSerializer, description="Your row for the step, changed."),
            201: OpenApiResponse(ProgressSerializer, description="A new row."),
            **_errors(
                400, 401, 403, 406, 415, 429, e400="Invalid fields: an unknown state, or no such step."
            ),
        },
    ),
    partial_update=extend_schema(
        summary="Change your state or note on a step",
        description="Only `state` and `note` can be written.",
        responses={200: ProgressSerializer, **_errors(400, 401, 403, 404, 406, 415, 429)},
    ),
)
class ProgressViewSet(
    OwnedQuerysetMixin,
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Your progress through the learning paths, with your private notes."""

    queryset = StepProgress.objects.select_related("step__path").order_by("-updated_at", "-id")
    serializer_class = ProgressSerializer
    pagination_class = ApiPagination
    renderer_classes = JSON_RENDERERS
    filter_backends = [DjangoFilterBackend]
    filterset_class = ProgressFilter
    lookup_field = "pk"
    lookup_url_kwarg = "id"
    lookup_value_regex = r"[0-9]{1,18}"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_cache_control(response, private=True)  # one learner's notes: never in a shared cache
        return response

    def create(self, request, *args, **kwargs):
        incoming = ProgressCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        existed = StepProgress.objects.filter(user=request.user, step=data["step"]).exists()
        with transaction.atomic():
            row = services.set_user_progress(
                request.user, data["step"], state=data["state"], note=data.get("note")
            )
        body = self.get_serializer(self.get_queryset().get(pk=row.pk)).data
        if existed:
            return Response(body, status=status.HTTP_200_OK)
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": str(body["url"])})

    def perform_update(self, serializer):
        with transaction.atomic():
            serializer.save()
