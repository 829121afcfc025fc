"""A real-sized bibliography (500 entries) with every shape of issue 12, through import_bibtex.

The file is generated with a fixed seed, from real-looking entries (syntactically valid arXiv
ids and ISBN-13s with their checksums, DOIs, LaTeX accents), and the generator keeps its own
account of what each entry is, so that the expectations do not come from the importer: which
entries are bad (and on which line they start), how many papers and books the good ones make,
which entries must draw a warning.
"""

import io
import random
import re
from dataclasses import dataclass, field

import pytest
from django.core.management import CommandError, call_command

from resources.bibtex import OTHERS
from resources.models import Book, Paper
from resources.validators import _isbn13_check_digit

pytestmark = pytest.mark.django_db

SEED = 20261205
GIVEN = ["Ada", "Alan", "Grace", "Yoshua", "Geoffrey", "Fei-Fei", "Kaiming", "Jürgen", "Łukasz", "Noam"]
GIVEN += ["Ilya", "Oriol", "Quoc V.", "Diederik P.", "Percy", "Christopher D.", "Sébastien", "Chelsea"]
SURNAMES = ["Lovelace", "Turing", "Hopper", "Bengio", "Hinton", "Li", "He", "Schmidhuber", "Kaiser"]
SURNAMES += ["Shazeer", "Sutskever", "Vinyals", "Le", "Kingma", "Liang", "Manning", "Bubeck", "Finn"]
SURNAMES += ["Müller", "García", "Østergaard", "van der Maaten", "Zhang", "Wang", "Chen", "Nakamura"]
ADJECTIVES = ["Efficient", "Scalable", "Robust", "Sparse", "Contrastive", "Hierarchical", "Causal"]
ADJECTIVES += ["Multilingual", "Self-Supervised", "Federated", "Adaptive", "Memory-Efficient", "Unified"]
NOUNS = ["Attention", "Transformers", "Diffusion Models", "Language Models", "Graph Networks", "Retrieval"]
NOUNS += ["Mixture of Experts", "Tokenizers", "Reward Models", "Vision Encoders", "State Space Models"]
TASKS = ["Machine Translation", "Code Generation", "Image Synthesis", "Question Answering", "Speech"]
TASKS += ["Long Documents", "Protein Folding", "Robotics", "Reasoning", "Summarization", "Dialogue"]
VENUES = [
    ("inproceedings", "booktitle", "Advances in Neural Information Processing Systems"),
    ("inproceedings", "booktitle", "International Conference on Learning Representations"),
    ("inproceedings", "booktitle", "Proceedings of the 40th International Conference on Machine Learning"),
    ("inproceedings", "booktitle", "Proceedings of ACL 2023"),
    ("article", "journal", "Transactions on Machine Learning Research"),
    ("article", "journal", "Journal of Machine Learning Research"),
    ("misc", "", ""),
]
LATEX = {"ü": '{\\"u}', "é": "{\\'e}", "Ł": "{\\L}", "ø": "{\\o}", "Ø": "{\\O}", "á": "{\\'a}"}


def latex(text: str) -> str:
    return "".join(LATEX.get(char, char) for char in text)


@dataclass
class Entry:
    key: str
    fields: dict[str, str]
    kind: str = "article"
    #: The reason the importer must give, when the entry is bad.
    error: str = ""
    #: The entry must draw a warning naming it.
    warned: bool = False
    #: Text that replaces the well-formed entry (a broken one).
    raw: str = ""

    def text(self) -> str:
        if self.raw:
            return self.raw
        body = "".join(f"  {name} = {{{value}}},\n" for name, value in self.fields.items())
        return f"@{self.kind}{{{self.key},\n{body}}}\n"


@dataclass
class Bibliography:
    entries: list[Entry] = field(default_factory=list)
    papers: int = 0  # rows the valid entries make
    books: int = 0
    #: key → the names a truncated list shows (OTHERS is stored after them)
    truncated: dict[str, int] = field(default_factory=dict)

    def text_and_lines(self) -> tuple[str, dict[str, int]]:
        """The file, and the line each entry starts on (the later one, for a repeated key)."""
        chunks, lines, line = [], {}, 1
        for entry in self.entries:
            text = entry.text()
            if entry.error or entry.key not in lines:
                lines[entry.key] = line
            chunks.append(text + "\n")
            line += text.count("\n") + 1
        return "".join(chunks), lines


