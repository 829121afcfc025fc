"""What a reader follows, how they want to hear about it, and the log of every message sent.

A ``Delivery`` row exists once per (user, key): the key names what the message is about
("reminder:<deadline id>:<days before>", "alert:<change id>"). The row is created before the
message is sent and marked after, under a unique constraint, so that however often the jobs run
and however many run at once, a message goes out once.
"""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from paths.models import LearningPath
from resources.models import ConferenceSeries, Course, Deadline, DeadlineChange, Topic

DEFAULT_OFFSETS = [30, 7, 1]
MAX_OFFSET_DAYS = 365


#: What a reader may follow, by the name the API and forms use (and the foreign key's).
FOLLOW_KINDS = ("series", "topic", "course", "path")


def _exactly_one_of(names) -> Q:
    """Exactly one of the foreign keys ``names`` is set."""
    condition = Q()
    for chosen in names:
        condition |= Q(**{f"{name}__isnull": name != chosen for name in names})
    return condition


class Follow(models.Model):
    """A star on a conference series, a topic, a course or a learning path."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="follows"
    )
    series = models.ForeignKey(
        ConferenceSeries,
        verbose_name=_("conference series"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="followers",
    )
    topic = models.ForeignKey(
        Topic,
        verbose_name=_("topic"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="followers",
    )
    course = models.ForeignKey(
        Course,
        verbose_name=_("course"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="followers",
    )
    path = models.ForeignKey(
        LearningPath,
        verbose_name=_("learning path"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="followers",
    )
    created_at = models.DateTimeField(_("followed"), auto_now_add=True)

    #: The kinds a reader may follow, by the name the API and forms use.
    KINDS = FOLLOW_KINDS

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.CheckConstraint(condition=_exactly_one_of(FOLLOW_KINDS), name="follow_exactly_one_target"),
            models.UniqueConstraint(fields=["user", "series"], name="follow_unique_series"),
            models.UniqueConstraint(fields=["user", "topic"], name="follow_unique_topic"),
            models.UniqueConstraint(fields=["user", "course"], name="follow_unique_course"),
            models.UniqueConstraint(fields=["user", "path"], name="follow_unique_path"),
        ]

    def __str__(self):
        return f"{self.user} ★ {self.target}"

    @property
    def kind(self) -> str:
        return next(k for k in self.KINDS if getattr(self, f"{k}_id") is not None)

    @property
    def target(self):
        return getattr(self, self.kind)


def validate_time_zone(value: str) -> None:
    if value and value not in zoneinfo.available_timezones():
        raise ValidationError(
            _("“%(value)s” is not a time zone (write e.g. Asia/Shanghai)."), params={"value": value}
        )


def validate_offsets(value) -> None:
    if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise ValidationError(_("Write whole numbers of days."))
    if any(v < 0 or v > MAX_OFFSET_DAYS for v in value):
        raise ValidationError(
            _("Each reminder is 0 to %(max)s days before."), params={"max": MAX_OFFSET_DAYS}
        )
    if len(value) > 10:
        raise ValidationError(_("At most ten reminders per deadline."))


def default_offsets():
    return list(DEFAULT_OFFSETS)


class Preferences(models.Model):
    """How a reader hears about what they follow."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="en")
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_("e.g. Asia/Shanghai"),
    )
    reminder_offsets = models.JSONField(
        _("reminders (days before)"), default=default_offsets, validators=[validate_offsets]
    )
    email_reminders = models.BooleanField(_("e-mail reminders before followed deadlines"), default=True)
    email_alerts = models.BooleanField(
        _("e-mail when a followed deadline moves or is withdrawn"), default=True
    )
    weekly_digest = models.BooleanField(_("a weekly e-mail of new items in followed topics"), default=True)
    #: SHA-256 of the personal calendar's secret token; empty when there is no feed.
    calendar_token_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    calendar_token_created = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("notification preferences")
        verbose_name_plural = _("notification preferences")

    def __str__(self):
        return str(self.user)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone or "UTC")


class Delivery(models.Model):
    """One message to one reader, claimed before it is sent and marked once it is."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", _("Reminder")
        ALERT = "alert", _("Change alert")
        DIGEST = "digest", _("Weekly digest")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="deliveries"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    key = models.CharField(_("about"), max_length=80)
    deadline = models.ForeignKey(
        Deadline,
        verbose_name=_("deadline"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    change = models.ForeignKey(
        DeadlineChange,
        verbose_name=_("change"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.PENDING)
    late = models.BooleanField(_("sent late"), default=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("planned"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("claimed"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="delivery_once_per_user_key")]
        indexes = [models.Index(fields=["state", "claimed_at"], name="delivery_state_idx")]

    def __str__(self):
        return f"{self.user} {self.key} ({self.state})"
