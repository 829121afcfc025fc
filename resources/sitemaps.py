"""The sitemap: every published page of the catalogue, one section per type."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from resources.models import (
    Book,
    Community,
    ConferenceEdition,
    ConferenceSeries,
    Course,
    Paper,
    Topic,
)


class CatalogueSitemap(Sitemap):
    model = None
    changefreq = "weekly"

    def items(self):
        return self.model.objects.published().only("slug", "updated_at").order_by("pk")

    def lastmod(self, item):
        return item.updated_at


class PaperSitemap(CatalogueSitemap):
    model = Paper
    changefreq = "monthly"


class BookSitemap(CatalogueSitemap):
    model = Book
    changefreq = "monthly"


class CourseSitemap(CatalogueSitemap):
    model = Course


class CommunitySitemap(CatalogueSitemap):
    model = Community


class ConferenceSitemap(CatalogueSitemap):
    model = ConferenceSeries
    changefreq = "daily"


class EditionSitemap(Sitemap):
    changefreq = "daily"

    def items(self):
        return (
            ConferenceEdition.objects.published()
            .select_related("series")
            .only("year", "updated_at", "series__slug")
            .order_by("pk")
        )

    def lastmod(self, item):
        return item.updated_at


class TopicSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Topic.objects.only("slug").order_by("pk")


class PageSitemap(Sitemap):
    """The list pages and the other fixed pages."""

    changefreq = "daily"
    priority = 0.8

    def items(self):
        return [
            "home",
            "resources:deadline-list",
            "resources:conference-list",
            "resources:paper-list",
            "resources:book-list",
            "resources:course-list",
            "resources:community-list",
            "resources:topic-list",
        ]

    def location(self, item):
        return reverse(item)


SITEMAPS = {
    "pages": PageSitemap,
    "topics": TopicSitemap,
    "conferences": ConferenceSitemap,
    "editions": EditionSitemap,
    "papers": PaperSitemap,
    "books": BookSitemap,
    "courses": CourseSitemap,
    "communities": CommunitySitemap,
}
