"""Learning paths at scale: 10,000 learners and 50 paths of 20 steps, against a paper's page.

Builds its own PostgreSQL database (``portal_bench_paths``, or the one BENCH_DATABASE_URL names;
dropped at the end unless --keep): migrate, then 10,000 users, 50 published paths of 20 steps
each (every step a paper; each step after the first needs one or two earlier steps, so the route
has forks and joins), 1,000 catalogue papers in all, and for each learner progress on 1 to 3
paths (about 200,000 rows). Then it times, in-process through Django's test client (the whole
middleware stack and template rendering; DEBUG off, sessions in the database as configured):

- ``paper``: a paper's detail page, a different paper each time: the plain catalogue page the
  issue compares against;
- ``path``: a path's page with the learner's states, the route drawing and the plan form;
- ``step_post``: the path page's form that sets one step's state and note (POST, then redirect);
- ``progress_api``: ``POST /api/v1/progress/`` with a step, a state and a note (JSON).

Every measured request is signed in as one of 200 learners (taken in turn), so the paper page
pays the same session and user lookups as the others. Prints p50/p95 for each and the ratio of
each p95 to the paper page's; exits non-zero when a ratio is over 2.

    .venv/bin/python benchmarks/paths_pages.py               # about 2 minutes
    .venv/bin/python benchmarks/paths_pages.py --runs 500 --keep
"""

import argparse
import datetime as dt
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

SERVER = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_paths")
os.environ["DATABASE_URL"] = SERVER
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ["DEBUG"] = "0"
os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"

import psycopg2  # noqa: E402

USERS = 10_000
PATHS = 50
STEPS = 20
PAPERS = 1_000
SIGNED_IN = 200


def admin_connection():
    parts = urlsplit(SERVER)
    return psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username or "postgres",
        password=parts.password or None, dbname="postgres",
    )  # fmt: skip


def set_database(name: str, create: bool) -> None:
    conn = admin_connection()
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if create:
            cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def seed(rng: random.Random) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from paths.models import LearningPath, Progress, Step, StepProgress
    from resources.models import Paper, Status

    published = Status.PUBLISHED
    papers = Paper.objects.bulk_create(
        Paper(
            slug=f"paper-{i}",
            title=f"A study of learning, number {i}",
            authors=["A. Author", "B. Author"],
            year=2000 + i % 26,
            abstract="We study how networks learn. " * 20,
            status=published,
        )
        for i in range(PAPERS)
    )
    paths = LearningPath.objects.bulk_create(
        LearningPath(
            slug=f"path-{p}",
            title_en=f"Path number {p}",
            title_zh=f"第 {p} 条路径",
            summary_en="A route through the catalogue. " * 5,
            summary_zh="一条穿过目录的路线。" * 5,
            status=published,
        )
        for p in range(PATHS)
    )
    steps = Step.objects.bulk_create(
        Step(
            path=learning_path,
            position=position,
            paper=papers[(p * STEPS + position) % PAPERS],
            why_en="Read this next. " * 8,
            why_zh="接着读这一篇。" * 8,
        )
        for p, learning_path in enumerate(paths)
        for position in range(1, STEPS + 1)
    )
    links = []
    for p in range(PATHS):
        own = steps[p * STEPS : (p + 1) * STEPS]
        for index in range(1, STEPS):
            before = {own[index - 1].pk}
            if index >= 2 and rng.random() < 0.4:
                before.add(own[rng.randrange(0, index - 1)].pk)
            links += [Step.prerequisites.through(from_step_id=own[index].pk, to_step_id=b) for b in before]
    Step.prerequisites.through.objects.bulk_create(links)

    password = make_password("benchmark-password-not-used-0123")
    User = get_user_model()
    User.objects.bulk_create(
        (
            User(username=f"learner-{u}", email=f"learner-{u}@example.org", password=password)
            for u in range(USERS)
        ),
        batch_size=2000,
    )
    users = list(User.objects.values_list("pk", flat=True))
    states = [Progress.DONE, Progress.DONE, Progress.LEARNING, Progress.SKIPPED]
    rows = []
    for user in users:
        for p in rng.sample(range(PATHS), rng.randint(1, 3)):
            for step in steps[p * STEPS : p * STEPS + rng.randint(3, STEPS)]:
                rows.append(StepProgress(user_id=user, step_id=step.pk, state=rng.choice(states), note=""))
    StepProgress.objects.bulk_create(rows, batch_size=5000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(runs: int, rng: random.Random) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from paths.models import LearningPath, Step
    from resources.models import Paper

    users = list(get_user_model().objects.order_by("pk")[:SIGNED_IN])
    clients = []
    for user in users:
        client = Client()
        client.force_login(user)
        clients.append(client)
    paper_urls = [p.get_absolute_url() for p in Paper.objects.only("slug")]
    paths = list(LearningPath.objects.only("slug"))
    steps = list(Step.objects.values_list("pk", "path__slug"))
    states = ["not_started", "learning", "done", "skipped"]

    def paper(client):
        return client.get(rng.choice(paper_urls))

    def path(client):
        return client.get(rng.choice(paths).get_absolute_url())

    def step_post(client):
        pk, slug = rng.choice(steps)
        data = {f"s{pk}-state": rng.choice(states), f"s{pk}-note": f"note {rng.random():.4f}"}
        return client.post(f"/paths/{slug}/steps/{pk}/progress/", data)

    def progress_api(client):
        pk, _slug = rng.choice(steps)
        body = {"step": pk, "state": rng.choice(states), "note": "from the API"}
        return client.post("/api/v1/progress/", json.dumps(body), content_type="application/json")

    expected = {"paper": {200}, "path": {200}, "step_post": {302}, "progress_api": {200, 201}}
    results = {}
    for name, call in (
        ("paper", paper),
        ("path", path),
        ("step_post", step_post),
        ("progress_api", progress_api),
    ):
        for n in range(20):  # warm the caches and the connection
            call(clients[n % len(clients)])
        timings = []
        for n in range(runs):
            client = clients[n % len(clients)]
            start = time.perf_counter()
            response = call(client)
            timings.append((time.perf_counter() - start) * 1000)
            if response.status_code not in expected[name]:
                raise SystemExit(f"{name}: HTTP {response.status_code}")
        results[name] = {
            "p50_ms": round(statistics.median(timings), 2),
            "p95_ms": round(percentile(timings, 0.95), 2),
        }
    base = results["paper"]["p95_ms"]
    for name in ("path", "step_post", "progress_api"):
        results[name]["p95_vs_paper"] = round(results[name]["p95_ms"] / base, 2)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=300, help="timed requests per page (default 300)")
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    name = urlsplit(SERVER).path.lstrip("/")
    set_database(name, create=True)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    try:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        seed(rng)
        from paths.models import StepProgress

        seeded = time.perf_counter() - started
        rows = StepProgress.objects.count()
        print(f"seeded {USERS} users, {PATHS} paths x {STEPS} steps, {rows} progress rows in {seeded:.1f} s")
        from django.test.utils import override_settings

        # Templates need {% static %}; whitenoise's manifest needs collectstatic, not the point here.
        plain_static = {
            "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        with override_settings(STORAGES=plain_static):
            results = measure(args.runs, rng)
    finally:
        connections.close_all()
        if not args.keep:
            set_database(name, create=False)
    report = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "runs": args.runs,
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "results": results,
    }
    print(json.dumps(report, indent=2))
    slow = [n for n, r in results.items() if r.get("p95_vs_paper", 0) > 2]
    if slow:
        print(f"over 2x the paper page at p95: {', '.join(slow)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
