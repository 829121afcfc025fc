"""Real bibliographies (issue 12): the shapes they take, one test each, and export round trips.

Each shape is a small BibTeX text as found in the wild: the same work under two keys, "and
others" / "et al.", fields the catalogue has no place for, years like 2023a, entries without
author or title, a broken entry in the middle of a file, a bad ISBN. The large bibliography
(test_bibtex_bibliography.py) mixes them all.
"""

import io

import pytest
from django.core.management import CommandError, call_command

from resources import bibtex, exports
from resources.importers import catalogue
from resources.importers.bibtex import import_text
from resources.models import Book, Paper, Status
from tests.factories import BookFactory, PaperFactory

pytestmark = pytest.mark.django_db


def warnings_of(report) -> list[str]:
    return [warning for file_report in report.files for warning in file_report.warnings]


def errors_of(report) -> list[tuple[str, int | None, str]]:
    return [(e.entry, e.line, e.reason) for file_report in report.files for e in file_report.errors]


# --- The same work under two keys -----------------------------------------------------------------

BERT_TWICE = r"""@article{devlin2018bert,
  title   = {{BERT}: Pre-training of Deep Bidirectional Transformers for Language Understanding},
  author  = {Devlin, Jacob and Chang, Ming-Wei and Lee, Kenton and Toutanova, Kristina},
  journal = {arXiv preprint arXiv:1810.04805},
  year    = {2018},
}

@inproceedings{devlin2019bert,
  title     = {{BERT}: Pre-training of Deep Bidirectional Transformers for Language Understanding},
  author    = {Devlin, Jacob and Chang, Ming-Wei and Lee, Kenton and Toutanova, Kristina},
  booktitle = {Proceedings of NAACL-HLT 2019},
  year      = {2019},
  pages     = {4171--4186},
  doi       = {10.18653/v1/N19-1423},
  url       = {https://aclanthology.org/N19-1423/},
  eprint    = {1810.04805},
  archivePrefix = {arXiv},
}
"""


def test_same_arxiv_id_under_two_keys_is_one_paper_and_the_warning_names_both():
    report = import_text(BERT_TWICE)

    assert report.ok, errors_of(report)
    paper = Paper.objects.get()
    # The published version is the one the preprint completes.
    assert (paper.bibtex_key, paper.year, paper.venue) == (
        "devlin2019bert",
        2019,
        "Proceedings of NAACL-HLT 2019",
    )
    assert (paper.arxiv_id, paper.doi) == ("1810.04805", "10.18653/v1/N19-1423")
    [warning] = warnings_of(report)
    assert warning.startswith(
        "devlin2018bert (line 1): the same work as devlin2019bert (line 8) (same arXiv id 1810.04805): "
        "merged into one paper, kept under the key devlin2019bert"
    )
    assert "year 2018" in warning  # what the preprint says differently is named, not silently dropped

    again = import_text(BERT_TWICE)
    assert (again.total("created"), again.total("updated"), again.total("unchanged")) == (0, 0, 1)


def test_same_title_and_year_is_one_paper_unless_arxiv_ids_tell_two_apart():
    text = (
        "@article{hochreiter1997long, title = {Long Short-Term Memory}, author = {Hochreiter, Sepp and "
        'Schmidhuber, J{\\"u}rgen}, journal = {Neural Computation}, year = {1997}, '
        "doi = {10.1162/neco.1997.9.8.1735}}\n"
        "@article{lstm97, title = {Long short-term memory}, author = {Sepp Hochreiter and J. Schmidhuber}, "
        "year = 1997, volume = {9}, number = {8}}\n"
        # Two works that happen to share a title and a year: their arXiv ids differ.
        "@misc{a, title = {Scaling Laws}, author = {Ada Lovelace}, year = {2020}, eprint = {2001.08361}}\n"
        "@misc{b, title = {Scaling laws}, author = {Alan Turing}, year = {2020}, eprint = {2010.14701}}\n"
    )

    report = import_text(text)

    assert report.ok and report.total("created") == 3
    lstm = Paper.objects.get(bibtex_key="hochreiter1997long")
    assert lstm.authors == ["Sepp Hochreiter", "Jürgen Schmidhuber"]
    [warning] = warnings_of(report)
    assert warning.startswith(
        "lstm97 (line 2): the same work as hochreiter1997long (line 1) (same title and year)"
    )
    assert Paper.objects.filter(bibtex_key__in=["a", "b"]).count() == 2


