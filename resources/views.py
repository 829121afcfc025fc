"""Server-rendered catalogue pages: home, lists with facets, detail pages, search, deadlines,
and the calendar and BibTeX downloads.

Views read through ``resources.selectors`` and ``resources.search``; each page runs a fixed
number of queries whatever the number of rows.
"""

import calendar
import datetime as dt
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, When
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from resources import estimates, exports, personal, related, search, selectors
from resources.bibtex import paper_to_bibtex, papers_to_bibtex
from resources.models import Book, Community, ConferenceSeries, Course, Deadline, Paper

BIB_LIMIT = 1000


# --- helpers -------------------------------------------------------------------------------------


def _query(params, **changes) -> str:
    """The current query string with some parameters set (or removed with None); page reset."""
    merged = {key: value for key, value in params.items() if key != "page"}
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return "?" + urlencode(merged) if merged else "?"


def _paginate(request, queryset, messages: list[str]):
    """A page of ``queryset``: the size from ``per_page`` (capped), the number from ``page``."""
    size, problem = selectors.page_size(request.GET)
    if problem:
        messages.append(problem)
    paginator = Paginator(queryset, size)
    raw = request.GET.get("page", "1")
    try:
        number = int(raw)
    except ValueError:
        messages.append(gettext("“%(value)s” is not a page number; showing the first page.") % {"value": raw})
        number = 1
    if number < 1 or number > paginator.num_pages:
        if number != 1:
            messages.append(gettext("There is no page %(n)s; showing the nearest one.") % {"n": number})
        number = min(max(number, 1), paginator.num_pages)
    return paginator.page(number)


def _list_page(request, key: str, template: str, extra=None, decorate=None):
    listing = selectors.LISTINGS[key]
    filtered = listing.filter(request.GET)
    messages = list(filtered.errors)
    page = _paginate(request, filtered.queryset, messages)
    if decorate is not None:
        decorate(page.object_list)
    facets = filtered.facets()
    params = request.GET
    for facet in facets:
        facet.clear_href = _query(params, **{facet.name: None})
        for option in facet.options:
            option.href = _query(params, **{facet.name: option.value})
    sorts = [
        {"key": k, "label": label, "selected": k == filtered.sort}
        for k, (label, _ordering) in listing.sorts.items()
    ]
    context = {
        "listing": listing,
        "page_obj": page,
        "items": page.object_list,
        "facets": facets,
        "sorts": sorts,
        "filter_messages": messages,
        "active_filters": [f for f in facets if f.selected],
        "hidden_params": [(k, v) for k, v in params.items() if k not in {"sort", "page"}],
        **(extra or {}),
    }
    return render(request, template, context)


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _bib_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text, content_type="application/x-bibtex; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# --- home and search -----------------------------------------------------------------------------


@require_safe
def home(request):
    context = {
        "deadlines": list(selectors.upcoming_deadlines(8)),
        "papers": list(selectors.newest_papers(8)),
        "topics": [t for t in selectors.topics_with_counts() if t.parent_id is None],
        "now": timezone.now(),
        "for_you": personal.recommendations(request),
    }
    return render(request, "portal/home.html", context)


@require_safe
def search_page(request):
    query = search.clean_query(request.GET.get("q", ""))
    only = request.GET.get("type") or None
    messages = []
    if len(request.GET.get("q", "")) > search.MAX_QUERY_LENGTH:
        messages.append(
            gettext("Your search was shortened to its first %(n)s characters.")
            % {"n": search.MAX_QUERY_LENGTH}
        )
    if only and only not in {t.key for t in search.available_types()}:
        messages.append(gettext("“%(value)s” is not a type of item; searching everything.") % {"value": only})
        only = None
    mode = request.GET.get("mode") or "hybrid"
    if mode not in search.MODES:
        messages.append(gettext("“%(value)s” is not a search mode; using hybrid.") % {"value": mode})
        mode = "hybrid"
    context = {"query": query, "only": only, "filter_messages": messages, "mode": mode}
    if query:
        if only:
            size, problem = selectors.page_size(request.GET)
            if problem:
                messages.append(problem)
            raw_page = request.GET.get("page", "1")
            wanted = int(raw_page) if raw_page.isdigit() and int(raw_page) > 0 else 1
            results, number, num_pages = search.search_one_type(
                query, only, page=wanted, per_page=size, mode=mode
            )
            if number != wanted:
                messages.append(
                    gettext("There is no page %(n)s; showing page %(m)s.") % {"n": raw_page, "m": number}
                )
            context.update(
                page_number=number,
                num_pages=num_pages,
                previous_href=_query(request.GET, page=number - 1) if number > 1 else "",
                next_href=_query(request.GET, page=number + 1) if number < num_pages else "",
            )
        else:
            results = search.search(query, mode=mode)
        kept = {"q": results.query, **({"mode": mode} if mode != "hybrid" else {})}
        for group in results.groups:
            group.href = _query(kept, type=group.key)
        context["results"] = results
        if results.fallback_reason:
            context["fallback_message"] = search.FALLBACKS[results.fallback_reason]
        context["everything_href"] = _query(kept)
        if results.suggestion:
            context["suggestion_href"] = _query({"q": results.suggestion}, type=only)
    return render(request, "resources/search.html", context)


