"""Demo trainings through the real Celery path against the same training run as a bare script.

What it does, on a database and a Redis db of its own (created here, dropped at the end):

1. mlp_digits on its defaults, ``--reps`` times, interleaved (ABBA order): as a bare script (a
   fresh Python child that imports the demo, then times ``train()`` with a no-op ``report``) and
   through the portal: ``launch_run`` -> Redis -> a real ``celery -A portal worker`` process
   (prefork, concurrency 1, queue ``training``) -> ``execute_run`` with its Reporter writing
   progress to PostgreSQL. The run's time is the worker's ``started_at`` -> ``finished_at``
   (claim, training, progress writes, end state); end to end is ``created_at`` -> ``finished_at``.
2. Enqueue-to-start latency: ``--latency-runs`` tiny mlp_digits runs (epochs=1, hidden 32), one
   after another on an idle worker (each is awaited to its end before the next is launched, so
   no run waits behind another); ``created_at`` -> ``started_at``.
3. bert_finetune (defaults, ``--bert-epochs`` epochs) through the worker; its time, and the
   worker's peak memory: the RSS of the worker's main process and of its pool child read from
   ``/proc/<pid>/status`` (VmRSS) and ``/proc/<pid>/smaps_rollup`` (Pss) every 0.2 s.

    .venv/bin/python benchmarks/tutorials_celery.py
    .venv/bin/python benchmarks/tutorials_celery.py --reps 1 --latency-runs 5 --skip-bert

Needs PostgreSQL at 127.0.0.1:5432 (user postgres, trust) and Redis at 127.0.0.1:6379.
"""

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
TINY = {"epochs": 1, "hidden_size": 32}


# --- bare script -------------------------------------------------------------------------------


def bare_child(demo: str, raw: str) -> None:
    """In a fresh child: import the demo, train once uncounted, then time train() alone; print JSON.

    The uncounted run pays the first-use costs (loading the data set, PyTorch's lazy kernel set-up)
    that the worker's pool child has already paid in the benchmark's warm-up run, so that both
    sides are timed warm.
    """
    sys.path.insert(0, str(ROOT))
    from tutorials.demos import get_demo
    from tutorials.demos.base import validate

    module = get_demo(demo)
    params = validate(module.PARAMS, json.loads(raw))
    module.train(params, lambda event: None, lambda: False)
    started = time.perf_counter()
    result = module.train(params, lambda event: None, lambda: False)
    elapsed = time.perf_counter() - started
    print(json.dumps({"seconds": elapsed, "metrics": result["metrics"], "device": result["device"]}))


def run_bare(demo: str, params: dict, env: dict) -> dict:
    # The same OpenMP wait policy as the worker (portal/celery.py sets it), so that the two
    # sides differ only by the Celery path and its progress reporting.
    env = {**env, "OMP_WAIT_POLICY": env.get("OMP_WAIT_POLICY", "PASSIVE")}
    done = subprocess.run(
        [sys.executable, __file__, "--bare-child", demo, "--params", json.dumps(params)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bare {demo} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.splitlines()[-1])


# --- worker ------------------------------------------------------------------------------------


class Worker:
    def __init__(self, env: dict, log_path: Path):
        self.hostname = f"bench-{os.getpid()}@%h"
        self._log = log_path.open("wb")
        self.log_path = log_path
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--loglevel=INFO",
                "--pool=prefork",
                "--concurrency=1",
                "--queues=training",
                f"--hostname={self.hostname}",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, app, timeout: float = 120) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited with {self.proc.returncode}:\n{self.log()}")
            replies = app.control.ping(timeout=0.5)
            if any(self.hostname.split("@")[0] in name for reply in replies for name in reply):
                return time.monotonic() - started
        raise RuntimeError(f"worker did not answer a ping within {timeout}s:\n{self.log()}")

    def pids(self) -> list[int]:
        pids = [self.proc.pid]
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
            pids += [int(pid) for pid in children]
        except OSError:
            pass
        return pids

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")[-5000:]

    def stop(self) -> None:
        import signal

        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self._log.close()


