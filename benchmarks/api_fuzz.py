"""Schemathesis against the real API, served by gunicorn over HTTP, with every phase, stateful too.

What it sets up, and tears down again on exit (also on an error or Ctrl-C):

- a PostgreSQL database of its own (``portal_bench_fuzz``, or the one BENCH_DATABASE_URL names;
  dropped, created, migrated, filled with ``manage.py load_catalogue``; dropped at the end
  unless --keep) with a staff user and its API token;
- gunicorn (``portal.wsgi``) on a free port of 127.0.0.1, DEBUG off, the API throttles raised so
  that the fuzzer measures answers rather than rate limits (the throttles have tests of their
  own), runs sent to a temporary filesystem broker that no worker reads;
- the Schemathesis CLI: ``st run http://127.0.0.1:PORT/api/schema/`` with the phases examples,
  coverage, fuzzing and stateful, the staff token in ``Authorization`` (so writes reach
  validation and the database), positive and negative data, and the checks below.

Every request and answer is recorded in a HAR file; the script counts them by status class and
reads the failures from Schemathesis' JSON report. It prints total requests, answers by status
class, the number of 5xx (target 0), schema-conformance failures (target 0), every other
failure by check, and the duration, and exits 0 only when no answer was a 5xx and Schemathesis
found no failure (1 otherwise, 2 when the stack could not be set up).

    .venv/bin/python benchmarks/api_fuzz.py                      # 1.5 to 5 minutes on 2 cores
    .venv/bin/python benchmarks/api_fuzz.py --max-examples 10 --json /tmp/fuzz.json
    .venv/bin/python benchmarks/api_fuzz.py --checks all         # every check Schemathesis has

Needs PostgreSQL at 127.0.0.1:5432 (user postgres, trust auth).
"""

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
SERVER = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench_fuzz")

