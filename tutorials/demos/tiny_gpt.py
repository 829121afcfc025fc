"""A tiny GPT, written out from its parts, learns to write like Shakespeare one character at a time.

Every piece of a decoder-only Transformer is spelled out below instead of taken from
``nn.TransformerDecoder``: token and position embeddings, multi-head self-attention with a causal
mask (a position may only look at itself and earlier ones), a feed-forward layer, residual
connections and layer normalisation before each sub-layer, then a linear read-out over the
characters. It trains on four public-domain plays (see ``data/README.md``) to predict each next
character, and samples new text now and then so the learner can watch spelling, words and the
layout of a script appear.

Run it: ``python -m tutorials.demos.tiny_gpt --steps 300``.
"""

import math
import sys
import time
from collections.abc import Callable

import torch
from torch import nn
from torch.nn import functional as F

from .base import check_stop, pick_device, read_data_text, run_cli, seed_everything, validate
from .specs import SPECS

NAME = "tiny_gpt"
TITLE = "A tiny GPT learns to write like Shakespeare"
GPU = SPECS[NAME].gpu
PARAMS = list(SPECS[NAME].params)
DATA_FILES = ("shakespeare.txt",)
VALIDATION_SHARE = 0.1
SEGMENTS = 10  # validation text is the tail of each tenth of the corpus, so every play is represented
EVALUATIONS = 10  # evaluations (and samples) per run
EVAL_BATCHES = 8
SAMPLE_LENGTH = 200
PROMPTS = ("\n", "ROMEO:\n", "MACBETH:\n")


