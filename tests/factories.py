"""factory_boy factories for the catalogue; tests add fields they care about."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model

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


class TutorialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "tutorials.Tutorial"

    slug = factory.Sequence(lambda n: f"tutorial-{n}")
    title_en = factory.Sequence(lambda n: f"Tutorial {n}")
    title_zh = factory.Sequence(lambda n: f"教程 {n}")
    body_en = "The update rule is $\\theta_{t+1} = \\theta_t - \\alpha \\nabla_\\theta J(\\theta_t)$."
    status = models.Status.PUBLISHED
    demo = "mlp_digits"
