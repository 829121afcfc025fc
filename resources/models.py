"""The catalogue: topics, conferences (series, editions, deadlines, acceptance rates), courses,
books, papers and communities.

Validation lives in ``clean()`` and in ``resources.validators``; the database backs the rules
that must hold whatever path writes a row (unique keys, check constraints).
"""

import re

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from resources import validators


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class CatalogueQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)


class Bilingual:
    """Pick the English or Chinese text of a field for the active language, with a fallback."""

    def localized(self, field: str) -> str:
        english = getattr(self, f"{field}_en", "") or ""
        chinese = getattr(self, f"{field}_zh", "") or ""
        if (get_language() or "en").lower().startswith("zh"):
            return chinese or english
        return english or chinese

    @property
    def description(self) -> str:
        return self.localized("description")


class Topic(Bilingual, models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_zh = models.CharField(_("name (Chinese)"), max_length=120, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    description_en = models.TextField(_("description (English)"), blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name_en"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self):
        return self.name_en

    def get_absolute_url(self):
        return reverse("resources:topic-detail", args=[self.slug])

    @property
    def name(self) -> str:
        return self.localized("name")

    def clean(self):
        ancestor = self.parent
        while ancestor is not None:
            if ancestor.pk == self.pk and self.pk is not None:
                raise ValidationError({"parent": _("A topic cannot be its own ancestor.")})
            ancestor = ancestor.parent


class CatalogueItem(Bilingual, models.Model):
    """Fields every public item shares: slug, status, bilingual description, timestamps.

    Each subclass declares its own ``topics`` so that a topic reaches them by a plain name
    (``topic.papers``, ``topic.books``, ...).
    """

    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_zh = models.TextField(_("description (Chinese)"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # Kept current by a PostgreSQL trigger (migration 0003), so that bulk_create, bulk_update,
    # COPY and raw SQL all keep it right; unused (always NULL) on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)

    objects = CatalogueQuerySet.as_manager()

    #: The URL name of the detail page; set by each subclass.
    detail_url_name = ""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_slug(type(self), self.slug_source(), exclude_pk=self.pk)
        if self.status == Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse(self.detail_url_name, args=[self.slug])

    def slug_source(self) -> str:
        return str(self)


def unique_slug(model, text: str, exclude_pk=None, max_length: int = 120) -> str:
    base = (slugify(text, allow_unicode=False) or model._meta.model_name)[: max_length - 6].strip("-")
    slug, n = base, 2
    while model._default_manager.filter(slug=slug).exclude(pk=exclude_pk).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


class ConferenceSeries(CatalogueItem):
    class Kind(models.TextChoices):
        ACADEMIC = "academic", _("Academic")
        INDUSTRY = "industry", _("Industry")

    class CCFRank(models.TextChoices):
        A = "A", "CCF A"
        B = "B", "CCF B"
        C = "C", "CCF C"
        NONE = "", _("Not ranked")

    class CoreRank(models.TextChoices):
        A_STAR = "A*", "CORE A*"
        A = "A", "CORE A"
        B = "B", "CORE B"
        C = "C", "CORE C"
        NONE = "", _("Not ranked")

    class THCPLRank(models.TextChoices):
        A = "A", "THCPL A"
        B = "B", "THCPL B"
        NONE = "", _("Not ranked")

    # Not unique: two real conferences share "SEC" (Edge Computing, IFIP SEC); the slug tells them apart.
    short_name = models.CharField(_("short name"), max_length=40)
    full_name = models.CharField(_("full name"), max_length=255, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ACADEMIC)
    field = models.CharField(_("field"), max_length=20, blank=True, help_text=_("e.g. AI, CV, NLP"))
    ccf_rank = models.CharField(_("CCF rank"), max_length=2, choices=CCFRank.choices, blank=True)
    core_rank = models.CharField(_("CORE rank"), max_length=2, choices=CoreRank.choices, blank=True)
    thcpl_rank = models.CharField(_("THCPL rank"), max_length=2, choices=THCPLRank.choices, blank=True)
    h5_index = models.PositiveIntegerField(_("h5-index"), null=True, blank=True)
    dblp_key = models.CharField(_("DBLP key"), max_length=80, blank=True, help_text=_("e.g. conf/nips"))
    homepage = models.URLField(_("homepage"), blank=True, validators=[validators.validate_web_url])
    topics = models.ManyToManyField(
        Topic, verbose_name=_("topics"), blank=True, related_name="conference_series"
    )
    # What each data set calls this series: the importers find it again by these first.
    ccf_key = models.CharField(
        _("ccf-deadlines key"), max_length=120, blank=True, help_text=_("field/name, e.g. SC/asiaccs")
    )
    hf_key = models.CharField(_("ai-deadlines key"), max_length=120, blank=True, help_text=_("e.g. neurips"))

    detail_url_name = "resources:conference-detail"

    class Meta:
        ordering = ["short_name"]
        verbose_name = _("conference series")
        verbose_name_plural = _("conference series")
        constraints = [
            models.CheckConstraint(
                condition=Q(ccf_rank__in=["", "A", "B", "C"]), name="series_ccf_rank_valid"
            ),
            models.CheckConstraint(
                condition=Q(core_rank__in=["", "A*", "A", "B", "C"]), name="series_core_rank_valid"
            ),
            models.CheckConstraint(
                condition=Q(thcpl_rank__in=["", "A", "B"]), name="series_thcpl_rank_valid"
            ),
            models.UniqueConstraint(
                fields=["ccf_key"], condition=~Q(ccf_key=""), name="series_unique_ccf_key"
            ),
            models.UniqueConstraint(fields=["hf_key"], condition=~Q(hf_key=""), name="series_unique_hf_key"),
        ]

    def __str__(self):
        return self.short_name


class SeriesAlias(models.Model):
    """A curated name for a conference series, so that two sources' names meet: a society prefix
    (USENIX ATC / SIGOPS ATC) or a joint event (UbiComp / UbiComp/ISWC).

    The importers compare names loosely (case, spaces, punctuation and a leading IEEE/ACM
    ignored); an alias makes ``alias`` read as ``name``. Without one, a name two series share
    matches neither, and the claim is reported.
    """

    alias = models.CharField(_("alias"), max_length=120)
    key = models.CharField(_("key"), max_length=120, unique=True, editable=False)
    name = models.CharField(
        _("reads as"), max_length=120, help_text=_("the series' name in the other source")
    )
    note = models.CharField(_("why"), max_length=255, blank=True)

    class Meta:
        ordering = ["alias"]
        verbose_name = _("conference name alias")
        verbose_name_plural = _("conference name aliases")

    def __str__(self):
        return f"{self.alias} → {self.name}"

    def save(self, *args, **kwargs):
        self.key = name_key(self.alias)
        super().save(*args, **kwargs)

    def clean(self):
        if not name_key(self.alias):
            raise ValidationError({"alias": _("The alias needs letters or digits.")})
        if name_key(self.alias) == name_key(self.name):
            raise ValidationError({"name": _("An alias must differ from the name it reads as.")})
        if SeriesAlias.objects.filter(key=name_key(self.alias)).exclude(pk=self.pk).exists():
            raise ValidationError({"alias": _("This alias is already listed.")})


_ORG_PREFIX = re.compile(r"^(?:IEEE|ACM)[\s/-]+", re.IGNORECASE)


def name_key(name: str) -> str:
    """A conference name compared loosely: ``IEEE CEC`` and ``cec`` are one name."""
    return re.sub(r"[^0-9a-z]", "", _ORG_PREFIX.sub("", (name or "").strip()).lower())


class EditionQuerySet(models.QuerySet):
    def published(self):
        """The editions of published series (an edition has no status of its own)."""
        return self.filter(series__status=Status.PUBLISHED)


class ConferenceEdition(models.Model):
    """One year of a conference series (NeurIPS 2026)."""

    series = models.ForeignKey(
        ConferenceSeries, verbose_name=_("series"), on_delete=models.CASCADE, related_name="editions"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    ccf_id = models.CharField(
        _("ccf-deadlines id"), max_length=40, blank=True, help_text=_("the source's id, e.g. nips26")
    )
    hf_id = models.CharField(
        _("ai-deadlines id"), max_length=40, blank=True, help_text=_("the source's id, e.g. neurips26")
    )
    start_date = models.DateField(_("starts"), null=True, blank=True)
    end_date = models.DateField(_("ends"), null=True, blank=True)
    date_text = models.CharField(_("dates as written"), max_length=120, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = models.CharField(_("country"), max_length=120, blank=True)
    venue = models.CharField(_("venue"), max_length=255, blank=True)
    place_text = models.CharField(_("place as written"), max_length=255, blank=True)
    link = models.URLField(_("link"), blank=True, validators=[validators.validate_web_url])
    timezone = models.CharField(_("time zone as written"), max_length=60, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = EditionQuerySet.as_manager()

    class Meta:
        ordering = ["series__short_name", "-year"]
        verbose_name = _("conference edition")
        verbose_name_plural = _("conference editions")
        constraints = [
            # A source's ids are not unique: ccf-deadlines reuses "ica3pp" for four years.
            models.UniqueConstraint(fields=["series", "year"], name="edition_unique_series_year"),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="edition_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(year__gte=1950) & Q(year__lte=2100), name="edition_year_range"
            ),
        ]

    def __str__(self):
        return f"{self.series.short_name} {self.year}"

    def get_absolute_url(self):
        return reverse("resources:edition-detail", args=[self.series.slug, self.year])

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The conference cannot end before it starts.")})


class DeadlineQuerySet(models.QuerySet):
    def current(self):
        """Deadlines their source still lists (withdrawn ones stay, for the record)."""
        return self.filter(withdrawn_at__isnull=True)

    def upcoming(self, now=None):
        return self.current().filter(at__gte=now or timezone.now()).order_by("at")

    def past(self, now=None):
        return self.current().filter(at__lt=now or timezone.now()).order_by("-at")

    def published(self):
        return self.filter(edition__series__status=Status.PUBLISHED)


class Deadline(models.Model):
    class Kind(models.TextChoices):
        ABSTRACT = "abstract", pgettext_lazy("deadline kind", "Abstract")
        PAPER = "paper", pgettext_lazy("deadline kind", "Paper")
        SUPPLEMENTARY = "supplementary", pgettext_lazy("deadline kind", "Supplementary material")
        REBUTTAL_START = "rebuttal_start", pgettext_lazy("deadline kind", "Rebuttal starts")
        REBUTTAL_END = "rebuttal_end", pgettext_lazy("deadline kind", "Rebuttal ends")
        NOTIFICATION = "notification", pgettext_lazy("deadline kind", "Notification")
        CAMERA_READY = "camera_ready", pgettext_lazy("deadline kind", "Camera-ready")
        REGISTRATION = "registration", pgettext_lazy("deadline kind", "Registration")
        OTHER = "other", pgettext_lazy("deadline kind", "Other")

    class Source(models.TextChoices):
        CCF = "ccf", "ccf-deadlines"
        HF = "hf", "ai-deadlines"
        NONE = "", _("Curator")

    edition = models.ForeignKey(
        ConferenceEdition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="deadlines"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PAPER)
    label = models.CharField(_("label"), max_length=200, blank=True)
    at = models.DateTimeField(_("instant (UTC)"), null=True, blank=True, help_text=_("empty while TBD"))
    local = models.CharField(_("local date-time as written"), max_length=60, blank=True)
    timezone = models.CharField(_("time zone as written"), max_length=60, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    source = models.CharField(
        _("source"),
        max_length=10,
        choices=Source.choices,
        blank=True,
        help_text=_("the community data set an importer keeps this row in step with; empty for a curator's"),
    )
    source_type = models.CharField(
        _("type as the source writes it"),
        max_length=60,
        blank=True,
        help_text=_("kept for a type this catalogue has no kind for (kind Other)"),
    )
    withdrawn_at = models.DateTimeField(
        _("withdrawn"),
        null=True,
        blank=True,
        help_text=_("when its source stopped listing it; never deleted"),
    )
    curator_edited = models.BooleanField(
        _("edited by a curator"),
        default=False,
        help_text=_("an import never overwrites it: a difference from the source is listed as a conflict"),
    )

    objects = DeadlineQuerySet.as_manager()

    class Meta:
        ordering = ["at"]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        constraints = [
            models.UniqueConstraint(fields=["edition", "kind", "label"], name="deadline_unique_kind_label"),
        ]
        indexes = [models.Index(fields=["at"], name="deadline_at_idx")]

    def __str__(self):
        return f"{self.edition} — {self.label or self.get_kind_display()}"

    @property
    def is_tbd(self) -> bool:
        return self.at is None

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def label_restates_kind(self) -> bool:
        """Whether the label, as the data set wrote it, says no more than the kind: then a page
        in another language than English shows the translated kind alone."""
        return label_restates_kind(self.label, self.kind)

    @property
    def kind_text(self) -> str:
        """The kind as shown: the source's own type where the catalogue has no kind for it."""
        if self.kind == self.Kind.OTHER and self.source_type:
            return self.source_type.replace("_", " ").capitalize()
        return self.get_kind_display()


#: Words the data sets add to a kind without saying more ("Full paper submission deadline").
_LABEL_FILLER = frozenset(
    {"deadline", "submission", "due", "date", "full", "paper", "period", "of", "the", "for", "author"}
    | {"acceptance", "final"}
)


def label_restates_kind(label: str, kind: str) -> bool:
    def words(text: str) -> set[str]:
        found = re.findall(r"[a-z]+", text.lower())
        return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in found}

    return words(label) - _LABEL_FILLER <= words(kind.replace("_", " "))


class DeadlineChangeQuerySet(models.QuerySet):
    def published(self):
        return self.filter(edition__series__status=Status.PUBLISHED)


class DeadlineChange(models.Model):
    """A change an import, a sync or a curator made to a deadline: moved, announced, withdrawn,
    reinstated. ``source`` is the data set it came from, empty for a curator's edit."""

    class Change(models.TextChoices):
        MOVED = "moved", _("Moved")
        ANNOUNCED = "announced", _("Announced")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        REINSTATED = "reinstated", _("Reinstated")

    edition = models.ForeignKey(
        ConferenceEdition,
        verbose_name=_("edition"),
        on_delete=models.CASCADE,
        related_name="deadline_changes",
    )
    deadline = models.ForeignKey(
        Deadline, verbose_name=_("deadline"), null=True, on_delete=models.SET_NULL, related_name="changes"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Deadline.Kind.choices)
    label = models.CharField(_("label"), max_length=200, blank=True)
    change = models.CharField(_("change"), max_length=12, choices=Change.choices)
    old_at = models.DateTimeField(_("before (UTC)"), null=True, blank=True)
    new_at = models.DateTimeField(_("after (UTC)"), null=True, blank=True)
    old_local = models.CharField(_("before, as written"), max_length=130, blank=True)
    new_local = models.CharField(_("after, as written"), max_length=130, blank=True)
    source = models.CharField(_("source"), max_length=10, choices=Deadline.Source.choices, blank=True)
    seen_at = models.DateTimeField(_("seen"), default=timezone.now, db_index=True)

    objects = DeadlineChangeQuerySet.as_manager()

    class Meta:
        ordering = ["-seen_at", "-pk"]
        verbose_name = _("deadline change")
        verbose_name_plural = _("deadline changes")

    def __str__(self):
        return f"{self.edition} {self.label or self.get_kind_display()}: {self.get_change_display()}"

    @property
    def name(self) -> str:
        """The deadline's name in a sentence: its label on an English page; elsewhere the
        translated kind, with the data set's English label where it says more."""
        kind = str(self.get_kind_display())
        if not self.label or (get_language() or "en").startswith("en"):
            return self.label or kind
        return kind if label_restates_kind(self.label, self.kind) else f"{kind} ({self.label})"


class DeadlineConflict(models.Model):
    """Two values for one deadline that an import would not choose between: the two data sets
    disagree on the instant, or the source differs from a row a curator edited. A curator
    picks one in the admin."""

    class Reason(models.TextChoices):
        SOURCES = "sources", _("The data sets disagree")
        CURATOR = "curator", _("The source differs from a curator's edit")

    edition = models.ForeignKey(
        ConferenceEdition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="conflicts"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Deadline.Kind.choices)
    label = models.CharField(_("label"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    #: [{"source": "ccf", "at": ISO instant or null, "local": "...", "timezone": "..."}, ...]
    values = models.JSONField(_("values"), default=list)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    chosen = models.CharField(_("chosen"), max_length=10, blank=True)
    created_at = models.DateTimeField(_("seen"), auto_now_add=True)

    class Meta:
        ordering = ["resolved_at", "-created_at"]
        verbose_name = _("deadline conflict")
        verbose_name_plural = _("deadline conflicts")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "kind", "label", "reason"],
                condition=Q(resolved_at__isnull=True),
                name="conflict_unique_open",
            )
        ]

    def __str__(self):
        return f"{self.edition} {self.label or self.get_kind_display()}: {self.get_reason_display()}"


class SyncRun(models.Model):
    """One run of ``sync_deadlines``; a running row is the lock that keeps two runs apart."""

    class State(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.RUNNING)
    paths = models.TextField(_("paths"))
    summary = models.TextField(_("summary"), blank=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("deadline sync")
        verbose_name_plural = _("deadline syncs")
        constraints = [
            models.UniqueConstraint(fields=["state"], condition=Q(state="running"), name="sync_one_running")
        ]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.get_state_display()}"


class AcceptanceRate(models.Model):
    series = models.ForeignKey(
        ConferenceSeries, verbose_name=_("series"), on_delete=models.CASCADE, related_name="acceptance_rates"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    submitted = models.PositiveIntegerField(_("submitted"), null=True, blank=True)
    accepted = models.PositiveIntegerField(_("accepted"), null=True, blank=True)
    rate = models.DecimalField(_("rate"), max_digits=5, decimal_places=4, null=True, blank=True)
    source = models.CharField(_("source"), max_length=255, blank=True)

    class Meta:
        ordering = ["series__short_name", "-year"]
        verbose_name = _("acceptance rate")
        verbose_name_plural = _("acceptance rates")
        constraints = [
            models.UniqueConstraint(fields=["series", "year"], name="acceptance_unique_series_year"),
            models.CheckConstraint(
                condition=Q(rate__isnull=True) | (Q(rate__gte=0) & Q(rate__lte=1)),
                name="acceptance_rate_range",
            ),
            models.CheckConstraint(
                condition=Q(submitted__isnull=True)
                | Q(accepted__isnull=True)
                | Q(accepted__lte=models.F("submitted")),
                name="acceptance_accepted_le_submitted",
            ),
        ]

    def __str__(self):
        return f"{self.series.short_name} {self.year}"


class Course(CatalogueItem):
    class Level(models.TextChoices):
        BEGINNER = "beginner", _("Beginner")
        INTERMEDIATE = "intermediate", _("Intermediate")
        ADVANCED = "advanced", _("Advanced")

    title = models.CharField(_("title"), max_length=255)
    provider = models.CharField(_("provider"), max_length=120, help_text=_("Coursera, edX, fast.ai, …"))
    instructors = models.JSONField(_("instructors"), default=list, blank=True)
    url = models.URLField(_("URL"), validators=[validators.validate_web_url])
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, default=Level.BEGINNER)
    languages = models.JSONField(_("languages"), default=list, blank=True, help_text=_('e.g. ["en", "zh"]'))
    is_free = models.BooleanField(_("free"), default=False)
    duration = models.CharField(_("duration"), max_length=120, blank=True)
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True, related_name="courses")

    detail_url_name = "resources:course-detail"

    class Meta:
        ordering = ["title"]
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        constraints = [
            models.CheckConstraint(
                condition=Q(level__in=["beginner", "intermediate", "advanced"]), name="course_level_valid"
            ),
        ]

    def __str__(self):
        return self.title


class Book(CatalogueItem):
    title = models.CharField(_("title"), max_length=255)
    authors = models.JSONField(_("authors, in order"), default=list)
    publisher = models.CharField(_("publisher"), max_length=255, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    edition = models.CharField(_("edition"), max_length=40, blank=True)
    isbn13 = models.CharField(
        _("ISBN-13"),
        max_length=13,
        blank=True,
        validators=[validators.validate_isbn13],
        help_text=_("13 digits"),
    )
    url = models.URLField(_("URL"), blank=True, validators=[validators.validate_web_url])
    free_url = models.URLField(_("free online URL"), blank=True, validators=[validators.validate_web_url])
    language = models.CharField(_("language"), max_length=10, default="en")
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True, related_name="books")

    detail_url_name = "resources:book-detail"

    class Meta:
        ordering = ["title"]
        verbose_name = _("book")
        verbose_name_plural = _("books")
        constraints = [
            models.UniqueConstraint(fields=["isbn13"], condition=~Q(isbn13=""), name="book_unique_isbn13"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.isbn13:
            try:
                self.isbn13 = validators.normalize_isbn(self.isbn13)
            except ValidationError as exc:
                raise ValidationError({"isbn13": exc.messages}) from None


class Paper(CatalogueItem):
    title = models.CharField(_("title"), max_length=500)
    authors = models.JSONField(_("authors, in order"), default=list)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    venue = models.CharField(_("venue as written"), max_length=255, blank=True)
    venue_edition = models.ForeignKey(
        ConferenceEdition,
        verbose_name=_("venue edition"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="papers",
    )
    arxiv_id = models.CharField(
        _("arXiv id"), max_length=40, blank=True, validators=[validators.validate_arxiv_id]
    )
    doi = models.CharField(_("DOI"), max_length=255, blank=True, validators=[validators.validate_doi])
    url = models.URLField(_("URL"), blank=True, validators=[validators.validate_web_url])
    pdf_url = models.URLField(_("PDF URL"), blank=True, validators=[validators.validate_web_url])
    code_url = models.URLField(_("code URL"), blank=True, validators=[validators.validate_web_url])
    abstract = models.TextField(_("abstract"), blank=True)
    bibtex_key = models.CharField(_("BibTeX key"), max_length=120, blank=True)
    cites = models.ManyToManyField(
        "self", verbose_name=_("cites"), symmetrical=False, blank=True, related_name="cited_by"
    )
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True, related_name="papers")

    detail_url_name = "resources:paper-detail"

    class Meta:
        ordering = ["-year", "title"]
        verbose_name = _("paper")
        verbose_name_plural = _("papers")
        constraints = [
            models.UniqueConstraint(
                fields=["arxiv_id"], condition=~Q(arxiv_id=""), name="paper_unique_arxiv_id"
            ),
            models.UniqueConstraint(fields=["doi"], condition=~Q(doi=""), name="paper_unique_doi"),
            models.UniqueConstraint(
                fields=["bibtex_key"], condition=~Q(bibtex_key=""), name="paper_unique_bibtex_key"
            ),
        ]
        indexes = [models.Index(fields=["-year", "title"], name="paper_year_title_idx")]

    def __str__(self):
        return self.title

    def clean(self):
        errors = {}
        if self.arxiv_id:
            try:
                self.arxiv_id = validators.normalize_arxiv_id(self.arxiv_id)
            except ValidationError as exc:
                errors["arxiv_id"] = exc.messages
        if self.doi:
            try:
                self.doi = validators.normalize_doi(self.doi)
            except ValidationError as exc:
                errors["doi"] = exc.messages
        if errors:
            raise ValidationError(errors)


class Community(CatalogueItem):
    class Kind(models.TextChoices):
        QA = "qa", _("Q&A")
        FORUM = "forum", _("Forum")
        CODE = "code", _("Code hosting")
        CHAT = "chat", _("Chat")
        SOCIAL = "social", _("Social")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    url = models.URLField(_("URL"), validators=[validators.validate_web_url])
    language = models.CharField(_("language"), max_length=10, default="en")
    topics = models.ManyToManyField(Topic, verbose_name=_("topics"), blank=True, related_name="communities")

    detail_url_name = "resources:community-detail"

    class Meta:
        ordering = ["name"]
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["qa", "forum", "code", "chat", "social"]), name="community_kind_valid"
            ),
        ]

    def __str__(self):
        return self.name


class SearchWord(models.Model):
    """A word of a published title or name: the vocabulary a mistyped search word is corrected
    against ("atention" → "attention"). PostgreSQL only: the search triggers fill it (migration
    0006); it stays empty on SQLite, where the search has no typo correction."""

    word = models.CharField(_("word"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("search word")
        verbose_name_plural = _("search words")

    def __str__(self):
        return self.word


class Embedding(models.Model):
    """The sentence embedding of one catalogue item or tutorial (``kind`` is the search type's
    key: papers, books, courses, communities, tutorials), as float32 bytes. ``content_hash``
    names the model and the text it was computed from, so unchanged text is never encoded twice."""

    kind = models.CharField(_("kind"), max_length=20)
    object_id = models.PositiveBigIntegerField(_("object id"))
    model = models.CharField(_("model"), max_length=60)
    content_hash = models.CharField(_("content hash"), max_length=64)
    vector = models.BinaryField(_("vector"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("embedding")
        verbose_name_plural = _("embeddings")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "model"], name="embedding_unique_item_model"
            ),
        ]

    def __str__(self):
        return f"{self.kind} #{self.object_id} ({self.model})"
