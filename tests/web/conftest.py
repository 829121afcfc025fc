"""A small published catalogue, with drafts beside it, for the page tests."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.db import connection

from resources.models import Status
from tests import factories

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


@dataclass
class Catalogue:
    topic: object
    other_topic: object
    series: object
    edition: object
    past_edition: object
    upcoming: object
    past: object
    paper: object
    cited: object
    citing: object
    draft_paper: object
    book: object
    course: object
    community: object
    draft_series: object


@pytest.fixture
def site_catalogue(db):
    topic = factories.TopicFactory(slug="transformers", name_en="Transformers", name_zh="Transformer 模型")
    other = factories.TopicFactory(slug="vision", name_en="Computer vision", name_zh="计算机视觉")
    series = factories.ConferenceSeriesFactory(
        short_name="NeurIPS",
        slug="neurips",
        full_name="Conference on Neural Information Processing Systems",
        field="AI",
        ccf_rank="A",
        core_rank="A*",
        description_en="The largest machine-learning conference.",
        description_zh="最大的机器学习会议。",
    )
    series.topics.add(topic)
    edition = factories.ConferenceEditionFactory(series=series, year=NOW.year + 1, ccf_id="", hf_id="")
    past_edition = factories.ConferenceEditionFactory(series=series, year=2017, ccf_id="nips17")
    upcoming = factories.DeadlineFactory(
        edition=edition, kind="paper", label="Full paper", at=NOW + dt.timedelta(days=30, hours=3)
    )
    past = factories.DeadlineFactory(
        edition=past_edition,
        kind="paper",
        label="Full paper",
        at=dt.datetime(2017, 5, 19, 20, 0, tzinfo=dt.UTC),
    )
    factories.AcceptanceRateFactory(series=series, year=2017, submitted=3240, accepted=678, rate="0.2093")
    paper = factories.PaperFactory(
        title="Attention Is All You Need",
        slug="attention-is-all-you-need",
        authors=["Ashish Vaswani", "Noam Shazeer"],
        year=2017,
        venue_edition=past_edition,
        arxiv_id="1706.03762",
        abstract="The dominant sequence transduction models are based on recurrent networks.",
        description_en="Introduces the Transformer, built on attention alone.",
        description_zh="提出了完全基于注意力机制的 Transformer 模型。",
        bibtex_key="vaswani2017attention",
    )
    paper.topics.add(topic)
    cited = factories.PaperFactory(title="Neural Machine Translation by Jointly Learning", year=2014)
    citing = factories.PaperFactory(title="BERT: Pre-training of Deep Bidirectional Transformers", year=2019)
    cited.topics.add(other)
    paper.cites.add(cited)
    citing.cites.add(paper)
    draft_paper = factories.PaperFactory(
        title="A Draft Attention Paper", slug="draft-paper", status=Status.DRAFT
    )
    paper.cites.add(draft_paper)
    book = factories.BookFactory(
        title="Dive into Deep Learning",
        slug="d2l",
        year=2023,
        language="en",
        free_url="https://d2l.ai/",
        description_zh="动手学深度学习。",
    )
    book.topics.add(topic)
    course = factories.CourseFactory(
        title="Transformers Course",
        slug="hf-course",
        level="beginner",
        languages=["en", "zh"],
        is_free=True,
        url="https://huggingface.co/learn",
    )
    course.topics.add(topic)
    community = factories.CommunityFactory(name="Hugging Face Forums", slug="hf-forums", kind="forum")
    community.topics.add(topic)
    draft_series = factories.ConferenceSeriesFactory(short_name="SECRET", slug="secret", status=Status.DRAFT)
    return Catalogue(
        topic, other, series, edition, past_edition, upcoming, past, paper, cited, citing, draft_paper,
        book, course, community, draft_series,
    )  # fmt: skip


@pytest.fixture
def on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://...")


@pytest.fixture
def on_sqlite():
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite fallback")
