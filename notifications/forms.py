"""The reader's notification settings."""

from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.models import Preferences, validate_offsets


class OffsetsField(forms.CharField):
    """Days before a deadline, written "30, 7, 1"."""

    def to_python(self, value):
        text = super().to_python(value)
        try:
            days = [int(part) for part in text.replace("，", ",").split(",") if part.strip()]
        except ValueError:
            raise forms.ValidationError(_("Write whole numbers of days, separated by commas.")) from None
        validate_offsets(days)
        return sorted(set(days), reverse=True)

    def prepare_value(self, value):
        return ", ".join(str(d) for d in value) if isinstance(value, list) else value


class PreferencesForm(forms.ModelForm):
    reminder_offsets = OffsetsField(
        label=_("Remind me this many days before each followed deadline"),
        required=False,
        help_text=_("e.g. 30, 7, 1; empty for no reminders"),
    )

    class Meta:
        model = Preferences
        fields = (
            "language",
            "time_zone",
            "reminder_offsets",
            "email_reminders",
            "email_alerts",
            "weekly_digest",
        )
        widgets = {
            "time_zone": forms.TextInput(
                attrs={"list": "time-zones", "autocomplete": "off", "data-browser-zone": ""}
            )
        }
