"""Import pages of the admin: upload a file, read the dry-run report, confirm.

The pages call the very functions the management commands call
(``resources.importers.<kind>.import_paths``). Between the two steps the upload waits under
``VAR_DIR/imports/<token>/``; the token is random, the session remembers it with the file's
name and SHA-256, and the confirm form carries only the token, so no path ever comes from the
browser and a file changed on disk in between is refused.
"""

import datetime as dt
import hashlib
import secrets
import shutil
import time
from dataclasses import asdict, dataclass
from importlib import import_module
from pathlib import Path, PurePath

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, SuspiciousFileOperation
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from resources.forms import ImportConfirmForm, ImportUploadForm

SESSION_KEY = "resources_import_staging"
#: An upload not confirmed within this time is forgotten and its file swept away.
STAGING_MAX_AGE = dt.timedelta(hours=6)


@dataclass(frozen=True)
class ImportKind:
    name: str
    title: str
    module: str
    extensions: tuple[str, ...]
    models: tuple[str, ...]
    help_text: str
    #: Whether the importer can write new items as drafts (``draft=True``) for review.
    supports_draft: bool = False

    @property
    def permissions(self) -> list[str]:
        return [f"resources.{action}_{model}" for model in self.models for action in ("add", "change")]

    def import_paths(self, paths, *, dry_run: bool, draft: bool = False):
        options = {"draft": draft} if self.supports_draft else {}
        return import_module(self.module).import_paths(paths, dry_run=dry_run, **options)


IMPORT_KINDS = {
    "deadlines": ImportKind(
        name="deadlines",
        title=_("Import conference deadlines"),
        module="resources.importers.deadlines",
        extensions=(".yml", ".yaml"),
        models=("conferenceseries", "conferenceedition", "deadline", "acceptancerate"),
        help_text=_(
            "A YAML file in either maintained community format: ccf-deadlines (a conference file "
            "or an accept_rates file) or Hugging Face ai-deadlines. The format is detected."
        ),
        supports_draft=True,
    ),
    "bibtex": ImportKind(
        name="bibtex",
        title=_("Import a BibTeX file"),
        module="resources.importers.bibtex",
        extensions=(".bib",),
        models=("paper", "book"),
        help_text=_("@book entries become books, every other entry type a paper."),
        supports_draft=True,
    ),
    "catalogue": ImportKind(
        name="catalogue",
        title=_("Import catalogue YAML"),
        module="resources.importers.catalogue",
        extensions=(".yml", ".yaml"),
        models=("topic", "conferenceseries", "paper", "book", "course", "community"),
        help_text=_(
            "A file in the format of the sample catalogue (resources/catalogue/README.md): one key, "
            "topics, conferences, papers, books, courses or communities, holding a list of entries. "
            "Entries are matched on their natural keys, so importing a file again changes nothing."
        ),
        supports_draft=True,
    ),
}


# --- staging --------------------------------------------------------------------------------------


def staging_root() -> Path:
    return Path(settings.VAR_DIR) / "imports"


@dataclass
class StagedFile:
    token: str
    kind: str
    name: str
    sha256: str
    created: float
    draft: bool = False

    @property
    def path(self) -> Path:
        return staging_root() / self.token / self.name

    def discard(self) -> None:
        shutil.rmtree(staging_root() / self.token, ignore_errors=True)


def stage(kind: ImportKind, name: str, data: bytes, *, draft: bool = False) -> StagedFile:
    sweep()
    try:
        safe_name = get_valid_filename(PurePath(name).name)
    except SuspiciousFileOperation:
        safe_name = ""
    if PurePath(safe_name).suffix.lower() not in kind.extensions:
        safe_name = f"upload{kind.extensions[0]}"
    staged = StagedFile(
        token=secrets.token_hex(16),
        kind=kind.name,
        name=safe_name,
        sha256=hashlib.sha256(data).hexdigest(),
        created=time.time(),
        draft=draft,
    )
    staged.path.parent.mkdir(parents=True, mode=0o700)
    staged.path.write_bytes(data)
    return staged


def remember(request, staged: StagedFile) -> None:
    entries = request.session.get(SESSION_KEY, {})
    entries[staged.token] = {k: v for k, v in asdict(staged).items() if k != "token"}
    request.session[SESSION_KEY] = entries


def claim(request, kind: ImportKind, token: str) -> StagedFile | None:
    """Take a staged upload out of the session (once) if it is this user's, fresh and unchanged."""
    entries = request.session.get(SESSION_KEY, {})
    info = entries.pop(token, None)
    request.session[SESSION_KEY] = entries
    if not info:
        return None
    staged = StagedFile(token=token, **info)
    fresh = time.time() - staged.created < STAGING_MAX_AGE.total_seconds()
    try:
        intact = hashlib.sha256(staged.path.read_bytes()).hexdigest() == staged.sha256
    except OSError:
        intact = False
    if staged.kind != kind.name or not fresh or not intact:
        staged.discard()
        return None
    return staged


