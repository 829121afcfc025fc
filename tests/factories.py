"""factory_boy factories for every model of the portal's apps (catalogue, tutorials and runs,
accounts, notifications, paths); tests add the fields they care about. tests/test_factories.py
builds each one once."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType

from resources import models


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct-horse-battery-staple")


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Topic
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"topic-{n}")
    name_en = factory.Sequence(lambda n: f"Topic {n}")
    name_zh = factory.Sequence(lambda n: f"主题 {n}")


class ConferenceSeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ConferenceSeries

    short_name = factory.Sequence(lambda n: f"CONF{n}")
    slug = factory.LazyAttribute(lambda o: o.short_name.lower())
    full_name = factory.LazyAttribute(lambda o: f"Conference on Things {o.short_name}")
    status = models.Status.PUBLISHED
    field = "AI"
    ccf_rank = "A"


class ConferenceEditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.ConferenceEdition

    series = factory.SubFactory(ConferenceSeriesFactory)
    year = 2026
    ccf_id = factory.LazyAttribute(lambda o: f"{o.series.short_name.lower()}{o.year % 100:02d}")
    city = "Vienna"
    country = "Austria"
    link = "https://example.org/conference"


class DeadlineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Deadline

    edition = factory.SubFactory(ConferenceEditionFactory)
    kind = models.Deadline.Kind.PAPER
    label = "Full paper"
    at = factory.LazyFunction(lambda: dt.datetime(2026, 12, 15, 11, 59, 59, tzinfo=dt.UTC))
    local = "2026-12-14 23:59:59"
    timezone = "AoE"


class PaperFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Paper

    title = factory.Sequence(lambda n: f"A Study of Attention Number {n}")
    slug = factory.Sequence(lambda n: f"paper-{n}")
    authors = factory.LazyFunction(lambda: ["Ada Lovelace", "Alan Turing"])
    year = 2020
    status = models.Status.PUBLISHED
    bibtex_key = factory.Sequence(lambda n: f"paper{n}")


class BookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Book

    title = factory.Sequence(lambda n: f"Deep Things, Volume {n}")
    slug = factory.Sequence(lambda n: f"book-{n}")
    authors = factory.LazyFunction(lambda: ["Grace Hopper"])
    year = 2016
    status = models.Status.PUBLISHED


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Course

    title = factory.Sequence(lambda n: f"Neural Networks Course {n}")
    slug = factory.Sequence(lambda n: f"course-{n}")
    provider = "Coursera"
    url = "https://www.coursera.org/"
    status = models.Status.PUBLISHED


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Community

    name = factory.Sequence(lambda n: f"Forum {n}")
    slug = factory.Sequence(lambda n: f"community-{n}")
    kind = models.Community.Kind.FORUM
    url = "https://example.org/forum"
    status = models.Status.PUBLISHED


class AcceptanceRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.AcceptanceRate

    series = factory.SubFactory(ConferenceSeriesFactory)
    year = 2024
    submitted = 1000
    accepted = 250
    rate = factory.LazyAttribute(lambda o: round(o.accepted / o.submitted, 4))
    source = "https://example.org/acceptance"


class EmbeddingFactory(factory.django.DjangoModelFactory):
    """A stored vector: a unit vector along one axis (``axis``), not a model's output."""

    class Meta:
        model = models.Embedding

    class Params:
        axis = 0

    kind = "papers"
    object_id = factory.LazyAttribute(lambda o: PaperFactory().pk)
    model = "all-MiniLM-L6-v2"
    content_hash = factory.Sequence(lambda n: f"{n:064x}")
    vector = factory.LazyAttribute(lambda o: _unit_vector(o.axis))


def _unit_vector(axis: int) -> bytes:
    import numpy as np

    from resources.embeddings import DIMENSIONS

    vector = np.zeros(DIMENSIONS, dtype=np.float32)
    vector[axis % DIMENSIONS] = 1.0
    return vector.tobytes()


class TutorialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "tutorials.Tutorial"

    slug = factory.Sequence(lambda n: f"tutorial-{n}")
    title_en = factory.Sequence(lambda n: f"Tutorial {n}")
    title_zh = factory.Sequence(lambda n: f"教程 {n}")
    body_en = "The update rule is $\\theta_{t+1} = \\theta_t - \\alpha \\nabla_\\theta J(\\theta_t)$."
    status = models.Status.PUBLISHED
    demo = "mlp_digits"


class SeriesAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SeriesAlias

    alias = factory.Sequence(lambda n: f"Alias {n}")
    name = factory.Sequence(lambda n: f"CONF{n}")


class DeadlineChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.DeadlineChange

    edition = factory.SubFactory(ConferenceEditionFactory)
    kind = models.Deadline.Kind.PAPER
    change = models.DeadlineChange.Change.MOVED
    old_at = factory.LazyFunction(lambda: dt.datetime(2026, 12, 8, 11, 59, 59, tzinfo=dt.UTC))
    new_at = factory.LazyFunction(lambda: dt.datetime(2026, 12, 15, 11, 59, 59, tzinfo=dt.UTC))


class DeadlineConflictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.DeadlineConflict

    edition = factory.SubFactory(ConferenceEditionFactory)
    kind = models.Deadline.Kind.PAPER
    reason = models.DeadlineConflict.Reason.SOURCES


class SyncRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SyncRun

    paths = "ccf-deadlines\nai-deadlines"


class SearchWordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.SearchWord
        django_get_or_create = ("word",)

    word = factory.Sequence(lambda n: f"word{n}")


# --- tutorials and training runs ------------------------------------------------------------------


class TrainingRunFactory(factory.django.DjangoModelFactory):
    """A queued run of the MLP demo; pass ``status``, ``params``, ``tutorial`` and so on as needed."""

    class Meta:
        model = "tutorials.TrainingRun"

    owner = factory.SubFactory(UserFactory)
    demo = "mlp_digits"


# --- accounts -------------------------------------------------------------------------------------


class BookmarkFactory(factory.django.DjangoModelFactory):
    """A bookmark of ``item`` (a paper unless given)."""

    class Meta:
        model = "accounts.Bookmark"
        exclude = ("item",)

    user = factory.SubFactory(UserFactory)
    item = factory.SubFactory(PaperFactory)
    content_type = factory.LazyAttribute(lambda o: ContentType.objects.get_for_model(o.item))
    object_id = factory.LazyAttribute(lambda o: o.item.pk)


# --- notifications --------------------------------------------------------------------------------


class FollowFactory(factory.django.DjangoModelFactory):
    """A follow of a conference series unless another target is given (give exactly one)."""

    class Meta:
        model = "notifications.Follow"

    user = factory.SubFactory(UserFactory)
    series = factory.SubFactory(ConferenceSeriesFactory)


class PreferencesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "notifications.Preferences"
        django_get_or_create = ("user",)

    user = factory.SubFactory(UserFactory)


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "notifications.Delivery"

    user = factory.SubFactory(UserFactory)
    kind = "reminder"
    key = factory.Sequence(lambda n: f"reminder:{n}")


# --- paths ----------------------------------------------------------------------------------------


class LearningPathFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "paths.LearningPath"

    slug = factory.Sequence(lambda n: f"path-{n}")
    title_en = factory.Sequence(lambda n: f"Path {n}")
    title_zh = factory.Sequence(lambda n: f"路径 {n}")
    status = models.Status.PUBLISHED


class StepFactory(factory.django.DjangoModelFactory):
    """A step that reads a paper (a step has exactly one of paper, book or course)."""

    class Meta:
        model = "paths.Step"

    path = factory.SubFactory(LearningPathFactory)
    position = factory.Sequence(lambda n: n + 1)
    paper = factory.SubFactory(PaperFactory)
    why_en = "Read it."


class StepProgressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "paths.StepProgress"

    user = factory.SubFactory(UserFactory)
    step = factory.SubFactory(StepFactory)
    state = "learning"


class QuizQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "paths.QuizQuestion"

    tutorial = factory.SubFactory(TutorialFactory)
    position = factory.Sequence(lambda n: n + 1)
    text_en = "Which step size makes gradient descent diverge?"
    text_zh = "哪个步长会让梯度下降发散？"


class QuizChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "paths.QuizChoice"

    question = factory.SubFactory(QuizQuestionFactory)
    position = factory.Sequence(lambda n: n + 1)
    text_en = "One that is too large"
    text_zh = "过大的步长"
    correct = False


class StudyPlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "paths.StudyPlan"

    user = factory.SubFactory(UserFactory)
    path = factory.SubFactory(LearningPathFactory)
    hours_per_week = 5
