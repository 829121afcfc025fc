"""Security audit: known vulnerabilities in the pinned requirements, the deployment check and the
XSS corpus in Chromium, printed as a Markdown table.

1. ``pip-audit -r requirements.txt -r requirements-dev.txt`` (it reads PyPI's vulnerability data,
   or OSV's when PyPI's JSON API is not reachable; offline the row says why it could not run).
2. ``manage.py check --deploy --fail-level WARNING`` with production-like variables (a long random
   SECRET_KEY, DEBUG=0, ALLOWED_HOSTS).
3. The XSS tests of tests/security/test_xss.py, run by pytest in a subprocess: vectors, fields,
   vector x field pairs, pages, and scripts executed (must be 0).

Exit status 0 when every check that could run passed: no known vulnerability, no deploy warning,
the XSS tests passed with no script run. pip-audit that cannot reach PyPI is recorded, not failed.

    .venv/bin/python benchmarks/security_audit.py [--json var/bench/security_audit.json]
"""

import argparse
import datetime as dt
import json
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
XSS_LINE = re.compile(
    r"XSS corpus \((?P<kind>\w+)\): (?P<vectors>\d+) vectors; (?P<fields>\d+) fields shown; "
    r"(?P<pairs>\d+) vector x field pairs .*?; (?P<pages>\d+) pages in (?P<seconds>\d+) s; "
    r"scripts executed: (?P<scripts>\d+), dialogs: (?P<dialogs>\d+)"
)


def pip_audit(timeout: int) -> dict:
    """pip-audit against PyPI's vulnerability data, then OSV's if PyPI's is not reachable."""
    executable = shutil.which("pip-audit", path=str(Path(PYTHON).parent)) or shutil.which("pip-audit")
    if executable is None:
        return {"ran": False, "reason": "pip-audit is not installed (pip install -r requirements-dev.txt)"}
    reasons = []
    for service in ("pypi", "osv"):
        outcome = _pip_audit_with(executable, service, timeout)
        if outcome["ran"]:
            return outcome
        reasons.append(f"{service}: {outcome['reason']}")
    return {"ran": False, "reason": "could not run offline: " + "; ".join(reasons)}


def _pip_audit_with(executable: str, service: str, timeout: int) -> dict:
    command = [
        executable, "-r", "requirements.txt", "-r", "requirements-dev.txt",
        "--vulnerability-service", service, "--format", "json", "--progress-spinner", "off",
    ]  # fmt: skip
    started = time.monotonic()
    try:
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"ran": False, "reason": f"no answer within {timeout} s"}
    seconds = round(time.monotonic() - started)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        last = (result.stderr.strip().splitlines() or ["no output"])[-1]
        unresolved = re.search(r"Failed to resolve '([^']+)'", last)
        reason = f"cannot resolve {unresolved[1]} (no network)" if unresolved else last[:300]
        return {"ran": False, "reason": reason, "seconds": seconds}
    dependencies = report.get("dependencies", [])
    skipped = [dep["name"] for dep in dependencies if dep.get("skip_reason")]
    if dependencies and len(skipped) == len(dependencies):
        # Behind a mirror that serves the package index but not PyPI's JSON API, every package
        # comes back "not found on PyPI": no vulnerability data was read at all.
        return {"ran": False, "reason": dependencies[0]["skip_reason"].split(":")[0] + " (every package)"}
    found = [
        {
            "package": dep["name"],
            "version": dep.get("version"),
            "id": vuln["id"],
            "fixed_in": vuln["fix_versions"],
        }
        for dep in dependencies
        for vuln in dep.get("vulns", [])
    ]
    return {
        "ran": True,
        "service": service,
        "packages": len(dependencies),
        "vulnerabilities": found,
        "skipped": skipped,
        "seconds": seconds,
    }


