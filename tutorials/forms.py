"""The launch form, built from a demo's parameter spec."""

from django import forms
from django.utils.translation import gettext_lazy as _

from tutorials import services, vocabulary


class LaunchForm(forms.Form):
    """One field per demo parameter, with its bounds as HTML attributes for the browser.

    The fields' bounds give the browser its checks and the reader messages in their language;
    the demo's own validation, the authority, runs once, in ``services.launch_run`` (as for the
    API), and its errors come back onto the fields (:meth:`add_param_errors`).
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

    @property
    def params(self) -> dict:
        """The parameters as the form read them; ``launch_run`` checks them against the demo."""
        return {name: value for name, value in self.cleaned_data.items() if name != "is_public"}

    def add_param_errors(self, errors: dict[str, list[str]]) -> None:
        """Show ``launch_run``'s InvalidParams on the fields they name (the rest above the form)."""
        for name, messages in errors.items():
            self.add_error(name if name in self.fields else None, messages)
