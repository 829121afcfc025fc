"""What the runs API reads and writes; every field is listed, and everything a run records is read-only.

A client writes only what a launch needs (demo, parameters, tutorial, public or not); ids, owner,
status, progress, metrics and timestamps come from the worker. Values a diverging training may
record as NaN or infinity are sent as null (``services.finite``), since JSON has no spelling for them.
``RunDetailSerializer`` is also the run page's live state (``/tutorials/runs/<id>/status.json``).
"""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from resources.api.serializers import ReadPlanMixin
from tutorials import services
from tutorials.models import TrainingRun, Tutorial


class _RecordedJSON(serializers.JSONField):
    def to_representation(self, value):
        return services.finite(value)


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"type": "number", "nullable": True},
        "description": (
            "Metric name → value: val_accuracy, val_loss, train_loss (for tiny_gpt the accuracy "
            "is of the next character)."
        ),
    }
)
class MetricsField(_RecordedJSON):
    pass


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "object", "additionalProperties": {"type": "number", "nullable": True}},
        "description": (
            "One point per reported step: step, epoch, loss (that batch's), and the evaluation "
            "metrics on the steps after which the demo evaluated. Long runs keep every point of "
            "the newer half and every other point of the older half."
        ),
    }
)
class MetricSeriesField(_RecordedJSON):
    pass


@extend_schema_field(
    {
        "type": "array",
        "items": {
            "type": "object",
            "properties": {"step": {"type": "integer"}, "text": {"type": "string"}},
        },
        "description": "tiny_gpt: the latest text samples, each with the step that wrote it.",
    }
)
class SamplesField(_RecordedJSON):
    pass


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": True,
        "description": (
            "What the demo leaves at the end: mlp_digits a confusion matrix and per-digit accuracy, "
            "bert_finetune predictions on held-out sentences, tiny_gpt text samples; each with "
            "its per-epoch history."
        ),
    }
)
class ResultsField(_RecordedJSON):
    pass


@extend_schema_field({"type": "object", "additionalProperties": True})
class ParamsField(serializers.JSONField):
    pass


class RunSerializer(serializers.ModelSerializer):
    """A run in a list: who, what, how far; the metric series and results are on its own page."""

    url = serializers.HyperlinkedIdentityField(
        view_name="api:run-detail", lookup_field="pk", lookup_url_kwarg="id", help_text="This run in the API."
    )
    page_url = serializers.SerializerMethodField(help_text="The run's page on the site, with its live chart.")
    owner = serializers.CharField(source="owner.username", read_only=True, help_text="Who launched it.")
    tutorial = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text="The tutorial it was launched from; null when launched without one.",
    )
    final_metrics = MetricsField(read_only=True)

    class Meta:
        model = TrainingRun
        fields = [
            "id",
            "url",
            "page_url",
            "demo",
            "tutorial",
            "owner",
            "is_public",
            "status",
            "progress",
            "device",
            "final_metrics",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.URI)
    def get_page_url(self, run) -> str:
        return self._absolute(reverse("tutorials:run-detail", args=[run.pk]))

    def _absolute(self, path: str) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class RunDetailSerializer(RunSerializer):
    """One run with everything it recorded: parameters, progress, metric series, results, timings."""

    params = ParamsField(read_only=True, help_text="The validated parameters the run uses, every one.")
    metrics = MetricSeriesField(read_only=True)
    samples = SamplesField(read_only=True)
    results = ResultsField(read_only=True)
    duration_seconds = serializers.FloatField(
        read_only=True, allow_null=True, help_text="From start to finish; null until it has finished."
    )
    share_url = serializers.SerializerMethodField(
        help_text="The owner only: a link that shows this run to anyone who has it, even when private."
    )
    status_label = serializers.CharField(
        source="get_status_display", read_only=True, help_text="The status in the reader's language."
    )
    finished = serializers.BooleanField(
        source="is_finished", read_only=True, help_text="True once the run has ended, whichever way."
    )
    queue = serializers.SerializerMethodField(
        help_text=(
            "While the run is queued: its place in line (1 is next), the estimated wait in seconds "
            "(null until the demos ahead have a history) and both in words; null once it has started."
        )
    )

    class Meta(RunSerializer.Meta):
        fields = [
            *RunSerializer.Meta.fields,
            "params",
            "status_label",
            "finished",
            "step",
            "total_steps",
            "epoch",
            "metrics",
            "samples",
            "results",
            "error",
            "cancel_requested",
            "attempts",
            "heartbeat_at",
            "duration_seconds",
            "share_url",
            "queue",
        ]
        read_only_fields = fields

    @extend_schema_field(
        {
            "type": "object",
            "nullable": True,
            "properties": {
                "position": {"type": "integer", "minimum": 1},
                "wait_seconds": {"type": "integer", "nullable": True},
                "text": {"type": "string"},
            },
            "required": ["position", "wait_seconds", "text"],
        }
    )
    def get_queue(self, run) -> dict | None:
        place = services.queue_place(run)
        if place is None:
            return None
        return {
            "position": place.position,
            "wait_seconds": place.wait_seconds,
            "text": services.describe_place(place),
        }

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_share_url(self, run) -> str | None:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or run.owner_id != user.pk:
            return None
        return self._absolute(reverse("tutorials:run-shared", args=[run.share_token]))


