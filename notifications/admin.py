"""Follows, preferences and the delivery log, for curators who answer a reader's question."""

from django.contrib import admin

from notifications.models import Delivery, Follow, Preferences


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ("user", "series", "topic", "course", "created_at")
    list_select_related = ("user", "series", "topic", "course")
    search_fields = ("user__username", "series__short_name", "topic__slug", "course__title")
    raw_id_fields = ("user",)
    autocomplete_fields = ("series", "topic", "course")


@admin.register(Preferences)
class PreferencesAdmin(admin.ModelAdmin):
    list_display = ("user", "language", "time_zone", "email_reminders", "email_alerts")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__email")
    raw_id_fields = ("user",)
    exclude = ("calendar_token_hash",)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "kind", "key", "state", "late", "attempts", "sent_at")
    list_select_related = ("user",)
    list_filter = ("kind", "state", "late")
    search_fields = ("user__username", "key")
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False
