"""Run every benchmark in turn (``make bench``); print each one's command, duration and exit status.

Each script's output (stdout and stderr) goes to ``var/bench/<name>.log`` (and JSON figures, where
the script writes them, to ``var/bench/<name>.json``). A failing benchmark does not stop the
others, and none fails silently: the summary lists every exit status, and this script exits 1
when any of them was non-zero.

    .venv/bin/python benchmarks/run_all.py                     # everything (about 2 hours)
    .venv/bin/python benchmarks/run_all.py --quick             # smaller data, 1-minute load, 2-minute soak
    .venv/bin/python benchmarks/run_all.py --only load --only soak
    .venv/bin/python benchmarks/run_all.py --skip web_pages --soak-minutes 10
    make bench BENCH_ARGS=--quick

The soak's length is ``--soak-minutes``, else ``BENCH_SOAK_MINUTES``, else 30 (2 with --quick).
Every benchmark uses a PostgreSQL database and Redis dbs of its own; DATABASE_URL,
CELERY_BROKER_URL and CACHE_URL from the calling shell are not passed on (api_papers is given
its own DATABASE_URL).
"""

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "var" / "bench"
PY = sys.executable
PG_URL = "postgres://postgres@127.0.0.1:5432/"


@dataclass
class Bench:
    name: str
    script: str
    args: list[str] = field(default_factory=list)
    quick: list[str] = field(default_factory=list)
    env: dict = field(default_factory=dict)
    json_flag: str = ""  # the script's flag for a JSON file of figures, if it has one


def benchmarks(soak_minutes: float, quick: bool) -> list[Bench]:
    found = [
        Bench("web_pages", "web_pages.py", quick=["--papers", "5000", "--runs", "10", "--no-targets"]),
        Bench(
            "api_papers",
            "api_papers.py",
            quick=["--papers", "500", "--requests", "100", "--warmup", "20"],
            env={"DATABASE_URL": PG_URL + "portal_bench_api"},
        ),
        Bench(
            "tutorials_celery",
            "tutorials_celery.py",
            quick=["--reps", "1", "--latency-runs", "5", "--skip-bert"],
            json_flag="--json",
        ),
        Bench(
            "trainers_drain",
            "trainers_drain.py",
            quick=["--runs", "4", "--params", '{"epochs": 5}', "--seconds", "5", "--throughput-seconds", "1"],
            json_flag="--json",
        ),
        Bench("deadline_import", "deadline_import.py", quick=["--reimports", "1"], json_flag="--json"),
        Bench("deadline_estimates", "deadline_estimates.py", json_flag="--json"),
        Bench("paths_pages", "paths_pages.py", quick=["--runs", "30"]),
        Bench(
            "semantic_search",
            "semantic_search.py",
            quick=["--papers", "5000", "--sample", "200", "--queries", "30"],
            json_flag="--json",
        ),
        Bench("demos_bare", "demos_bare.py", args=["--json"], quick=["mlp_digits", "--threads", "1"]),
        Bench("load", "load_test.py", quick=["--minutes", "1", "--users", "12"], json_flag="--json"),
        Bench(
            "soak",
            "load_test.py",
            args=["--soak", "--minutes", f"{soak_minutes:g}"],
            json_flag="--json",
        ),
    ]
    # The audits of issue 7: pip-audit, check --deploy and the XSS corpus; Schemathesis over HTTP.
    optional = [
        Bench("security_audit", "security_audit.py", json_flag="--json"),
        Bench("api_fuzz", "api_fuzz.py", quick=["--max-examples", "5"], json_flag="--json"),
    ]
    found += [bench for bench in optional if (ROOT / "benchmarks" / bench.script).exists()]
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--only", action="append", default=[], metavar="NAME", help="run only these (repeatable)"
    )
    parser.add_argument(
        "--skip", action="append", default=[], metavar="NAME", help="leave these out (repeatable)"
    )
    parser.add_argument("--quick", action="store_true", help="a smoke run: small data, short load and soak")
    parser.add_argument("--soak-minutes", type=float, help="length of the soak (BENCH_SOAK_MINUTES; 30)")
    parser.add_argument(
        "--list", action="store_true", help="print the benchmarks' names and commands, run none"
    )
    args = parser.parse_args()

    soak = args.soak_minutes or float(os.environ.get("BENCH_SOAK_MINUTES") or (2 if args.quick else 30))
    every = benchmarks(soak, args.quick)
    names = {bench.name for bench in every}
    unknown = sorted(set(args.only + args.skip) - names)
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; there are: {', '.join(sorted(names))}")
    chosen = [b for b in every if (not args.only or b.name in args.only) and b.name not in args.skip]

    OUT.mkdir(parents=True, exist_ok=True)
    base_env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    results = []
    for bench in chosen:
        cmd = [PY, f"benchmarks/{bench.script}", *bench.args, *(bench.quick if args.quick else [])]
        if bench.json_flag:
            cmd += [bench.json_flag, f"var/bench/{bench.name}.json"]
        shown = " ".join([*(f"{k}={v}" for k, v in bench.env.items()), ".venv/bin/python", *cmd[1:]])
        print(f"\n=== {bench.name}: {shown}", flush=True)
        if args.list:
            continue
        log = OUT / f"{bench.name}.log"
        started = time.monotonic()
        with log.open("wb") as handle:
            try:
                code = subprocess.run(
                    cmd,
                    cwd=ROOT,
                    env={**base_env, **bench.env},
                    stdout=handle,
                    stderr=subprocess.STDOUT,
                    check=False,
                ).returncode
            except KeyboardInterrupt:
                print("interrupted", flush=True)
                results.append((bench.name, shown, time.monotonic() - started, "interrupted"))
                break
        seconds = time.monotonic() - started
        results.append((bench.name, shown, seconds, code))
        tail = log.read_text(errors="replace").rstrip().splitlines()[-8:]
        print("\n".join(f"    {line}" for line in tail))
        print(
            f"--- {bench.name}: exit {code} in {seconds:.0f} s (output: {log.relative_to(ROOT)})", flush=True
        )

    if args.list:
        return 0
    print("\n| benchmark | exit | seconds | command |\n|---|---:|---:|---|")
    for name, shown, seconds, code in results:
        print(f"| {name} | {code} | {seconds:.0f} | `{shown}` |")
    failed = [name for name, _, _, code in results if code != 0]
    if failed:
        print(f"\nFAILED: {', '.join(failed)} (see var/bench/<name>.log)")
        return 1
    print(f"\nall {len(results)} benchmarks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
