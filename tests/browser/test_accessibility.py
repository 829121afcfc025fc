"""Accessibility in Chromium: axe-core's WCAG 2.1 A/AA rules on every kind of page, and keyboard focus.

axe-core (Deque, MPL-2.0) comes from the PyPI package axe-playwright-python, pinned in
requirements-dev.txt; only its bundled ``axe.min.js`` is used, injected into each page. Its
rules cover labels, landmarks, headings, link and button names, language attributes, ARIA use,
tabindex (focus order) and colour contrast. Every HTML page of the site (the route table in
``site_pages.py``, the admin's import pages included) is checked in English and in Chinese, at
desktop and at phone width.
"""

from importlib import resources

import pytest

from tests.browser.site_pages import html_pages, sample_site
from tests.helpers import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 375, "height": 812}


def axe_source() -> str:
    return resources.files("axe_playwright_python").joinpath("axe.min.js").read_text(encoding="utf-8")


@pytest.fixture
def site():
    """One published item of every type, linked, so that every page has real content."""
    return sample_site()


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
    ("language", "viewport"),
    [("en", None), ("zh-hans", None), ("en", PHONE), ("zh-hans", PHONE)],
    ids=["en", "zh", "en-phone", "zh-phone"],
)
def test_every_kind_of_page_passes_axe(live_server, new_page, site, language, viewport, page_problems):
    """Every HTML page of ``site_pages.ROUTES`` (so every page type of the site), plus a 404."""
    options = {"extra_http_headers": {"Accept-Language": language}}
    if viewport:
        options["viewport"] = viewport
    anonymous, signed_in = new_page(**options), new_page(**options)
    signed_in.context.add_cookies([session_cookie(site["learner"], live_server)])
    page_problems.allow(404, "/no-such-page/")
    pages = html_pages(site)
    assert len(pages) > 30
    found = violations_on(anonymous, live_server.url + "/no-such-page/")
    for _name, path, page in pages:
        found += violations_on(signed_in if page.signed_in else anonymous, live_server.url + path)
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
