"""``python -m tutorials.demos.<name>``: flags built from PARAMS, progress lines, readable errors."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.demos.helpers import child_env
from tutorials.demos import mlp_digits
from tutorials.demos.base import run_cli

ROOT = Path(__file__).resolve().parents[2]


def test_module_runs_with_short_flag_aliases():
    done = subprocess.run(
        [sys.executable, "-m", "tutorials.demos.mlp_digits", "--epochs", "1", "--lr", "0.01"],
        cwd=ROOT,
        env=child_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "RuntimeWarning" not in done.stderr
    lines = done.stdout.splitlines()
    assert "learning_rate=0.01" in lines[0] and "epochs=1" in lines[0]
    assert lines[1] == "device cpu, 45 steps" or lines[1].startswith("device cuda")
    assert any(line.startswith("epoch 1 step 45/45 loss") and "val_accuracy=" in line for line in lines)
    assert any(line.startswith("final: ") for line in lines)
    assert lines[-1].startswith("validation accuracy per digit: 0: ")


def test_bad_flags_are_reported_together(capsys):
    with pytest.raises(SystemExit) as exited:
        run_cli(mlp_digits, ["--epochs", "0", "--activation", "softmax", "--dropout", "nan"])
    assert exited.value.code == 2
    error = capsys.readouterr().err
    assert "--epochs must be at least 1" in error
    assert "--activation must be one of: relu, tanh, sigmoid" in error
    assert "--dropout must be a finite number" in error


def test_both_spellings_of_a_flag_work(capsys):
    with pytest.raises(SystemExit):
        run_cli(mlp_digits, ["--hidden_size", "0", "--batch-size", "0"])
    error = capsys.readouterr().err
    assert "--hidden-size must be at least 4" in error and "--batch-size must be at least 1" in error