def generate(n_papers: int = 420) -> Bibliography:
    rng = random.Random(SEED)  # noqa: S311 - test data with a fixed seed, not a secret
    titles = iter(
        rng.sample([f"{a} {n} for {t}" for a in ADJECTIVES for n in NOUNS for t in TASKS], k=n_papers + 120)
    )
    arxiv_ids = iter(
        rng.sample([f"{yy:02d}{mm:02d}.{n:05d}" for yy in range(17, 25) for mm in range(1, 13) for n in
                    range(1000, 1100)], k=n_papers + 120)
    )  # fmt: skip
    bib = Bibliography()
    counter = iter(range(1, 10_000))

    def authors(k: int | None = None) -> list[str]:
        people = rng.sample([(g, s) for g in GIVEN for s in SURNAMES], k=k or rng.randint(1, 6))
        return [
            f"{latex(s)}, {latex(g)}" if rng.random() < 0.6 else f"{latex(g)} {latex(s)}" for g, s in people
        ]

    def paper(**overrides) -> Entry:
        names = authors()
        surname = re.sub(r"[^a-z]", "", names[0].split(",")[0].split()[-1].lower()) or "anon"
        year = rng.randint(2017, 2024)
        title = next(titles)
        key = f"{surname}{year}{title.split()[1].lower()}{next(counter)}"
        kind, venue_field, venue = rng.choice(VENUES)
        fields = {"title": title, "author": " and ".join(names), "year": str(year)}
        if venue_field:
            fields[venue_field] = venue
        arxiv_id = next(arxiv_ids)
        if rng.random() < 0.5:
            fields |= {"eprint": arxiv_id, "archivePrefix": "arXiv"}
        else:
            fields["journal" if kind == "misc" else "note"] = f"arXiv preprint arXiv:{arxiv_id}"
        if rng.random() < 0.3:
            fields["doi"] = f"10.5555/{arxiv_id}.{next(counter)}"
        if rng.random() < 0.3:
            fields |= {"pages": f"{rng.randint(1, 900)}--{rng.randint(901, 999)}", "publisher": "Curran"}
        fields |= overrides
        return Entry(key, {k: v for k, v in fields.items() if v is not None}, kind)

    def isbn() -> str:
        first12 = f"978{rng.randint(0, 999_999_999):09d}"
        return first12 + str(_isbn13_check_digit(first12))

    def book(**overrides) -> Entry:
        names = authors(rng.randint(1, 3))
        fields = {
            "title": next(titles),
            "author": " and ".join(names),
            "publisher": rng.choice(["MIT Press", "O'Reilly Media", "Springer", "清华大学出版社"]),
            "year": str(rng.randint(1995, 2024)),
            "isbn": isbn(),
        } | overrides
        return Entry(f"book{next(counter)}", {k: v for k, v in fields.items() if v is not None}, "book")

    good: list[Entry] = []
    for _ in range(n_papers):
        good.append(paper())
        bib.papers += 1
    for _ in range(30):
        good.append(book())
        bib.books += 1
    # The same work under a second key: the arXiv version of a published paper, by its arXiv id…
    for original in rng.sample([e for e in good if "eprint" in e.fields and e.kind != "misc"], k=8):
        twin = Entry(f"{original.key}arxiv", dict(original.fields), "misc")
        twin.fields.pop("booktitle", None), twin.fields.pop("journal", None)
        twin.fields["year"] = str(int(original.fields["year"]) - 1)
        twin.warned = True
        good.append(twin)
    # … by its DOI, written in another case …
    for original in rng.sample([e for e in good if "doi" in e.fields and e.kind != "book"], k=5):
        twin = Entry(f"{original.key}doi", dict(original.fields), "article")
        twin.fields = {k: v for k, v in twin.fields.items() if k not in {"eprint", "archivePrefix", "note"}}
        twin.fields["doi"] = original.fields["doi"].upper()
        twin.warned = True
        good.append(twin)
    # … by its title and year alone.
    for original in rng.sample([e for e in good if e.kind == "inproceedings"], k=5):
        twin = Entry(f"{original.key}title", {k: original.fields[k] for k in ("title", "author", "year")})
        twin.fields["title"] = twin.fields["title"].lower()
        twin.warned = True
        good.append(twin)
    # Truncated author lists: "and others" (no warning), "and et al." and "X et al." (a warning).
    for n in range(12):
        entry = paper()
        names = entry.fields["author"].split(" and ")[:2]
        entry.fields["author"] = " and ".join(names) + [" and others", " and et al.", " et al."][n % 3]
        entry.warned = n % 3 != 0
        bib.truncated[entry.key] = len(names)
        good.append(entry)
        bib.papers += 1
    # Fields the catalogue has no place for, that matter; and years with a letter.
    for _ in range(8):
        good.append(paper(pdf="https://example.org/paper.pdf", code="https://github.com/example/code"))
        good[-1].warned = True
        bib.papers += 1
    for letter in "abcdefab":
        entry = paper()
        entry.fields["year"] += letter
        entry.warned = True
        good.append(entry)
        bib.papers += 1

    bad: list[Entry] = []
    for _ in range(6):
        bad.append(paper(title=None))
        bad[-1].error = "the entry has no title"
        bad.append(paper(author=None))
        bad[-1].error = "the entry has no author"
        entry = book()
        entry.fields["isbn"] = entry.fields["isbn"][:-1] + str((int(entry.fields["isbn"][-1]) + 1) % 10)
        entry.error = f"isbn: {entry.fields['isbn']}: the ISBN-13 checksum is wrong."
        bad.append(entry)
        entry = paper()
        entry.raw = entry.text().replace("title = {", "title = {An {unbalanced ", 1)
        entry.error = "not valid BibTeX"
        bad.append(entry)
    for _ in range(4):
        bad.append(paper(year="MMXX"))
        bad[-1].error = "year: 'MMXX' is not a year"
        bad.append(paper(eprint="2301.0001", archivePrefix="arXiv", note=None, journal=None))
        bad[-1].error = "eprint: 2301.0001 is not a valid arXiv identifier"
        bad.append(paper(doi="11.1234/not-a-doi"))
        bad[-1].error = "doi: 11.1234/not-a-doi is not a valid DOI"
    # A key used twice: the first entry stands, the second is the error.
    for original in rng.sample(good[:n_papers], k=3):
        again = paper()
        again.key = original.key
        again.error = "duplicate BibTeX key"
        bad.append(again)

    entries = good + bad
    rng.shuffle(entries)
    # A repeated key's error is on its later entry: keep each original before its repeat.
    for repeat in [e for e in entries if e.error == "duplicate BibTeX key"]:
        original = next(e for e in entries if e.key == repeat.key and e is not repeat)
        i, j = entries.index(original), entries.index(repeat)
        if i > j:
            entries[i], entries[j] = entries[j], entries[i]
    bib.entries = entries
    return bib


