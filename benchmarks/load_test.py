"""Load (5 minutes) and soak (30 minutes) runs of the production stack under locust.

What it starts, all on this machine and all stopped again on exit (also on Ctrl-C or an error):

- a PostgreSQL database of its own (``portal_bench_load``: dropped, created, migrated, then
  ``load_catalogue``, ``load_tutorials`` and ``--users`` users with API tokens, some staff);
- Redis db 8 (broker) and db 10 (cache), flushed before and after;
- gunicorn (``portal.wsgi``, ``--web-workers`` processes x ``--threads`` threads, DEBUG off,
  static files collected into a temporary STATIC_ROOT and served by whitenoise);
- a Celery worker (prefork, queues ``training`` and ``celery``) and Celery beat (the reaper);
- locust, headless, with ``benchmarks/load/locustfile.py`` (anonymous browsers, API clients,
  learners launching mlp_digits runs).

While locust runs, a sampler records every ``--sample-seconds`` the Redis queue lengths of
``training`` and ``celery`` and the RSS (``/proc/<pid>/status`` VmRSS) of the gunicorn master and
its workers and of the Celery worker and its pool children. Afterwards it waits (at most
``--wait-runs`` seconds) for every launched run to end and reads the runs from the database:
a run still queued or running then is *lost*; a failed run without an error text is counted too.

Exit status: 0 when there were no errors (non-2xx/3xx answers other than the expected 429 and
"busy" 503), no lost runs and no failed run without a reason; 1 otherwise; 2 when the stack could
not be set up.

    .venv/bin/python benchmarks/load_test.py                      # 5-minute load
    .venv/bin/python benchmarks/load_test.py --soak               # 30-minute soak, lighter load
    .venv/bin/python benchmarks/load_test.py --soak --minutes 10 --json /tmp/soak.json

Needs PostgreSQL at 127.0.0.1:5432 (user postgres, trust) and Redis at 127.0.0.1:6379.
"""

import argparse
import contextlib
import csv
import datetime as dt
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PG = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
FINISHED = ("succeeded", "failed", "cancelled")

#: Fair-use limits of the load run: above a real learner's pace, so that the limits answer now and
#: then (a learner who launches three runs at once meets the two-at-a-time rule) but not always.
LOAD_LIMITS = {
    "TRAINING_MAX_ACTIVE_PER_USER": "2",
    "TRAINING_MAX_PER_HOUR": "40",
    "TRAINING_QUEUE_CAP": "15",
    "API_THROTTLE_LAUNCH": "60/hour",
    "API_THROTTLE_USER": "600/minute",
    "API_THROTTLE_ANON": "120/minute",
    "TRAINING_REAP_EVERY": "30",
}


# --- fixtures (runs in a child with Django set up) ---------------------------------------------


def make_fixtures(api_users: int, learners: int, staff: int, out: str) -> None:
    """Create the users and tokens, and write the slugs the locustfile picks from."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from resources import models as rm
    from tutorials.models import Tutorial

    user_model = get_user_model()

    def make(prefix: str, count: int, staff_count: int = 0) -> list[str]:
        keys = []
        for index in range(count):
            user = user_model.objects.create_user(
                f"{prefix}{index}", f"{prefix}{index}@load.example.org", secrets.token_urlsafe(16)
            )
            if index < staff_count:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
            keys.append(Token.objects.create(user=user).key)
        return keys

    def slugs(queryset, limit: int = 300) -> list[str]:
        found = list(queryset.order_by("pk").values_list("slug", flat=True)[:limit])
        if not found:
            raise SystemExit(f"no published {queryset.model.__name__} to browse: did load_catalogue run?")
        return found

    fixtures = {
        "api_tokens": make("api", api_users, staff),
        "learner_tokens": make("learner", learners),
        "papers": slugs(rm.Paper.objects.published()),
        "courses": slugs(rm.Course.objects.published()),
        "books": slugs(rm.Book.objects.published()),
        "conferences": slugs(rm.ConferenceSeries.objects.published()),
        "communities": slugs(rm.Community.objects.published()),
        "topics": slugs(rm.Topic.objects.all()),
        "tutorials": slugs(Tutorial.objects.published()),
    }
    Path(out).write_text(json.dumps(fixtures), encoding="utf-8")
    print(json.dumps({key: len(value) for key, value in fixtures.items()}))


# --- processes ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children(pid: int) -> list[int]:
    """Every descendant of ``pid``, from /proc."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            kids = [int(k) for k in Path(f"/proc/{current}/task/{current}/children").read_text().split()]
        except OSError:
            kids = []
        found += kids
        todo += kids
    return found


