"""A Redis cache that degrades to "no cache" while Redis is unreachable.

Django's own RedisCache raises on every connection error, so a stopped Redis would turn every
page that reads a cached count, every API request (throttle counters) and every login form
(post limits) into a 500. This backend treats a connection or timeout error as a miss: reads
return their default, writes do nothing, ``add`` reports that nothing was stored and ``incr``
raises ``ValueError`` as for a missing key. A warning is logged at most once per
``WARN_EVERY`` seconds. The socket timeouts are short and, after a failure, calls skip Redis
for ``RETRY_AFTER`` seconds, so a dead Redis costs microseconds per call and a hung one one
timeout a second. Once Redis answers again, the next try uses it; nothing needs a restart.

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
    #: Seconds between warnings while Redis stays unreachable.
    WARN_EVERY = 30.0
    #: After a failure, calls answer as misses without trying Redis for this long (per thread),
    #: so that a Redis that hangs costs one socket timeout per interval, not one per call.
    RETRY_AFTER = 1.0

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
        self._last_warning = -self.WARN_EVERY
        self._skip_until = 0.0

    def _try(self, method, miss, *args):
        """RedisCache's ``method``, or ``miss()`` when Redis is unreachable (or failed just before)."""
        now = time.monotonic()
        if now < self._skip_until:
            return miss()
        try:
            return method(self, *args)
        except self._errors as exc:
            now = time.monotonic()
            self._skip_until = now + self.RETRY_AFTER
            if now - self._last_warning >= self.WARN_EVERY:
                self._last_warning = now
                logger.warning(
                    "cache: Redis unreachable (%s: %s); serving without the cache", method.__name__, exc
                )
            return miss()

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try(RedisCache.add, _false, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._try(RedisCache.get, lambda: default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try(RedisCache.set, _none, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try(RedisCache.touch, _false, key, timeout, version)

    def delete(self, key, version=None):
        return self._try(RedisCache.delete, _false, key, version)

    def get_many(self, keys, version=None):
        return self._try(RedisCache.get_many, dict, keys, version)

    def has_key(self, key, version=None):
        return self._try(RedisCache.has_key, _false, key, version)

    def incr(self, key, delta=1, version=None):
        def missing():
            raise ValueError(f"Key '{key}' not found (the cache is unreachable).")

        return self._try(RedisCache.incr, missing, key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._try(RedisCache.set_many, lambda: list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        return self._try(RedisCache.delete_many, _none, keys, version)

    def clear(self):
        return self._try(RedisCache.clear, _false)


def _false() -> bool:
    return False


def _none() -> None:
    return None
