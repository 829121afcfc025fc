"""One search box across every type of the catalogue.

PostgreSQL: the stored ``search_vector`` (kept by a trigger, GIN-indexed) matched with a
websearch query and ranked by ``ts_rank`` (title words weigh most); matches highlighted by
``ts_headline``. When nothing matches, each word is corrected to the nearest word of the titles'
vocabulary by trigram similarity ("atention" → "attention", ``SearchWord``) and the search runs
again. A query with Chinese characters also matches the titles and the Chinese descriptions with
ILIKE, because no built-in text-search configuration segments Chinese (trigram indexes keep that
quick).

Elsewhere (SQLite), or with ``backend="icontains"``: every word must occur, case-insensitively,
in one of the searched fields; title matches come first; highlights are made in Python.
Tutorials (another app's type, registered in ``resources.registry`` by the tutorials app) always
take this path: a small table with no search vector.

Highlights are always escaped first and marked afterwards, so text from the catalogue can never
inject markup. Counting stops at COUNT_LIMIT matches per type. A search runs up to three queries
per type (ranked ids, count, rows) and one for topics; a corrected search, up to five more (one
per word) and the same again.

Modes (``search(..., mode=...)``): ``keyword`` is all of the above; ``semantic`` ranks the
embedded types (papers, books, courses, communities, tutorials) by the cosine of their stored
sentence embedding to the query's (``resources.semantic``); ``hybrid`` fuses the keyword and the
meaning rankings of each type by reciprocal rank fusion (with, for a query in Chinese, a third
ranking by its two-character pieces), an exact title first. Conferences and
topics have no vectors and are matched by keyword in every mode. Without any stored vector, or
without a loadable model, a hybrid or semantic search runs as keyword and says why
(``Results.mode_used``, ``Results.fallback_reason``).

A search that still finds nothing offers a suggestion on either database ("did you mean
“transformer”?", ``Results.suggestion``): each word it does not know is replaced by the closest
word (difflib) of the vocabulary of published titles and names, read in one query per type and
kept in the cache for VOCABULARY_SECONDS.
"""

import difflib
import math
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramSimilarity,
)
from django.core.cache import cache
from django.db import connection
from django.db.models import Case, F, FloatField, Lookup, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, NullIf
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from resources import registry, selectors
from resources.models import Book, Community, ConferenceSeries, Course, Paper, SearchWord, Topic

MAX_QUERY_LENGTH = 200
GROUP_LIMIT = 5
#: Counting stops past this many matches of one type ("1000+"); pages reach that far.
COUNT_LIMIT = 1000
SNIPPET_CHARS = 240
# Private-use characters: ts_headline wraps matches in these; they are turned into <mark> only
# after the text around them has been escaped.
MARK_START, MARK_STOP = "\ue000", "\ue001"
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")
_MARKED = re.compile(f"{MARK_START}(.*?){MARK_STOP}", re.DOTALL)
_LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
VOCABULARY_KEY = "search:vocabulary:v1"
VOCABULARY_SECONDS = 300
#: Titles read per type for the suggestions' vocabulary: the whole catalogue, bounded all the same.
VOCABULARY_ROWS = 20_000


@dataclass(frozen=True)
class SearchType:
    key: str
    label: object
    model: type
    titles: tuple[str, ...]  # the first is shown
    fields: tuple[str, ...]  # what the icontains fallback searches
    snippet_en: tuple[str, ...]  # the text shown under the title, first non-empty wins
    base: object = None
    title_vector: str = ""  # a title with a text-search index of its own (PostgreSQL)
    # Rank ids first and read the page's rows by id: for a large table, whose common words match
    # thousands of rows that should not be carried whole through the ranking.
    rank_ids_first: bool = False
    snippet_zh: str = "description_zh"
    full_text: bool = True  # False: no search_vector, always icontains (a small table)
    list_url: str = ""  # the URL name of the type's web list (a topic's page links to it)
    api_basename: str = ""  # the router's basename of the type's API endpoints

    def published(self) -> QuerySet:
        return self.model.objects.published()

    def queryset(self) -> QuerySet:
        if self.base:
            return self.base()
        return self.published().defer("search_vector") if self.full_text else self.published()


