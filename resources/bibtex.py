"""BibTeX in and out: LaTeX to Unicode and back, author names, arXiv ids and DOIs, entries.

Reading returns plain Python data (``BibEntry``), and a ``Problem`` with its line for each entry
that cannot be read; the importer in ``resources.importers.bibtex`` turns entries into rows.
Writing escapes text so that reading the output back gives the same text: papers as
@inproceedings (a conference), @article (a journal) or @misc, with their abstracts; books as
@book with publisher, edition and ISBN. An author list ending with ``OTHERS`` is written with
"and others". Fields that BibTeX treats verbatim (url, doi, eprint, isbn) are never LaTeX-decoded
or -encoded.
"""

import contextlib
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import bibtexparser
from bibtexparser.model import DuplicateBlockKeyBlock, DuplicateFieldKeyBlock
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db
from pylatexenc.latexencode import RULE_REGEX, UnicodeToLatexConversionRule, UnicodeToLatexEncoder

from resources.validators import normalize_arxiv_id, normalize_doi

VERBATIM_FIELDS = frozenset(
    {"url", "doi", "eprint", "archiveprefix", "eprinttype", "primaryclass", "isbn", "issn", "file", "pdf"}
)
MONTHS = dict(
    zip(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
        ["January", "February", "March", "April", "May", "June", "July", "August", "September",
         "October", "November", "December"],
        strict=True,
    )
)  # fmt: skip


# --- LaTeX → Unicode -----------------------------------------------------------------------------


def _decoder() -> LatexNodes2Text:
    context = get_default_latex_context_db()
    context.add_context_category(
        "portal-bibtex",
        prepend=True,
        macros=[
            MacroTextSpec("url", simplify_repl="%s"),
            # pylatexenc gives the modifier letter ˆ; a title that says x^2 means the caret.
            MacroTextSpec("textasciicircum", simplify_repl="^"),
            MacroTextSpec("TeX", simplify_repl="TeX"),
            MacroTextSpec("LaTeX", simplify_repl="LaTeX"),
        ],
    )
    return LatexNodes2Text(latex_context=context, math_mode="verbatim", keep_braced_groups=False)


_DECODER = _decoder()
_UNESCAPED_PERCENT = re.compile(r"(?<!\\)%")
# Text without any of these reads the same in LaTeX as in Unicode.
_LATEX_SYNTAX = re.compile(r"[\\{}~%&#_^$]|--|''|``|[?!]`")


def latex_to_text(value: str) -> str:
    """Unicode text of a LaTeX field value: accents, braces, dashes and quotes resolved.

    A bare ``%`` starts a comment in LaTeX but not inside a BibTeX value; it is kept as text.
    Math (``$x^2$``) is kept as written. Runs of white space become one space.
    """
    if not value:
        return ""
    if not _LATEX_SYNTAX.search(value):
        return " ".join(value.split())  # most values: pylatexenc would take a millisecond to return them
    text = _DECODER.latex_to_text(_UNESCAPED_PERCENT.sub(r"\\%", value))
    return " ".join(text.split())


# --- Unicode → LaTeX -----------------------------------------------------------------------------

_MATH = re.compile(r"(?<!\\)\$[^$]+?(?<!\\)\$")


def _encoder(keep_math: bool) -> UnicodeToLatexEncoder:
    rules: list = []
    if keep_math:
        rules.append(UnicodeToLatexConversionRule(rule_type=RULE_REGEX, rule=[(_MATH, r"\g<0>")]))
    rules.append(
        UnicodeToLatexConversionRule(
            rule_type=RULE_REGEX,
            rule=[
                # Pairs that LaTeX would join into a dash, a quote or ¿ / ¡ are kept apart.
                (re.compile(r"-(?=-)"), r"-{}"),
                (re.compile(r"'(?=')"), r"'{}"),
                (re.compile(r"`(?=`)"), r"`{}"),
                (re.compile(r"([?!])(?=`)"), r"\1{}"),
                (re.compile(r'"'), r'{"}'),
                (re.compile(r"\^"), r"{\\textasciicircum}"),
            ],
        )
    )
    rules.append("defaults")
    return UnicodeToLatexEncoder(
        conversion_rules=rules,
        replacement_latex_protection="braces-all",
        unknown_char_policy="keep",
        unknown_char_warning=False,
    )


