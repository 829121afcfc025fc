"""How good are the expected deadlines? A backtest on upstream's whole tree.

Imports the shipped data (resources/data, or the paths given) into a SQLite database in a
temporary folder, then predicts every past paper deadline that has at least two earlier ones
from those earlier ones alone (``resources.estimates.backtest``, the very function the pages
use) and reports the error in days: median, 90th percentile, and the share within a week and
within two weeks. Also counts the series that get an expected deadline on a given day.

    .venv/bin/python benchmarks/deadline_estimates.py
    .venv/bin/python benchmarks/deadline_estimates.py --on 2026-12-05 --json var/bench/estimates.json
"""

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=[str(ROOT / "resources" / "data")])
    parser.add_argument("--on", help="the day (YYYY-MM-DD) to count expected deadlines on; today by default")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-estimates-") as tmp:
        os.environ.update(
            DATABASE_URL=f"sqlite:///{tmp}/db.sqlite3",
            DEBUG="1",
            PORTAL_VAR_DIR=tmp,
            LOG_LEVEL="WARNING",
            DJANGO_SETTINGS_MODULE="portal.settings",
        )
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command

        from resources import estimates
        from resources.importers.deadlines import import_paths
        from resources.models import Deadline

        call_command("migrate", verbosity=0)
        report = import_paths(args.paths)
        if not report.ok:
            raise SystemExit(f"the import failed: {report.errors[:3]}")
        deadlines = Deadline.objects.current()
        histories = [entry["years"] for entry in estimates.paper_history(deadlines).values()]
        result = estimates.backtest(histories)
        on = dt.datetime.fromisoformat(args.on).replace(tzinfo=dt.UTC) if args.on else dt.datetime.now(dt.UTC)
        expected = estimates.expected_deadlines(deadlines, now=on)
        announced = deadlines.filter(kind="paper", at__gte=on).values("edition__series").distinct().count()
        figures = {
            **result.__dict__,
            "series_with_paper_deadlines": len(histories),
            "on": on.date().isoformat(),
            "announced_upcoming_series": announced,
            "expected_series": len(expected),
        }
    print("| predictions | series | median error | 90th percentile | within 7 days | within 14 days |")
    print("|---:|---:|---:|---:|---:|---:|")
    print(
        f"| {result.predictions} | {result.series} | {result.median_days} days | {result.p90_days} days "
        f"| {result.within_7_days:.1%} | {result.within_14_days:.1%} |"
    )
    print(
        f"On {figures['on']}: {announced} series with an announced upcoming paper deadline, "
        f"{len(expected)} with an expected one."
    )
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
