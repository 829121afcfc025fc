"""The catalogue's API views: read for everyone (published items only), write for curators.

Every GET answers conditionally. A list whose model keeps ``updated_at`` gets its ETag and
Last-Modified from one aggregate over the filtered rows (their count and newest change), and a
matching If-None-Match costs that one query; the count is then reused by the paginator. Other
responses (details, whose nested data has no timestamp of its own, and lists of untimestamped
rows) get an ETag hashed from the rendered body, which saves the transfer, not the work.

A list asked for as CSV, BibTeX or iCalendar without ``page`` or ``page_size`` is a download:
the whole filtered list (up to ``MAX_DOWNLOAD_ITEMS``), streamed as it is read, in a fixed
number of queries whatever its length. With ``page`` or ``page_size`` it is one page, as JSON is.
"""

import hashlib
from itertools import islice

from django.db import transaction
from django.db.models import Count, Max, Prefetch
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers as drf_serializers
from rest_framework import viewsets
from rest_framework.permissions import SAFE_METHODS
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.api.pagination import ApiPagination
from portal.api.permissions import CatalogueWritePermission
from portal.api.views import (
    JSON_RENDERERS,
    READ_ERRORS,
    WRITE_ERRORS,
    ApiViewMixin,
    error_responses,
    format_of,
)
from resources import curation, estimates, models, search, selectors
from resources.api import filters, serializers
from resources.api.renderers import (
    INSTANCE_FORMATS,
    TEXT_FORMATS,
    BibTeXRenderer,
    CSVRenderer,
    ICalendarRenderer,
)
from resources.api.similar import SimilarMixin

ETAG_VERSION = "1"
#: A download (a list as CSV, BibTeX or iCalendar, without page parameters) holds at most this
#: many items; X-Total-Count says how many matched, so a client sees when to narrow its filters.
MAX_DOWNLOAD_ITEMS = 10_000
#: Rows read (and topic slugs attached) at a time while a download streams.
DOWNLOAD_CHUNK = 500


