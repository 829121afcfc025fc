"""The launch form, built from a demo's parameter spec."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tutorials import services, vocabulary


class LaunchForm(forms.Form):
    """One field per demo parameter, with its bounds as HTML attributes for the browser.

    The browser's checks are a convenience; ``clean()`` runs the demo's own validation, which
    is the authority (the API calls the same service).
    """

    is_public = forms.BooleanField(
        label=_("Show this run on the public leaderboard"), required=False, initial=False
    )

    def __init__(self, demo: str, *args, initial_params: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.demo = demo
        initial_params = initial_params or {}
        for param in services.demo_spec(demo):
            self.fields[param.name] = self._field(param, initial_params.get(param.name, param.default))
        self.order_fields([p.name for p in services.demo_spec(demo)] + ["is_public"])

    @staticmethod
    def _field(param, initial):
        common = {
            "label": vocabulary.param_label(param.name),
            "help_text": vocabulary.param_help(param.help),
            "initial": initial,
        }
        if param.kind == "int":
            return forms.IntegerField(min_value=param.minimum, max_value=param.maximum, **common)
        if param.kind == "float":
            field = forms.FloatField(min_value=param.minimum, max_value=param.maximum, **common)
            field.widget.attrs["step"] = "any"
            return field
        if param.kind == "bool":
            return forms.BooleanField(required=False, **common)
        choices = [(str(c), vocabulary.choice_label(c)) for c in param.choices]
        return forms.TypedChoiceField(choices=choices, coerce=str, empty_value=None, **common)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        raw = {name: value for name, value in cleaned.items() if name != "is_public"}
        try:
            self.params = services.validate_params(self.demo, raw)
        except services.InvalidParams as exc:
            for name, messages in exc.errors.items():
                self.add_error(name if name in self.fields else None, messages)
        return cleaned
