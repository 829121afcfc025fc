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
