"""resources.bibtex: LaTeX ↔ Unicode, names, identifiers, parsing and writing entries."""

import pytest

from resources import bibtex
from resources.models import Paper
from tests.factories import ConferenceEditionFactory


@pytest.mark.parametrize(
    ("latex", "text"),
    [
        (r"J{\"u}rgen", "Jürgen"),
        (r"{\L}ukasz", "Łukasz"),
        (r"{BERT}: Pre-training", "BERT: Pre-training"),
        (r"Timoth{\'e}e", "Timothée"),
        (r"Rozi{\`e}re", "Rozière"),
        (r"Guzm\'{a}n", "Guzmán"),
        (r"Erd\H{o}s", "Erdős"),
        (r"Fran\c{c}ois", "François"),
        (r"\v{S}koda", "Škoda"),
        (r"S{\o}ren", "Søren"),
        (r"{\aa}ngstr{\"o}m", "ångström"),
        (r"Stra{\ss}e", "Straße"),
        (r"Na\"{\i}ve", "Naïve"),
        (r"pages 5998--6008", "pages 5998–6008"),
        (r"yes---no", "yes—no"),
        (r"``quoted''", "“quoted”"),
        (r"50\% \& \$ \# \_", "50% & $ # _"),
        (r"50% of it", "50% of it"),  # a bare % is text in BibTeX, not a LaTeX comment
        (r"$O(n^2)$ attention", "$O(n^2)$ attention"),
        ("Layer\n   Normalization", "Layer Normalization"),
        (r"\emph{Deep} learning", "Deep learning"),
        ("中文 模型", "中文 模型"),
    ],
)
def test_latex_to_text(latex, text):
    assert bibtex.latex_to_text(latex) == text


@pytest.mark.parametrize(
    "text",
    [
        "Attention Is All You Need",
        "BERT: Pre-training of Deep Bidirectional Transformers",
        "Jürgen’s Łódź, ångström & Søren",
        "Costs $5 -- or 50% & more_x ^ {a} \"q\" '' ``",
        "$O(n^2)$ attention for GPT-3",
        "a\\b ~ # ¿ ¡ ?` !`",
        "大规模语言模型 GPT-4 技术报告",
    ],
)
def test_text_to_latex_reads_back_the_same(text):
    for protect_case in (False, True):
        latex = bibtex.text_to_latex(text, protect_case=protect_case)
        assert latex.isascii() or not text.isascii()
        assert bibtex.latex_to_text(latex) == text


def test_text_to_latex_escapes_accents_and_protects_acronyms():
    assert bibtex.text_to_latex("Jürgen") == r"J{\"u}rgen"
    assert bibtex.text_to_latex("Łukasz") == r"{\L}ukasz"
    assert (
        bibtex.text_to_latex("BERT and ImageNet models", protect_case=True) == "{BERT} and {ImageNet} models"
    )


def test_split_names_orders_and_turns_names_around():
    raw = (
        r"Vaswani, Ashish and J{\"u}rgen Schmidhuber and Kaiser, {\L}ukasz and {Google Brain and Friends}"
        r" and van der Maaten, Laurens and King, Jr, Martin Luther and others"
    )
    assert bibtex.split_names(raw) == [
        "Ashish Vaswani",
        "Jürgen Schmidhuber",
        "Łukasz Kaiser",
        "Google Brain and Friends",
        "Laurens van der Maaten",
        "Martin Luther King Jr",
        "others",  # the list is truncated; names_to_latex writes "and others" again
    ]


def test_names_to_latex_round_trip():
    names = ["Jürgen Schmidhuber", "Martin Luther King, Jr.", "Barnes and Noble", "何恺明", "Łukasz Kaiser"]
    written = bibtex.names_to_latex(names)
    assert written.startswith(r"J{\"u}rgen Schmidhuber and {Martin Luther King, Jr.} and {Barnes and Noble}")
    assert bibtex.split_names(written) == names