def deploy_check() -> dict:
    scrubbed = {"DEBUG", "DJANGO_SETTINGS_MODULE", "SECURE_SSL_REDIRECT", "SECRET_KEY", "ALLOWED_HOSTS"}
    env = {k: v for k, v in os.environ.items() if k not in scrubbed}
    env.update(SECRET_KEY=secrets.token_urlsafe(64), DEBUG="0", ALLOWED_HOSTS="portal.example.org")
    result = subprocess.run(
        [PYTHON, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    output = result.stdout + result.stderr
    warnings = re.findall(r"\(security\.W\d+\)|\(\w+\.W\d+\)", output)
    return {"exit_status": result.returncode, "warnings": len(warnings), "output": output.strip()[-2000:]}


def xss_corpus(timeout: int) -> dict:
    env = {**os.environ, "CI": "true"}
    env.setdefault("PORTAL_VAR_DIR", str(ROOT / "var" / "bench" / "security-var"))
    command = [PYTHON, "-m", "pytest", "tests/security/test_xss.py", "-q", "-s", "-p", "no:cacheprovider"]
    started = time.monotonic()
    try:
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"passed": False, "reason": f"timed out after {timeout} s", "runs": []}
    runs = [
        {k: (v if k == "kind" else int(v)) for k, v in match.groupdict().items()}
        for match in XSS_LINE.finditer(result.stdout)
    ]
    summary = (result.stdout.strip().splitlines() or ["no output"])[-1]
    return {
        "passed": result.returncode == 0 and len(runs) == 2,
        "summary": summary,
        "runs": runs,
        "seconds": round(time.monotonic() - started),
    }


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return f"{os.cpu_count()} vCPU {cpu} (load ≈ {load:.0f}), Python {platform.python_version()}"


def table(audit: dict, deploy: dict, xss: dict) -> str:
    if audit["ran"]:
        vulns = audit["vulnerabilities"]
        audit_result = (
            f"{len(vulns)} known vulnerabilities in {audit['packages']} packages"
            + (
                ""
                if not vulns
                else ": " + ", ".join(f"{v['package']} {v['version']} {v['id']}" for v in vulns)
            )
            + (
                f" ({len(audit['skipped'])} skipped: {', '.join(audit['skipped'])})"
                if audit["skipped"]
                else ""
            )
        )
    else:
        audit_result = audit["reason"]
    deploy_result = (
        "0 warnings"
        if deploy["exit_status"] == 0 and not deploy["warnings"]
        else f"{deploy['warnings']} warnings"
    )
    rows = [
        ("pip-audit (requirements.txt + requirements-dev.txt)", audit_result),
        ("`check --deploy --fail-level WARNING`", deploy_result),
    ]
    for run in xss["runs"]:
        rows.append(
            (
                f"XSS corpus, {run['kind']} content (Chromium)",
                f"{run['vectors']} vectors × {run['fields']} fields = {run['pairs']} pairs on {run['pages']} "
                f"pages; scripts executed: {run['scripts'] + run['dialogs']}",
            )
        )
    rows.append(("XSS tests", xss.get("summary") or xss.get("reason", "")))
    return "\n".join(["| check | result |", "|---|---|", *(f"| {a} | {b} |" for a, b in rows)])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--audit-timeout", type=int, default=900, help="seconds for pip-audit (default 900)")
    parser.add_argument(
        "--xss-timeout", type=int, default=900, help="seconds for the XSS tests (default 900)"
    )
    args = parser.parse_args()

    audit = pip_audit(args.audit_timeout)
    deploy = deploy_check()
    xss = xss_corpus(args.xss_timeout)
    print(f"Security audit, {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {machine()}\n")
    print(table(audit, deploy, xss))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        figures = {"date": dt.datetime.now(dt.UTC).isoformat(), "machine": machine()}
        figures.update(pip_audit=audit, deploy_check=deploy, xss=xss)
        args.json.write_text(json.dumps(figures, indent=2))
    failed = (
        (audit["ran"] and bool(audit["vulnerabilities"]))
        or deploy["exit_status"] != 0
        or deploy["warnings"] > 0
        or not xss["passed"]
        or any(run["scripts"] or run["dialogs"] for run in xss["runs"])
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