class CatalogueReadMixin(ApiViewMixin):
    """The reading half of a catalogue viewset: published items, filters, a stable order,
    pagination with topic slugs attached in one query, ETag / Last-Modified from one aggregate."""

    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]{1,120}"
    permission_classes = [CatalogueWritePermission]
    pagination_class = ApiPagination
    filter_backends = [DjangoFilterBackend]
    renderer_classes = [*JSON_RENDERERS, CSVRenderer]
    #: The timestamp whose maximum, with the count, identifies a list's content; None: hash the body.
    etag_field: str | None = "updated_at"
    detail_serializer_class = None
    known_count = None

    def base_queryset(self):
        return self.queryset.model._default_manager.all()

    def read_queryset(self):
        return self.base_queryset().published()

    def get_queryset(self):
        if self.request is not None and self.request.method not in SAFE_METHODS:
            return self.base_queryset()
        return self.read_queryset()

    def detail_prefetches(self) -> list:
        """Lists attach topic slugs to their page themselves (attach_topic_slugs)."""
        return [] if self.action == "list" else [_topics()]

    def get_serializer_class(self):
        if self.detail_serializer_class is not None and self.action != "list":
            return self.detail_serializer_class
        return self.serializer_class

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.action == "list" and "pk" not in queryset.query.order_by:
            # A stable order: pages must neither overlap nor skip rows.
            queryset = queryset.order_by(*(queryset.query.order_by or queryset.model._meta.ordering), "pk")
        return queryset

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        fingerprint = self._fingerprint(request, queryset) if self.etag_field else None
        if fingerprint is not None:
            etag, last_modified = fingerprint
            not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
            if not_modified is not None:
                not_modified["ETag"] = etag
                patch_cache_control(not_modified, no_cache=True)
                return not_modified
        if format_of(request) in TEXT_FORMATS and not self._asks_for_a_page(request):
            response = self.download(queryset, request.accepted_renderer)
        elif format_of(request) in INSTANCE_FORMATS:
            response = self.list_instances(queryset)
        else:
            page = self.paginate_queryset(queryset)
            attach_topic_slugs(page)
            response = self.get_paginated_response(self.get_serializer(page, many=True).data)
        if fingerprint is not None:
            response["ETag"] = etag
            if last_modified is not None:
                response["Last-Modified"] = http_date(last_modified)
        return response

    def list_instances(self, queryset):
        """BibTeX and iCalendar are built from the model instances of the page."""
        page = self.paginate_queryset(queryset)
        response = Response(page)
        self.paginator.add_link_header(response)
        return response

    def _asks_for_a_page(self, request) -> bool:
        paginator = self.paginator
        names = {paginator.page_query_param, paginator.page_size_query_param} if paginator else set()
        return any(name in request.query_params for name in names)

    def download(self, queryset, renderer) -> StreamingHttpResponse:
        """The whole filtered list in ``renderer``'s format, streamed (at most MAX_DOWNLOAD_ITEMS).

        Queries: the count (unless the ETag's aggregate took it), the rows (one query read in
        chunks, plus a list's own prefetches per chunk), and for CSV the topic slugs per chunk.
        """
        count = self.known_count if self.known_count is not None else queryset.count()
        items = queryset[:MAX_DOWNLOAD_ITEMS]
        if renderer.format == CSVRenderer.format:
            body = renderer.stream(self._serialized(items), list(self.get_serializer().fields))
        elif renderer.format == ICalendarRenderer.format:
            body = renderer.stream(items, name=getattr(self, "calendar_name", "Deadlines"))
        else:
            body = renderer.stream(items)
        content_type = f"{renderer.media_type}; charset={renderer.charset}"
        response = StreamingHttpResponse(body, content_type=content_type)
        response["X-Total-Count"] = str(count)
        if count > MAX_DOWNLOAD_ITEMS:
            response["X-Download-Limit"] = str(MAX_DOWNLOAD_ITEMS)
        return response

    def _serialized(self, items):
        rows = items.iterator(chunk_size=DOWNLOAD_CHUNK)
        while chunk := list(islice(rows, DOWNLOAD_CHUNK)):
            attach_topic_slugs(chunk)
            yield from self.get_serializer(chunk, many=True).data

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        if format_of(request) in INSTANCE_FORMATS:
            return Response(instance)
        return Response(self.get_serializer(instance).data)

    def _fingerprint(self, request, queryset):
        """(ETag, Last-Modified) of a list, from one query; keeps the count for the paginator."""
        stamp = queryset.order_by().aggregate(count=Count("pk"), last=Max(self.etag_field))
        self.known_count = stamp["count"]
        last = stamp["last"]
        key = "|".join(
            (
                ETAG_VERSION,
                request.get_full_path(),
                request.accepted_media_type or "",
                str(stamp["count"]),
                last.isoformat() if last else "",
            )
        )
        etag = quote_etag(hashlib.blake2b(key.encode(), digest_size=16).hexdigest())
        # Whole seconds, as HTTP dates have them.
        return etag, (int(last.timestamp()) if last else None)


class CatalogueViewSet(CatalogueReadMixin, viewsets.ModelViewSet):
    """Published items for reads; every item for the writes of those allowed to write."""

    def perform_create(self, serializer):
        with transaction.atomic():
            serializer.save()

    def perform_update(self, serializer):
        with transaction.atomic():
            serializer.save()


def _topics():
    return Prefetch("topics", queryset=models.Topic.objects.only("id", "slug"))


