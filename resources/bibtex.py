"""BibTeX in and out: LaTeX to Unicode and back, author names, arXiv ids and DOIs, entries.

Reading returns plain Python data (``BibEntry``); the importer in ``resources.importers.bibtex``
turns it into rows. Writing escapes text so that reading the output back gives the same text.
Fields that BibTeX treats verbatim (url, doi, eprint, isbn) are never LaTeX-decoded or -encoded.
"""

import contextlib
import logging
import re
import unicodedata
from collections.abc import Iterable
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


def split_names(raw: str) -> list[str]:
    """Names of a BibTeX ``author``/``editor`` value, in order, as "First von Last" Unicode text.

    "Last, First" and "von Last, Jr, First" are turned around; a braced name ("{OpenAI Team}")
    stays whole; a trailing "and others" is dropped.
    """
    names = []
    for part in _split_top_level((raw or "").strip(), _AND):
        part = part.strip()
        if not part or part.lower() == "others":
            continue
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
    return names


def names_to_latex(names: Iterable[str]) -> str:
    """An ``author`` value that ``split_names`` reads back as ``names``."""
    written = []
    for name in names:
        encoded = text_to_latex(name)
        # Braces keep a comma or an "and" inside one name from splitting it.
        if "," in name or re.search(r"(?i)(^|\s)and(\s|$)", name):
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


def parse(text: str) -> list[BibEntry]:
    """The entries of a BibTeX text, in order; raises BibtexSyntaxError listing every problem.

    Problems: blocks bibtexparser could not read, keys used twice (compared without regard to
    case, as BibTeX does), fields given twice in one entry.
    """
    library = bibtexparser.parse_string(text)
    problems: list[tuple[str, str]] = []
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, DuplicateBlockKeyBlock):
            first = (block.previous_block.start_line or 0) + 1
            problems.append((block.key, f"duplicate BibTeX key (lines {first} and {line})"))
        elif isinstance(block, DuplicateFieldKeyBlock):
            fields = ", ".join(sorted(block.duplicate_keys))
            problems.append((f"{block.ignore_error_block.key} (line {line})", f"field given twice: {fields}"))
        else:
            error = block.error
            detail = getattr(error, "abort_reason", "") or getattr(error, "message", "") or str(error)
            head = re.match(r"\s*@\s*(\w+)\s*[{(]\s*([^,\s]*)", block.raw or "")
            where = f"{head[2]} (line {line})" if head and head[2] else f"line {line}"
            detail = detail or type(error).__name__
            problems.append((where, f"not valid BibTeX ({detail}); look for an unbalanced brace or quote"))

    strings = {key.lower(): s.value for key, s in library.strings_dict.items()}
    entries: list[BibEntry] = []
    seen: dict[str, int] = {}
    for entry in library.entries:
        line = (entry.start_line or 0) + 1
        if entry.key.lower() in seen:
            problems.append(
                (entry.key, f"duplicate BibTeX key, differing only in case (lines {seen[entry.key.lower()]} "
                 f"and {line})")
            )  # fmt: skip
            continue
        seen[entry.key.lower()] = line
        raw: dict[str, str] = {}
        for field in entry.fields:
            name = field.key.lower()
            if name in raw:
                problems.append((f"{entry.key} (line {line})", f"field given twice: {name}"))
            value = str(field.value)
            if field.enclosing == "no-enclosing" and "#" in value:
                value = _concatenate(value, strings)
            raw[name] = value
        entries.append(BibEntry(key=entry.key, entry_type=entry.entry_type.lower(), line=line, raw=raw))
    if problems:
        raise BibtexSyntaxError(problems)
    return entries


# --- Writing -------------------------------------------------------------------------------------

_CONFERENCE_VENUE = re.compile(
    r"(?i)\b(proc(eedings|\.)?|conference|workshop|symposium|congress|meeting|summit|"
    r"advances in neural information processing systems|neurips|nips|icml|iclr|cvpr|iccv|eccv|acl|"
    r"emnlp|naacl|eacl|coling|aaai|ijcai|kdd|sigir|www|interspeech|icassp|wacv|bmvc|corl|colt|uai|"
    r"aistats)\b"
)
_KEY_STOPWORDS = frozenset(
    {"a", "an", "the", "on", "of", "in", "for", "and", "to", "with", "from", "by", "at", "as", "is", "are"}
)
_VALID_KEY = re.compile(r"^[^\s,{}()\"#%'=~\\]+$")


def _ascii_letters(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", folded.lower())


def generate_key(paper) -> str:
    """A stable key from the first author's surname, the year and the title: vaswani2017attention."""
    surname = ""
    if paper.authors:
        surname = _ascii_letters(paper.authors[0].split()[-1]) if paper.authors[0].split() else ""
    words = (_ascii_letters(t) for t in (paper.title or "").split())
    word = next((w for w in words if w and w not in _KEY_STOPWORDS), "")
    return f"{surname or 'paper'}{paper.year or ''}{word}"


def bibtex_key(paper) -> str:
    key = (paper.bibtex_key or "").strip()
    return key if key and _VALID_KEY.match(key) else generate_key(paper)


def _venue(paper) -> str:
    if paper.venue:
        return paper.venue
    edition = paper.venue_edition
    if edition is not None:
        return f"{edition.series.full_name or edition.series.short_name} {edition.year}"
    return ""


def _verbatim(value: str) -> str:
    # A verbatim value cannot escape braces; an unbalanced one is percent-encoded (only URLs have them).
    return value if _balanced(value) else value.replace("{", "%7B").replace("}", "%7D")


def paper_to_bibtex(paper, *, key: str | None = None) -> str:
    """One BibTeX entry for a paper: @inproceedings for a conference venue, @article for another
    venue, @misc otherwise; arXiv papers carry eprint and archivePrefix."""
    venue = _venue(paper)
    if venue and (paper.venue_edition_id or _CONFERENCE_VENUE.search(venue)):
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
    body = "".join(f"  {name} = {{{value}}},\n" for name, value in fields)
    return f"@{entry_type}{{{key or bibtex_key(paper)},\n{body}}}\n"


def papers_to_bibtex(papers: Iterable) -> str:
    """BibTeX for many papers, one entry each, blank-line separated; generated keys that would
    clash get a letter (vaswani2017attentionb). A QuerySet is read with its venue in one query."""
    if isinstance(papers, QuerySet):
        papers = papers.select_related("venue_edition__series")
    papers = list(papers)
    # Stored keys are reserved first, so that a generated key never takes one of them.
    used = {bibtex_key(p).lower() for p in papers if p.bibtex_key and bibtex_key(p) == p.bibtex_key.strip()}
    chunks = []
    for paper in papers:
        key = bibtex_key(paper)
        if key != (paper.bibtex_key or "").strip():
            base, suffix = key, ord("b")
            while key.lower() in used:
                key, suffix = f"{base}{chr(suffix)}", suffix + 1
            used.add(key.lower())
        chunks.append(paper_to_bibtex(paper, key=key))
    return "\n".join(chunks)
