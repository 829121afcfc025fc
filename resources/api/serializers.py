"""What the API reads and writes: every serializer lists its fields.

Writes are checked by the model's own ``full_clean()`` (field validators, ``clean()``, unique
keys and check constraints), so the API accepts exactly what the admin accepts and reports
it field by field. Ids, timestamps and statuses are read-only: an item created here is a
draft until a curator publishes it.
"""

import copy

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models as django_models
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import PKOnlyObject
from rest_framework.settings import api_settings

from portal.api.serializers import UTCDateTimeField
from resources import models

CATALOGUE_READ_ONLY = ("status", "created_at", "updated_at", "published_at")


class ReadPlanMixin:
    """DRF's serializers with their fixed costs paid once (a list of a hundred papers reads two
    thousand values): ModelSerializer's field introspection is done once per class and copied,
    which fields to read is worked out once per serializer, and a plain model column is read with
    ``getattr``. The output is the same as DRF's."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        django_models.DateTimeField: UTCDateTimeField,
    }

    def get_fields(self):
        cls = type(self)
        template = cls.__dict__.get("_fields_template")
        if template is None:
            template = super().get_fields()
            cls._fields_template = template
        return copy.deepcopy(template)

    def _read_plan(self):
        plan = self.__dict__.get("_cached_read_plan")
        if plan is None:
            model = self.Meta.model
            columns = {f.name for f in model._meta.concrete_fields if not f.is_relation}
            plan = self._cached_read_plan = [
                (field.field_name, field, field.source if field.source in columns else None)
                for field in self._readable_fields
            ]
        return plan

    def to_representation(self, instance):
        data = {}
        for name, field, column in self._read_plan():
            if column is not None:
                value = getattr(instance, column)
                data[name] = None if value is None else field.to_representation(value)
                continue
            try:
                value = field.get_attribute(instance)
            except SkipField:
                continue
            check = value.pk if isinstance(value, PKOnlyObject) else value
            data[name] = None if check is None else field.to_representation(value)
        return data


class TopicSlugsField(serializers.ManyRelatedField):
    """Topic slugs: written as slugs of existing topics; read from ``topic_slugs`` when a list
    view attached them (one query for the page, no manager per row), else from ``topics``."""

    def get_attribute(self, instance):
        slugs = getattr(instance, "topic_slugs", None)
        return slugs if slugs is not None else super().get_attribute(instance)

    def to_representation(self, iterable):
        return [item if isinstance(item, str) else item.slug for item in iterable]


class ModelCleanMixin:
    """Validate the would-be instance with the model's ``full_clean()`` after field validation."""

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        many_to_many = {field.name for field in model._meta.many_to_many}
        candidate = model() if self.instance is None else copy.copy(self.instance)
        for name, value in attrs.items():
            if name not in many_to_many:
                setattr(candidate, name, value)
        # save() makes a missing slug; an empty one is not an error here.
        exclude = (
            ["slug"]
            if hasattr(candidate, "slug") and not candidate.slug and hasattr(model, "slug_source")
            else []
        )
        try:
            candidate.full_clean(exclude=exclude)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(
                {
                    (api_settings.NON_FIELD_ERRORS_KEY if name == NON_FIELD_ERRORS else name): messages
                    for name, messages in exc.message_dict.items()
                }
            ) from None
        # clean() normalises some values (ISBN-10 to ISBN-13, arXiv URLs to ids): keep its result.
        return {
            name: (value if name in many_to_many else getattr(candidate, name))
            for name, value in attrs.items()
        }


# Bounds the schema states whatever the database (SQLite's integers are wider than PostgreSQL's).
SMALL = {"min_value": 0, "max_value": 32767}
YEAR = {"min_value": 1000, "max_value": 2100}
ID = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


def edition_id(**kwargs):
    return serializers.PrimaryKeyRelatedField(
        queryset=models.ConferenceEdition.objects.all(), pk_field=ID, **kwargs
    )


def topic_slugs():
    return TopicSlugsField(
        child_relation=serializers.SlugRelatedField(slug_field="slug", queryset=models.Topic.objects.all()),
        required=False,
    )


def names(**kwargs):
    return serializers.ListField(child=serializers.CharField(max_length=200), max_length=200, **kwargs)


# --- topics --------------------------------------------------------------------------------------


