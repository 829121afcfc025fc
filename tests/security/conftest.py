"""Fixtures of the security suite: two plain users, alice and the attacker mallory. The named users,
the fresh cache and the browser come from tests/conftest.py."""

import pytest

from tests import factories


@pytest.fixture
def alice(db):
    return factories.UserFactory(username="alice")


@pytest.fixture
def mallory(db):
    return factories.UserFactory(username="mallory")
