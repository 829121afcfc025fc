"""Property tests of the BibTeX importer (resources/importers/bibtex.py, import_bibtex, admin page).

Whatever the text — random characters, or entries built to be nearly right (broken braces, odd
entry types and fields, bad ISBNs, arXiv ids and DOIs, huge or empty values, any Unicode) —
the importer either imports the whole file or reports an error and changes nothing; the only
failure it may raise is its own report (EntryError inside it; CommandError from the command),
and the admin's upload page answers it without a 500. Files of valid entries import whole, and
importing them again changes nothing. With skip_invalid, exactly the rows it reports as created
are stored, and each rejected entry is named with the line it starts on.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import event, given
from hypothesis import strategies as st

from resources import models
from resources.importers import bibtex as importer
from tests import factories
from tests.fuzz.strategies import (
    catalogue_snapshot,
    fuzz_settings,
    good_urls,
    isbn13,
    rolled_back,
    safe_text,
    valid_arxiv,
    valid_dois,
    valid_isbns,
)

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

FUZZ = fuzz_settings(150)
ADMIN = fuzz_settings(40)

names = st.text("abcdefghijklmnopqrstuvwxyzéü", min_size=1, max_size=12).map(str.capitalize)


# --- identifiers, right and wrong -----------------------------------------------------------------


bad_isbns = st.one_of(
    st.from_regex(r"\A[\d -]{1,20}\Z"),
    valid_isbns.map(lambda i: i[:-1] + str((int(i[-1]) + 1) % 10)),  # checksum off by one
    st.sampled_from(["123456789X", "979", "ISBN", "0-000-00000-0", "٩٧٨٠٢٦٢٠٣٥٦١٣"]),
)
bad_arxiv = st.one_of(
    st.from_regex(r"\A\d{4}\.\d{4,6}(v\d+)?\Z"),
    st.sampled_from(["9913.12345", "0703.1234", "1501.1234", "arXiv:", "hep-th", "1706.03762v"]),
)
dois = st.one_of(
    st.from_regex(r"\A10\.\d{4,5}/[A-Za-z0-9.;()/:_-]{1,30}\Z"),
    st.from_regex(r"\A(doi:|https://doi\.org/)?1?0?\.?[^\s{}]{0,30}\Z"),
)
urls = st.one_of(
    good_urls,
    st.sampled_from(["javascript:alert(1)", "ftp://example.org/x", "\\url{https://example.org}", "//x"]),
    st.text(max_size=40),
)


# --- entries -------------------------------------------------------------------------------------


def broken(value: str, draw) -> str:
    """Sometimes break the value's braces or quotes."""
    damage = draw(st.sampled_from(["", "", "", "{", "}", "{{", '"', "\\", "@", "%", "#", ","]))
    where = draw(st.integers(0, len(value)))
    return value[:where] + damage + value[where:]


anything = st.text(max_size=80)
huge = st.text(min_size=300, max_size=3000)
author_lists = st.lists(st.builds(lambda a, b: f"{a}, {b}", names, names), min_size=1, max_size=4).map(
    " and ".join
)


@st.composite
def near_valid_entry(draw, key: str, careful: bool) -> str:
    """An entry whose every field may be wrong; a careful one keeps to values the importer takes."""

    def pick(good, *bad):
        return draw(good if careful else st.one_of(good, *bad))

    kind = pick(st.sampled_from(["article", "inproceedings", "book", "misc"]), st.sampled_from(["BOOK", "x"]))
    fields: dict[str, str] = {}
    fields["title"] = pick(safe_text, anything, huge, st.just(""))
    fields["author"] = pick(author_lists, anything, st.just(" and "))
    if draw(st.booleans()):
        fields["year"] = pick(st.integers(1000, 2100).map(str), st.from_regex(r"\A\d{1,6}\Z"), anything)
    if draw(st.booleans()):
        fields["isbn"] = pick(valid_isbns, bad_isbns, anything)
    if draw(st.booleans()):
        fields["eprint"] = pick(valid_arxiv, bad_arxiv, anything)
        if draw(st.booleans()):
            fields["archiveprefix"] = pick(st.sampled_from(["arXiv", "arxiv"]), st.sampled_from(["hal", ""]))
    if draw(st.booleans()):
        fields["journal"] = pick(valid_arxiv.map(lambda a: f"arXiv preprint arXiv:{a}"), bad_arxiv, anything)
    if draw(st.booleans()):
        fields["doi"] = pick(valid_dois, dois)
    if draw(st.booleans()):
        fields["url"] = pick(good_urls, urls)
    for _ in range(draw(st.integers(0, 3))):
        fields[draw(st.from_regex(r"\A[a-z]{1,10}\Z"))] = pick(safe_text, anything)
    body = ",\n".join(
        f"  {name} = {{{value if careful else broken(value, draw)}}}"
        if careful or draw(st.booleans())
        else f'  {name} = "{broken(value, draw)}"'
        for name, value in fields.items()
    )
    return f"@{kind}{{{key},\n{body}\n}}\n"


keys = st.from_regex(r"\A[A-Za-z][A-Za-z0-9:_-]{0,15}\Z")


@st.composite
def near_valid_files(draw) -> str:
    careful = draw(st.booleans())
    count = draw(st.integers(1, 6))
    entry_keys = draw(
        st.lists(keys, min_size=count, max_size=count, unique_by=str.lower if careful else None)
    )
    entries = [draw(near_valid_entry(key, careful)) for key in entry_keys]
    glue = draw(
        st.sampled_from(
            ["\n", "\n\n", "", "\n% a comment\n", "\n@comment{x}\n", "\n@string{nips = {NeurIPS}}\n"]
        )
    )
    return glue.join(entries)