# --- "and others", "et al." -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("author", "warned"),
    [
        ("Brown, Tom B. and Mann, Benjamin and others", False),
        ("Brown, Tom B. and Mann, Benjamin and et al.", True),
        ("Brown, Tom B. and Mann, Benjamin and Et Al", True),
        ("Tom B. Brown and Benjamin Mann et al.", True),
    ],
)
def test_truncated_author_lists_stay_truncated_and_export_as_and_others(author, warned):
    text = (
        "@article{brown2020language, title = {Language Models are Few-Shot Learners}, "
        f"author = {{{author}}}, year = {{2020}}, eprint = {{2005.14165}}}}"
    )

    report = import_text(text)

    assert report.ok, errors_of(report)
    paper = Paper.objects.get()
    assert paper.authors == ["Tom B. Brown", "Benjamin Mann", bibtex.OTHERS]
    assert not any("et al" in name.lower() for name in paper.authors)
    assert bool(warnings_of(report)) == warned
    exported = bibtex.paper_to_bibtex(paper)
    assert "  author = {Tom B. Brown and Benjamin Mann and others},\n" in exported
    # What the export writes reads back as the same row.
    again = import_text(exported)
    assert (again.total("created"), again.total("updated"), again.total("unchanged")) == (0, 0, 1)


def test_a_truncated_list_does_not_overwrite_the_complete_one():
    paper = PaperFactory(arxiv_id="2005.14165", authors=["Tom B. Brown", "Benjamin Mann", "Nick Ryder"])
    text = "@misc{b, title = {GPT-3}, author = {Brown, Tom B. and others}, eprint = {2005.14165}}"

    report = import_text(text)

    paper.refresh_from_db()
    assert paper.authors == ["Tom B. Brown", "Benjamin Mann", "Nick Ryder"]
    assert any("complete list kept" in warning for warning in warnings_of(report))


def test_a_person_called_others_is_not_a_truncation():
    names = ["Ada Lovelace", "Others"]
    assert bibtex.split_names(bibtex.names_to_latex(names)) == names


# --- Fields the catalogue has no place for --------------------------------------------------------


def test_fields_that_matter_are_warned_about_ordinary_ones_are_not():
    text = (
        "@inproceedings{a, title = {T}, author = {Ada Lovelace}, year = {2020}, pages = {1--10}, "
        "publisher = {ACM}, address = {New York}, month = jun, keywords = {x}, "
        "pdf = {https://example.org/a.pdf}, code = {https://github.com/a/b}}\n"
        "@book{b, title = {B}, author = {Alan Turing}, year = {2001}, isbn = {9780262035613}, "
        "doi = {10.1000/book}, abstract = {A book.}, address = {Cambridge}, series = {S}}\n"
    )

    report = import_text(text)

    assert report.ok
    assert warnings_of(report) == [
        "a (line 1): left out code, pdf: the catalogue keeps no such field for papers",
        "b (line 2): left out abstract, doi: the catalogue keeps no such field for books",
    ]


def test_a_book_with_editors_only_stores_them_as_authors_with_a_warning():
    report = import_text(
        "@book{e, title = {Handbook}, editor = {Lovelace, Ada and Turing, Alan}, year = 2001}"
    )

    assert Book.objects.get().authors == ["Ada Lovelace", "Alan Turing"]
    assert warnings_of(report) == [
        "e (line 1): no author given: the editors are stored as the book's authors"
    ]


# --- Years with a letter --------------------------------------------------------------------------


