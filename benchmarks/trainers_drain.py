"""A full training queue drained by one and by two trainer processes, and the web meanwhile.

On a database of its own (``portal_bench_drain``: dropped, created, migrated, catalogue and
tutorials loaded; dropped at the end) and Redis db ``--broker-db`` / ``--cache-db`` (flushed
before and after), the script starts one gunicorn web process (``--workers 1``, DEBUG off) and:

1. **idle**: times the main pages and API lists for ``--seconds`` (one client, requests one after
   another: latency, not throughput), and their throughput with ``--clients`` clients at once
   (requests per second of that one web process); counts the PostgreSQL connections.
2. for 1 and for 2 trainers: launches ``--runs`` mlp_digits runs (``--params``) with no trainer
   running (the queue is full: Redis' ``MEMORY USAGE`` of the queue gives its bytes per queued
   run), then starts the trainers (``celery worker --queues=training --concurrency=1``, one
   PyTorch thread each, one uncounted warm-up run each first) and times the drain: makespan is
   the first run's ``started_at`` to the last one's ``finished_at``. Meanwhile the same client
   times the same pages again, and the PostgreSQL connections are counted.

    .venv/bin/python benchmarks/trainers_drain.py                    # about 3 minutes
    .venv/bin/python benchmarks/trainers_drain.py --runs 12 --params '{"epochs": 100}' --json out.json

Needs PostgreSQL at 127.0.0.1:5432 (user postgres, trust) and Redis at 127.0.0.1:6379.
"""

import argparse
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB = "portal_bench_drain"
PG = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
PAGES = ["/", "/tutorials/", "/papers/", "/deadlines/", "/api/v1/papers/", "/api/v1/tutorials/"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def base_env(args) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB}",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:6379/{args.broker_db}",
        "CACHE_URL": f"redis://127.0.0.1:6379/{args.cache_db}",
        "DEBUG": "0",
        "SECRET_KEY": "trainers-drain-benchmark-not-a-secret-0123456789abcdef",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "TRAINING_MAX_ACTIVE_PER_USER": "1000",
        "TRAINING_MAX_PER_HOUR": "100000",
        "TRAINING_QUEUE_CAP": "1000",
        "TRAINING_TORCH_THREADS": "1",
        "API_THROTTLE_ANON": "1000000/minute",
        "CONN_MAX_AGE": "60",
        "PYTHONUNBUFFERED": "1",
    }


class Process:
    def __init__(self, name: str, argv: list[str], env: dict, logs: Path):
        self.name, self.log_path = name, logs / f"{name}.log"
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self._log.close()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class Sampler(threading.Thread):
    """One client requesting the pages in turn until stopped; latencies in ms by page."""

    def __init__(self, base: str):
        super().__init__(daemon=True)
        import requests

        self.session, self.base = requests.Session(), base
        self.times: dict[str, list[float]] = {page: [] for page in PAGES}
        self.errors = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            for page in PAGES:
                started = time.perf_counter()
                response = self.session.get(self.base + page, timeout=60)
                self.times[page].append((time.perf_counter() - started) * 1000)
                self.errors += response.status_code != 200

    def stop(self) -> dict:
        self._halt.set()
        self.join()
        every = [t for times in self.times.values() for t in times]
        return {
            "requests": len(every),
            "errors": self.errors,
            "p50_ms": round(statistics.median(every), 1),
            "p95_ms": round(percentile(every, 0.95), 1),
            "by_page_p95_ms": {page: round(percentile(t, 0.95), 1) for page, t in self.times.items()},
        }


def throughput(base: str, clients: int, seconds: float) -> dict:
    """Requests per second of the web process for each page, ``clients`` requesting at once."""
    import requests

    out = {}
    for page in PAGES:
        deadline = time.monotonic() + seconds

        def client(_, page=page, deadline=deadline):
            session, n = requests.Session(), 0
            while time.monotonic() < deadline:
                session.get(base + page, timeout=60).raise_for_status()
                n += 1
            return n

        with ThreadPoolExecutor(clients) as pool:
            total = sum(pool.map(client, range(clients)))
        out[page] = round(total / seconds, 1)
    return out


def pg_connections() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [DB])
        return cursor.fetchone()[0] - 1  # this script's own