TYPES = [
    SearchType(
        "papers",
        _("Papers"),
        Paper,
        ("title",),
        ("title", "authors", "venue", "arxiv_id", "abstract", "description_en", "description_zh"),
        ("description_en", "abstract"),
        lambda: Paper.objects.published().defer("search_vector").select_related("venue_edition__series"),
        "title",
        rank_ids_first=True,
        list_url="resources:paper-list",
        api_basename="paper",
    ),
    SearchType(
        "conferences",
        _("Conferences"),
        ConferenceSeries,
        ("short_name", "full_name"),
        ("short_name", "full_name", "field", "description_en", "description_zh"),
        ("full_name", "description_en"),
        list_url="resources:conference-list",
        api_basename="conference",
    ),
    SearchType(
        "books",
        _("Books"),
        Book,
        ("title",),
        ("title", "authors", "publisher", "description_en", "description_zh"),
        ("description_en",),
        list_url="resources:book-list",
        api_basename="book",
    ),
    SearchType(
        "courses",
        _("Courses"),
        Course,
        ("title",),
        ("title", "provider", "instructors", "description_en", "description_zh"),
        ("description_en",),
        list_url="resources:course-list",
        api_basename="course",
    ),
    SearchType(
        "communities",
        _("Communities"),
        Community,
        ("name",),
        ("name", "description_en", "description_zh"),
        ("description_en",),
        list_url="resources:community-list",
        api_basename="community",
    ),
]


def available_types() -> list[SearchType]:
    """The catalogue's types and those other apps registered (tutorials, after courses)."""
    return registry.search_types(TYPES)


def type_by_key(key: str) -> SearchType:
    return {t.key: t for t in available_types()}[key]


@dataclass(frozen=True)
class Marked:
    """Plain text and the ``[start, end)`` character spans of it that matched the query: the API
    sends both as they are; ``html`` escapes the text, then wraps each span in ``<mark>``."""

    text: str
    spans: tuple[tuple[int, int], ...] = ()

    @property
    def html(self) -> SafeString:
        out, pos = [], 0
        for start, end in self.spans:
            out.append(escape(self.text[pos:start]))
            out.append(f"<mark>{escape(self.text[start:end])}</mark>")
            pos = end
        out.append(escape(self.text[pos:]))
        return mark_safe("".join(out))  # noqa: S308 - every piece was escaped above

    def __bool__(self) -> bool:
        return bool(self.text)


@dataclass
class Hit:
    item: object
    title: Marked
    snippet: Marked

    @property
    def title_html(self) -> SafeString:
        return self.title.html

    @property
    def snippet_html(self) -> SafeString:
        return self.snippet.html


@dataclass
class Group:
    key: str
    label: object
    count: int
    hits: list[Hit] = field(default_factory=list)
    capped: bool = False  # more than COUNT_LIMIT matches; count is COUNT_LIMIT
    #: How well the first hit answers the query, for the order of a hybrid search's sections:
    #: infinite for an exact title; after one, the first hit's cosine to that titled item; else on
    #: the fusion's scale (see ``fused_scores``): 2/61 for an item found by words and by meaning at rank 1.
    strength: float = 0.0


@dataclass
class Results:
    query: str
    backend: str
    groups: list[Group]
    topics: list[Topic]
    corrected_from: str = ""
    suggestion: str = ""  # a query to offer ("did you mean …?") when nothing matched
    mode_used: str = "keyword"  # what actually ranked the results (see MODES)
    fallback_reason: str = ""  # why a hybrid or semantic search ran as keyword: FALLBACKS' keys

    @property
    def capped(self) -> bool:
        return any(g.capped for g in self.groups)

    @property
    def sections(self) -> list[Group]:
        """The groups in the order the page shows them and the API lists their hits: in a hybrid
        search the group whose first hit matched best comes first (see ``Group.strength``), ties
        in type order; otherwise type order. The tabs keep type order (``groups``).

        On the evaluation set (benchmarks/README.md) this lifts exact titles to keyword's 1.000
        nDCG@10. Breaking ties by putting a hit found by words before one found by meaning alone
        was tried and lowered the paraphrases (0.545 to 0.532), so ties keep type order."""
        if self.mode_used != "hybrid":
            return self.groups
        return sorted(self.groups, key=lambda g: -g.strength)

    @property
    def total(self) -> int:
        return sum(g.count for g in self.groups) + len(self.topics)


def default_backend() -> str:
    configured = getattr(settings, "SEARCH_BACKEND", "")
    if configured:
        return configured
    return "postgres" if connection.vendor == "postgresql" else "icontains"


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text))


