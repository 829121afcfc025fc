"""A small fixed-window limit on form posts (log in, sign up, password reset), kept in the cache.

It slows down password guessing and mail bombing from one address; a reverse proxy in front may
add its own limits. Limits come from ``settings.ACCOUNTS_POST_LIMITS`` (scope → (posts, seconds)),
read on each request so that a test can change them.
"""

import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

DEFAULT_LIMITS = {
    "login": (20, 300),
    "signup": (10, 3600),
    "password_reset": (5, 900),
}


def limit_for(scope: str) -> tuple[int, int]:
    return {**DEFAULT_LIMITS, **getattr(settings, "ACCOUNTS_POST_LIMITS", {})}[scope]


def client_address(request) -> str:
    # X-Forwarded-For is not trusted: anyone can send it. Behind a proxy, every client shares
    # the proxy's address, so the proxy should carry the limits instead.
    return request.META.get("REMOTE_ADDR") or "unknown"


def hit(scope: str, address: str) -> tuple[bool, int]:
    """Count one post; returns (allowed, seconds until the window ends)."""
    limit, window = limit_for(scope)
    now = int(time.time())
    key = f"accounts:throttle:{scope}:{address}:{now // window}"
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add() and incr()
        cache.add(key, 1, timeout=window)
        count = 1
    return count <= limit, window - now % window


def throttle_posts(scope: str):
    """Answer 429 to POSTs beyond the scope's limit; GETs always pass."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method == "POST":
                allowed, retry_after = hit(scope, client_address(request))
                if not allowed:
                    context = {"retry_after": retry_after}
                    response = render(request, "accounts/throttled.html", context, status=429)
                    response["Retry-After"] = str(retry_after)
                    return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
