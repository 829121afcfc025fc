"""What the paths and progress API reads and writes; every field is listed explicitly.

A path is written by curators (staff or the model's permissions) like a catalogue item: its own
fields, topics and prerequisite paths by slug; steps are read-only here and edited in the admin.
A prerequisite that would close a cycle is a field error on ``prerequisites``.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from paths import services
from paths.graph import check_acyclic
from paths.models import LearningPath, Progress, Step, StepProgress
from portal.api.serializers import UTCDateTimeField
from resources.api.serializers import SMALL, ModelCleanMixin, topic_slugs
from resources.templatetags.web_links import web_url


class StepTargetSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="course, book, paper, community, conference, tutorial or link.")
    slug = serializers.CharField(
        allow_null=True, help_text="The item's slug; null for an outside address or a draft item."
    )
    title = serializers.CharField()
    url = serializers.CharField(
        allow_null=True,
        help_text="The item's page on the site, or the outside address; null for a draft item.",
    )
    published = serializers.BooleanField(help_text="False while the item is a draft.")


class StepSerializer(serializers.ModelSerializer):
    """One step of a path: what it points at, why, and the steps to take before it."""

    target = serializers.SerializerMethodField()
    prerequisites = serializers.PrimaryKeyRelatedField(many=True, read_only=True, help_text="Ids of steps.")

    class Meta:
        model = Step
        fields = (
            "id",
            "position",
            "target",
            "title_en",
            "title_zh",
            "why_en",
            "why_zh",
            "estimated_hours",
            "required",
            "prerequisites",
        )
        read_only_fields = fields

    @extend_schema_field(StepTargetSerializer)
    def get_target(self, step) -> dict:
        published = step.target_published
        # A draft item keeps its address to itself until a curator publishes it.
        return {
            "type": step.kind,
            "slug": getattr(step.target, "slug", None) if published else None,
            "title": step.label_en,
            "url": (web_url(step.url) or None if step.kind == "link" else step.url) if published else None,
            "published": published,
        }


class PathSerializer(ModelCleanMixin, serializers.ModelSerializer):
    """A learning path; on writes, topics and prerequisites are named by slug."""

    topics = topic_slugs()
    prerequisites = serializers.SlugRelatedField(
        many=True,
        slug_field="slug",
        queryset=LearningPath.objects.all(),
        required=False,
        help_text="Slugs of the paths to take first; they must not form a cycle.",
    )
    step_count = serializers.SerializerMethodField()

    class Meta:
        model = LearningPath
        fields = (
            "slug",
            "title_en",
            "title_zh",
            "summary_en",
            "summary_zh",
            "level",
            "estimated_hours",
            "position",
            "topics",
            "prerequisites",
            "step_count",
        )
        extra_kwargs = {"estimated_hours": SMALL, "position": SMALL}

    def get_step_count(self, path) -> int:
        count = getattr(path, "step_count", None)
        return count if count is not None else path.steps.count()

    def validate(self, attrs):
        attrs = super().validate(attrs)
        chosen = attrs.get("prerequisites")
        if chosen is not None and self.instance is not None:
            try:
                check_acyclic(
                    self.instance.pk,
                    [p.pk for p in chosen],
                    services.path_prerequisites_of,
                    label=services.path_label,
                )
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.message_dict) from None
        return attrs


class PathDetailSerializer(PathSerializer):
    """A path with its steps in order."""

    steps = StepSerializer(many=True, read_only=True)

    class Meta(PathSerializer.Meta):
        fields = (*PathSerializer.Meta.fields, "steps")


class ProgressSerializer(serializers.ModelSerializer):
    """One step's state for the signed-in user, with their private note."""

    url = serializers.HyperlinkedIdentityField(
        view_name="api:progress-detail", lookup_field="pk", lookup_url_kwarg="id"
    )
    path = serializers.SlugRelatedField(source="step.path", slug_field="slug", read_only=True)
    updated_at = UTCDateTimeField(read_only=True)

    class Meta:
        model = StepProgress
        fields = ("id", "url", "step", "path", "state", "note", "updated_at")
        read_only_fields = ("id", "url", "step", "path", "updated_at")


class ProgressCreateSerializer(serializers.Serializer):
    """Set your state on a step of a published path (creates or changes your row for it)."""

    step = serializers.PrimaryKeyRelatedField(
        queryset=Step.objects.filter(path__status="published"), help_text="The step's id."
    )
    state = serializers.ChoiceField(choices=Progress.choices, default=Progress.LEARNING)
    note = serializers.CharField(
        max_length=services.NOTE_MAX_LENGTH, required=False, allow_blank=True, help_text="Only you see it."
    )