def terms(query: str) -> list[str]:
    """The words of a query, quotes and operators dropped; a run of Chinese stays one term."""
    return [t for t in re.findall(r"[^\s\"'()]+", query) if t not in {"-", "or", "OR", "|"}][:10]


def clean_query(raw: str) -> str:
    return " ".join((raw or "").split())[:MAX_QUERY_LENGTH]


# --- highlighting --------------------------------------------------------------------------------


def _unmarked(text: str) -> str:
    return text.replace(MARK_START, "").replace(MARK_STOP, "")


def mark_headline(text: str, limit: int | None = None) -> Marked:
    """Text that ts_headline marked with MARK_START/MARK_STOP, as plain text and spans; cut at
    ``limit`` characters (at a space) when longer."""
    text = text or ""
    if limit and len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " …"
    plain, spans, pos = "", [], 0
    for match in _MARKED.finditer(text):
        plain += _unmarked(text[pos : match.start()])
        word = _unmarked(match.group(1))
        spans.append((len(plain), len(plain) + len(word)))
        plain += word
        pos = match.end()
    return Marked(plain + _unmarked(text[pos:]), tuple(spans))


def mark_words(text: str, words: list[str], *, snippet: bool = False) -> Marked:
    """``text`` with each occurrence of the words (any case) as a span; with ``snippet``, a window
    of text around the first occurrence."""
    text = _unmarked(text or "")
    pattern = None
    if words:
        # A lone Latin letter or digit ("a" in "how does a model ...") would mark half the text.
        wanted = {w for w in words if w and not (len(w) == 1 and w.isascii())}
        alternatives = sorted({re.escape(w) for w in wanted}, key=len, reverse=True)
        pattern = re.compile("|".join(alternatives), re.IGNORECASE) if alternatives else None
    if snippet and len(text) > SNIPPET_CHARS:
        first = pattern.search(text) if pattern else None
        start = max(0, (first.start() if first else 0) - SNIPPET_CHARS // 3)
        window = text[start : start + SNIPPET_CHARS]
        text = ("… " if start else "") + window + (" …" if start + SNIPPET_CHARS < len(text) else "")
    if pattern is None:
        return Marked(text)
    return Marked(text, tuple(match.span() for match in pattern.finditer(text)))


def render_marked(text: str, limit: int | None = None) -> SafeString:
    """:func:`mark_headline` as escaped HTML with ``<mark>``."""
    return mark_headline(text, limit).html


def highlight(text: str, words: list[str], *, snippet: bool = False) -> SafeString:
    """:func:`mark_words` as escaped HTML with ``<mark>``."""
    return mark_words(text, words, snippet=snippet).html


def _snippet_expression(search_type: SearchType):
    """The description in the active language, falling back to the English text fields."""
    english = [NullIf(F(name), Value("")) for name in search_type.snippet_en]
    chinese = NullIf(F(search_type.snippet_zh), Value(""))
    parts = [chinese, *english] if (get_language() or "").startswith("zh") else [*english, chinese]
    return Coalesce(*parts, Value(""))


def _snippet_text(item, search_type: SearchType, words: list[str]) -> str:
    """The first text that contains a searched word, in the order of the active language."""
    english = [getattr(item, name, "") or "" for name in search_type.snippet_en]
    chinese = getattr(item, search_type.snippet_zh, "") or ""
    parts = [
        p
        for p in ([chinese, *english] if (get_language() or "").startswith("zh") else [*english, chinese])
        if p
    ]
    lowered = [w.lower() for w in words]
    return next((p for p in parts if any(w in p.lower() for w in lowered)), parts[0] if parts else "")


# --- the two backends ----------------------------------------------------------------------------


class _ILike(Lookup):
    lookup_name = "ilike"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} ILIKE {rhs}", (*lhs_params, *rhs_params)


def _postgres(search_type: SearchType, query: str) -> tuple[Q, object]:
    ts_query = SearchQuery(query, config="english", search_type="websearch")
    matches = Q(search_vector=ts_query)
    score = SearchRank(F("search_vector"), ts_query)
    if has_cjk(query):
        # ILIKE, which the trigram indexes serve (icontains is UPPER(...) LIKE, which they do not).
        pattern = Value("%" + re.sub(r"([\\%_])", r"\\\1", query) + "%")
        chinese = Q(_ILike(F("description_zh"), pattern))
        for title in search_type.titles:
            chinese |= Q(_ILike(F(title), pattern))
        matches |= chinese
        score = score + Case(When(chinese, then=Value(0.5)), default=Value(0.0), output_field=FloatField())
    return matches, score


