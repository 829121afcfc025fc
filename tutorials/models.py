"""Tutorials and the training runs that their demos start."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from resources.models import Bilingual, Book, Course, Paper, Status, Topic
from tutorials import demos
from tutorials.demos.base import ParamError, validate


class TutorialQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)


class Tutorial(Bilingual, models.Model):
    class Level(models.TextChoices):
        BEGINNER = "beginner", _("Beginner")
        INTERMEDIATE = "intermediate", _("Intermediate")
        ADVANCED = "advanced", _("Advanced")

    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    summary_zh = models.TextField(_("summary (Chinese)"), blank=True)
    body_en = models.TextField(_("body (English, Markdown)"), blank=True)
    body_zh = models.TextField(_("body (Chinese, Markdown)"), blank=True)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, default=Level.BEGINNER)
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True, related_name="tutorials")
    papers = models.ManyToManyField(Paper, verbose_name=_("papers"), blank=True, related_name="tutorials")
    books = models.ManyToManyField(Book, verbose_name=_("books"), blank=True, related_name="tutorials")
    courses = models.ManyToManyField(Course, verbose_name=_("courses"), blank=True, related_name="tutorials")
    demo = models.CharField(_("demo"), max_length=40, blank=True, help_text=_("the demo training it offers"))
    demo_defaults = models.JSONField(
        _("demo parameters"), default=dict, blank=True, help_text=_("overrides of the demo's defaults")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    featured = models.BooleanField(_("featured"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = TutorialQuerySet.as_manager()

    class Meta:
        ordering = ["position", "title_en"]
        verbose_name = _("tutorial")
        verbose_name_plural = _("tutorials")

    def __str__(self):
        return self.title_en

    def get_absolute_url(self):
        return reverse("tutorials:detail", args=[self.slug])

    @property
    def title(self) -> str:
        return self.localized("title")

    @property
    def summary(self) -> str:
        return self.localized("summary")

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.demo:
            if self.demo not in demos.DEMO_NAMES:
                raise ValidationError({"demo": _("Unknown demo %(name)s.") % {"name": self.demo}})
            try:
                validate(demos.get_params(self.demo), self.demo_defaults or {})
            except ParamError as exc:
                raise ValidationError(
                    {"demo_defaults": [f"{k}: {' '.join(v)}" for k, v in exc.errors.items()]}
                ) from None
        elif self.demo_defaults:
            raise ValidationError({"demo_defaults": _("Parameters need a demo.")})


class RunQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Public runs, and the user's own."""
        if user.is_authenticated:
            return self.filter(Q(is_public=True) | Q(owner=user))
        return self.filter(is_public=True)

    def active(self):
        return self.filter(status__in=TrainingRun.ACTIVE)

    def move(self, source, target: str, **fields) -> int:
        """Move the rows in status ``source`` (one status or several) to ``target`` with
        ``fields``, in one conditional UPDATE; the number of rows moved. Every status change of a
        run goes through here, and a move that ``TrainingRun.TRANSITIONS`` does not list is
        refused before any SQL runs."""
        sources = (source,) if isinstance(source, str) else tuple(source)
        illegal = [s for s in sources if target not in TrainingRun.TRANSITIONS.get(s, ())]
        if illegal:
            raise ValueError(f"a run cannot move from {', '.join(illegal)} to {target}")
        return self.filter(status__in=sources).update(status=target, **fields)


class TrainingRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    ACTIVE = (Status.QUEUED, Status.RUNNING)
    FINISHED = (Status.SUCCEEDED, Status.FAILED, Status.CANCELLED)
    #: Legal transitions: every status change goes through ``RunQuerySet.move``, which checks them.
    TRANSITIONS = {
        Status.QUEUED: {Status.RUNNING, Status.CANCELLED, Status.FAILED},
        # running → queued: a worker's warm shutdown hands the run back (services.requeue).
        Status.RUNNING: {Status.SUCCEEDED, Status.FAILED, Status.CANCELLED, Status.RUNNING, Status.QUEUED},
    }

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="training_runs",
    )
    tutorial = models.ForeignKey(
        Tutorial,
        verbose_name=_("tutorial"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="runs",
    )
    demo = models.CharField(_("demo"), max_length=40)
    params = models.JSONField(_("parameters"), default=dict)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    #: The Celery queue its task was sent to (tutorials.services.training_queue).
    queue = models.CharField(_("queue"), max_length=40, blank=True)
    progress = models.FloatField(_("progress"), default=0.0)
    step = models.PositiveIntegerField(_("step"), default=0)
    total_steps = models.PositiveIntegerField(_("total steps"), default=0)
    epoch = models.PositiveIntegerField(_("epoch"), default=0)
    metrics = models.JSONField(_("metric series"), default=list, blank=True)
    samples = models.JSONField(_("samples"), default=list, blank=True)
    final_metrics = models.JSONField(_("final metrics"), default=dict, blank=True)
    results = models.JSONField(_("results"), default=dict, blank=True)
    device = models.CharField(_("device"), max_length=40, blank=True)
    error = models.TextField(_("error"), blank=True)
    is_public = models.BooleanField(_("public"), default=False)
    share_token = models.CharField(_("share token"), max_length=43, unique=True, editable=False)
    cancel_requested = models.BooleanField(_("cancel requested"), default=False)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    worker = models.CharField(_("worker"), max_length=200, blank=True)
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects = RunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("training run")
        verbose_name_plural = _("training runs")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "succeeded", "failed", "cancelled"]),
                name="run_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=1), name="run_progress_range"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "heartbeat_at"], name="run_status_heartbeat_idx"),
            # A queued run's place in line: the queued runs of its queue created before it.
            models.Index(fields=["queue", "status", "created_at"], name="run_queue_line_idx"),
        ]

    def __str__(self):
        return f"{self.demo} {self.id} ({self.status})"

    def save(self, *args, **kwargs):
        if not self.share_token:
            self.share_token = secrets.token_urlsafe(32)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("tutorials:run-detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None
