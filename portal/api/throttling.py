"""Request rates, counted in the default cache (local memory by default, Redis in production).

Scopes and their settings (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``, from the environment):
``anon`` and ``user`` for every request, ``write`` for POST/PUT/PATCH/DELETE on top of those,
and the per-client throttle that an app's own scope builds on (``tutorials.api.throttling``'s
``launch`` for the views that start a training run).

Every scope counts with atomic cache operations (:class:`AtomicRate`), so that several web
processes on one Redis give the same answers as one process would.
"""

import contextlib

from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle


class AtomicRate:
    """Counts requests with one atomic increment per request, never a read followed by a write.

    DRF's own throttles read a client's list of request times, append, and write it back: two
    processes that read the same list both let a request through, so N web processes could
    admit up to N times the rate. Here each client has a counter per window of the rate's length
    (``cache.add`` then ``cache.incr``: SET NX and INCR on Redis, under a lock in local memory);
    a request is let through when the previous window's count, weighted by the part of it still
    inside the sliding period, plus the current count stays within the rate. A refused request
    is taken back off the count (``decr``), so hammering a closed door does not keep it closed.
    While the cache is unreachable nothing is counted and requests pass (portal.cache).
    """

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window = int(self.now // self.duration)
        self.window_ends = (window + 1) * self.duration
        current = f"{self.key}:{window}"
        self.cache.add(current, 0, timeout=2 * self.duration + 1)
        try:
            count = self.cache.incr(current)
        except ValueError:  # expired between the two calls, or the cache is unreachable
            return True
        previous = self.cache.get(f"{self.key}:{window - 1}", 0)
        weight = 1 - (self.now - window * self.duration) / self.duration
        if previous * weight + count <= self.num_requests:
            return True
        with contextlib.suppress(ValueError):  # expired meanwhile, or the cache went away
            self.cache.decr(current)
        return self.throttle_failure()

    def wait(self):
        """Until the current window ends (at least a second), when the count starts to fade.

        A hint, like DRF's: a client that used the whole rate in one window is let in again as
        the previous window's weight falls, which may be some seconds later.
        """
        return max(1.0, self.window_ends - self.now)


class AnonThrottle(AtomicRate, AnonRateThrottle):
    scope = "anon"


class UserThrottle(AtomicRate, UserRateThrottle):
    """Signed-in users only; DRF's would also count anonymous clients, whom ``anon`` governs."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)


class _PerClientThrottle(AtomicRate, SimpleRateThrottle):
    """Counts per user when signed in, per address otherwise."""

    def client_ident(self, request) -> str:
        if request.user and request.user.is_authenticated:
            return f"user-{request.user.pk}"
        return f"addr-{self.get_ident(request)}"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.client_ident(request)}


class WriteThrottle(_PerClientThrottle):
    scope = "write"

    def allow_request(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)