def attach_topic_slugs(items: list) -> None:
    """Set ``topic_slugs`` on each item of a page, in the topics' order, with one query.

    The same result as prefetching ``topics``, without a model instance per topic and a related
    manager per item: a third of a hundred-item page's time went there.
    """
    if not items or not hasattr(items[0], "topics"):
        return
    relation = type(items[0]).topics.through
    owner = type(items[0])._meta.model_name
    pairs = (
        relation.objects.filter(**{f"{owner}_id__in": [item.pk for item in items]})
        .order_by(*(f"topic__{name}" for name in models.Topic._meta.ordering), "topic_id")
        .values_list(f"{owner}_id", "topic__slug")
    )
    slugs: dict[int, list[str]] = {item.pk: [] for item in items}
    for item_id, slug in pairs:
        slugs[item_id].append(slug)
    for item in items:
        item.topic_slugs = slugs[item.pk]


FORMAT_MEDIA_TYPES = {
    "csv": "text/csv",
    "bibtex": "application/x-bibtex",
    "ics": "text/calendar",
}


def _format_parameter(formats) -> list:
    if len(formats) < 2:
        return []
    described = ", ".join(f"{name} ({FORMAT_MEDIA_TYPES.get(name, 'application/json')})" for name in formats)
    return [
        OpenApiParameter(
            "format",
            OpenApiTypes.STR,
            enum=list(formats),
            description=(
                f"Response format: {described}. The Accept header works too. A list in a format "
                "other than JSON, asked for without `page` or `page_size`, is a download: the whole "
                f"filtered list, at most {MAX_DOWNLOAD_ITEMS:,} items, streamed (`X-Total-Count` "
                "says how many matched)."
            ),
        )
    ]


def _ok(code: int, serializer, formats) -> dict:
    responses = {(code, "application/json"): serializer}
    for name in formats:
        if name in FORMAT_MEDIA_TYPES:
            responses[(code, FORMAT_MEDIA_TYPES[name])] = OpenApiTypes.STR
    return responses


def catalogue_schema(
    singular: str,
    plural: str,
    serializer,
    detail_serializer=None,
    *,
    formats=("json", "csv"),
):
    """extend_schema_view for a catalogue viewset: summaries, formats and every error response."""
    detail_serializer = detail_serializer or serializer
    return extend_schema_view(
        list=extend_schema(
            summary=f"List published {plural}",
            parameters=_format_parameter(formats),
            responses={**_ok(200, serializer(many=True), formats), **error_responses(*READ_ERRORS)},
        ),
        retrieve=extend_schema(
            summary=f"One published {singular}",
            parameters=_format_parameter(formats),
            responses={**_ok(200, detail_serializer, formats), **error_responses(*READ_ERRORS)},
        ),
        create=extend_schema(
            summary=f"Create a {singular} (as a draft; curators publish it)",
            request=detail_serializer,
            responses={**_ok(201, detail_serializer, ()), **error_responses(*WRITE_ERRORS)},
        ),
        update=extend_schema(
            summary=f"Replace a {singular}",
            request=detail_serializer,
            responses={**_ok(200, detail_serializer, ()), **error_responses(*WRITE_ERRORS)},
        ),
        partial_update=extend_schema(
            summary=f"Change some fields of a {singular}",
            request=detail_serializer,
            responses={**_ok(200, detail_serializer, ()), **error_responses(*WRITE_ERRORS)},
        ),
        destroy=extend_schema(
            summary=f"Delete a {singular}", responses={204: None, **error_responses(*WRITE_ERRORS)}
        ),
    )


@catalogue_schema("topic", "topics", serializers.TopicSerializer)
class TopicViewSet(CatalogueViewSet):
    """Topics group the catalogue (Transformers, RLHF, …); a topic may have a parent."""

    queryset = models.Topic.objects.all()
    serializer_class = serializers.TopicSerializer
    filterset_class = filters.TopicFilter
    lookup_value_regex = r"[-a-zA-Z0-9_]{1,80}"
    etag_field = None

    def read_queryset(self):
        return self.base_queryset().select_related("parent")


