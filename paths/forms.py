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


class QuizForm(forms.Form):
    """One radio group per question; the choices carry their ids and texts, never whether they
    are right."""

    def __init__(self, questions, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            self.fields[f"q{question.pk}"] = forms.TypedChoiceField(
                label=question.text,
                choices=[(choice.pk, choice.text) for choice in question.choices.all()],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose an answer.")},
            )

    def answers(self) -> dict[int, int]:
        return {question.pk: self.cleaned_data[f"q{question.pk}"] for question in self.questions}


class StudyPlanForm(forms.Form):
    """Plan a path backwards from an upcoming deadline or a date, at so many hours a week."""

    deadline = forms.ModelChoiceField(
        label=_("Finish before this deadline"),
        queryset=None,
        required=False,
        empty_label=_("(a date instead)"),
    )
    finish_by = forms.DateField(
        label=_("or finish by this date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    hours_per_week = forms.IntegerField(label=_("Hours a week"), min_value=1, max_value=80, initial=5)
    time_zone = forms.CharField(
        label=_("Your time zone"),
        max_length=64,
        required=False,
        # static/js/timezone.js fills an empty field with the browser's zone.
        widget=forms.TextInput(attrs={"data-browser-zone": "", "autocomplete": "off"}),
    )

    def __init__(self, *args, deadlines=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deadline"].queryset = deadlines

    def clean_time_zone(self):
        import zoneinfo

        value = (self.cleaned_data.get("time_zone") or "").strip() or "UTC"
        if value not in zoneinfo.available_timezones():
            raise forms.ValidationError(
                _("“%(value)s” is not a time zone (write e.g. Asia/Shanghai)."), params={"value": value}
            )
        return value

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("deadline") and not cleaned.get("finish_by"):
            raise forms.ValidationError(_("Choose a deadline or a date to finish by."))
        if cleaned.get("deadline") and cleaned.get("finish_by"):
            raise forms.ValidationError(_("Choose a deadline or a date, not both."))
        return cleaned
