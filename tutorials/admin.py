from django.contrib import admin
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from tutorials.models import TrainingRun, Tutorial
from tutorials.rendering import render_markdown


@admin.register(Tutorial)
class TutorialAdmin(admin.ModelAdmin):
    list_display = ["title_en", "title_zh", "level", "demo", "status", "featured", "position"]
    list_filter = ["status", "level", "demo", "featured", "topics"]
    search_fields = ["title_en", "title_zh", "slug"]
    prepopulated_fields = {"slug": ["title_en"]}
    autocomplete_fields = ["topics", "papers", "books", "courses"]
    readonly_fields = ["preview_en", "preview_zh", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["slug", "status", "featured", "position", "level", "topics"]}),
        (_("English"), {"fields": ["title_en", "summary_en", "body_en", "preview_en"]}),
        (_("Chinese"), {"fields": ["title_zh", "summary_zh", "body_zh", "preview_zh"]}),
        (_("Demo"), {"fields": ["demo", "demo_defaults"]}),
        (_("Related catalogue items"), {"fields": ["papers", "books", "courses"]}),
        (None, {"fields": ["created_at", "updated_at"]}),
    ]

    @admin.display(description=_("preview (English)"))
    def preview_en(self, obj):
        # render_markdown's output is sanitised by nh3, so it can be shown as HTML.
        return mark_safe(f'<div class="tutorial-body">{render_markdown(obj.body_en)}</div>')  # noqa: S308

    @admin.display(description=_("preview (Chinese)"))
    def preview_zh(self, obj):
        return mark_safe(f'<div class="tutorial-body">{render_markdown(obj.body_zh)}</div>')  # noqa: S308


@admin.register(TrainingRun)
class TrainingRunAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "demo",
        "owner",
        "status",
        "progress_percent",
        "device",
        "created_at",
        "finished_at",
    ]
    list_filter = ["status", "demo", "is_public", "device"]
    list_select_related = ["owner"]
    search_fields = ["id", "owner__username", "demo"]
    readonly_fields = [f.name for f in TrainingRun._meta.fields]

    @admin.display(description=_("progress"))
    def progress_percent(self, obj):
        return format_html("{}%", round(obj.progress * 100))

    def has_add_permission(self, request):
        return False  # runs start from a tutorial page or the API, which enforce fair use