@catalogue_schema(
    "conference series",
    "conference series",
    serializers.ConferenceSeriesSerializer,
    serializers.ConferenceSeriesDetailSerializer,
)
class ConferenceSeriesViewSet(CatalogueViewSet):
    """Conference series (NeurIPS, ACL, …); one series' page nests its editions and deadlines."""

    queryset = models.ConferenceSeries.objects.all()
    serializer_class = serializers.ConferenceSeriesSerializer
    detail_serializer_class = serializers.ConferenceSeriesDetailSerializer
    filterset_class = filters.ConferenceSeriesFilter

    def read_queryset(self):
        queryset = self.base_queryset().published().defer("search_vector")
        if self.action == "retrieve":
            editions = models.ConferenceEdition.objects.order_by("-year").prefetch_related(
                Prefetch("deadlines", queryset=models.Deadline.objects.current().order_by("at", "pk"))
            )
            queryset = queryset.prefetch_related(
                _topics(), Prefetch("editions", queryset=editions), "acceptance_rates"
            )
        return queryset


@catalogue_schema("conference edition", "conference editions", serializers.EditionSerializer)
class EditionViewSet(CatalogueViewSet):
    """One year of a conference series, with its deadlines."""

    queryset = models.ConferenceEdition.objects.all()
    serializer_class = serializers.EditionSerializer
    filterset_class = filters.EditionFilter
    lookup_field = "pk"
    lookup_url_kwarg = "id"
    lookup_value_regex = r"[0-9]{1,18}"
    # Nested deadlines change without touching the edition's timestamp.
    etag_field = None

    def read_queryset(self):
        return (
            self.base_queryset()
            .filter(series__status=models.Status.PUBLISHED)
            .select_related("series")
            .prefetch_related(
                Prefetch("deadlines", queryset=models.Deadline.objects.current().order_by("at", "pk"))
            )
        )


@catalogue_schema(
    "deadline",
    "deadlines",
    serializers.DeadlineSerializer,
    formats=("json", "csv", "ics"),
)
class DeadlineViewSet(CatalogueViewSet):
    """Deadlines of published conferences, each an exact instant (UTC) with the time as written."""

    queryset = models.Deadline.objects.all()
    serializer_class = serializers.DeadlineSerializer
    filterset_class = filters.DeadlineFilter
    lookup_field = "pk"
    lookup_url_kwarg = "id"
    lookup_value_regex = r"[0-9]{1,18}"
    renderer_classes = [*JSON_RENDERERS, CSVRenderer, ICalendarRenderer]
    etag_field = None
    calendar_name = "AI conference deadlines"

    def read_queryset(self):
        return self.base_queryset().published().current().select_related("edition__series")

    # A deadline written through the API is the curator's: imports leave it alone from then on.
    def perform_create(self, serializer):
        with transaction.atomic():
            curation.curator_saved(serializer.save(), None)

    def perform_update(self, serializer):
        before = curation.before_edit(serializer.instance)
        with transaction.atomic():
            curation.curator_saved(serializer.save(), before)


class ExpectedDeadlinesView(ApiViewMixin, APIView):
    """Estimated next paper deadlines of the conferences that have not announced one."""

    permission_classes = [CatalogueWritePermission]
    renderer_classes = JSON_RENDERERS

    @extend_schema(
        operation_id="expected_deadlines",
        summary="List expected (estimated) deadlines",
        description=(
            "For each published conference series with at least two past paper deadlines and no "
            "announced one ahead: its next edition's paper deadline, estimated from where the "
            "latest one fell in its year, with the spread of the last four (`earliest`, "
            "`latest`) and the years read (`based_on`). Every item has `estimated: true`; an "
            "estimate disappears as soon as the real date is imported. One list, soonest first, "
            "at most one item per series (not paged)."
        ),
        parameters=[
            OpenApiParameter("conference", OpenApiTypes.STR, description="Conference slug."),
            OpenApiParameter("topic", OpenApiTypes.STR, description="Topic slug (its subtopics too)."),
            OpenApiParameter("field", OpenApiTypes.STR, description="The series' field (AI, CV, NLP, …)."),
            OpenApiParameter("rank", OpenApiTypes.STR, enum=["A", "B", "C"], description="CCF rank."),
            OpenApiParameter(
                "core_rank", OpenApiTypes.STR, enum=["A*", "A", "B", "C"], description="CORE rank."
            ),
        ],
        responses={200: serializers.ExpectedDeadlinesSerializer, **error_responses(*READ_ERRORS)},
    )
    def get(self, request):
        filtered = filters.ExpectedDeadlineFilter(
            request.query_params, queryset=models.Deadline.objects.published().current()
        )
        if not filtered.is_valid():
            raise drf_serializers.ValidationError(filtered.errors)
        found = estimates.expected_deadlines(filtered.qs)
        body = {"count": len(found), "results": found}
        return Response(serializers.ExpectedDeadlinesSerializer(body).data)


