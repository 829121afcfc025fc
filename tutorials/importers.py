"""The shipped tutorials: tutorials/content/<slug>.yml with <slug>.en.md and <slug>.zh.md beside it.

``load_tutorials()`` is what ``manage.py load_tutorials`` calls. The tutorials are imported in one
transaction (``resources.importers.base.run_files``: any error stores nothing, and every error is
listed) with an idempotent upsert on each slug,
so loading unchanged files again creates and updates nothing. tutorials/content/README.md
describes the format.

Ownership of fields, as in the catalogue loader: every field the files know is written on each
load, except ``status``, which is set when the loader creates the tutorial and afterwards belongs
to the curators, so that a tutorial they unpublish in the admin stays unpublished.

Catalogue links in a body are written ``[text](paper:1706.03762)``, ``(book:<ISBN or slug>)``,
``(course:<slug>)``, ``(topic:<slug>)`` or ``(tutorial:<slug>)``. The loader checks that each
item exists and stores the link as the item's page address, so a typo fails the file instead
of leaving a dead link; a paper, book or course linked in the text must also be listed in the
header, which is what the tutorial's "further reading" shows.
"""

import re
from collections.abc import Callable
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse

from resources import models as catalogue
from resources import validators
from resources.importers.base import EntryError, FileReport, ImportReport, run_files, upsert
from resources.importers.catalogue import Entry
from tutorials.models import Tutorial
from tutorials.rendering import render_markdown

CONTENT_DIR = Path(settings.BASE_DIR) / "tutorials" / "content"
LANGUAGES = ("en", "zh")

FIELDS = {
    "slug": str,
    "level": str,
    "status": str,
    "featured": bool,
    "position": int,
    "topics": list,
    "demo": str,
    "demo_defaults": dict,
    "papers": list,
    "books": list,
    "courses": list,
    "title_en": str,
    "title_zh": str,
    "summary_en": str,
    "summary_zh": str,
}
REQUIRED = ["slug", "level", "topics", "title_en", "title_zh", "summary_en", "summary_zh"]

#: ``](kind:reference)`` or ``](kind:reference "title")`` in a Markdown body.
CATALOGUE_LINK = re.compile(
    r"\]\((?P<kind>paper|book|course|topic|tutorial):(?P<ref>[^\s)]+)(?P<title>\s+\"[^\"]*\")?\)"
)

_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def content_paths(content_dir: Path | str | None = None) -> list[Path]:
    folder = Path(content_dir) if content_dir is not None else CONTENT_DIR
    return sorted(folder.glob("*.yml"))


def load_tutorials(
    *,
    dry_run: bool = False,
    content_dir: Path | str | None = None,
    progress: Callable[[FileReport], None] | None = None,
) -> ImportReport:
    """Load every tutorial of ``content_dir`` (default tutorials/content/); one report for all."""
    paths = content_paths(content_dir)
    # Tutorials may link to each other, in any order: a slug is known if its file is here.
    shipped = {path.stem for path in paths}
    return run_files(
        paths,
        lambda path, report: _import_file(path, report, shipped),
        dry_run=dry_run,
        progress=progress,
    )


def _read_yaml(path: Path):
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)  # noqa: S506 (a safe loader)
    except FileNotFoundError:
        raise EntryError("(file)", "the file does not exist") from None
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1}, column {where.column + 1})" if where else ""
        raise EntryError("(file)", f"not valid YAML{line}: {getattr(exc, 'problem', None) or exc}") from None


def _read_body(path: Path, language: str) -> str:
    body_path = path.with_name(f"{path.stem}.{language}.md")
    try:
        return body_path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise EntryError("(file)", f"the body {body_path.name} is missing next to {path.name}") from None


def _import_file(path: Path, file_report: FileReport, shipped: set[str]) -> None:
    entry = Entry(_read_yaml(path) or {}, f"tutorial {path.stem}", FIELDS, REQUIRED)
    slug = entry.text("slug")
    if slug != path.stem:
        raise EntryError(entry.name, f"slug: {slug!r} differs from the file name; name the file {slug}.yml")

    related = {
        "topics": _topics(entry),
        "papers": _papers(entry),
        "books": _books(entry),
        "courses": _courses(entry),
    }
    bodies = {}
    for language in LANGUAGES:
        body = _resolve_links(entry, language, _read_body(path, language), related, shipped)
        _check_math(entry, language, body)
        bodies[f"body_{language}"] = body

    values = {
        "level": entry.text("level"),
        "featured": bool(entry.get("featured", False)),
        "position": entry.get("position", 0),
        "demo": entry.text("demo"),
        "demo_defaults": entry.get("demo_defaults", {}),
        **{key: entry.text(key) for key in ("title_en", "title_zh", "summary_en", "summary_zh")},
        **bodies,
    }
    status = _status(entry)
    if not Tutorial.objects.filter(slug=slug).exists():
        values["status"] = status
    # upsert validates a new or changed row with full_clean(), which runs Tutorial.clean():
    # an unknown demo or an out-of-bounds default fails the file with the demo's own message.
    _, outcome = upsert(
        Tutorial,
        {"slug": slug},
        values,
        entry=entry.name,
        m2m={name: items.objects() for name, items in related.items()},
    )
    file_report.count(outcome)


