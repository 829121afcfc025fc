"""Search quality: nDCG@10 and recall@20 of keyword, semantic and hybrid search on the queries of
``benchmarks/search_eval.yml`` (learner phrasings with graded relevant items).

Runs against the database DATABASE_URL names (the default SQLite file otherwise), which must
hold the shipped catalogue, tutorials and their vectors:

    .venv/bin/python manage.py load_catalogue && .venv/bin/python manage.py load_tutorials
    .venv/bin/python manage.py embed
    .venv/bin/python benchmarks/search_eval.py [--json out.json]

``search.search`` answers per type; each mode's groups are flattened the same way (every group's
first hit, then every group's second, ... in the order the page shows them, ``Results.sections``)
into one list of 20, so the modes are compared on equal terms. ``top1``: a grade-3 item heads its
own type's group (what a learner sees first in that group on the page). Prints overall figures
and by language and query kind; exits non-zero when a relevant slug is not in the catalogue (a
stale evaluation set).
"""

import argparse
import json
import math
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

import yaml  # noqa: E402

from resources import search, semantic  # noqa: E402

MODES = ("keyword", "semantic", "hybrid")
DEPTH = 20


def flat(results) -> list[str]:
    lists = [[f"{g.key}:{h.item.slug}" for h in g.hits] for g in results.sections]
    out = []
    for rank in range(max((len(x) for x in lists), default=0)):
        out += [x[rank] for x in lists if rank < len(x)]
    return out[:DEPTH]


def ndcg(ranked: list[str], grades: dict[str, int], k: int = 10) -> float:
    dcg = sum((2 ** grades.get(key, 0) - 1) / math.log2(i + 2) for i, key in enumerate(ranked[:k]))
    ideal = sorted(grades.values(), reverse=True)[:k]
    best = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / best if best else 0.0


def recall(ranked: list[str], grades: dict[str, int], k: int = DEPTH) -> float:
    return len(set(ranked[:k]) & set(grades)) / len(grades)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default=str(ROOT / "benchmarks" / "search_eval.yml"))
    parser.add_argument("--json", help="write every figure here")
    args = parser.parse_args()
    queries = yaml.safe_load(Path(args.set).read_text())["queries"]
    known = set()
    for key, spec in semantic.types().items():
        known |= {f"{key}:{slug}" for slug in spec.published().values_list("slug", flat=True)}
    missing = sorted({k for q in queries for k in q["relevant"] if k not in known})
    if missing:
        print("not in the catalogue:", ", ".join(missing))
        return 1
    from django.db import connection

    print(
        f"database: {connection.vendor}; keyword backend: {search.default_backend()}; queries: {len(queries)}"
    )
    rows = []
    for q in queries:
        row = {"q": q["q"], "lang": q["lang"], "kind": q["kind"]}
        for mode in MODES:
            results = search.search(q["q"], limit=DEPTH, mode=mode)
            if mode != "keyword" and results.mode_used != mode:
                print(f"{mode} fell back to keyword ({results.fallback_reason}): run manage.py embed")
                return 1
            ranked = flat(results)
            firsts = {f"{g.key}:{g.hits[0].item.slug}" for g in results.groups if g.hits}
            best = {k for k, grade in q["relevant"].items() if grade == 3}
            row[mode] = {
                "ndcg10": ndcg(ranked, q["relevant"]),
                "recall20": recall(ranked, q["relevant"]),
                "top1": float(bool(firsts & best)),
            }
        rows.append(row)

    def mean(subset, mode, metric):
        return sum(r[mode][metric] for r in subset) / len(subset) if subset else float("nan")

    groups = {
        "all": rows,
        "English": [r for r in rows if r["lang"] == "en"],
        "Chinese": [r for r in rows if r["lang"] == "zh"],
        "paraphrase": [r for r in rows if r["kind"] == "paraphrase"],
        "exact title": [r for r in rows if r["kind"] == "title"],
    }
    summary = {}
    print(
        f"{'queries':<14}{'n':>4}  "
        + "  ".join(f"{m + ' nDCG@10':>17} {'R@20':>6} {'top1':>5}" for m in MODES)
    )
    for name, subset in groups.items():
        cells = []
        for mode in MODES:
            n, r, t = (mean(subset, mode, m) for m in ("ndcg10", "recall20", "top1"))
            summary.setdefault(name, {})[mode] = {
                "ndcg10": round(n, 3),
                "recall20": round(r, 3),
                "top1": round(t, 3),
            }
            cells.append(f"{n:>17.3f} {r:>6.3f} {t:>5.2f}")
        print(f"{name:<14}{len(subset):>4}  " + "  ".join(cells))
    if args.json:
        Path(args.json).write_text(
            json.dumps({"summary": summary, "queries": rows}, ensure_ascii=False, indent=1)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
