"""A fresh cache for every test, and the named users of the whole suite, each with a signed-in
browser client and an API client.

``reader``   a signed-up user with no rights (reads, bookmarks, launches runs);
``owner``    the user who owns the thing under test (a run, a bookmark, a study plan);
``other``    another plain user, who must not see or change what ``owner`` has;
``staff``    ``is_staff`` without permissions (reaches the admin, may change nothing);
``curator``  staff with every permission of the portal's apps (catalogue, tutorials, accounts,
             paths, notifications);
``superuser`` everything.

``<name>_client`` is Django's test client signed in as that user (uploads the admin stages go
to the test's tmp_path); ``<name>_api`` is a DRF client that sends the user's token, as a
script would; ``api`` is the anonymous DRF client. ``browser`` is Debian's Chromium through
Playwright, for tests/browser and the XSS corpus of tests/security.
"""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from rest_framework.test import APIClient

from tests import factories
from tests.helpers import api_client_for
from tests.processes import need


@pytest.fixture(autouse=True)
def fresh_cache():
    """The cache (throttle and post-limit counters, cached facets and counts) outlives a test, in
    local memory or in Redis; every test starts and ends with an empty one."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def default_language():
    """A test that switches this thread's language (a view under ``Accept-Language: zh``, an
    ``override`` left open) hands the next test the default one: no test depends on the order."""
    from django.conf import settings
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)


#: The apps whose permissions a curator holds.
CURATED_APPS = ["resources", "tutorials", "accounts", "paths", "notifications"]


@pytest.fixture
def reader(db):
    return factories.UserFactory(username="reader")


@pytest.fixture
def owner(db):
    return factories.UserFactory(username="owner")


@pytest.fixture
def other(db):
    return factories.UserFactory(username="other")


@pytest.fixture
def staff(db):
    return factories.UserFactory(username="staff", is_staff=True)


@pytest.fixture
def curator(db):
    user = factories.UserFactory(username="curator", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=CURATED_APPS))
    return user


@pytest.fixture
def superuser(db):
    return factories.UserFactory(username="admin", is_staff=True, is_superuser=True)


def _signed_in(user, settings, tmp_path) -> Client:
    settings.VAR_DIR = tmp_path
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def reader_client(reader, settings, tmp_path):
    return _signed_in(reader, settings, tmp_path)


@pytest.fixture
def owner_client(owner, settings, tmp_path):
    return _signed_in(owner, settings, tmp_path)


@pytest.fixture
def other_client(other, settings, tmp_path):
    return _signed_in(other, settings, tmp_path)


@pytest.fixture
def staff_client(staff, settings, tmp_path):
    return _signed_in(staff, settings, tmp_path)


@pytest.fixture
def curator_client(curator, settings, tmp_path):
    return _signed_in(curator, settings, tmp_path)


@pytest.fixture
def superuser_client(superuser, settings, tmp_path):
    return _signed_in(superuser, settings, tmp_path)


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def reader_api(reader):
    return api_client_for(reader)


@pytest.fixture
def owner_api(owner):
    return api_client_for(owner)


@pytest.fixture
def other_api(other):
    return api_client_for(other)


@pytest.fixture
def staff_api(staff):
    return api_client_for(staff)


@pytest.fixture
def curator_api(curator):
    return api_client_for(curator)


@pytest.fixture
def superuser_api(superuser):
    return api_client_for(superuser)


# --- the browser --------------------------------------------------------------------------------

CHROMIUM = Path(os.environ.get("PORTAL_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def processes():
    """Processes a test started (tests/processes.py), stopped at its end, last started first."""
    started: list = []
    yield started
    for process in reversed(started):
        try:
            process.stop()
        except Exception as exc:  # one failed stop must not keep the others running
            print(f"could not stop {process!r}: {exc}")


@pytest.fixture(scope="module")
def browser(django_db_setup, live_server):
    need(
        CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK),
        f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)",
    )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop on this thread while it runs, which makes
    # Django's async-safety guard refuse the test's own ORM calls (factories, flushes).
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