_ENCODER_KEEP_MATH = _encoder(keep_math=True)
_ENCODER = _encoder(keep_math=False)
_WORD_NEEDS_CASE_PROTECTION = re.compile(r"^.+[A-Z]")


def _balanced(text: str) -> bool:
    depth = 0
    for i, char in enumerate(text):
        if char in "{}" and i and text[i - 1] == "\\":
            continue
        depth += 1 if char == "{" else -1 if char == "}" else 0
        if depth < 0:
            return False
    return depth == 0


def text_to_latex(text: str, *, protect_case: bool = False) -> str:
    """LaTeX for a BibTeX value that ``latex_to_text`` reads back as ``text`` (white space aside).

    Specials are escaped, accented letters written as LaTeX accents (ü → {\\"u}), characters
    LaTeX has no macro for (Chinese, for one) kept as UTF-8. With ``protect_case``, words with a
    capital after their first letter (BERT, ImageNet) are braced so that styles keep their case.
    """
    text = " ".join((text or "").split())
    for encoder in (_ENCODER_KEEP_MATH, _ENCODER):
        if protect_case:
            words = []
            for word in text.split(" "):
                encoded = encoder.unicode_to_latex(word)
                words.append(f"{{{encoded}}}" if _WORD_NEEDS_CASE_PROTECTION.match(word) else encoded)
            result = " ".join(words)
        else:
            result = encoder.unicode_to_latex(text)
        if _balanced(result) and latex_to_text(result) == text:
            return result
    return result


# --- Names ---------------------------------------------------------------------------------------

_AND = re.compile(r"\s+and\s+", re.IGNORECASE)


