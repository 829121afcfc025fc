"""Follows, preferences and the personal calendar's secret address: what the views, the API and
the admin call."""

import hashlib
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from notifications.models import Follow, Preferences
from paths.models import LearningPath
from resources.models import ConferenceSeries, Course, Status, Topic

#: What a reader may follow, by kind.
TARGETS = {"series": ConferenceSeries, "topic": Topic, "course": Course, "path": LearningPath}


def find_target(kind: str, slug: str):
    """The published item a reader may follow, or None."""
    model = TARGETS.get(kind)
    if model is None:
        return None
    items = model.objects.filter(slug=slug)
    if kind != "topic":
        items = items.filter(status=Status.PUBLISHED)
    return items.first()


def set_follow(user, kind: str, target, on: bool) -> bool:
    """Follow (``on``) or unfollow ``target``; True if anything changed. Idempotent and safe
    against a double click: the unique constraint decides."""
    if not on:
        return Follow.objects.filter(user=user, **{kind: target}).delete()[0] > 0
    try:
        with transaction.atomic():
            Follow.objects.create(user=user, **{kind: target})
    except IntegrityError:
        return False
    return True


def followed_series_ids(user) -> set[int]:
    return set(Follow.objects.filter(user=user, series__isnull=False).values_list("series_id", flat=True))


def followed_ids(user, kind: str) -> set[int]:
    return set(
        Follow.objects.filter(user=user, **{f"{kind}__isnull": False}).values_list(f"{kind}_id", flat=True)
    )


def preferences(user) -> Preferences:
    found, _created = Preferences.objects.get_or_create(user=user)
    return found


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_calendar_token(user) -> str:
    """A new secret for the reader's calendar address, replacing any earlier one (whose address
    then answers 404). Only its hash is stored: the token is shown this once."""
    token = secrets.token_urlsafe(24)
    prefs = preferences(user)
    prefs.calendar_token_hash, prefs.calendar_token_created = _hash(token), timezone.now()
    prefs.save(update_fields=["calendar_token_hash", "calendar_token_created"])
    return token


def revoke_calendar_token(user) -> None:
    Preferences.objects.filter(user=user).update(calendar_token_hash="", calendar_token_created=None)


def user_for_calendar_token(token: str):
    """The active reader whose calendar address holds ``token``, or None."""
    if not token or len(token) > 100:
        return None
    prefs = (
        Preferences.objects.select_related("user")
        .filter(calendar_token_hash=_hash(token), user__is_active=True)
        .first()
    )
    return prefs.user if prefs else None


def follows_of(user) -> list[Follow]:
    """The reader's follows with their items (one query)."""
    return list(Follow.objects.filter(user=user).select_related("series", "topic", "course", "path"))
