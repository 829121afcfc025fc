"""/api/v1/runs/: launch a demo training, follow it, list runs, cancel one's own.

Reading is open: a visitor sees public runs, a signed-in user also their own; another user's
private run is simply not there (404, never 403). Launching and cancelling need a signed-in user
(token or session). A launch goes through ``tutorials.services.launch_run``, the same service as
the tutorial page's form, so the same validation, fair-use limits and broker check apply; on top,
the ``launch`` throttle scope counts launches per user.
"""

import django_filters
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from django_filters import rest_framework as rest_filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.permissions import SAFE_METHODS, AllowAny, BasePermission
from rest_framework.response import Response

from portal.api.pagination import ApiPagination
from portal.api.views import JSON_RENDERERS, READ_ERRORS, ApiViewMixin, error_responses
from resources.api.filters import ordering, text_search, topic_filter
from resources.api.renderers import CSVRenderer
from resources.api.similar import SimilarMixin
from resources.api.views import CatalogueReadMixin
from tutorials import services
from tutorials.api.serializers import (
    LaunchSerializer,
    RunDetailSerializer,
    RunSerializer,
    TutorialDetailSerializer,
    TutorialSerializer,
)
from tutorials.api.throttling import LaunchThrottle
from tutorials.demos import DEMO_NAMES
from tutorials.models import TrainingRun, Tutorial

#: Seconds a refused launch suggests waiting (Retry-After), by the service's reason.
RETRY_AFTER = {"limit": 60, "busy": 60, "broker": 30}
#: What a list leaves out: the bulky parts that only a run's own page shows.
LIST_DEFERRED = ("params", "metrics", "samples", "results", "error")

#: What the common error responses mean for runs (the others keep the catalogue's descriptions).
RUN_ERROR_DESCRIPTIONS = {
    "e400": "Invalid fields or query parameters; `error.fields` says which (parameters under `params`).",
    "e401": "Missing or invalid credentials (send `Authorization: Token <key>`, or use a session).",
    "e403": "A session request without its CSRF token.",
    "e404": "No such run, or another user's private run.",
    "e406": "None of the formats in `Accept` is offered here (JSON, or the browsable API).",
    "e409": "The run has already finished.",
    "e503": (
        "The training service cannot take runs now (queue full or broker unreachable); no run was created."
    ),
}
_LAUNCH_429 = (
    "Too many launches: the `launch` rate, or the fair-use limits on runs at once and per hour. "
    "`Retry-After` says how many seconds to wait."
)


def _errors(*codes: int, **descriptions: str) -> dict:
    return error_responses(*codes, **{**RUN_ERROR_DESCRIPTIONS, **descriptions})


class LaunchUnavailable(exceptions.APIException):
    """A launch the service refused (fair use, a full queue, no broker), with its status and reason."""

    def __init__(self, refused: services.LaunchRefused):
        self.status_code = refused.status
        self.retry_after = RETRY_AFTER.get(refused.code, 60)
        super().__init__(detail=refused.message, code=refused.code)