def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return round(total / 1024, 1)


class Stack:
    """The processes this script starts; ``stop()`` ends each by its process group."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.procs: dict[str, subprocess.Popen] = {}
        self._files = []

    def start(self, name: str, cmd: list[str], env: dict) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("wb")
        self._files.append(log)
        proc = subprocess.Popen(
            cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.procs[name] = proc
        return proc

    def alive(self, name: str) -> bool:
        proc = self.procs.get(name)
        return proc is not None and proc.poll() is None

    def pids(self, name: str) -> list[int]:
        proc = self.procs.get(name)
        if proc is None or proc.poll() is not None:
            return []
        return [proc.pid, *children(proc.pid)]

    def log_tail(self, name: str, chars: int = 3000) -> str:
        path = self.logs / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def stop(self) -> None:
        for name in reversed(list(self.procs)):
            proc = self.procs[name]
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for proc in self.procs.values():
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        for handle in self._files:
            handle.close()


def redis_client(db: int):
    import redis

    return redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=db, socket_timeout=5)


def queue_length(client, queue: str) -> int:
    """Messages waiting in a kombu Redis queue (the plain list and its priority lists)."""
    total = 0
    for key in client.scan_iter(match=f"{queue}*", count=100):
        name = key.decode(errors="replace")
        if name == queue or name.startswith(queue + "\x06\x16"):
            total += client.llen(key)
    return total


class Sampler(threading.Thread):
    """Queue lengths and RSS every ``interval`` seconds; RSS also kept per minute for the soak."""

    def __init__(self, stack: Stack, broker_db: int, interval: float):
        super().__init__(daemon=True)
        self.stack, self.interval = stack, interval
        self.redis = redis_client(broker_db)
        self.samples: list[dict] = []
        self.minutes: list[dict] = []
        self.started = time.monotonic()
        self._halt = threading.Event()

    def sample(self) -> dict:
        row = {"t": round(time.monotonic() - self.started, 1), "load1": os.getloadavg()[0]}
        try:
            row["training"] = queue_length(self.redis, "training")
            row["celery"] = queue_length(self.redis, "celery")
        except Exception as exc:  # a sample lost is reported, not fatal
            row["redis_error"] = str(exc)
        row["web_rss_mb"] = rss_mb(self.stack.pids("gunicorn"))
        row["worker_rss_mb"] = rss_mb(self.stack.pids("worker"))
        row["web_procs"] = len(self.stack.pids("gunicorn"))
        row["worker_procs"] = len(self.stack.pids("worker"))
        return row

    def run(self) -> None:
        next_minute = 0.0
        while not self._halt.is_set():
            row = self.sample()
            self.samples.append(row)
            if row["t"] >= next_minute:
                self.minutes.append(row)
                next_minute += 60
            self._halt.wait(self.interval)

    def stop(self) -> dict:
        self._halt.set()
        self.join(10)
        last = self.sample()
        self.samples.append(last)
        self.minutes.append(last)
        return last


# --- the run -----------------------------------------------------------------------------------


def sh(cmd: list[str], env: dict, log: Path, timeout: float = 900) -> str:
    done = subprocess.run(
        cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    with log.open("a") as handle:
        handle.write(f"$ {' '.join(cmd)}\n{done.stdout}{done.stderr}\n")
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {done.returncode}:\n{done.stderr[-3000:]}")
    return done.stdout


def wait_http(url: str, stack: Stack, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not stack.alive("gunicorn"):
            raise RuntimeError(f"gunicorn exited:\n{stack.log_tail('gunicorn')}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer 200 within {timeout}s:\n{stack.log_tail('gunicorn')}")


def wait_worker(stack: Stack, timeout: float = 180) -> None:
    """The worker is ready when its log says so (it then consumes from Redis)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not stack.alive("worker"):
            raise RuntimeError(f"the Celery worker exited:\n{stack.log_tail('worker')}")
        if " ready." in stack.log_tail("worker", 20000):
            return
        time.sleep(0.5)
    raise RuntimeError(f"the Celery worker was not ready within {timeout}s:\n{stack.log_tail('worker')}")


