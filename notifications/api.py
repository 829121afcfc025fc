"""/api/v1/follows/: the signed-in reader's stars on conference series, topics and courses.

Only one's own follows are there (another reader's answers 404, never 403). Following is
idempotent: following again answers the existing follow with 200.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from notifications import services
from notifications.models import Follow
from portal.api.pagination import ApiPagination
from portal.api.views import JSON_RENDERERS, ApiViewMixin, error_responses


class FollowSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=Follow.KINDS, help_text="series, topic, course or path")
    slug = serializers.SlugField(max_length=120, write_only=True, help_text="The item's slug.")
    target = serializers.SerializerMethodField(help_text="The followed item: its slug and name.")

    class Meta:
        model = Follow
        fields = ("id", "kind", "slug", "target", "created_at")
        read_only_fields = ("id", "target", "created_at")

    def get_target(self, follow) -> dict:
        item = follow.target
        return {"slug": item.slug, "name": str(getattr(item, "short_name", None) or item)}

    def validate(self, attrs):
        item = services.find_target(attrs["kind"], attrs["slug"])
        if item is None:
            raise serializers.ValidationError({"slug": "No published item of this kind has this slug."})
        attrs["item"] = item
        return attrs


@extend_schema_view(
    list=extend_schema(
        summary="List what you follow",
        responses={200: FollowSerializer(many=True), **error_responses(401, 404, 406, 429)},
    ),
    retrieve=extend_schema(
        summary="One of your follows",
        responses={200: FollowSerializer, **error_responses(401, 404, 406, 429)},
    ),
    create=extend_schema(
        summary="Follow a conference series, topic or course",
        description="Idempotent: an item you already follow answers its follow with 200; a new one 201.",
        responses={
            200: OpenApiResponse(FollowSerializer, description="Already followed."),
            201: OpenApiResponse(FollowSerializer, description="A new follow."),
            **error_responses(400, 401, 403, 406, 415, 429),
        },
    ),
    destroy=extend_schema(
        summary="Stop following", responses={204: None, **error_responses(401, 403, 404, 406, 429)}
    ),
)
class FollowViewSet(
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Your follows: their deadlines come first in lists, in your calendar and in your reminders."""

    serializer_class = FollowSerializer
    permission_classes = [IsAuthenticated]
    pagination_class = ApiPagination
    renderer_classes = JSON_RENDERERS
    lookup_value_regex = r"[0-9]{1,18}"

    def get_queryset(self):
        user = self.request.user
        if not user.is_authenticated:
            return Follow.objects.none()
        return (
            Follow.objects.filter(user=user)
            .select_related("series", "topic", "course", "path")
            .order_by("-created_at", "-id")
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        kind, item = serializer.validated_data["kind"], serializer.validated_data["item"]
        created = services.set_follow(request.user, kind, item, True)
        follow = self.get_queryset().get(**{kind: item})
        return Response(
            FollowSerializer(follow).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


router = SimpleRouter()
router.register("follows", FollowViewSet, basename="follow")
urlpatterns = router.urls