class CharVocabulary:
    """Maps each character of the corpus to an integer id and back."""

    def __init__(self, text: str):
        self.chars = sorted(set(text))
        self.index = {char: i for i, char in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> list[int]:
        return [self.index[char] for char in text]

    def decode(self, ids) -> str:
        return "".join(self.chars[i] for i in ids)


class CausalSelfAttention(nn.Module):
    """Every position mixes the values of the positions up to itself, weighted by query-key match."""

    def __init__(self, n_embd: int, n_head: int, block_size: int, dropout: float):
        super().__init__()
        self.n_head = n_head
        self.qkv = nn.Linear(n_embd, 3 * n_embd)
        self.out = nn.Linear(n_embd, n_embd)
        self.attn_dropout = nn.Dropout(dropout)
        self.out_dropout = nn.Dropout(dropout)
        causal = torch.tril(torch.ones(block_size, block_size, dtype=torch.bool))
        self.register_buffer("causal", causal.view(1, 1, block_size, block_size), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        batch, length, width = x.shape
        head_width = width // self.n_head
        # (batch, length, width) -> three tensors of (batch, heads, length, head_width)
        q, k, v = (
            t.view(batch, length, self.n_head, head_width).transpose(1, 2)
            for t in self.qkv(x).split(width, dim=2)
        )
        scores = q @ k.transpose(-2, -1) / math.sqrt(head_width)
        scores = scores.masked_fill(~self.causal[:, :, :length, :length], float("-inf"))
        weights = self.attn_dropout(F.softmax(scores, dim=-1))
        mixed = (weights @ v).transpose(1, 2).reshape(batch, length, width)
        return self.out_dropout(self.out(mixed))


class FeedForward(nn.Module):
    """A small two-layer network applied to every position on its own."""

    def __init__(self, n_embd: int, dropout: float):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(n_embd, 4 * n_embd), nn.GELU(), nn.Linear(4 * n_embd, n_embd), nn.Dropout(dropout)
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class Block(nn.Module):
    """Attention then feed-forward, each on a normalised copy and added back (residual)."""

    def __init__(self, n_embd: int, n_head: int, block_size: int, dropout: float):
        super().__init__()
        self.norm1 = nn.LayerNorm(n_embd)
        self.attention = CausalSelfAttention(n_embd, n_head, block_size, dropout)
        self.norm2 = nn.LayerNorm(n_embd)
        self.feed_forward = FeedForward(n_embd, dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attention(self.norm1(x))
        return x + self.feed_forward(self.norm2(x))


class TinyGPT(nn.Module):
    def __init__(self, vocab_size: int, n_layer: int, n_head: int, n_embd: int, block_size: int, dropout=0.0):
        super().__init__()
        self.block_size = block_size
        self.token_embedding = nn.Embedding(vocab_size, n_embd)
        self.position_embedding = nn.Embedding(block_size, n_embd)
        self.dropout = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(Block(n_embd, n_head, block_size, dropout) for _ in range(n_layer))
        self.final_norm = nn.LayerNorm(n_embd)
        self.head = nn.Linear(n_embd, vocab_size)
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        # Small normal weights as in GPT-2; PyTorch's defaults make the first loss needlessly high.
        if isinstance(module, nn.Linear | nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(ids.shape[1], device=ids.device)
        x = self.dropout(self.token_embedding(ids) + self.position_embedding(positions))
        for block in self.blocks:
            x = block(x)
        return self.head(self.final_norm(x))

    @torch.no_grad()
    def generate(self, ids: torch.Tensor, length: int, temperature: float, generator: torch.Generator):
        """Append ``length`` sampled ids to ``ids`` (shape 1 × n), one at a time."""
        for _ in range(length):
            logits = self(ids[:, -self.block_size :])[:, -1, :] / temperature
            probabilities = F.softmax(logits, dim=-1).cpu()
            next_id = torch.multinomial(probabilities, 1, generator=generator).to(ids.device)
            ids = torch.cat([ids, next_id], dim=1)
        return ids


def split_corpus(ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Training and validation ids: the last tenth of each of ``SEGMENTS`` equal slices validates."""
    train_parts, val_parts = [], []
    size = math.ceil(len(ids) / SEGMENTS)
    for start in range(0, len(ids), size):
        segment = ids[start : start + size]
        cut = int(len(segment) * (1 - VALIDATION_SHARE))
        train_parts.append(segment[:cut])
        val_parts.append(segment[cut:])
    return torch.cat(train_parts), torch.cat(val_parts)


def get_batch(data: torch.Tensor, batch_size: int, block_size: int, generator: torch.Generator):
    """Random snippets ``x`` and the same snippets shifted by one character, ``y``."""
    starts = torch.randint(len(data) - block_size - 1, (batch_size,), generator=generator)
    offsets = starts[:, None] + torch.arange(block_size)
    return data[offsets], data[offsets + 1]


@torch.no_grad()
def estimate(model: TinyGPT, data: torch.Tensor, params: dict, seed: int, device) -> tuple[float, float]:
    """Mean loss and next-character accuracy on the same fixed snippets at every evaluation."""
    model.eval()
    generator = torch.Generator().manual_seed(seed)
    losses, hits = [], []
    for _ in range(EVAL_BATCHES):
        x, y = get_batch(data, params["batch_size"], params["block_size"], generator)
        x, y = x.to(device), y.to(device)
        logits = model(x)
        losses.append(F.cross_entropy(logits.flatten(0, 1), y.flatten()).item())
        hits.append((logits.argmax(dim=-1) == y).float().mean().item())
    model.train()
    return sum(losses) / len(losses), sum(hits) / len(hits)


def sample(
    model, vocab, prompt: str, temperature: float, seed: int, device, poll, length=SAMPLE_LENGTH
) -> str:
    """``prompt`` and ``length`` sampled characters; ``poll()`` runs every 50 (it may raise)."""
    model.eval()
    ids = torch.tensor([vocab.encode(prompt)], device=device)
    generator = torch.Generator().manual_seed(seed)
    for done in range(0, length, 50):
        poll()
        ids = model.generate(ids, min(50, length - done), temperature, generator)
    model.train()
    return vocab.decode(ids[0].tolist())


def learning_rate_factor(total_steps: int) -> Callable[[int], float]:
    """Short linear warm-up, then a cosine decay to a tenth of the peak."""
    warmup = max(1, total_steps // 20)

    def factor(done: int) -> float:
        step = done + 1
        if step <= warmup:
            return step / warmup
        progress = (step - warmup) / max(1, total_steps - warmup)
        return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress))

    return factor


def train(params: dict, report: Callable[[dict], None], should_stop: Callable[[], bool]) -> dict:
    started = time.perf_counter()
    params = validate(PARAMS, params)
    seed = params["seed"]
    seed_everything(seed)
    device = pick_device()

    text = read_data_text(DATA_FILES[0])
    vocab = CharVocabulary(text)
    train_ids, val_ids = split_corpus(torch.tensor(vocab.encode(text), dtype=torch.long))
    shape = [params[key] for key in ("n_layer", "n_head", "n_embd", "block_size", "dropout")]
    model = TinyGPT(len(vocab), *shape).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=params["learning_rate"], weight_decay=0.01)
    total_steps = params["steps"]
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, learning_rate_factor(total_steps))
    batch_rng = torch.Generator().manual_seed(seed)
    eval_every = max(1, total_steps // EVALUATIONS)
    chars_per_step = params["batch_size"] * params["block_size"]
    report({"step": 0, "total_steps": total_steps, "epoch": 0, "device": str(device), "metrics": {}})

    metrics: dict[str, float] = {}
    history: list[dict] = []
    step = 0

    def poll() -> None:
        check_stop(should_stop, step)

    for step in range(1, total_steps + 1):
        check_stop(should_stop, step - 1)
        x, y = get_batch(train_ids, params["batch_size"], params["block_size"], batch_rng)
        logits = model(x.to(device))
        loss = F.cross_entropy(logits.flatten(0, 1), y.to(device).flatten())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        event = {
            "step": step,
            "total_steps": total_steps,
            # how many times the training text has been covered, counted from 1
            "epoch": 1 + (step - 1) * chars_per_step // len(train_ids),
            "loss": loss.item(),
            "metrics": {},
        }
        if step % eval_every == 0 or step == total_steps:
            train_loss, _ = estimate(model, train_ids, params, seed + 1, device)
            val_loss, val_accuracy = estimate(model, val_ids, params, seed + 2, device)
            metrics = {"train_loss": train_loss, "val_loss": val_loss, "val_accuracy": val_accuracy}
            history.append({"step": step, **metrics})
            poll()
            event["metrics"] = metrics
            event["sample"] = sample(
                model, vocab, PROMPTS[0], params["temperature"], seed + step, device, poll
            )
        report(event)

    samples = []
    for number, prompt in enumerate(PROMPTS):
        poll()
        samples.append(sample(model, vocab, prompt, params["temperature"], seed + number, device, poll, 300))
    return {
        "device": str(device),
        "metrics": metrics,
        "results": {
            "samples": samples,
            "prompts": list(PROMPTS),
            "vocabulary": "".join(vocab.chars),
            "history": history,
            "parameters": sum(w.numel() for w in model.parameters()),
            "train_characters": len(train_ids),
            "val_characters": len(val_ids),
        },
        "seconds": time.perf_counter() - started,
    }


def describe_results(results: dict) -> list[str]:
    """Lines for the command line: the final samples."""
    lines = []
    for text in results["samples"]:
        lines += ["---", text]
    return lines


if __name__ == "__main__":
    sys.exit(run_cli(sys.modules[__name__]))
