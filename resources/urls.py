"""The catalogue's pages: stable URLs that tests, feeds, the sitemap and bookmarks rely on."""

from django.contrib.sitemaps import views as sitemap_views
from django.urls import path

from resources import feeds, views
from resources.sitemaps import SITEMAPS

app_name = "resources"

urlpatterns = [
    path("search/", views.search_page, name="search"),
    path("deadlines/", views.deadline_list, name="deadline-list"),
    path("deadlines/calendar/", views.deadline_calendar, name="deadline-calendar"),
    path("deadlines.ics", views.deadlines_ics, name="deadlines-ics"),
    path("deadlines/feed/", feeds.DeadlineFeed(), name="deadline-feed"),
    path("deadlines/changes/feed/", feeds.DeadlineChangeFeed(), name="deadline-changes-feed"),
    path("deadlines/<int:pk>.ics", views.deadline_ics, name="deadline-ics"),
    path("conferences/", views.conference_list, name="conference-list"),
    path("conferences/<slug:slug>.ics", views.conference_ics, name="conference-ics"),
    path("conferences/<slug:slug>/", views.conference_detail, name="conference-detail"),
    path("conferences/<slug:slug>/<int:year>/", views.edition_detail, name="edition-detail"),
    path("papers/", views.paper_list, name="paper-list"),
    path("papers.bib", views.papers_bib, name="papers-bib"),
    path("papers/feed/", feeds.PaperFeed(), name="paper-feed"),
    path("papers/<slug:slug>.bib", views.paper_bib, name="paper-bib"),
    path("papers/<slug:slug>/", views.paper_detail, name="paper-detail"),
    path("books/", views.book_list, name="book-list"),
    path("books/<slug:slug>/", views.book_detail, name="book-detail"),
    path("courses/", views.course_list, name="course-list"),
    path("courses/<slug:slug>/", views.course_detail, name="course-detail"),
    path("communities/", views.community_list, name="community-list"),
    path("communities/<slug:slug>/", views.community_detail, name="community-detail"),
    path("topics/", views.topic_list, name="topic-list"),
    path("topics/<slug:slug>/", views.topic_detail, name="topic-detail"),
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "resources:sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
]
