"""A multilayer perceptron learns to read handwritten digits.

The network is the classic Linear → activation → Linear stack, trained with plain mini-batch
gradient descent on scikit-learn's bundled digits (1,797 greyscale images of 8×8 pixels, no
download). A seeded, stratified 80/20 split keeps every digit equally represented in training and
validation; pixels are standardised with statistics from the training part only, so nothing about
the validation images leaks into training.

Run it: ``python -m tutorials.demos.mlp_digits --epochs 3 --lr 0.1``.
"""

import math
import sys
import time
from collections.abc import Callable

import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn

from .base import check_stop, pick_device, run_cli, seed_everything, validate
from .specs import SPECS

NAME = "mlp_digits"
TITLE = "A small neural network reads handwritten digits"
GPU = SPECS[NAME].gpu
PARAMS = list(SPECS[NAME].params)
ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid}
VALIDATION_SHARE = 0.2
NUM_CLASSES = 10


def load_split(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Standardised train and validation arrays: ``x_train, y_train, x_val, y_val``."""
    images, labels = load_digits(return_X_y=True)
    x_train, x_val, y_train, y_val = train_test_split(
        images, labels, test_size=VALIDATION_SHARE, stratify=labels, random_state=seed
    )
    mean = x_train.mean(axis=0)
    std = x_train.std(axis=0)
    std[std == 0] = 1.0  # some border pixels are blank in every training image
    return (x_train - mean) / std, y_train, (x_val - mean) / std, y_val


def build_model(hidden_size: int, activation: str, dropout: float) -> nn.Module:
    return nn.Sequential(
        nn.Linear(64, hidden_size),
        ACTIVATIONS[activation](),
        nn.Dropout(dropout),
        nn.Linear(hidden_size, NUM_CLASSES),
    )


def build_optimizer(name: str, parameters, learning_rate: float, weight_decay: float):
    if name == "adam":
        return torch.optim.Adam(parameters, lr=learning_rate, weight_decay=weight_decay)
    momentum = 0.9 if name == "momentum" else 0.0
    return torch.optim.SGD(parameters, lr=learning_rate, momentum=momentum, weight_decay=weight_decay)


@torch.no_grad()
def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> tuple[float, torch.Tensor]:
    """Mean cross-entropy and the predicted class of every example."""
    model.eval()
    logits = model(x)
    model.train()
    return nn.functional.cross_entropy(logits, y).item(), logits.argmax(dim=1)


def confusion_matrix(truth: np.ndarray, predicted: np.ndarray) -> list[list[int]]:
    """Rows are the true digit, columns the predicted one."""
    matrix = np.zeros((NUM_CLASSES, NUM_CLASSES), dtype=np.int64)
    np.add.at(matrix, (truth, predicted), 1)
    return matrix.tolist()


def train(params: dict, report: Callable[[dict], None], should_stop: Callable[[], bool]) -> dict:
    started = time.perf_counter()
    params = validate(PARAMS, params)
    seed_everything(params["seed"])
    device = pick_device()

    x_train, y_train, x_val, y_val = load_split(params["seed"])
    x_train_t = torch.tensor(x_train, dtype=torch.float32, device=device)
    y_train_t = torch.tensor(y_train, dtype=torch.long, device=device)
    x_val_t = torch.tensor(x_val, dtype=torch.float32, device=device)
    y_val_t = torch.tensor(y_val, dtype=torch.long, device=device)

    model = build_model(params["hidden_size"], params["activation"], params["dropout"]).to(device)
    optimizer = build_optimizer(
        params["optimizer"], model.parameters(), params["learning_rate"], params["weight_decay"]
    )
    order_rng = torch.Generator().manual_seed(params["seed"])
    batch_size = params["batch_size"]
    steps_per_epoch = math.ceil(len(x_train) / batch_size)
    total_steps = params["epochs"] * steps_per_epoch
    report({"step": 0, "total_steps": total_steps, "epoch": 0, "device": str(device), "metrics": {}})

    step = 0
    history: list[dict] = []
    metrics: dict[str, float] = {}
    predicted = None
    for epoch in range(1, params["epochs"] + 1):
        order = torch.randperm(len(x_train), generator=order_rng).to(device)
        loss_sum = 0.0
        for start in range(0, len(x_train), batch_size):
            check_stop(should_stop, step)
            index = order[start : start + batch_size]
            loss = nn.functional.cross_entropy(model(x_train_t[index]), y_train_t[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            step += 1
            loss_value = loss.item()
            loss_sum += loss_value * len(index)
            evaluated = {}
            if start + batch_size >= len(x_train):
                val_loss, predicted = evaluate(model, x_val_t, y_val_t)
                accuracy = (predicted == y_val_t).float().mean().item()
                train_loss = loss_sum / len(x_train)
                metrics = {"train_loss": train_loss, "val_loss": val_loss, "val_accuracy": accuracy}
                history.append({"epoch": epoch, **metrics})
                evaluated = metrics
            event = {"step": step, "total_steps": total_steps, "epoch": epoch, "loss": loss_value}
            report({**event, "metrics": evaluated})

    matrix = confusion_matrix(y_val, predicted.cpu().numpy())
    per_class = [row[digit] / max(1, sum(row)) for digit, row in enumerate(matrix)]
    return {
        "device": str(device),
        "metrics": metrics,
        "results": {
            "labels": list(range(NUM_CLASSES)),
            "confusion_matrix": matrix,
            "per_class_accuracy": per_class,
            "history": history,
            "train_size": len(x_train),
            "val_size": len(x_val),
            "parameters": sum(p.numel() for p in model.parameters()),
        },
        "seconds": time.perf_counter() - started,
    }


def describe_results(results: dict) -> list[str]:
    """Lines for the command line: accuracy per digit."""
    cells = ", ".join(f"{digit}: {acc:.2f}" for digit, acc in enumerate(results["per_class_accuracy"]))
    return [f"validation accuracy per digit: {cells}"]


if __name__ == "__main__":
    sys.exit(run_cli(sys.modules[__name__]))