def db_query(dbname: str, sql: str) -> list[tuple]:
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=5432, user="postgres", dbname=dbname)
    try:
        with conn.cursor() as cur:
            cur.execute(sql)
            return cur.fetchall()
    finally:
        conn.close()


def wait_runs(dbname: str, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        active = db_query(
            dbname, "SELECT count(*) FROM tutorials_trainingrun WHERE status IN ('queued', 'running')"
        )[0][0]
        if active == 0:
            break
        time.sleep(2)
    return round(time.monotonic() - started, 1)


def read_locust_stats(prefix: Path) -> dict:
    rows = list(csv.DictReader((prefix.parent / f"{prefix.name}_stats.csv").open()))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    failures_path = prefix.parent / f"{prefix.name}_failures.csv"
    failures = list(csv.DictReader(failures_path.open())) if failures_path.exists() else []
    return {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "rps": float(total["Requests/s"]),
        "p50": float(total["50%"]),
        "p95": float(total["95%"]),
        "p99": float(total["99%"]),
        "rows": [
            {
                "name": row["Name"],
                "method": row["Type"],
                "requests": int(row["Request Count"]),
                "failures": int(row["Failure Count"]),
                "p50": row["50%"],
                "p95": row["95%"],
            }
            for row in rows
            if row["Name"] != "Aggregated"
        ],
        "failure_samples": failures[:20],
    }


def run(args) -> int:
    stamp = dt.datetime.now(dt.UTC)
    mode = "soak" if args.soak else "load"
    minutes = args.minutes if args.minutes is not None else (30 if args.soak else 5)
    users = args.users or (10 if args.soak else 30)
    spawn = args.spawn_rate or (1 if args.soak else 3)
    work = Path(tempfile.mkdtemp(prefix=f"load-{mode}-"))
    logs = Path(args.logs) if args.logs else work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    var_dir = Path(args.var_dir)
    var_dir.mkdir(parents=True, exist_ok=True)
    port = args.port or free_port()
    host = f"http://127.0.0.1:{port}"
    db = args.db
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        {
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{db}",
            "CELERY_BROKER_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/{args.broker_db}",
            "CACHE_URL": f"redis://{REDIS_HOST}:{REDIS_PORT}/{args.cache_db}",
            "PORTAL_VAR_DIR": str(var_dir),
            "DEBUG": "0",
            "SECRET_KEY": "load-" + secrets.token_urlsafe(48),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
            "STATIC_ROOT": str(work / "static"),
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "PYTHONUNBUFFERED": "1",
            **LOAD_LIMITS,
        }
    )
    worker_env = {**env, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "LOG_LEVEL": "INFO"}
    stack = Stack(logs)
    setup_log = logs / "setup.log"
    result: dict = {
        "mode": mode,
        "date_utc": stamp.strftime("%Y-%m-%d %H:%M"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "machine": {
            "nproc": os.cpu_count(),
            "python": platform.python_version(),
            "load_before": [round(x, 2) for x in os.getloadavg()],
        },
        "params": {
            "minutes": minutes,
            "users": users,
            "spawn_rate": spawn,
            "web_workers": args.web_workers,
            "threads": args.threads,
            "worker_concurrency": args.concurrency,
            "limits": LOAD_LIMITS,
            "weights": args.weights,
            "wait": args.wait,
            "learner_wait": args.learner_wait,
            "keep_alive": args.keep_alive,
        },
        "logs": str(logs),
    }
    print(f"[{mode}] logs in {logs}", flush=True)
    try:
        # Fresh database and Redis dbs.
        for client in (redis_client(args.broker_db), redis_client(args.cache_db)):
            client.flushdb()
        subprocess.run(["dropdb", *PG, "--if-exists", db], check=True, capture_output=True)
        subprocess.run(["createdb", *PG, db], check=True, capture_output=True)
        manage = [sys.executable, "manage.py"]
        t0 = time.monotonic()
        # collectstatic (compressing every file) runs beside the database set-up.
        collect = stack.start("collectstatic", [*manage, "collectstatic", "--noinput"], env)
        sh([*manage, "migrate", "--noinput"], env, setup_log)
        sh([*manage, "load_catalogue"], env, setup_log)
        sh([*manage, "load_tutorials"], env, setup_log)
        fixtures = work / "fixtures.json"
        learners = max(2, users)  # one token per learner at most, never shared
        counts = sh(
            [
                sys.executable,
                __file__,
                "--make-fixtures",
                str(users),
                str(learners),
                str(args.staff),
                str(fixtures),
            ],
            env,
            setup_log,
        )
        result["fixtures"] = json.loads(counts.strip().splitlines()[-1])
        if collect.wait(600) != 0:
            raise RuntimeError(f"collectstatic failed:\n{stack.log_tail('collectstatic')}")
        result["setup_seconds"] = round(time.monotonic() - t0, 1)
        print(f"[{mode}] database ready in {result['setup_seconds']} s: {result['fixtures']}", flush=True)

        stack.start(
            "gunicorn",
            [
                str(BIN / "gunicorn"),
                "portal.wsgi",
                f"--workers={args.web_workers}",
                f"--threads={args.threads}",
                "--worker-class=gthread",
                f"--bind=127.0.0.1:{port}",
                "--timeout=60",
                # Longer than any user's pause between requests, as behind a proxy that keeps its
                # connections: with gthread's default of 2 s, a client sending on a kept-alive
                # connection just as the server closes it gets no answer (status 0).
                f"--keep-alive={args.keep_alive}",
                "--graceful-timeout=20",
                "--error-logfile=-",
            ],
            env,
        )
        stack.start(
            "worker",
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--pool=prefork",
                f"--concurrency={args.concurrency}",
                "--queues=training,celery",
                f"--hostname=load-{os.getpid()}@%h",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
            ],
            worker_env,
        )
        stack.start(
            "beat",
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "beat",
                "--loglevel=INFO",
                f"--schedule={work / 'celerybeat-schedule'}",
            ],
            env,
        )
        wait_http(f"{host}/healthz", stack)
        wait_worker(stack)
        print(f"[{mode}] gunicorn on {host}, worker and beat ready", flush=True)

        sampler = Sampler(stack, args.broker_db, args.sample_seconds)
        first = sampler.sample()
        sampler.start()
        summary_path = work / "locust-summary.json"
        csv_prefix = (Path(args.csv) if args.csv else work / "locust").resolve()
        locust_env = {
            **env,
            "LOAD_FIXTURES": str(fixtures),
            "LOAD_SUMMARY": str(summary_path),
            "LOAD_WEIGHTS": args.weights,
            "LOAD_WAIT": args.wait,
            "LOAD_LEARNER_WAIT": args.learner_wait,
        }
        locust_cmd = [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "benchmarks" / "load" / "locustfile.py"),
            "--headless",
            "-u",
            str(users),
            "-r",
            str(spawn),
            "-t",
            f"{round(minutes * 60)}s",
            "--host",
            host,
            "--csv",
            str(csv_prefix),
            "--only-summary",
            "--stop-timeout",
            "5",
            "--loglevel",
            "WARNING",
        ]
        result["locust_command"] = " ".join(locust_cmd[1:]).replace(str(ROOT) + "/", "")
        print(f"[{mode}] locust {users} users for {minutes} min ...", flush=True)
        load_start = time.monotonic()
        locust = stack.start("locust", locust_cmd, locust_env)
        while locust.poll() is None:
            time.sleep(2)
            for name in ("gunicorn", "worker", "beat"):
                if not stack.alive(name):
                    raise RuntimeError(f"{name} exited during the load:\n{stack.log_tail(name)}")
        result["locust_exit"] = locust.returncode
        result["load_seconds"] = round(time.monotonic() - load_start, 1)
        last = sampler.stop()
        result["load_after"] = [round(x, 2) for x in os.getloadavg()]

        if not (csv_prefix.parent / f"{csv_prefix.name}_stats.csv").exists():
            raise RuntimeError(f"locust wrote no statistics:\n{stack.log_tail('locust')}")
        stats = read_locust_stats(csv_prefix)
        summary = json.loads(summary_path.read_text()) if summary_path.exists() else {"counts": {}}
        result["locust"] = stats
        result["expected_refusals"] = {
            key: summary["counts"].get(key, 0) for key in ("429", "503-busy", "409-finished", "304")
        }
        result["latency_ms"] = summary.get("latency_ms", {})
        result["learner_counts"] = {
            key: value
            for key, value in summary["counts"].items()
            if key.startswith(("seen-", "cancel", "launched", "poll"))
        }

        # Every run launched must end.
        result["runs_wait_seconds"] = wait_runs(db, args.wait_runs)
        by_status = dict(db_query(db, "SELECT status, count(*) FROM tutorials_trainingrun GROUP BY status"))
        failed = db_query(
            db, "SELECT error FROM tutorials_trainingrun WHERE status = 'failed' ORDER BY created_at"
        )
        reasons: dict[str, int] = {}
        for (error,) in failed:
            line = (
                (error or "").strip().splitlines()[-1][:120] if (error or "").strip() else "(no error text)"
            )
            reasons[line] = reasons.get(line, 0) + 1
        launched = len(summary.get("launched_runs", []))
        in_db = sum(by_status.values())
        result["runs"] = {
            "launched": launched,
            "in_database": in_db,
            "by_status": by_status,
            "lost": by_status.get("queued", 0) + by_status.get("running", 0),
            "failed_reasons": reasons,
            "failed_without_reason": reasons.get("(no error text)", 0),
        }
        queue = [row.get("training", 0) + row.get("celery", 0) for row in sampler.samples]
        result["queue"] = {
            "max": max(queue) if queue else 0,
            "mean": round(statistics.fmean(queue), 2) if queue else 0,
            "samples": len(queue),
            "max_training": max((row.get("training", 0) for row in sampler.samples), default=0),
        }
        result["rss_mb"] = {
            "web_start": first["web_rss_mb"],
            "web_end": last["web_rss_mb"],
            "worker_start": first["worker_rss_mb"],
            "worker_end": last["worker_rss_mb"],
            "web_procs": [first["web_procs"], last["web_procs"]],
            "worker_procs": [first["worker_procs"], last["worker_procs"]],
        }
        result["rss_per_minute"] = [
            {k: row[k] for k in ("t", "web_rss_mb", "worker_rss_mb", "load1")} for row in sampler.minutes
        ]
        result["load_average_during"] = {
            "mean": round(statistics.fmean(row["load1"] for row in sampler.samples), 2),
            "max": round(max(row["load1"] for row in sampler.samples), 2),
        }
        result["server_log_errors"] = {
            name: stack.log_tail(name, 10**8).count("Traceback") for name in ("gunicorn", "worker", "beat")
        }
        # Growth counted from the first sample after one minute of load in a soak (the start-up
        # values are before any request, when nothing is loaded yet) and from the start.
        growth = {}
        for kind in ("web", "worker"):
            start, end = result["rss_mb"][f"{kind}_start"], result["rss_mb"][f"{kind}_end"]
            growth[kind] = {
                "mb": round(end - start, 1),
                "pct": round(100 * (end - start) / start, 1) if start else 0,
            }
            if len(sampler.minutes) > 2:
                warm = sampler.minutes[1][f"{kind}_rss_mb"]
                growth[kind]["after_first_minute_mb"] = round(end - warm, 1)
                growth[kind]["after_first_minute_pct"] = round(100 * (end - warm) / warm, 1) if warm else 0
        result["rss_growth"] = growth
        errors = stats["failures"]
        result["errors"] = errors
        result["ok"] = (
            errors == 0 and result["runs"]["lost"] == 0 and result["runs"]["failed_without_reason"] == 0
        )
    except KeyboardInterrupt:
        print(f"[{mode}] interrupted; stopping everything", file=sys.stderr)
        result["ok"] = False
        result["aborted"] = "interrupted"
    except Exception as exc:
        print(f"[{mode}] could not complete: {exc}", file=sys.stderr)
        result["ok"] = False
        result["aborted"] = str(exc)[:4000]
    finally:
        stack.stop()
        for db_number in (args.broker_db, args.cache_db):
            try:
                redis_client(db_number).flushdb()
            except Exception as exc:
                print(f"could not flush Redis db {db_number}: {exc}", file=sys.stderr)
        if not args.keep_db:
            subprocess.run(["dropdb", *PG, "--if-exists", db], check=False, capture_output=True)
        if not args.logs and result.get("ok"):
            shutil.rmtree(work, ignore_errors=True)
            result["logs"] = "(removed: the run passed; --logs DIR keeps them)"
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1, default=str), encoding="utf-8")
    if "aborted" in result:
        print(json.dumps(result, indent=1, default=str)[-4000:])
        return 2
    print(report(result))
    return 0 if result["ok"] else 1


