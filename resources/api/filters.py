"""Query-string filters of the API (django-filter): a value a filter cannot use is a 400."""

import copy
import datetime as dt

import django_filters as filters
from django import forms
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from resources import exports, models, personal, selectors
from resources import search as site_search

YEAR_RANGE = (1950, 2100)


@extend_schema_field({"type": "integer", "minimum": YEAR_RANGE[0], "maximum": YEAR_RANGE[1]})
class YearFilter(filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", YEAR_RANGE[0])
        kwargs.setdefault("max_value", YEAR_RANGE[1])
        super().__init__(*args, **kwargs)


class UTCDateTimeField(forms.DateTimeField):
    """Turns any offset into UTC: PostgreSQL refuses offsets past ±15:59, which ISO 8601 allows."""

    def to_python(self, value):
        result = super().to_python(value)
        if result is None:
            return None
        try:
            return result.astimezone(dt.UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError(_("This instant is out of range."), code="invalid") from None


class UTCDateTimeFilter(filters.DateTimeFilter):
    field_class = UTCDateTimeField


class StableOrderingFilter(filters.OrderingFilter):
    """Orders by the chosen fields, then by primary key, so that pages never overlap."""

    def filter(self, qs, value):
        qs = super().filter(qs, value)
        if value:
            qs = qs.order_by(*qs.query.order_by, "pk")
        return qs


def text_search(*fields: str):
    """A ``q`` filter: every word must appear (case-insensitive) in one of ``fields``."""

    def search(queryset, name, value):
        return queryset.filter(site_search.every_word_in(fields, value.split()[:10]))

    return filters.CharFilter(
        method=search,
        max_length=200,
        label=f"Words to find in {', '.join(fields)}.",
    )


class ListingFilterMixin:
    """A filter of the API that is the web list's own (``resources.selectors``): the same value
    parsing and the same query, so ``?free=1`` or ``?language=EN`` gives the same rows on the page
    and in the API. A value the list's filter refuses is a 400 here (the page shows a message)."""

    def __init__(self, *args, listing: "selectors.Listing", name: str, **kwargs):
        self.listing_filter = next(f for f in listing.filters if f.name == name)
        self.listing = listing
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if value in (None, ""):
            return qs
        context = selectors.Filtered(listing=self.listing, queryset=qs)
        try:
            parsed = self.listing_filter.parse(str(value), context)
        except selectors.FilterError:
            # The page's message goes on "showing every …"; here nothing is shown.
            message = _("“%(value)s” is not a value this filter takes.") % {"value": value}
            raise serializers.ValidationError({self.field_name: [message]}) from None
        return self.listing_filter.apply(qs, parsed)


class ListingCharFilter(ListingFilterMixin, filters.CharFilter):
    pass


@extend_schema_field({"type": "integer", "minimum": YEAR_RANGE[0], "maximum": YEAR_RANGE[1]})
class ListingYearFilter(ListingFilterMixin, YearFilter):
    pass


def topic_filter(field_name: str = "topics__slug"):
    return filters.CharFilter(field_name=field_name, max_length=80, label="Topic slug.")


def ordering(*fields: str):
    return StableOrderingFilter(fields=fields, label="Sort by these fields; a leading - reverses.")


class TopicFilter(filters.FilterSet):
    q = text_search("name_en", "name_zh", "slug")
    parent = filters.CharFilter(field_name="parent__slug", max_length=80, label="Slug of the parent topic.")
    ordering = ordering("position", "name_en", "slug")

    class Meta:
        model = models.Topic
        fields = ()


class ConferenceSeriesFilter(filters.FilterSet):
    q = text_search("short_name", "full_name")
    topic = topic_filter()
    year = ListingYearFilter(
        listing=selectors.CONFERENCES, name="year", label="Series with an edition in this year."
    )
    field = filters.CharFilter(
        field_name="field", lookup_expr="iexact", max_length=20, label="Field, e.g. AI."
    )
    kind = filters.ChoiceFilter(choices=models.ConferenceSeries.Kind.choices)
    rank = filters.ChoiceFilter(
        field_name="ccf_rank", choices=models.ConferenceSeries.CCFRank.choices[:-1], label="CCF rank."
    )
    core_rank = filters.ChoiceFilter(
        choices=models.ConferenceSeries.CoreRank.choices[:-1], label="CORE rank."
    )
    thcpl_rank = filters.ChoiceFilter(
        choices=models.ConferenceSeries.THCPLRank.choices[:-1], label="THCPL rank."
    )
    ordering = ordering("short_name", "h5_index", "created_at", "updated_at", "published_at")

    class Meta:
        model = models.ConferenceSeries
        fields = ()


class EditionFilter(filters.FilterSet):
    conference = filters.CharFilter(field_name="series__slug", max_length=120, label="Conference slug.")
    year = YearFilter(field_name="year")
    topic = topic_filter("series__topics__slug")
    field = filters.CharFilter(field_name="series__field", lookup_expr="iexact", max_length=20)
    rank = filters.ChoiceFilter(
        field_name="series__ccf_rank", choices=models.ConferenceSeries.CCFRank.choices[:-1], label="CCF rank."
    )
    ordering = ordering("year", "start_date", "updated_at")

    class Meta:
        model = models.ConferenceEdition
        fields = ()


def deadlines_in_topic(queryset, name, value):
    """The rule of the deadlines page and the calendars (``exports.deadline_queryset``): a topic
    takes in the conferences of its subtopics. A function, so ExpectedDeadlineFilter's copy works."""
    return queryset.filter(edition__series__in=exports.series_in_topic(value))


class DeadlineFilter(filters.FilterSet):
    when = filters.ChoiceFilter(
        choices=[("upcoming", "upcoming"), ("past", "past")],
        method="filter_when",
        label="upcoming: from now on, soonest first; past: before now, latest first.",
    )
    conference = filters.CharFilter(
        field_name="edition__series__slug", max_length=120, label="Conference slug."
    )
    year = YearFilter(field_name="edition__year")
    kind = filters.ChoiceFilter(choices=models.Deadline.Kind.choices)
    topic = filters.CharFilter(
        method=deadlines_in_topic, max_length=80, label="Topic slug: conferences in it or in its subtopics."
    )
    field = filters.CharFilter(field_name="edition__series__field", lookup_expr="iexact", max_length=20)
    rank = filters.ChoiceFilter(
        field_name="edition__series__ccf_rank",
        choices=models.ConferenceSeries.CCFRank.choices[:-1],
        label="CCF rank.",
    )
    core_rank = filters.ChoiceFilter(
        field_name="edition__series__core_rank", choices=models.ConferenceSeries.CoreRank.choices[:-1]
    )
    ordering = ordering("at", "kind")
    mine = filters.BooleanFilter(
        method="filter_mine",
        label="true: only the conferences the signed-in user follows (none for an anonymous client).",
    )

    class Meta:
        model = models.Deadline
        fields = ()

    def filter_mine(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(edition__series_id__in=personal.followed_series(self.request))

    def filter_when(self, queryset, name, value):
        return queryset.upcoming() if value == "upcoming" else queryset.past()


# "from" and "to" are Python keywords, so they cannot be written as class attributes.
DeadlineFilter.base_filters["from"] = UTCDateTimeFilter(
    field_name="at", lookup_expr="gte", label="Deadlines at or after this instant (ISO 8601)."
)
DeadlineFilter.base_filters["to"] = UTCDateTimeFilter(
    field_name="at", lookup_expr="lte", label="Deadlines at or before this instant (ISO 8601)."
)


class ExpectedDeadlineFilter(filters.FilterSet):
    """The conference filters of deadlines, for the series whose next deadline is estimated."""

    class Meta:
        model = models.Deadline
        fields = ()


for _name in ("conference", "topic", "field", "rank", "core_rank"):
    ExpectedDeadlineFilter.base_filters[_name] = copy.deepcopy(DeadlineFilter.base_filters[_name])


class DeadlineChangeFilter(filters.FilterSet):
    conference = filters.CharFilter(
        field_name="edition__series__slug", max_length=120, label="Conference slug."
    )
    year = YearFilter(field_name="edition__year")
    change = filters.ChoiceFilter(choices=models.DeadlineChange.Change.choices)
    source = filters.ChoiceFilter(
        choices=[("ccf", "ccf-deadlines"), ("hf", "ai-deadlines"), ("curator", "a curator")],
        method="filter_source",
        label="Who made the change: ccf, hf, or curator.",
    )

    class Meta:
        model = models.DeadlineChange
        fields = ()

    def filter_source(self, queryset, name, value):
        return queryset.filter(source="" if value == "curator" else value)


DeadlineChangeFilter.base_filters["since"] = UTCDateTimeFilter(
    field_name="seen_at", lookup_expr="gte", label="Changes seen at or after this instant (ISO 8601)."
)


class CourseFilter(filters.FilterSet):
    q = text_search("title", "provider", "description_en", "description_zh")
    topic = topic_filter()
    level = filters.ChoiceFilter(choices=models.Course.Level.choices)
    language = ListingCharFilter(
        listing=selectors.COURSES,
        name="language",
        max_length=10,
        label="A language it is taught in (en, zh).",
    )
    free = ListingCharFilter(
        listing=selectors.COURSES,
        name="free",
        max_length=5,
        label="Free (1, true, yes) or paid (0, false, no).",
    )
    provider = filters.CharFilter(lookup_expr="iexact", max_length=120)
    is_free = filters.BooleanFilter()
    ordering = ordering("title", "created_at", "updated_at", "published_at")

    class Meta:
        model = models.Course
        fields = ()


class BookFilter(filters.FilterSet):
    q = text_search("title", "authors", "publisher")
    topic = topic_filter()
    year = YearFilter(field_name="year")
    language = ListingCharFilter(
        listing=selectors.BOOKS, name="language", max_length=10, label="Language code (en, zh)."
    )
    free = ListingCharFilter(
        listing=selectors.BOOKS,
        name="free",
        max_length=5,
        label="With (1, true, yes) or without (0, false, no) a free online edition.",
    )
    isbn13 = filters.CharFilter(max_length=13)
    ordering = ordering("title", "year", "created_at", "updated_at", "published_at")

    class Meta:
        model = models.Book
        fields = ()


class PaperFilter(filters.FilterSet):
    q = text_search("title", "authors", "venue")
    topic = topic_filter()
    year = YearFilter(field_name="year")
    year_from = YearFilter(field_name="year", lookup_expr="gte", label="Published in or after this year.")
    year_to = YearFilter(field_name="year", lookup_expr="lte", label="Published in or before this year.")
    venue = filters.CharFilter(lookup_expr="icontains", max_length=255)
    conference = filters.CharFilter(
        field_name="venue_edition__series__slug",
        max_length=120,
        label="Slug of the conference it appeared at.",
    )
    rank = ListingCharFilter(
        listing=selectors.PAPERS,
        name="rank",
        max_length=2,
        label="CCF rank of the conference it appeared at.",
    )
    arxiv_id = filters.CharFilter(max_length=40)
    doi = filters.CharFilter(max_length=255)
    has_code = filters.BooleanFilter(
        method="filter_has_code", label="Only papers with (or without) a code URL."
    )
    ordering = ordering("year", "title", "created_at", "updated_at", "published_at")

    class Meta:
        model = models.Paper
        fields = ()

    def filter_has_code(self, queryset, name, value):
        return queryset.exclude(code_url="") if value else queryset.filter(code_url="")


class CommunityFilter(filters.FilterSet):
    q = text_search("name", "description_en", "description_zh")
    topic = topic_filter()
    kind = filters.ChoiceFilter(choices=models.Community.Kind.choices)
    language = ListingCharFilter(
        listing=selectors.COMMUNITIES, name="language", max_length=10, label="Language code (en, zh)."
    )
    ordering = ordering("name", "created_at", "updated_at", "published_at")

    class Meta:
        model = models.Community
        fields = ()
