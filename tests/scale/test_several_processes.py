"""Two web servers and two trainers on one PostgreSQL and one Redis agree on every limit.

The PostgreSQL + Redis leg only: two gunicorn servers (each its own master with three worker
processes, as two web containers would be) and two trainer processes (``--queues=training
--concurrency=1``, as the compose ``trainer`` service) on this run's test database, broker and
cache. One user fires 40 launches at once, spread over both servers; then 30 users launch once
each against the queue cap. No trainer runs during the bursts, so the answers are exact: the
active-run limit and the queue cap admit precisely as many runs as they allow, whichever process
took each request (without the launch lock, this test fails); so does the anonymous API rate
(with DRF's own read-then-write throttle, it fails). Then the trainers start, and every accepted
run must finish, each trained exactly once.
"""

import os
from concurrent.futures import ThreadPoolExecutor
from itertools import cycle

import pytest
import requests
from rest_framework.authtoken.models import Token

from tests.factories import UserFactory
from tests.processes import WebProcess, on_postgresql, on_redis_stack, wait_until
from tests.processes import one_thread_worker_env as worker_env
from tutorials.models import TrainingRun

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ACTIVE_LIMIT, QUEUE_CAP = 3, 12
METRICS_TOKEN = "several-processes-metrics-token"
LIMITS = {
    "TRAINING_MAX_ACTIVE_PER_USER": str(ACTIVE_LIMIT),
    "TRAINING_QUEUE_CAP": str(QUEUE_CAP),
    "TRAINING_MAX_PER_HOUR": "1000",
    # The API's own throttles would refuse first otherwise; they are not what this test counts.
    "API_THROTTLE_LAUNCH": "10000/hour",
    "API_THROTTLE_WRITE": "10000/hour",
    "API_THROTTLE_USER": "10000/minute",
    "API_THROTTLE_ANON": "25/hour",
    "METRICS_TOKEN": METRICS_TOKEN,
}


@pytest.fixture
def stack(tmp_path):
    if not (on_postgresql() and on_redis_stack()):
        # The embedded leg has neither; the other leg of every CI run has both.
        pytest.skip("the PostgreSQL + Redis leg's test: this run uses SQLite or the embedded broker")
    metrics_dir = tmp_path / "prometheus"
    metrics_dir.mkdir()
    started = []
    try:
        for n in (1, 2):
            env = {**LIMITS, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
            # Several gunicorn workers each, as in production: many launches are in flight at once.
            started.append(WebProcess(tmp_path / f"web-{n}.log", env, workers=3, threads=2))
        yield started
    finally:
        for process in reversed(started):
            process.stop()


def start_trainers(tmp_path, n: int) -> list:
    from django.conf import settings

    from portal.celery import app
    from tests.processes import WorkerProcess

    trainers = []
    try:
        for i in range(n):
            trainer = WorkerProcess(
                settings.TRAINING_QUEUE, worker_env(**LIMITS), tmp_path / f"trainer-{i}.log"
            )
            trainers.append(trainer)
        for trainer in trainers:
            trainer.wait_ready(app, timeout=180)
    except BaseException:
        for trainer in trainers:
            trainer.stop()
        raise
    return trainers


def launch_all(webs, tokens) -> list[tuple[int, dict]]:
    """POST one launch per token, all at once, alternating between the web processes."""
    body = {"demo": "mlp_digits", "params": {"epochs": 1}}

    def launch(pair):
        web, token = pair
        response = requests.post(
            web.base + "/api/v1/runs/", json=body, headers={"Authorization": f"Token {token}"}, timeout=120
        )
        return response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
        return list(pool.map(launch, zip(cycle(webs), tokens, strict=False)))


def empty_training_queue() -> None:
    import redis
    from django.conf import settings

    client = redis.Redis.from_url(os.environ["CELERY_BROKER_URL"])
    try:
        client.delete(settings.TRAINING_QUEUE)
    finally:
        client.close()


def test_two_webs_and_two_trainers_keep_the_limits_exactly_and_train_every_run_once(stack, tmp_path):
    empty_training_queue()  # what earlier tests of this run may have left on the broker
    user = UserFactory()
    token = Token.objects.create(user=user).key

    answers = launch_all(stack, [token] * 40)
    statuses = sorted(status for status, _ in answers)
    assert statuses == [201] * ACTIVE_LIMIT + [429] * (40 - ACTIVE_LIMIT), answers
    assert {body["error"]["code"] for status, body in answers if status == 429} == {"limit"}
    assert TrainingRun.objects.filter(owner=user).count() == ACTIVE_LIMIT

    others = [Token.objects.create(user=UserFactory()).key for _ in range(30)]
    answers = launch_all(stack, others)
    statuses = sorted(status for status, _ in answers)
    room = QUEUE_CAP - ACTIVE_LIMIT
    assert statuses == [201] * room + [503] * (30 - room), answers
    assert {body["error"]["code"] for status, body in answers if status == 503} == {"busy"}
    assert TrainingRun.objects.filter(status="queued").count() == QUEUE_CAP

    # Both web processes answered launches, and /metrics adds up what each one served.
    scrape = requests.get(
        stack[0].base + "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=30
    )
    from prometheus_client.parser import text_string_to_metric_families

    served = sum(
        sample.value
        for family in text_string_to_metric_families(scrape.text)
        for sample in family.samples
        if sample.name == "portal_request_duration_seconds_count" and sample.labels["view"] == "api:run-list"
    )
    assert served == 70

    # The API's throttles count in Redis with atomic increments: 60 anonymous reads at once from
    # one address, over both servers, meet the anonymous rate exactly.
    def read(web):
        return requests.get(web.base + "/api/v1/topics/", timeout=60).status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        reads = sorted(pool.map(read, [stack[i % 2] for i in range(60)]))
    assert reads == [200] * 25 + [429] * 35

    trainers = start_trainers(tmp_path, 2)
    try:
        wait_until(
            lambda: not TrainingRun.objects.filter(status__in=["queued", "running"]).exists(),
            600,
            "the trainers did not drain the queue",
            interval=1,
            log=lambda: "\n".join(t.log() for t in trainers),
        )
    finally:
        for trainer in trainers:
            trainer.stop()
    runs = list(TrainingRun.objects.values("status", "attempts", "worker"))
    assert len(runs) == QUEUE_CAP
    assert {(r["status"], r["attempts"]) for r in runs} == {("succeeded", 1)}  # each claimed once
    # Both trainers took runs: one run at a time each, so neither could hoard the queue.
    assert len({r["worker"] for r in runs}) == 2