@extend_schema_view(
    list=extend_schema(
        summary="List recent changes to deadlines",
        description=(
            "Deadlines of published conferences that moved, were announced, withdrawn or listed "
            "again after their edition was first imported, newest first: seen by a sync of the "
            "community data sets (`source`: ccf, hf) or made by a curator (`source` empty)."
        ),
        responses={200: serializers.DeadlineChangeSerializer(many=True), **error_responses(*READ_ERRORS)},
    ),
    retrieve=extend_schema(
        summary="Retrieve one change to a deadline",
        responses={200: serializers.DeadlineChangeSerializer, **error_responses(*READ_ERRORS)},
    ),
)
class DeadlineChangeViewSet(CatalogueReadMixin, viewsets.ReadOnlyModelViewSet):
    """The history of deadlines: a record, read-only."""

    queryset = models.DeadlineChange.objects.all()
    serializer_class = serializers.DeadlineChangeSerializer
    filterset_class = filters.DeadlineChangeFilter
    renderer_classes = JSON_RENDERERS
    lookup_field = "pk"
    lookup_url_kwarg = "id"
    lookup_value_regex = r"[0-9]{1,18}"
    # Rows are never edited: their count and newest time identify a list.
    etag_field = "seen_at"

    def read_queryset(self):
        return selectors.deadline_changes()


@catalogue_schema("course", "courses", serializers.CourseSerializer)
class CourseViewSet(SimilarMixin, CatalogueViewSet):
    queryset = models.Course.objects.all()
    serializer_class = serializers.CourseSerializer
    filterset_class = filters.CourseFilter

    def read_queryset(self):
        return (
            self.base_queryset()
            .published()
            .defer("search_vector")
            .prefetch_related(*self.detail_prefetches())
        )


@catalogue_schema("book", "books", serializers.BookSerializer, formats=("json", "csv", "bibtex"))
class BookViewSet(SimilarMixin, CatalogueViewSet):
    queryset = models.Book.objects.all()
    serializer_class = serializers.BookSerializer
    filterset_class = filters.BookFilter
    renderer_classes = [*JSON_RENDERERS, CSVRenderer, BibTeXRenderer]

    def read_queryset(self):
        queryset = self.base_queryset().published().defer("search_vector")
        if format_of(self.request) == BibTeXRenderer.format:
            return queryset
        return queryset.prefetch_related(*self.detail_prefetches())


@catalogue_schema(
    "paper",
    "papers",
    serializers.PaperSerializer,
    serializers.PaperDetailSerializer,
    formats=("json", "csv", "bibtex"),
)
class PaperViewSet(SimilarMixin, CatalogueViewSet):
    """Papers; lists leave out abstracts and citations, which a paper's own page has."""

    queryset = models.Paper.objects.all()
    serializer_class = serializers.PaperSerializer
    detail_serializer_class = serializers.PaperDetailSerializer
    filterset_class = filters.PaperFilter
    renderer_classes = [*JSON_RENDERERS, CSVRenderer, BibTeXRenderer]

    def read_queryset(self):
        queryset = self.base_queryset().published().defer("search_vector")
        if format_of(self.request) == BibTeXRenderer.format:
            return queryset.select_related("venue_edition__series")
        if self.action == "list":
            return queryset.defer("search_vector", "abstract")
        return queryset.prefetch_related(
            _topics(), Prefetch("cites", queryset=models.Paper.objects.only("slug"))
        )


