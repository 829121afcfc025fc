"""resources.importers.bibtex and the import_bibtex command."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from resources.bibtex import papers_to_bibtex
from resources.importers.bibtex import import_paths, import_text
from resources.models import Book, Paper, Status
from tests.factories import BookFactory, PaperFactory

DATA = Path(__file__).parent / "data" / "bibtex"

pytestmark = pytest.mark.django_db


def snapshot():
    """Every paper and book row, every column: 'the database exactly as it was'."""
    return (
        list(Paper.objects.order_by("pk").values()),
        list(Book.objects.order_by("pk").values()),
    )


def only_error(report):
    """(entry, line, reason) of the one error of a report."""
    assert not report.ok
    (error,) = [error for file_report in report.files for error in file_report.errors]
    return error.entry, error.line, error.reason


def test_papers_with_every_kind_of_identifier():
    report = import_paths([DATA / "papers.bib"])

    assert report.ok, report.errors
    assert (report.total("created"), report.total("updated"), report.total("unchanged")) == (8, 0, 0)
    papers = {p.bibtex_key: p for p in Paper.objects.all()}
    attention = papers["vaswani2017attention"]
    assert attention.title == "Attention Is All You Need"
    assert attention.authors[0] == "Ashish Vaswani"
    assert attention.authors[6] == "Łukasz Kaiser"
    assert len(attention.authors) == 8
    assert (attention.year, attention.arxiv_id, attention.doi) == (2017, "1706.03762", "")
    assert attention.venue == "Advances in Neural Information Processing Systems 30"
    assert attention.slug == "attention-is-all-you-need"
    assert attention.status == Status.PUBLISHED and attention.published_at is not None

    bert = papers["devlin2019bert"]
    assert bert.title == "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding"
    assert (bert.arxiv_id, bert.doi) == ("1810.04805", "10.18653/v1/N19-1423")  # url, doi
    assert bert.venue.startswith("Proceedings of the 2019 Conference of the North American Chapter")
    resnet = papers["he2016deep"]
    assert (resnet.arxiv_id, resnet.doi) == ("", "10.1109/CVPR.2016.90")  # doi.org url
    assert (
        resnet.venue == "Proceedings of the IEEE Conference on Computer Vision and Pattern Recognition (CVPR)"
    )
    lstm = papers["hochreiter1997long"]
    assert lstm.authors == ["Sepp Hochreiter", "Jürgen Schmidhuber"]
    assert (lstm.doi, lstm.venue) == ("10.1162/neco.1997.9.8.1735", "Neural Computation")
    gpt3 = papers["brown2020language"]
    assert (gpt3.arxiv_id, gpt3.venue) == ("2005.14165", "")  # "arXiv preprint arXiv:…" is no venue
    # "and others" is kept: the list is truncated, and an export says so again.
    assert gpt3.authors == ["Tom B. Brown", "Benjamin Mann", "Nick Ryder", "Melanie Subbiah", "others"]
    assert papers["kingma2014adam"].arxiv_id == "1412.6980"  # CoRR + volume abs/…
    assert papers["kingma2014adam"].title == "Adam: A Method for Stochastic Optimization"
    llama = papers["touvron2023llama"]
    assert llama.arxiv_id == "2302.13971"
    assert "Timothée Lacroix" in llama.authors and "Baptiste Rozière" in llama.authors
    xlmr = papers["conneau2019unsupervised"]
    assert xlmr.arxiv_id == "1911.02116"  # "CoRR abs/…" in the journal
    assert "Francisco Guzmán" in xlmr.authors


def test_books_get_isbn13_and_other_entries_become_papers():
    report = import_paths([DATA / "books.bib"])

    assert report.ok, report.errors
    assert report.total("created") == 4
    books = {b.title: b for b in Book.objects.all()}
    deep = books["Deep Learning"]
    assert deep.isbn13 == "9780262035613"  # from the ISBN-10 0-262-03561-8
    assert deep.authors == ["Ian Goodfellow", "Yoshua Bengio", "Aaron Courville"]
    assert (deep.publisher, deep.year, deep.url) == ("MIT Press", 2016, "https://www.deeplearningbook.org/")
    assert books["Foundations of Statistical Natural Language Processing"].isbn13 == "9780262133609"
    assert books["Foundations of Statistical Natural Language Processing"].authors[1] == "Hinrich Schütze"
    opencv = books["Learning OpenCV: Computer Vision with the OpenCV Library"]
    assert (opencv.isbn13, opencv.edition) == ("9780596516130", "1st")
    assert Paper.objects.get().arxiv_id == "1706.03762"


@pytest.mark.parametrize(
    ("name", "entry", "line", "reason"),
    [
        ("bad_isbn.bib", "goodfellow2016deep", 9, "isbn: 0-262-03561-9: the ISBN-10 checksum is wrong."),
        ("broken.bib", "devlin2019bert", 9, "not valid BibTeX"),
        ("duplicate_keys.bib", "hochreiter1997long", 16, "duplicate BibTeX key (lines 1 and 16)"),
    ],
)
def test_bad_files_change_nothing(name, entry, line, reason):
    import_paths([DATA / "books.bib"])
    Paper.objects.update(title="Edited by a curator")
    before = snapshot()

    report = import_paths([DATA / name])

    got_entry, got_line, got_reason = only_error(report)
    assert (got_entry, got_line) == (entry, line)
    assert reason in got_reason
    assert not report.stored
    assert snapshot() == before


def test_one_bad_file_stops_the_run_but_every_file_is_read():
    report = import_paths([DATA / "broken.bib", DATA / "papers.bib"])

    assert (report.failed, report.stored) == (1, False)
    # What the good file would do is reported, and nothing of it stored.
    # broken.bib's good entry (vaswani2017attention) and papers.bib's seven others
    assert (report.total("created"), report.total("updated") + report.total("unchanged")) == (8, 1)
    assert not Paper.objects.exists()


def test_one_bad_file_with_skip_invalid_stores_the_good_entries():
    report = import_paths([DATA / "broken.bib", DATA / "papers.bib"], skip_invalid=True)

    assert (report.failed, report.stored) == (1, True)
    assert only_error(report)[:2] == ("devlin2019bert", 9)
    # vaswani2017attention is in both files: the second one finds it again.
    assert Paper.objects.count() == 8


@pytest.mark.parametrize(
    ("text", "entry", "line", "reason"),
    [
        ("@article{a, author = {X}}", "a", 1, "the entry has no title"),
        ("\n@article{a, title = {T}}", "a", 2, "the entry has no author"),
        ("@article{a, title = {T}, author = {et al.}}", "a", 1, "the entry has no author"),
        ("@book{a, title = {T}, isbn = {0262035618}}", "a", 1, "the entry has no author or editor"),
        ("@article{a, title = {T}, author = {X}, year = {20l7}}", "a", 1, "year: '20l7' is not a year"),
        ("@article{a, title = {T}, author = {X}, year = {2017ab}}", "a", 1, "year: '2017ab' is not a year"),
        (
            "@article{a, title = {T}, author = {X}, eprint = {1706.0376}, archivePrefix = {arXiv}}",
            "a",
            1,
            "eprint: 1706.0376 is not a valid arXiv identifier",
        ),
        ("@article{a, title = {T}, author = {X}, doi = {11.1/x}}", "a", 1, "doi: 11.1/x is not a valid DOI"),
        (
            "@book{a, title = {T}, author = {X}}\n@book{b, title = {T}, author = {Y}}",
            "b",
            2,
            "title T is also given by a (line 1)",
        ),
        ("Just some words, no entries.", "(file)", None, "no BibTeX entries found"),
    ],
)
def test_bad_entries(text, entry, line, reason):
    report = import_text(text)

    got_entry, got_line, got_reason = only_error(report)
    assert (got_entry, got_line) == (entry, line)
    assert reason in got_reason
    assert not Paper.objects.exists()


def test_bad_url_is_refused_by_validation():
    report = import_text("@article{a, title = {T}, author = {X}, url = {javascript:alert(1)}}")

    assert only_error(report) == (
        "a",
        1,
        "url: Enter a valid URL. Only http:// and https:// addresses are allowed.",
    )


def test_reimport_changes_nothing():
    import_paths([DATA / "papers.bib", DATA / "books.bib"])
    before = snapshot()

    report = import_paths([DATA / "papers.bib", DATA / "books.bib"])

    assert (report.total("created"), report.total("updated"), report.total("unchanged")) == (0, 0, 12)
    assert snapshot() == before


def test_changed_file_updates_in_place(tmp_path):
    import_paths([DATA / "papers.bib"])
    lstm = Paper.objects.get(bibtex_key="hochreiter1997long")
    changed = tmp_path / "changed.bib"
    changed.write_text(
        (DATA / "papers.bib")
        .read_text()
        .replace("title   = {Long Short-Term Memory}", "title   = {Long Short-Term Memory Networks}")
    )

    report = import_paths([changed])

    assert (report.total("created"), report.total("updated"), report.total("unchanged")) == (0, 1, 7)
    lstm_after = Paper.objects.get(bibtex_key="hochreiter1997long")
    assert (lstm_after.pk, lstm_after.slug) == (lstm.pk, lstm.slug)
    assert lstm_after.title == "Long Short-Term Memory Networks"
    assert lstm_after.updated_at > lstm.updated_at


def test_existing_paper_is_found_by_any_key_and_keeps_what_the_entry_leaves_out():
    by_arxiv = PaperFactory(arxiv_id="1706.03762", bibtex_key="", abstract="Curated.", status=Status.DRAFT)
    by_doi = PaperFactory(doi="10.1162/neco.1997.9.8.1735", bibtex_key="lstm")
    by_key = PaperFactory(bibtex_key="kingma2014adam", arxiv_id="")

    report = import_paths([DATA / "papers.bib"])

    assert (report.total("created"), report.total("updated")) == (5, 3)
    assert Paper.objects.count() == 8
    by_arxiv.refresh_from_db()
    assert (by_arxiv.bibtex_key, by_arxiv.title) == ("vaswani2017attention", "Attention Is All You Need")
    assert (by_arxiv.abstract, by_arxiv.status) == ("Curated.", Status.DRAFT)  # kept
    by_doi.refresh_from_db()
    assert by_doi.bibtex_key == "hochreiter1997long"
    by_key.refresh_from_db()
    assert by_key.arxiv_id == "1412.6980"


def test_dois_and_keys_match_without_regard_to_case():
    resnet = PaperFactory(doi="10.1109/cvpr.2016.90", bibtex_key="He2016Deep")
    lstm = PaperFactory(bibtex_key="HOCHREITER1997LONG")

    report = import_paths([DATA / "papers.bib"])

    assert (report.total("created"), report.total("updated")) == (6, 2)
    resnet.refresh_from_db()
    lstm.refresh_from_db()
    assert (resnet.doi, resnet.bibtex_key) == (
        "10.1109/CVPR.2016.90",
        "he2016deep",
    )  # as the file writes them
    assert lstm.bibtex_key == "hochreiter1997long"


def test_same_doi_twice_in_a_file_in_different_case_is_one_paper():
    text = (
        "@article{a, title = {T}, author = {X}, doi = {10.1000/ABC}}\n"
        "@article{b, title = {U}, author = {X}, doi = {10.1000/abc}}\n"
    )

    report = import_text(text)

    assert report.ok and report.total("created") == 1
    assert Paper.objects.get().bibtex_key == "a"
    [warning] = report.files[0].warnings
    assert warning.startswith("b (line 2): the same work as a (line 1) (same DOI 10.1000/abc)")
    assert "title 'U'" in warning  # what the second entry said differently is named


def test_entry_matching_two_papers_is_refused():
    PaperFactory(arxiv_id="1706.03762", bibtex_key="attention", title="One")
    PaperFactory(bibtex_key="vaswani2017attention", title="Two")
    before = snapshot()

    report = import_paths([DATA / "papers.bib"])

    entry, line, reason = only_error(report)
    assert (entry, line) == ("vaswani2017attention", 4)
    assert reason == "matches 2 different papers already there: «One» by arXiv id; «Two» by BibTeX key"
    assert snapshot() == before


def test_book_without_isbn_is_found_by_title():
    book = BookFactory(title="Deep Learning", isbn13="")
    text = "@book{g, title = {Deep Learning}, author = {Ian Goodfellow}, isbn = {0262035618}}"

    report = import_text(text)

    assert report.total("updated") == 1
    book.refresh_from_db()
    assert book.isbn13 == "9780262035613"
    assert import_text(text).total("unchanged") == 1


def test_dry_run_changes_nothing():
    PaperFactory(arxiv_id="1706.03762", bibtex_key="")
    before = snapshot()

    report = import_paths([DATA / "papers.bib", DATA / "books.bib"], dry_run=True)

    assert report.ok
    # One transaction: books.bib's paper finds the row papers.bib updated, unchanged.
    assert (report.total("created"), report.total("updated"), report.total("unchanged")) == (10, 1, 1)
    assert report.summary().startswith("dry run, nothing stored: would have created 10, updated 1")
    # The preview a curator confirms: one line per row created or changed, naming the entry.
    papers_diff, books_diff = (f.diff for f in report.files)
    assert papers_diff[0] == (
        "updated: paper «Attention Is All You Need» (vaswani2017attention (line 4)): "
        "title, authors, year, venue, bibtex_key"
    )
    assert papers_diff[1].startswith("created: paper «BERT: Pre-training of Deep Bidirectional")
    assert len(papers_diff) == 8 and len(books_diff) == 3  # books.bib: 3 books; its paper is unchanged
    assert snapshot() == before


def test_draft_option():
    import_paths([DATA / "books.bib"], draft=True)

    assert set(Paper.objects.values_list("status", "published_at")) == {(Status.DRAFT, None)}
    assert set(Book.objects.values_list("status", flat=True)) == {Status.DRAFT}


def test_slugs_stay_unique():
    PaperFactory(slug="attention-is-all-you-need", title="Attention Is All You Need (the old row)")
    PaperFactory(slug="attention-is-all-you-need-2")
    text = (
        "@misc{a, author = {Ada Lovelace}, title = {Attention Is All You Need}}\n"
        "@misc{b, author = {Ada Lovelace}, title = {Attention is all you need!}}\n"
        "@misc{c, author = {Ada Lovelace}, title = {Something New}}\n"
    )

    assert import_text(text).ok

    slugs = dict(Paper.objects.filter(bibtex_key__in="abc").values_list("bibtex_key", "slug"))
    assert slugs == {
        "a": "attention-is-all-you-need-3",
        "b": "attention-is-all-you-need-4",
        "c": "something-new",
    }


def test_folders_and_unreadable_files(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.bib").write_text("@misc{a, author = {Ada Lovelace}, title = {A}}")
    (tmp_path / "b.bib").write_bytes(b"@misc{b, author = {Ada Lovelace}, title = {B\xe9}}")
    (tmp_path / "notes.txt").write_text("not BibTeX")

    report = import_paths([tmp_path, tmp_path / "missing.bib"], skip_invalid=True)

    assert [Path(f.path).name for f in report.files] == ["b.bib", "a.bib", "missing.bib"]
    assert report.files[0].error.reason.startswith("not UTF-8 text")
    assert report.files[2].error.reason.startswith("cannot read the file")
    assert list(Paper.objects.values_list("title", flat=True)) == ["A"]


def test_round_trip_export_then_import_gives_the_same_papers():
    PaperFactory(
        title="Attention Is All You Need",
        authors=["Ashish Vaswani", "Łukasz Kaiser", "Illia Polosukhin"],
        year=2017,
        venue="Advances in Neural Information Processing Systems 30",
        arxiv_id="1706.03762",
        bibtex_key="vaswani2017attention",
    )
    PaperFactory(
        title="Long Short-Term Memory",
        authors=["Sepp Hochreiter", "Jürgen Schmidhuber"],
        year=1997,
        venue="Neural Computation",
        doi="10.1162/neco.1997.9.8.1735",
        bibtex_key="hochreiter1997long",
    )
    PaperFactory(
        title="BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
        authors=["Jacob Devlin", "Ming-Wei Chang", "Kenton Lee", "Kristina Toutanova"],
        year=2019,
        arxiv_id="1810.04805",
        doi="10.18653/v1/N19-1423",
        bibtex_key="devlin2019bert",
        url="https://aclanthology.org/N19-1423/",
    )
    PaperFactory(
        title='Costs of $O(n^2)$ -- 50% & more: a_b {braces} "quotes" ~ ^ \\ 大模型',
        authors=["Martin Luther King, Jr.", "Barnes and Noble", "何恺明", "Søren Ångström"],
        year=2024,
        venue="Proceedings of the Workshop on Odd Titles",
        bibtex_key="odd:2024-title_1",
    )
    PaperFactory(title="No Key Given", authors=["Grace Hopper"], year=1952, arxiv_id="", bibtex_key="")

    def fields():
        return sorted(
            Paper.objects.values_list(
                "title", "authors", "year", "arxiv_id", "doi", "bibtex_key", "venue", "url"
            ),
            key=lambda row: row[0],
        )

    exported = papers_to_bibtex(Paper.objects.all())
    expected = [(*row[:5], row[5] or "hopper1952no", *row[6:]) for row in fields()]
    Paper.objects.all().delete()

    report = import_text(exported)

    assert report.ok, report.errors
    assert fields() == expected


def bib_of(n, *, year=2020):
    """n papers, each with an arXiv id, a DOI and a key; none of them in the database."""
    return "\n".join(
        f"@article{{key{i},\n"
        f"  title = {{A Study of Attention Number {i}}},\n"
        f'  author = {{M{{\\"u}}ller, Anna and Kowalski, Jan}},\n'
        f"  journal = {{Journal of Examples}},\n"
        f"  year = {{{year}}},\n"
        f"  eprint = {{2001.{i:05d}}}, archivePrefix = {{arXiv}},\n"
        f"  doi = {{10.5555/example.{i}}},\n"
        f"}}\n"
        for i in range(1, n + 1)
    )


def test_thousand_entries_take_a_bounded_number_of_queries(django_assert_num_queries):
    text = bib_of(1000)
    PaperFactory(title="A Study of Attention Number 1", slug="a-study-of-attention-number-1")
    n = 1000
    # bulk_create splits the rows into batches small enough for the backend's parameter limit.
    fields = [f for f in Paper._meta.concrete_fields if not (f.primary_key or f.generated)]
    inserts = -(-n // connection.ops.bulk_batch_size(fields, [Paper()] * n))
    # SAVEPOINT + RELEASE, twice: the run's transaction and the file's
    # 12 lookups of existing papers: by arXiv ids, DOIs and keys, 1,000 of each, 300 a query
    # 3 slug queries: which base slugs are taken (900 a query: 2), the base-N slugs of the one taken
    # the INSERT batches
    with django_assert_num_queries(4 + 12 + 3 + inserts):
        report = import_text(text)

    assert report.total("created") == n
    assert Paper.objects.count() == n + 1
    assert Paper.objects.get(arxiv_id="2001.00001").slug == "a-study-of-attention-number-1-2"
    assert Paper.objects.get(arxiv_id="2001.01000").authors == ["Anna Müller", "Jan Kowalski"]

    # Unchanged: the lookups only.
    with django_assert_num_queries(4 + 12):
        report = import_text(text)
    assert report.total("unchanged") == n

    # All changed (the year): the lookups, then bulk_update's UPDATE batches.
    changed = bib_of(n, year=2021)
    batch = connection.ops.bulk_batch_size(["pk", "pk", "updated_at", "year"], list(range(n)))
    with django_assert_num_queries(4 + 12 + -(-n // batch)):
        report = import_text(changed)
    assert report.total("updated") == n
    assert set(Paper.objects.filter(bibtex_key__startswith="key").values_list("year", flat=True)) == {2021}


def run_command(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_bibtex", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_reports_and_summarises():
    path = str(DATA / "papers.bib")
    out, err = run_command(path)

    assert out.splitlines() == [
        f"[1] {path}: created 8, updated 0, unchanged 0, withdrawn 0",
        "stored: created 8, updated 0, unchanged 0, withdrawn 0; warnings 0; errors 0",
    ]
    assert err == ""
    assert run_command(path, "--verbosity=0") == ("", "")


def test_command_dry_run_and_draft():
    out, _ = run_command(str(DATA / "books.bib"), "--dry-run", "--draft")

    assert out.splitlines()[-1] == (
        "dry run, nothing stored: would have created 4, updated 0, unchanged 0, withdrawn 0; "
        "warnings 0; errors 0"
    )
    assert not Paper.objects.exists() and not Book.objects.exists()


def test_command_fails_with_the_reason():
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 entries rejected in 1 files; nothing was stored"):
        call_command(
            "import_bibtex", str(DATA / "papers.bib"), str(DATA / "bad_isbn.bib"), stdout=out, stderr=err
        )

    # file:line: entry: reason, as a compiler writes it
    reason = "isbn: 0-262-03561-9: the ISBN-10 checksum is wrong."
    assert err.getvalue() == f"{DATA / 'bad_isbn.bib'}:9: goodfellow2016deep: {reason}\n"
    assert out.getvalue().splitlines()[-1].startswith("nothing stored: 1 errors in 1 of 2 files")
    assert not Paper.objects.exists() and not Book.objects.exists()

    with pytest.raises(CommandError, match="the valid entries were stored"):
        call_command(
            "import_bibtex",
            str(DATA / "papers.bib"),
            str(DATA / "bad_isbn.bib"),
            "--skip-invalid",
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
    assert Paper.objects.count() == 8 and not Book.objects.exists()


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_command_counts_the_entries_of_a_long_file_on_a_terminal(tmp_path):
    path = tmp_path / "long.bib"
    path.write_text(
        "".join(
            f"@misc{{key{n},\n  title = {{Paper {n}}},\n  author = {{Doe, Jane}},\n  year = {{2020}},\n}}\n"
            for n in range(600)
        )
    )
    out = Terminal()
    call_command("import_bibtex", str(path), stdout=out, stderr=io.StringIO())
    text = out.getvalue()
    assert "\rimporting file 1: 250 entries\x1b[K\rimporting file 1: 500 entries\x1b[K" in text
    assert (
        text.splitlines()[-1]
        == "stored: created 600, updated 0, unchanged 0, withdrawn 0; warnings 0; errors 0"
    )
    # Not on a terminal (a log, a pipe): no counter.
    out = io.StringIO()
    call_command("import_bibtex", str(path), stdout=out, stderr=io.StringIO())
    assert "\r" not in out.getvalue()
