from django.contrib import admin

from accounts.models import Bookmark


@admin.register(Bookmark)
class BookmarkAdmin(admin.ModelAdmin):
    list_display = ("user", "content_type", "object_id", "created_at")
    list_filter = ("content_type",)
    list_select_related = ("user", "content_type")
    search_fields = ("user__username", "note")
    raw_id_fields = ("user",)
    readonly_fields = ("created_at",)