def sweep() -> None:
    """Remove staged uploads nobody confirmed."""
    root = staging_root()
    if not root.is_dir():
        return
    oldest = time.time() - STAGING_MAX_AGE.total_seconds()
    for folder in root.iterdir():
        try:
            if folder.is_dir() and folder.stat().st_mtime < oldest:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue


# --- the pages ------------------------------------------------------------------------------------


def report_rows(report, staged: StagedFile) -> list[dict]:
    """The report's files with the upload's own name in place of the staging path."""
    rows = []
    for file_report in report.files:
        name = staged.name if file_report.path == str(staged.path) else PurePath(file_report.path).name
        error = file_report.error

        def clean(text: str) -> str:
            return text.replace(str(staged.path), staged.name)

        rows.append(
            {
                "file": name,
                "created": file_report.created,
                "updated": file_report.updated,
                "unchanged": file_report.unchanged,
                "entry": error.entry if error else "",
                "reason": error.reason.replace(str(staged.path), staged.name) if error else "",
                "note": file_report.note,
                "warnings": file_report.warnings,
                "errors": [
                    {"entry": e.entry, "line": e.line, "reason": clean(e.reason)} for e in file_report.errors
                ],
                "diff": file_report.diff,
            }
        )
    return rows


def diff_lines(report) -> list[str]:
    """What the import would create, change or withdraw, row by row, over all its files."""
    return [line for file_report in report.files for line in file_report.diff]


def summary(report) -> str:
    text = _(
        "created %(created)d, updated %(updated)d, unchanged %(unchanged)d; "
        "failed files %(failed)d of %(files)d"
    ) % {
        "created": report.total("created"),
        "updated": report.total("updated"),
        "unchanged": report.total("unchanged"),
        "failed": report.failed,
        "files": len(report.files),
    }
    return str(text)


class ImportPagesMixin:
    """Adds ``<changelist>/import/`` and an "Import" button to a ModelAdmin's changelist."""

    import_kind = ""

    @property
    def import_kind_spec(self) -> ImportKind:
        return IMPORT_KINDS[self.import_kind]

    def get_urls(self):
        urls = super().get_urls()
        if not self.import_kind:
            return urls
        name = f"{self.opts.app_label}_{self.opts.model_name}_import"
        # Before the model's own URLs, whose "<path:object_id>/" would take "import/".
        return [path("import/", self.admin_site.admin_view(self.import_view), name=name), *urls]

    def has_import_permission(self, request) -> bool:
        user = request.user
        return (
            bool(self.import_kind)
            and user.is_active
            and user.is_staff
            and user.has_perms(self.import_kind_spec.permissions)
        )

    def import_url(self) -> str:
        return reverse(f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_import")

    def changelist_view(self, request, extra_context=None):
        extra_context = dict(extra_context or {})
        if self.has_import_permission(request):
            extra_context["import_url"] = self.import_url()
            extra_context["import_title"] = self.import_kind_spec.title
        return super().changelist_view(request, extra_context)

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        kind = self.import_kind_spec
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": kind.title,
            "kind": kind,
            "has_view_permission": self.has_view_permission(request),
            "changelist_url": reverse(
                f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_changelist"
            ),
        }
        form = self._upload_form(kind)
        if request.method == "POST" and "token" in request.POST:
            return self._confirm(request, kind, context)
        if request.method == "POST":
            form = self._upload_form(kind, request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                draft = bool(form.cleaned_data.get("draft"))
                staged = stage(kind, upload.name, form.cleaned_data["text"].encode("utf-8"), draft=draft)
                report = kind.import_paths([staged.path], dry_run=True, draft=draft)
                context.update(
                    report=report, rows=report_rows(report, staged), staged=staged, diff=diff_lines(report)
                )
                if report.ok:
                    remember(request, staged)
                    context["confirm_form"] = ImportConfirmForm(initial={"token": staged.token})
                    context["summary"] = summary(report)
                else:
                    staged.discard()
        context["form"] = form
        return TemplateResponse(request, "admin/resources/import.html", context)

    def _upload_form(self, kind, *args):
        return ImportUploadForm(*args, extensions=kind.extensions, draft_option=kind.supports_draft)

    def _confirm(self, request, kind, context):
        confirm = ImportConfirmForm(request.POST)
        staged = claim(request, kind, confirm.cleaned_data["token"]) if confirm.is_valid() else None
        if staged is None:
            self.message_user(
                request,
                _("That upload is no longer waiting (imported, expired or changed). Upload it again."),
                messages.ERROR,
            )
            return HttpResponseRedirect(request.path)
        try:
            report = kind.import_paths([staged.path], dry_run=False, draft=staged.draft)
        finally:
            staged.discard()
        if report.ok:
            self.message_user(
                request,
                _("Imported %(name)s: %(summary)s.") % {"name": staged.name, "summary": summary(report)},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(context["changelist_url"])
        context.update(
            report=report,
            rows=report_rows(report, staged),
            staged=staged,
            form=self._upload_form(kind),
            confirm_failed=True,
        )
        return TemplateResponse(request, "admin/resources/import.html", context)