def test_year_with_a_letter_is_read_as_the_year_with_a_warning():
    text = (
        "@article{smith2023a, title = {One}, author = {Smith, Jane}, year = {2023a}}\n"
        "@article{smith2023b, title = {Two}, author = {Smith, Jane}, year = {2023b}}\n"
    )

    report = import_text(text)

    assert report.ok
    assert set(Paper.objects.values_list("year", flat=True)) == {2023}
    assert warnings_of(report) == [
        "smith2023a (line 1): year '2023a' read as 2023 (the letter only tells an author's papers apart)",
        "smith2023b (line 2): year '2023b' read as 2023 (the letter only tells an author's papers apart)",
    ]


# --- Entries without author or title, broken entries, bad ISBNs: every one listed -----------------

MIXED = r"""@article{good1, title = {Good One}, author = {Lovelace, Ada}, year = {2020}}
@article{notitle, author = {Turing, Alan}, year = {2020}}
@article{noauthor, title = {Nobody Wrote This}, year = {2020}}
@article{broken,
  title = {An {unbalanced title,
  author = {Hopper, Grace},
}
@article{good2, title = {Good Two}, author = {Hopper, Grace}, year = {2021}}
@book{badisbn, title = {Deep Learning}, author = {Goodfellow, Ian}, isbn = {978-0-262-03561-4}}
@book{goodbook, title = {Pattern Recognition and Machine Learning}, author = {Bishop, Christopher M.},
  isbn = {978-0-387-31073-2}}
"""


def test_every_bad_entry_is_listed_at_once_and_default_mode_stores_nothing():
    report = import_text(MIXED)

    assert not report.stored
    assert errors_of(report) == [
        ("notitle", 2, "the entry has no title"),
        ("noauthor", 3, "the entry has no author"),
        (
            "broken",
            4,
            "not valid BibTeX (Unexpected block start: `@article`. Was still looking for field-value "
            "closing `}`); look for an unbalanced brace or quote",
        ),
        ("badisbn", 9, "isbn: 978-0-262-03561-4: the ISBN-13 checksum is wrong."),
    ]
    # The good entries after the broken one were read: the parser picked up at the next @.
    assert (report.total("created"), report.total("updated")) == (3, 0)
    assert not Paper.objects.exists() and not Book.objects.exists()


def test_skip_invalid_stores_the_good_entries_in_one_run():
    report = import_text(MIXED, skip_invalid=True)

    assert report.stored and len(errors_of(report)) == 4
    assert sorted(Paper.objects.values_list("bibtex_key", flat=True)) == ["good1", "good2"]
    assert list(Book.objects.values_list("isbn13", flat=True)) == ["9780387310732"]


def test_a_nul_character_rejects_its_entry_only():
    text = (
        "@misc{a, title = {Bad\x00Title}, author = {Ada Lovelace}}\n"
        "@misc{b, title = {Good}, author = {Ada Lovelace}}\n"
    )

    report = import_text(text, skip_invalid=True)

    assert errors_of(report) == [
        ("a", 1, "contains a NUL character (\\x00), which no text can hold; remove it")
    ]
    assert list(Paper.objects.values_list("bibtex_key", flat=True)) == ["b"]


def test_the_command_names_file_line_and_entry_of_a_bad_isbn(tmp_path):
    path = tmp_path / "refs.bib"
    path.write_text(MIXED)
    err = io.StringIO()

    with pytest.raises(CommandError, match="4 entries rejected in 1 files; nothing was stored"):
        call_command("import_bibtex", str(path), stdout=io.StringIO(), stderr=err)

    assert f"{path}:9: badisbn: isbn: 978-0-262-03561-4: the ISBN-13 checksum is wrong.\n" in err.getvalue()
    assert err.getvalue().count(f"{path}:") == 4


# --- Export ---------------------------------------------------------------------------------------


