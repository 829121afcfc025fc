"""Build a catalogue of n rows of every kind with bulk_create, for the query-count tests.

Every row hangs off a few fixed subjects (the first series, edition, paper, topic ...), so that
their detail pages grow with n: n deadlines, n papers at the edition, n citations, n topics.
"""

import datetime as dt

from resources.models import (
    AcceptanceRate,
    Book,
    Community,
    ConferenceEdition,
    ConferenceSeries,
    Course,
    Deadline,
    Paper,
    Status,
    Topic,
)

PUBLISHED = Status.PUBLISHED
NOW = dt.datetime.now(dt.UTC)


def build(n: int, start: int = 0) -> None:
    """Add rows numbered start .. n-1 (call build(10) then build(500, 10) to grow to 500)."""
    numbers = range(start, n)
    topics = Topic.objects.bulk_create(
        Topic(slug=f"topic-{i}", name_en=f"Topic {i}", name_zh=f"主题 {i}", position=i) for i in numbers
    )
    series = ConferenceSeries.objects.bulk_create(
        ConferenceSeries(
            slug=f"conf-{i}", short_name=f"CONF{i}", full_name=f"Conference {i}", status=PUBLISHED,
            published_at=NOW, field="AI" if i % 2 else "NLP", ccf_rank="ABC"[i % 3],
        )
        for i in numbers
    )  # fmt: skip
    first = ConferenceSeries.objects.get(slug="conf-0")
    # The first series gets as many editions as the year range allows, and a rate for each.
    first_years = [1950 + i for i in numbers if i < 150]
    editions = ConferenceEdition.objects.bulk_create(
        [ConferenceEdition(series=first, year=year) for year in first_years]
        + [ConferenceEdition(series=s, year=2026) for s in series if s.slug != "conf-0"]
    )
    AcceptanceRate.objects.bulk_create(
        AcceptanceRate(series=first, year=year, submitted=1000, accepted=200, rate="0.2")
        for year in first_years
    )
    first_edition = ConferenceEdition.objects.get(series=first, year=1950)
    Deadline.objects.bulk_create(
        Deadline(edition=first_edition, label=f"Deadline {i}", at=NOW + dt.timedelta(days=i + 1))
        for i in numbers
    )
    Deadline.objects.bulk_create(
        Deadline(edition=first_edition, label=f"Past {i}", at=NOW - dt.timedelta(days=i + 1)) for i in numbers
    )
    Deadline.objects.bulk_create(
        Deadline(edition=e, label="Paper", at=NOW + dt.timedelta(days=e.pk % 300 + 1)) for e in editions
    )
    papers = Paper.objects.bulk_create(
        Paper(
            slug=f"paper-{i}", title=f"Attention study {i}", authors=["A. Author", f"B. Author{i}"],
            year=2000 + i % 25, status=PUBLISHED, published_at=NOW, venue_edition=first_edition,
            abstract="About attention.",
        )
        for i in numbers
    )  # fmt: skip
    books = Book.objects.bulk_create(
        Book(slug=f"book-{i}", title=f"Attention book {i}", authors=["C. Writer"], year=2000 + i % 25,
             status=PUBLISHED, published_at=NOW, language="en" if i % 2 else "zh")
        for i in numbers
    )  # fmt: skip
    courses = Course.objects.bulk_create(
        Course(slug=f"course-{i}", title=f"Attention course {i}", provider="Uni", url="https://example.org/",
               status=PUBLISHED, published_at=NOW, languages=["en", "zh"][: 1 + i % 2], is_free=bool(i % 2),
               level=["beginner", "intermediate", "advanced"][i % 3])
        for i in numbers
    )  # fmt: skip
    communities = Community.objects.bulk_create(
        Community(slug=f"community-{i}", name=f"Attention forum {i}", kind="forum", url="https://example.org/",
                  status=PUBLISHED, published_at=NOW, language="en")
        for i in numbers
    )  # fmt: skip
    topic0 = Topic.objects.get(slug="topic-0")
    paper0 = Paper.objects.get(slug="paper-0")
    book0, course0 = Book.objects.get(slug="book-0"), Course.objects.get(slug="course-0")
    community0, series0 = Community.objects.get(slug="community-0"), first
    # Every new item is on topic-0 and on its own topic; the first item of each type is on every new topic.
    links = [
        (Paper, papers, paper0, "paper"),
        (Book, books, book0, "book"),
        (Course, courses, course0, "course"),
        (Community, communities, community0, "community"),
        (ConferenceSeries, series, series0, "conferenceseries"),
    ]
    for model, items, first_item, name in links:
        through = model.topics.through
        rows = {(item.pk, topic0.pk) for item in items} | {
            (item.pk, t.pk) for item, t in zip(items, topics, strict=True)
        }
        rows |= {(first_item.pk, t.pk) for t in topics}
        existing = set(through.objects.values_list(f"{name}_id", "topic_id"))
        through.objects.bulk_create(through(**{f"{name}_id": a, "topic_id": b}) for a, b in rows - existing)
    # paper-0 cites every new paper and every new paper cites it.
    cites = Paper.cites.through
    others = [p for p in papers if p.pk != paper0.pk]
    rows = {(paper0.pk, p.pk) for p in others} | {(p.pk, paper0.pk) for p in others}
    cites.objects.bulk_create(cites(from_paper_id=a, to_paper_id=b) for a, b in rows)
