"""Fixtures of the API tests: a small published catalogue, and users holding one model's permissions."""

import pytest
from django.contrib.auth.models import Permission

from resources import models
from tests import factories
from tests.helpers import api_client_for


@pytest.fixture
def permitted_user_factory(db):
    """A non-staff user holding add/change/delete on one model."""

    def make(model):
        member = factories.UserFactory(username=f"editor-{model._meta.model_name}")
        codenames = [f"{action}_{model._meta.model_name}" for action in ("add", "change", "delete")]
        member.user_permissions.add(
            *Permission.objects.filter(content_type__app_label="resources", codename__in=codenames)
        )
        return api_client_for(member)

    return make


@pytest.fixture
def api_catalogue(db):
    """One published item of each type, a draft of each, linked by a topic."""
    topic = factories.TopicFactory(slug="transformers", name_en="Transformers")
    series = factories.ConferenceSeriesFactory(short_name="NeurIPS", slug="neurips", field="AI", ccf_rank="A")
    series.topics.add(topic)
    edition = factories.ConferenceEditionFactory(series=series, year=2026)
    deadline = factories.DeadlineFactory(edition=edition)
    paper = factories.PaperFactory(
        title="Attention Is All You Need",
        slug="attention",
        year=2017,
        arxiv_id="1706.03762",
        venue_edition=edition,
    )
    paper.topics.add(topic)
    book = factories.BookFactory(title="Deep Learning", slug="deep-learning")
    book.topics.add(topic)
    course = factories.CourseFactory(title="CS224N", slug="cs224n")
    course.topics.add(topic)
    community = factories.CommunityFactory(name="Hugging Face Forum", slug="hf-forum")
    community.topics.add(topic)
    drafts = {
        "conferences": factories.ConferenceSeriesFactory(slug="draft-conf", status=models.Status.DRAFT),
        "papers": factories.PaperFactory(slug="draft-paper", status=models.Status.DRAFT),
        "books": factories.BookFactory(slug="draft-book", status=models.Status.DRAFT),
        "courses": factories.CourseFactory(slug="draft-course", status=models.Status.DRAFT),
        "communities": factories.CommunityFactory(slug="draft-community", status=models.Status.DRAFT),
    }
    return {
        "topic": topic,
        "series": series,
        "edition": edition,
        "deadline": deadline,
        "paper": paper,
        "book": book,
        "course": course,
        "community": community,
        "drafts": drafts,
    }