# --- deadlines -----------------------------------------------------------------------------------

DEADLINE_FILTERS = ("topic", "field", "rank", "when")
DEADLINE_RANKS = [
    ("A", "CCF A"),
    ("B", "CCF B"),
    ("C", "CCF C"),
    ("core:A*", "CORE A*"),
    ("core:A", "CORE A"),
    ("core:B", "CORE B"),
    ("core:C", "CORE C"),
]


def _deadline_filters(request):
    """The deadline filters from the query string: (values for deadline_queryset, messages, choices)."""
    params = request.GET
    messages = []
    topic_choices = list(selectors.topics())
    field_choices = selectors.conference_fields()
    values = {}
    topic = params.get("topic", "").strip()
    if topic:
        if any(t.slug == topic for t in topic_choices):
            values["topic"] = topic
        else:
            messages.append(gettext("There is no topic “%(value)s”; showing every topic.") % {"value": topic})
    field = params.get("field", "").strip()
    if field:
        match = next((f for f in field_choices if f.lower() == field.lower()), None)
        if match:
            values["field"] = match
        else:
            messages.append(gettext("There is no field “%(value)s”; showing every field.") % {"value": field})
    rank = params.get("rank", "").strip()
    if rank:
        try:
            exports.parse_rank(rank)
            values["rank"] = rank
        except ValueError as exc:
            messages.append(str(exc))
    when = params.get("when", "").strip() or "upcoming"
    if when not in {"upcoming", "past", "all"}:
        messages.append(
            gettext("“%(value)s” is not upcoming, past or all; showing upcoming.") % {"value": when}
        )
        when = "upcoming"
    values["upcoming"] = {"upcoming": True, "past": False, "all": None}[when]
    return values, when, messages, {"topics": topic_choices, "fields": field_choices}


@require_safe
def deadline_list(request):
    values, when, messages, choices = _deadline_filters(request)
    queryset = exports.deadline_queryset(**values).select_related("edition__series")
    history = exports.deadline_queryset(**{**values, "upcoming": None})
    # The series the reader follows come first (as on ccfddl); "mine" shows only them.
    followed = personal.followed_series(request)
    mine = bool(followed) and request.GET.get("mine") == "1"
    if mine:
        queryset = queryset.filter(edition__series_id__in=followed)
        history = history.filter(edition__series_id__in=followed)
    elif followed:
        first = Case(When(edition__series_id__in=followed, then=0), default=1, output_field=IntegerField())
        queryset = queryset.order_by(first, *queryset.query.order_by)
    page = _paginate(request, queryset, messages)
    expected = []
    if when == "upcoming":
        # Series that have not announced their next deadline: estimated, in a table of their own.
        expected = estimates.expected_deadlines(history)
    feed_params = {k: v for k, v in request.GET.items() if k in DEADLINE_FILTERS and k != "when" and v}
    feed_path = reverse("resources:deadlines-ics") + ("?" + urlencode(feed_params) if feed_params else "")
    context = {
        "page_obj": page,
        "deadlines": page.object_list,
        "expected": expected,
        "followed": followed,
        "mine": mine,
        "when": when,
        "filter_messages": messages,
        "choices": choices,
        "ranks": DEADLINE_RANKS,
        "selected": {k: request.GET.get(k, "") for k in DEADLINE_FILTERS},
        "feed_url": request.build_absolute_uri(feed_path),
        "feed_path": feed_path,
        "webcal_url": "webcal://" + request.get_host() + feed_path,
        "now": timezone.now(),
    }
    return render(request, "resources/deadline_list.html", context)


