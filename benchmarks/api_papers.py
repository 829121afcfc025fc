"""Requests per second and p95 latency of /api/v1/papers/?page_size=100 against a hand-written
view that returns the same JSON from ``.values()`` (the price of DRF's serializers).

Runs in-process through Django's test client (middleware, authentication, throttling, ETag, all
as in production, without a network), on a database of its own made by Django's test-database
machinery (``test_<name>`` of DATABASE_URL, kept between runs), seeded with published papers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal \\
        .venv/bin/python benchmarks/api_papers.py --papers 3000 --requests 500

Prints one line per view and the ratio; exits non-zero when the API is more than 2x slower
than the baseline (p95) or when the two bodies differ.
"""

import argparse
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("LOG_LEVEL", "WARNING")
# The benchmark measures serving, not the rate limit: a rate it never reaches.
os.environ.setdefault("API_THROTTLE_ANON", "100000000/minute")
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.http import JsonResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import include, path  # noqa: E402

from resources.models import Paper, Status, Topic  # noqa: E402

FIELDS = (
    "slug",
    "title",
    "authors",
    "year",
    "venue",
    "venue_edition_id",
    "arxiv_id",
    "doi",
    "url",
    "pdf_url",
    "code_url",
    "bibtex_key",
    "description_en",
    "description_zh",
    "status",
    "created_at",
    "updated_at",
    "published_at",
)


def _iso(value):
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def baseline_papers(request):
    """The same JSON as the API's list, by hand: .values(), one query for the topics' slugs."""
    page_size = max(1, min(int(request.GET.get("page_size", 20)), 100))
    papers = Paper.objects.filter(status=Status.PUBLISHED).order_by("-year", "title", "pk")
    count = papers.count()
    rows = list(papers.values("pk", *FIELDS)[:page_size])
    through = Paper.topics.through.objects.filter(paper_id__in=[row["pk"] for row in rows])
    topics: dict[int, list[str]] = {}
    for paper_id, slug in through.order_by("topic__position", "topic__name_en").values_list(
        "paper_id", "topic__slug"
    ):
        topics.setdefault(paper_id, []).append(slug)
    results = []
    for row in rows:
        pk = row.pop("pk")
        row["venue_edition"] = row.pop("venue_edition_id")
        row["topics"] = topics.get(pk, [])
        for name in ("created_at", "updated_at", "published_at"):
            row[name] = _iso(row[name])
        results.append(row)
    next_url = request.build_absolute_uri(f"?page=2&page_size={page_size}") if count > page_size else None
    return JsonResponse({"count": count, "next": next_url, "previous": None, "results": results})


urlpatterns = [
    path("api/v1/", include("portal.api_urls", namespace="api")),
    path("baseline/papers/", baseline_papers),
]


def seed(papers: int) -> None:
    if Paper.objects.filter(status=Status.PUBLISHED).count() == papers:
        return
    Paper.objects.all().delete()
    Topic.objects.all().delete()
    rng = random.Random(42)
    topics = Topic.objects.bulk_create(
        Topic(slug=f"topic-{n}", name_en=f"Topic {n}", name_zh=f"主题 {n}", position=n % 5) for n in range(30)
    )
    surnames = [
        "Vaswani",
        "Devlin",
        "Radford",
        "Brown",
        "Raffel",
        "Touvron",
        "Ouyang",
        "Hoffmann",
        "Wei",
        "Kaplan",
    ]
    made = Paper.objects.bulk_create(
        Paper(
            slug=f"paper-{n}",
            title=f"Scaling study number {n} of attention and language models",
            authors=[f"{rng.choice('ABCDEFGH')}. {rng.choice(surnames)}" for _ in range(rng.randint(2, 8))],
            year=rng.randint(2015, 2026),
            venue=rng.choice(["NeurIPS", "ICML", "ICLR", "ACL", ""]),
            url=f"https://example.org/papers/{n}",
            pdf_url=f"https://example.org/papers/{n}.pdf",
            code_url=f"https://github.com/example/paper-{n}" if n % 3 else "",
            bibtex_key=f"paper{n}",
            abstract="We study attention. " * 40,
            description_en="A short note for learners on why this paper matters. " * 3,
            description_zh="为学习者写的简短说明。" * 3,
            status=Status.PUBLISHED,
        )
        for n in range(papers)
    )
    Through = Paper.topics.through
    Through.objects.bulk_create(
        Through(paper_id=paper.pk, topic_id=topic.pk)
        for paper in made
        for topic in rng.sample(topics, rng.randint(1, 3))
    )


def measure(client: Client, urls: dict[str, str], requests: int, warmup: int) -> dict[str, dict]:
    """Latencies of each URL, the requests interleaved, so that whatever else the machine is doing
    weighs on both alike."""
    for _ in range(warmup):
        for url in urls.values():
            assert client.get(url).status_code == 200
    timings: dict[str, list[float]] = {name: [] for name in urls}
    for _ in range(requests):
        for name, url in urls.items():
            begin = time.perf_counter()
            response = client.get(url)
            timings[name].append(time.perf_counter() - begin)
            assert response.status_code == 200, (url, response.status_code, response.content[:300])
    figures = {}
    for name, values in timings.items():
        values.sort()
        figures[name] = {
            "rps": len(values) / sum(values),
            "p50_ms": statistics.median(values) * 1000,
            "p95_ms": values[int(len(values) * 0.95) - 1] * 1000,
        }
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=3000)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=50)
    args = parser.parse_args()

    database = connection.creation.create_test_db(verbosity=0, keepdb=True)
    try:
        seed(args.papers)
        with override_settings(ROOT_URLCONF=__name__, DEBUG=False):
            client = Client()
            api_url, baseline_url = "/api/v1/papers/?page_size=100", "/baseline/papers/?page_size=100"
            api_body, baseline_body = client.get(api_url).json(), client.get(baseline_url).json()
            same = (
                api_body["results"] == baseline_body["results"]
                and api_body["count"] == baseline_body["count"]
            )
            if not same:
                print("the two views answer different JSON", file=sys.stderr)
                return 2
            figures = measure(client, {"api": api_url, "baseline": baseline_url}, args.requests, args.warmup)
            api, baseline = figures["api"], figures["baseline"]
    finally:
        connection.close()

    print(f"database: {connection.vendor} ({database}), {args.papers} papers, {args.requests} requests each")
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    for name, figures in (("api", api), ("baseline .values()", baseline)):
        print(
            f"{name:>20}: {figures['rps']:7.1f} req/s  p50 {figures['p50_ms']:6.2f} ms  "
            f"p95 {figures['p95_ms']:6.2f} ms"
        )
    ratio = api["p95_ms"] / baseline["p95_ms"]
    print(f"{'api / baseline':>20}: p95 x{ratio:.2f}, throughput x{baseline['rps'] / api['rps']:.2f}")
    return 0 if ratio <= 2 else 1


if __name__ == "__main__":
    sys.exit(main())
