"""Reminders before followed deadlines and alerts when one moves, each delivered once.

``run(now)`` is one pass, what the beat job calls every few minutes:

1. plan: for every follower of a series (with reminders on and an address), each deadline of the
   series ahead within their furthest offset, and each offset whose moment has come, one
   ``Delivery`` row keyed "reminder:<deadline>:<days>" is inserted; for every recorded change to
   a followed deadline since the reader followed it, one "alert:<change>". Inserts ignore rows
   that exist, so two passes at once plan each message once. Of several offsets due at once
   (the system was down, or the reader followed late) only the nearest is sent; the others are
   logged as skipped.
2. send: each pending row is claimed by one conditional UPDATE (pending → sending), so only one
   pass sends it; the message goes out, then the row is marked sent. An SMTP server that refuses
   puts the row back to pending with its error, to be tried again after a backoff that doubles
   (2, 4, 8 … minutes, at most ``MAX_ATTEMPTS``). A row left "sending" by a pass that died is
   taken up again after ``LEASE``; the one case that can then repeat a message is a death between
   the server's acceptance and the mark, a window of one database write.

A reminder is sent late (marked so) when its moment passed more than ``GRACE`` ago while nothing
ran, and not at all once the deadline itself is past or its moment is more than ``LATE_LIMIT``
old.
"""

import datetime as dt
import logging
import smtplib
from collections import defaultdict

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.timesince import timeuntil

from notifications.models import DEFAULT_OFFSETS, Delivery, Follow, Preferences
from resources.models import Book, Community, Course, Deadline, DeadlineChange, Paper, Status

log = logging.getLogger(__name__)

GRACE = dt.timedelta(hours=1)
#: A reminder whose moment is older than this when a pass first sees it is not sent (logged as
#: skipped), and a change older than this is no news.
LATE_LIMIT = dt.timedelta(days=7)
LEASE = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 8
UNSUBSCRIBE_SALT = "notifications.unsubscribe"
#: What one unsubscribe link turns off.
SCOPES = {"reminders": "email_reminders", "alerts": "email_alerts", "digest": "weekly_digest"}
#: What a weekly digest lists: newly published items of these kinds, in the reader's topics.
DIGEST_MODELS = (Paper, Book, Course, Community)