def _split_top_level(value: str, separator: re.Pattern) -> list[str]:
    """Split ``value`` where ``separator`` matches outside braces."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(value):
        char = value[i]
        if char == "\\":
            i += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif depth == 0:
            match = separator.match(value, i)
            if match:
                parts.append(value[start:i])
                start = i = match.end()
                continue
        i += 1
    parts.append(value[start:])
    return parts


#: The last "author" of a list that the source truncated: BibTeX's ``and others``.
OTHERS = "others"
_ET_AL = re.compile(r"^et\.?\s*al\.?$", re.IGNORECASE)
_TRAILING_ET_AL = re.compile(r"\s+et\.?\s*al\.?$", re.IGNORECASE)


def read_names(raw: str) -> tuple[list[str], list[str]]:
    """Names of a BibTeX ``author``/``editor`` value, and notes on what was read into it.

    Each name is "First von Last" Unicode text: "Last, First" and "von Last, Jr, First" are
    turned around; a braced name ("{OpenAI Team}") stays whole. A list the source truncated
    ("and others", or the common mistakes "and et al." and "Vaswani et al.") ends with the
    marker ``OTHERS``, which ``names_to_latex`` writes back as ``and others``; "et al." is never
    taken for an author. The notes say where the text was read as something else than written.
    """
    names: list[str] = []
    notes: list[str] = []
    truncated = False
    parts = [p.strip() for p in _split_top_level((raw or "").strip(), _AND)]
    for index, part in enumerate(parts):
        if not part:
            continue
        if part.lower() == OTHERS or _ET_AL.match(part):
            if part.lower() != OTHERS:
                notes.append(f"“{part}” read as “and others”: the list is truncated")
            if index != len(parts) - 1:
                notes.append(f"“{part}” before the last name read as the end of a truncated list")
            truncated = True
            continue
        if _TRAILING_ET_AL.search(part):
            notes.append(f"“{part}” read as {_TRAILING_ET_AL.sub('', part)!r} and others")
            part = _TRAILING_ET_AL.sub("", part)
            truncated = True
        pieces = [latex_to_text(p) for p in _split_top_level(part, re.compile(r"\s*,\s*"))]
        if len(pieces) == 1:
            name = pieces[0]
        elif len(pieces) == 2:
            name = f"{pieces[1]} {pieces[0]}"
        else:
            name = f"{' '.join(pieces[2:])} {pieces[0]} {pieces[1]}"
        name = " ".join(name.split())
        if name:
            names.append(name)
    if truncated and names:
        names.append(OTHERS)
    return names, notes


def split_names(raw: str) -> list[str]:
    """The names ``read_names`` reads, without its notes."""
    return read_names(raw)[0]


def is_truncated(names: list[str]) -> bool:
    """True for an author list that ends with the ``OTHERS`` marker."""
    return bool(names) and names[-1] == OTHERS


def names_to_latex(names: Iterable[str]) -> str:
    """An ``author`` value that ``split_names`` reads back as ``names`` (``OTHERS`` last: "and others")."""
    names = list(names)
    written = []
    for index, name in enumerate(names):
        if name == OTHERS and index == len(names) - 1:
            written.append(OTHERS)
            continue
        encoded = text_to_latex(name)
        # Braces keep a comma or an "and" inside one name from splitting it, and a person
        # called "Others" from being read as a truncation.
        if "," in name or re.search(r"(?i)(^|\s)and(\s|$)", name) or name.lower() == OTHERS:
            encoded = f"{{{encoded}}}"
        written.append(encoded)
    return " and ".join(written)


# --- Identifiers ---------------------------------------------------------------------------------

_ARXIV_IN_TEXT = re.compile(r"arxiv\s*:\s*(?:abs/)?(?P<id>[\w.\-/]+)", re.IGNORECASE)
_CORR_ABS = re.compile(r"(?:^|\s)abs/(?P<id>[\w.\-/]+)", re.IGNORECASE)
_ARXIV_JOURNAL = re.compile(r"^\s*(arxiv|corr)\b", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(?P<id>.+)$", re.IGNORECASE)
_VERSION = re.compile(r"v\d+$")


class IdentifierError(ValueError):
    """A field names an arXiv id or DOI that is not valid, or two fields disagree."""


def _arxiv(value: str, source: str) -> str:
    try:
        return _VERSION.sub("", normalize_arxiv_id(value.strip().rstrip(".,;")))
    except ValidationError as exc:
        raise IdentifierError(f"{source}: {' '.join(exc.messages)}") from None


def _url_arxiv(url: str) -> str | None:
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    if host in {"arxiv.org", "www.arxiv.org", "export.arxiv.org"}:
        match = re.match(r"^/(?:abs|pdf)/(?P<id>.+?)(?:\.pdf)?/?$", parts.path)
        if match:
            return match["id"]
    return None


def _url_doi(url: str) -> str | None:
    parts = urlsplit(url.strip())
    if (parts.hostname or "").lower() in {"doi.org", "dx.doi.org", "www.doi.org"}:
        return unquote(parts.path.lstrip("/")) or None
    return None


def _agree(found: list[tuple[str, str]], what: str) -> str:
    values = {value for _, value in found}
    if len(values) > 1:
        listing = ", ".join(f"{source} says {value}" for source, value in found)
        raise IdentifierError(f"the fields name different {what}s: {listing}")
    return found[0][1] if found else ""


def find_arxiv_id(fields: dict[str, str]) -> str:
    """The arXiv id (without version) named by eprint, journal/volume, url or an arXiv DOI, or ""."""
    found: list[tuple[str, str]] = []
    eprint = fields.get("eprint", "").strip()
    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "").strip().lower()
    if eprint and prefix == "arxiv":
        found.append(("eprint", _arxiv(eprint, "eprint")))
    elif eprint and not prefix:
        # Without an archive named, an eprint that reads as an arXiv id is taken as one.
        with contextlib.suppress(IdentifierError):
            found.append(("eprint", _arxiv(eprint, "eprint")))
    for name in ("journal", "volume"):
        text = fields.get(name, "")
        if name == "volume" and not _ARXIV_JOURNAL.match(fields.get("journal", "")):
            continue
        match = _ARXIV_IN_TEXT.search(text) or (
            _CORR_ABS.search(text) if _ARXIV_JOURNAL.match(fields.get("journal", "")) else None
        )
        if match:
            found.append((name, _arxiv(match["id"], name)))
    url_id = _url_arxiv(fields.get("url", ""))
    if url_id:
        found.append(("url", _arxiv(url_id, "url")))
    doi_match = _ARXIV_DOI.match(fields.get("doi", "").strip())
    if doi_match:
        found.append(("doi", _arxiv(doi_match["id"], "doi")))
    return _agree(found, "arXiv id")


def find_doi(fields: dict[str, str]) -> str:
    """The DOI named by the doi field or a doi.org url, or ""."""
    found: list[tuple[str, str]] = []
    for source, value in (("doi", fields.get("doi", "")), ("url", _url_doi(fields.get("url", "")) or "")):
        if value.strip():
            try:
                found.append((source, normalize_doi(value.strip())))
            except ValidationError as exc:
                raise IdentifierError(f"{source}: {' '.join(exc.messages)}") from None
    return _agree(found, "DOI")


def is_arxiv_journal(journal: str) -> bool:
    """True for a "journal" that only says the paper is on arXiv (arXiv preprint …, CoRR)."""
    return bool(_ARXIV_JOURNAL.match(journal or ""))


# --- Reading -------------------------------------------------------------------------------------

# parse() reports every block bibtexparser gives up on, with 1-based lines; its own warnings
# (0-based lines) would only contradict that on the console.
logging.getLogger("bibtexparser").setLevel(logging.ERROR)


@dataclass
class Problem:
    """An entry (or a stretch of text) that cannot be read: its key where known, its line."""

    entry: str  # the key, or "@type" / "(text)" where the key cannot be read
    line: int
    reason: str

    @property
    def where(self) -> str:
        return f"{self.entry} (line {self.line})"


class BibtexSyntaxError(ValueError):
    """The text is not BibTeX that can be read whole; ``problems`` lists (where, reason)."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{where}: {reason}" for where, reason in problems))


