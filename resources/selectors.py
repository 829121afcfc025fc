"""Querysets the web pages and the REST API share: published items with what a page shows,
list filters with facet counts and sorting, and the related items of a detail page.

Every function here runs a fixed number of queries, whatever the number of rows.

A list filter reads its value from a query-string parameter; a value it cannot use becomes a
message (``Filtered.errors``) and the filter is left out, so a bad URL shows the whole list with
an explanation instead of failing.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from resources import registry
from resources.models import (
    AcceptanceRate,
    Book,
    Community,
    ConferenceEdition,
    ConferenceSeries,
    Course,
    Deadline,
    DeadlineChange,
    Paper,
    Status,
    Topic,
)

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
RELATED_LIMIT = 6
CITATION_LIMIT = 50
FACET_LIMIT = 25
FACET_CACHE_SECONDS = 300
CCF_RANKS = ("A", "B", "C")


class FilterError(ValueError):
    """A query-string value a filter cannot use; the message is shown to the user."""


# --- base querysets ------------------------------------------------------------------------------


def _topics_prefetch() -> Prefetch:
    return Prefetch("topics", queryset=Topic.objects.only("slug", "name_en", "name_zh", "position"))


def topics() -> QuerySet:
    return Topic.objects.all()


def next_deadline_subquery(now=None) -> Subquery:
    upcoming = Deadline.objects.current().filter(
        edition__series=OuterRef("pk"), at__gte=now or timezone.now()
    )
    return Subquery(upcoming.order_by("at").values("at")[:1])


def conferences() -> QuerySet:
    return (
        ConferenceSeries.objects.published()
        .defer("search_vector")
        .annotate(next_deadline=next_deadline_subquery())
        .prefetch_related(_topics_prefetch())
    )


def papers() -> QuerySet:
    return (
        Paper.objects.published()
        .defer("search_vector", "abstract")
        .select_related("venue_edition__series")
        .prefetch_related(_topics_prefetch())
    )


def books() -> QuerySet:
    return Book.objects.published().defer("search_vector").prefetch_related(_topics_prefetch())


def courses() -> QuerySet:
    return Course.objects.published().defer("search_vector").prefetch_related(_topics_prefetch())


def communities() -> QuerySet:
    return Community.objects.published().defer("search_vector").prefetch_related(_topics_prefetch())


def conference_fields() -> list[str]:
    """The fields (AI, CV, NLP, ...) of published series, for the deadline filter."""
    rows = (
        ConferenceSeries.objects.published()
        .exclude(field="")
        .order_by("field")
        .values_list("field", flat=True)
    )
    return list(dict.fromkeys(rows.distinct()))


def upcoming_deadlines(limit: int = 8, now=None) -> QuerySet:
    return Deadline.objects.published().upcoming(now).select_related("edition__series")[:limit]


def newest_papers(limit: int = 8) -> QuerySet:
    return papers().order_by(F("published_at").desc(nulls_last=True), "-pk")[:limit]


TOPIC_COUNTS_KEY = "resources:topic-counts"
TOPIC_COUNTS_SECONDS = 300
TOPIC_COUNT_TYPES = {
    "paper_count": Paper,
    "book_count": Book,
    "course_count": Course,
    "community_count": Community,
    "conference_count": ConferenceSeries,
}


def topic_counts() -> dict[int, dict[str, int]]:
    """{topic id: {"paper_count": n, "book_count": n, ...}} over published items.

    Five grouped queries, kept five minutes in the cache: at 100,000 papers they read the whole
    link table (tens of milliseconds), and a count a few minutes old does no harm on the pages
    that show it (home, topics).
    """
    counts = cache.get(TOPIC_COUNTS_KEY)
    if counts is None:
        counts = {}
        for name, model in TOPIC_COUNT_TYPES.items():
            owner = model._meta.model_name
            rows = (
                model.topics.through.objects.filter(**{f"{owner}__status": Status.PUBLISHED})
                .order_by()
                .values_list("topic_id")
                .annotate(n=Count("pk"))
            )
            for topic_id, n in rows:
                counts.setdefault(topic_id, {})[name] = n
        cache.set(TOPIC_COUNTS_KEY, counts, TOPIC_COUNTS_SECONDS)
    return counts


def with_counts(topic_list):
    """Set paper_count, book_count, ... on each topic, from ``topic_counts()``."""
    counts = topic_counts()
    for topic in topic_list:
        found = counts.get(topic.pk, {})
        for name in TOPIC_COUNT_TYPES:
            setattr(topic, name, found.get(name, 0))
    return topic_list


def topics_with_counts() -> list[Topic]:
    """Every topic with the number of published items of each type on it."""
    return with_counts(list(topics()))


# --- filters -------------------------------------------------------------------------------------


@dataclass
class Option:
    value: str
    label: str
    count: int
    selected: bool = False
    href: str = ""


@dataclass
class Facet:
    name: str
    label: str
    options: list[Option]
    selected: str | None = None
    clear_href: str = ""


class Filter:
    """One query-string parameter: how to read it, apply it, and count what each value would give."""

    def __init__(self, name: str, label):
        self.name = name
        self.label = label

    def parse(self, raw: str, context: "Filtered"):
        return raw

    def apply(self, queryset: QuerySet, value) -> QuerySet:
        raise NotImplementedError

    def count_values(self, queryset: QuerySet) -> dict:
        """{value: number of items} over ``queryset``, in one query."""
        raise NotImplementedError

    def options(self, found: dict, context: "Filtered") -> list[Option]:
        raise NotImplementedError


class FieldChoiceFilter(Filter):
    """A plain field with a fixed set of values (a course's level, a community's kind)."""

    def __init__(self, name, label, field_name, choices):
        super().__init__(name, label)
        self.field_name = field_name
        self.choices = dict(choices)

    def parse(self, raw, context):
        if raw not in self.choices:
            raise FilterError(
                gettext("“%(value)s” is not a valid %(filter)s; showing every %(filter)s.")
                % {"value": raw, "filter": str(self.label).lower()}
            )
        return raw

    def apply(self, queryset, value):
        return queryset.filter(**{self.field_name: value})

    def count_values(self, queryset):
        return dict(queryset.order_by().values_list(self.field_name).annotate(n=Count("pk")))

    def options(self, found, context):
        return [
            Option(value, str(label), found.get(value, 0))
            for value, label in self.choices.items()
            if found.get(value) or value == context.values.get(self.name)
        ]


class RankFilter(FieldChoiceFilter):
    """The CCF rank of a conference series, or of the series a paper was presented at."""

    def __init__(self, name, label, field_name):
        super().__init__(name, label, field_name, [(r, f"CCF {r}") for r in CCF_RANKS])


class LanguageFilter(Filter):
    """A language code stored on the row (a book's, a community's) or in a JSON list (a course's)."""

    def __init__(self, name, label, field_name, in_list: bool = False):
        super().__init__(name, label)
        self.field_name = field_name
        self.in_list = in_list

    def parse(self, raw, context):
        value = raw.lower()
        if not value.replace("-", "").isalpha() or len(value) > 10:
            raise FilterError(
                gettext("“%(value)s” is not a language code; showing every language.") % {"value": raw}
            )
        return value

    def apply(self, queryset, value):
        if self.in_list:
            # Text match on the JSON list, which works alike on SQLite and PostgreSQL.
            return queryset.filter(**{f"{self.field_name}__icontains": f'"{value}"'})
        return queryset.filter(**{self.field_name: value})

    def count_values(self, queryset):
        found: dict[str, int] = {}
        if self.in_list:
            for codes in queryset.order_by().values_list(self.field_name, flat=True):
                for code in set(codes or []):
                    found[str(code).lower()] = found.get(str(code).lower(), 0) + 1
        else:
            rows = queryset.order_by().values_list(self.field_name).annotate(n=Count("pk"))
            found = {code.lower(): n for code, n in rows if code}
        return found

    def options(self, found, context):
        return [
            Option(code, language_name(code), n) for code, n in sorted(found.items(), key=lambda i: -i[1])
        ]


class FreeFilter(Filter):
    """Free to use: a free course, a book with a free online edition."""

    TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")

    def __init__(self, name, label, condition: Q, yes_label, no_label):
        super().__init__(name, label)
        self.condition = condition
        self.yes_label, self.no_label = yes_label, no_label

    def parse(self, raw, context):
        value = raw.lower()
        if value in self.TRUE:
            return "1"
        if value in self.FALSE:
            return "0"
        raise FilterError(gettext("“%(value)s” is not yes or no; showing free and paid.") % {"value": raw})

    def apply(self, queryset, value):
        return queryset.filter(self.condition) if value == "1" else queryset.exclude(self.condition)

    def count_values(self, queryset):
        return queryset.order_by().aggregate(free=Count("pk", filter=self.condition), total=Count("pk"))

    def options(self, found, context):
        options = [
            Option("1", str(self.yes_label), found["free"]),
            Option("0", str(self.no_label), found["total"] - found["free"]),
        ]
        return [o for o in options if o.count or o.value == context.values.get(self.name)]


class YearFilter(Filter):
    def __init__(self, name, label, field_name="year", through_editions=False):
        super().__init__(name, label)
        self.field_name = field_name
        self.through_editions = through_editions

    def parse(self, raw, context):
        if not raw.isdigit() or not 1900 <= int(raw) <= 2100:
            raise FilterError(gettext("“%(value)s” is not a year; showing every year.") % {"value": raw})
        return int(raw)

    def apply(self, queryset, value):
        if self.through_editions:
            return queryset.filter(
                Exists(ConferenceEdition.objects.filter(series=OuterRef("pk"), year=value))
            )
        return queryset.filter(**{self.field_name: value})

    def count_values(self, queryset):
        if self.through_editions:
            rows = (
                ConferenceEdition.objects.filter(series__in=queryset.order_by().values("pk"))
                .values_list("year")
                .annotate(n=Count("series", distinct=True))
            )
        else:
            rows = (
                queryset.order_by()
                .exclude(**{f"{self.field_name}__isnull": True})
                .values_list(self.field_name)
                .annotate(n=Count("pk"))
            )
        return dict(rows)

    def options(self, found, context):
        years = sorted(found, reverse=True)[:FACET_LIMIT]
        selected = context.values.get(self.name)
        if selected is not None and selected not in years:
            years.append(selected)
        return [Option(str(y), str(y), found.get(y, 0)) for y in years]


class TopicFilter(Filter):
    def parse(self, raw, context):
        topic = context.topics_by_slug().get(raw)
        if topic is None:
            raise FilterError(gettext("There is no topic “%(value)s”; showing every topic.") % {"value": raw})
        return topic

    def apply(self, queryset, value):
        return queryset.filter(topics=value)

    def count_values(self, queryset):
        through = queryset.model.topics.through
        owner = f"{queryset.model._meta.model_name}_id"
        rows = (
            through.objects.filter(**{f"{owner}__in": queryset.order_by().values("pk")})
            .values_list("topic_id")
            .annotate(n=Count("pk"))
        )
        return dict(rows)

    def options(self, found, context):
        selected = context.values.get(self.name)
        return [
            Option(t.slug, t.name, found.get(t.pk, 0))
            for t in context.all_topics()
            if found.get(t.pk) or (selected is not None and t.pk == selected.pk)
        ]

    def value_string(self, value) -> str:
        return value.slug


#: The catalogue's language codes by name. Django knows Chinese only as zh-hans / zh-hant, and
#: a learner asks whether a course is in Chinese, not in which script.
LANGUAGE_NAMES = {"en": pgettext_lazy("language", "English"), "zh": pgettext_lazy("language", "Chinese")}


def language_name(code: str) -> str:
    """The name of a language code in the active language: "Chinese" for zh (中文 in Chinese)."""
    from django.utils.translation import get_language_info

    key = str(code or "").strip().lower()
    name = LANGUAGE_NAMES.get(key) or LANGUAGE_NAMES.get(key.split("-")[0])
    if name is not None:
        return str(name)
    try:
        return get_language_info(key)["name_translated"]
    except KeyError:
        return str(code)


# --- listings -------------------------------------------------------------------------------------


@dataclass
class Listing:
    key: str
    label: str
    base: "callable"
    filters: list[Filter]
    sorts: dict[str, tuple]  # key -> (label, ordering)
    default_sort: str

    def filter(self, params: Mapping) -> "Filtered":
        return filter_listing(self, params)


@dataclass
class Filtered:
    listing: Listing
    queryset: QuerySet
    values: dict = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    sort: str = ""
    _topics: list | None = None

    def all_topics(self) -> list[Topic]:
        if self._topics is None:
            self._topics = list(topics())
        return self._topics

    def topics_by_slug(self) -> dict[str, Topic]:
        return {t.slug: t for t in self.all_topics()}

    def value_string(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None:
            return None
        return value.slug if isinstance(value, Topic) else str(value)

    def facets(self) -> list[Facet]:
        """Each filter's values with the number of items each would give, the other filters
        applied (so a chosen value can be swapped for another): one query per filter.

        Counts over the whole list (no other filter applied) are kept in the cache for
        FACET_CACHE_SECONDS: at 100,000 papers each one reads every published row.
        """
        result = []
        for flt in self.listing.filters:
            queryset = self.listing.base()
            others = [
                other for other in self.listing.filters if other is not flt and other.name in self.values
            ]
            for other in others:
                queryset = other.apply(queryset, self.values[other.name])
            if others:
                found = flt.count_values(queryset)
            else:
                key = f"resources:facet:{self.listing.key}:{flt.name}"
                found = cache.get(key)
                if found is None:
                    found = flt.count_values(queryset)
                    cache.set(key, found, FACET_CACHE_SECONDS)
            options = flt.options(found, self)
            selected = self.value_string(flt.name)
            for option in options:
                option.selected = option.value == selected
            result.append(Facet(flt.name, str(flt.label), options, selected))
        return result


def filter_listing(listing: Listing, params: Mapping) -> Filtered:
    result = Filtered(listing=listing, queryset=listing.base())
    for flt in listing.filters:
        raw = (params.get(flt.name) or "").strip()
        if not raw:
            continue
        try:
            result.values[flt.name] = flt.parse(raw, result)
        except FilterError as exc:
            result.errors.append(str(exc))
    queryset = result.queryset
    for flt in listing.filters:
        if flt.name in result.values:
            queryset = flt.apply(queryset, result.values[flt.name])
    sort = (params.get("sort") or "").strip() or listing.default_sort
    if sort not in listing.sorts:
        result.errors.append(
            gettext("“%(value)s” is not a way to sort this list; sorted by the default.") % {"value": sort}
        )
        sort = listing.default_sort
    result.sort = sort
    result.queryset = queryset.order_by(*listing.sorts[sort][1], "pk")
    return result


def page_size(params: Mapping) -> tuple[int, str | None]:
    """The page size the URL asks for, capped; with a message when it was unusable."""
    raw = (params.get("per_page") or "").strip()
    if not raw:
        return PAGE_SIZE, None
    if not raw.isdigit() or int(raw) < 1:
        return PAGE_SIZE, gettext("“%(value)s” is not a page size; showing %(n)s per page.") % {
            "value": raw,
            "n": PAGE_SIZE,
        }
    return min(int(raw), MAX_PAGE_SIZE), None


CONFERENCES = Listing(
    "conferences",
    _("Conferences"),
    conferences,
    [
        TopicFilter("topic", _("Topic")),
        YearFilter("year", _("Year"), through_editions=True),
        RankFilter("rank", _("Rank"), "ccf_rank"),
        FieldChoiceFilter("kind", _("Kind"), "kind", ConferenceSeries.Kind.choices),
    ],
    {
        "name": (_("Name"), ("short_name",)),
        "deadline": (_("Next deadline"), (F("next_deadline").asc(nulls_last=True), "short_name")),
        "rank": (
            _("Rank"),
            (
                Case(When(ccf_rank="", then=Value(1)), default=Value(0), output_field=IntegerField()),
                "ccf_rank",
                "short_name",
            ),
        ),
        "h5": (_("h5-index"), (F("h5_index").desc(nulls_last=True), "short_name")),
    },
    "name",
)

PAPERS = Listing(
    "papers",
    _("Papers"),
    papers,
    [
        TopicFilter("topic", _("Topic")),
        YearFilter("year", _("Year")),
        RankFilter("rank", _("Venue rank"), "venue_edition__series__ccf_rank"),
    ],
    {
        "newest": (_("Newest"), (F("year").desc(nulls_last=True), "title")),
        "oldest": (_("Oldest"), (F("year").asc(nulls_last=True), "title")),
        "title": (_("Title"), ("title",)),
        "added": (_("Recently added"), (F("published_at").desc(nulls_last=True),)),
    },
    "newest",
)

BOOKS = Listing(
    "books",
    _("Books"),
    books,
    [
        TopicFilter("topic", _("Topic")),
        YearFilter("year", _("Year")),
        LanguageFilter("language", _("Language"), "language"),
        FreeFilter("free", _("Free online"), ~Q(free_url=""), _("Free online"), _("Not free online")),
    ],
    {
        "title": (_("Title"), ("title",)),
        "newest": (_("Newest"), (F("year").desc(nulls_last=True), "title")),
        "added": (_("Recently added"), (F("published_at").desc(nulls_last=True),)),
    },
    "title",
)

COURSES = Listing(
    "courses",
    _("Courses"),
    courses,
    [
        TopicFilter("topic", _("Topic")),
        FieldChoiceFilter("level", _("Level"), "level", Course.Level.choices),
        LanguageFilter("language", _("Language"), "languages", in_list=True),
        FreeFilter("free", _("Price"), Q(is_free=True), _("Free"), _("Paid")),
    ],
    {
        "title": (_("Title"), ("title",)),
        "level": (
            _("Level"),
            (
                Case(
                    *(When(level=v, then=Value(i)) for i, v in enumerate(Course.Level.values)),
                    output_field=IntegerField(),
                ),
                "title",
            ),
        ),
        "added": (_("Recently added"), (F("published_at").desc(nulls_last=True),)),
    },
    "title",
)

COMMUNITIES = Listing(
    "communities",
    _("Communities"),
    communities,
    [
        TopicFilter("topic", _("Topic")),
        FieldChoiceFilter("kind", _("Kind"), "kind", Community.Kind.choices),
        LanguageFilter("language", _("Language"), "language"),
    ],
    {
        "name": (_("Name"), ("name",)),
        "added": (_("Recently added"), (F("published_at").desc(nulls_last=True),)),
    },
    "name",
)

LISTINGS = {listing.key: listing for listing in (CONFERENCES, PAPERS, BOOKS, COURSES, COMMUNITIES)}


# --- detail pages ----------------------------------------------------------------------------------


def get_published(queryset: QuerySet, **lookup):
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404(gettext("No such item.")) from None


def _on_topics(queryset: QuerySet, topic_ids, exclude_pk=None) -> QuerySet:
    through = queryset.model.topics.through
    owner = f"{queryset.model._meta.model_name}_id"
    queryset = queryset.filter(
        Exists(through.objects.filter(**{owner: OuterRef("pk"), "topic_id__in": topic_ids}))
    )
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    return queryset


def tutorials_on(topic_ids=None, **lookup) -> list:
    """Published tutorials on these topics (or matching ``lookup``, e.g. ``papers=paper``), from
    the app that registered a finder in ``resources.registry`` (none: an empty list)."""
    return registry.tutorials(topic_ids, limit=RELATED_LIMIT, **lookup)


def related_on_topics(topic_ids: list[int], *, exclude=None) -> dict[str, list]:
    """Books, courses, papers and tutorials on any of these topics: one query per type."""
    if not topic_ids:
        return {"papers": [], "books": [], "courses": [], "tutorials": []}

    def pick(queryset, model):
        exclude_pk = exclude.pk if isinstance(exclude, model) else None
        return list(_on_topics(queryset, topic_ids, exclude_pk)[:RELATED_LIMIT])

    return {
        "papers": pick(
            Paper.objects.published().defer("search_vector", "abstract").order_by("-year", "title"), Paper
        ),
        "books": pick(Book.objects.published().defer("search_vector").order_by("title"), Book),
        "courses": pick(Course.objects.published().defer("search_vector").order_by("title"), Course),
        "tutorials": tutorials_on(topic_ids),
    }


def _citation_count(outer: str, inner: str) -> Coalesce:
    rows = (
        Paper.cites.through.objects.filter(**{outer: OuterRef("pk"), f"{inner}__status": Status.PUBLISHED})
        .order_by()
        .values(outer)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def paper_detail(slug: str) -> Paper:
    """A published paper with its venue, topics, and the first CITATION_LIMIT published papers it
    cites and that cite it (``published_cites``, ``published_cited_by``), with their counts."""
    cites = Paper.objects.published().defer("search_vector", "abstract").order_by("-year", "title")
    queryset = (
        Paper.objects.published()
        .defer("search_vector")
        .select_related("venue_edition__series")
        .annotate(
            cites_count=_citation_count("from_paper", "to_paper"),
            cited_by_count=_citation_count("to_paper", "from_paper"),
        )
        .prefetch_related(
            _topics_prefetch(),
            Prefetch("cites", queryset=cites[:CITATION_LIMIT], to_attr="published_cites"),
            Prefetch("cited_by", queryset=cites[:CITATION_LIMIT], to_attr="published_cited_by"),
        )
    )
    return get_published(queryset, slug=slug)


def simple_detail(model, slug: str):
    queryset = model.objects.published().defer("search_vector").prefetch_related(_topics_prefetch())
    return get_published(queryset, slug=slug)


def conference_detail(slug: str) -> ConferenceSeries:
    """A published series with its editions (newest first), each with its deadlines, and its
    acceptance rates."""
    queryset = (
        ConferenceSeries.objects.published()
        .defer("search_vector")
        .prefetch_related(
            _topics_prefetch(),
            Prefetch(
                "editions",
                queryset=ConferenceEdition.objects.order_by("-year").prefetch_related(
                    Prefetch(
                        "deadlines",
                        queryset=Deadline.objects.current().order_by(F("at").asc(nulls_last=True), "pk"),
                    )
                ),
            ),
            Prefetch("acceptance_rates", queryset=AcceptanceRate.objects.order_by("-year")),
        )
    )
    return get_published(queryset, slug=slug)


def edition_detail(slug: str, year: int) -> ConferenceEdition:
    queryset = (
        ConferenceEdition.objects.published()
        .select_related("series")
        .prefetch_related(
            Prefetch(
                "deadlines", queryset=Deadline.objects.current().order_by(F("at").asc(nulls_last=True), "pk")
            ),
            Prefetch("deadline_changes", queryset=DeadlineChange.objects.order_by("-seen_at", "-pk")),
        )
    )
    return get_published(queryset, series__slug=slug, year=year)


def deadline_changes(*, series_slug: str = "") -> QuerySet:
    """Changes to the deadlines of published conferences, newest first."""
    changes = DeadlineChange.objects.published().select_related("edition__series")
    if series_slug:
        changes = changes.filter(edition__series__slug=series_slug)
    return changes.order_by("-seen_at", "-pk")


def edition_papers(edition: ConferenceEdition) -> QuerySet:
    return papers().filter(venue_edition=edition).order_by("title")


def series_papers(series: ConferenceSeries) -> QuerySet:
    return papers().filter(venue_edition__series=series).order_by(F("year").desc(nulls_last=True), "title")


def acceptance_rate_for(series: ConferenceSeries, year: int):
    return next((r for r in series.acceptance_rates.all() if r.year == year), None)


def topic_detail(slug: str) -> Topic:
    """A topic with its parent, its children and how many published items of each type are on it."""
    queryset = Topic.objects.select_related("parent").prefetch_related(
        Prefetch("children", queryset=topics().order_by("position", "name_en"))
    )
    return with_counts([get_published(queryset, slug=slug)])[0]


def topic_items(topic: Topic) -> dict[str, tuple[int, list]]:
    """For each type, how many published items are on a topic from ``topic_detail`` and the first
    few of them: one query per type."""
    counts = {
        "papers": topic.paper_count,
        "books": topic.book_count,
        "courses": topic.course_count,
        "communities": topic.community_count,
        "conferences": topic.conference_count,
    }
    lists = {
        "conferences": conferences().filter(topics=topic).order_by("short_name"),
        "papers": papers().filter(topics=topic).order_by(F("year").desc(nulls_last=True), "title"),
        "books": books().filter(topics=topic).order_by("title"),
        "courses": courses().filter(topics=topic).order_by("title"),
        "communities": communities().filter(topics=topic).order_by("name"),
    }
    result = {
        key: (counts[key], list(queryset.prefetch_related(None)[: RELATED_LIMIT * 2]))
        for key, queryset in lists.items()
    }
    tutorials = tutorials_on([topic.pk])
    result["tutorials"] = (len(tutorials), tutorials)
    return result