def unsubscribe_token(user_id: int, scope: str) -> str:
    return signing.dumps({"u": user_id, "s": scope}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("s") not in SCOPES or not isinstance(data.get("u"), int):
        return None
    return data["u"], data["s"]


def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


# --- planning ------------------------------------------------------------------------------------


def _followers(series_ids):
    """(user id, series id, followed at, offsets or None, reminders on or None, alerts on or
    None) of every active follower with an e-mail address of these series (one query; no
    preferences row reads as the defaults)."""
    return (
        Follow.objects.filter(series_id__in=series_ids, user__is_active=True)
        .exclude(user__email="")
        .values_list(
            "user_id",
            "series_id",
            "created_at",
            "user__notification_preferences__reminder_offsets",
            "user__notification_preferences__email_reminders",
            "user__notification_preferences__email_alerts",
        )
    )


def plan(now: dt.datetime) -> int:
    """Insert the deliveries that are due; return how many rows this pass inserted or found.

    Only deadlines with a reminder moment in the last ``LATE_LIMIT`` (for any number of days
    before that some reader uses) and changes seen in that time are read, with the followers of
    their series: a pass reads what may be due now, not every follow.
    """
    offsets = set(DEFAULT_OFFSETS)
    for chosen in Preferences.objects.values_list("reminder_offsets", flat=True).distinct():
        offsets.update(chosen or ())
    window = Q()
    for days in offsets:
        window |= Q(at__gt=now - LATE_LIMIT + dt.timedelta(days=days), at__lte=now + dt.timedelta(days=days))
    published = {"edition__series__status": Status.PUBLISHED}
    deadlines = list(
        Deadline.objects.current()
        .filter(window, at__gt=now, **published)
        .values_list("pk", "edition__series_id", "at")
    )
    changes = list(
        DeadlineChange.objects.filter(
            seen_at__gt=now - LATE_LIMIT, seen_at__lte=now, **published
        ).values_list("pk", "edition__series_id", "seen_at")
    )
    series_ids = {d[1] for d in deadlines} | {c[1] for c in changes}
    if not series_ids:
        return 0
    by_series = defaultdict(list)
    for row in _followers(series_ids):
        by_series[row[1]].append(row)
    known = set(
        Delivery.objects.filter(
            Q(deadline_id__in=[d[0] for d in deadlines]) | Q(change_id__in=[c[0] for c in changes])
        ).values_list("user_id", "key")
    )
    rows = []
    for deadline_id, series_id, at in deadlines:
        for user_id, _series, followed_at, offsets, reminders_on, _alerts in by_series.get(series_id, ()):
            if reminders_on is False:
                continue
            due = sorted(
                (
                    d
                    for d in set(offsets if offsets is not None else DEFAULT_OFFSETS)
                    if at - dt.timedelta(days=d) <= now
                ),
            )
            for n, days in enumerate(due):
                key = f"reminder:{deadline_id}:{days}"
                if (user_id, key) in known:
                    continue
                moment = at - dt.timedelta(days=days)
                nearest = n == 0
                rows.append(
                    Delivery(
                        user_id=user_id,
                        kind=Delivery.Kind.REMINDER,
                        key=key,
                        deadline_id=deadline_id,
                        state=Delivery.State.PENDING if nearest else Delivery.State.SKIPPED,
                        late=nearest and moment >= followed_at and now - moment > GRACE,
                    )
                )
    for change_id, series_id, seen_at in changes:
        for user_id, _series, followed_at, _offsets, _reminders, alerts_on in by_series.get(series_id, ()):
            key = f"alert:{change_id}"
            if alerts_on is False or seen_at < followed_at or (user_id, key) in known:
                continue
            rows.append(Delivery(user_id=user_id, kind=Delivery.Kind.ALERT, key=key, change_id=change_id))
    # Another pass may insert the same rows at the same time: the unique constraint keeps one.
    Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(rows)


def digest_week(now: dt.datetime) -> tuple[dt.datetime, dt.datetime, str]:
    """The last whole ISO week (Monday to Monday, UTC) before ``now``, and its key."""
    monday = (now.astimezone(dt.UTC) - dt.timedelta(days=now.astimezone(dt.UTC).weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    start = monday - dt.timedelta(days=7)
    year, week, _day = start.isocalendar()
    return start, monday, f"digest:{year}-W{week:02d}"


def new_items(topic_ids, start: dt.datetime, end: dt.datetime) -> list:
    """Items published in [start, end) on these topics or their subtopics (one query a kind)."""
    found = []
    for model in DIGEST_MODELS:
        found += list(
            model.objects.published()
            .filter(published_at__gte=start, published_at__lt=end)
            .filter(Q(topics__in=topic_ids) | Q(topics__parent__in=topic_ids))
            .distinct()
            .order_by("-published_at", "pk")
            .defer("search_vector")
        )
    return found


def plan_digests(now: dt.datetime) -> int:
    """One digest per reader and week, for readers following a topic in which something was
    published that week."""
    start, end, key = digest_week(now)
    readers = defaultdict(set)
    for user_id, topic_id in (
        Follow.objects.filter(topic__isnull=False, user__is_active=True)
        .exclude(user__email="")
        .exclude(user__notification_preferences__weekly_digest=False)
        .values_list("user_id", "topic_id")
    ):
        readers[user_id].add(topic_id)
    if not readers:
        return 0
    touched = set()
    for model in DIGEST_MODELS:
        relation = model.topics.through
        owner = f"{model._meta.model_name}__"
        rows = relation.objects.filter(
            **{
                f"{owner}status": Status.PUBLISHED,
                f"{owner}published_at__gte": start,
                f"{owner}published_at__lt": end,
            }
        ).values_list("topic_id", "topic__parent_id")
        for topic_id, parent_id in rows:
            touched.add(topic_id)
            if parent_id:
                touched.add(parent_id)
    done = set(Delivery.objects.filter(key=key).values_list("user_id", flat=True))
    rows = [
        Delivery(user_id=user_id, kind=Delivery.Kind.DIGEST, key=key)
        for user_id, topics in readers.items()
        if topics & touched and user_id not in done
    ]
    Delivery.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    return len(rows)


# --- sending -------------------------------------------------------------------------------------


def _claim(delivery_id: int, now: dt.datetime) -> bool:
    return (
        Delivery.objects.filter(pk=delivery_id)
        .filter(Q(state=Delivery.State.PENDING) | Q(state=Delivery.State.SENDING, claimed_at__lt=now - LEASE))
        .update(state=Delivery.State.SENDING, claimed_at=now, attempts=F("attempts") + 1)
        == 1
    )


def _ready(now: dt.datetime) -> list[int]:
    """Pending rows whose backoff is over, and rows a dead pass left sending."""
    candidates = Delivery.objects.filter(
        Q(state=Delivery.State.PENDING) | Q(state=Delivery.State.SENDING, claimed_at__lt=now - LEASE)
    ).values_list("pk", "attempts", "claimed_at")
    ready = []
    for pk, attempts, claimed_at in candidates:
        if attempts == 0 or claimed_at is None or now >= claimed_at + dt.timedelta(minutes=2**attempts):
            ready.append(pk)
    return ready


def message_for(delivery: Delivery, now: dt.datetime) -> EmailMultiAlternatives | None:
    """The e-mail of a delivery in the reader's language and time zone; None when there is no
    longer anything to say (the deadline passed or was withdrawn, the follow was removed)."""
    user = delivery.user
    prefs = getattr(user, "notification_preferences", None)
    language = prefs.language if prefs else settings.LANGUAGE_CODE
    zone = prefs.zone if prefs else dt.UTC
    series = None
    if delivery.kind == Delivery.Kind.DIGEST:
        start, end, _key = digest_week(delivery.created_at)
        topics = list(user.follows.filter(topic__isnull=False).values_list("topic_id", flat=True))
        items = new_items(topics, start, end)
        if not items:
            return None
        scope = "digest"
        context = {
            "items": [(item._meta.verbose_name, str(item), _site(item.get_absolute_url())) for item in items],
            "week_start": start.date(),
            "week_end": (end - dt.timedelta(days=1)).date(),
        }
    elif delivery.kind == Delivery.Kind.REMINDER:
        deadline = delivery.deadline
        if deadline is None or deadline.withdrawn_at is not None or deadline.at is None or deadline.at <= now:
            return None
        series = deadline.edition.series
        scope = "reminders"
        context = {"deadline": deadline}
    else:
        change = delivery.change
        if change is None:
            return None
        series = change.edition.series
        scope = "alerts"
        context = {"change": change}
    if series is not None and not Follow.objects.filter(user=user, series=series).exists():
        return None
    unsubscribe = _site(reverse("notifications:unsubscribe", args=[unsubscribe_token(user.pk, scope)]))
    context.update(
        user=user,
        series=series,
        late=delivery.late,
        zone=zone,
        zone_name=str(getattr(zone, "key", "UTC")),
        unsubscribe_url=unsubscribe,
        settings_url=_site(reverse("notifications:settings")),
        page_url=_site(series.get_absolute_url() if series else reverse("home")),
        site_url=settings.SITE_URL.rstrip("/"),
    )
    context["LANGUAGE_CODE"] = language
    with translation.override(language), timezone.override(zone):
        if delivery.kind == Delivery.Kind.REMINDER:
            context["left_text"] = timeuntil(context["deadline"].at, now, depth=2)
        subject = " ".join(
            render_to_string(f"notifications/email/{delivery.kind}_subject.txt", context).split()
        )
        text = render_to_string(f"notifications/email/{delivery.kind}.txt", context)
        html = render_to_string(f"notifications/email/{delivery.kind}.html", context)
    message = EmailMultiAlternatives(
        subject,
        text,
        to=[user.email],
        headers={
            # RFC 8058: a one-click unsubscribe that a mail client may POST without the reader.
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(html, "text/html")
    return message


def send(delivery_id: int, now: dt.datetime, connection=None) -> str:
    """Claim, send and mark one delivery; returns its new state, or "taken"."""
    if not _claim(delivery_id, now):
        return "taken"
    delivery = Delivery.objects.select_related(
        "user__notification_preferences", "deadline__edition__series", "change__edition__series"
    ).get(pk=delivery_id)
    message = message_for(delivery, now)
    if message is None:
        Delivery.objects.filter(pk=delivery_id).update(state=Delivery.State.SKIPPED)
        return Delivery.State.SKIPPED
    try:
        message.connection = connection
        message.send()
    except (smtplib.SMTPException, OSError) as exc:
        state = Delivery.State.FAILED if delivery.attempts >= MAX_ATTEMPTS else Delivery.State.PENDING
        Delivery.objects.filter(pk=delivery_id).update(state=state, error=str(exc)[:500])
        log.warning("delivery %s: attempt %s failed: %s", delivery_id, delivery.attempts, exc)
        return state
    Delivery.objects.filter(pk=delivery_id).update(
        state=Delivery.State.SENT, sent_at=timezone.now(), error=""
    )
    return Delivery.State.SENT


def run(now: dt.datetime | None = None) -> dict[str, int]:
    """One pass: plan what is due, send what is ready. Returns counts by outcome."""
    now = now or timezone.now()
    planned = plan(now) + plan_digests(now)
    return {"planned": planned, **send_ready(now)}


def send_ready(now: dt.datetime) -> dict[str, int]:
    """Send every delivery that is ready (one connection to the server); counts by outcome."""
    outcomes: dict[str, int] = defaultdict(int)
    ready = _ready(now)
    if ready:
        connection = get_connection(fail_silently=False)
        for delivery_id in ready:
            outcomes[send(delivery_id, now, connection)] += 1
    return dict(outcomes)