@dataclass
class BibEntry:
    key: str
    entry_type: str  # lower case: "article", "book", ...
    line: int  # 1-based line of the entry's "@"
    raw: dict[str, str]  # field name (lower case) → value as written, enclosing braces removed

    def text(self, name: str) -> str:
        """The field as Unicode text (LaTeX decoded), or the verbatim value for url, doi, ..."""
        value = self.raw.get(name, "")
        return value.strip() if name in VERBATIM_FIELDS else latex_to_text(value)

    @property
    def where(self) -> str:
        return f"{self.key} (line {self.line})"


def _concatenate(value: str, strings: dict[str, str]) -> str:
    """Resolve ``nips # " 2017"``, which bibtexparser leaves as written."""
    pieces = []
    for piece in _split_top_level(value, re.compile(r"\s*#\s*")):
        piece = piece.strip()
        if len(piece) >= 2 and piece[0] + piece[-1] in ('""', "{}"):
            pieces.append(piece[1:-1])
        elif piece.lower() in strings:
            pieces.append(strings[piece.lower()])
        else:
            pieces.append(MONTHS.get(piece.lower(), piece))
    return "".join(pieces)


def read(text: str) -> tuple[list[BibEntry], list[Problem]]:
    """The entries of a BibTeX text that can be read, in order, and a problem for each other one.

    The reader resynchronises at the next ``@``: an unbalanced brace or quote costs the entry it
    is in, not the rest of the file. Problems, each with its 1-based line: blocks that are not
    valid BibTeX, a key used again (compared without regard to case, as BibTeX does; the first
    entry stands), a field given twice in one entry or a NUL character in it (the entry is left
    out: no database stores NUL in text).
    """
    library = bibtexparser.parse_string(text)
    problems: list[Problem] = []
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, DuplicateBlockKeyBlock):
            first = (block.previous_block.start_line or 0) + 1
            problems.append(Problem(block.key, line, f"duplicate BibTeX key (lines {first} and {line})"))
        elif isinstance(block, DuplicateFieldKeyBlock):
            fields = ", ".join(sorted(block.duplicate_keys))
            problems.append(Problem(block.ignore_error_block.key, line, f"field given twice: {fields}"))
        else:
            error = block.error
            detail = getattr(error, "abort_reason", "") or getattr(error, "message", "") or str(error)
            head = re.match(r"\s*@\s*(\w*)\s*[{(]?\s*([^,\s=]*)", block.raw or "")
            entry = (head[2] or f"@{head[1]}") if head and (head[1] or head[2]) else "(text)"
            detail = " ".join(str(detail).split()) or type(error).__name__
            reason = f"not valid BibTeX ({detail}); look for an unbalanced brace or quote"
            problems.append(Problem(entry, line, reason))

    strings = {key.lower(): s.value for key, s in library.strings_dict.items()}
    entries: list[BibEntry] = []
    seen: dict[str, int] = {}
    for entry in library.entries:
        line = (entry.start_line or 0) + 1
        if entry.key.lower() in seen:
            first = seen[entry.key.lower()]
            reason = f"duplicate BibTeX key, differing only in case (lines {first} and {line})"
            problems.append(Problem(entry.key, line, reason))
            continue
        seen[entry.key.lower()] = line
        raw: dict[str, str] = {}
        twice: list[str] = []
        for field in entry.fields:
            name = field.key.lower()
            if name in raw:
                twice.append(name)
            value = str(field.value)
            if field.enclosing == "no-enclosing" and "#" in value:
                value = _concatenate(value, strings)
            raw[name] = value
        if twice:
            problems.append(Problem(entry.key, line, f"field given twice: {', '.join(sorted(set(twice)))}"))
            continue
        if "\x00" in entry.key or any("\x00" in value for value in raw.values()):
            reason = "contains a NUL character (\\x00), which no text can hold; remove it"
            problems.append(Problem(entry.key.replace("\x00", "\\x00"), line, reason))
            continue
        entries.append(BibEntry(key=entry.key, entry_type=entry.entry_type.lower(), line=line, raw=raw))
    problems.sort(key=lambda p: p.line)
    return entries, problems


