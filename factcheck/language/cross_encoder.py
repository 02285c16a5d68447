"""Cross-encoder: how a passage bears on a claim, read together — supports, refutes or neither.

Where the sentence encoder (:mod:`factcheck.language.encoder`) embeds claim and passage apart and
compares the vectors, this model reads the pair as one input (a BERT sentence pair) and returns
three probabilities in the order of :data:`LABELS`. It is all-MiniLM-L6-v2 fine-tuned here on
claim/passage pairs (``factcheck model train``; its data, licences and figures are in
``docs/cross-encoder.md``), written as a per-channel int8 ONNX file and run by ``onnxruntime``
on the CPU with the project's WordPiece tokenizer. No torch.

**No model is shipped**: the one trained here did not improve the held-out news claims, so it
did not join the ``learned`` combiner (``docs/cross-encoder.md``). This module reads a model that
``factcheck model train`` wrote, for ``tests/benchmarks/cross_encoder_pairs.py``. Nothing is
loaded at import: :func:`get_cross_encoder` loads the model once per process, on first use;
:func:`available` says whether a model file is there.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

import numpy as np

LABELS = ("supports", "refutes", "neutral")  # the order of score()'s columns
MAX_TOKENS = 128  # claim and passage together; the length the model was trained on
BATCH_SIZE = 8
THREADS = 1  # one thread per call, as the sentence encoder: two cores serve two requests
MODEL_FILE = "stance-cross-encoder.int8.onnx"
TOKENIZER_FILE = "minilm-tokenizer.json"

_lock = threading.Lock()
_cross_encoder: CrossEncoder | None = None


def model_path() -> Path:
    """Where ``factcheck model train`` writes the model file by default (absent until it has)."""
    with as_file(files("factcheck.language") / "data" / MODEL_FILE) as path:
        return Path(path)


def available() -> bool:
    """Whether the model file is there to load."""
    return model_path().is_file()


class CrossEncoder:
    """The stance cross-encoder: a tokenizer and an ONNX session, safe to share between threads."""

    def __init__(
        self, path: Path | None = None, *, max_tokens: int = MAX_TOKENS, threads: int = THREADS
    ) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        with as_file(files("factcheck.language") / "data" / TOKENIZER_FILE) as tokenizer_path:
            self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(max_tokens, strategy="longest_first")
        self._tokenizer.enable_padding()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session: Any = onnxruntime.InferenceSession(
            str(path or model_path()), options, providers=["CPUExecutionProvider"]
        )

    def score(
        self, pairs: Sequence[tuple[str, str]], *, batch_size: int = BATCH_SIZE
    ) -> np.ndarray:
        """Probabilities, shape ``(len(pairs), 3)``, columns in the order of :data:`LABELS`.

        ``pairs`` are (claim, passage). Batches are formed in order of length, so a batch pads
        little; the rows come back in the order of ``pairs``.
        """
        order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
        scores = np.zeros((len(pairs), len(LABELS)), np.float32)
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            scores[rows] = self._score_batch([pairs[i] for i in rows])
        return scores

    def _score_batch(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch([(claim, passage) for claim, passage in pairs])
        inputs = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        logits = self._session.run(None, inputs)[0].astype(np.float64)
        logits -= logits.max(axis=1, keepdims=True)
        exponentials = np.exp(logits)
        return (exponentials / exponentials.sum(axis=1, keepdims=True)).astype(np.float32)


def get_cross_encoder() -> CrossEncoder:
    """This process's cross-encoder, loaded on first use (raises if the file is absent:
    ask :func:`available` first)."""
    global _cross_encoder
    if _cross_encoder is None:
        with _lock:
            if _cross_encoder is None:
                _cross_encoder = CrossEncoder()
    return _cross_encoder


def score(pairs: Sequence[tuple[str, str]]) -> np.ndarray:
    """(claim, passage) pairs' probabilities (n, 3) from this process's cross-encoder."""
    if not pairs:
        return np.zeros((0, len(LABELS)), np.float32)
    return get_cross_encoder().score(pairs)
