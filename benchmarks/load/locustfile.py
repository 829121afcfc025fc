"""Locust scenario for the portal: anonymous browsers, API clients, and learners launching runs.

Three kinds of users (weights 6 : 3 : 1 by default; ``LOAD_WEIGHTS=6,3,1`` changes them):

- ``Browser``: anonymous pages — home, lists with filters, detail pages, the search page with
  several queries, deadlines, tutorials.
- ``ApiClient``: token-authenticated API reads — lists with filters and page sizes, details,
  ``/api/v1/search/``, and conditional GETs that send back the ETag (a 304 is a success).
- ``Learner``: a token user who launches small ``mlp_digits`` runs through ``POST /api/v1/runs/``
  (sometimes two or three at once, to compare settings), polls each run until it ends, and
  sometimes cancels one.

How answers count. 2xx, 3xx and 304 are successes. A 429 (a DRF throttle or a fair-use limit)
and a 503 that carries ``Retry-After`` and the code ``busy`` (the global queue cap) are answers
the portal is meant to give under load: they are marked successful but renamed (``[429] POST
/api/v1/runs/``) so that they stand on rows of their own in locust's statistics, and counted in
the summary file. A 409 on cancel (the run ended between the poll and the cancel) is counted the
same way. Every other status is a failure.

Inputs (environment): ``LOAD_FIXTURES``, a JSON file written by ``benchmarks/load_test.py`` with
slugs of published items and the users' tokens; ``LOAD_SUMMARY`` (optional), where the counts of
expected refusals and launched runs are written when the test stops. ``LOAD_RUN_EPOCHS`` (default
2) and ``LOAD_POLL_SECONDS`` (default 1.5) shape the learners' runs; ``LOAD_WAIT`` (default
``1,4``) and ``LOAD_LEARNER_WAIT`` (default ``5,20``) are the seconds between two tasks of a
browser or API client, and of a learner.

    LOAD_FIXTURES=/tmp/fixtures.json .venv/bin/locust -f benchmarks/load/locustfile.py \\
        --headless -u 20 -r 2 -t 5m --host http://127.0.0.1:8000
"""

import collections
import itertools
import json
import os
import random
import threading
import time

from locust import HttpUser, between, events, task

FIXTURES_PATH = os.environ.get("LOAD_FIXTURES", "")
SUMMARY_PATH = os.environ.get("LOAD_SUMMARY", "")
RUN_EPOCHS = int(os.environ.get("LOAD_RUN_EPOCHS", "2"))
POLL_SECONDS = float(os.environ.get("LOAD_POLL_SECONDS", "1.5"))
POLL_GIVE_UP_SECONDS = float(os.environ.get("LOAD_POLL_GIVE_UP", "600"))
WEIGHTS = [int(part) for part in os.environ.get("LOAD_WEIGHTS", "6,3,1").split(",")]
WAIT = [float(part) for part in os.environ.get("LOAD_WAIT", "1,4").split(",")]
LEARNER_WAIT = [float(part) for part in os.environ.get("LOAD_LEARNER_WAIT", "5,20").split(",")]

FINISHED = {"succeeded", "failed", "cancelled"}
EXPECTED = {"429", "503-busy", "409-finished"}
SEARCH_QUERIES = [
    "attention",
    "transformer language model",
    "reinforcement learning",
    "graph neural network",
    "diffusion",
    "atention",
    "注意力机制",
    "deep learning course",
]

_lock = threading.Lock()
counts: collections.Counter = collections.Counter()
launched_runs: list[str] = []
#: Response times (ms) by kind of user ("web", "api", "learner") and in all, for the percentiles.
times: dict[str, list[float]] = collections.defaultdict(list)


def _load_fixtures() -> dict:
    if not FIXTURES_PATH:
        raise SystemExit("LOAD_FIXTURES must name the JSON file that benchmarks/load_test.py writes")
    with open(FIXTURES_PATH, encoding="utf-8") as handle:
        return json.load(handle)


FIX = _load_fixtures()
_api_tokens = itertools.cycle(FIX["api_tokens"])
_learner_tokens = itertools.cycle(FIX["learner_tokens"])


def _count(key: str) -> None:
    with _lock:
        counts[key] += 1


def _body_code(response) -> str:
    try:
        return str(response.json().get("error", {}).get("code", ""))
    except (ValueError, AttributeError):
        return ""