@pytest.fixture(scope="module")
def bibliography():
    return generate()


@pytest.fixture
def bib_file(bibliography, tmp_path):
    text, lines = bibliography.text_and_lines()
    path = tmp_path / "bibliography.bib"
    path.write_text(text, encoding="utf-8")
    return path, lines


def run(*args) -> tuple[str, str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_bibtex", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), str(exc)
    return out.getvalue(), err.getvalue(), ""


def test_the_bibliography_has_every_shape(bibliography):
    entries = bibliography.entries
    assert len(entries) >= 500
    assert bibliography.papers >= 400
    reasons = {e.error.split(":")[0] for e in entries if e.error}
    assert {
        "the entry has no title",
        "the entry has no author",
        "isbn",
        "not valid BibTeX",
        "year",
    } <= reasons
    assert {"eprint", "doi", "duplicate BibTeX key"} <= reasons
    assert sum(e.warned for e in entries) >= 40
    text, _ = bibliography.text_and_lines()
    for arxiv_id in re.findall(r"arXiv:(\S+?)}|eprint = \{(\S+?)}", text):
        value = "".join(arxiv_id)
        assert re.fullmatch(r"\d{4}\.\d{4,5}", value), value


def test_one_default_run_lists_every_problem_and_stores_nothing(bibliography, bib_file):
    path, lines = bib_file

    out, err, failure = run(str(path))

    bad = [e for e in bibliography.entries if e.error]
    assert failure == f"{len(bad)} entries rejected in 1 files; nothing was stored"
    listed = {}
    for line in err.splitlines():
        match = re.match(rf"^{re.escape(str(path))}:(\d+): (\S+): (.*)$", line)
        assert match, line
        listed[(int(match[1]), match[2])] = match[3]
    assert set(listed) == {(lines[e.key], e.key) for e in bad}
    for entry in bad:
        assert entry.error in listed[(lines[entry.key], entry.key)]
    assert out.splitlines()[-1].startswith(f"nothing stored: {len(bad)} errors in 1 of 1 files")
    assert not Paper.objects.exists() and not Book.objects.exists()


def test_skip_invalid_imports_every_valid_entry_in_one_run_and_again_changes_nothing(bibliography, bib_file):
    path, _ = bib_file

    out, err, failure = run(str(path), "--skip-invalid")

    bad = [e for e in bibliography.entries if e.error]
    assert failure == f"{len(bad)} entries rejected in 1 files; the valid entries were stored"
    assert len(err.splitlines()) == len(bad)
    assert (Paper.objects.count(), Book.objects.count()) == (bibliography.papers, bibliography.books)
    rows = bibliography.papers + bibliography.books
    summary = out.splitlines()[-1]
    assert summary.startswith(f"stored: created {rows}, updated 0, unchanged 0, withdrawn 0; warnings ")
    assert f"; errors {len(bad)}; rejected: {len(bad)} errors in 1 of 1 files" in summary
    warned = {e.key for e in bibliography.entries if e.warned}
    warned_lines = [line for line in out.splitlines() if ": warning: " in line]
    for key in warned:
        # The entry's own warning, or (a twin that became the base) named by its twin's
        assert any(f" {key} (line " in line for line in warned_lines), key
    truncated = Paper.objects.filter(bibtex_key__in=bibliography.truncated)
    assert len(truncated) == len(bibliography.truncated)
    for paper in truncated:
        assert (
            paper.authors[-1] == OTHERS and len(paper.authors) == bibliography.truncated[paper.bibtex_key] + 1
        )
    assert not Paper.objects.filter(authors__icontains="et al").exists()
    before = (list(Paper.objects.order_by("pk").values()), list(Book.objects.order_by("pk").values()))

    out, _, _ = run(str(path), "--skip-invalid")

    assert out.splitlines()[-1].startswith(f"stored: created 0, updated 0, unchanged {rows}, withdrawn 0")
    assert (list(Paper.objects.order_by("pk").values()), list(Book.objects.order_by("pk").values())) == before