class LaunchSerializer(serializers.Serializer):
    """The body of a launch: a demo (or a tutorial that offers one) and its parameters."""

    demo = serializers.ChoiceField(
        choices=services.demo_names(),
        required=False,
        help_text="The demo to train; may be left out when `tutorial` names one that offers a demo.",
    )
    params = serializers.DictField(
        required=False,
        default=dict,
        help_text=(
            "Hyperparameters by name; those left out take the tutorial's defaults, then the demo's. "
            "Out-of-bounds or unknown names are 400 with a message per parameter under `params`."
        ),
    )
    tutorial = serializers.SlugField(
        required=False, max_length=120, help_text="Slug of a published tutorial to launch its demo from."
    )
    is_public = serializers.BooleanField(
        required=False, default=False, help_text="Show the run to everyone and on the demo's leaderboard."
    )


# --- tutorials -----------------------------------------------------------------------------------


class DemoParamSerializer(serializers.Serializer):
    """One hyperparameter a launch may set, with the bounds the server enforces."""

    name = serializers.CharField()
    kind = serializers.CharField(help_text="int, float, bool or choice.")
    default = serializers.JSONField(help_text="The tutorial's value when it sets one, else the demo's.")
    minimum = serializers.FloatField(allow_null=True)
    maximum = serializers.FloatField(allow_null=True)
    choices = serializers.ListField(child=serializers.CharField())
    help = serializers.CharField()


class TutorialSerializer(ReadPlanMixin, serializers.ModelSerializer):
    """A published tutorial as lists show it; read-only (curators edit tutorials in the admin)."""

    topics = serializers.ListField(child=serializers.SlugField(), source="topic_slugs", read_only=True)
    url = serializers.SerializerMethodField(help_text="The tutorial's page on the site.")

    class Meta:
        model = Tutorial
        fields = (
            "slug",
            "title_en",
            "title_zh",
            "summary_en",
            "summary_zh",
            "level",
            "topics",
            "demo",
            "url",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    def get_url(self, tutorial) -> str:
        request = self.context.get("request")
        path = tutorial.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


def _slugs():
    return serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")


class TutorialDetailSerializer(TutorialSerializer):
    """One tutorial: its Markdown bodies, the catalogue items it links and the parameters its
    demo takes (what ``POST /api/v1/runs/`` accepts in ``params``)."""

    topics = _slugs()
    papers = _slugs()
    books = _slugs()
    courses = _slugs()
    demo_params = serializers.SerializerMethodField()

    class Meta(TutorialSerializer.Meta):
        fields = (
            *TutorialSerializer.Meta.fields[:-2],
            "body_en",
            "body_zh",
            "papers",
            "books",
            "courses",
            "demo_params",
            "created_at",
            "updated_at",
        )
        read_only_fields = fields

    @extend_schema_field(DemoParamSerializer(many=True))
    def get_demo_params(self, tutorial) -> list[dict]:
        if not tutorial.demo:
            return []
        overrides = tutorial.demo_defaults or {}
        return [
            {
                "name": param.name,
                "kind": param.kind,
                "default": overrides.get(param.name, param.default),
                "minimum": param.minimum,
                "maximum": param.maximum,
                "choices": [str(choice) for choice in param.choices],
                "help": param.help,
            }
            for param in services.demo_spec(tutorial.demo)
        ]