def _postgres_page(
    search_type: SearchType, queryset: QuerySet, query: str, words: list[str], bounds: slice
) -> list[Hit]:
    if has_cjk(query):
        # ts_headline cannot find a Chinese substring: mark it in Python.
        return _python_hits(search_type, queryset, words, bounds)
    ts_query = SearchQuery(query, config="english", search_type="websearch")
    marks = {"start_sel": MARK_START, "stop_sel": MARK_STOP, "config": "english"}
    queryset = queryset.annotate(
        title_headline=SearchHeadline(search_type.titles[0], ts_query, highlight_all=True, **marks),
        snippet_headline=SearchHeadline(
            _snippet_expression(search_type), ts_query, max_words=40, min_words=20, **marks
        ),
    )
    return [
        Hit(
            item,
            mark_headline(item.title_headline),
            mark_headline(item.snippet_headline, SNIPPET_CHARS + 40),
        )
        for item in queryset[bounds]
    ]


def every_word_in(fields, words: list[str]) -> Q:
    """Each of ``words`` in one of ``fields`` at least, case-insensitively: the word match of the
    site's search away from PostgreSQL and of the API's ``?q=`` list filters."""
    matches = Q()
    for word in words:
        any_field = Q()
        for name in fields:
            any_field |= Q(**{f"{name}__icontains": word})
        matches &= any_field
    return matches


def _icontains(search_type: SearchType, query: str) -> tuple[Q, object]:
    words = terms(query) or [query]
    matches = every_word_in(search_type.fields, words)
    in_title = Q()
    for word in words:
        in_title &= Q(**{f"{search_type.titles[0]}__icontains": word})
    score = Case(
        When(**{f"{search_type.titles[0]}__icontains": query}, then=Value(2.0)),
        When(in_title, then=Value(1.0)),
        default=Value(0.0),
        output_field=FloatField(),
    )
    return matches, score


def _python_hits(search_type: SearchType, queryset: QuerySet, words: list[str], bounds: slice) -> list[Hit]:
    return [
        Hit(
            item,
            mark_words(getattr(item, search_type.titles[0]), words),
            mark_words(_snippet_text(item, search_type, words), words, snippet=True),
        )
        for item in queryset[bounds]
    ]


def matching(search_type: SearchType, query: str, backend: str | None = None) -> QuerySet:
    """The published items of one type that match, best first (``score`` annotated)."""
    matches, score = _backend(backend if search_type.full_text else "icontains")(search_type, query)
    return search_type.queryset().filter(matches).annotate(score=score).order_by(F("score").desc(), "pk")


def _backend(backend: str | None):
    return _postgres if (backend or default_backend()) == "postgres" else _icontains


def _hits(
    search_type: SearchType, rows: QuerySet, query: str, backend: str, bounds: slice = slice(None)
) -> list[Hit]:
    """The hits of ``rows[bounds]``, highlighted; one query."""
    if backend == "postgres":
        return _postgres_page(search_type, rows, query, terms(query), bounds)
    return _python_hits(search_type, rows, terms(query), bounds)


