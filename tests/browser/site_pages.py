"""Every route of the site, classified: an HTML page to open (with the sample object that fills
its parameters) or a route left out, with the reason written out.

``ROUTES`` is checked against the URL resolver by ``test_every_route_is_classified``, so a new
route fails the tests until it is added here; the page-width, accessibility and screenshot tests
all open their pages from this table. ``sample_site()`` creates one linked object of each kind.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests import factories


@dataclass(frozen=True)
class Page:
    """An HTML page: ``path(sample)`` gives its address; ``signed_in`` opens it as the sample's
    staff learner, otherwise anonymously (sign-up and log-in redirect a signed-in user)."""

    path: object
    signed_in: bool = False
    status: int = 200


@dataclass(frozen=True)
class Skip:
    reason: str


NOT_HTML = "not an HTML page"
POST_ONLY = "answers POST only (a form's action), no page of its own"

ROUTES = {
    "home": Page(lambda s: "/"),
    "healthz": Skip(f"{NOT_HTML}: JSON health report"),
    "metrics": Skip(f"{NOT_HTML}: Prometheus text, behind a bearer token"),
    "favicon": Skip(f"{NOT_HTML}: redirect to the SVG icon"),
    "set_language": Skip(POST_ONLY),
    "accounts:signup": Page(lambda s: "/accounts/signup/"),
    "accounts:login": Page(lambda s: "/accounts/login/"),
    "accounts:logout": Skip(POST_ONLY),
    "accounts:password_change": Page(lambda s: "/accounts/password/change/", signed_in=True),
    "accounts:password_change_done": Page(lambda s: "/accounts/password/change/done/", signed_in=True),
    "accounts:password_reset": Page(lambda s: "/accounts/password/reset/"),
    "accounts:password_reset_done": Page(lambda s: "/accounts/password/reset/sent/"),
    "accounts:password_reset_confirm": Page(lambda s: s["reset_path"]),
    "accounts:password_reset_complete": Page(lambda s: "/accounts/password/reset/complete/"),
    "accounts:library": Page(lambda s: "/accounts/library/", signed_in=True),
    "accounts:library-bibtex": Skip(f"{NOT_HTML}: BibTeX download"),
    "accounts:bookmark-note": Page(lambda s: f"/accounts/library/{s['bookmark'].pk}/note/", signed_in=True),
    "accounts:bookmark-remove": Skip(POST_ONLY),
    "accounts:bookmark": Skip(POST_ONLY),
    "tutorials:list": Page(lambda s: "/tutorials/"),
    "tutorials:my-runs": Page(lambda s: "/tutorials/runs/", signed_in=True),
    "tutorials:compare": Page(
        lambda s: "/tutorials/runs/compare/?" + "&".join(f"ids={r.pk}" for r in s["runs"]), signed_in=True
    ),
    "tutorials:run-detail": Page(lambda s: s["runs"][0].get_absolute_url(), signed_in=True),
    "tutorials:run-status": Skip(f"{NOT_HTML}: JSON the run page polls"),
    "tutorials:run-cancel": Skip(POST_ONLY),
    "tutorials:run-script": Skip(f"{NOT_HTML}: Python script download"),
    "tutorials:run-shared": Page(lambda s: f"/tutorials/shared/{s['runs'][1].share_token}/"),
    "tutorials:leaderboard": Page(lambda s: "/tutorials/leaderboard/mlp_digits/"),
    "tutorials:detail": Page(lambda s: s["tutorial"].get_absolute_url(), signed_in=True),
    "resources:search": Page(lambda s: "/search/?q=attention"),
    "resources:deadline-list": Page(lambda s: "/deadlines/"),
    "resources:deadline-calendar": Page(lambda s: f"/deadlines/calendar/?month={s['month']}", signed_in=True),
    "notifications:follow": Skip(POST_ONLY),
    "notifications:settings": Page(lambda s: "/notifications/settings/", signed_in=True),
    "notifications:unsubscribe": Page(lambda s: s["unsubscribe_path"]),
    "notifications:calendar": Skip(f"{NOT_HTML}: iCalendar feed"),
    "paths:list": Page(lambda s: "/paths/", signed_in=True),
    "paths:detail": Page(lambda s: s["path"].get_absolute_url(), signed_in=True),
    "paths:quiz": Page(lambda s: f"/paths/quiz/{s['tutorial'].slug}/", signed_in=True),
    "paths:study-plan": Skip(POST_ONLY),
    "paths:step-progress": Skip(POST_ONLY),
    "resources:deadlines-ics": Skip(f"{NOT_HTML}: iCalendar feed"),
    "resources:deadline-feed": Skip(f"{NOT_HTML}: Atom feed"),
    "resources:deadline-changes-feed": Skip(f"{NOT_HTML}: Atom feed"),
    "resources:deadline-ics": Skip(f"{NOT_HTML}: iCalendar file"),
    "resources:conference-list": Page(lambda s: "/conferences/"),
    "resources:conference-ics": Skip(f"{NOT_HTML}: iCalendar file"),
    "resources:conference-detail": Page(lambda s: s["series"].get_absolute_url()),
    "resources:edition-detail": Page(lambda s: s["edition"].get_absolute_url()),
    "resources:paper-list": Page(lambda s: "/papers/"),
    "resources:papers-bib": Skip(f"{NOT_HTML}: BibTeX download"),
    "resources:paper-feed": Skip(f"{NOT_HTML}: Atom feed"),
    "resources:paper-bib": Skip(f"{NOT_HTML}: BibTeX download"),
    "resources:paper-detail": Page(lambda s: s["paper"].get_absolute_url()),
    "resources:book-list": Page(lambda s: "/books/"),
    "resources:book-detail": Page(lambda s: s["book"].get_absolute_url()),
    "resources:course-list": Page(lambda s: "/courses/"),
    "resources:course-detail": Page(lambda s: s["course"].get_absolute_url()),
    "resources:community-list": Page(lambda s: "/communities/"),
    "resources:community-detail": Page(lambda s: s["community"].get_absolute_url()),
    "resources:topic-list": Page(lambda s: "/topics/"),
    "resources:topic-detail": Page(lambda s: s["topic"].get_absolute_url()),
    "resources:sitemap": Skip(f"{NOT_HTML}: XML sitemap index"),
    "resources:sitemap-section": Skip(f"{NOT_HTML}: XML sitemap"),
    "api-schema": Skip(f"{NOT_HTML}: OpenAPI schema (YAML/JSON)"),
    "api-docs": Skip("API documentation drawn by Swagger UI's own scripts and styles"),
    "api-redoc": Skip("API documentation drawn by ReDoc's own scripts and styles"),
}
# The admin pages the project writes itself; the rest of the admin is Django's.
for _model in (
    "topic",
    "conferenceseries",
    "conferenceedition",
    "deadline",
    "acceptancerate",
    "course",
    "book",
    "paper",
    "community",
):
    ROUTES[f"admin:resources_{_model}_import"] = Page(
        lambda s, m=_model: f"/admin/resources/{m}/import/", signed_in=True
    )

#: Whole groups of routes left out by rule, each with its reason.
SKIPPED_GROUPS = [
    (re.compile(r"^api:"), f"{NOT_HTML}: the REST API (JSON)"),
    (
        re.compile(
            r"^admin:(index|login|logout|password_change|password_change_done|autocomplete|jsi18n"
            r"|view_on_site|app_list|\w+_(changelist|add|history|delete|change))$"
        ),
        "Django's own admin pages (Django's templates and styles)",
    ),
]
#: Routes without a name, by their pattern.
UNNAMED = {
    r"admin/(?P<url>.*)$": "Django admin's catch-all (redirects or 404)",
    "api/v1/^(?:[\\s\\S]*/)?$": f"{NOT_HTML}: the REST API's format suffixes",
}
UNNAMED_ADMIN_REDIRECT = re.compile(r"^admin/\w+/\w+/<path:object_id>/$")


def all_routes() -> list[tuple[str | None, str]]:
    """(name with its namespaces, or None; the full pattern) for every route the resolver knows."""

    def walk(patterns, prefix="", namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(filter(None, [namespace, pattern.namespace])) or None
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                name = ":".join(filter(None, [namespace, pattern.name])) if pattern.name else None
                yield name, prefix + str(pattern.pattern)

    return list(walk(get_resolver().url_patterns))


def classify(name: str | None, pattern: str) -> Page | Skip | None:
    """What the tests do with a route; None for a route nobody has classified yet."""
    if name is None:
        if pattern in UNNAMED:
            return Skip(UNNAMED[pattern])
        if UNNAMED_ADMIN_REDIRECT.match(pattern):
            return Skip("Django admin's redirect from an object id to its change page")
        return None
    if name in ROUTES:
        return ROUTES[name]
    for group, reason in SKIPPED_GROUPS:
        if group.match(name):
            return Skip(reason)
    return None


def html_pages(sample: dict) -> list[tuple[str, str, Page]]:
    """(route name, address, page) for every HTML page of the site, in the resolver's order."""
    pages = []
    for name, pattern in all_routes():
        kind = classify(name, pattern)
        if isinstance(kind, Page):
            pages.append((name, kind.path(sample), kind))
    return pages


