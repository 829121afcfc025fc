"""Latency of the catalogue pages and of the one-box search with 100,000 papers in PostgreSQL.

Creates a database of its own (``portal_bench_web``, or the one BENCH_DATABASE_URL names; dropped
at the end unless --keep), migrates it, loads the papers with COPY (the search-vector trigger
fills their vectors as they arrive) and runs VACUUM ANALYZE, then times pages in-process through
Django's test client: the whole middleware stack and template rendering, no network. DEBUG is
off; the cache is local memory, as by default (topic and whole-list facet counts are cached five
minutes; the home page is also timed with the cache emptied before every request).

Measured: home, the paper list (plain and filtered), a paper's detail page (a different paper
each time), the search page, and the same searches through the search function with the
PostgreSQL backend and with the plain-icontains backend (what SQLite uses). Prints p50/p95 per
page and the icontains / full-text ratio.

    .venv/bin/python benchmarks/web_pages.py                 # 100,000 papers, about 7 minutes
    .venv/bin/python benchmarks/web_pages.py --papers 20000 --runs 30 --keep
    .venv/bin/python benchmarks/web_pages.py --reuse          # time the kept database again

Exits non-zero when a target is missed: search page p95 < 100 ms; home, paper list and paper
detail p95 < 150 ms; the search page with full text at least 20x faster than with icontains.
"""

import argparse
import csv
import datetime as dt
import io
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SERVER = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_web")
os.environ["DATABASE_URL"] = SERVER
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["DEBUG"] = "0"
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"

import psycopg2  # noqa: E402

_FIELD_WORDS = (
    "attention transformer language model pretraining fine-tuning representation learning neural "
    "network deep convolutional recurrent sequence generation translation retrieval augmented "
    "reinforcement feedback reward policy optimisation gradient descent stochastic scaling laws "
    "emergent abilities in-context prompting chain thought reasoning alignment instruction tuning "
    "preference diffusion image vision multimodal contrastive embedding tokenizer vocabulary sparse "
    "mixture experts routing efficient inference quantisation distillation pruning memory long "
    "context positional encoding benchmark evaluation robustness adversarial safety interpretability "
    "probing graph speech audio dialogue agent planning tool code synthesis mathematics knowledge "
    "factuality hallucination parameter efficient adapter low rank federated privacy fairness bias "
    "curriculum self supervised masked autoregressive encoder decoder normalisation residual dropout "
    "optimizer learning rate "
)
WORDS = _FIELD_WORDS.split()
FILLER = "we the of and a to in for on with that this by is are from our results show method".split()  # noqa: SIM905
CHINESE = ["注意力机制", "大语言模型", "预训练", "强化学习", "扩散模型", "多模态", "知识蒸馏", "对齐"]
SEARCHES = [
    "attention",
    "transformer language model",
    "reinforcement learning feedback",
    "atention",
    "注意力机制",
]


_SYLLABLES = "ka lo mi ne ru sa ti vo ze ba ce di fu go hi ja ke lu ma no pi qu re si to".split()  # noqa: SIM905
# Real abstracts draw on a large vocabulary: the field's words are a small part of it.
PSEUDO = sorted({"".join(random.Random(i).choices(_SYLLABLES, k=3)) for i in range(6000)})


def _words(rng: random.Random, n: int, field_share: float) -> str:
    words = []
    for _ in range(n):
        draw = rng.random()
        if draw < 0.35:
            words.append(rng.choice(FILLER))
        elif draw < 0.35 + field_share:
            words.append(rng.choice(WORDS))
        else:
            words.append(rng.choice(PSEUDO))
    return " ".join(words)


def admin_connection():
    parts = urlsplit(SERVER)
    return psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres",
        password=parts.password or None, dbname="postgres",
    )  # fmt: skip


def recreate_database(name: str) -> None:
    conn = admin_connection()
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def drop_database(name: str) -> None:
    from django.db import connections

    connections.close_all()
    conn = admin_connection()
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
    conn.close()


def copy_rows(cursor, table: str, columns: list[str], rows) -> None:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    buffer.seek(0)
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')"
    cursor.copy_expert(sql, buffer)