def check(response, name: str, *, allow_conflict: bool = False) -> bool:
    """Classify one answer inside ``catch_response``; True when the body is usable (2xx/304)."""
    code = response.status_code
    if 200 <= code < 400:
        response.success()
        return code < 300
    expected = None
    if code == 429:
        expected = "429"
    elif code == 503 and response.headers.get("Retry-After") and _body_code(response) == "busy":
        expected = "503-busy"
    elif code == 409 and allow_conflict:
        expected = "409-finished"
    if expected:
        response.request_meta["name"] = f"[{expected}] {name}"
        _count(expected)
        response.success()
    else:
        error = getattr(response, "error", None)  # set when no answer came (status 0)
        response.failure(f"HTTP {code}: {error!r}" if error else f"HTTP {code}: {response.text[:200]!r}")
    return False


class PortalUser(HttpUser):
    abstract = True
    wait_time = between(*WAIT)
    kind = "user"
    headers: dict = {}

    def get(self, url: str, name: str | None = None, headers: dict | None = None, **kwargs):
        name = name or url
        merged = {**self.headers, **(headers or {})}
        with self.client.get(url, name=name, headers=merged, catch_response=True, **kwargs) as response:
            ok = check(response, name)
        return response, ok

    def pick(self, key: str) -> str:
        return random.choice(FIX[key])


class Browser(PortalUser):
    """An anonymous visitor reading the site's pages."""

    weight = WEIGHTS[0]
    kind = "browser"
    headers = {"Accept-Language": "en"}

    @task(3)
    def home(self):
        self.get("/", name="[web] /")

    @task(4)
    def lists(self):
        topic = self.pick("topics")
        choices = [
            ("/papers/", {}),
            ("/papers/", {"topic": topic}),
            ("/papers/", {"topic": topic, "sort": "title"}),
            ("/papers/", {"year": random.choice([2017, 2019, 2020, 2022, 2023])}),
            ("/courses/", {"topic": topic}),
            ("/courses/", {}),
            ("/books/", {}),
            ("/conferences/", {"topic": topic}),
            ("/communities/", {}),
            ("/topics/", {}),
        ]
        path, params = random.choice(choices)
        label = f"[web] {path}" + ("?filters" if params else "")
        self.get(path, name=label, params=params)

    @task(4)
    def details(self):
        kind = random.choice(["papers", "courses", "books", "conferences", "topics", "communities"])
        self.get(f"/{kind}/{self.pick(kind)}/", name=f"[web] /{kind}/[slug]/")

    @task(3)
    def search(self):
        self.get("/search/", name="[web] /search/?q", params={"q": random.choice(SEARCH_QUERIES)})

    @task(2)
    def deadlines(self):
        params = random.choice([{}, {"when": "upcoming"}, {"rank": "A"}, {"topic": self.pick("topics")}])
        self.get("/deadlines/", name="[web] /deadlines/", params=params)

    @task(2)
    def tutorials(self):
        if random.random() < 0.4:
            self.get("/tutorials/", name="[web] /tutorials/")
        else:
            self.get(f"/tutorials/{self.pick('tutorials')}/", name="[web] /tutorials/[slug]/")


class ApiClient(PortalUser):
    """A script reading the API with its token."""

    weight = WEIGHTS[1]
    kind = "api"

    def on_start(self):
        self.headers = {"Authorization": f"Token {next(_api_tokens)}", "Accept": "application/json"}
        self.etags: dict[str, str] = {}

    @task(5)
    def lists(self):
        topic = self.pick("topics")
        path, params = random.choice(
            [
                ("/api/v1/papers/", {"page_size": random.choice([10, 20, 50, 100])}),
                ("/api/v1/papers/", {"topic": topic, "ordering": "-year"}),
                ("/api/v1/papers/", {"year_from": 2018, "page_size": 50}),
                ("/api/v1/courses/", {"topic": topic}),
                ("/api/v1/books/", {"page_size": 50}),
                ("/api/v1/conferences/", {"rank": "A"}),
                ("/api/v1/deadlines/", {"when": "upcoming"}),
                ("/api/v1/communities/", {}),
                ("/api/v1/topics/", {"page_size": 100}),
                ("/api/v1/tutorials/", {}),
                ("/api/v1/runs/", {"status": "succeeded"}),
            ]
        )
        self.get(path, name=f"[api] {path}", params=params)

    @task(4)
    def details(self):
        kind = random.choice(["papers", "courses", "books", "conferences", "topics", "communities"])
        self.get(f"/api/v1/{kind}/{self.pick(kind)}/", name=f"[api] /api/v1/{kind}/[slug]/")

    @task(3)
    def search(self):
        self.get("/api/v1/search/", name="[api] /api/v1/search/", params={"q": random.choice(SEARCH_QUERIES)})

    @task(3)
    def conditional(self):
        """Fetch a resource, then again with its ETag: an unchanged catalogue answers 304."""
        url = random.choice(
            ["/api/v1/papers/?page_size=20", "/api/v1/topics/", f"/api/v1/papers/{self.pick('papers')}/"]
        )
        etag = self.etags.get(url)
        if etag is None:
            response, ok = self.get(url, name="[api] conditional (first)")
            if ok and response.headers.get("ETag"):
                self.etags[url] = response.headers["ETag"]
            return
        name = "[api] conditional (If-None-Match)"
        with self.client.get(
            url, name=name, headers={**self.headers, "If-None-Match": etag}, catch_response=True
        ) as response:
            check(response, name)
            if response.status_code == 304:
                _count("304")
            elif response.status_code == 200:
                self.etags[url] = response.headers.get("ETag", etag)