def sample_site() -> dict:
    """One published object of each kind, linked, with the longer texts real data has."""
    topic = factories.TopicFactory(slug="transformers", name_en="Transformers", name_zh="Transformer 模型")
    series = factories.ConferenceSeriesFactory(
        short_name="NeurIPS",
        slug="neurips",
        full_name="Conference on Neural Information Processing Systems",
        ccf_rank="A",
    )
    series.topics.add(topic)
    edition = factories.ConferenceEditionFactory(series=series, year=2026, city="Sydney", country="Australia")
    soon = (timezone.now() + dt.timedelta(days=30)).replace(microsecond=0)
    deadline = factories.DeadlineFactory(edition=edition, label="Paper submission deadline", at=soon)
    factories.DeadlineFactory(
        edition=edition,
        kind="notification",
        label="Round 1 Final Decisions Released to Authors",
        at=soon + dt.timedelta(days=90),
    )
    from resources.models import DeadlineChange

    DeadlineChange.objects.create(
        edition=edition,
        deadline=deadline,
        kind=deadline.kind,
        label=deadline.label,
        change=DeadlineChange.Change.MOVED,
        old_at=soon - dt.timedelta(days=7),
        new_at=soon,
        source="hf",
    )
    paper = factories.PaperFactory(
        title="Attention Is All You Need",
        slug="attention",
        year=2017,
        venue_edition=edition,
        arxiv_id="1706.03762",
        abstract="The dominant sequence transduction models are based on complex recurrent networks.",
    )
    paper.topics.add(topic)
    book = factories.BookFactory(slug="deep-learning")
    course = factories.CourseFactory(slug="cs224n")
    community = factories.CommunityFactory(slug="hf-forum")
    for item in (book, course, community):
        item.topics.add(topic)
    tutorial = factories.TutorialFactory(slug="digits", demo="mlp_digits")
    tutorial.topics.add(topic)
    learner = factories.UserFactory(
        username="learner", email="learner@example.org", is_staff=True, is_superuser=True
    )
    runs = [
        _run(learner, tutorial, learning_rate, public)
        for learning_rate, public in ((0.002, False), (0.05, True))
    ]
    from accounts.models import Bookmark

    bookmark = Bookmark.objects.create(
        user=learner,
        content_type=ContentType.objects.get_for_model(paper),
        object_id=paper.pk,
        note="Read section 3.2 on scaled dot-product attention again.",
    )
    from notifications.delivery import unsubscribe_token
    from notifications.models import Follow
    from paths.models import LearningPath, QuizChoice, QuizQuestion, Step, StepProgress, StudyPlan

    Follow.objects.create(user=learner, series=series)
    learning_path = LearningPath.objects.create(
        slug="foundations",
        title_en="Foundations of deep learning",
        title_zh="深度学习基础",
        status="published",
    )
    first = Step.objects.create(
        path=learning_path, position=1, paper=paper, why_en="The paper behind it all."
    )
    second = Step.objects.create(
        path=learning_path, position=2, tutorial=tutorial, why_en="Train one yourself."
    )
    second.prerequisites.add(first)
    StepProgress.objects.create(user=learner, step=first, state="done", note="read twice")
    StudyPlan.objects.create(
        user=learner, path=learning_path, deadline=deadline, hours_per_week=5, time_zone="Asia/Shanghai"
    )
    question = QuizQuestion.objects.create(
        tutorial=tutorial, position=1, text_en="What does the loss measure?", text_zh="损失衡量的是什么？"
    )
    QuizChoice.objects.create(
        question=question, position=1, text_en="How wrong", text_zh="错得多远", correct=True
    )
    QuizChoice.objects.create(
        question=question, position=2, text_en="How fast", text_zh="多快", correct=False
    )
    uid = urlsafe_base64_encode(force_bytes(learner.pk))
    reset_path = f"/accounts/password/reset/{uid}/{default_token_generator.make_token(learner)}/"
    return {
        "topic": topic,
        "series": series,
        "edition": edition,
        "paper": paper,
        "book": book,
        "course": course,
        "community": community,
        "tutorial": tutorial,
        "learner": learner,
        "runs": runs,
        "bookmark": bookmark,
        "reset_path": reset_path,
        "path": learning_path,
        "month": soon.strftime("%Y-%m"),
        "unsubscribe_path": f"/notifications/unsubscribe/{unsubscribe_token(learner.pk, 'reminders')}/",
    }