def wait_for(condition, timeout: float, what: str, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise RuntimeError(f"{what} (waited {timeout}s)")


def drain(args, n: int, env: dict, logs: Path, base: str, user) -> dict:
    import redis

    from portal.celery import app
    from tutorials.models import TrainingRun
    from tutorials.services import launch_run

    broker = redis.Redis(port=6379, db=args.broker_db)
    TrainingRun.objects.all().delete()
    trainers = []
    try:
        for i in range(n):
            argv = [sys.executable, "-m", "celery", "-A", "portal", "worker", "--loglevel=INFO"]
            argv += ["--queues=training", "--concurrency=1", "--prefetch-multiplier=1"]
            argv += [f"--hostname=trainer{i}-{os.getpid()}@%h", "--without-gossip", "--without-mingle"]
            trainers.append(Process(f"trainer-{n}-{i}", argv, env, logs))
        names = {f"trainer{i}-{os.getpid()}" for i in range(n)}
        wait_for(
            lambda: names <= {k.split("@")[0] for r in app.control.ping(timeout=0.5) for k in r},
            180,
            "trainers did not answer",
        )
        # Warm-up: one uncounted run per trainer (data loading, first kernels).
        for _ in range(n):
            launch_run(user, "mlp_digits", json.loads(args.params))
        wait_for(lambda: not TrainingRun.objects.active().exists(), 300, "warm-up runs did not end")
        TrainingRun.objects.all().delete()

        # Pause the trainers (SIGSTOP) while the queue fills, so that it is measured full.
        for trainer in trainers:
            os.killpg(trainer.proc.pid, signal.SIGSTOP)
        runs = [launch_run(user, "mlp_digits", json.loads(args.params)) for _ in range(args.runs)]
        time.sleep(0.5)
        queued_bytes = broker.memory_usage("training", samples=0) or 0
        queue_length = broker.llen("training")
        sampler = Sampler(base)
        sampler.start()
        for trainer in trainers:
            os.killpg(trainer.proc.pid, signal.SIGCONT)
        connections = 0

        def done() -> bool:
            nonlocal connections
            connections = max(connections, pg_connections())
            return not TrainingRun.objects.filter(pk__in=[r.pk for r in runs]).active().exists()

        wait_for(done, 1800, "the trainers did not drain the queue", interval=1)
        web = sampler.stop()
    finally:
        for trainer in trainers:
            if trainer.proc.poll() is None:
                os.killpg(trainer.proc.pid, signal.SIGCONT)
            trainer.stop()
    rows = list(
        TrainingRun.objects.filter(pk__in=[r.pk for r in runs]).values(
            "status", "started_at", "finished_at", "worker"
        )
    )
    assert {r["status"] for r in rows} == {"succeeded"}, rows
    makespan = (max(r["finished_at"] for r in rows) - min(r["started_at"] for r in rows)).total_seconds()
    durations = [(r["finished_at"] - r["started_at"]).total_seconds() for r in rows]
    return {
        "trainers": n,
        "runs": len(rows),
        "runs_per_trainer": sorted(
            sum(1 for r in rows if r["worker"] == w) for w in {r["worker"] for r in rows}
        ),
        "makespan_s": round(makespan, 2),
        "run_median_s": round(statistics.median(durations), 2),
        "runs_per_hour_per_trainer": round(3600 / statistics.median(durations)),
        "queue_length_when_full": queue_length,
        "redis_bytes_per_queued_run": round(queued_bytes / max(1, queue_length)),
        "pg_connections_max": connections,
        "web_while_draining": web,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=12)
    parser.add_argument("--params", default='{"epochs": 100}', help="mlp_digits parameters (JSON)")
    parser.add_argument("--seconds", type=float, default=20, help="idle latency window")
    parser.add_argument("--clients", type=int, default=4, help="clients at once for the throughput")
    parser.add_argument("--throughput-seconds", type=float, default=5)
    parser.add_argument("--broker-db", type=int, default=10)
    parser.add_argument("--cache-db", type=int, default=11)
    parser.add_argument("--json", help="write the results here too")
    parser.add_argument("--logs", default="/tmp/trainers_drain_logs")
    args = parser.parse_args()
    logs = Path(args.logs)
    logs.mkdir(parents=True, exist_ok=True)
    env = base_env(args)
    env["STATIC_ROOT"] = str(logs / "static")  # whitenoise serves the collected files, DEBUG off
    subprocess.run(["dropdb", *PG, "--if-exists", DB], check=True)
    subprocess.run(["createdb", *PG, DB], check=True)
    for db in (args.broker_db, args.cache_db):
        subprocess.run(["redis-cli", "-n", str(db), "FLUSHDB"], check=True, capture_output=True)
    manage = [sys.executable, "manage.py"]
    for command in (
        ["migrate", "--noinput"],
        ["collectstatic", "--noinput"],
        ["load_catalogue"],
        ["load_tutorials"],
    ):
        subprocess.run([*manage, *command, "-v", "0"], cwd=ROOT, env=env, check=True)
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("drain-bench", password="x" * 20)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    web = Process(
        "web",
        [sys.executable, "-m", "gunicorn", "portal.wsgi", f"--bind=127.0.0.1:{port}", "--workers=1"],
        env,
        logs,
    )
    results: dict = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": f"{platform.processor() or platform.machine()}, nproc {os.cpu_count()}",
        "load_before": os.getloadavg(),
        "runs": args.runs,
        "params": json.loads(args.params),
    }
    try:
        import requests

        wait_for(lambda: _answers(requests, base), 120, "gunicorn did not answer")
        for page in PAGES * 3:  # warm-up
            requests.get(base + page, timeout=60).raise_for_status()
        sampler = Sampler(base)
        sampler.start()
        time.sleep(args.seconds)
        results["web_idle"] = sampler.stop()
        results["pg_connections_web_only"] = pg_connections()
        results["rps_one_web_process"] = throughput(base, args.clients, args.throughput_seconds)
        results["drains"] = [drain(args, n, env, logs, base, user) for n in (1, 2)]
        one, two = (d["makespan_s"] for d in results["drains"])
        results["makespan_ratio_1_to_2"] = round(one / two, 2)
        results["load_after"] = os.getloadavg()
    finally:
        web.stop()
        from django.db import connections

        connections.close_all()
        subprocess.run(["dropdb", *PG, "--if-exists", DB], check=False)
        for db in (args.broker_db, args.cache_db):
            subprocess.run(["redis-cli", "-n", str(db), "FLUSHDB"], check=False, capture_output=True)
    text = json.dumps(results, indent=2, default=str)
    print(text)
    if args.json:
        Path(args.json).write_text(text)


def _answers(requests, base: str) -> bool:
    try:
        return requests.get(base + "/healthz", timeout=5).status_code in (200, 503)
    except requests.RequestException:
        return False


if __name__ == "__main__":
    main()
