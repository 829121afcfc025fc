"""resources.feeds: the Atom feeds of new papers and of upcoming deadlines."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from resources.feeds import DeadlineFeed, PaperFeed
from resources.models import Status
from tests.factories import DeadlineFactory, PaperFactory, TopicFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.resources.urls_for_feeds")]

ATOM = "{http://www.w3.org/2005/Atom}"


def fetch(feed, rf):
    response = feed()(rf.get("/feed/"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)  # noqa: S314 - our own response, not untrusted input


def entries(root):
    return root.findall(f"{ATOM}entry")


def text(element, tag):
    return element.findtext(f"{ATOM}{tag}")


def test_paper_feed_lists_published_papers_newest_first(rf, django_assert_num_queries):
    now = timezone.now()
    topic = TopicFactory(name_en="Large language models")
    old = PaperFactory(title="Old & Known", published_at=now - dt.timedelta(days=3))
    new = PaperFactory(
        title="Attention Is All You Need",
        slug="attention-is-all-you-need",
        authors=["Ashish Vaswani", "Noam Shazeer", "Niki Parmar", "Jakob Uszkoreit"],
        venue="NeurIPS",
        year=2017,
        arxiv_id="1706.03762",
        abstract="The dominant <sequence transduction> models are based on recurrent networks.",
        published_at=now - dt.timedelta(hours=1),
    )
    new.topics.add(topic)
    PaperFactory(title="Draft", status=Status.DRAFT)

    # SELECT published papers; SELECT their topics (prefetch)
    with django_assert_num_queries(2):
        root = fetch(PaperFeed, rf)

    assert text(root, "title") == "New papers"
    assert [text(e, "title") for e in entries(root)] == ["Attention Is All You Need", "Old & Known"]
    first = entries(root)[0]
    assert first.find(f"{ATOM}link").get("href") == "http://testserver/papers/attention-is-all-you-need/"
    assert text(first, "id") == "http://testserver/papers/attention-is-all-you-need/"
    assert dt.datetime.fromisoformat(text(first, "published")) == new.published_at
    assert text(first, "updated")
    assert (
        first.find(f"{ATOM}author").findtext(f"{ATOM}name")
        == "Ashish Vaswani, Noam Shazeer, Niki Parmar et al."
    )
    assert [c.get("term") for c in first.findall(f"{ATOM}category")] == ["Large language models"]
    summary = first.find(f"{ATOM}summary")
    assert summary.get("type") == "html"
    assert "&lt;sequence transduction&gt;" in summary.text  # plain text, escaped into the HTML
    assert "arXiv:1706.03762" in summary.text
    assert root.find(f"{ATOM}link[@rel='alternate']").get("href") == "http://testserver/papers/"
    assert old.pk


def test_deadline_feed_lists_upcoming_deadlines_soonest_first(rf, django_assert_num_queries):
    now = timezone.now()
    later = DeadlineFactory(
        edition__series__short_name="NeurIPS",
        edition__series__slug="neurips",
        edition__year=2026,
        label="Full paper",
        at=(now + dt.timedelta(days=60)).replace(microsecond=0),
        local="2026-05-15 23:59:59",
        timezone="AoE",
    )
    sooner = DeadlineFactory(label="Abstract", at=now + dt.timedelta(days=10))
    DeadlineFactory(label="Gone", at=now - dt.timedelta(days=1))
    DeadlineFactory(label="Not known yet", at=None)
    DeadlineFactory(label="Hidden", at=now + dt.timedelta(days=5), edition__series__status=Status.DRAFT)

    # SELECT deadlines JOIN editions JOIN series
    with django_assert_num_queries(1):
        root = fetch(DeadlineFeed, rf)

    titles = [text(e, "title") for e in entries(root)]
    assert len(titles) == 2
    assert titles[0].startswith(f"{sooner} — ")
    assert titles[1] == f"NeurIPS 2026 — Full paper — {later.at:%Y-%m-%d %H:%M} UTC"
    second = entries(root)[1]
    assert text(second, "id") == f"http://testserver/conferences/neurips/2026/#deadline-{later.pk}"
    assert "Local time as the conference writes it: 2026-05-15 23:59:59 AoE" in text(second, "summary")
    assert [c.get("term") for c in second.findall(f"{ATOM}category")] == ["Paper", "AI"]
    assert text(root, "updated")


def test_empty_feeds_are_valid(rf):
    for feed in (PaperFeed, DeadlineFeed):
        root = fetch(feed, rf)
        assert entries(root) == []
        assert text(root, "id") and text(root, "updated")
