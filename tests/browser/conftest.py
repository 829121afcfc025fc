"""Pages of Debian's Chromium (the ``browser`` fixture is in tests/conftest.py) on the live server.

No browser is ever downloaded: the tests use /usr/bin/chromium and skip (fail under CI=true)
when it is absent. Every test gets a page that records console errors, uncaught exceptions,
failed requests and responses of 400 or more; the test fails at teardown if any was seen that
the test did not declare with ``page_problems.allow(...)``.
"""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone

from tests import factories
from tests.processes import ROOT

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


@pytest.fixture(autouse=True)
def _generous_post_limits(settings):
    # A developer re-running the suite should not meet the sign-up limit.
    settings.ACCOUNTS_POST_LIMITS = {"login": (1000, 60), "signup": (1000, 60), "password_reset": (1000, 60)}


class PageProblems:
    """What went wrong in the page: console errors, page errors, failed or refused requests."""

    def __init__(self):
        self.seen: list[str] = []
        self.allowed: list[tuple[int, re.Pattern]] = []
        self.downloads: set[str] = set()

    def allow(self, status: int, url_pattern: str) -> None:
        """Declare a deliberate error response (and the console line Chromium logs for it)."""
        self.allowed.append((status, re.compile(url_pattern)))

    def _is_allowed(self, status: int | None, url: str) -> bool:
        return any((status is None or status == s) and p.search(url) for s, p in self.allowed)

    def on_console(self, message) -> None:
        if message.type != "error":
            return
        url = (message.location or {}).get("url", "")
        if "Failed to load resource" in message.text and self._is_allowed(None, url):
            return
        self.seen.append(f"console error: {message.text} ({url})")

    def on_response(self, response) -> None:
        if response.status >= 400 and not self._is_allowed(response.status, response.url):
            self.seen.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    def on_request_failed(self, request) -> None:
        self.seen.append(f"request failed: {request.method} {request.url} ({request.failure})")

    def problems(self) -> list[str]:
        # ERR_ABORTED is the browser cancelling a request, not the server failing it: a link that
        # downloads a file ends the page's request so, and Chromium drops a favicon fetch still in
        # flight when the test moves on or closes the page (seen on a loaded machine). A favicon
        # that is really missing answers 404, which on_response reports.
        return [
            p
            for p in self.seen
            if not (
                p.startswith("request failed")
                and "ERR_ABORTED" in p
                and (any(d in p for d in self.downloads) or "/static/favicon.svg " in p)
            )
        ]


@pytest.fixture
def page_problems():
    return PageProblems()


@pytest.fixture
def new_page(browser, page_problems):
    """Open pages in fresh browser contexts; check every page for problems at teardown."""
    contexts = []

    def open_page(**context_options):
        options = {"viewport": DESKTOP, "locale": "en-GB", "timezone_id": "Asia/Shanghai"}
        options.update(context_options)
        context = browser.new_context(accept_downloads=True, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", page_problems.on_console)
        page.on("pageerror", lambda error: page_problems.seen.append(f"uncaught exception: {error}"))
        page.on("response", page_problems.on_response)
        page.on("requestfailed", page_problems.on_request_failed)
        page.on("download", lambda download: page_problems.downloads.add(download.url))
        return page

    yield open_page
    for context in contexts:
        context.close()
    problems = page_problems.problems()
    assert not problems, "the browser saw problems:\n" + "\n".join(problems)


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture
def shot(request):
    """shot(page, "name"): a full-page screenshot under test-artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    test_name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    counter = iter(range(1, 100))

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{test_name}-{next(counter):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def neurips_catalogue():
    """NeurIPS with its 2017 and 2026 editions, a future deadline, the paper and a topic."""
    topic = factories.TopicFactory(slug="transformers", name_en="Transformers", name_zh="Transformer 模型")
    neurips = factories.ConferenceSeriesFactory(
        short_name="NeurIPS", slug="neurips", full_name="Conference on Neural Information Processing Systems"
    )
    neurips.topics.add(topic)
    edition_2017 = factories.ConferenceEditionFactory(
        series=neurips, year=2017, city="Long Beach", country="USA"
    )
    edition_2026 = factories.ConferenceEditionFactory(
        series=neurips, year=2026, city="Sydney", country="Australia"
    )
    deadline = factories.DeadlineFactory(
        edition=edition_2026,
        label="Full paper",
        at=(timezone.now() + dt.timedelta(days=40)).replace(microsecond=0),
    )
    paper = factories.PaperFactory(
        title="Attention Is All You Need",
        slug="attention-is-all-you-need",
        authors=["Ashish Vaswani", "Noam Shazeer", "Niki Parmar"],
        year=2017,
        venue_edition=edition_2017,
        arxiv_id="1706.03762",
        bibtex_key="vaswani2017attention",
        abstract="The dominant sequence transduction models are based on recurrent networks.",
    )
    paper.topics.add(topic)
    factories.PaperFactory(title="Deep Residual Learning for Image Recognition", year=2016)
    return {"paper": paper, "series": neurips, "deadline": deadline, "topic": topic}
