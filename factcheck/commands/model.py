"""``factcheck model``: the ``learned`` analyzer's combiner, its data and its fit.

``factcheck model features CLAIMS.jsonl... --out-dir DIR`` reads each labelled claims file
against the configured corpus and writes ``DIR/<name>.features.jsonl`` (one claim set, one file:
one group of the cross-validation). ``factcheck model fit-combiner FILE... --out learned.json``
fits the combiner on features files (and on claims files, read against the configured corpus
first) and writes its coefficients. ``factcheck model train`` trains the stance cross-encoder
(the ``train`` extra) and writes it as int8 ONNX beside its model card.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click
import numpy as np
from flask import current_app
from flask.cli import with_appcontext

from factcheck.commands.index import embed_now
from factcheck.engine.evaluation import ExampleError, load_examples
from factcheck.extensions import get_search_index, get_vector_store

if TYPE_CHECKING:
    from factcheck.engine.stance.learned import Combiner

FEATURES_SUFFIX = ".features.jsonl"


@click.group("model")
def model_group() -> None:
    """Extract the learned analyzer's features and fit its combiner."""


def _extract(path: Path, out: Path) -> int:
    """Features of the claims in ``path``, read against the app's corpus, written to ``out``."""
    from factcheck.engine.stance.combiner_data import extract, write_records
    from factcheck.engine.stance.learned import LearnedStanceAnalyzer

    try:
        examples = load_examples(path)
    except ExampleError as error:
        raise click.ClickException(str(error)) from error
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    index = get_search_index(app)
    vectors = get_vector_store(app)
    if vectors is not None:
        embed_now(index)
    # The combiner is not read: features do not depend on it (an empty one stands in).
    analyzer = LearnedStanceAnalyzer(combiner=_placeholder())
    _, searcher = index.versioned_searcher()
    records = extract(examples, searcher, vectors=vectors, analyzer=analyzer)
    return write_records(records, out)


def _placeholder() -> Combiner:
    """A combiner of zeros: extraction needs an analyzer, not its verdicts."""
    from factcheck.engine.stance.learned import Combiner
    from factcheck.engine.stance.signals import FEATURES
    from factcheck.engine.verdict import VERDICTS

    width = len(FEATURES)
    zeros = np.zeros((len(VERDICTS), width))
    return Combiner(FEATURES, VERDICTS, np.zeros(width), np.ones(width), zeros, np.zeros(4))


@model_group.command("features")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--out-dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory for the <name>.features.jsonl files.",
)
@with_appcontext
def features_command(files: tuple[Path, ...], out_dir: Path) -> None:
    """Write the combiner's features of each labelled claims file, read against the corpus."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in files:
        out = out_dir / (path.stem + FEATURES_SUFFIX)
        count = _extract(path, out)
        click.echo(f"{path}: {count} claims -> {out}")


@model_group.command("fit-combiner")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the coefficients (ship as factcheck/engine/stance/learned.json).",
)
@click.option("--l2", default=None, type=float, help="L2 penalty (default: the fitted one).")
@with_appcontext
def fit_combiner_command(files: tuple[Path, ...], out: Path, l2: float | None) -> None:
    """Fit the learned analyzer's combiner on labelled claims and write its coefficients.

    Each FILE is a features file (``factcheck model features``) or a labelled claims file, read
    against the configured corpus first. Deterministic: the same files give the same numbers.
    """
    import tempfile

    from factcheck.engine.stance.combiner_data import read_records
    from factcheck.engine.stance.combiner_fit import L2, fit_groups

    groups: dict[str, list[dict[str, object]]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        for path in files:
            if path.name.endswith(FEATURES_SUFFIX):
                groups[path.name.removesuffix(FEATURES_SUFFIX)] = read_records(path)
            else:
                features = Path(scratch) / (path.stem + FEATURES_SUFFIX)
                _extract(path, features)
                groups[path.stem] = read_records(features)
    combiner = fit_groups(groups, l2=L2 if l2 is None else l2)
    combiner.write(out)
    click.echo(json.dumps(combiner.figures, indent=1))
    click.echo(f"wrote {out}")


@model_group.command("train")
@click.option(
    "--out-dir",
    default=Path("factcheck/language/data"),
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write stance-cross-encoder.int8.onnx and its training report.",
)
@click.option("--max-pairs", default=5000, show_default=True, help="Pairs to train on, at most.")
@click.option("--epochs", default=1, show_default=True, help="Passes over the pairs.")
@click.option("--seed", default=13, show_default=True, help="Seed of the pairs and the training.")
@click.option(
    "--learning-rate", default=1e-4, show_default=True, help="AdamW's peak learning rate."
)
@click.option(
    "--shared",
    default=Path("../shared"),
    show_default=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The shared folder holding training/ and benchmarks/climate-fever/.",
)
@click.option(
    "--sources",
    default=Path("sources"),
    show_default=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The seed articles the in-domain synthetic pairs are made from.",
)
def train_command(
    out_dir: Path,
    max_pairs: int,
    epochs: int,
    seed: int,
    learning_rate: float,
    shared: Path,
    sources: Path,
) -> None:
    """Train the stance cross-encoder and write it as int8 ONNX (needs the ``train`` extra).

    Deterministic for a seed: the pairs (factcheck/engine/stance/training_pairs.py) and the
    fine-tuning of all-MiniLM-L6-v2 (cross_encoder_training.py) are seeded. Read the model card
    (docs/cross-encoder.md) for the data, their licences and what the model was measured at.
    """
    from factcheck.engine.stance.cross_encoder_training import export, train
    from factcheck.engine.stance.training_pairs import build_pairs, label_counts

    try:
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError as error:
        raise click.ClickException(
            f"{error.name} is missing: pip install -e '.[train]' (see the model card)"
        ) from error

    pairs = build_pairs(
        shared / "training", shared / "benchmarks", sources, max_pairs=max_pairs, seed=seed
    )
    click.echo(f"{len(pairs)} pairs: {json.dumps(label_counts(pairs))}")

    def progress(step: int, total: int, loss: float) -> None:
        if step % 20 == 0 or step == total:
            click.echo(f"step {step}/{total} loss {loss:.4f}", err=True)

    model, report = train(
        pairs, epochs=epochs, seed=seed, learning_rate=learning_rate, progress=progress
    )
    path = export(model, out_dir, report)
    click.echo(f"trained in {report.seconds:.0f} s; wrote {path}")
