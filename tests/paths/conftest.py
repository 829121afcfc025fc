"""Fixtures of the path tests: small paths built from factories (tests.helpers.make_path)."""

import pytest

from tests.helpers import make_path


@pytest.fixture
def path_factory(db):
    return make_path