class Learner(PortalUser):
    """A signed-in learner (token) who trains small demos and watches them."""

    weight = WEIGHTS[2]
    kind = "learner"
    wait_time = between(*LEARNER_WAIT)

    def on_start(self):
        self.headers = {"Authorization": f"Token {next(_learner_tokens)}", "Accept": "application/json"}

    def launch(self) -> str | None:
        params = {
            "epochs": random.randint(1, RUN_EPOCHS),
            "hidden_size": random.choice([16, 32, 64]),
            "learning_rate": random.choice([0.001, 0.003, 0.01]),
            "seed": random.randint(0, 10_000),
        }
        name = "[learner] POST /api/v1/runs/"
        with self.client.post(
            "/api/v1/runs/",
            json={"demo": "mlp_digits", "params": params},
            headers=self.headers,
            name=name,
            catch_response=True,
        ) as response:
            if check(response, name) and response.status_code == 201:
                run_id = response.json()["id"]
                with _lock:
                    launched_runs.append(run_id)
                _count("launched")
                return run_id
        return None

    def cancel(self, run_id: str) -> None:
        name = "[learner] POST /api/v1/runs/[id]/cancel/"
        with self.client.post(
            f"/api/v1/runs/{run_id}/cancel/", headers=self.headers, name=name, catch_response=True
        ) as answer:
            if check(answer, name, allow_conflict=True):
                _count("cancel-requested")

    @task
    def train_and_watch(self):
        runs = [run for run in (self.launch() for _ in range(random.choice([1, 1, 1, 2, 3]))) if run]
        if not runs:
            return
        # Now and then the learner thinks better of the last run: at once (often still queued),
        # or after one or two polls (usually running, or already over: a 409).
        cancel = runs[-1] if random.random() < 0.25 else None
        cancel_after = random.choice([0, 1, 2])
        deadline = time.monotonic() + POLL_GIVE_UP_SECONDS
        pending = set(runs)
        polls = 0
        while pending and time.monotonic() < deadline:
            if cancel in pending and polls >= cancel_after:
                self.cancel(cancel)
                cancel = None
            time.sleep(POLL_SECONDS)  # gevent-patched: yields to the other users
            polls += 1
            for run_id in list(pending):
                response, ok = self.get(f"/api/v1/runs/{run_id}/", name="[learner] GET /api/v1/runs/[id]/")
                if not ok:
                    continue
                state = response.json().get("status")
                if state in FINISHED:
                    pending.discard(run_id)
                    _count(f"seen-{state}")
        if pending:
            _count("poll-gave-up")
        if random.random() < 0.5:
            self.get("/api/v1/runs/", name="[learner] GET /api/v1/runs/?mine=1", params={"mine": 1})


@events.request.add_listener
def record_time(name, response_time, exception=None, **_kwargs):
    """Keep every response time by kind (the "[web]"/"[api]"/"[learner]" tag in the name)."""
    label = name
    if label.startswith("[") and label[1 : label.find("]")] in EXPECTED:
        label = label.split("] ", 1)[1]
    tag = label[1 : label.index("]")] if label.startswith("[") and "]" in label else "other"
    with _lock:
        times[tag].append(response_time)
        times["all"].append(response_time)
        if exception is not None:
            counts[f"error-{tag}"] += 1


def percentiles(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    ordered = sorted(values)

    def at(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)

    return {"n": len(ordered), "p50": at(0.5), "p95": at(0.95), "p99": at(0.99), "max": ordered[-1]}


@events.test_stop.add_listener
def write_summary(environment, **_kwargs):
    if not SUMMARY_PATH:
        return
    with _lock:
        data = {
            "counts": dict(counts),
            "launched_runs": list(launched_runs),
            "latency_ms": {kind: percentiles(values) for kind, values in times.items()},
        }
    with open(SUMMARY_PATH, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1)
