"""Screenshots of the pages issue 18 walks through, for review in CI's artifacts, each checked.

Tutorial page, run page, the run list, the comparison, search, deadlines, a conference page, the
admin's import page and sign-up; at 1280×800 and 390×844, in English and in Chinese; saved under
test-artifacts/screenshots/ by the ``shot`` fixture. On each page the test checks the heading
(in the page's language), that the page is no wider than the window, for the run pages that
their script drew the chart and the results with translated names, and that the run list shows
each run's status and result within the window.
"""

import re

import pytest
from django.utils import translation

from tests.browser.site_pages import sample_site
from tests.helpers import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
LANGUAGES = {"en": ("en", "en-GB"), "zh": ("zh-hans", "zh-CN")}


def say(language: str, text: str) -> str:
    with translation.override(language):
        return translation.gettext(text)


def pages(sample: dict, language: str) -> list[tuple[str, str, bool, str | re.Pattern]]:
    """(name, path, signed in, the h1 it must show) for each page of the review."""
    tutorial = sample["tutorial"]
    title = tutorial.title_zh if language == "zh-hans" else tutorial.title_en
    runs = sample["runs"]
    return [
        ("tutorial", tutorial.get_absolute_url(), True, title),
        (
            "run",
            runs[0].get_absolute_url(),
            True,
            say(language, "Training run of %(demo)s") % {"demo": "mlp_digits"},
        ),
        ("run-list", "/tutorials/runs/", True, say(language, "My runs")),
        (
            "compare",
            f"/tutorials/runs/compare/?ids={runs[0].pk}&ids={runs[1].pk}",
            True,
            say(language, "Compare runs"),
        ),
        ("search", "/search/?q=attention", False, say(language, "Search")),
        ("deadlines", "/deadlines/", False, say(language, "Upcoming deadlines")),
        ("conference", sample["series"].get_absolute_url(), False, re.compile(r"^NeurIPS\b")),
        (
            "admin-import",
            "/admin/resources/conferenceseries/import/",
            True,
            say(language, "Import conference deadlines"),
        ),
        ("signup", "/accounts/signup/", False, say(language, "Create an account")),
    ]


@pytest.mark.parametrize("viewport", list(VIEWPORTS))
@pytest.mark.parametrize("language", list(LANGUAGES))
def test_screenshots_of_the_walk(live_server, new_page, shot, language, viewport):
    sample = sample_site()
    accept, locale = LANGUAGES[language]
    options = {
        "viewport": VIEWPORTS[viewport],
        "locale": locale,
        "extra_http_headers": {"Accept-Language": accept},
    }
    anonymous, signed_in = new_page(**options), new_page(**options)
    signed_in.context.add_cookies([session_cookie(sample["learner"], live_server)])

    for name, path, needs_login, heading in pages(sample, accept):
        page = signed_in if needs_login else anonymous
        page.goto(live_server.url + path)
        assert page.evaluate("document.documentElement.lang") == accept, path
        h1 = page.get_by_role("heading", level=1)
        assert h1.count() == 1, f"{path}: {h1.count()} h1 elements"
        text = " ".join(h1.inner_text().split())
        if isinstance(heading, re.Pattern):
            assert heading.search(text), (path, text)
        else:
            assert text == heading, (path, text)
        if name == "run":
            page.locator("#loss-chart .uplot").wait_for()
            results = page.locator("#final-metrics").inner_text()
            assert say(accept, "Validation accuracy") in results and "0.9720" in results
            assert page.locator("#run-status").inner_text() == say(accept, "Succeeded")
            assert page.locator("#demo-results table.matrix").count() == 1
        if name == "run-list":
            # Status and result are in view, not in a part of the table scrolled off to the side.
            for cell in page.locator(".run-list .run-status, .run-list .run-results").all():
                box = cell.bounding_box()
                assert box["x"] >= 0 and box["x"] + box["width"] <= VIEWPORTS[viewport]["width"], box
            assert page.locator(".run-list .run-status").first.inner_text() == say(accept, "Succeeded")
        if name == "compare":
            page.locator("#compare-chart .uplot").wait_for()
            legend = page.locator("#compare-chart .u-legend").inner_text()
            for word in ("Training step", "Learning rate"):
                assert say(accept, word) in legend, legend
        width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width[0] <= width[1], f"{path} is {width[0]} px wide in a {width[1]} px window"
        shot(page, name)