def _kb(path: Path, field: str) -> int:
    try:
        for line in path.read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class MemorySampler(threading.Thread):
    """Peak RSS / PSS of the worker's processes, sampled from /proc every ``interval`` seconds."""

    def __init__(self, worker: Worker, interval: float = 0.2):
        super().__init__(daemon=True)
        self.worker, self.interval = worker, interval
        self.peak_rss_sum = self.peak_pss_sum = self.peak_child_rss = self.peak_main_rss = 0
        self.samples = 0
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            pids = self.worker.pids()
            rss = {pid: _kb(Path(f"/proc/{pid}/status"), "VmRSS") for pid in pids}
            pss = sum(_kb(Path(f"/proc/{pid}/smaps_rollup"), "Pss") for pid in pids)
            self.peak_rss_sum = max(self.peak_rss_sum, sum(rss.values()))
            self.peak_pss_sum = max(self.peak_pss_sum, pss)
            self.peak_main_rss = max(self.peak_main_rss, rss.get(pids[0], 0))
            children = [value for pid, value in rss.items() if pid != pids[0]]
            self.peak_child_rss = max([self.peak_child_rss, *children])
            self.samples += 1
            self._halt.wait(self.interval)

    def stop(self) -> None:
        self._halt.set()
        self.join()


# --- runs through the portal -------------------------------------------------------------------


def launch_and_wait(user, demo: str, params: dict, timeout: float, on_poll=None) -> dict:
    from tutorials.models import TrainingRun
    from tutorials.services import launch_run

    run = launch_run(user, demo, params)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = TrainingRun.objects.filter(pk=run.pk).values("status", "step", "finished_at").get()
        if on_poll:
            on_poll(row)
        if row["finished_at"] is not None or row["status"] in {"succeeded", "failed", "cancelled"}:
            break
        time.sleep(0.1)
    else:
        raise RuntimeError(f"{demo} run {run.pk} did not finish within {timeout}s")
    run.refresh_from_db()
    if run.status != "succeeded":
        raise RuntimeError(f"{demo} run {run.pk} ended {run.status}: {run.error[:2000]}")
    return {
        "run": run,
        "seconds": (run.finished_at - run.started_at).total_seconds(),
        "end_to_end": (run.finished_at - run.created_at).total_seconds(),
        "latency": (run.started_at - run.created_at).total_seconds(),
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(q / 100 * len(ordered) + 0.5) - 1))  # nearest rank
    return ordered[index]


# --- main --------------------------------------------------------------------------------------


