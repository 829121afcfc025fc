"""Time each demo training on its default parameters, run as a bare script with no portal around it.

Each demo runs in its own child process, so that the peak resident memory printed is that demo's
alone (``resource.getrusage``). ``report`` only notes the clock at evaluations and ``should_stop``
only notes when it was polled, so the figures are those of the training itself:

- import: seconds to import torch and the demo module;
- setup: from calling ``train`` to its first report (data, model, weights);
- per epoch: seconds between evaluations, evaluation included (tiny_gpt counts steps, not epochs:
  its figure is per tenth of the run);
- poll gap: the longest wait between two ``should_stop`` polls, i.e. the worst cancel delay;
- cpu: user + system seconds of the process, all threads together.

    .venv/bin/python benchmarks/demos_bare.py                 # all three demos
    .venv/bin/python benchmarks/demos_bare.py mlp_digits --json
    .venv/bin/python benchmarks/demos_bare.py --threads 1   # one intra-op thread per child

On a machine that other processes keep busy, PyTorch's intra-op threads wait on each other and a
run can be many times slower than on an idle one: compare ``--threads 1`` with the default, and
look at the load averages printed before and after.
"""

import argparse
import itertools
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAMES = ("mlp_digits", "bert_finetune", "tiny_gpt")


def measure(name: str) -> dict:
    """Run one demo in this process and return its figures."""
    started = time.perf_counter()
    sys.path.insert(0, str(ROOT))
    import torch

    from tutorials.demos import get_demo
    from tutorials.demos.base import validate

    module = get_demo(name)
    imported = time.perf_counter()
    marks: list[float] = []
    polls: list[float] = []

    def report(event: dict) -> None:
        if event["step"] == 0 or event.get("metrics"):
            marks.append(time.perf_counter())

    def should_stop() -> bool:
        polls.append(time.perf_counter())
        return False

    params = validate(module.PARAMS, {})
    result = module.train(params, report, should_stop)
    finished = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    segments = [later - earlier for earlier, later in itertools.pairwise(marks)]
    return {
        "demo": name,
        "device": result["device"],
        "threads": torch.get_num_threads(),
        "params": params,
        "import_s": imported - started,
        "setup_s": marks[0] - imported,
        "train_s": finished - marks[0],
        "total_s": finished - started,
        "per_epoch_s": segments,
        "max_poll_gap_s": max(later - earlier for earlier, later in itertools.pairwise(polls)),
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024,
        "metrics": result["metrics"],
    }


def summary(row: dict) -> str:
    epochs = row["per_epoch_s"]
    unit = "tenth of the run" if row["demo"] == "tiny_gpt" else "epoch"
    metrics = " ".join(f"{key}={value:.4f}" for key, value in row["metrics"].items())
    return (
        f"{row['demo']:<14} device {row['device']} ({row['threads']} threads)\n"
        f"    import {row['import_s']:.1f} s, setup {row['setup_s']:.1f} s, training {row['train_s']:.1f} s, "
        f"total {row['total_s']:.1f} s, cpu {row['cpu_s']:.1f} s\n"
        f"    per {unit}: mean {sum(epochs) / len(epochs):.2f} s "
        f"(min {min(epochs):.2f}, max {max(epochs):.2f}, n={len(epochs)}); "
        f"longest gap between should_stop polls {row['max_poll_gap_s']:.2f} s\n"
        f"    peak RSS {row['peak_rss_mb']:.0f} MB; final {metrics}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="DEMO", help=f"any of {', '.join(NAMES)}; all by default")
    parser.add_argument("--json", action="store_true", help="print one JSON object per demo")
    parser.add_argument("--threads", type=int, help="set OMP_NUM_THREADS for the runs (default: untouched)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    unknown = set(args.names) - set(NAMES)
    if unknown:
        parser.error(f"unknown demo(s): {', '.join(sorted(unknown))}")
    if args.child:
        print(json.dumps(measure(args.child)))
        return 0
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    if args.threads:
        env["OMP_NUM_THREADS"] = str(args.threads)
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs", flush=True)
    for name in args.names or NAMES:
        done = subprocess.run(
            [sys.executable, __file__, "--child", name], capture_output=True, text=True, env=env, check=False
        )
        if done.returncode != 0:
            print(f"{name}: failed\n{done.stderr[-3000:]}", flush=True)
            return 1
        row = json.loads(done.stdout.splitlines()[-1])
        print(json.dumps(row) if args.json else summary(row), flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
