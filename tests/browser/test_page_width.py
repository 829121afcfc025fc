"""No page of the site is wider than a 390 px phone, in English and in Chinese.

The pages come from the URL resolver through ``site_pages.ROUTES``: every route is either an
HTML page, opened here with a sample object in its parameters, or left out with its reason
written out (feeds, calendars, BibTeX, JSON, the REST API, Django's own admin). A route nobody
has classified fails ``test_every_route_is_classified``.
"""

import pytest
from django.urls import resolve

from tests.browser.site_pages import all_routes, classify, html_pages, sample_site
from tests.helpers import session_cookie

PHONE_390 = {"width": 390, "height": 844}
#: Accept-Language and the browser's own locale for each language.
LANGUAGES = {"en": ("en", "en-GB"), "zh": ("zh-hans", "zh-CN")}

#: The page's width against the window's, and the elements that stick out past the right edge
#: (the innermost first), so that a failure says where to look.
MEASURE = """() => {
    const width = window.innerWidth;
    const out = [];
    for (const el of document.body.querySelectorAll('*')) {
        const box = el.getBoundingClientRect();
        if (box.width > 0 && box.right > width + 0.5 && !el.closest('.table-wrap, pre')) {
            const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                + (el.classList.length ? '.' + [...el.classList].join('.') : '');
            out.push(`${name} (right edge ${Math.round(box.right)} px)`);
        }
    }
    return {scroll: document.documentElement.scrollWidth, window: width, out: out.reverse().slice(0, 6)};
}"""


def test_every_route_is_classified():
    unclassified = [
        f"{name or '(no name)'}: {pattern}" for name, pattern in all_routes() if not classify(name, pattern)
    ]
    assert not unclassified, (
        "add these routes to tests/browser/site_pages.py (a Page, or a Skip with its reason):\n"
        + "\n".join(unclassified)
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", list(LANGUAGES))
def test_no_page_is_wider_than_a_390_px_phone(live_server, new_page, language):
    sample = sample_site()
    pages = html_pages(sample)
    assert len(pages) > 30, "the route table lost its pages"
    accept, locale = LANGUAGES[language]
    options = {"viewport": PHONE_390, "locale": locale, "extra_http_headers": {"Accept-Language": accept}}
    anonymous, signed_in = new_page(**options), new_page(**options)
    signed_in.context.add_cookies([session_cookie(sample["learner"], live_server)])

    too_wide = []
    for name, path, page_kind in pages:
        assert resolve(path.split("?")[0]).view_name == name, f"the sample address {path} is not {name}'s"
        page = signed_in if page_kind.signed_in else anonymous
        response = page.goto(live_server.url + path)
        assert response.status == page_kind.status, f"{name} {path}: HTTP {response.status}"
        assert page.evaluate("document.documentElement.lang") == ("zh-hans" if language == "zh" else "en"), (
            path
        )
        width = page.evaluate(MEASURE)
        if width["scroll"] > width["window"]:
            too_wide.append(f"{path} ({name}): {width['scroll']} px > {width['window']} px; {width['out']}")
    assert not too_wide, "pages wider than the phone:\n" + "\n".join(too_wide)