def psql(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True, text=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=3, help="bare/worker pairs of mlp_digits (default 3)")
    parser.add_argument("--latency-runs", type=int, default=30, help="tiny runs for the latency (default 30)")
    parser.add_argument("--bert-epochs", type=int, default=1, help="epochs of bert_finetune (default 1)")
    parser.add_argument(
        "--mlp-params",
        default="{}",
        help="mlp_digits parameters as JSON (default: its defaults), e.g. '{\"epochs\": 100}'",
    )
    parser.add_argument("--skip-bert", action="store_true")
    parser.add_argument("--database", default="portal_bench_runs")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--bare-child", help=argparse.SUPPRESS)
    parser.add_argument("--params", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bare_child:
        bare_child(args.bare_child, args.params)
        return 0

    mem_total_gb = _kb(Path("/proc/meminfo"), "MemTotal") / 1024 / 1024
    machine = {
        "date_utc": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M"),
        "nproc": os.cpu_count(),
        "ram_gb": round(mem_total_gb, 1),
        "load_at_start": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
    }
    print(
        f"{machine['date_utc']} UTC; nproc {machine['nproc']}, RAM {machine['ram_gb']} GB, "
        f"load average {machine['load_at_start']} (shared machine)",
        flush=True,
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DEBUG": "1",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.database}",
        "CELERY_BROKER_URL": args.redis,
        "TRAINING_MAX_PER_HOUR": "100000",
        "TRAINING_MAX_ACTIVE_PER_USER": "100",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "PYTHONUNBUFFERED": "1",
    }
    os.environ.update(env)
    subprocess.run(["dropdb", *PG, "--if-exists", args.database], check=True)
    subprocess.run(["createdb", *PG, args.database], check=True)
    worker = None
    figures: dict = {"machine": machine}
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
        )
        import redis

        redis.Redis.from_url(args.redis).flushdb()
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.contrib.auth import get_user_model

        from portal.celery import app

        user = get_user_model().objects.create_user(username=f"bench-{uuid.uuid4().hex[:8]}", password=None)
        log_path = ROOT / "var" / "bench-worker.log"
        log_path.parent.mkdir(exist_ok=True)
        worker = Worker(env, log_path)
        ready = worker.wait_ready(app)
        print(f"worker ready in {ready:.1f} s (log: {log_path.relative_to(ROOT)})", flush=True)
        # One warm-up run through the worker, not counted: the pool child's first task.
        launch_and_wait(user, "mlp_digits", TINY, timeout=300)

        # 1. mlp_digits: bare vs. through the worker, ABBA.
        mlp_params = json.loads(args.mlp_params)
        bare, celery_run, end_to_end, writes = [], [], [], []
        for rep in range(args.reps):
            order = ("bare", "celery") if rep % 2 == 0 else ("celery", "bare")
            for kind in order:
                if kind == "bare":
                    out = run_bare("mlp_digits", mlp_params, env)
                    bare.append(out["seconds"])
                    print(f"  rep {rep + 1} bare    {out['seconds']:6.2f} s  {out['metrics']}", flush=True)
                else:
                    out = launch_and_wait(user, "mlp_digits", mlp_params, timeout=600)
                    celery_run.append(out["seconds"])
                    end_to_end.append(out["end_to_end"])
                    writes.append(len(out["run"].metrics))
                    print(
                        f"  rep {rep + 1} worker  {out['seconds']:6.2f} s  "
                        f"(end to end {out['end_to_end']:.2f} s) "
                        f"{out['run'].final_metrics}",
                        flush=True,
                    )
        bare_med, celery_med, e2e_med = (statistics.median(x) for x in (bare, celery_run, end_to_end))
        figures["mlp_digits"] = {
            "params": mlp_params,
            "bare_s": bare,
            "worker_s": celery_run,
            "end_to_end_s": end_to_end,
            "bare_median_s": bare_med,
            "worker_median_s": celery_med,
            "end_to_end_median_s": e2e_med,
            "overhead_pct": 100 * (celery_med / bare_med - 1),
            "overhead_end_to_end_pct": 100 * (e2e_med / bare_med - 1),
            "load_after": [round(x, 2) for x in os.getloadavg()],
        }

        # 2. Enqueue-to-start latency.
        latencies = []
        for _ in range(args.latency_runs):
            latencies.append(launch_and_wait(user, "mlp_digits", TINY, timeout=300)["latency"])
        figures["latency"] = {
            "n": len(latencies),
            "median_ms": 1000 * statistics.median(latencies),
            "p95_ms": 1000 * percentile(latencies, 95),
            "max_ms": 1000 * max(latencies),
            "load_after": [round(x, 2) for x in os.getloadavg()],
        }
        print(
            f"  latency n={len(latencies)} median {figures['latency']['median_ms']:.0f} ms, "
            f"p95 {figures['latency']['p95_ms']:.0f} ms",
            flush=True,
        )

        # 3. bert_finetune through the worker, with the worker's memory sampled.
        if not args.skip_bert:
            sampler = MemorySampler(worker)
            sampler.start()
            first_step: list[float] = []

            def note(row):
                if row["step"] and not first_step:
                    first_step.append(time.monotonic())

            out = launch_and_wait(
                user, "bert_finetune", {"epochs": args.bert_epochs}, timeout=1800, on_poll=note
            )
            ended = time.monotonic()
            from_first = (ended - first_step[0]) / args.bert_epochs if first_step else None
            sampler.stop()
            run = out["run"]
            figures["bert_finetune"] = {
                "epochs": args.bert_epochs,
                "run_s": out["seconds"],
                "per_epoch_s": out["seconds"] / args.bert_epochs,
                "from_first_step_per_epoch_s": from_first,
                "final_metrics": run.final_metrics,
                "device": run.device,
                "peak_rss_sum_mb": sampler.peak_rss_sum / 1024,
                "peak_pss_sum_mb": sampler.peak_pss_sum / 1024,
                "peak_child_rss_mb": sampler.peak_child_rss / 1024,
                "peak_main_rss_mb": sampler.peak_main_rss / 1024,
                "samples": sampler.samples,
                "load_after": [round(x, 2) for x in os.getloadavg()],
            }
    finally:
        if worker:
            worker.stop()
        from django.db import connections

        connections.close_all()
        try:
            import redis

            redis.Redis.from_url(args.redis).flushdb()
        except Exception as exc:
            print(f"could not flush {args.redis}: {exc}")
        subprocess.run(["dropdb", *PG, "--if-exists", "--force", args.database], check=False)

    print_table(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, default=str))
    return 0