class TopicSerializer(ReadPlanMixin, ModelCleanMixin, serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(
        slug_field="slug", queryset=models.Topic.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = models.Topic
        fields = ("slug", "name_en", "name_zh", "parent", "description_en", "description_zh", "position")
        extra_kwargs = {"position": SMALL}


# --- conferences ---------------------------------------------------------------------------------


class NestedDeadlineSerializer(ReadPlanMixin, serializers.ModelSerializer):
    class Meta:
        model = models.Deadline
        fields = ("id", "kind", "label", "at", "local", "timezone", "comment", "is_tbd")
        read_only_fields = fields


class EditionSerializer(ReadPlanMixin, ModelCleanMixin, serializers.ModelSerializer):
    series = serializers.SlugRelatedField(slug_field="slug", queryset=models.ConferenceSeries.objects.all())
    deadlines = NestedDeadlineSerializer(many=True, read_only=True)

    class Meta:
        model = models.ConferenceEdition
        fields = (
            "id",
            "series",
            "year",
            "ccf_id",
            "hf_id",
            "start_date",
            "end_date",
            "date_text",
            "city",
            "country",
            "venue",
            "place_text",
            "link",
            "timezone",
            "note",
            "deadlines",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "created_at", "updated_at")
        extra_kwargs = {"year": {"min_value": 1950, "max_value": 2100}}


class NestedEditionSerializer(ReadPlanMixin, serializers.ModelSerializer):
    deadlines = NestedDeadlineSerializer(many=True, read_only=True)
    # Declared so that the schema allows the empty link most editions have (a read-only field
    # built from the model would be a plain "uri", which "" is not).
    link = serializers.URLField(read_only=True, allow_blank=True)

    class Meta:
        model = models.ConferenceEdition
        fields = (
            "id",
            "year",
            "start_date",
            "end_date",
            "date_text",
            "city",
            "country",
            "venue",
            "place_text",
            "link",
            "timezone",
            "note",
            "deadlines",
        )
        read_only_fields = fields


class AcceptanceRateSerializer(ReadPlanMixin, serializers.ModelSerializer):
    class Meta:
        model = models.AcceptanceRate
        fields = ("year", "submitted", "accepted", "rate", "source")
        read_only_fields = fields


class ConferenceSeriesSerializer(ReadPlanMixin, ModelCleanMixin, serializers.ModelSerializer):
    topics = topic_slugs()

    class Meta:
        model = models.ConferenceSeries
        fields = (
            "slug",
            "short_name",
            "full_name",
            "kind",
            "field",
            "ccf_rank",
            "core_rank",
            "thcpl_rank",
            "h5_index",
            "dblp_key",
            "homepage",
            "topics",
            "description_en",
            "description_zh",
            *CATALOGUE_READ_ONLY,
        )
        read_only_fields = CATALOGUE_READ_ONLY
        extra_kwargs = {"slug": {"required": False}, "h5_index": {"min_value": 0, "max_value": 2**31 - 1}}


class ConferenceSeriesDetailSerializer(ConferenceSeriesSerializer):
    editions = NestedEditionSerializer(many=True, read_only=True)
    acceptance_rates = AcceptanceRateSerializer(many=True, read_only=True)

    class Meta(ConferenceSeriesSerializer.Meta):
        fields = (*ConferenceSeriesSerializer.Meta.fields, "editions", "acceptance_rates")


class DeadlineSerializer(ReadPlanMixin, ModelCleanMixin, serializers.ModelSerializer):
    edition = edition_id()
    conference = serializers.CharField(source="edition.series.slug", read_only=True)
    conference_name = serializers.CharField(source="edition.series.short_name", read_only=True)
    year = serializers.IntegerField(source="edition.year", read_only=True)

    class Meta:
        model = models.Deadline
        fields = (
            "id",
            "edition",
            "conference",
            "conference_name",
            "year",
            "kind",
            "label",
            "at",
            "local",
            "timezone",
            "comment",
            "is_tbd",
        )
        read_only_fields = ("id", "is_tbd")


class ExpectedDeadlineSerializer(serializers.Serializer):
    """An estimated deadline (``estimated`` is always true): where the series' latest paper
    deadline fell in its year, carried to the next edition; never an announced date."""

    conference = serializers.CharField(source="slug")
    conference_name = serializers.CharField(source="short_name")
    year = serializers.IntegerField()
    kind = serializers.CharField()
    at = serializers.DateTimeField(help_text="The estimate (UTC).")
    earliest = serializers.DateTimeField(
        help_text="The earliest of the past dates read, carried to this year."
    )
    latest = serializers.DateTimeField(help_text="The latest of the past dates read, carried to this year.")
    based_on = serializers.ListField(child=serializers.IntegerField(), help_text="The edition years read.")
    estimated = serializers.BooleanField()


class ExpectedDeadlinesSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = ExpectedDeadlineSerializer(many=True)


class DeadlineChangeSerializer(serializers.ModelSerializer):
    """One recorded change: the instant before and after (UTC), as each source wrote it, and
    who changed it (``source``: ccf, hf, or empty for a curator)."""

    edition = serializers.PrimaryKeyRelatedField(read_only=True, pk_field=ID)
    deadline = serializers.PrimaryKeyRelatedField(
        read_only=True, pk_field=ID, allow_null=True, help_text="Null once the deadline itself was deleted."
    )
    conference = serializers.CharField(source="edition.series.slug", read_only=True)
    conference_name = serializers.CharField(source="edition.series.short_name", read_only=True)
    year = serializers.IntegerField(source="edition.year", read_only=True)

    class Meta:
        model = models.DeadlineChange
        fields = (
            "id",
            "edition",
            "conference",
            "conference_name",
            "year",
            "deadline",
            "kind",
            "label",
            "change",
            "old_at",
            "new_at",
            "old_local",
            "new_local",
            "source",
            "seen_at",
        )
        read_only_fields = fields


# --- courses, books, papers, communities ---------------------------------------------------------


class CourseSerializer(ReadPlanMixin, ModelCleanMixin, serializers.ModelSerializer):
    topics = topic_slugs()
    instructors = names(required=False)
    languages = serializers.ListField(
        child=serializers.CharField(max_length=10), max_length=20, required=False
    )

    class Meta:
        model = models.Course
        fields = (
            "slug",
            "title",
            "provider",
            "instructors",
            "url",
            "level",
            "languages",
            "is_free",
            "duration",
            "topics",
            "description_en",
            "description_zh",
            *CATALOGUE_READ_ONLY,
        )
        read_only_fields = CATALOGUE_READ_ONLY
        extra_kwargs = {"slug": {"required": False}}


class BookSerializer(ReadPlanMixin, ModelCleanMixin, serializers.ModelSerializer):
    topics = topic_slugs()
    authors = names(allow_empty=False)

    class Meta:
        model = models.Book
        fields = (
            "slug",
            "title",
            "authors",
            "publisher",
            "year",
            "edition",
            "isbn13",
            "url",
            "free_url",
            "language",
            "topics",
            "description_en",
            "description_zh",
            *CATALOGUE_READ_ONLY,
        )
        read_only_fields = CATALOGUE_READ_ONLY
        extra_kwargs = {"slug": {"required": False}, "year": YEAR}


class PaperSerializer(ReadPlanMixin, ModelCleanMixin, serializers.ModelSerializer):
    topics = topic_slugs()
    authors = names(allow_empty=False)
    venue_edition = edition_id(allow_null=True, required=False)

    class Meta:
        model = models.Paper
        fields = (
            "slug",
            "title",
            "authors",
            "year",
            "venue",
            "venue_edition",
            "arxiv_id",
            "doi",
            "url",
            "pdf_url",
            "code_url",
            "bibtex_key",
            "topics",
            "description_en",
            "description_zh",
            *CATALOGUE_READ_ONLY,
        )
        read_only_fields = CATALOGUE_READ_ONLY
        extra_kwargs = {"slug": {"required": False}, "year": YEAR}


class PaperDetailSerializer(PaperSerializer):
    """A paper with its abstract and the papers it cites (left out of lists to keep them light)."""

    cites = serializers.SlugRelatedField(
        slug_field="slug", many=True, required=False, queryset=models.Paper.objects.all()
    )

    class Meta(PaperSerializer.Meta):
        fields = (*PaperSerializer.Meta.fields, "abstract", "cites")


class CommunitySerializer(ReadPlanMixin, ModelCleanMixin, serializers.ModelSerializer):
    topics = topic_slugs()

    class Meta:
        model = models.Community
        fields = (
            "slug",
            "name",
            "kind",
            "url",
            "language",
            "topics",
            "description_en",
            "description_zh",
            *CATALOGUE_READ_ONLY,
        )
        read_only_fields = CATALOGUE_READ_ONLY
        extra_kwargs = {"slug": {"required": False}}


# --- search --------------------------------------------------------------------------------------


class SearchResultSerializer(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=["papers", "conferences", "books", "courses", "communities", "tutorials", "topics"]
    )
    slug = serializers.CharField()
    title = serializers.CharField()
    snippet = serializers.CharField(help_text="Plain text around the match; may be empty.")
    title_highlights = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField(min_value=0), min_length=2, max_length=2),
        help_text="The [start, end) character offsets of the matched words in `title`.",
    )
    snippet_highlights = serializers.ListField(
        child=serializers.ListField(child=serializers.IntegerField(min_value=0), min_length=2, max_length=2),
        help_text="The [start, end) character offsets of the matched words in `snippet`.",
    )
    api_url = serializers.URLField()


class SearchResponseSerializer(serializers.Serializer):
    query = serializers.CharField(help_text="The query as searched (spaces collapsed).")
    counts = serializers.DictField(
        child=serializers.IntegerField(), help_text="Matches of each type searched."
    )
    results = SearchResultSerializer(many=True)
    suggestion = serializers.CharField(
        allow_blank=True,
        help_text=(
            "When nothing matched: a query to try instead, made of the catalogue's own words "
            '("transformer" for "tranformer"); empty otherwise.'
        ),
    )
    mode_used = serializers.CharField(
        help_text="What ranked the results: the mode asked for, or `keyword` after a fallback.",
    )
    fallback_reason = serializers.CharField(
        allow_blank=True,
        help_text=(
            "Why a hybrid or semantic search ran as keyword: `not_embedded` (no vectors yet) or "
            "`model_unavailable` (the embedding model cannot load); empty otherwise."
        ),
    )