@pytest.mark.parametrize(
    ("fields", "arxiv_id"),
    [
        ({"eprint": "1706.03762", "archiveprefix": "arXiv"}, "1706.03762"),
        ({"eprint": "arXiv:1706.03762v5", "eprinttype": "arxiv"}, "1706.03762"),
        ({"eprint": "hep-th/9901001"}, "hep-th/9901001"),
        ({"eprint": "1706.03762"}, "1706.03762"),
        ({"eprint": "HAL-01234", "archiveprefix": "HAL"}, ""),
        ({"journal": "arXiv preprint arXiv:2005.14165"}, "2005.14165"),
        ({"journal": "arXiv preprint arXiv:1412.6980 [cs.LG]"}, "1412.6980"),
        ({"journal": "CoRR abs/1911.02116"}, "1911.02116"),
        ({"journal": "CoRR", "volume": "abs/1412.6980"}, "1412.6980"),
        ({"journal": "ArXiv", "volume": "abs/1810.04805"}, "1810.04805"),
        ({"journal": "Neural Computation", "volume": "9"}, ""),
        ({"url": "https://arxiv.org/abs/1810.04805v2"}, "1810.04805"),
        ({"url": "http://arxiv.org/pdf/1512.03385.pdf"}, "1512.03385"),
        ({"url": "https://github.com/google-research/bert"}, ""),
        ({"doi": "10.48550/arXiv.2302.13971"}, "2302.13971"),
        (
            {"eprint": "1706.03762", "archiveprefix": "arXiv", "url": "https://arxiv.org/abs/1706.03762"},
            "1706.03762",
        ),
    ],
)
def test_find_arxiv_id(fields, arxiv_id):
    assert bibtex.find_arxiv_id(fields) == arxiv_id


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"eprint": "1706.0376", "archiveprefix": "arXiv"},
            "eprint: 1706.0376 is not a valid arXiv identifier",
        ),
        (
            {"journal": "arXiv preprint arXiv:1713.03762"},
            "journal: 1713.03762 is not a valid arXiv identifier",
        ),
        (
            {"eprint": "1706.03762", "url": "https://arxiv.org/abs/1810.04805"},
            "the fields name different arXiv ids: eprint says 1706.03762, url says 1810.04805",
        ),
    ],
)
def test_find_arxiv_id_errors(fields, message):
    with pytest.raises(bibtex.IdentifierError, match=message):
        bibtex.find_arxiv_id(fields)


@pytest.mark.parametrize(
    ("fields", "doi"),
    [
        ({"doi": "10.18653/v1/N19-1423"}, "10.18653/v1/N19-1423"),
        ({"doi": "https://doi.org/10.1109/CVPR.2016.90"}, "10.1109/CVPR.2016.90"),
        ({"doi": "doi:10.1162/neco.1997.9.8.1735"}, "10.1162/neco.1997.9.8.1735"),
        ({"url": "https://doi.org/10.1109/CVPR.2016.90"}, "10.1109/CVPR.2016.90"),
        ({"url": "https://dx.doi.org/10.1145%2F3065386"}, "10.1145/3065386"),
        ({"url": "https://arxiv.org/abs/1706.03762"}, ""),
        ({}, ""),
    ],
)
def test_find_doi(fields, doi):
    assert bibtex.find_doi(fields) == doi


def test_find_doi_errors():
    with pytest.raises(bibtex.IdentifierError, match=r"doi: 11\.1/x is not a valid DOI"):
        bibtex.find_doi({"doi": "11.1/x"})
    with pytest.raises(bibtex.IdentifierError, match="different DOIs"):
        bibtex.find_doi({"doi": "10.1000/a", "url": "https://doi.org/10.1000/b"})


def test_parse_resolves_strings_and_concatenation():
    (entry,) = bibtex.parse(
        '@string{nips = "Advances in Neural Information Processing Systems"}\n'
        '@InProceedings{k, Title = {T}, booktitle = nips # " 30", month = jun}\n'
    )
    assert (entry.key, entry.entry_type, entry.line) == ("k", "inproceedings", 2)
    assert entry.text("booktitle") == "Advances in Neural Information Processing Systems 30"
    assert entry.text("title") == "T"