# Mostly built files (half of them careful), sometimes plain random text.
bib_texts = st.one_of(near_valid_files(), near_valid_files(), near_valid_files(), anything, huge)


@st.composite
def valid_files(draw) -> str:
    """Papers with unique keys and arXiv ids, books with unique ISBNs and titles: all importable."""
    parts = []
    arxiv_ids = draw(st.lists(valid_arxiv, min_size=1, max_size=5, unique=True))
    for n, arxiv_id in enumerate(arxiv_ids):
        authors = " and ".join(
            draw(st.lists(st.builds(lambda a, b: f"{a}, {b}", names, names), min_size=1, max_size=3))
        )
        parts.append(
            f"@article{{paper{n},\n  title = {{{draw(safe_text)}}},\n  author = {{{authors}}},\n"
            f"  journal = {{arXiv preprint arXiv:{arxiv_id}}},\n  year = {{20{arxiv_id[:2]}}},\n}}\n"
        )
    isbns = draw(st.lists(valid_isbns, max_size=3, unique=True))
    titles = draw(st.lists(safe_text, min_size=len(isbns), max_size=len(isbns), unique_by=str.lower))
    for n, (isbn, title) in enumerate(zip(isbns, titles, strict=True)):
        parts.append(
            f"@book{{book{n},\n  title = {{{title}}},\n  author = {{{draw(names)}, {draw(names)}}},\n"
            f"  publisher = {{{draw(safe_text)}}},\n  isbn = {{{isbn}}},\n}}\n"
        )
    return "\n".join(parts)


@pytest.fixture
def existing(db):
    """Rows a file may match, update or collide with."""
    factories.PaperFactory(title="Attention Is All You Need", arxiv_id="1706.03762", bibtex_key="vaswani2017")
    factories.BookFactory(title="Deep Learning", isbn13=isbn13("262035613"))


def import_text(text: str):
    report = importer.import_text(text)
    assert len(report.files) == 1
    return report


# --- properties ----------------------------------------------------------------------------------


@FUZZ
@given(text=bib_texts)
def test_any_text_imports_whole_or_changes_nothing(existing, text):
    with rolled_back():
        before = catalogue_snapshot()
        report = import_text(text)
        after = catalogue_snapshot()
        event("imported" if report.ok else "refused: " + report.files[0].error.reason[:30])
        if not report.ok:
            assert after == before, "a file with an error changed the catalogue"
            assert report.files[0].error.reason
        else:
            changed = report.total("created") + report.total("updated")
            assert (after != before) == bool(changed)
            total = len(after["resources_paper"]) + len(after["resources_book"])
            assert total == len(before["resources_paper"]) + len(before["resources_book"]) + report.total(
                "created"
            )


@FUZZ
@given(text=bib_texts)
def test_skip_invalid_stores_exactly_what_it_reports_and_names_the_line_of_each_bad_entry(existing, text):
    with rolled_back():
        before = catalogue_snapshot()
        report = importer.import_text(text, skip_invalid=True)
        after = catalogue_snapshot()
        rows = {name: len(after[name]) - len(before[name]) for name in ("resources_paper", "resources_book")}
        assert rows["resources_paper"] + rows["resources_book"] == report.total("created")
        lines = text.count("\n") + 1
        for error in report.files[0].errors:
            # An entry's error says where it starts; only a file-level one has no line.
            assert error.entry == "(file)" or 1 <= (error.line or 0) <= lines, error


@FUZZ
@given(text=valid_files())
def test_valid_files_import_whole_and_a_second_import_changes_nothing(existing, text):
    with rolled_back():
        first = import_text(text)
        assert first.ok, first.errors
        assert first.total("created") + first.total("updated") + first.total("unchanged") == text.count("@")
        once = catalogue_snapshot()
        second = import_text(text)
        assert second.ok, second.errors
        assert (second.total("created"), second.total("updated")) == (0, 0)
        assert second.total("unchanged") == text.count("@")
        assert catalogue_snapshot() == once


@FUZZ
@given(text=bib_texts)
def test_the_command_fails_only_with_its_own_error(existing, text, tmp_path_factory):
    path = tmp_path_factory.mktemp("bib") / "fuzz.bib"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    with rolled_back():
        before = catalogue_snapshot()
        try:
            call_command("import_bibtex", str(path), stdout=io.StringIO(), stderr=io.StringIO())
        except CommandError:
            assert catalogue_snapshot() == before


@ADMIN
@given(text=bib_texts, draft=st.booleans())
def test_the_admin_upload_never_answers_500_and_never_half_imports(existing, curator_client, text, draft):
    url = reverse("admin:resources_paper_import")
    data = text.encode("utf-8", errors="surrogatepass")
    with rolled_back():
        before = catalogue_snapshot()
        upload = SimpleUploadedFile("fuzz.bib", data, content_type="text/x-bibtex")
        response = curator_client.post(url, {"file": upload, "draft": "on" if draft else ""})
        assert response.status_code == 200
        assert catalogue_snapshot() == before, "the dry run changed the catalogue"
        report = response.context.get("report")
        if report is None or not report.ok:
            return  # the form refused the file, or the report names the error: nothing to confirm
        confirm = curator_client.post(url, {"token": response.context["staged"].token})
        assert confirm.status_code == 302
        after = catalogue_snapshot()
        created = len(after["resources_paper"]) + len(after["resources_book"])
        assert created == len(before["resources_paper"]) + len(before["resources_book"]) + report.total(
            "created"
        )
        if draft and report.total("created"):
            assert (
                models.Paper.objects.filter(status=models.Status.DRAFT).exists()
                or models.Book.objects.filter(status=models.Status.DRAFT).exists()
            )
