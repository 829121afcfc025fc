"""Fixtures of the security suite: users of each kind, a fresh cache for the rate limits, and the
browser fixtures of tests/browser (Debian's Chromium through Playwright) for the XSS corpus."""

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests import factories


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate-limit counters live in the cache (local memory or Redis); each test starts at zero."""
    cache.clear()
    yield
    cache.clear()


def api_client_for(user) -> APIClient:
    client = APIClient()
    token, _ = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def alice(db):
    return factories.UserFactory(username="alice")


@pytest.fixture
def mallory(db):
    return factories.UserFactory(username="mallory")


@pytest.fixture
def curator(db):
    """Staff with every permission on the catalogue, tutorials and bookmarks."""
    user = factories.UserFactory(username="curator", is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label__in=["resources", "tutorials", "accounts"])
    )
    return user
