"""What every catalogue admin shares: publish / unpublish, timestamps, list fields, view on site."""

import json

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.db import connection, models
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from resources.forms import CatalogueItemForm, LinesField
from resources.models import Status

TIMESTAMPS = ("created_at", "updated_at", "published_at")
#: A web address typed without a scheme is taken as https:// (Django 6's default, opted into now).
FORMFIELD_OVERRIDES = {models.URLField: {"assume_scheme": "https"}}


def short_list(items, limit: int = 3) -> str:
    items = list(items or [])
    text = ", ".join(items[:limit])
    return f"{text} et al." if len(items) > limit else text


class ViewOnSiteMixin:
    """Link to the public page only when it exists: the item is published and the URL is routed."""

    def view_on_site(self, obj):
        if self.public_status(obj) != Status.PUBLISHED:
            return None
        try:
            return obj.get_absolute_url()
        except NoReverseMatch:
            return None

    def public_status(self, obj):
        return getattr(obj, "status", Status.PUBLISHED)


class UnicodeJSONSearchMixin:
    """Find non-ASCII text in JSON lists (authors) on SQLite too.

    SQLite keeps a JSONField as text written with ASCII escapes ("J\\u00fcrgen"), so a plain
    ``icontains`` misses "Jürgen" there; the escaped spelling is searched as well.
    """

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.isascii() or connection.vendor != "sqlite":
            return results, may_have_duplicates
        escaped = "".join(c if c.isascii() else json.dumps(c)[1:-1] for c in search_term)
        more, more_duplicates = super().get_search_results(request, queryset, escaped)
        return results | more, may_have_duplicates or more_duplicates


class CatalogueAdmin(ViewOnSiteMixin, admin.ModelAdmin):
    """Base of the admins of published items (series, courses, books, papers, communities)."""

    form = CatalogueItemForm
    formfield_overrides = {**FORMFIELD_OVERRIDES, models.JSONField: {"form_class": LinesField}}
    readonly_fields = TIMESTAMPS
    actions = ["publish_selected", "unpublish_selected"]
    save_on_top = True
    list_per_page = 100
    timestamps_fieldset = (_("Timestamps"), {"fields": TIMESTAMPS, "classes": ["collapse"]})
    descriptions_fieldset = (
        _("Descriptions"),
        {
            "fields": ("description_en", "description_zh"),
            "description": _("English and Simplified Chinese; the site shows the other when one is empty."),
        },
    )

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        # The full-text vector is PostgreSQL's to keep; no admin page reads it.
        if any(f.name == "search_vector" for f in self.model._meta.concrete_fields):
            queryset = queryset.defer("search_vector")
        return queryset

    @admin.display(description=_("topics"))
    def topic_list(self, obj):
        # Reads the prefetched topics: one query for the whole page.
        return ", ".join(t.name_en for t in obj.topics.all())

    @admin.action(description=_("Publish selected %(verbose_name_plural)s"), permissions=["change"])
    def publish_selected(self, request, queryset):
        self._set_status(request, queryset, Status.PUBLISHED)

    @admin.action(description=_("Unpublish selected %(verbose_name_plural)s"), permissions=["change"])
    def unpublish_selected(self, request, queryset):
        self._set_status(request, queryset, Status.DRAFT)

    def _set_status(self, request, queryset, status):
        # Queries: the rows that change (for the history), one UPDATE, one INSERT of log entries.
        changing = list(queryset.exclude(status=status).order_by())
        if not changing:
            self.message_user(
                request,
                _("Nothing changed: every selected item already was %(status)s.")
                % {"status": Status(status).label.lower()},
                messages.WARNING,
            )
            return
        now = timezone.now()
        published_at = now if status == Status.PUBLISHED else None
        count = (
            self.model._default_manager.filter(pk__in=[obj.pk for obj in changing])
            .exclude(status=status)
            .update(status=status, published_at=published_at, updated_at=now)
        )
        LogEntry.objects.log_actions(
            request.user.pk,
            changing,
            CHANGE,
            change_message=[{"changed": {"fields": ["status", "published"]}}],
        )
        opts = self.model._meta
        name = opts.verbose_name if count == 1 else opts.verbose_name_plural
        if status == Status.PUBLISHED:
            text = ngettext("%(count)d %(name)s published.", "%(count)d %(name)s published.", count)
        else:
            text = ngettext(
                "%(count)d %(name)s unpublished (back to draft).",
                "%(count)d %(name)s unpublished (back to draft).",
                count,
            )
        self.message_user(request, text % {"count": count, "name": name}, messages.SUCCESS)
