"""The form a learner uses on a path's page to set a step's state and note."""

from django import forms
from django.utils.translation import gettext_lazy as _

from paths.models import Progress
from paths.services import NOTE_MAX_LENGTH


class ProgressForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), choices=Progress.choices)
    note = forms.CharField(
        label=_("Private note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
