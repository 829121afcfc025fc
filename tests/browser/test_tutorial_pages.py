"""Tutorial, run and comparison pages in Chromium, as a newcomer meets them (issue 18).

Coloured code, errors shown where the learner is looking, and pages that fit a phone.
"""

import pytest

from tests.browser.conftest import session_cookie
from tests.factories import TutorialFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = "```python\nimport torch\n\ndef step(x):  # one update\n    return x * 0.5\n```\n"


def signed_in(new_page, live_server, user, **options):
    page = new_page(**options)
    page.context.add_cookies([session_cookie(user, live_server)])
    return page


def colour(page, selector: str) -> str:
    return page.locator(selector).first.evaluate("e => getComputedStyle(e).color")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_tutorial_code_is_coloured(live_server, new_page, scheme):
    tutorial = TutorialFactory(body_en=CODE)
    page = new_page(color_scheme=scheme)
    page.goto(live_server.url + tutorial.get_absolute_url())
    text = colour(page, ".tutorial-body pre code")
    keyword, comment = colour(page, ".tutorial-body .k"), colour(page, ".tutorial-body .c1")
    assert keyword != text and comment != text and keyword != comment
    background = page.locator(".tutorial-body pre").evaluate("e => getComputedStyle(e).backgroundColor")
    channels = [int(c) for c in background[background.index("(") + 1 : -1].split(",")[:3]]
    assert (sum(channels) / 3 > 128) == (scheme == "light"), background