def seed(papers: int, rng: random.Random) -> None:
    from django.db import connection

    from resources.models import (
        Book,
        Community,
        ConferenceEdition,
        ConferenceSeries,
        Course,
        Deadline,
        Status,
        Topic,
    )  # fmt: skip

    now = dt.datetime.now(dt.UTC)
    published = Status.PUBLISHED
    topics = Topic.objects.bulk_create(
        Topic(
            slug=f"topic-{i}",
            name_en=f"{WORDS[i].title()} {WORDS[i + 20]}",
            name_zh=CHINESE[i % 8],
            position=i,
        )
        for i in range(30)
    )
    series = ConferenceSeries.objects.bulk_create(
        ConferenceSeries(
            slug=f"conf-{i}", short_name=f"CONF{i}", full_name=f"Conference on {WORDS[i].title()} {i}",
            status=published, published_at=now, field=["AI", "CV", "NLP", "ML"][i % 4], ccf_rank="ABC"[i % 3],
        )
        for i in range(60)
    )  # fmt: skip
    editions = ConferenceEdition.objects.bulk_create(
        ConferenceEdition(series=s, year=year) for s in series for year in range(2015, 2028)
    )
    Deadline.objects.bulk_create(
        Deadline(
            edition=e, label="Paper", at=dt.datetime(e.year - 1, 1 + e.pk % 12, 15, 11, 59, 59, tzinfo=dt.UTC)
        )
        for e in editions
    )
    for model, n in ((Book, 800), (Course, 800), (Community, 200)):
        title = "name" if model is Community else "title"
        extra = {"provider": "University", "url": "https://example.org/"} if model is Course else {}
        if model is Community:
            extra = {"kind": "forum", "url": "https://example.org/"}
        model.objects.bulk_create(
            model(slug=f"{model._meta.model_name}-{i}", status=published, published_at=now,
                  description_en=_words(rng, 40, 0.1), **{title: _words(rng, 5, 0.5).capitalize()}, **extra)
            for i in range(n)
        )  # fmt: skip
    edition_ids = [e.pk for e in editions]
    topic_ids = [t.pk for t in topics]
    stamp = now.isoformat()
    columns = [
        "slug", "status", "description_en", "description_zh", "created_at", "updated_at", "published_at",
        "title", "authors", "year", "venue", "venue_edition_id", "arxiv_id", "doi", "url", "pdf_url",
        "code_url", "abstract", "bibtex_key",
    ]  # fmt: skip
    started = time.perf_counter()
    with connection.cursor() as cursor:
        batch = 10_000
        for first in range(0, papers, batch):
            rows = []
            for i in range(first, min(first + batch, papers)):
                title = _words(rng, rng.randint(5, 11), 0.45).capitalize()
                authors = json.dumps([f"Author {rng.randint(1, 20000)}" for _ in range(rng.randint(1, 6))])
                chinese = f"关于{rng.choice(CHINESE)}的研究。" if rng.random() < 0.05 else ""
                rows.append([
                    f"paper-{i}", published, _words(rng, 25, 0.06), chinese, stamp, stamp, stamp, title,
                    authors,
                    rng.randint(2012, 2026), "", rng.choice(edition_ids) if rng.random() < 0.5 else r"\N",
                    "", "", "", "", "", _words(rng, rng.randint(120, 200), 0.06), "",
                ])  # fmt: skip
            copy_rows(cursor, "resources_paper", columns, rows)
        cursor.execute("SELECT id FROM resources_paper")
        paper_ids = [row[0] for row in cursor.fetchall()]
        copy_rows(
            cursor,
            "resources_paper_topics",
            ["paper_id", "topic_id"],
            {(p, t) for p in paper_ids for t in rng.sample(topic_ids, rng.randint(1, 3))},
        )
        copy_rows(
            cursor,
            "resources_paper_cites",
            ["from_paper_id", "to_paper_id"],
            {(p, q) for p in paper_ids for q in rng.sample(paper_ids, 3) if p != q},
        )
        # As autovacuum would: statistics, and the visibility map that index-only scans need.
        cursor.execute("VACUUM ANALYZE")
    print(f"seeded {papers} papers in {time.perf_counter() - started:.1f} s (COPY, trigger-built vectors)")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def timed(function, runs: int) -> list[float]:
    function()  # warm the caches of this query shape
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=50, help="timed requests per page")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--reuse", action="store_true", help="time a database kept by an earlier --keep run")
    parser.add_argument(
        "--no-targets",
        action="store_true",
        help="report the targets but exit 0 when missed (a smoke run with fewer than 100,000 papers)",
    )
    args = parser.parse_args()
    name = urlsplit(SERVER).path.lstrip("/")
    if not args.reuse:
        recreate_database(name)

    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings

    from resources import search
    from resources.models import Paper

    results = {}
    try:
        call_command("migrate", verbosity=0)
        if args.reuse:
            args.papers = Paper.objects.count()
        else:
            seed(args.papers, random.Random(20261128))
        # Templates need {% static %}; whitenoise's manifest needs collectstatic, which is not the point here.
        plain_static = {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        load_before = os.getloadavg()
        client = Client()
        slugs = list(Paper.objects.order_by("?").values_list("slug", flat=True)[: args.runs + 1])
        details = iter(slugs * 2)
        queries = iter(SEARCHES * args.runs * 3)

        def page(url_or_factory):
            def run():
                url = url_or_factory() if callable(url_or_factory) else url_or_factory
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)

            return run

        with override_settings(STORAGES=plain_static):
            results["home /"] = timed(page("/"), args.runs)

            def home_uncached():
                cache.clear()
                page("/")()

            results["home /, topic counts not cached"] = timed(home_uncached, max(10, args.runs // 5))
            results["paper list /papers/"] = timed(page("/papers/"), args.runs)
            results["paper list, filtered"] = timed(
                page("/papers/?topic=topic-3&year=2020&sort=title"), args.runs
            )
            results["paper detail"] = timed(page(lambda: f"/papers/{next(details)}/"), args.runs)
            results["search page /search/?q="] = timed(page(lambda: f"/search/?q={next(queries)}"), args.runs)
            with override_settings(SEARCH_BACKEND="icontains"):
                results["search page, icontains backend"] = timed(
                    page(lambda: f"/search/?q={next(queries)}"), max(10, args.runs // 5)
                )
        per_query = {}
        for query in SEARCHES:
            fts = timed(lambda q=query: search.search(q, backend="postgres"), max(10, args.runs // 2))
            plain = timed(lambda q=query: search.search(q, backend="icontains"), max(5, args.runs // 10))
            found = search.search(query, backend="postgres").groups[0].count
            found_plain = search.search(query, backend="icontains").groups[0].count
            per_query[query] = (statistics.median(fts), statistics.median(plain), found, found_plain)
    finally:
        if not args.keep:
            drop_database(name)

    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    print(
        f"\n{dt.date.today()} · {platform.node()} · nproc {os.cpu_count()} · RAM {memory:.0f} GiB · "
        f"Python {platform.python_version()} · {args.papers} papers · {args.runs} runs per page · "
        "Django test client in-process"
    )
    load_after = os.getloadavg()
    print(
        "load average (1, 5, 15 min) before: {:.1f} {:.1f} {:.1f}; after: {:.1f} {:.1f} {:.1f}".format(
            *load_before, *load_after
        )
    )
    print("\n| page | p50 ms | p95 ms |\n|---|---:|---:|")
    for label, times in results.items():
        print(f"| {label} | {statistics.median(times):.1f} | {percentile(times, 95):.1f} |")
    print("\n| search, all types | full text p50 ms | icontains p50 ms | ratio | papers (fts / icontains) |")
    print("|---|---:|---:|---:|---:|")
    for query, (fts, plain, found, found_plain) in per_query.items():
        print(f"| {query} | {fts:.1f} | {plain:.1f} | {plain / fts:.0f}× | {found} / {found_plain} |")
    ratio = statistics.median(results["search page, icontains backend"]) / statistics.median(
        results["search page /search/?q="]
    )
    print(f"\nsearch page: icontains p50 / full-text p50 = {ratio:.0f}×")
    # The targets cover the four pages the issue names; the other lines are for the record.
    judged = ["home /", "paper list /papers/", "paper detail"]
    ok = (
        percentile(results["search page /search/?q="], 95) < 100
        and all(percentile(results[name], 95) < 150 for name in judged)
        and ratio >= 20
    )
    print(
        "targets (search p95 < 100 ms; home, list, detail p95 < 150 ms; full text ≥ 20× icontains):",
        "met" if ok else "NOT met",
    )
    if not ok and args.no_targets:
        print("(--no-targets: reported, not failed; the targets are for 100,000 papers)")
    return 0 if ok or args.no_targets else 1


if __name__ == "__main__":
    sys.exit(main())