def test_parse_reports_every_problem():
    text = (
        "@article{a, title = {One}}\n"
        "@article{A, title = {Two}}\n"
        "@article{b, title = {Three}, title = {Four}}\n"
        "@article{c, title = {Five}\n"
    )
    with pytest.raises(bibtex.BibtexSyntaxError) as caught:
        bibtex.parse(text)
    reasons = dict(caught.value.problems)
    assert "not valid BibTeX" in reasons["c (line 4)"]
    assert reasons["b (line 3)"] == "field given twice: title"
    assert reasons["A"] == "duplicate BibTeX key, differing only in case (lines 1 and 2)"


def test_parse_reports_duplicate_keys():
    with pytest.raises(bibtex.BibtexSyntaxError) as caught:
        bibtex.parse("@article{a, title={One}}\n\n@misc{a, title={Two}}\n")
    assert caught.value.problems == [("a", "duplicate BibTeX key (lines 1 and 3)")]


def paper(**fields):
    defaults = {
        "title": "Attention Is All You Need",
        "authors": ["Ashish Vaswani", "Noam Shazeer"],
        "year": 2017,
    }
    return Paper(**{**defaults, **fields})


def test_paper_to_bibtex_conference_with_arxiv():
    text = bibtex.paper_to_bibtex(
        paper(venue="Advances in Neural Information Processing Systems 30", arxiv_id="1706.03762")
    )
    assert text == (
        "@inproceedings{vaswani2017attention,\n"
        "  author = {Ashish Vaswani and Noam Shazeer},\n"
        "  title = {Attention Is All You Need},\n"
        "  booktitle = {Advances in Neural Information Processing Systems 30},\n"
        "  year = {2017},\n"
        "  eprint = {1706.03762},\n"
        "  archivePrefix = {arXiv},\n"
        "}\n"
    )


def test_paper_to_bibtex_entry_types():
    journal = paper(venue="Neural Computation", doi="10.1162/neco.1997.9.8.1735", bibtex_key="hochreiter97")
    assert bibtex.paper_to_bibtex(journal).startswith("@article{hochreiter97,\n")
    assert "  journal = {Neural Computation},\n" in bibtex.paper_to_bibtex(journal)
    preprint = paper(arxiv_id="2302.13971", title="LLaMA: Open and Efficient Foundation Language Models")
    text = bibtex.paper_to_bibtex(preprint)
    assert text.startswith("@misc{vaswani2017llama,\n")
    assert "  title = {{LLaMA:} Open and Efficient Foundation Language Models},\n" in text
    assert "  eprint = {2302.13971},\n  archivePrefix = {arXiv},\n" in text


@pytest.mark.django_db
def test_paper_to_bibtex_uses_the_venue_edition():
    edition = ConferenceEditionFactory(series__short_name="NeurIPS", series__full_name="NeurIPS", year=2017)
    text = bibtex.paper_to_bibtex(paper(venue_edition=edition))
    assert text.startswith("@inproceedings{")
    assert "  booktitle = {NeurIPS 2017},\n" in text


def test_generated_keys():
    assert bibtex.generate_key(paper(title="The Annotated Transformer")) == "vaswani2017annotated"
    assert bibtex.generate_key(paper(authors=["Jürgen Schmidhuber"], title="Deep Learning")) == (
        "schmidhuber2017deep"
    )
    assert bibtex.generate_key(paper(authors=[], year=None, title="?")) == "paper"
    # A key BibTeX cannot read is replaced by a generated one.
    assert bibtex.bibtex_key(paper(bibtex_key="has space")) == "vaswani2017attention"


def test_papers_to_bibtex_keeps_generated_keys_apart():
    papers = [
        paper(),
        paper(title="Attention Is All You Need, again"),
        paper(bibtex_key="vaswani2017attentionb"),
    ]
    keys = [
        line.split("{")[1].rstrip(",") for line in bibtex.papers_to_bibtex(papers).splitlines() if "@" in line
    ]
    assert keys == ["vaswani2017attention", "vaswani2017attentionc", "vaswani2017attentionb"]
