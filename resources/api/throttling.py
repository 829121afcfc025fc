"""Request rates, counted in the default cache (local memory by default, Redis in production).

Scopes and their settings (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``, from the environment):
``anon`` and ``user`` for every request, ``write`` for POST/PUT/PATCH/DELETE on top of those,
``launch`` for views that start work on the worker (tutorials add it to their launch view with
``throttle_classes = [*api_settings.DEFAULT_THROTTLE_CLASSES, LaunchThrottle]``).
"""

from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle


class AnonThrottle(AnonRateThrottle):
    scope = "anon"


class UserThrottle(UserRateThrottle):
    """Signed-in users only; DRF's would also count anonymous clients, whom ``anon`` governs."""

    scope = "user"

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)


class _PerClientThrottle(SimpleRateThrottle):
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


class LaunchThrottle(WriteThrottle):
    """For views that start a training run; reads are not counted."""

    scope = "launch"
