from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import BOOKMARKABLE, Bookmark


class SignUpForm(UserCreationForm):
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        help_text=_("Used only to reset your password."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if get_user_model()._default_manager.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                _("An account with this e-mail address already exists. Log in, or reset your password."),
                code="duplicate_email",
            )
        return email


class BookmarkForm(forms.Form):
    """Names one catalogue item by type label and id (or slug), and what to do with its bookmark."""

    ACTIONS = [("toggle", _("Toggle")), ("add", _("Add")), ("remove", _("Remove"))]

    content_type = forms.ChoiceField(label=_("Type"), choices=[(label, label) for label in BOOKMARKABLE])
    object_id = forms.IntegerField(label=_("Id"), min_value=1, required=False)
    slug = forms.SlugField(label=_("Slug"), max_length=120, required=False)
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS, required=False)
    note = forms.CharField(label=_("Note"), max_length=500, required=False, strip=True)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.target = None

    def clean(self):
        cleaned = super().clean()
        label = cleaned.get("content_type")
        object_id, slug = cleaned.get("object_id"), cleaned.get("slug")
        if not label or self.has_error("object_id") or self.has_error("slug"):
            return cleaned
        if object_id is None and not slug:
            raise forms.ValidationError(_("Name the item by its id or its slug."), code="no_target")
        model = services.model_for_label(label)
        try:
            self.target = services.get_target(label, object_id=object_id, slug=None if object_id else slug)
        except model.DoesNotExist:
            field = "object_id" if object_id is not None else "slug"
            self.add_error(
                field,
                forms.ValidationError(
                    _("There is no published %(type)s with this identifier."),
                    code="not_found",
                    params={"type": model._meta.verbose_name},
                ),
            )
        cleaned["action"] = cleaned.get("action") or "toggle"
        return cleaned


class NoteForm(forms.ModelForm):
    class Meta:
        model = Bookmark
        fields = ("note",)
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}
