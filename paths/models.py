"""Learning paths: ordered steps through the catalogue and the tutorials, and each learner's progress.

A step points at exactly one thing: a course, book, paper, community, conference series,
tutorial, or an outside address. The database holds that rule (a check constraint) and
``Step.clean()`` says it in words. Prerequisites (between steps of one path, and between
paths) must not form a cycle; ``paths.graph.check_acyclic`` is the one check the admin and the
API both run, since a many-to-many edge is not seen by ``clean()``.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from resources import validators
from resources.models import Bilingual, Book, Community, ConferenceSeries, Course, Paper, Status, Topic
from tutorials.models import Tutorial

#: The step fields that point at an item of the site, in the order a step names them.
TARGET_FIELDS = ("course", "book", "paper", "community", "conference", "tutorial")
KIND_LABELS = {
    "course": _("Course"),
    "book": _("Book"),
    "paper": _("Paper"),
    "community": _("Community"),
    "conference": _("Conference"),
    "tutorial": _("Tutorial"),
    "link": _("Link"),
}


class Level(models.TextChoices):
    BEGINNER = "beginner", _("Beginner")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")


class PathQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)


class LearningPath(Bilingual, models.Model):
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    summary_zh = models.TextField(_("summary (Chinese)"), blank=True)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, default=Level.BEGINNER)
    topics = models.ManyToManyField(
        Topic, verbose_name=_("topics"), blank=True, related_name="learning_paths"
    )
    estimated_hours = models.PositiveSmallIntegerField(_("estimated hours"), default=0)
    prerequisites = models.ManyToManyField(
        "self",
        verbose_name=_("prerequisite paths"),
        symmetrical=False,
        blank=True,
        related_name="unlocks",
        help_text=_("Paths to finish first. They must not form a cycle."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PathQuerySet.as_manager()

    class Meta:
        ordering = ["position", "title_en"]
        verbose_name = _("learning path")
        verbose_name_plural = _("learning paths")
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=["beginner", "intermediate", "advanced"]), name="path_level_valid"
            ),
            models.CheckConstraint(condition=Q(status__in=["draft", "published"]), name="path_status_valid"),
        ]

    def __str__(self):
        return self.title_en

    def get_absolute_url(self):
        return reverse("paths:detail", args=[self.slug])

    @property
    def title(self) -> str:
        return self.localized("title")

    @property
    def summary(self) -> str:
        return self.localized("summary")


def _exactly_one_target() -> Q:
    """Exactly one of the target foreign keys or the outside address is set."""
    alternatives = Q()
    for chosen in (*TARGET_FIELDS, "external_url"):
        terms = {f"{name}__isnull": name != chosen for name in TARGET_FIELDS}
        condition = Q(**terms)
        condition &= ~Q(external_url="") if chosen == "external_url" else Q(external_url="")
        alternatives |= condition
    return alternatives


class Step(Bilingual, models.Model):
    path = models.ForeignKey(
        LearningPath, verbose_name=_("path"), on_delete=models.CASCADE, related_name="steps"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # PROTECT: an item a path leads through cannot vanish from under it unnoticed.
    course = models.ForeignKey(
        Course, verbose_name=_("course"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    book = models.ForeignKey(
        Book, verbose_name=_("book"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    paper = models.ForeignKey(
        Paper, verbose_name=_("paper"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(
        Community,
        verbose_name=_("community"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    conference = models.ForeignKey(
        ConferenceSeries,
        verbose_name=_("conference series"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    tutorial = models.ForeignKey(
        Tutorial,
        verbose_name=_("tutorial"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="path_steps",
    )
    external_url = models.URLField(_("outside address"), blank=True, validators=[validators.validate_web_url])
    title_en = models.CharField(
        _("title (English)"),
        max_length=200,
        blank=True,
        help_text=_("Needed for an outside address; otherwise the item's own title is shown."),
    )
    title_zh = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    why_en = models.TextField(_("why this step (English)"), blank=True)
    why_zh = models.TextField(_("why this step (Chinese)"), blank=True)
    estimated_hours = models.PositiveSmallIntegerField(_("estimated hours"), default=1)
    required = models.BooleanField(_("required"), default=True)
    prerequisites = models.ManyToManyField(
        "self",
        verbose_name=_("prerequisite steps"),
        symmetrical=False,
        blank=True,
        related_name="unlocks",
        help_text=_("Steps of the same path to take first. They must not form a cycle."),
    )

    class Meta:
        ordering = ["path", "position", "id"]
        verbose_name = _("step")
        verbose_name_plural = _("steps")
        constraints = [
            models.CheckConstraint(condition=_exactly_one_target(), name="step_exactly_one_target"),
            models.UniqueConstraint(fields=["path", "position"], name="step_unique_position"),
        ]

    def __str__(self):
        return f"{self.position}. {self.label_en}"

    @property
    def target(self):
        """The item the step points at, or None for an outside address."""
        for name in TARGET_FIELDS:
            if getattr(self, f"{name}_id") is not None:
                return getattr(self, name)
        return None

    @property
    def kind(self) -> str:
        for name in TARGET_FIELDS:
            if getattr(self, f"{name}_id") is not None:
                return name
        return "link"

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS[self.kind])

    @property
    def label_en(self) -> str:
        if self.title_en:
            return self.title_en
        target = self.target
        if isinstance(target, Tutorial):
            return target.title_en
        return str(target) if target is not None else self.external_url

    @property
    def title(self) -> str:
        """The step's own title in the active language, else the item's."""
        own = self.localized("title")
        if own:
            return own
        target = self.target
        if isinstance(target, Tutorial):
            return target.title
        return str(target) if target is not None else self.external_url

    @property
    def why(self) -> str:
        return self.localized("why")

    @property
    def target_published(self) -> bool:
        target = self.target
        return target is None or target.status == Status.PUBLISHED

    @property
    def url(self) -> str:
        target = self.target
        return target.get_absolute_url() if target is not None else self.external_url

    def clean(self):
        chosen = [name for name in TARGET_FIELDS if getattr(self, f"{name}_id") is not None]
        if self.external_url:
            chosen.append("external_url")
        if not chosen:
            raise ValidationError(
                _(
                    "Point the step at one item (a course, book, paper, community, conference or "
                    "tutorial) or at an outside address."
                )
            )
        if len(chosen) > 1:
            message = _("A step points at one thing only; clear all but one of these fields.")
            raise ValidationError(dict.fromkeys(chosen, message))
        if self.external_url and not self.title_en:
            raise ValidationError({"title_en": _("A step with an outside address needs a title.")})


class Progress(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    LEARNING = "learning", _("Learning")
    DONE = "done", _("Done")
    SKIPPED = "skipped", _("Skipped")


class StepProgress(models.Model):
    """One learner's state on one step, with a note only they see."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="step_progress",
    )
    step = models.ForeignKey(Step, verbose_name=_("step"), on_delete=models.CASCADE, related_name="progress")
    state = models.CharField(
        _("state"), max_length=12, choices=Progress.choices, default=Progress.NOT_STARTED
    )
    note = models.TextField(_("note"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = _("step progress")
        verbose_name_plural = _("step progress")
        constraints = [
            models.UniqueConstraint(fields=["user", "step"], name="progress_unique_user_step"),
            models.CheckConstraint(
                condition=Q(state__in=["not_started", "learning", "done", "skipped"]),
                name="progress_state_valid",
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.step_id}: {self.state}"


class QuizQuestion(Bilingual, models.Model):
    """A multiple-choice question at the end of a tutorial; exactly one of its choices is right.

    Passing the tutorial's quiz (every answer right) marks done the learner's steps on that
    tutorial. The right answer is read only when grading: the question page never carries it.
    """

    tutorial = models.ForeignKey(
        Tutorial, verbose_name=_("tutorial"), on_delete=models.CASCADE, related_name="quiz_questions"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text_en = models.TextField(_("question (English)"))
    text_zh = models.TextField(_("question (Chinese)"))

    class Meta:
        ordering = ["tutorial", "position", "id"]
        verbose_name = _("quiz question")
        verbose_name_plural = _("quiz questions")
        constraints = [
            models.UniqueConstraint(fields=["tutorial", "position"], name="quiz_question_unique_position")
        ]

    def __str__(self):
        return f"{self.tutorial.slug} #{self.position}: {self.text_en[:60]}"

    @property
    def text(self) -> str:
        return self.localized("text")


class QuizChoice(Bilingual, models.Model):
    question = models.ForeignKey(
        QuizQuestion, verbose_name=_("question"), on_delete=models.CASCADE, related_name="choices"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    text_en = models.CharField(_("answer (English)"), max_length=300)
    text_zh = models.CharField(_("answer (Chinese)"), max_length=300)
    correct = models.BooleanField(_("correct"), default=False)

    class Meta:
        ordering = ["question", "position", "id"]
        verbose_name = _("quiz answer")
        verbose_name_plural = _("quiz answers")
        constraints = [
            models.UniqueConstraint(fields=["question", "position"], name="quiz_choice_unique_position"),
            # At most one right answer per question; "at least one" is checked where choices are written.
            models.UniqueConstraint(
                fields=["question"], condition=Q(correct=True), name="quiz_choice_one_correct"
            ),
        ]

    def __str__(self):
        return self.text_en

    @property
    def text(self) -> str:
        return self.localized("text")


class StudyPlan(models.Model):
    """A learner's plan to finish a path by a deadline (or a date) at so many hours a week; the
    dates are computed when read (``paths.planning``), from the learner's progress."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="study_plans"
    )
    path = models.ForeignKey(
        LearningPath, verbose_name=_("learning path"), on_delete=models.CASCADE, related_name="study_plans"
    )
    deadline = models.ForeignKey(
        "resources.Deadline",
        verbose_name=_("deadline"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("plan backwards from this deadline; it follows the deadline if it moves"),
    )
    finish_by = models.DateField(_("finish by"), null=True, blank=True, help_text=_("or from this date"))
    hours_per_week = models.PositiveSmallIntegerField(_("hours a week"), default=5)
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True, default="UTC")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("study plan")
        verbose_name_plural = _("study plans")
        constraints = [
            models.UniqueConstraint(fields=["user", "path"], name="study_plan_one_per_path"),
            models.CheckConstraint(
                condition=Q(hours_per_week__gte=1) & Q(hours_per_week__lte=80), name="study_plan_hours_range"
            ),
        ]

    def __str__(self):
        return f"{self.user} · {self.path}"