def test_conference_papers_are_inproceedings_and_journal_papers_articles():
    def entry_type(**fields):
        return bibtex.paper_to_bibtex(Paper(title="T", authors=["A B"], year=2020, **fields)).split("{")[0]

    assert entry_type(venue="NAACL 2019") == "@inproceedings"
    assert entry_type(venue="MICCAI 2015") == "@inproceedings"
    assert entry_type(venue="SC 2020") == "@inproceedings"
    assert entry_type(venue="SOSP 2023") == "@inproceedings"
    assert entry_type(venue="JMLR 2020") == "@article"
    assert entry_type(venue="Neurocomputing 2024") == "@article"
    assert entry_type(venue="Transactions of the Association for Computational Linguistics") == "@article"
    assert entry_type(venue="") == "@misc"


def test_books_and_abstracts_are_exported(client):
    PaperFactory(
        title="Attention Is All You Need",
        authors=["Ashish Vaswani"],
        venue="NIPS 2017",
        year=2017,
        abstract="The dominant sequence transduction models are based on complex recurrent networks.",
        bibtex_key="",
        status=Status.PUBLISHED,
    )
    book = BookFactory(
        title="Deep Learning",
        authors=["Ian Goodfellow", "Yoshua Bengio", "Aaron Courville"],
        publisher="MIT Press",
        year=2016,
        edition="1st",
        isbn13="9780262035613",
        url="",
    )

    response = client.get("/api/v1/papers/?format=bibtex")
    assert response.status_code == 200
    text = response.getvalue().decode()
    assert text.startswith("@inproceedings{vaswani2017attention,\n")
    assert "  booktitle = {NIPS 2017},\n" in text
    assert (
        "  abstract = {The dominant sequence transduction models are based on complex recurrent networks.},\n"
        in text
    )

    assert bibtex.book_to_bibtex(book) == (
        "@book{goodfellow2016deep,\n"
        "  author = {Ian Goodfellow and Yoshua Bengio and Aaron Courville},\n"
        "  title = {Deep Learning},\n"
        "  publisher = {MIT Press},\n"
        "  year = {2016},\n"
        "  edition = {1st},\n"
        "  isbn = {9780262035613},\n"
        "}\n"
    )
    from resources.api.renderers import BibTeXRenderer

    rendered = BibTeXRenderer().render([book, *Paper.objects.all()]).decode()
    assert (
        rendered.startswith("@book{goodfellow2016deep,\n")
        and "@inproceedings{vaswani2017attention," in rendered
    )


def test_a_list_that_deferred_abstracts_is_exported_with_them_in_one_query(client, django_assert_num_queries):
    for n in range(3):
        PaperFactory(abstract=f"Abstract {n}.", status=Status.PUBLISHED)

    with django_assert_num_queries(1):
        text = bibtex.papers_to_bibtex(Paper.objects.defer("search_vector", "abstract")[:10])

    assert text.count("  abstract = {Abstract ") == 3
    # The list page's download defers abstracts too.
    assert client.get("/papers.bib").content.decode().count("  abstract = {Abstract ") == 3


PAPER_FIELDS = ("title", "authors", "year", "venue", "arxiv_id", "doi", "url", "abstract", "status")
BOOK_FIELDS = ("title", "authors", "publisher", "year", "edition", "isbn13", "url", "status")


def test_the_catalogue_round_trips_through_bibtex_into_an_empty_database():
    loaded = catalogue.load(deadline_paths=[])
    assert loaded.ok, loaded.errors
    papers = list(Paper.objects.order_by("arxiv_id").values_list(*PAPER_FIELDS))
    books = list(Book.objects.order_by("title").values_list(*BOOK_FIELDS))
    assert len(papers) >= 50 and len(books) >= 15
    exported = exports.catalogue_bibtex()
    assert exported.count("@book{") == len(books)
    Paper.objects.all().delete()
    Book.objects.all().delete()

    report = import_text(exported, name="catalogue.bib")

    assert report.ok, errors_of(report)
    assert warnings_of(report) == []
    assert (report.total("created"), report.total("updated")) == (len(papers) + len(books), 0)
    assert list(Paper.objects.order_by("arxiv_id").values_list(*PAPER_FIELDS)) == papers
    assert list(Book.objects.order_by("title").values_list(*BOOK_FIELDS)) == books
    # The keys the export made up are now stored: exporting again writes the same file.
    assert exports.catalogue_bibtex() == exported
