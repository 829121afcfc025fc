"""``GET /api/v1/recommendations/``: the signed-in learner's recommendations (``portal.recommend``)."""

from django.urls import path, reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal import recommend
from portal.api.views import JSON_RENDERERS, ApiViewMixin, error_responses
from resources.api.similar import BASENAMES, title_of


class RecommendationSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="papers, books, courses, communities or tutorials.")
    slug = serializers.CharField()
    title = serializers.CharField()
    reason = serializers.CharField(help_text="Why: “because you saved …”, or the topic it is popular in.")
    score = serializers.FloatField()
    api_url = serializers.URLField()


class RecommendationsResponseSerializer(serializers.Serializer):
    strategy = serializers.CharField(
        help_text="profile: learned from your items; topics / popular: you keep nothing with a vector yet.",
    )
    results = RecommendationSerializer(many=True)


class LimitSerializer(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=50, default=8, help_text="At most this many.")


class RecommendationsView(ApiViewMixin, APIView):
    """Items picked for the signed-in learner from their bookmarks, read papers, path progress and
    demo runs; never one they already keep."""

    permission_classes = [IsAuthenticated]
    renderer_classes = JSON_RENDERERS

    @extend_schema(
        operation_id="recommendations",
        summary="Recommendations for you",
        parameters=[LimitSerializer],
        responses={200: RecommendationsResponseSerializer, **error_responses(400, 401, 403, 429)},
    )
    def get(self, request):
        params = LimitSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        strategy, found = recommend.recommend(request.user, limit=params.validated_data["limit"])
        results = [
            {
                "type": rec.kind,
                "slug": rec.item.slug,
                "title": title_of(rec.item),
                "reason": rec.reason,
                "score": round(rec.score, 4),
                "api_url": request.build_absolute_uri(
                    reverse(f"api:{BASENAMES[rec.kind]}-detail", args=[rec.item.slug])
                ),
            }
            for rec in found
        ]
        return Response(RecommendationsResponseSerializer({"strategy": strategy, "results": results}).data)


urlpatterns = [path("recommendations/", RecommendationsView.as_view(), name="recommendations")]
