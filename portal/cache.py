"""A Redis cache that degrades to "no cache" while Redis is unreachable.

Django's own RedisCache raises on every connection error, so a stopped Redis would turn every
page that reads a cached count, every API request (throttle counters) and every login form
(post limits) into a 500. This backend treats a connection or timeout error as a miss: reads
return their default, writes do nothing, ``add`` reports that nothing was stored and ``incr``
raises ``ValueError`` as for a missing key. A warning is logged at most once per
``WARN_EVERY`` seconds, and the socket timeouts are short, so a dead Redis costs milliseconds
per call and a hung one at most the timeout. Once Redis answers again, the next call uses it;
nothing needs a restart.

What that means for limits counted in the cache: while Redis is down they count nothing, so
the API throttles and the login/sign-up post limits let requests through (fail open). Runs
stay bounded: launching one also checks the per-user quotas in the database
(``tutorials.services.check_fair_use``), and a launch needs the broker, which is the same Redis.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache

logger = logging.getLogger(__name__)

#: Socket timeouts (seconds) unless the cache's OPTIONS name others.
CONNECT_TIMEOUT = 0.5
READ_TIMEOUT = 1.0


def _unreachable_errors() -> tuple[type[Exception], ...]:
    import redis.exceptions

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


class ResilientRedisCache(RedisCache):
    WARN_EVERY = 30.0

    def __init__(self, server, params):
        params = dict(params)
        options = dict(params.get("OPTIONS") or {})
        options.setdefault("socket_connect_timeout", CONNECT_TIMEOUT)
        options.setdefault("socket_timeout", READ_TIMEOUT)
        # One attempt per call: redis-py's retries would multiply the cost of a dead server.
        options.setdefault("retry_on_timeout", False)
        params["OPTIONS"] = options
        super().__init__(server, params)
        self._errors = _unreachable_errors()
        self._last_warning = 0.0

    def _down(self, operation: str, exc: Exception) -> None:
        now = time.monotonic()
        if now - self._last_warning >= self.WARN_EVERY:
            self._last_warning = now
            logger.warning("cache: Redis unreachable (%s: %s); serving without the cache", operation, exc)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().add(key, value, timeout, version)
        except self._errors as exc:
            self._down("add", exc)
            return False

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except self._errors as exc:
            self._down("get", exc)
            return default

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set(key, value, timeout, version)
        except self._errors as exc:
            self._down("set", exc)
            return None

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().touch(key, timeout, version)
        except self._errors as exc:
            self._down("touch", exc)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except self._errors as exc:
            self._down("delete", exc)
            return False

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except self._errors as exc:
            self._down("get_many", exc)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except self._errors as exc:
            self._down("has_key", exc)
            return False

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except self._errors as exc:
            self._down("incr", exc)
            raise ValueError(f"Key '{key}' not found (the cache is unreachable).") from None

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        try:
            return super().set_many(data, timeout, version)
        except self._errors as exc:
            self._down("set_many", exc)
            return list(data)

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except self._errors as exc:
            self._down("delete_many", exc)
            return None

    def clear(self):
        try:
            return super().clear()
        except self._errors as exc:
            self._down("clear", exc)
            return False