def parse(text: str) -> list[BibEntry]:
    """The entries of a BibTeX text, in order; raises BibtexSyntaxError listing every problem
    that ``read`` finds (where: the key, with its line for all but a repeated key)."""
    entries, problems = read(text)
    if problems:
        repeated = "duplicate BibTeX key"
        raise BibtexSyntaxError(
            [(p.entry if p.reason.startswith(repeated) else p.where, p.reason) for p in problems]
        )
    return entries


# --- Writing -------------------------------------------------------------------------------------

_CONFERENCE_VENUE = re.compile(
    r"(?i)\b(proc(eedings|\.)?|conference|workshop|symposium|congress|meeting|summit|"
    r"advances in neural information processing systems|neurips|nips|icml|iclr|cvpr|iccv|eccv|acl|"
    r"emnlp|naacl|eacl|coling|aaai|ijcai|kdd|sigir|www|interspeech|icassp|wacv|bmvc|corl|colt|uai|"
    r"aistats|miccai|sosp|osdi|nsdi|eurosys|mlsys|atc|isca|asplos|sigmod|vldb|icde|chi|uist|siggraph|"
    r"icra|iros|cikm|wsdm|recsys|ijcnlp|lrec|sc(?=\s*'?\d))\b"
)
# A journal whose name holds a conference's (Transactions of the ACL) is still a journal.
_JOURNAL_VENUE = re.compile(r"(?i)\b(journal|transactions|letters|magazine|jmlr|tacl|tmlr|tpami)\b")
_KEY_STOPWORDS = frozenset(
    {"a", "an", "the", "on", "of", "in", "for", "and", "to", "with", "from", "by", "at", "as", "is", "are"}
)
_VALID_KEY = re.compile(r"^[^\s,{}()\"#%'=~\\]+$")