class AlreadyFinished(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The run has already finished."
    default_code = "finished"


class RunPermission(BasePermission):
    """Anyone reads (the queryset decides what); launching and cancelling need a signed-in user."""

    message = "Launching or cancelling a run needs a signed-in user."

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return bool(request.user and request.user.is_authenticated)


class RunFilter(django_filters.FilterSet):
    # The REST flavour's widget reads 1/0 as well as true/false.
    mine = rest_filters.BooleanFilter(
        method="filter_mine",
        label="1 or true: only the signed-in user's own runs (none for an anonymous visitor).",
    )
    demo = django_filters.ChoiceFilter(choices=[(name, name) for name in services.demo_names()])
    status = django_filters.ChoiceFilter(choices=TrainingRun.Status.choices)
    tutorial = django_filters.CharFilter(field_name="tutorial__slug", max_length=120, label="Tutorial slug.")

    class Meta:
        model = TrainingRun
        fields = ["mine", "demo", "status", "tutorial"]

    def filter_mine(self, queryset, name, value):
        if not value:
            return queryset
        user = self.request.user
        return queryset.filter(owner=user) if user.is_authenticated else queryset.none()


@extend_schema_view(
    list=extend_schema(
        summary="List public runs and your own",
        description="Newest first. `?mine=1` keeps only your own runs, private and public.",
        responses={
            200: RunSerializer(many=True),
            **_errors(400, 401, 404, 406, 429, e404="No such page of results."),
        },
    ),
    retrieve=extend_schema(
        summary="One run: status, progress, metric series, results",
        description="Poll this while a run trains; `progress` goes from 0 to 1.",
        responses={200: RunDetailSerializer, **_errors(401, 404, 406, 429)},
    ),
    create=extend_schema(
        summary="Launch a demo training",
        description=(
            "Creates a queued run and hands it to the worker. Parameters are checked against the "
            "demo's bounds; the fair-use limits and the `launch` rate apply."
        ),
        request=LaunchSerializer,
        responses={201: RunDetailSerializer, **_errors(400, 401, 403, 406, 415, 429, 503, e429=_LAUNCH_429)},
    ),
    cancel=extend_schema(
        summary="Cancel one of your runs",
        description=(
            "A queued run is cancelled at once; a running one stops at its next check, within seconds."
        ),
        request=None,
        responses={200: RunDetailSerializer, **_errors(401, 403, 404, 406, 409, 429)},
    ),
)
class RunViewSet(ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Demo trainings run by the portal's worker."""

    serializer_class = RunSerializer
    permission_classes = [RunPermission]
    pagination_class = ApiPagination
    renderer_classes = JSON_RENDERERS
    filter_backends = [DjangoFilterBackend]
    filterset_class = RunFilter
    lookup_field = "pk"
    lookup_url_kwarg = "id"
    lookup_value_regex = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"

    def get_queryset(self) -> QuerySet:
        runs = TrainingRun.objects.visible_to(self.request.user).select_related("owner", "tutorial")
        if self.action == "list":
            runs = runs.defer(*LIST_DEFERRED)
        return runs.order_by("-created_at", "pk")

    def get_serializer_class(self):
        return RunSerializer if self.action == "list" else RunDetailSerializer

    def get_throttles(self):
        throttles = super().get_throttles()
        if self.action == "create":
            throttles.append(LaunchThrottle())
        return throttles

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        if isinstance(exc, LaunchUnavailable):
            response["Retry-After"] = str(exc.retry_after)
        return response

    def create(self, request, *args, **kwargs):
        incoming = LaunchSerializer(data=request.data)
        incoming.is_valid(raise_exception=True)
        data = incoming.validated_data
        tutorial, demo = self._tutorial_and_demo(data.get("tutorial"), data.get("demo"))
        try:
            run = services.launch_run(
                request.user, demo, data["params"], tutorial=tutorial, is_public=data["is_public"]
            )
        except services.InvalidParams as exc:
            raise exceptions.ValidationError({"params": exc.errors}) from None
        except services.LaunchRefused as exc:
            raise LaunchUnavailable(exc) from None
        body = RunDetailSerializer(run, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED, headers={"Location": str(body["url"])})

    @staticmethod
    def _tutorial_and_demo(slug: str | None, demo: str | None) -> tuple[Tutorial | None, str]:
        if not slug:
            if not demo:
                raise exceptions.ValidationError({"demo": [_("Name a demo, or a tutorial that offers one.")]})
            return None, demo
        tutorial = Tutorial.objects.published().filter(slug=slug).first()
        if tutorial is None:
            raise exceptions.ValidationError({"tutorial": [_("No published tutorial has this slug.")]})
        if not tutorial.demo:
            raise exceptions.ValidationError({"tutorial": [_("This tutorial offers no demo.")]})
        if demo and demo != tutorial.demo:
            raise exceptions.ValidationError(
                {"demo": [_("This tutorial offers the demo %(demo)s.") % {"demo": tutorial.demo}]}
            )
        return tutorial, tutorial.demo

    @action(detail=True, methods=["post"])
    def cancel(self, request, *args, **kwargs):
        # Only the owner's runs: another user's run, public or not, is not there to cancel.
        run = get_object_or_404(
            self.get_queryset().filter(owner=request.user), pk=kwargs[self.lookup_url_kwarg]
        )
        if run.is_finished:
            raise AlreadyFinished
        run = services.cancel_run(run)
        return Response(RunDetailSerializer(run, context=self.get_serializer_context()).data)


# --- tutorials -----------------------------------------------------------------------------------


class TutorialFilter(rest_filters.FilterSet):
    q = text_search("title_en", "title_zh", "summary_en", "summary_zh")
    topic = topic_filter()
    level = rest_filters.ChoiceFilter(choices=Tutorial.Level.choices)
    demo = rest_filters.ChoiceFilter(choices=[(name, name) for name in DEMO_NAMES])
    has_demo = rest_filters.BooleanFilter(
        method="filter_has_demo", label="Only tutorials with (or without) a demo."
    )
    ordering = ordering("position", "title_en", "created_at", "updated_at")

    class Meta:
        model = Tutorial
        fields = ()

    def filter_has_demo(self, queryset, name, value):
        return queryset.exclude(demo="") if value else queryset.filter(demo="")


@extend_schema_view(
    list=extend_schema(
        summary="List published tutorials",
        responses={200: TutorialSerializer(many=True), **error_responses(*READ_ERRORS)},
    ),
    retrieve=extend_schema(
        summary="One published tutorial, with the parameters its demo takes",
        responses={200: TutorialDetailSerializer, **error_responses(*READ_ERRORS)},
    ),
)
class TutorialViewSet(SimilarMixin, CatalogueReadMixin, viewsets.ReadOnlyModelViewSet):
    """Published tutorials, read-only: curators write them in the admin, where the Markdown is
    previewed. A tutorial's ``demo_params`` tell a client what ``POST /api/v1/runs/`` accepts."""

    queryset = Tutorial.objects.all()
    serializer_class = TutorialSerializer
    detail_serializer_class = TutorialDetailSerializer
    filterset_class = TutorialFilter
    permission_classes = [AllowAny]
    renderer_classes = [*JSON_RENDERERS, CSVRenderer]

    def read_queryset(self):
        queryset = self.base_queryset().published()
        if self.action == "list":
            return queryset.defer("body_en", "body_zh")
        return queryset.prefetch_related(
            *(Prefetch(name, queryset=model.objects.only("id", "slug")) for name, model in self._linked())
        )

    @staticmethod
    def _linked():
        field = Tutorial._meta.get_field
        return [(name, field(name).related_model) for name in ("topics", "papers", "books", "courses")]