def _run(owner, tutorial, learning_rate: float, public: bool):
    from tutorials.models import TrainingRun

    epochs = 15
    metrics = []
    for epoch in range(1, epochs + 1):
        loss = 2.3 / (1 + learning_rate * 40 * epoch)
        metrics.append({"step": epoch * 45, "epoch": epoch, "loss": loss})
        metrics.append(
            {"step": epoch * 45, "epoch": epoch, "val_loss": loss * 1.1, "val_accuracy": 1 - loss / 2.5}
        )
    matrix = [
        [30 if row == column else (1 if (row + column) % 7 == 0 else 0) for column in range(10)]
        for row in range(10)
    ]
    return factories.TrainingRunFactory(
        owner=owner,
        tutorial=tutorial,
        demo="mlp_digits",
        status=TrainingRun.Status.SUCCEEDED,
        is_public=public,
        params={"learning_rate": learning_rate, "epochs": epochs, "hidden_size": 256, "seed": 0},
        metrics=metrics,
        final_metrics={"train_loss": 0.05, "val_loss": 0.09, "val_accuracy": 0.972},
        results={"confusion_matrix": matrix, "labels": list(range(10))},
        device="cpu",
        total_steps=epochs * 45,
        step=epochs * 45,
        progress=1.0,
        finished_at=timezone.now(),
    )
