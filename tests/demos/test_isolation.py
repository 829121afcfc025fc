"""tutorials/demos stays plain PyTorch: no Django, no other app of the portal, no network at import."""

import ast
import json
import subprocess
import sys
from pathlib import Path

from tests.demos.helpers import child_env

ROOT = Path(__file__).resolve().parents[2]
DEMOS_DIR = ROOT / "tutorials" / "demos"
APPS = {"django", "portal", "resources", "accounts", "rest_framework", "celery"}


def python_files() -> list[Path]:
    return sorted(DEMOS_DIR.rglob("*.py"))


def test_no_source_file_imports_django_or_another_app():
    for path in python_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top not in APPS, f"{path.relative_to(ROOT)} imports {name}"
                if top == "tutorials":
                    assert name.startswith("tutorials.demos"), f"{path.relative_to(ROOT)} imports {name}"


def test_importing_every_demo_module_loads_no_django():
    modules = sorted(
        "tutorials.demos" + ("" if path.stem == "__init__" else f".{path.stem}")
        for path in DEMOS_DIR.glob("*.py")
    )
    script = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "from tutorials.demos import DEMO_NAMES, get_demo\n"
        "for name in DEMO_NAMES:\n"
        "    assert get_demo(name).PARAMS\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=child_env(), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout.splitlines()[-1])
    assert {"tutorials.demos.mlp_digits", "tutorials.demos.bert_finetune", "tutorials.demos.tiny_gpt"} <= set(
        loaded
    )
    assert "tutorials.demos.export" in loaded
    offenders = [name for name in loaded if name.split(".")[0] in APPS]
    assert offenders == []
