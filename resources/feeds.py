"""Atom feeds: papers newly published in the catalogue, upcoming conference deadlines, and
recent changes to deadlines.

Each feed reads its items in a fixed number of queries (papers: two, with their topics;
deadlines and changes: one). Descriptions are plain text escaped into the HTML that Atom
summaries carry.
"""

import datetime as dt
from html import unescape

from django.contrib.syndication.views import Feed
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, linebreaks
from django.utils.text import Truncator
from django.utils.translation import gettext, gettext_lazy

from resources import estimates, selectors
from resources.exports import deadline_queryset, expected_description
from resources.models import Deadline, DeadlineChange, Paper


def _reverse_or_root(name: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return "/"


def _html(*paragraphs: str) -> str:
    return "".join(linebreaks(escape(p)) for p in paragraphs if p)


class PaperFeed(Feed):
    feed_type = Atom1Feed
    title = gettext_lazy("New papers")
    subtitle = gettext_lazy(
        "Papers newly published in the catalogue of learning resources on large AI models."
    )
    limit = 30

    def link(self):
        return _reverse_or_root("resources:paper-list")

    def items(self):
        return (
            Paper.objects.published()
            .filter(published_at__isnull=False)
            .order_by("-published_at", "-pk")
            .prefetch_related("topics")[: self.limit]
        )

    def item_title(self, item: Paper) -> str:
        return item.title

    def item_description(self, item: Paper) -> str:
        byline = ", ".join(filter(None, [item.venue, str(item.year or "")]))
        return _html(
            ", ".join(item.authors),
            byline,
            Truncator(item.abstract or item.description).words(80),
            f"arXiv:{item.arxiv_id}" if item.arxiv_id else "",
        )

    def item_author_name(self, item: Paper) -> str:
        authors = item.authors or []
        return ", ".join(authors[:3]) + (gettext(" et al.") if len(authors) > 3 else "")

    def item_pubdate(self, item: Paper) -> dt.datetime:
        return item.published_at

    def item_updateddate(self, item: Paper) -> dt.datetime:
        return item.updated_at

    def item_categories(self, item: Paper) -> list[str]:
        return [topic.name for topic in item.topics.all()]


class DeadlineFeed(Feed):
    """Upcoming deadlines; with ``?expected=1`` the expected ones too, each titled as an estimate."""

    feed_type = Atom1Feed
    title = gettext_lazy("Upcoming AI conference deadlines")
    subtitle = gettext_lazy("Submission deadlines of the conferences in the catalogue, soonest first.")
    limit = 50

    def get_object(self, request, *args, **kwargs):
        return {"expected": request.GET.get("expected") in {"1", "true", "yes"}}

    def link(self):
        return _reverse_or_root("resources:deadline-list")

    def items(self, obj):
        announced = list(deadline_queryset(upcoming=True)[: self.limit])
        if not obj["expected"]:
            return announced
        expected = estimates.expected_deadlines(deadline_queryset(upcoming=None))
        return announced + expected[: self.limit]

    def item_title(self, item) -> str:
        if isinstance(item, estimates.Expected):
            text = gettext("%(name)s %(year)s paper deadline (expected around %(day)s)")
            return text % {"name": item.short_name, "year": item.year, "day": f"{item.at:%Y-%m-%d}"}
        return f"{item} — {item.at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"

    def item_link(self, item) -> str:
        if isinstance(item, estimates.Expected):
            return reverse("resources:conference-detail", args=[item.slug]) + f"#expected-{item.year}"
        # The fragment makes each deadline's link, and so its Atom id, its own.
        return f"{item.edition.get_absolute_url()}#deadline-{item.pk}"

    def item_description(self, item) -> str:
        if isinstance(item, estimates.Expected):
            return _html(expected_description(item))
        return self._deadline_description(item)

    def _deadline_description(self, item: Deadline) -> str:
        local = ""
        if item.local:
            local = gettext("Local time as the conference writes it: %(local)s %(zone)s") % {
                "local": item.local,
                "zone": item.timezone,
            }
        return _html(local, item.comment, item.edition.link)

    def item_updateddate(self, item) -> dt.datetime | None:
        if isinstance(item, estimates.Expected):
            return None
        return item.edition.updated_at

    def item_categories(self, item) -> list[str]:
        if isinstance(item, estimates.Expected):
            return [gettext("Expected")]
        series = item.edition.series
        return [str(item.get_kind_display()), *filter(None, [series.field])]


class DeadlineChangeFeed(Feed):
    """Deadlines that moved, were announced, withdrawn or listed again, newest first: what a
    sync or a curator changed after an edition was first imported."""

    feed_type = Atom1Feed
    title = gettext_lazy("Changes to AI conference deadlines")
    subtitle = gettext_lazy("Deadlines that moved, were announced or were withdrawn, newest first.")
    limit = 50

    def link(self):
        return _reverse_or_root("resources:deadline-list")

    def items(self):
        return selectors.deadline_changes()[: self.limit]

    def item_title(self, item: DeadlineChange) -> str:
        text = render_to_string("includes/_deadline_change_text.html", {"change": item})
        return f"{item.edition}: {' '.join(unescape(text).split())}"

    def item_link(self, item: DeadlineChange) -> str:
        return f"{item.edition.get_absolute_url()}#change-{item.pk}"

    def item_description(self, item: DeadlineChange) -> str:
        source = item.get_source_display() if item.source else gettext("a curator")
        written = " → ".join(filter(None, [item.old_local, item.new_local]))
        return _html(written, gettext("Seen by: %(source)s") % {"source": source})

    def item_pubdate(self, item: DeadlineChange) -> dt.datetime:
        return item.seen_at

    def item_updateddate(self, item: DeadlineChange) -> dt.datetime:
        return item.seen_at

    def item_categories(self, item: DeadlineChange) -> list[str]:
        return [str(item.get_change_display()), str(item.get_kind_display())]