@require_safe
def deadline_calendar(request):
    """A month of deadlines (UTC days) as a calendar, with the filters of the list, "mine" for
    the conferences the reader follows, and the month's expected deadlines marked as estimates."""
    values, _when, messages, choices = _deadline_filters(request)
    today = timezone.now().date()
    year, month = today.year, today.month
    asked = request.GET.get("month", "").strip()
    if asked:
        try:
            year, month = (int(part) for part in asked.split("-"))
            if not 1900 < year < 2200:
                raise ValueError
            dt.date(year, month, 1)
        except ValueError:
            messages.append(
                gettext("“%(value)s” is not a month (write YYYY-MM); showing this month.") % {"value": asked}
            )
            year, month = today.year, today.month
    start = dt.datetime(year, month, 1, tzinfo=dt.UTC)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=dt.UTC)
    history = exports.deadline_queryset(**{**values, "upcoming": None})
    followed = personal.followed_series(request)
    mine = bool(followed) and request.GET.get("mine") == "1"
    if mine:
        history = history.filter(edition__series_id__in=followed)
    by_day: dict[dt.date, list] = {}
    for deadline in history.filter(at__gte=start, at__lt=end).select_related("edition__series"):
        by_day.setdefault(deadline.at.astimezone(dt.UTC).date(), []).append(deadline)
    expected_by_day: dict[dt.date, list] = {}
    for item in estimates.expected_deadlines(history):
        if start <= item.at < end:
            expected_by_day.setdefault(item.at.astimezone(dt.UTC).date(), []).append(item)
    weeks = [
        [
            {
                "date": day,
                "in_month": day.month == month,
                "deadlines": by_day.get(day, []),
                "expected": expected_by_day.get(day, []),
            }
            for day in week
        ]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    ]
    keep = {k: v for k, v in request.GET.items() if k in {"topic", "field", "rank", "mine"} and v}
    previous = (start - dt.timedelta(days=1)).strftime("%Y-%m")
    context = {
        "weeks": weeks,
        "month_start": start.date(),
        "weekdays": [WEEKDAYS_ABBR[n] for n in range(7)],
        "previous_query": urlencode({**keep, "month": previous}),
        "next_query": urlencode({**keep, "month": end.strftime("%Y-%m")}),
        "count": sum(len(v) for v in by_day.values()),
        "expected_count": sum(len(v) for v in expected_by_day.values()),
        "filter_messages": messages,
        "choices": choices,
        "ranks": DEADLINE_RANKS,
        "selected": {k: request.GET.get(k, "") for k in DEADLINE_FILTERS},
        "followed": followed,
        "mine": mine,
        "month_value": start.strftime("%Y-%m"),
    }
    return render(request, "resources/deadline_calendar.html", context)


@require_safe
def deadlines_ics(request):
    values, _when, messages, _choices = _deadline_filters(request)
    if messages:
        return HttpResponse("\n".join(messages), status=400, content_type="text/plain; charset=utf-8")
    # A calendar feed holds the whole timeline, past deadlines included, unless asked otherwise.
    if "when" not in request.GET:
        values["upcoming"] = None
    expected = []
    if request.GET.get("expected") in {"1", "true", "yes"}:
        # Opt-in: estimates are not dates anyone announced.
        expected = estimates.expected_deadlines(exports.deadline_queryset(**{**values, "upcoming": None}))
    body = exports.deadlines_to_ical(
        exports.deadline_queryset(**values), name=gettext("AI conference deadlines"), expected=expected
    )
    return _ics_response(body, "deadlines.ics")


@require_safe
def deadline_ics(request, pk: int):
    deadlines = Deadline.objects.published().current().filter(pk=pk).select_related("edition__series")
    if not deadlines:
        raise Http404(gettext("No such deadline."))
    deadline = deadlines[0]
    body = exports.deadlines_to_ical(deadlines, name=str(deadline.edition))
    return _ics_response(body, f"deadline-{pk}.ics")


# --- conferences ---------------------------------------------------------------------------------


@require_safe
def conference_list(request):
    return _list_page(
        request, "conferences", "resources/conference_list.html", {"now": timezone.now()}, _attach_expected
    )


def _attach_expected(series_page) -> None:
    """Give each series without an announced deadline ahead its expected one (one query)."""
    waiting = [series for series in series_page if not series.next_deadline]
    found = estimates.expected_by_series(s.pk for s in waiting) if waiting else {}
    for series in series_page:
        series.expected = found.get(series.pk)


@require_safe
def conference_detail(request, slug):
    series = selectors.conference_detail(slug)
    editions = list(series.editions.all())
    rates = {rate.year: rate for rate in series.acceptance_rates.all()}
    for rate in rates.values():
        rate.percent = None if rate.rate is None else rate.rate * 100
    for edition in editions:
        edition.acceptance_rate = rates.get(edition.year)
    papers = list(selectors.series_papers(series)[: selectors.RELATED_LIMIT * 2])
    context = {
        "series": series,
        # Where the next paper deadline is not announced yet.
        "expected": estimates.expected_by_series([series.pk]).get(series.pk),
        "editions": editions,
        "acceptance_rates": list(rates.values()),
        "papers": papers,
        "now": timezone.now(),
    }
    return render(request, "resources/conference_detail.html", context)


