"""The sentence encoder: loads from the packages, matches the float model, ranks meaning."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from factcheck.language import encoder as encoder_module
from factcheck.language.encoder import DIMENSIONS, get_encoder

# Cosines between 8 sentences from the float32 sentence-transformers model (the reference);
# the int8 model stays within PARITY_TOLERANCE of every one (measured: 0.0073 at most).
PARITY = Path(__file__).parent / "fixtures" / "minilm-parity.json"
PARITY_TOLERANCE = 0.02


@pytest.fixture(scope="module")
def encoder() -> encoder_module.Encoder:
    return get_encoder()


def test_importing_loads_no_model() -> None:
    """The model loads on first use, not at import (``factcheck --help`` stays fast)."""
    import subprocess
    import sys

    code = (
        "import sys, factcheck.language.encoder as e; "
        "assert e._encoder is None; assert 'onnxruntime' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_vectors_are_unit_float32(encoder: encoder_module.Encoder) -> None:
    vectors = encoder.encode(["Iran supplied drones to Russia", "", "a " * 400])
    assert vectors.shape == (3, DIMENSIONS)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_no_texts_give_an_empty_array(encoder: encoder_module.Encoder) -> None:
    assert encoder.encode([]).shape == (0, DIMENSIONS)


def test_batches_do_not_change_vectors(encoder: encoder_module.Encoder) -> None:
    """Padding a short sentence to a long one's length leaves its vector as it was."""
    texts = ["Sea levels are rising", "Kyiv lies about 150 km from the Belarusian border " * 3]
    together = encoder.encode(texts)
    apart = np.vstack([encoder.encode_one(text) for text in texts])
    assert np.allclose(together, apart, atol=1e-4)


def test_parity_with_the_float_model(encoder: encoder_module.Encoder) -> None:
    reference = json.loads(PARITY.read_text())
    vectors = encoder.encode(reference["sentences"])
    cosines = vectors @ vectors.T
    assert np.abs(cosines - np.array(reference["cosines"])).max() < PARITY_TOLERANCE


def test_a_paraphrase_ranks_above_an_unrelated_sentence(encoder: encoder_module.Encoder) -> None:
    claim, paraphrase, unrelated = encoder.encode(
        [
            "Iran supplied drones to Russia",
            "Tehran sold unmanned aircraft to Moscow",
            "Iran's football team won the match against Russia",
        ]
    )
    assert claim @ paraphrase > claim @ unrelated + 0.1


def test_the_encoder_is_loaded_once() -> None:
    assert get_encoder() is get_encoder()