def _status(entry: Entry) -> str:
    status = entry.text("status") or catalogue.Status.PUBLISHED
    if status not in catalogue.Status.values:
        raise EntryError(entry.name, f"status: expected one of {', '.join(catalogue.Status.values)}")
    return status


# --- catalogue references ------------------------------------------------------------------------


class Related:
    """The catalogue items one header list names, found by their normalised reference."""

    def __init__(self, entry: Entry, key: str, items: dict, normalise: Callable[[str], str]):
        self.key, self.normalise = key, normalise
        self.items: dict = {}
        unknown = []
        for reference in entry.strings(key):
            item = items.get(normalise(reference))
            if item is None:
                unknown.append(reference)
            else:
                self.items[normalise(reference)] = item
        if unknown:
            raise EntryError(
                entry.name,
                f"{key}: not in the catalogue: {', '.join(unknown)} "
                "(load the catalogue first, or fix the reference)",
            )

    def get(self, reference: str):
        return self.items.get(self.normalise(reference))

    def objects(self) -> list:
        return list({item.pk: item for item in self.items.values()}.values())


def _topics(entry: Entry) -> Related:
    slugs = entry.strings("topics")
    return Related(entry, "topics", {t.slug: t for t in catalogue.Topic.objects.filter(slug__in=slugs)}, str)


def _courses(entry: Entry) -> Related:
    slugs = entry.strings("courses")
    return Related(
        entry, "courses", {c.slug: c for c in catalogue.Course.objects.filter(slug__in=slugs)}, str
    )


def _papers(entry: Entry) -> Related:
    def normalise(reference: str) -> str:
        try:
            return validators.normalize_arxiv_id(reference)
        except ValidationError as exc:
            raise EntryError(entry.name, f"paper {reference}: {' '.join(exc.messages)}") from None

    ids = [normalise(reference) for reference in entry.strings("papers")]
    papers = {p.arxiv_id: p for p in catalogue.Paper.objects.filter(arxiv_id__in=ids)}
    return Related(entry, "papers", papers, normalise)


def _isbn_or_slug(reference: str) -> str:
    """Books are named by ISBN (10 or 13 digits, hyphens allowed) or, lacking one, by slug."""
    try:
        return validators.normalize_isbn(reference)
    except ValidationError:
        return reference


def _books(entry: Entry) -> Related:
    keys = [_isbn_or_slug(reference) for reference in entry.strings("books")]
    books = {}
    for book in catalogue.Book.objects.filter(Q(isbn13__in=keys) | Q(slug__in=keys)):
        books[book.slug] = book
        if book.isbn13:
            books[book.isbn13] = book
    return Related(entry, "books", books, _isbn_or_slug)


# --- bodies ----------------------------------------------------------------------------------------

_LINK_TARGETS = {"paper": "papers", "book": "books", "course": "courses", "topic": "topics"}


def _resolve_links(entry: Entry, language: str, body: str, related: dict, shipped: set[str]) -> str:
    """Replace ``(kind:reference)`` link targets with the addresses of the catalogue's pages."""
    where = f"{entry.text('slug')}.{language}.md"
    linked_topics = {m["ref"] for m in CATALOGUE_LINK.finditer(body) if m["kind"] == "topic"}
    topics = {t.slug: t for t in catalogue.Topic.objects.filter(slug__in=linked_topics)}

    def replace(match: re.Match) -> str:
        kind, reference, title = match["kind"], match["ref"], match["title"] or ""
        if kind == "tutorial":
            if reference not in shipped and not Tutorial.objects.filter(slug=reference).exists():
                raise EntryError(
                    entry.name, f"{where}: links to tutorial {reference!r}, which does not exist"
                )
            return f"]({reverse('tutorials:detail', args=[reference])}{title})"
        if kind == "topic":
            item = topics.get(reference)
            if item is None:
                raise EntryError(
                    entry.name, f"{where}: links to topic {reference!r}, which is not in the catalogue"
                )
            return f"]({item.get_absolute_url()}{title})"
        key = _LINK_TARGETS[kind]
        item = related[key].get(reference)
        if item is None:
            raise EntryError(
                entry.name,
                f"{where}: links to {kind} {reference!r}, which {entry.text('slug')}.yml does not list "
                f"under {key}: (what the text links to is what the page lists as further reading)",
            )
        return f"]({item.get_absolute_url()}{title})"

    return CATALOGUE_LINK.sub(replace, body)


#: Code is shown as written; everything else must have been converted.
_CODE = re.compile(r"<pre\b.*?</pre>|<code\b.*?</code>", re.DOTALL)
_LEFTOVER_TEX = re.compile(r"\\[A-Za-z]+|\$")


def unconverted_math(html: str) -> list[str]:
    """TeX that rendered HTML still shows as text: failed formulas, unknown commands, stray dollars."""
    problems = re.findall(r'<code class="math-error">(.*?)</code>', html)
    prose = _CODE.sub("", html)
    problems += sorted(set(_LEFTOVER_TEX.findall(prose)))
    return problems


def _check_math(entry: Entry, language: str, body: str) -> None:
    problems = unconverted_math(render_markdown(body))
    if problems:
        raise EntryError(
            entry.name,
            f"{entry.text('slug')}.{language}.md: math that does not render: {'; '.join(problems)}",
        )