@require_safe
def conference_ics(request, slug):
    series = selectors.get_published(ConferenceSeries.objects.published(), slug=slug)
    body = exports.deadlines_to_ical(exports.deadline_queryset(series_slug=slug), name=series.short_name)
    return _ics_response(body, f"{slug}.ics")


@require_safe
def edition_detail(request, slug, year):
    edition = selectors.edition_detail(slug, year)
    papers = selectors.edition_papers(edition)
    page = _paginate(request, papers, messages := [])
    context = {
        "edition": edition,
        "series": edition.series,
        "deadlines": list(edition.deadlines.all()),
        "page_obj": page,
        "papers": page.object_list,
        "filter_messages": messages,
        "now": timezone.now(),
    }
    return render(request, "resources/edition_detail.html", context)


# --- papers --------------------------------------------------------------------------------------


@require_safe
def paper_list(request):
    return _list_page(request, "papers", "resources/paper_list.html")


@require_safe
def paper_detail(request, slug):
    paper = selectors.paper_detail(slug)
    topic_ids = [t.pk for t in paper.topics.all()]
    context = {
        "paper": paper,
        "related": selectors.related_on_topics(topic_ids, exclude=paper),
        "tutorials_for_paper": selectors.tutorials_on(papers=paper),
        "similar": related.related_or_nothing(paper),
    }
    return render(request, "resources/paper_detail.html", context)


@require_safe
def paper_bib(request, slug):
    paper = selectors.get_published(
        Paper.objects.published().select_related("venue_edition__series"), slug=slug
    )
    return _bib_response(paper_to_bibtex(paper), f"{slug}.bib")


@require_safe
def papers_bib(request):
    """The papers of the list page with the same filters and order, at most BIB_LIMIT of them."""
    filtered = selectors.PAPERS.filter(request.GET)
    if filtered.errors:
        return HttpResponse("\n".join(filtered.errors), status=400, content_type="text/plain; charset=utf-8")
    papers = filtered.queryset.prefetch_related(None)[:BIB_LIMIT]
    return _bib_response(papers_to_bibtex(papers), "papers.bib")


# --- books, courses, communities -----------------------------------------------------------------


def _simple_detail(request, model, slug, template, name):
    item = selectors.simple_detail(model, slug)
    topic_ids = [t.pk for t in item.topics.all()]
    context = {
        name: item,
        "item": item,
        "related": selectors.related_on_topics(topic_ids, exclude=item),
        "similar": related.related_or_nothing(item),
    }
    return render(request, template, context)


@require_safe
def book_list(request):
    return _list_page(request, "books", "resources/book_list.html")


@require_safe
def book_detail(request, slug):
    return _simple_detail(request, Book, slug, "resources/book_detail.html", "book")


@require_safe
def course_list(request):
    return _list_page(request, "courses", "resources/course_list.html")


@require_safe
def course_detail(request, slug):
    return _simple_detail(request, Course, slug, "resources/course_detail.html", "course")


@require_safe
def community_list(request):
    return _list_page(request, "communities", "resources/community_list.html")


@require_safe
def community_detail(request, slug):
    return _simple_detail(request, Community, slug, "resources/community_detail.html", "community")


# --- topics --------------------------------------------------------------------------------------


@require_safe
def topic_list(request):
    return render(request, "resources/topic_list.html", {"topics": list(selectors.topics_with_counts())})


@require_safe
def topic_detail(request, slug):
    topic = selectors.topic_detail(slug)
    items = selectors.topic_items(topic)
    sections = []
    for key, label, url_name in topic_sections():
        count, rows = items[key]
        try:
            list_url = reverse(url_name) + _query({"topic": topic.slug})
        except NoReverseMatch:
            list_url = ""
        sections.append({"key": key, "label": label, "count": count, "items": rows, "list_url": list_url})
    context = {"topic": topic, "sections": sections, "has_items": any(s["count"] for s in sections)}
    return render(request, "resources/topic_detail.html", context)


#: The order of a topic page's sections; the search types (a registered one too) give their
#: labels and list pages.
TOPIC_SECTION_ORDER = ("papers", "books", "courses", "tutorials", "conferences", "communities")


def topic_sections() -> list[tuple[str, object, str]]:
    """(key, label, list URL name) of each section of a topic's page that some type fills."""
    types = {t.key: t for t in search.available_types()}
    return [(key, types[key].label, types[key].list_url) for key in TOPIC_SECTION_ORDER if key in types]