def _ascii_letters(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def generate_key(item) -> str:
    """A stable key from the first author's surname, the year and the title: vaswani2017attention."""
    surname = ""
    if item.authors and item.authors[0] != OTHERS:
        surname = _ascii_letters(item.authors[0].split()[-1]) if item.authors[0].split() else ""
    words = (_ascii_letters(t) for t in (item.title or "").split())
    word = next((w for w in words if w and w not in _KEY_STOPWORDS), "")
    return f"{surname or item._meta.model_name}{item.year or ''}{word}"


def _stored_key(item) -> str:
    # Books have no key of their own; a paper's is the one it was imported with.
    return (getattr(item, "bibtex_key", "") or "").strip()


def bibtex_key(item) -> str:
    key = _stored_key(item)
    return key if key and _VALID_KEY.match(key) else generate_key(item)


def _venue(paper) -> str:
    if paper.venue:
        return paper.venue
    edition = paper.venue_edition
    if edition is not None:
        return f"{edition.series.full_name or edition.series.short_name} {edition.year}"
    return ""


def is_conference(paper) -> bool:
    """True when the paper appeared at a conference: it names a conference edition, or its venue
    reads as one (a proceedings, a workshop, NeurIPS 2019) and not as a journal."""
    if paper.venue_edition_id:
        return True
    venue = _venue(paper)
    return bool(venue and _CONFERENCE_VENUE.search(venue) and not _JOURNAL_VENUE.search(venue))


def _verbatim(value: str) -> str:
    # A verbatim value cannot escape braces; an unbalanced one is percent-encoded (only URLs have them).
    return value if _balanced(value) else value.replace("{", "%7B").replace("}", "%7D")


def _entry(entry_type: str, key: str, fields: list[tuple[str, str]]) -> str:
    body = "".join(f"  {name} = {{{value}}},\n" for name, value in fields)
    return f"@{entry_type}{{{key},\n{body}}}\n"


def paper_to_bibtex(paper, *, key: str | None = None) -> str:
    """One BibTeX entry for a paper: @inproceedings with booktitle for a conference (see
    ``is_conference``), @article with journal for another venue, @misc otherwise; arXiv papers
    carry eprint and archivePrefix; the abstract is written when there is one."""
    venue = _venue(paper)
    if venue and is_conference(paper):
        entry_type, venue_field = "inproceedings", "booktitle"
    elif venue:
        entry_type, venue_field = "article", "journal"
    else:
        entry_type, venue_field = "misc", ""
    fields: list[tuple[str, str]] = []
    if paper.authors:
        fields.append(("author", names_to_latex(paper.authors)))
    fields.append(("title", text_to_latex(paper.title, protect_case=True)))
    if venue_field:
        fields.append((venue_field, text_to_latex(venue)))
    if paper.year:
        fields.append(("year", str(paper.year)))
    if paper.arxiv_id:
        fields += [("eprint", paper.arxiv_id), ("archivePrefix", "arXiv")]
    if paper.doi:
        fields.append(("doi", _verbatim(paper.doi)))
    if paper.url:
        fields.append(("url", _verbatim(paper.url)))
    if paper.abstract:
        fields.append(("abstract", text_to_latex(paper.abstract)))
    return _entry(entry_type, key or bibtex_key(paper), fields)


def book_to_bibtex(book, *, key: str | None = None) -> str:
    """One @book entry: authors, title, publisher, year, edition, ISBN-13 and URL."""
    fields: list[tuple[str, str]] = []
    if book.authors:
        fields.append(("author", names_to_latex(book.authors)))
    fields.append(("title", text_to_latex(book.title, protect_case=True)))
    if book.publisher:
        fields.append(("publisher", text_to_latex(book.publisher)))
    if book.year:
        fields.append(("year", str(book.year)))
    if book.edition:
        fields.append(("edition", text_to_latex(book.edition)))
    if book.isbn13:
        fields.append(("isbn", book.isbn13))
    if book.url:
        fields.append(("url", _verbatim(book.url)))
    return _entry("book", key or bibtex_key(book), fields)


def item_to_bibtex(item, *, key: str | None = None) -> str:
    """``book_to_bibtex`` for a book, ``paper_to_bibtex`` for a paper."""
    writer = book_to_bibtex if item._meta.model_name == "book" else paper_to_bibtex
    return writer(item, key=key)


def _with_abstracts(papers: QuerySet) -> QuerySet:
    """The queryset with the abstract loaded, if a list page deferred it: one query, not one per paper."""
    fields, deferring = papers.query.deferred_loading
    if deferring and "abstract" in fields:
        return papers.defer(None).defer(*(set(fields) - {"abstract"}))
    return papers


def _prepared(items: Iterable) -> Iterable:
    """A QuerySet of papers with its venue joined in and its abstracts loaded."""
    if isinstance(items, QuerySet) and items.model._meta.model_name == "paper":
        return _with_abstracts(items.select_related("venue_edition__series"))
    return items


def _reserved(stored_keys: Iterable[str]) -> set[str]:
    # Stored keys are reserved first, so that a generated key never takes one of them.
    keys = (key.strip() for key in stored_keys if key)
    return {key.lower() for key in keys if key and _VALID_KEY.match(key)}


def iter_entries(items: Iterable, *, reserved: set[str] | None = None) -> Iterator[str]:
    """The entries of ``entries_to_bibtex``, one at a time, each but the first after a blank line.

    ``reserved`` holds the stored keys (lower case) of every item to come; without it the items
    are read into a list first to find them.
    """
    if reserved is None:
        items = list(items)
        reserved = _reserved(_stored_key(i) for i in items)
    used = set(reserved)
    separator = ""
    for item in items:
        key = bibtex_key(item)
        if key != _stored_key(item):
            base, suffix = key, ord("b")
            while key.lower() in used:
                key, suffix = f"{base}{chr(suffix)}", suffix + 1
            used.add(key.lower())
        yield separator + item_to_bibtex(item, key=key)
        separator = "\n"


def stream_bibtex(queryset: QuerySet, *, chunk_size: int = 500) -> Iterator[str]:
    """``entries_to_bibtex`` of a QuerySet of papers or books, written as it is read: one query
    for the stored keys, then the rows ``chunk_size`` at a time, so memory stays flat."""
    queryset = _prepared(queryset)
    has_keys = any(field.name == "bibtex_key" for field in queryset.model._meta.concrete_fields)
    stored = queryset.values_list("bibtex_key", flat=True) if has_keys else ()
    yield from iter_entries(queryset.iterator(chunk_size=chunk_size), reserved=_reserved(stored))


def entries_to_bibtex(items: Iterable) -> str:
    """BibTeX for papers and books, one entry each, blank-line separated; generated keys that
    would clash get a letter (vaswani2017attentionb). A QuerySet of papers is read with its
    venue in one query."""
    return "".join(iter_entries(_prepared(items)))


def papers_to_bibtex(papers: Iterable) -> str:
    """BibTeX for many papers; see ``entries_to_bibtex``."""
    return entries_to_bibtex(papers)


def catalogue_to_bibtex(papers: Iterable, books: Iterable) -> str:
    """Papers, then books, in one file whose keys are all distinct: what ``import_bibtex`` reads
    back into the same rows."""
    return entries_to_bibtex([*_prepared(papers), *books])
