"""Follow and remind in Chromium: a star pressed on the conference list, the month calendar in
both languages at desktop and phone width, and the private calendar address shown once and then
revoked (its old address 404)."""

import datetime as dt

import pytest
from django.utils import timezone

from notifications.models import Follow
from tests import factories
from tests.helpers import session_cookie

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_390 = {"width": 390, "height": 844}


@pytest.fixture
def conferences():
    at = (timezone.now() + dt.timedelta(days=20)).replace(hour=12, minute=0, second=0, microsecond=0)
    made = {}
    for name in ("Alpha", "Beta"):
        series = factories.ConferenceSeriesFactory(short_name=name, slug=name.lower())
        edition = factories.ConferenceEditionFactory(series=series, year=at.year)
        made[name] = factories.DeadlineFactory(edition=edition, kind="paper", label="", at=at)
    return made


def signed_in_page(new_page, live_server, user, **options):
    page = new_page(**options)
    page.context.add_cookies([session_cookie(user, live_server)])
    return page


def test_star_a_conference_from_the_list(live_server, new_page, shot, conferences):
    reader = factories.UserFactory(username="reader")
    page = signed_in_page(new_page, live_server, reader)
    page.goto(f"{live_server.url}/conferences/")
    star = page.get_by_role("button", name="Follow Beta")
    star.click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="Following Beta").get_attribute("aria-pressed") == "true"
    assert Follow.objects.filter(user=reader, series__slug="beta").exists()
    shot(page, "conference-list-starred")
    # Followed first on the deadlines page.
    page.goto(f"{live_server.url}/deadlines/")
    first = page.locator("table.deadlines tbody tr").first
    assert first.locator("a").first.inner_text().startswith("Beta")
    assert first.locator(".star").count() == 1


@pytest.mark.parametrize("locale", ["en-GB", "zh-CN"])
@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, PHONE_390], ids=["desktop", "phone"])
def test_the_month_calendar_in_both_languages_and_widths(
    live_server, new_page, shot, conferences, locale, viewport
):
    reader = factories.UserFactory(username="reader")
    Follow.objects.create(user=reader, series=conferences["Alpha"].edition.series)
    page = signed_in_page(new_page, live_server, reader, locale=locale, viewport=viewport)
    month = conferences["Alpha"].at.strftime("%Y-%m")
    page.goto(f"{live_server.url}/deadlines/calendar/?month={month}")
    heading = page.locator("h1").inner_text()
    assert ("截止日期日历" if locale == "zh-CN" else "Deadline calendar") in heading
    day = conferences["Alpha"].at.strftime("%Y-%m-%d")
    cell = page.locator(f'li.day:has(time[datetime="{day}"])')
    assert cell.is_visible()
    assert "Alpha" in cell.inner_text() and "Beta" in cell.inner_text()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"the page is {width}px wide"
    # "Mine" keeps the followed conference only.
    page.get_by_label("Only conferences I follow" if locale == "en-GB" else "只看我关注的会议").check()
    page.locator("form.filter-form button[type=submit]").click()
    page.wait_for_load_state()
    assert "Beta" not in page.locator(f'li.day:has(time[datetime="{day}"])').inner_text()
    shot(page, f"calendar-{locale}-{viewport['width']}")


def test_the_calendar_address_is_shown_once_and_revoked(
    live_server, new_page, shot, page_problems, conferences
):
    reader = factories.UserFactory(username="reader")
    Follow.objects.create(user=reader, series=conferences["Alpha"].edition.series)
    page = signed_in_page(new_page, live_server, reader)
    page.goto(f"{live_server.url}/notifications/settings/")
    page.get_by_role("button", name="Make my calendar address").click()
    page.wait_for_load_state()
    address = page.locator("#calendar-url").input_value()
    assert address.startswith(live_server.url + "/calendar/") and address.endswith(".ics")
    shot(page, "calendar-address-shown")
    feed = page.request.get(address)
    assert feed.status == 200 and b"Alpha" in feed.body() and b"Beta" not in feed.body()
    page.reload()
    assert page.locator("#calendar-url").count() == 0  # shown once
    page.get_by_role("button", name="Turn the address off").click()
    page.wait_for_load_state()
    page_problems.allow(404, r"/calendar/")
    assert page.request.get(address).status == 404
    # The settings page filled the time zone from the browser (Asia/Shanghai in these tests).
    assert page.locator("#id_time_zone").input_value() == "Asia/Shanghai"
