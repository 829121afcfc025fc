"""What the catalogue may know of a reader, filled in by the apps that keep it.

``resources`` imports no other app of ours, yet its deadline pages put the series a reader
follows first. An app that keeps follows registers a function here (in its ``AppConfig.ready``);
the catalogue's views ask through ``followed_series`` and get an empty set when nobody answers.
"""

import logging
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


_recommenders: list[Callable] = []


def register_recommendations(provider: Callable) -> None:
    """``provider(user) -> list of objects with kind, item, reason``: the home page's "For you"."""
    if provider not in _recommenders:
        _recommenders.append(provider)


def recommendations(request) -> list:
    """What the registered recommender picks for the signed-in reader; [] for anyone else, when
    none is registered, or when it fails (the home page must not)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    found = []
    for provider in _recommenders:
        try:
            found += provider(user)
        except Exception:
            logging.getLogger(__name__).warning("recommendations failed", exc_info=True)
    return found