#: The answers must not be 5xx and must be what the schema says (status, type, headers, body);
#: after a DELETE the item is gone, after a create it can be read.
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,"
    "response_schema_conformance,use_after_free,ensure_resource_availability"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def psql(sql: str) -> None:
    parts = urlsplit(SERVER)
    subprocess.run(
        ["psql", "-h", parts.hostname, "-p", str(parts.port or 5432), "-U", parts.username or "postgres",
         "-d", "postgres", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True, capture_output=True, text=True,
    )  # fmt: skip


def database_name() -> str:
    return urlsplit(SERVER).path.lstrip("/")


def manage(env: dict, *args: str, capture: bool = False) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return result.stdout if capture else ""


CREATE_STAFF = """
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
user = get_user_model().objects.create_user("fuzz-staff", "fuzz@example.org", "{password}", is_staff=True)
print(Token.objects.create(user=user).key)
"""


def wait_until_up(url: str, proc: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                return
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer within {timeout:.0f}s")


def count_har(path: Path) -> Counter:
    counts: Counter = Counter()
    if not path.exists():
        return counts
    for entry in json.loads(path.read_text())["log"]["entries"]:
        status = entry["response"]["status"]
        counts["requests"] += 1
        counts[f"{status // 100}xx" if status else "no answer"] += 1
        if status >= 500:
            counts[f"5xx {entry['request']['method']} {urlsplit(entry['request']['url']).path}"] += 1
    return counts


#: Schemathesis' failure types that are the response not matching the schema.
SCHEMA_FAILURE_TYPES = {
    "UndefinedStatusCode",
    "UndefinedContentType",
    "MalformedMediaType",
    "MissingContentType",
    "MissingHeaders",
    "JsonSchemaError",
    "MalformedJson",
}


def failures_by_type(path: Path) -> tuple[Counter, dict]:
    """Failures (counted as Schemathesis counts them) by type, and the operations of each."""
    counts: Counter = Counter()
    where: dict[str, list[str]] = {}
    if not path.exists():
        return counts, where
    report = json.loads(path.read_text())
    for failure in report.get("failures", []):
        name = f"{failure.get('code', '')} {failure.get('type', failure.get('title', '?'))}".strip()
        counts[name] += failure.get("count", 1)
        where.setdefault(name, []).extend(failure.get("operations", []))
    for error in report.get("errors", []):
        counts[f"error: {error.get('title', '?')}"] += error.get("count", 1)
    return counts, where


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-examples", type=int, default=25, help="test cases per operation and phase")
    parser.add_argument("--checks", default=CHECKS, help="Schemathesis checks (comma-separated, or all)")
    parser.add_argument("--phases", default="examples,coverage,fuzzing,stateful")
    parser.add_argument("--seed", type=int, default=1, help="Schemathesis seed, for a repeatable run")
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--st-workers", default="1", help="concurrent Schemathesis workers")
    parser.add_argument("--keep", action="store_true", help="keep the database and the reports")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    name = database_name()
    work = Path(tempfile.mkdtemp(prefix="portal-bench-fuzz-"))
    env = dict(os.environ)
    env.update(
        DATABASE_URL=SERVER,
        DEBUG="0",
        SECRET_KEY="benchmark-only-" + secrets.token_urlsafe(40),
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        CELERY_BROKER_URL=f"filesystem://{work / 'broker'}",
        CACHE_URL="locmem://",
        PORTAL_VAR_DIR=str(work / "var"),
        STATIC_ROOT=str(work / "static"),
        LOG_LEVEL="WARNING",
        API_THROTTLE_ANON="1000000/minute",
        API_THROTTLE_USER="1000000/minute",
        API_THROTTLE_WRITE="1000000/hour",
        API_THROTTLE_LAUNCH="1000000/hour",
        TRAINING_MAX_PER_HOUR="1000000",
        TRAINING_QUEUE_CAP="1000000",
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    env.pop("CI", None)
    (work / "var").mkdir()
    gunicorn = None
    started = time.monotonic()
    try:
        print(f"database {name}: create, migrate, load_catalogue", flush=True)
        psql(f'DROP DATABASE IF EXISTS "{name}"')
        psql(f'CREATE DATABASE "{name}"')
        manage(env, "migrate", "--noinput")
        manage(env, "load_catalogue")
        token = manage(
            env, "shell", "-c", CREATE_STAFF.format(password=secrets.token_urlsafe(16)), capture=True
        )
        token = token.strip().splitlines()[-1]
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        gunicorn_log = (work / "gunicorn.log").open("wb")
        gunicorn = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "portal.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", str(args.web_workers), "--timeout", "120", "--access-logfile", "-"],
            cwd=ROOT, env=env, stdout=gunicorn_log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        wait_until_up(f"{base}/api/schema/", gunicorn)
    except (subprocess.CalledProcessError, RuntimeError, KeyboardInterrupt) as exc:
        detail = getattr(exc, "stderr", "") or ""
        print(f"could not set up the stack: {exc!r}\n{detail[-3000:]}", file=sys.stderr)
        cleanup(gunicorn, name, work, keep=args.keep)
        return 2

    har, report = work / "fuzz.har", work / "report.json"
    command = [
        str(VENV_BIN / "st"), "run", f"{base}/api/schema/",
        "--checks", args.checks,
        "--phases", args.phases,
        "--max-examples", str(args.max_examples),
        "--seed", str(args.seed),
        "--workers", args.st_workers,
        "--header", f"Authorization: Token {token}",
        "--request-timeout", "60",
        "--suppress-health-check", "all",
        "--continue-on-failure",
        "--report", "har,json",
        "--report-har-path", str(har),
        "--report-json-path", str(report),
    ]  # fmt: skip
    shown = " ".join(command).replace(token, "<token>")
    print(f"$ {shown}", flush=True)
    fuzz_started = time.monotonic()
    st_env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "CI"}}
    try:  # the server and the database go away whatever happens, Ctrl-C included
        result = subprocess.run(command, cwd=work, env=st_env, capture_output=True, text=True)
        duration = time.monotonic() - fuzz_started
        (work / "st.log").write_text(result.stdout + result.stderr)
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-40:])
        print(tail.replace(token, "<token>"))
        counts = count_har(har)
        failures, failing_operations = failures_by_type(report)
    finally:
        cleanup(gunicorn, name, work, keep=args.keep)
    server_errors = counts.get("5xx", 0)
    schema_failures = sum(n for name, n in failures.items() if name.split()[-1] in SCHEMA_FAILURE_TYPES)

    figures = {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} CPUs, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}",
        "command": shown,
        "requests": counts.get("requests", 0),
        "by_status_class": {k: v for k, v in sorted(counts.items()) if k.endswith("xx") and " " not in k},
        "5xx": server_errors,
        "5xx_by_operation": {k[4:]: v for k, v in counts.items() if k.startswith("5xx ")},
        "schema_conformance_failures": schema_failures,
        "failures": {
            name: {"count": n, "operations": failing_operations.get(name, [])} for name, n in failures.items()
        },
        "schemathesis_exit_code": result.returncode,
        "fuzz_seconds": round(duration, 1),
        "total_seconds": round(time.monotonic() - started, 1),
    }
    print()
    print(f"requests                     {figures['requests']}")
    for status_class, number in figures["by_status_class"].items():
        print(f"  {status_class:<26} {number}")
    print(f"5xx answers                  {server_errors}  (target 0)")
    for operation, number in figures["5xx_by_operation"].items():
        print(f"  {operation:<26} {number}")
    print(f"schema-conformance failures  {schema_failures}  (target 0)")
    print("failures and errors by type (Schemathesis' counts)")
    for name, number in sorted(failures.items()):
        print(f"  {name:<40} {number}  {', '.join(failing_operations.get(name, []))}")
    print(f"Schemathesis exit code       {result.returncode}")
    print(f"fuzzing took                 {duration:.0f} s (whole run {figures['total_seconds']:.0f} s)")
    if args.keep:
        print(f"reports and logs kept in {work}")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    if figures["requests"] == 0:
        print("no request was recorded: the run did not happen", file=sys.stderr)
        return 1
    return 0 if server_errors == 0 and not failures and result.returncode == 0 else 1


def cleanup(gunicorn, name: str, work: Path, *, keep: bool) -> None:
    if gunicorn is not None and gunicorn.poll() is None:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        try:
            gunicorn.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(gunicorn.pid, signal.SIGKILL)
            gunicorn.wait(10)
    if not keep:
        with contextlib.suppress(subprocess.CalledProcessError):
            psql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
