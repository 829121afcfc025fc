"""The admins of the catalogue models.

Every changelist reads its rows with ``list_select_related`` / ``prefetch_related`` and counts
with annotations, so a page of 10 rows and a page of 100 run the same queries.
"""

import contextlib
import datetime as dt
from itertools import chain

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from resources import curation, models, validators
from resources.admin.base import (
    FORMFIELD_OVERRIDES,
    CatalogueAdmin,
    UnicodeJSONSearchMixin,
    ViewOnSiteMixin,
    short_list,
)
from resources.admin.imports import ImportPagesMixin
from resources.forms import BookForm, DeadlineForm, PaperForm


def count_of(model, fk: str):
    """The number of ``model`` rows pointing at each row, as a subquery.

    A subquery rather than a JOIN with GROUP BY keeps the changelist's count and filter-choice
    queries free of the join, and the model's default ordering in place.
    """
    rows = model._default_manager.filter(**{fk: OuterRef("pk")}).order_by().values(fk)
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n"), output_field=IntegerField()), 0)


# --- list filters -------------------------------------------------------------------------------


class TBDFilter(admin.SimpleListFilter):
    title = _("date known")
    parameter_name = "tbd"

    def lookups(self, request, model_admin):
        return [("yes", _("TBD")), ("no", _("Known"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(at__isnull=self.value() == "yes")
        return queryset


class WhenFilter(admin.SimpleListFilter):
    title = _("when")
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [("upcoming", _("Upcoming")), ("past", _("Past"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "upcoming":
            return queryset.filter(at__gte=now)
        if self.value() == "past":
            return queryset.filter(at__lt=now)
        return queryset


class CourseLanguageFilter(admin.SimpleListFilter):
    """Courses list their languages in a JSON list; offer each language that occurs."""

    title = _("language")
    parameter_name = "language"

    def lookups(self, request, model_admin):
        codes = set(chain.from_iterable(models.Course.objects.values_list("languages", flat=True)))
        return [(code, code) for code in sorted(c for c in codes if isinstance(c, str) and c)]

    def queryset(self, request, queryset):
        code = self.value()
        if not code:
            return queryset
        if connection.features.supports_json_field_contains:
            return queryset.filter(languages__contains=[code])
        # SQLite: match the quoted item in the stored JSON text.
        return queryset.filter(languages__icontains=f'"{code}"')


# --- topics -------------------------------------------------------------------------------------


@admin.register(models.Topic)
class TopicAdmin(ImportPagesMixin, ViewOnSiteMixin, admin.ModelAdmin):
    import_kind = "catalogue"
    list_display = ("name_en", "name_zh", "slug", "parent", "position")
    list_editable = ("position",)
    list_select_related = ("parent",)
    list_filter = (("parent", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("name_en", "name_zh", "slug")
    autocomplete_fields = ("parent",)
    prepopulated_fields = {"slug": ("name_en",)}
    fieldsets = (
        (None, {"fields": ("slug", "parent", "position")}),
        (_("Names"), {"fields": ("name_en", "name_zh")}),
        (_("Descriptions"), {"fields": ("description_en", "description_zh")}),
    )


# --- conferences --------------------------------------------------------------------------------


class ConferenceEditionInline(admin.TabularInline):
    model = models.ConferenceEdition
    fields = ("year", "ccf_id", "hf_id", "date_text", "start_date", "end_date", "city", "country", "link")
    extra = 0
    show_change_link = True
    formfield_overrides = FORMFIELD_OVERRIDES


class AcceptanceRateInline(admin.TabularInline):
    model = models.AcceptanceRate
    fields = ("year", "submitted", "accepted", "rate", "source")
    extra = 0


@admin.register(models.ConferenceSeries)
class ConferenceSeriesAdmin(ImportPagesMixin, CatalogueAdmin):
    import_kind = "deadlines"
    list_display = (
        "short_name",
        "full_name",
        "ccf_rank",
        "core_rank",
        "thcpl_rank",
        "field",
        "kind",
        "edition_count",
        "status",
        "published_at",
    )
    list_filter = ("status", "ccf_rank", "core_rank", "thcpl_rank", "field", "kind", "topics")
    search_fields = ("short_name", "full_name", "dblp_key", "field")
    autocomplete_fields = ("topics",)
    prepopulated_fields = {"slug": ("short_name",)}
    inlines = (ConferenceEditionInline, AcceptanceRateInline)
    fieldsets = (
        (None, {"fields": ("short_name", "full_name", "slug", "status", "kind", "field", "topics")}),
        (_("Rankings"), {"fields": ("ccf_rank", "core_rank", "thcpl_rank", "h5_index")}),
        (_("Links"), {"fields": ("homepage", "dblp_key")}),
        CatalogueAdmin.descriptions_fieldset,
        CatalogueAdmin.timestamps_fieldset,
    )

    def get_queryset(self, request):
        return (
            super().get_queryset(request).annotate(edition_count=count_of(models.ConferenceEdition, "series"))
        )

    @admin.display(description=_("editions"), ordering="edition_count")
    def edition_count(self, obj):
        return obj.edition_count


class DeadlineInline(admin.TabularInline):
    model = models.Deadline
    form = DeadlineForm
    fields = ("kind", "label", "local", "timezone", "at", "comment", "source")
    extra = 1


@admin.register(models.ConferenceEdition)
class ConferenceEditionAdmin(ImportPagesMixin, ViewOnSiteMixin, admin.ModelAdmin):
    import_kind = "deadlines"
    list_display = (
        "__str__",
        "year",
        "date_text",
        "place",
        "ccf_id",
        "hf_id",
        "deadline_count",
        "series_status",
    )
    list_display_links = ("__str__",)
    list_select_related = ("series",)
    list_filter = ("year", "series__status", "series__field", "series__ccf_rank", "series__topics")
    search_fields = ("series__short_name", "series__full_name", "ccf_id", "hf_id", "city", "country")
    autocomplete_fields = ("series",)
    readonly_fields = ("created_at", "updated_at")
    inlines = (DeadlineInline,)
    save_on_top = True
    formfield_overrides = FORMFIELD_OVERRIDES
    fieldsets = (
        (None, {"fields": ("series", "year", "ccf_id", "hf_id")}),
        (_("When"), {"fields": ("date_text", "start_date", "end_date", "timezone")}),
        (_("Where"), {"fields": ("place_text", "city", "country", "venue", "link")}),
        (_("Note"), {"fields": ("note",)}),
        (_("Timestamps"), {"fields": ("created_at", "updated_at"), "classes": ["collapse"]}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(deadline_count=count_of(models.Deadline, "edition"))

    def save_formset(self, request, form, formset, change):
        if formset.model is not models.Deadline:
            return super().save_formset(request, form, formset, change)
        # What each stored row held before the edit (the forms have already written the edit
        # onto their instances; their initial data keeps the stored values).
        before = {f.instance.pk: {k: f.initial.get(k) for k in curation.WHEN} for f in formset.initial_forms}
        instances = formset.save()
        for deadline in instances:
            curation.curator_saved(deadline, before.get(deadline.pk))

    def public_status(self, obj):
        return obj.series.status

    @admin.display(description=_("place"))
    def place(self, obj):
        return ", ".join(p for p in (obj.city, obj.country) if p) or obj.place_text

    @admin.display(description=_("deadlines"), ordering="deadline_count")
    def deadline_count(self, obj):
        return obj.deadline_count

    @admin.display(description=_("series status"), ordering="series__status")
    def series_status(self, obj):
        return obj.series.get_status_display()


@admin.register(models.Deadline)
class DeadlineAdmin(ImportPagesMixin, admin.ModelAdmin):
    import_kind = "deadlines"
    list_display = ("edition", "kind", "label", "at_utc", "as_written", "is_tbd", "source", "curator_edited")
    list_select_related = ("edition__series",)
    list_filter = (
        "kind",
        "source",
        "curator_edited",
        ("withdrawn_at", admin.EmptyFieldListFilter),
        TBDFilter,
        WhenFilter,
        "edition__year",
        "edition__series__field",
        "edition__series__ccf_rank",
    )
    search_fields = ("edition__series__short_name", "edition__ccf_id", "edition__hf_id", "label", "comment")
    autocomplete_fields = ("edition",)
    form = DeadlineForm
    fields = ("edition", "kind", "label", "local", "timezone", "at", "comment", "source", "curator_edited")
    readonly_fields = ("curator_edited",)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # form.initial: the stored values the edit started from.
        before = {k: form.initial.get(k) for k in curation.WHEN} if change else None
        curation.curator_saved(obj, before)

    @admin.display(description=_("instant (UTC)"), ordering="at")
    def at_utc(self, obj):
        if obj.at is None:
            return _("TBD")
        return obj.at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")

    @admin.display(description=_("as written"))
    def as_written(self, obj):
        return " ".join(p for p in (obj.local, obj.timezone) if p)

    @admin.display(description=_("TBD"), boolean=True)
    def is_tbd(self, obj):
        return obj.is_tbd


@admin.register(models.AcceptanceRate)
class AcceptanceRateAdmin(ImportPagesMixin, admin.ModelAdmin):
    import_kind = "deadlines"
    list_display = ("series", "year", "submitted", "accepted", "rate_percent", "source")
    list_select_related = ("series",)
    list_filter = ("year", "series__field", "series__ccf_rank")
    search_fields = ("series__short_name", "series__full_name", "source")
    autocomplete_fields = ("series",)

    @admin.display(description=_("rate"), ordering="rate")
    def rate_percent(self, obj):
        return "" if obj.rate is None else f"{obj.rate * 100:.1f}%"


# --- courses, books, papers, communities --------------------------------------------------------


@admin.register(models.Course)
class CourseAdmin(ImportPagesMixin, UnicodeJSONSearchMixin, CatalogueAdmin):
    import_kind = "catalogue"
    list_display = ("title", "provider", "level", "is_free", "language_list", "topic_list", "status")
    list_filter = ("status", "level", "is_free", CourseLanguageFilter, "provider", "topics")
    search_fields = ("title", "provider", "instructors", "url")
    autocomplete_fields = ("topics",)
    prepopulated_fields = {"slug": ("title",)}
    fieldsets = (
        (None, {"fields": ("title", "slug", "status", "provider", "instructors", "url")}),
        (_("Format"), {"fields": ("level", "languages", "is_free", "duration")}),
        (None, {"fields": ("topics",)}),
        CatalogueAdmin.descriptions_fieldset,
        CatalogueAdmin.timestamps_fieldset,
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("topics")

    @admin.display(description=_("languages"))
    def language_list(self, obj):
        return ", ".join(obj.languages or [])


@admin.register(models.Book)
class BookAdmin(ImportPagesMixin, UnicodeJSONSearchMixin, CatalogueAdmin):
    import_kind = "bibtex"
    form = BookForm
    list_display = ("title", "author_list", "publisher", "year", "isbn13", "language", "topic_list", "status")
    list_filter = ("status", "language", "year", "topics")
    search_fields = ("title", "authors", "publisher", "isbn13")
    autocomplete_fields = ("topics",)
    prepopulated_fields = {"slug": ("title",)}
    fieldsets = (
        (None, {"fields": ("title", "slug", "status", "authors", "topics")}),
        (_("Publication"), {"fields": ("publisher", "year", "edition", "isbn13", "language")}),
        (_("Links"), {"fields": ("url", "free_url")}),
        CatalogueAdmin.descriptions_fieldset,
        CatalogueAdmin.timestamps_fieldset,
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("topics")

    def get_search_results(self, request, queryset, search_term):
        with contextlib.suppress(ValidationError):
            search_term = validators.normalize_isbn(search_term)
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("authors"))
    def author_list(self, obj):
        return short_list(obj.authors)


@admin.register(models.Paper)
class PaperAdmin(ImportPagesMixin, UnicodeJSONSearchMixin, CatalogueAdmin):
    import_kind = "bibtex"
    form = PaperForm
    list_display = (
        "title",
        "author_list",
        "year",
        "venue_display",
        "arxiv_id",
        "doi",
        "topic_list",
        "status",
        "published_at",
    )
    list_select_related = ("venue_edition__series",)
    list_filter = ("status", "year", "topics", "venue_edition__series")
    search_fields = ("title", "authors", "arxiv_id", "doi", "bibtex_key", "venue")
    autocomplete_fields = ("venue_edition", "topics", "cites")
    prepopulated_fields = {"slug": ("title",)}
    fieldsets = (
        (None, {"fields": ("title", "slug", "status", "authors", "year", "topics")}),
        (_("Venue"), {"fields": ("venue_edition", "venue")}),
        (_("Identifiers"), {"fields": ("arxiv_id", "doi", "bibtex_key")}),
        (_("Links"), {"fields": ("url", "pdf_url", "code_url")}),
        (_("Abstract"), {"fields": ("abstract",)}),
        CatalogueAdmin.descriptions_fieldset,
        (_("Citations"), {"fields": ("cites",)}),
        CatalogueAdmin.timestamps_fieldset,
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("topics")

    def get_search_results(self, request, queryset, search_term):
        # A pasted arXiv or DOI URL finds the paper by its bare identifier.
        term = search_term.strip()
        for normalize in (validators.normalize_arxiv_id, validators.normalize_doi):
            try:
                search_term = normalize(term)
                break
            except ValidationError:
                continue
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description=_("authors"))
    def author_list(self, obj):
        return short_list(obj.authors)

    @admin.display(description=_("venue"), ordering="venue")
    def venue_display(self, obj):
        return str(obj.venue_edition) if obj.venue_edition else obj.venue


@admin.register(models.Community)
class CommunityAdmin(ImportPagesMixin, CatalogueAdmin):
    import_kind = "catalogue"
    list_display = ("name", "kind", "url", "language", "topic_list", "status")
    list_filter = ("status", "kind", "language", "topics")
    search_fields = ("name", "url", "description_en", "description_zh")
    autocomplete_fields = ("topics",)
    prepopulated_fields = {"slug": ("name",)}
    fieldsets = (
        (None, {"fields": ("name", "slug", "status", "kind", "url", "language", "topics")}),
        CatalogueAdmin.descriptions_fieldset,
        CatalogueAdmin.timestamps_fieldset,
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("topics")
