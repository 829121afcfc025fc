"""The Done-when walk through the portal in a real Chromium, one screenshot per step.

home → search "attention" → the paper → its venue → the conference's deadlines → add to calendar;
switch to 中文; sign up → bookmark the paper → My library → export BibTeX. Plus a phone-width
home page without horizontal scrolling, and the pages with JavaScript switched off.
"""

import re

import bibtexparser
import icalendar
import pytest
from django.utils import translation

from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAPER_TITLE = "Attention Is All You Need"


def read_download(download) -> bytes:
    with open(download.path(), "rb") as handle:
        return handle.read()


def chinese(text: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(text)


def expect_heading(page, name) -> None:
    heading = page.get_by_role("heading", level=1, name=name)
    heading.wait_for()
    assert heading.is_visible()


def test_find_a_paper_and_put_its_conference_deadline_in_a_calendar(
    live_server, page, shot, neurips_catalogue
):
    page.goto(live_server.url + "/")
    expect_heading(page, "Learn about large AI models")
    shot(page, "home")
    main = page.get_by_role("main")
    upcoming = main.get_by_role("listitem").filter(has_text="NeurIPS 2026")
    assert "closed" not in upcoming.inner_text(), "a deadline 40 days ahead is shown as closed"

    main.get_by_role("searchbox").fill("attention")
    main.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/search/\?q=attention"))
    shot(page, "search-attention")

    main.get_by_role("link", name=PAPER_TITLE).first.click()
    page.wait_for_url("**/papers/attention-is-all-you-need/")
    expect_heading(page, PAPER_TITLE)
    shot(page, "paper")

    main.get_by_role("link", name="NeurIPS 2017", exact=True).first.click()
    page.wait_for_url("**/conferences/neurips/2017/")
    expect_heading(page, "NeurIPS 2017")
    shot(page, "venue-edition")

    main.get_by_role("link", name="NeurIPS", exact=True).first.click()
    page.wait_for_url("**/conferences/neurips/")
    deadlines = main.get_by_role("region", name="Editions and deadlines")
    row = deadlines.get_by_role("row").filter(has_text="Full paper")
    assert row.count() == 1
    assert "UTC" in row.inner_text()
    shot(page, "conference-deadlines")

    with page.expect_download() as info:
        row.get_by_role("link", name=re.compile("Add to calendar")).click()
    download = info.value
    assert download.suggested_filename.endswith(".ics")
    events = icalendar.Calendar.from_ical(read_download(download)).walk("VEVENT")
    assert len(events) == 1
    start = events[0].decoded("DTSTART")
    assert start == neurips_catalogue["deadline"].at, (start, neurips_catalogue["deadline"].at)
    assert "NeurIPS" in str(events[0]["SUMMARY"])

    with page.expect_download() as info:
        main.get_by_role("link", name="Add every NeurIPS deadline to your calendar").first.click()
    calendar = icalendar.Calendar.from_ical(read_download(info.value))
    assert any("NeurIPS" in str(event["SUMMARY"]) for event in calendar.walk("VEVENT"))
    shot(page, "after-calendar-downloads")


def test_switch_to_chinese_and_stay_there(live_server, page, shot, neurips_catalogue):
    chinese_texts = {text: chinese(text) for text in ("Deadlines", "Learn about large AI models", "Papers")}
    assert all(re.search(r"[\u4e00-\u9fff]", value) for value in chinese_texts.values()), chinese_texts

    page.goto(live_server.url + "/")
    page.get_by_label("Language").select_option("zh-hans")
    switch = page.get_by_role("button", name="Switch")
    if switch.is_visible():  # a script may already have sent the form on change
        switch.click()
    page.wait_for_function("document.documentElement.lang === 'zh-hans'")
    expect_heading(page, chinese_texts["Learn about large AI models"])
    assert chinese_texts["Deadlines"] in page.get_by_role("navigation").first.inner_text()
    shot(page, "home-zh")

    # The choice is remembered: a later page, reached by a link, is still in Chinese.
    page.get_by_role("navigation").first.get_by_role("link", name=chinese_texts["Papers"]).click()
    page.wait_for_url("**/papers/")
    assert page.evaluate("document.documentElement.lang") == "zh-hans"
    assert page.get_by_role("link", name=PAPER_TITLE).count() >= 1
    shot(page, "papers-zh")
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies.get("django_language") == "zh-hans"


def test_sign_up_bookmark_a_paper_and_export_the_library(live_server, page, shot, neurips_catalogue):
    page.goto(live_server.url + neurips_catalogue["paper"].get_absolute_url())
    page.get_by_role("link", name="Sign up").first.click()
    page.wait_for_url("**/accounts/signup/**")
    page.get_by_label(re.compile(r"^Username")).fill("ada")
    page.get_by_label(re.compile(r"^E-mail address")).fill("ada@example.org")
    page.get_by_label(re.compile(r"^Password:?$")).fill("violet-Quokka-37-river")
    page.get_by_label(re.compile(r"^Password confirmation")).fill("violet-Quokka-37-river")
    shot(page, "signup-form")
    page.get_by_role("main").get_by_role("button", name="Sign up").click()

    # Back on the paper page, now logged in.
    page.wait_for_url("**/papers/attention-is-all-you-need/")
    expect_heading(page, PAPER_TITLE)
    with page.expect_navigation():  # the form posts and redirects back to this page
        page.get_by_role("button", name="Add to my library").click()
    page.wait_for_url("**/papers/attention-is-all-you-need/")
    assert page.get_by_role("button", name="Remove from my library").is_visible()
    shot(page, "paper-bookmarked")

    page.get_by_role("link", name="My library").first.click()
    page.wait_for_url("**/accounts/library/")
    library = page.get_by_role("main")
    assert library.get_by_role("link", name=PAPER_TITLE).is_visible()
    assert library.get_by_role("heading", name=re.compile("Papers")).is_visible()
    shot(page, "my-library")

    with page.expect_download() as info:
        library.get_by_role("link", name="Export bookmarked papers as BibTeX").click()
    download = info.value
    assert download.suggested_filename == "my-papers.bib"
    entries = bibtexparser.parse_string(read_download(download).decode()).entries
    assert len(entries) == 1
    assert PAPER_TITLE in entries[0]["title"]
    assert "1706.03762" in read_download(download).decode()

    # The library in Chinese, then emptied from there.
    page.get_by_label("Language").select_option("zh-hans")
    switch = page.get_by_role("button", name="Switch")
    if switch.is_visible():
        switch.click()
    page.wait_for_function("document.documentElement.lang === 'zh-hans'")
    expect_heading(page, chinese("My library"))
    shot(page, "my-library-zh")
    remove = chinese("Remove “%(title)s” from my library") % {"title": PAPER_TITLE}
    library.get_by_role("button", name=remove).click()
    page.wait_for_url("**/accounts/library/")
    empty = chinese(
        "Nothing here yet. Bookmark papers, books, courses, communities and conferences from their pages, "
        "and they will appear here."
    )
    assert library.get_by_text(empty).is_visible()
    shot(page, "library-emptied-zh")


def test_home_fits_a_phone_screen(live_server, new_page, shot, neurips_catalogue):
    page = new_page(viewport={"width": 375, "height": 812}, is_mobile=True, has_touch=True)
    for path in (
        "/",
        "/papers/",
        neurips_catalogue["paper"].get_absolute_url(),
        "/deadlines/",
        "/accounts/signup/",
    ):
        page.goto(live_server.url + path)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        name = path.strip("/").replace("/", "-") or "home"
        shot(page, f"phone-{name}")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 375px width"


def test_pages_work_without_javascript(live_server, new_page, shot, neurips_catalogue):
    page = new_page(java_script_enabled=False)
    page.goto(live_server.url + "/papers/")
    assert page.get_by_role("link", name=PAPER_TITLE).count() >= 1
    shot(page, "nojs-papers")

    page.get_by_role("link", name=PAPER_TITLE).first.click()
    expect_heading(page, PAPER_TITLE)
    assert page.get_by_text("Ashish Vaswani").first.is_visible()
    shot(page, "nojs-paper")

    page.goto(live_server.url + "/deadlines/")
    assert page.get_by_role("row").filter(has_text="NeurIPS 2026").count() >= 1
    assert "AoE" in page.get_by_role("main").inner_text()
    shot(page, "nojs-deadlines")

    page.goto(live_server.url + "/conferences/neurips/")
    expect_heading(page, re.compile("NeurIPS"))
    shot(page, "nojs-conference")

    # The language switch is a plain form, so it works without scripts too.
    page.get_by_label("Language").select_option("zh-hans")
    page.get_by_role("button", name="Switch").click()
    page.wait_for_url("**/conferences/neurips/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    shot(page, "nojs-conference-zh")


def test_account_pages_explain_what_went_wrong(live_server, page, shot, neurips_catalogue):
    factories.UserFactory(username="grace", email="grace@example.org")
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label(re.compile(r"^Username")).fill("grace")
    page.get_by_label(re.compile(r"^Password")).fill("not her password")
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    assert page.get_by_text(re.compile("enter a correct username and password")).is_visible()
    shot(page, "login-error")

    page.get_by_role("link", name="Forgotten your password?").click()
    page.get_by_label(re.compile(r"^Email")).fill("grace@example.org")
    shot(page, "password-reset-form")
    page.get_by_role("button", name="Send the link").click()
    expect_heading(page, "Check your e-mail")
    shot(page, "password-reset-sent")

    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label(re.compile(r"^Username")).fill("grace")
    page.get_by_label(re.compile(r"^Password")).fill("correct-horse-battery-staple")
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    page.wait_for_url("**/accounts/library/")
    page.goto(live_server.url + "/conferences/neurips/")
    # The form posts and redirects back here; let that finish before leaving the page.
    with page.expect_navigation():
        page.get_by_role("button", name="Add to my library").click()
    page.goto(live_server.url + "/accounts/library/")
    page.get_by_role("link", name="Add a note").click()
    page.get_by_label(re.compile(r"^Note")).fill("Submit by the AoE deadline; check the page limit.")
    page.get_by_role("button", name="Save note").click()
    page.wait_for_url("**/accounts/library/")
    assert page.get_by_text("check the page limit").is_visible()
    shot(page, "library-with-note")