def _group(search_type: SearchType, query: str, backend: str, limit: int, page: int = 1) -> tuple[Group, int]:
    """One type's matches: the count (up to COUNT_LIMIT + 1) and one page of hits.

    For papers the ranking reads ids only, so that the 13,000 matches of a common word are not
    carried through joins as whole rows, and the page's rows are read by id afterwards; the small
    tables are ranked and read in one query. On the first page, a short ranking is its own count.
    """
    if not search_type.full_text:
        backend = "icontains"
    matches, score = _backend(backend)(search_type, query)
    found = search_type.published().filter(matches)
    capped_count = found.order_by().values("pk")[: COUNT_LIMIT + 1]
    ranked = found.annotate(score=score).order_by(F("score").desc(), "pk")
    count = ids = None
    if page > 1:
        count = capped_count.count()
        page = min(page, max(1, -(-min(count, COUNT_LIMIT) // limit)))
    elif search_type.title_vector and backend == "postgres" and not has_cjk(query):
        count = capped_count.count()
        if count > COUNT_LIMIT:
            # A very common word: its best hits are among the items whose title has it
            # (migration 0007 indexes the titles); ranking those alone is several times faster.
            ts_query = SearchQuery(query, config="english", search_type="websearch")
            in_title = ranked.annotate(title_vector=SearchVector(search_type.title_vector, config="english"))
            ids = list(in_title.filter(title_vector=ts_query).values_list("pk", flat=True)[:limit])
            ids = ids if len(ids) == limit else None
    offset = (page - 1) * limit
    if search_type.rank_ids_first:
        if ids is None:
            ids = list(ranked.values_list("pk", flat=True)[offset : offset + limit])
        hits = []
        if ids:
            rows = search_type.queryset().filter(pk__in=ids)
            by_id = {hit.item.pk: hit for hit in _hits(search_type, rows, query, backend)}
            hits = [by_id[pk] for pk in ids if pk in by_id]
    else:
        rows = search_type.queryset().filter(matches).annotate(score=score).order_by(F("score").desc(), "pk")
        hits = _hits(search_type, rows, query, backend, slice(offset, offset + limit))
        ids = [hit.item.pk for hit in hits]
    if count is None:
        count = len(ids) if len(ids) < limit else capped_count.count()
    group = Group(
        search_type.key, search_type.label, min(count, COUNT_LIMIT), hits, capped=count > COUNT_LIMIT
    )
    group.strength = 1.0 / (RRF_K + 1) if hits else 0.0
    return group, page


# --- meaning: hybrid and semantic modes ----------------------------------------------------------

MODES = ("hybrid", "keyword", "semantic")
#: Why a search asked for meaning ran as keyword only.
FALLBACKS = {
    "not_embedded": _("No item has a meaning vector yet (the worker has not embedded the catalogue)."),
    "model_unavailable": _("The embedding model could not be loaded here."),
}
#: Reciprocal rank fusion: an item's score is the sum of 1 / (RRF_K + rank) over the rankings.
RRF_K = 60
#: How deep each ranking is read before fusing.
FUSE_DEPTH = 50


class _NoMeaning(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _meaning(query: str) -> dict[str, list[int]]:
    """{type key: ids closest in meaning, best first} for the embedded types; _NoMeaning when
    there are no vectors or no model. The index is read before the model loads, so an empty
    table costs one query and never imports torch."""
    from resources import embeddings, semantic

    idx = semantic.index()
    if not len(idx):
        raise _NoMeaning("not_embedded")
    try:
        vector = embeddings.encode_query(query)
    except embeddings.EncoderUnavailable as exc:
        raise _NoMeaning("model_unavailable") from exc
    return idx.nearest_by_kind(vector, FUSE_DEPTH, semantic.MIN_SIMILARITY)


def fused_scores(*rankings: list[int], k: int = RRF_K) -> dict[int, float]:
    """Reciprocal rank fusion of ranked id lists: {id: score}, in order of first appearance."""
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, pk in enumerate(ranking, start=1):
            scores[pk] = scores.get(pk, 0.0) + 1.0 / (k + rank)
    return scores


def _fused_group(
    search_type: SearchType, query: str, backend: str, limit: int, page: int, mode: str, near: list[int]
) -> tuple[Group, int]:
    """One type's hits ranked by meaning (``semantic``) or by keyword and meaning fused
    (``hybrid``): the ranked keyword ids, the published ids among the fused ones, the page's rows."""
    if not search_type.full_text:
        backend = "icontains"
    keyword_count = 0
    keyword: list[int] = []
    if mode == "hybrid":
        matches, score = _backend(backend)(search_type, query)
        found = search_type.published().filter(matches)
        depth = min(COUNT_LIMIT, max(FUSE_DEPTH, page * limit))
        keyword = list(
            found.annotate(score=score).order_by(F("score").desc(), "pk").values_list("pk", flat=True)[:depth]
        )
        keyword_count = len(keyword)
        if keyword_count == depth:
            keyword_count = found.order_by().values("pk")[: COUNT_LIMIT + 1].count()
    rankings = (keyword, _bigram_ranking(search_type, query), near) if mode == "hybrid" else (near,)
    scores = fused_scores(*rankings)
    ranked = sorted(scores, key=lambda pk: -scores[pk])  # stable: ties by first appearance
    pinned = []
    if mode == "hybrid" and keyword:
        # A query that is an item's whole title is a request for that item: it goes first, as in
        # keyword search, whatever the meaning ranking says.
        exact = Q()
        for title in search_type.titles:
            exact |= Q(**{f"{title}__iexact": query})
        pinned = list(
            search_type.published().filter(exact, pk__in=keyword[:GROUP_LIMIT]).values_list("pk", flat=True)
        )
        ranked = pinned + [pk for pk in ranked if pk not in pinned]
    by_words = set(keyword)
    extra = [pk for pk in ranked if pk not in by_words]
    alive = set(search_type.published().filter(pk__in=extra).values_list("pk", flat=True)) if extra else set()
    ranked = [pk for pk in ranked if pk in alive or pk in by_words]
    count = keyword_count + len(alive)
    page = min(page, max(1, -(-min(count, COUNT_LIMIT) // limit)))
    ids = ranked[(page - 1) * limit : page * limit]
    hits = []
    if ids:
        rows = search_type.queryset().filter(pk__in=ids)
        by_id = {hit.item.pk: hit for hit in _hits(search_type, rows, query, backend)}
        hits = [by_id[pk] for pk in ids if pk in by_id]
    group = Group(
        search_type.key, search_type.label, min(count, COUNT_LIMIT), hits, capped=count > COUNT_LIMIT
    )
    if hits:
        first = hits[0].item.pk
        group.strength = math.inf if first in pinned else scores.get(first, 0.0)
    return group, page


def _follow_the_title(groups: list[Group]) -> None:
    """A query that is an item's whole title asks for that item; the other groups then follow in
    the order of how close their first hits are in meaning to it, as on the item's own page."""
    from resources import semantic

    titled = next((g for g in groups if g.strength == math.inf), None)
    if titled is None:
        return
    idx = semantic.index()
    anchor = idx.vector(titled.key, titled.hits[0].item.pk)
    if anchor is None:
        return
    for group in groups:
        if group is not titled and group.hits:
            vector = idx.vector(group.key, group.hits[0].item.pk)
            group.strength = float(vector @ anchor) if vector is not None else 0.0


_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
BIGRAMS = 8


def _bigram_ranking(search_type: SearchType, query: str) -> list[int]:
    """For a Chinese query in hybrid mode: the items whose titles or Chinese text hold the most
    of its two-character pieces (no text-search configuration splits Chinese words; a learner's
    phrase rarely occurs whole). Empty for a query without Chinese."""
    pieces = []
    for run in _CJK_RUN.findall(query):
        pieces += [run[i : i + 2] for i in range(max(1, len(run) - 1))]
    pieces = list(dict.fromkeys(pieces))[:BIGRAMS]
    if not pieces:
        return []
    fields = [*search_type.titles, search_type.snippet_zh]
    score, any_piece = Value(0), Q()
    for piece in pieces:
        has = Q()
        for name in fields:
            has |= Q(**{f"{name}__icontains": piece})
        any_piece |= has
        score = score + Case(When(has, then=Value(1)), default=Value(0))
    rows = search_type.published().filter(any_piece).annotate(pieces=score).order_by("-pieces", "pk")
    return list(rows.values_list("pk", flat=True)[:FUSE_DEPTH])


def _meaning_or_reason(query: str, mode: str) -> tuple[dict[str, list[int]] | None, str]:
    if mode == "keyword":
        return None, ""
    try:
        return _meaning(query), ""
    except _NoMeaning as exc:
        return None, exc.reason


def _any_group(search_type, query, backend, limit, page, mode, near) -> tuple[Group, int]:
    from resources import semantic

    if near is None or search_type.key not in semantic.types():
        return _group(search_type, query, backend, limit, page)
    return _fused_group(search_type, query, backend, limit, page, mode, near.get(search_type.key, []))


def correct(query: str) -> str:
    """The query with each mistyped word replaced by the nearest word of the titles' vocabulary
    (PostgreSQL; one query per word, at most five words)."""
    replacements = {}
    for word in list(dict.fromkeys(w.lower() for w in _LATIN_WORD.findall(query)))[:5]:
        if len(word) < 3:
            continue
        nearest = (
            SearchWord.objects.filter(word__trigram_similar=word)
            .annotate(similarity=TrigramSimilarity("word", word))
            .order_by("-similarity", "word")
            .values_list("word", flat=True)
            .first()
        )
        if nearest and nearest != word:
            replacements[word] = nearest
    return _LATIN_WORD.sub(lambda m: replacements.get(m.group(0).lower(), m.group(0)), query)


def vocabulary() -> list[str]:
    """The lower-case Latin words (three letters or more) of published titles and names, sorted;
    one query per type, then kept in the cache for VOCABULARY_SECONDS."""
    words = cache.get(VOCABULARY_KEY)
    if words is None:
        found = set()
        for search_type in available_types():
            rows = search_type.published().order_by().values_list(*search_type.titles)[:VOCABULARY_ROWS]
            for row in rows:
                for text in row:
                    found.update(w.lower() for w in _LATIN_WORD.findall(text or "") if len(w) >= 3)
        words = sorted(found)
        cache.set(VOCABULARY_KEY, words, VOCABULARY_SECONDS)
    return words


def suggest(query: str) -> str:
    """The query with each word the vocabulary lacks replaced by its closest word there, or ""
    when no word changes (Chinese queries get none: their words are not split)."""
    if has_cjk(query):
        return ""
    words = vocabulary()
    known = set(words)
    replacements = {}
    for word in list(dict.fromkeys(w.lower() for w in _LATIN_WORD.findall(query)))[:5]:
        if len(word) >= 3 and word not in known:
            close = difflib.get_close_matches(word, words, n=1, cutoff=0.75)
            if close:
                replacements[word] = close[0]
    if not replacements:
        return ""
    return _LATIN_WORD.sub(lambda m: replacements.get(m.group(0).lower(), m.group(0)), query)


def _corrected(query: str, backend: str, found: bool) -> str | None:
    """A corrected query when nothing was found on PostgreSQL, else None."""
    if found or backend != "postgres" or has_cjk(query):
        return None
    fixed = correct(query)
    return fixed if fixed != query else None


def search(
    raw_query: str,
    *,
    limit: int = GROUP_LIMIT,
    backend: str | None = None,
    types: list[str] | None = None,
    mode: str = "keyword",
) -> Results:
    """Search the types keyed in ``types`` (``"topics"`` among them for the topics whose name
    matches; None: every type and the topics): for each, the number of matches and the best
    ``limit`` of them. Only the types asked for are queried. When nothing matches, a corrected
    query is tried (``corrected_from``).

    ``mode`` "hybrid" fuses the keyword ranking with the ranking by meaning, "semantic" ranks by
    meaning alone (types without vectors - conferences, topics - are matched by keyword in every
    mode); either runs as keyword when there are no vectors or no model (``fallback_reason``)."""
    backend = backend or default_backend()
    query = original = clean_query(raw_query)
    searched = [t for t in available_types() if types is None or t.key in types]
    near, reason = _meaning_or_reason(query, mode) if searched else (None, "")

    def groups_for(query):
        groups = [_any_group(t, query, backend, limit, 1, mode, near)[0] for t in searched]
        if near is not None and mode == "hybrid":
            _follow_the_title(groups)
        return groups

    groups = groups_for(query)
    fixed = _corrected(query, backend, any(g.count for g in groups))
    if fixed:
        query = fixed
        groups = groups_for(query)
    found_topics = []
    if types is None or "topics" in types:
        topic_match = Q(name_en__icontains=query) | Q(name_zh__icontains=query)
        found_topics = list(selectors.topics().filter(topic_match)[:20])
    results = Results(query, backend, groups, found_topics, corrected_from=original if fixed else "")
    results.mode_used, results.fallback_reason = ("keyword" if near is None else mode), reason
    if not results.total:
        results.suggestion = suggest(query)
    return results


def search_one_type(
    raw_query: str,
    key: str,
    *,
    page: int = 1,
    per_page: int = 20,
    backend: str | None = None,
    mode: str = "keyword",
) -> tuple[Results, int, int]:
    """One page of the matches of one type: (results with one group, page number, number of
    pages); a page past the end gives the last one."""
    backend = backend or default_backend()
    query = original = clean_query(raw_query)
    search_type = type_by_key(key)
    near, reason = _meaning_or_reason(query, mode)
    group, page = _any_group(search_type, query, backend, per_page, page, mode, near)
    fixed = _corrected(query, backend, bool(group.count))
    if fixed:
        query = fixed
        group, page = _any_group(search_type, query, backend, per_page, page, mode, near)
    results = Results(query, backend, [group], [], corrected_from=original if fixed else "")
    results.mode_used, results.fallback_reason = ("keyword" if near is None else mode), reason
    if not group.count:
        results.suggestion = suggest(query)
    return results, page, max(1, -(-group.count // per_page))
