"""Forms of the curators' admin: list fields typed one item a line, and the import upload."""

import json
import re
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from resources import validators
from resources.importers import timezones

#: Largest import file the admin accepts unless settings.IMPORT_UPLOAD_MAX_BYTES says otherwise.
DEFAULT_IMPORT_UPLOAD_MAX_BYTES = 2 * 1024 * 1024


def import_upload_max_bytes() -> int:
    return int(getattr(settings, "IMPORT_UPLOAD_MAX_BYTES", DEFAULT_IMPORT_UPLOAD_MAX_BYTES))


class LinesField(forms.Field):
    """A JSON list of strings (authors, instructors, languages), edited one item a line.

    Accepts the ``encoder`` / ``decoder`` arguments that JSONField.formfield() passes on.
    """

    widget = forms.Textarea(attrs={"rows": 4, "cols": 60})

    def __init__(self, *, encoder=None, decoder=None, **kwargs):
        kwargs.setdefault(
            "help_text", _("One a line, in order. For a JSON list, start with [ and write the whole list.")
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(str(item) for item in value)
        return value

    def to_python(self, value):
        if value is None:
            return []
        if isinstance(value, list | tuple):
            return [str(item).strip() for item in value if str(item).strip()]
        text = str(value).strip()
        if text.startswith("["):
            # A curator who pastes a JSON list gets it read as one.
            try:
                items = json.loads(text)
            except ValueError:
                raise forms.ValidationError(_("This is not a valid JSON list."), code="invalid") from None
            if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
                raise forms.ValidationError(_("Write a list of texts."), code="invalid")
            return [i.strip() for i in items if i.strip()]
        return [line.strip() for line in text.splitlines() if line.strip()]

    def has_changed(self, initial, data):
        try:
            return (initial or []) != self.to_python(data)
        except forms.ValidationError:
            return True


class CatalogueItemForm(forms.ModelForm):
    """Lets a curator leave the slug empty: the model makes one from the title on save."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        slug = self.fields.get("slug")
        if slug is not None:
            slug.required = False
            slug.help_text = _("Leave empty to make one from the title.")


#: Control characters that no YAML or BibTeX text contains (tab, line feed, form feed and carriage
#: return are allowed).
_BINARY_CHARACTER = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class ImportUploadForm(forms.Form):
    file = forms.FileField(label=_("File"))
    draft = forms.BooleanField(
        label=_("Import new items as drafts"),
        required=False,
        help_text=_("They stay off the public site until you publish them; items already there keep theirs."),
    )

    def __init__(self, *args, extensions: tuple[str, ...], draft_option: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not draft_option:
            del self.fields["draft"]
        self.extensions = extensions
        self.fields["file"].widget.attrs["accept"] = ",".join(extensions)
        self.fields["file"].help_text = _("%(types)s, UTF-8, at most %(size)s.") % {
            "types": ", ".join(extensions),
            "size": filesizeformat(import_upload_max_bytes()),
        }

    def clean_file(self):
        upload = self.cleaned_data["file"]
        suffix = PurePath(upload.name or "").suffix.lower()
        if suffix not in self.extensions:
            raise forms.ValidationError(
                _("Upload a %(types)s file; %(name)s is not one."),
                code="file_type",
                params={"types": " / ".join(self.extensions), "name": upload.name},
            )
        limit = import_upload_max_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s; the largest accepted is %(limit)s."),
                code="file_size",
                params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            )
        content = b"".join(upload.chunks())
        try:
            self.cleaned_data["text"] = content.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(
                _("The file is not UTF-8 text (byte %(position)s cannot be read)."),
                code="encoding",
                params={"position": exc.start},
            ) from None
        # A zip or an image can decode as UTF-8 by chance; text files never hold these characters.
        binary = _BINARY_CHARACTER.search(self.cleaned_data["text"])
        if binary:
            raise forms.ValidationError(
                _("The file holds binary data, not text (character %(position)s)."),
                code="binary",
                params={"position": binary.start()},
            )
        if not self.cleaned_data["text"].strip():
            raise forms.ValidationError(_("The file is empty."), code="empty")
        return upload


class ImportConfirmForm(forms.Form):
    """The second step only names a staged upload by its random token, never by a path."""

    token = forms.RegexField(regex=r"^[0-9a-f]{32}$", widget=forms.HiddenInput)


class BookForm(CatalogueItemForm):
    # Wide enough for a hyphenated ISBN-10 or ISBN-13; clean_isbn13 stores the 13 digits.
    isbn13 = forms.CharField(
        label=_("ISBN"), max_length=20, required=False, help_text=_("ISBN-13 or ISBN-10")
    )

    def clean_isbn13(self):
        value = self.cleaned_data["isbn13"].strip()
        return validators.normalize_isbn(value) if value else ""


class PaperForm(CatalogueItemForm):
    """Takes an arXiv id or DOI in any form a curator pastes (URL, ``arXiv:`` prefix)."""

    def clean_arxiv_id(self):
        value = self.cleaned_data["arxiv_id"].strip()
        return validators.normalize_arxiv_id(value) if value else ""

    def clean_doi(self):
        value = self.cleaned_data["doi"].strip()
        return validators.normalize_doi(value) if value else ""


class DeadlineForm(forms.ModelForm):
    """Reads the UTC instant off the local time and zone as written, as the importers do.

    A curator types what the call for papers says ("2026-01-28 23:59:59", "AoE") and leaves the
    instant empty; an instant that contradicts them is refused rather than silently kept.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "at" in self.fields:
            self.fields["at"].help_text = _(
                "Leave empty: it is computed from the local time and zone as written. Empty while TBD."
            )

    def clean(self):
        cleaned = super().clean()
        local = (cleaned.get("local") or "").strip()
        zone = (cleaned.get("timezone") or "").strip()
        if not local or not zone or timezones.is_tbd(local) or timezones.is_tbd(zone):
            return cleaned
        try:
            timezones.parse_zone(zone)
        except timezones.TimeZoneError as exc:
            self.add_error("timezone", str(exc))
            return cleaned
        try:
            instant = timezones.to_utc(local, zone)
        except timezones.TimeZoneError as exc:
            self.add_error("local", str(exc))
            return cleaned
        if "at" in self.errors:
            return cleaned
        if cleaned.get("at") is None:
            cleaned["at"] = instant
        elif cleaned["at"] != instant:
            self.add_error(
                "at",
                _(
                    "%(local)s %(zone)s is %(instant)s UTC. Empty this field to take that instant, "
                    "or correct the local time or zone."
                )
                % {"local": local, "zone": zone, "instant": instant.strftime("%Y-%m-%d %H:%M:%S")},
            )
        return cleaned
