"""Validators and normalisers for the identifiers the catalogue relies on.

Each ``normalize_*`` returns the canonical form or raises ValidationError with a message a
curator can act on; each ``validate_*`` is the matching model-field validator.
"""

import re
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# New-style arXiv ids (since April 2007): YYMM.NNNN (to 2014) or YYMM.NNNNN, optional version.
_ARXIV_NEW = re.compile(r"^(?P<yy>\d{2})(?P<mm>\d{2})\.(?P<num>\d{4,5})(?P<v>v\d+)?$")
# Old-style ids: archive(.subject)/YYMMNNN, e.g. hep-th/9901001, cs.CL/0112003.
_ARXIV_OLD = re.compile(r"^[a-z]+(?:-[a-z]+)?(?:\.[A-Z]{2})?/\d{7}(?:v\d+)?$")
_ARXIV_PREFIXES = re.compile(r"^(?:arxiv:|https?://(?:www\.)?arxiv\.org/(?:abs|pdf)/)", re.IGNORECASE)
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_PREFIXES = re.compile(r"^(?:doi:|https?://(?:dx\.)?doi\.org/)", re.IGNORECASE)


def normalize_arxiv_id(value: str) -> str:
    """Return the bare arXiv id ("1706.03762", "cs/0112017v1") from an id, ``arXiv:`` form or URL."""
    text = _ARXIV_PREFIXES.sub("", (value or "").strip())
    text = re.sub(r"\.pdf$", "", text)
    match = _ARXIV_NEW.match(text)
    if match:
        month, yy = int(match["mm"]), int(match["yy"])
        # Five-digit numbers began in January 2015; four-digit ones ended in December 2014.
        if (
            not 1 <= month <= 12
            or (yy < 7 or (yy == 7 and month < 4))
            or (len(match["num"]) == 5) != (yy >= 15)
        ):
            raise ValidationError(_("%(value)s is not a valid arXiv identifier."), params={"value": value})
        return text
    if _ARXIV_OLD.match(text):
        return text
    raise ValidationError(
        _("%(value)s is not a valid arXiv identifier (expected e.g. 1706.03762 or cs/0112017)."),
        params={"value": value},
    )


def validate_arxiv_id(value: str) -> None:
    if normalize_arxiv_id(value) != value:
        raise ValidationError(_("Write the arXiv identifier in its bare form, e.g. 1706.03762."))


def normalize_doi(value: str) -> str:
    text = _DOI_PREFIXES.sub("", (value or "").strip())
    if not _DOI.match(text):
        raise ValidationError(
            _("%(value)s is not a valid DOI (expected 10.NNNN/suffix)."), params={"value": value}
        )
    return text


def validate_doi(value: str) -> None:
    if normalize_doi(value) != value:
        raise ValidationError(_("Write the DOI in its bare form, e.g. 10.18653/v1/N19-1423."))


def _isbn13_check_digit(first12: str) -> int:
    total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(first12))
    return (10 - total % 10) % 10


def normalize_isbn(value: str) -> str:
    """Return the ISBN-13 of an ISBN-10 or ISBN-13 (hyphens and spaces allowed), checksum checked."""
    text = re.sub(r"[\s-]", "", (value or "")).upper()
    if re.fullmatch(r"\d{9}[\dX]", text):
        total = sum((10 - i) * (10 if c == "X" else int(c)) for i, c in enumerate(text))
        if total % 11:
            raise ValidationError(_("%(value)s: the ISBN-10 checksum is wrong."), params={"value": value})
        first12 = "978" + text[:9]
        return first12 + str(_isbn13_check_digit(first12))
    if re.fullmatch(r"\d{13}", text):
        if not text.startswith(("978", "979")):
            raise ValidationError(_("%(value)s: an ISBN-13 starts with 978 or 979."), params={"value": value})
        if int(text[-1]) != _isbn13_check_digit(text[:12]):
            raise ValidationError(_("%(value)s: the ISBN-13 checksum is wrong."), params={"value": value})
        return text
    raise ValidationError(_("%(value)s is not an ISBN (10 or 13 digits)."), params={"value": value})


def validate_isbn13(value: str) -> None:
    if normalize_isbn(value) != value:
        raise ValidationError(_("Store the ISBN as 13 digits without hyphens."))


def validate_web_url(value: str) -> None:
    """Only http and https: a javascript: or data: URL in the catalogue would be an attack."""
    if value and urlsplit(value).scheme.lower() not in {"http", "https"}:
        raise ValidationError(_("Only http:// and https:// addresses are allowed."))
