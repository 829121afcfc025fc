"""Atom feeds: papers newly published in the catalogue, and upcoming conference deadlines.

Each feed reads its items in a fixed number of queries (papers: two, with their topics;
deadlines: one). Descriptions are plain text escaped into the HTML that Atom summaries carry.
"""

import datetime as dt

from django.contrib.syndication.views import Feed
from django.urls import NoReverseMatch, reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, linebreaks
from django.utils.text import Truncator
from django.utils.translation import gettext, gettext_lazy

from resources.exports import deadline_queryset
from resources.models import Deadline, Paper


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
    feed_type = Atom1Feed
    title = gettext_lazy("Upcoming AI conference deadlines")
    subtitle = gettext_lazy("Submission deadlines of the conferences in the catalogue, soonest first.")
    limit = 50

    def link(self):
        return _reverse_or_root("resources:deadline-list")

    def items(self):
        return deadline_queryset(upcoming=True)[: self.limit]

    def item_title(self, item: Deadline) -> str:
        return f"{item} — {item.at.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"

    def item_link(self, item: Deadline) -> str:
        # The fragment makes each deadline's link, and so its Atom id, its own.
        return f"{item.edition.get_absolute_url()}#deadline-{item.pk}"

    def item_description(self, item: Deadline) -> str:
        local = ""
        if item.local:
            local = gettext("Local time as the conference writes it: %(local)s %(zone)s") % {
                "local": item.local,
                "zone": item.timezone,
            }
        return _html(local, item.comment, item.edition.link)

    def item_updateddate(self, item: Deadline) -> dt.datetime:
        return item.edition.updated_at

    def item_categories(self, item: Deadline) -> list[str]:
        series = item.edition.series
        return [str(item.get_kind_display()), *filter(None, [series.field])]