@catalogue_schema("community", "communities", serializers.CommunitySerializer)
class CommunityViewSet(SimilarMixin, CatalogueViewSet):
    queryset = models.Community.objects.all()
    serializer_class = serializers.CommunitySerializer
    filterset_class = filters.CommunityFilter

    def read_queryset(self):
        return (
            self.base_queryset()
            .published()
            .defer("search_vector")
            .prefetch_related(*self.detail_prefetches())
        )


# --- search --------------------------------------------------------------------------------------


class SearchQuerySerializer(drf_serializers.Serializer):
    q = drf_serializers.CharField(max_length=search.MAX_QUERY_LENGTH, help_text="What to look for.")
    type = drf_serializers.ChoiceField(
        choices=[t.key for t in search.available_types()] + ["topics"],
        required=False,
        help_text="Only this type; all types when absent.",
    )
    limit = drf_serializers.IntegerField(
        min_value=1,
        max_value=50,
        default=search.GROUP_LIMIT,
        help_text="At most this many results of each type.",
    )
    mode = drf_serializers.ChoiceField(
        choices=list(search.MODES),
        default="hybrid",
        help_text="hybrid: words and meaning fused (reciprocal rank fusion); keyword; semantic: meaning.",
    )


class SearchView(ApiViewMixin, APIView):
    """Search papers, conferences, books, courses, communities, tutorials and topics at once, best matches
    first within each type: the site's own search (full text and trigram on PostgreSQL), by default
    fused with a ranking by meaning (``mode``); ``mode_used`` and ``fallback_reason`` say what ran.
    In hybrid mode the types come in the order the page shows them: the type holding an exact
    title first, then the others by how well their first result matched."""

    permission_classes = [CatalogueWritePermission]
    renderer_classes = [*JSON_RENDERERS, CSVRenderer]

    @extend_schema(
        operation_id="search",
        summary="Search the whole catalogue",
        parameters=[SearchQuerySerializer, *_format_parameter(("json", "csv"))],
        responses={
            **_ok(200, serializers.SearchResponseSerializer, ("csv",)),
            # DRF answers a ?format= it does not offer with 404 (an unknown Accept gets 406).
            **error_responses(400, 401, 404, 406, 429, e404="`format` names a format not offered here."),
        },
    )
    def get(self, request):
        params = SearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        only, limit = params.validated_data.get("type"), params.validated_data["limit"]
        # One type asked for: only that type is queried, as on the page's ?type= view.
        found = search.search(
            params.validated_data["q"],
            limit=limit,
            types=[only] if only else None,
            mode=params.validated_data["mode"],
        )
        counts, results = {}, []
        for group in found.sections:
            counts[group.key] = group.count
            results += [
                self._result(request, group.key, hit.item.slug, hit.title, hit.snippet) for hit in group.hits
            ]
        if only in (None, "topics"):
            counts["topics"] = len(found.topics)
            results += [
                self._result(request, "topics", t.slug, search.Marked(t.name), search.Marked(""))
                for t in found.topics[:limit]
            ]
        body = {
            "query": found.query,
            "counts": counts,
            "results": results,
            "suggestion": found.suggestion,
            "mode_used": found.mode_used,
            "fallback_reason": found.fallback_reason,
        }
        return Response(serializers.SearchResponseSerializer(body).data)

    @staticmethod
    def _result(request, kind, slug, title: search.Marked, snippet: search.Marked):
        basename = "topic" if kind == "topics" else search.type_by_key(kind).api_basename
        url = reverse(f"api:{basename}-detail", args=[slug])
        return {
            "type": kind,
            "slug": slug,
            "title": title.text,
            "snippet": snippet.text,
            "title_highlights": [list(span) for span in title.spans],
            "snippet_highlights": [list(span) for span in snippet.spans],
            "api_url": request.build_absolute_uri(url),
        }
