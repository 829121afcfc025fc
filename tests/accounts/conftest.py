import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    """The post limits count in the cache, which outlives a test; start each test at zero."""
    cache.clear()
    yield
    cache.clear()
