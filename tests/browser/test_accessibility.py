"""Accessibility in Chromium: axe-core's WCAG 2.1 A/AA rules on every kind of page, and keyboard focus.

axe-core (Deque, MPL-2.0) comes from the PyPI package axe-playwright-python, pinned in
requirements-dev.txt; only its bundled ``axe.min.js`` is used, injected into each page. Its
rules cover labels, landmarks, headings, link and button names, language attributes, ARIA use,
tabindex (focus order) and colour contrast. Each page is checked in English and in Chinese, at
desktop and at phone width.
"""

import datetime as dt
from importlib import resources

import pytest
from django.utils import timezone

from paths.models import LearningPath, QuizChoice, QuizQuestion, Step, StepProgress
from tests import factories
from tests.browser.conftest import session_cookie
from tutorials.models import TrainingRun

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 375, "height": 812}


def axe_source() -> str:
    return resources.files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")


@pytest.fixture
def site():
    """One published item of every type, linked, so that every page has real content."""
    topic = factories.TopicFactory(slug="transformers", name_en="Transformers", name_zh="Transformer 模型")
    series = factories.ConferenceSeriesFactory(short_name="NeurIPS", slug="neurips", ccf_rank="A")
    series.topics.add(topic)
    edition = factories.ConferenceEditionFactory(series=series, year=2026, city="Sydney")
    factories.DeadlineFactory(
        edition=edition, at=(timezone.now() + dt.timedelta(days=30)).replace(microsecond=0)
    )
    paper = factories.PaperFactory(
        title="Attention Is All You Need", slug="attention", year=2017, venue_edition=edition
    )
    paper.topics.add(topic)
    book = factories.BookFactory(slug="deep-learning")
    course = factories.CourseFactory(slug="cs224n")
    community = factories.CommunityFactory(slug="hf-forum")
    for item in (book, course, community):
        item.topics.add(topic)
    tutorial = factories.TutorialFactory(slug="digits", demo="mlp_digits")
    tutorial.topics.add(topic)
    learner = factories.UserFactory(username="learner")
    run = TrainingRun.objects.create(
        owner=learner,
        tutorial=tutorial,
        demo="mlp_digits",
        status=TrainingRun.Status.SUCCEEDED,
        params={"epochs": 2},
        metrics=[
            {"step": 1, "epoch": 1, "loss": 1.2},
            {"step": 2, "epoch": 2, "loss": 0.6, "val_accuracy": 0.9},
        ],
        final_metrics={"val_accuracy": 0.9},
        total_steps=2,
        step=2,
        progress=1.0,
    )
    learning_path = LearningPath.objects.create(
        slug="foundations", title_en="Foundations", title_zh="基础", status="published"
    )
    learning_path.topics.add(topic)
    first = Step.objects.create(path=learning_path, position=1, paper=paper, why_en="Read it.")
    second = Step.objects.create(path=learning_path, position=2, tutorial=tutorial, why_en="Train it.")
    second.prerequisites.add(first)
    StepProgress.objects.create(user=learner, step=first, state="done", note="read twice")
    question = QuizQuestion.objects.create(tutorial=tutorial, position=1, text_en="Why?", text_zh="为什么？")
    QuizChoice.objects.create(question=question, position=1, text_en="Because", text_zh="因为", correct=True)
    QuizChoice.objects.create(question=question, position=2, text_en="No reason", text_zh="没有原因")
    return {"learner": learner, "run": run}


PUBLIC_PAGES = [
    "/",
    "/search/?q=attention",
    "/deadlines/",
    "/conferences/",
    "/conferences/neurips/",
    "/papers/",
    "/papers/attention/",
    "/books/",
    "/books/deep-learning/",
    "/courses/",
    "/courses/cs224n/",
    "/communities/",
    "/communities/hf-forum/",
    "/topics/transformers/",
    "/tutorials/",
    "/tutorials/digits/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/tutorials/leaderboard/mlp_digits/",
    "/paths/",
    "/paths/foundations/",
    "/paths/quiz/digits/",
    "/no-such-page/",
]
SIGNED_IN_PAGES = [
    "/accounts/library/", "/tutorials/runs/", "RUN", "/accounts/password/change/", "/", "/paths/foundations/",
]  # fmt: skip


def violations_on(page, url: str) -> list[str]:
    page.goto(url)
    page.evaluate(axe_source())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    found = []
    for violation in result["violations"]:
        targets = "; ".join(", ".join(node["target"]) for node in violation["nodes"][:3])
        found.append(f"{url}: {violation['id']} ({violation['impact']}): {violation['help']} — {targets}")
    return found


@pytest.mark.parametrize(
    ("language", "viewport"), [("en", None), ("zh-hans", None), ("en", PHONE)], ids=["en", "zh", "phone"]
)
def test_every_kind_of_page_passes_axe(live_server, new_page, site, language, viewport, page_problems):
    options = {"extra_http_headers": {"Accept-Language": language}}
    if viewport:
        options["viewport"] = viewport
    page = new_page(**options)
    page_problems.allow(404, "/no-such-page/")
    found = []
    for path in PUBLIC_PAGES:
        found += violations_on(page, live_server.url + path)
    page.context.add_cookies([session_cookie(site["learner"], live_server)])
    for path in SIGNED_IN_PAGES:
        path = site["run"].get_absolute_url() if path == "RUN" else path
        found += violations_on(page, live_server.url + path)
    assert not found, "\n".join(found)


def test_the_keyboard_reaches_the_content_first_and_in_reading_order(live_server, page, site):
    page.goto(live_server.url + "/papers/")
    page.keyboard.press("Tab")
    first = page.evaluate(
        "() => [document.activeElement.tagName, document.activeElement.getAttribute('href')]"
    )
    assert first == ["A", "#main"], "the first Tab lands on the skip link"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    inside_main = page.evaluate("() => !!document.activeElement.closest('main')")
    assert inside_main, "after the skip link, focus moves into the main content"

    # Tabbing through the whole page visits focusable elements in document order, each visibly.
    page.goto(live_server.url + "/papers/")
    seen = []
    for _ in range(60):
        page.keyboard.press("Tab")
        state = page.evaluate(
            """() => {
                const el = document.activeElement;
                if (!el || el === document.body) return null;
                const focusable = 'a[href], button, input, select, textarea, summary';
                const all = [...document.querySelectorAll(focusable)];
                const style = getComputedStyle(el);
                const outlined = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
                return {index: all.indexOf(el), visible: outlined || style.boxShadow !== 'none'};
            }"""
        )
        if state is None:
            break
        seen.append(state)
    indexes = [state["index"] for state in seen]
    assert len(indexes) > 10
    assert indexes == sorted(indexes), f"focus order jumps: {indexes}"
    assert all(state["visible"] for state in seen), "every focused element shows a focus ring"
