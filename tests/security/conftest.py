"""Fixtures of the security suite: users of each kind, a fresh cache for the rate limits, and the
browser fixtures of tests/browser (Debian's Chromium through Playwright) for the XSS corpus."""

import pytest

from tests import factories


@pytest.fixture
def alice(db):
    return factories.UserFactory(username="alice")


@pytest.fixture
def mallory(db):
    return factories.UserFactory(username="mallory")
