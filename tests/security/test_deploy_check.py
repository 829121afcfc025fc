"""``manage.py check --deploy --fail-level WARNING`` with production-like variables: no warning.

tests/test_env.py runs the same command once; here it also runs with a weak key and with DEBUG on,
to show that the check (and so this test) does catch a bad deployment.
"""

import os
import secrets
import subprocess
import sys

from tests.processes import ROOT

#: Variables of the developer's or CI's shell that would change what a deployment check sees.
SCRUBBED = {"DEBUG", "DJANGO_SETTINGS_MODULE", "SECURE_SSL_REDIRECT", "SECRET_KEY", "ALLOWED_HOSTS"}


def deploy_check(**variables: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    env.update(variables)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def production_like(**overrides: str) -> dict:
    return {
        "SECRET_KEY": secrets.token_urlsafe(64),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "portal.example.org",
        **overrides,
    }


def test_deploy_check_is_clean_in_production():
    result = deploy_check(**production_like())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


def test_deploy_check_fails_with_a_weak_key_or_debug_on():
    weak = deploy_check(**production_like(SECRET_KEY="short"))
    assert weak.returncode != 0
    assert "security.W009" in weak.stderr
    debug = deploy_check(**production_like(DEBUG="1"))
    assert debug.returncode != 0
    assert "security.W018" in debug.stderr
