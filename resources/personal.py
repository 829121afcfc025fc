"""What the catalogue may know of a reader, filled in by the apps that keep it.

``resources`` imports no other app of ours, yet its deadline pages put the series a reader
follows first. An app that keeps follows registers a function here (in its ``AppConfig.ready``);
the catalogue's views ask through ``followed_series`` and get an empty set when nobody answers.
"""

from collections.abc import Callable

_followed_series: list[Callable] = []


def register_followed_series(provider: Callable) -> None:
    """``provider(user) -> set of ConferenceSeries ids`` the user follows."""
    if provider not in _followed_series:
        _followed_series.append(provider)


def followed_series(request) -> frozenset[int]:
    """The ids of the series the signed-in reader follows (read once per request)."""
    cached = getattr(request, "_followed_series", None)
    if cached is not None:
        return cached
    user = getattr(request, "user", None)
    ids: set[int] = set()
    if user is not None and user.is_authenticated:
        for provider in _followed_series:
            ids |= set(provider(user))
    request._followed_series = frozenset(ids)
    return request._followed_series