def report(r: dict) -> str:
    s, runs, lat = r["locust"], r["runs"], r["latency_ms"]
    tick = lambda ok: "✓" if ok else "✗"  # noqa: E731

    def pct(kind: str) -> str:
        item = lat.get(kind, {})
        if not item.get("n"):
            return "—"
        return f"{item['p50']:.0f} / {item['p95']:.0f} / {item['p99']:.0f} ms ({item['n']} req)"

    statuses = runs["by_status"]
    reasons = "; ".join(f"{count}× {text}" for text, count in runs["failed_reasons"].items()) or "—"
    lines = [
        f"### {r['mode']} run, {r['date_utc']} UTC",
        "",
        f"{r['params']['users']} users for {r['params']['minutes']} min; load average "
        f"{r['machine']['load_before'][0]} before, mean {r['load_average_during']['mean']} "
        f"(max {r['load_average_during']['max']}) during, {r['load_after'][0]} after.",
        "",
        "| measure | figure | target |",
        "|---|---|---|",
        f"| requests | {s['requests']} | — |",
        f"| requests per second | {s['rps']:.1f} | — |",
        f"| p50 / p95 / p99, all | {s['p50']:.0f} / {s['p95']:.0f} / {s['p99']:.0f} ms | — |",
        f"| p50 / p95 / p99, anonymous browsers | {pct('web')} | — |",
        f"| p50 / p95 / p99, API clients | {pct('api')} | — |",
        f"| p50 / p95 / p99, learners | {pct('learner')} | — |",
        f"| errors | {r['errors']} | 0 {tick(r['errors'] == 0)} |",
        f"| 429 (throttled or fair use) / 503 busy | {r['expected_refusals']['429']} / "
        f"{r['expected_refusals']['503-busy']} | expected answers |",
        f"| 409 on cancel (run already over) | {r['expected_refusals']['409-finished']} | expected answers |",
        f"| 304 on conditional GET | {r['expected_refusals']['304']} | — |",
        f"| queue length (training + celery), max / mean | {r['queue']['max']} / {r['queue']['mean']} | — |",
        f"| runs launched (201) / in database | {runs['launched']} / {runs['in_database']} | equal |",
        f"| runs succeeded / cancelled / failed | {statuses.get('succeeded', 0)} / "
        f"{statuses.get('cancelled', 0)} / {statuses.get('failed', 0)} | — |",
        f"| failed runs' reasons | {reasons} | every one has one "
        f"{tick(runs['failed_without_reason'] == 0)} |",
        f"| runs lost (queued/running after {r['runs_wait_seconds']} s wait) | {runs['lost']} | "
        f"0 {tick(runs['lost'] == 0)} |",
        f"| RSS web (gunicorn master + workers), start → end | {r['rss_mb']['web_start']} → "
        f"{r['rss_mb']['web_end']} MB ({r['rss_growth']['web']['mb']:+} MB, "
        f"{r['rss_growth']['web']['pct']:+}%) | — |",
        f"| RSS worker (celery main + pool), start → end | {r['rss_mb']['worker_start']} → "
        f"{r['rss_mb']['worker_end']} MB ({r['rss_growth']['worker']['mb']:+} MB, "
        f"{r['rss_growth']['worker']['pct']:+}%) | — |",
        f"| tracebacks in server logs (web / worker / beat) | {r['server_log_errors']['gunicorn']} / "
        f"{r['server_log_errors']['worker']} / {r['server_log_errors']['beat']} | 0 |",
    ]
    if r["mode"] == "soak":
        lines += ["", "| minute | web RSS MB | worker RSS MB | load1 |", "|---:|---:|---:|---:|"]
        for row in r["rss_per_minute"]:
            lines.append(
                f"| {row['t'] / 60:.0f} | {row['web_rss_mb']} | {row['worker_rss_mb']} | {row['load1']:.1f} |"
            )
        for kind in ("web", "worker"):
            g = r["rss_growth"][kind]
            if "after_first_minute_mb" in g:
                lines.append(
                    f"\n{kind}: growth after the first minute {g['after_first_minute_mb']:+} MB "
                    f"({g['after_first_minute_pct']:+}%)."
                )
    if r["locust"]["failure_samples"]:
        lines += ["", "Failures:"]
        lines += [
            f"- {row.get('Method')} {row.get('Name')}: {row.get('Error')} ×{row.get('Occurrences')}"
            for row in r["locust"]["failure_samples"]
        ]
    return "\n".join(lines)


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--make-fixtures":
        api_users, learners, staff, out = sys.argv[2:6]
        make_fixtures(int(api_users), int(learners), int(staff), out)
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--soak", action="store_true", help="a lighter, longer run (30 min) that watches RSS")
    parser.add_argument("--minutes", type=float, help="length of the locust run (5, or 30 with --soak)")
    parser.add_argument("--users", type=int, help="locust users (30; 10 with --soak)")
    parser.add_argument("--spawn-rate", type=float, help="users started per second (3; 1 with --soak)")
    parser.add_argument("--weights", default=None, help="browser,api,learner weights (5,3,2; soak 5,3,2)")
    parser.add_argument(
        "--wait", default=None, help="seconds between a user's tasks, min,max (1,4; soak 3,10)"
    )
    parser.add_argument(
        "--learner-wait", default=None, help="seconds between a learner's tasks (5,20; soak 30,90)"
    )
    parser.add_argument("--keep-alive", type=int, default=120, help="gunicorn's --keep-alive in seconds")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=2, help="Celery pool processes")
    parser.add_argument("--staff", type=int, default=3, help="API users made staff")
    parser.add_argument("--wait-runs", type=float, default=300, help="seconds to wait for runs to end")
    parser.add_argument("--sample-seconds", type=float, default=3)
    parser.add_argument("--port", type=int)
    parser.add_argument("--db", default="portal_bench_load")
    parser.add_argument("--broker-db", type=int, default=8)
    parser.add_argument("--cache-db", type=int, default=10)
    parser.add_argument("--var-dir", default="/tmp/load-var")
    parser.add_argument("--csv", help="prefix of locust's CSV files (default: in the temporary folder)")
    parser.add_argument("--logs", help="keep the processes' logs in this folder")
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--json", help="write every figure here")
    args = parser.parse_args()
    args.weights = args.weights or "5,3,2"
    args.wait = args.wait or ("3,10" if args.soak else "1,4")
    args.learner_wait = args.learner_wait or ("30,90" if args.soak else "5,20")

    def terminate(signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
