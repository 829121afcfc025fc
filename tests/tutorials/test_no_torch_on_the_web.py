"""The web process renders forms and validates launches without importing torch."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tutorials import demos

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", demos.DEMO_NAMES)
def test_the_specs_are_the_modules_own(name):
    module = demos.get_demo(name)
    assert list(demos.get_params(name)) == module.PARAMS and demos.gpu_use(name) == module.GPU


def test_validating_a_launch_imports_no_torch():
    script = (
        "import json, sys, django; django.setup();"
        "from tutorials import services;"
        "[services.validate_params(n, {}) for n in services.demo_names()];"
        "[services.training_queue(n) for n in services.demo_names()];"
        "from tutorials.forms import LaunchForm; LaunchForm('mlp_digits').as_p();"
        "print(json.dumps('torch' in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "portal.test_settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) is False
