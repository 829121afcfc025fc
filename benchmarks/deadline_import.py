"""Whole-tree deadline import and re-import, on SQLite and on PostgreSQL.

Imports the shipped upstream tree (resources/data: both data sets, all eight ccf-deadlines
fields, every acceptance-rate file; or the paths given) into an empty database, then imports it
again several times, and reports the wall time of each, the rows written, and the SQL statements
of a re-import by kind: an unchanged re-import must issue no INSERT, UPDATE or DELETE.

    .venv/bin/python benchmarks/deadline_import.py                      # both backends
    .venv/bin/python benchmarks/deadline_import.py --backend sqlite --reimports 5
    .venv/bin/python benchmarks/deadline_import.py --json var/bench/import.json ../shared/data

Each backend runs in a process of its own, on a database of its own: a SQLite file in a temporary
folder, or the PostgreSQL database ``portal_bench_import`` (BENCH_DATABASE_URL overrides it),
dropped and created afresh. Exits non-zero if a re-import wrote anything.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_import")


def run_backend(backend: str, paths: list[str], reimports: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        if backend == "sqlite":
            url = f"sqlite:///{tmp}/db.sqlite3"
        else:
            url = PG_URL
            import psycopg2

            server, name = url.rsplit("/", 1)
            conn = psycopg2.connect(f"{server}/postgres")
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
                cur.execute(f'CREATE DATABASE "{name}"')
            conn.close()
        os.environ.update(
            DATABASE_URL=url,
            DEBUG="1",
            PORTAL_VAR_DIR=tmp,
            LOG_LEVEL="WARNING",
            DJANGO_SETTINGS_MODULE="portal.settings",
        )
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from resources.importers.deadlines import import_paths
        from resources.models import ConferenceSeries, Deadline

        call_command("migrate", verbosity=0)
        start = time.perf_counter()
        first = import_paths(paths)
        first_s = time.perf_counter() - start
        if not first.ok:
            raise SystemExit(f"{backend}: the first import failed: {first.errors[:3]}")
        times, statements = [], Counter()
        for n in range(reimports):
            start = time.perf_counter()
            if n == 0:
                with CaptureQueriesContext(connection) as captured:
                    again = import_paths(paths)
                statements = Counter(q["sql"].split()[0].upper() for q in captured)
            else:
                again = import_paths(paths)
            times.append(time.perf_counter() - start)
            assert (again.total("created"), again.total("updated"), again.total("withdrawn")) == (0, 0, 0)
        return {
            "backend": backend,
            "files": len(first.files),
            "rows": first.total("created") + first.total("updated") + first.total("unchanged"),
            "series": ConferenceSeries.objects.count(),
            "deadlines": Deadline.objects.count(),
            "first_import_s": round(first_s, 2),
            "reimport_s": [round(t, 2) for t in times],
            "reimport_median_s": round(statistics.median(times), 2),
            "reimport_statements": dict(statements),
            "reimport_writes": sum(statements[k] for k in ("INSERT", "UPDATE", "DELETE")),
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=[str(ROOT / "resources" / "data")])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--reimports", type=int, default=3)
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_backend(args.backend, args.paths, args.reimports)))
        return 0
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    results = []
    for backend in backends:
        # One process per backend: Django's settings are read once per process.
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                "--backend",
                backend,
                "--reimports",
                str(args.reimports),
                *args.paths,
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(
        f"| backend | files | rows | series | first import | re-import (median of {args.reimports}) "
        "| re-import SQL |"
    )
    print("|---|---|---|---|---|---|---|")
    for r in results:
        sql = ", ".join(f"{k} {v}" for k, v in sorted(r["reimport_statements"].items()))
        print(
            f"| {r['backend']} | {r['files']} | {r['rows']} | {r['series']} | {r['first_import_s']} s "
            f"| {r['reimport_median_s']} s | {sql} |"
        )
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(results, indent=2))
    return 1 if any(r["reimport_writes"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
