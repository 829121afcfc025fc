"""``GET /api/v1/<type>/<slug>/similar/``: an item's related items, grouped by type, each with a
one-line reason (``resources.related``); mixed into the viewsets of every embedded type."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from portal.api.views import error_responses
from resources import related

#: resources.semantic's type keys -> the router's basenames.
BASENAMES = {
    "papers": "paper",
    "books": "book",
    "courses": "course",
    "communities": "community",
    "tutorials": "tutorial",
}


def title_of(item) -> str:
    return getattr(item, "title", None) or getattr(item, "name", "") or str(item)


class RelatedItemSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="papers, books, courses, communities or tutorials.")
    slug = serializers.CharField()
    title = serializers.CharField()
    reason = serializers.CharField(
        help_text="Why it is related: a link, a shared topic, a venue, or meaning."
    )
    score = serializers.FloatField(
        help_text="Cosine similarity of the two texts' embeddings (0 when unknown)."
    )
    api_url = serializers.URLField()


class SimilarResponseSerializer(serializers.Serializer):
    groups = serializers.DictField(
        child=RelatedItemSerializer(many=True),
        help_text="Related items by type, in the order papers, tutorials, courses, books, communities.",
    )


class SimilarQuerySerializer(serializers.Serializer):
    sort = serializers.ChoiceField(
        choices=list(related.SORTS),
        default="relevance",
        help_text="relevance: most related first; recent: the same items, newest first (papers "
        "and books by year, the others by when they entered the catalogue).",
    )


def related_body(request, item, sort: str = "relevance") -> dict:
    groups = {}
    for kind, rows in related.related(item, sort=sort).items():
        groups[kind] = [
            {
                "type": kind,
                "slug": row.item.slug,
                "title": title_of(row.item),
                "reason": row.reason,
                "score": round(min(row.score, 1.0), 4) if row.reason else 0.0,
                "api_url": request.build_absolute_uri(
                    reverse(f"api:{BASENAMES[kind]}-detail", args=[row.item.slug])
                ),
            }
            for row in rows
        ]
    return {"groups": groups}


class SimilarMixin:
    @extend_schema(
        summary="Related items",
        description=(
            "Nearest neighbours in meaning across every type, plus linked items (a paper's "
            "tutorials, citations), grouped by type, each with a one-line reason. Without stored "
            "vectors only the linked items are given."
        ),
        parameters=[SimilarQuerySerializer],
        responses={200: SimilarResponseSerializer, **error_responses(400, 404, 429)},
        filters=False,
    )
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def similar(self, request, *args, **kwargs):
        params = SimilarQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        item = self.get_object()
        body = related_body(request, item, params.validated_data["sort"])
        return Response(SimilarResponseSerializer(body).data)
