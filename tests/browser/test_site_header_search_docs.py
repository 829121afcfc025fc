"""Site-wide pieces of the learner's walk in Chromium: the header folds into a menu on a phone,
a very long search query wraps instead of widening the page, and the API docs ask no other host
for anything."""

from urllib.parse import urlsplit

import pytest

from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def attention_paper():
    factories.PaperFactory(title="Attention Is All You Need", slug="attention-is-all-you-need", year=2017)


def header_share(page) -> float:
    return page.evaluate(
        "document.querySelector('.site-header').getBoundingClientRect().height / window.innerHeight"
    )


def test_on_a_phone_the_navigation_folds_into_a_keyboard_menu(live_server, new_page, shot, attention_paper):
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(live_server.url + "/")
    nav = page.get_by_role("navigation", name="Main")
    menu = page.locator(".site-menu > summary")
    assert menu.is_visible() and menu.inner_text().strip() == "Menu"
    assert not nav.is_visible()
    assert page.get_by_role("searchbox").first.is_visible()  # the search stays at hand
    assert header_share(page) < 0.15, f"the header takes {header_share(page):.0%} of the screen"
    shot(page, "phone-menu-closed")

    # Keyboard only: Tab past the skip link and the brand to the menu, Enter opens it.
    page.locator("body").focus()
    for _ in range(3):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "SUMMARY":
            break
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Enter")
    assert nav.is_visible()
    assert page.get_by_role("link", name="Log in").is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Deadlines"
    shot(page, "phone-menu-open")
    page.keyboard.press("Enter")
    page.wait_for_url("**/deadlines/")
    assert not nav.is_visible()  # each page starts with the menu folded


def test_the_menu_is_translated_and_works_without_scripts(live_server, new_page, attention_paper):
    page = new_page(viewport=PHONE, java_script_enabled=False, locale="zh-CN")
    page.goto(live_server.url + "/", wait_until="load")
    menu = page.locator(".site-menu > summary")
    assert menu.inner_text().strip() == "菜单"
    menu.click()
    assert page.get_by_role("navigation").first.is_visible()


def test_on_a_wide_screen_the_navigation_shows_without_a_menu(live_server, page, attention_paper):
    page.goto(live_server.url + "/")
    assert page.get_by_role("navigation", name="Main").is_visible()
    assert not page.locator(".site-menu > summary").is_visible()
    assert page.get_by_role("link", name="Log in").is_visible()


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, PHONE], ids=["desktop", "phone"])
def test_a_long_query_without_spaces_wraps(live_server, new_page, shot, attention_paper, viewport):
    page = new_page(viewport=viewport)
    page.goto(live_server.url + "/search/?q=" + "x" * 300)
    assert page.get_by_text("Your search was shortened").is_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    shot(page, "long-query")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"


def test_a_mistyped_search_offers_a_suggestion_that_finds_the_paper(live_server, page, attention_paper):
    page.goto(live_server.url + "/search/?q=atention")
    suggestion = page.locator(".suggestion a")
    if suggestion.count():  # SQLite: offered; PostgreSQL corrects the word itself
        suggestion.click()
        page.wait_for_url("**/search/?q=attention")
    assert page.get_by_role("link", name="Attention Is All You Need").is_visible()


@pytest.mark.parametrize("path", ["/api/redoc/", "/api/docs/"])
def test_the_api_docs_ask_no_other_host(live_server, page, path):
    here = urlsplit(live_server.url).netloc
    elsewhere = []
    page.on("request", lambda r: urlsplit(r.url).netloc in ("", here) or elsewhere.append(r.url))
    page.goto(live_server.url + path, wait_until="networkidle")
    if path == "/api/redoc/":
        page.get_by_text("List published papers").first.wait_for(state="attached")
    else:
        page.locator(".swagger-ui .opblock").first.wait_for()
    assert elsewhere == []