def print_table(f: dict) -> None:
    m = f["machine"]
    print()
    print(
        f"machine: {m['nproc']} CPUs, {m['ram_gb']} GB RAM, load at start {m['load_at_start']}, "
        f"Python {m['python']}"
    )
    print("| measure | figure | target |")
    print("|---|---|---|")
    d = f["mlp_digits"]
    runs = ", ".join(f"{x:.2f}" for x in d["bare_s"])
    n = len(d["bare_s"])
    print(f"| mlp_digits parameters | {d.get('params') or 'defaults'} | |")
    print(f"| mlp_digits bare `train()`, median of {n} | {d['bare_median_s']:.2f} s ({runs}) | |")
    runs = ", ".join(f"{x:.2f}" for x in d["worker_s"])
    print(f"| mlp_digits through worker, started→finished | {d['worker_median_s']:.2f} s ({runs}) | |")
    runs = ", ".join(f"{x:.2f}" for x in d["end_to_end_s"])
    print(f"| mlp_digits through worker, created→finished | {d['end_to_end_median_s']:.2f} s ({runs}) | |")
    met = "met" if d["overhead_pct"] <= 15 else "NOT met"
    print(f"| overhead (started→finished vs bare) | {d['overhead_pct']:+.1f} % | ≤ 15 % ({met}) |")
    print(f"| overhead (created→finished vs bare) | {d['overhead_end_to_end_pct']:+.1f} % | |")
    lat = f["latency"]
    print(
        f"| enqueue→start latency, n={lat['n']} | median {lat['median_ms']:.0f} ms, "
        f"p95 {lat['p95_ms']:.0f} ms, max {lat['max_ms']:.0f} ms | |"
    )
    if "bert_finetune" in f:
        b = f["bert_finetune"]
        met = "met" if b["peak_rss_sum_mb"] < 2048 else "NOT met"
        first = b["from_first_step_per_epoch_s"]
        print(
            f"| bert_finetune s/epoch ({b['epochs']} epoch, started→finished) | {b['per_epoch_s']:.1f} s"
            f" (from first step {first:.1f} s) | |"
        )
        print(
            f"| worker peak RSS, main + child summed | {b['peak_rss_sum_mb']:.0f} MB "
            f"(child {b['peak_child_rss_mb']:.0f}, "
            f"main {b['peak_main_rss_mb']:.0f}; PSS sum {b['peak_pss_sum_mb']:.0f}) | < 2 GB ({met}) |"
        )
        print(f"| bert_finetune final metrics | {b['final_metrics']} | |")
    print(f"load averages after each part: {[f[k]['load_after'] for k in ('mlp_digits', 'latency')]}")


if __name__ == "__main__":
    sys.exit(main())
