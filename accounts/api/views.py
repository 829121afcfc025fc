"""/api/v1/bookmarks/: the signed-in user's personal library, read and written.

Every method needs a signed-in user (token or session); the queryset holds only that user's
bookmarks (OwnedQuerysetMixin), so another user's bookmark answers 404, never 403. Listing and
adding go through ``accounts.services``, the same functions as the site's library page and
bookmark buttons: only published items can be bookmarked, and a bookmark whose item was later
unpublished is left out. Adding is idempotent: the second time answers the existing bookmark
with 200 instead of 201.
"""

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet
from django.utils.cache import patch_cache_control
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from accounts import services
from accounts.api.serializers import TYPES, BookmarkCreateSerializer, BookmarkSerializer
from accounts.models import Bookmark
from portal.api.pagination import ApiPagination
from portal.api.permissions import OwnedQuerysetMixin
from portal.api.views import JSON_RENDERERS, ApiViewMixin, error_responses

#: What the common error responses mean for bookmarks (the others keep the catalogue's descriptions).
BOOKMARK_ERROR_DESCRIPTIONS = {
    "e400": "Invalid fields or query parameters; `error.fields` says which.",
    "e401": "Missing or invalid credentials (send `Authorization: Token <key>`, or use a session).",
    "e403": "A session request without its CSRF token.",
    "e404": "No such bookmark among yours (another user's bookmark is not there either).",
    "e406": "None of the formats in `Accept` is offered here (JSON, or the browsable API).",
}


def _errors(*codes: int, **descriptions: str) -> dict:
    return error_responses(*codes, **{**BOOKMARK_ERROR_DESCRIPTIONS, **descriptions})


class BookmarkFilter(django_filters.FilterSet):
    type = django_filters.ChoiceFilter(
        choices=[(name, name) for name in TYPES], method="filter_type", label="Only bookmarks of this type."
    )

    class Meta:
        model = Bookmark
        fields = ["type"]

    def filter_type(self, queryset, name, value):
        model = services.model_for_label(TYPES[value])
        return queryset.filter(content_type=ContentType.objects.get_for_model(model))


class LibraryQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=services.LIBRARY_QUERY_MAX, required=False, allow_blank=True, trim_whitespace=True
    )


class PublishedBookmarks:
    """The requesting user's bookmarks on published items, each with its item loaded."""

    def get_queryset(self) -> QuerySet:
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return Bookmark.objects.none()
        return services.bookmarks_for(user)


@extend_schema_view(
    list=extend_schema(
        summary="List your bookmarks",
        description=(
            "Newest first; only bookmarks of published items. `?type=paper` keeps one type. "
            "`?q=` keeps the bookmarks that answer a question in your own words, best first: those "
            "holding every word (title, authors, descriptions, your note), then those close to it "
            "in meaning. The `X-Search-Mode` header says `hybrid`, or `keyword` when meaning could "
            "not be used, with the reason in `X-Search-Fallback` (`not_embedded`, `model_unavailable`)."
        ),
        parameters=[
            OpenApiParameter(
                "q",
                OpenApiTypes.STR,
                description=f"What to find in your library (up to {services.LIBRARY_QUERY_MAX} characters).",
            )
        ],
        responses={
            200: BookmarkSerializer(many=True),
            **_errors(400, 401, 404, 406, 429, e404="No such page."),
        },
    ),
    retrieve=extend_schema(
        summary="One of your bookmarks",
        responses={200: BookmarkSerializer, **_errors(401, 404, 406, 429)},
    ),
    create=extend_schema(
        summary="Bookmark a published item",
        description=(
            "Name the item by `type` and its `id` or `slug`. Idempotent: an item already bookmarked "
            "answers its existing bookmark with 200 (a non-empty `note` replaces the old one); a new "
            "bookmark answers 201 with its address in `Location`."
        ),
        request=BookmarkCreateSerializer,
        responses={
            200: OpenApiResponse(BookmarkSerializer, description="The item was already bookmarked."),
            201: OpenApiResponse(BookmarkSerializer, description="A new bookmark."),
            **_errors(
                400,
                401,
                403,
                406,
                415,
                429,
                e400="Invalid fields: an unknown type, or no published item with this id or slug.",
            ),
        },
    ),
    partial_update=extend_schema(
        summary="Change the note of one of your bookmarks",
        description="Only `note` can be written; the other fields are read-only.",
        responses={200: BookmarkSerializer, **_errors(400, 401, 403, 404, 406, 415, 429)},
    ),
    destroy=extend_schema(
        summary="Remove one of your bookmarks",
        responses={204: None, **_errors(401, 403, 404, 406, 429)},
    ),
)
class BookmarkViewSet(
    OwnedQuerysetMixin,
    PublishedBookmarks,
    ApiViewMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Your personal library: bookmarks on papers, books, courses, communities and conferences."""

    serializer_class = BookmarkSerializer
    pagination_class = ApiPagination
    renderer_classes = JSON_RENDERERS
    filter_backends = [DjangoFilterBackend]
    filterset_class = BookmarkFilter
    lookup_field = "pk"
    lookup_url_kwarg = "id"
    lookup_value_regex = r"[0-9]{1,18}"

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_cache_control(response, private=True)  # one user's library: never in a shared cache
        return response

    def list(self, request, *args, **kwargs):
        params = LibraryQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        query = params.validated_data.get("q", "")
        if not query:
            return super().list(request, *args, **kwargs)
        found = services.find_in_bookmarks(self.filter_queryset(self.get_queryset()), query)
        page = self.paginate_queryset(found.bookmarks)
        response = self.get_paginated_response(self.get_serializer(page, many=True).data)
        response["X-Search-Mode"] = found.mode_used
        if found.fallback_reason:
            response["X-Search-Fallback"] = found.fallback_reason
        return response

    def create(self, request, *args, **kwargs):
        incoming = BookmarkCreateSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        target, note = incoming.validated_data["target"], incoming.validated_data["note"]
        existed = services.is_bookmarked(request.user, target)
        services.set_bookmark(request.user, target, True, note=note)
        bookmark = self.get_queryset().get(
            content_type=ContentType.objects.get_for_model(target), object_id=target.pk
        )
        body = self.get_serializer(bookmark).data
        if existed:
            return Response(body, status=status.HTTP_200_OK)
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": str(body["url"])})

    def partial_update(self, request, *args, **kwargs):
        bookmark = self.get_object()
        serializer = self.get_serializer(bookmark, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(serializer.data)
