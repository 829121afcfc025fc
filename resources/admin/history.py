"""The admin of what imports and syncs leave behind: conflicts for a curator to settle, the
record of deadline changes, the name aliases that let two sources meet, and the sync runs."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from resources import curation, models

SOURCE_NAMES = {"ccf": "ccf-deadlines", "hf": "ai-deadlines", "": _("the curator's edit")}


def shown_value(value: dict) -> str:
    """One value of a conflict as a curator reads it: whose, as written, and the instant."""
    when = curation.as_written(curation.instant(value), value.get("local") or "", value.get("timezone") or "")
    utc = f" = {value['at'][:19].replace('T', ' ')} UTC" if value.get("at") and value.get("local") else ""
    return f"{SOURCE_NAMES.get(value['source'], value['source'])}: {when}{utc}"


class ConflictForm(forms.ModelForm):
    """The one thing a curator does with a conflict: choose the value that stands."""

    choice = forms.ChoiceField(label=_("Value that stands"), widget=forms.RadioSelect, required=False)

    class Meta:
        model = models.DeadlineConflict
        fields = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choice"].choices = [(v["source"], shown_value(v)) for v in self.instance.values or []]
        if self.instance.resolved_at is not None:
            self.fields["choice"].disabled = True
            self.fields["choice"].initial = self.instance.chosen
        else:
            self.fields["choice"].required = True

    def clean(self):
        cleaned = super().clean()
        if self.instance.resolved_at is None and cleaned.get("choice") is not None:
            try:
                curation.check_choice(self.instance, cleaned["choice"])
            except ValidationError as exc:
                self.add_error("choice", exc)
        return cleaned


class OpenFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", _("Open")), ("no", _("Settled"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(resolved_at__isnull=self.value() == "yes")
        return queryset


@admin.register(models.DeadlineConflict)
class DeadlineConflictAdmin(admin.ModelAdmin):
    """Open conflicts first; a conflict's page offers its values, and saving one settles it."""

    form = ConflictForm
    list_display = ("edition", "kind", "label", "reason", "values_shown", "created_at", "resolved_at")
    list_select_related = ("edition__series",)
    list_filter = (OpenFilter, "reason", "kind")
    search_fields = ("edition__series__short_name", "label")
    fields = ("edition", "kind", "label", "reason", "created_at", "choice", "resolved_at")
    readonly_fields = ("edition", "kind", "label", "reason", "created_at", "resolved_at")

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("values"))
    def values_shown(self, obj):
        return " / ".join(shown_value(v) for v in obj.values)

    def save_model(self, request, obj, form, change):
        if obj.resolved_at is not None:
            return
        deadline = curation.resolve_conflict(obj, form.cleaned_data["choice"])
        when = curation.as_written(deadline.at, deadline.local, deadline.timezone)
        text = gettext("Settled: %(deadline)s now stands at %(when)s.")
        messages.success(request, text % {"deadline": deadline, "when": when})


@admin.register(models.DeadlineChange)
class DeadlineChangeAdmin(admin.ModelAdmin):
    """What imports, syncs and curators changed, newest first; a record, never edited."""

    list_display = ("seen_at", "edition", "kind", "label", "change", "old_local", "new_local", "source")
    list_select_related = ("edition__series",)
    list_filter = ("change", "source", "kind", "edition__year")
    search_fields = ("edition__series__short_name", "label")
    date_hierarchy = "seen_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.SeriesAlias)
class SeriesAliasAdmin(admin.ModelAdmin):
    list_display = ("alias", "name", "note")
    search_fields = ("alias", "name", "note")


@admin.register(models.SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    list_display = ("started_at", "state", "finished_at", "paths")
    list_filter = ("state",)
    fields = ("state", "paths", "started_at", "finished_at", "summary")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
