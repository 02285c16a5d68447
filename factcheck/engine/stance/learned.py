"""The ``learned`` analyzer: the rules' and the encoder's signals, combined by a fitted model.

Per passage it reads as ``meaning`` does, and more: the rules' stance stands; a passage the rules
left neutral for want of shared words but that the encoder puts at the meaning threshold or above
supports ("says the same in other words (similarity 0.83)") unless a precise check objects, and
*refutes* when the check is one that contradicts (another figure or year, a negation, a denial,
an opposite of the claim's verb: :func:`~factcheck.engine.stance.signals.precise_checks`). A
passage the rules read as support refutes when it gives the claim's figure to another count
("141 countries voted against" where the passage has 141 backing and seven against): the rules
align words, not which figure goes with which words.

Per claim (or per part of a claim) a :class:`Combiner`, a multinomial logistic regression over
the features of :mod:`factcheck.engine.stance.signals`, gives the probability of each of the four
verdicts; the most probable is the verdict and its probability the confidence, so the confidence
is fitted with the verdict rather than curved onto it afterwards. The excerpts and the
explanation are the usual aggregation's (:func:`factcheck.engine.verdict.decide`) when it agrees;
when the combiner overrules it, the passages behind its answer are shown with why (the rule that
fired, or the similarity). Serving is numpy only: the coefficients ship as ``learned.json``
beside this file, fitted by ``factcheck model fit-combiner`` (numpy too), cross-validated by claim
set in ``tests/benchmarks/fit_combiner.py``.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from factcheck.engine.calibration import Calibration
from factcheck.engine.claim_analysis import Claim
from factcheck.engine.evidence import Evidence
from factcheck.engine.stance.base import NEUTRAL, REFUTES, SUPPORTS, Reason, Stance
from factcheck.engine.stance.meaning import MeaningParameters, MeaningStanceAnalyzer
from factcheck.engine.stance.rules import RuleStanceAnalyzer
from factcheck.engine.stance.signals import (
    ALIGNED_SIMILARITY,
    CHECK_CODES,
    FEATURES,
    MIN_STANCE_SCORE,
    PassageSignal,
    claim_features,
    coverage,
    names_missing,
    precise_checks,
)
from factcheck.engine.verdict import (
    CONFLICTING,
    NOT_ENOUGH_EVIDENCE,
    REFUTED,
    SUPPORTED,
    VERDICTS,
    Assessment,
    Verdict,
    VerdictLabel,
    decide,
)
from factcheck.language.text_analysis import analyse

MODEL_PATH = Path(__file__).with_name("learned.json")
CEILING = 0.97  # no confidence above this, as for the other analyzers
# A refutation read by meaning (a precise check on a paraphrase) weighs this much of the
# support the same similarity would give: the passage's words were not aligned, only its meaning.
MEANING_REFUTE_FACTOR = 0.9
CHECK_TEXTS = {
    "negation": "negates what the claim says, in other words",
    "denial": "denies it, in other words",
    "figures": "gives another figure, in other words",
    "years": "gives another year, in other words",
    "opposite": "says the opposite, in other words",
    "actor": "names another actor, in other words",
    "swap": "names another of the same kind, in other words",
    "bound_elsewhere": "gives the claim's figure to another count",
}
REFUTING_CHECKS = frozenset(
    {"negation", "denial", "figures", "years", "opposite", "bound_elsewhere"}
)
# Checks that keep a passage close in meaning from supporting (signals.SIGNAL_CHECKS only inform
# the combiner and change no passage's stance).
OBJECTING = frozenset(CHECK_CODES) - {"swap"}
NOVELTY_RIDGE = 0.1  # added to the covariance's diagonal: features that never vary stay harmless
NOVELTY_FROM_PERCENTILE = 95  # confidence starts to fall beyond this share of the fitting rows
PROMOTED = 3  # passages shown for an answer the aggregation did not reach by itself


@dataclass(frozen=True)
class Combiner:
    """A multinomial logistic regression from the claim features to the four verdicts."""

    features: tuple[str, ...]
    classes: tuple[str, ...]
    mean: np.ndarray  # standardisation of each feature
    scale: np.ndarray
    coef: np.ndarray  # [classes, features]
    intercept: np.ndarray  # [classes]
    fitted_on: str = ""
    figures: dict[str, Any] = field(default_factory=dict)  # what the fit reported, for readers
    # How unlike the fitting rows a row is (:meth:`novelty`): the inverse covariance of the
    # standardised fitting rows, and the distances between which confidence falls to chance.
    novelty_inverse: np.ndarray | None = None
    novelty_from: float = 0.0
    novelty_to: float = 0.0
    # Temperatures fitted on held-out predictions (combiner_fit.fit_groups): the logits of a
    # general claim (no named actor, no figure) are divided by the first, the others' by the
    # second. They change the confidence, never the verdict.
    temperatures: tuple[float, float] = (1.0, 1.0)
    # The combiner overrules the usual aggregation's verdict only at this probability or above
    # (:meth:`verdict`); 0 lets it always decide.
    override_at: float = 0.0

    def logits(self, x: np.ndarray) -> np.ndarray:
        """The classes' logits for feature rows ``x``, before the temperatures."""
        rows = np.atleast_2d(np.asarray(x, dtype=np.float64))
        return ((rows - self.mean) / self.scale) @ self.coef.T + self.intercept

    def verdict(self, x: np.ndarray, usual: str | None = None) -> tuple[str, float]:
        """The verdict for one feature row, and the confidence in it.

        The verdict is the most probable class; but when ``usual`` (the verdict the usual
        aggregation of the passages' stances reached) is given and differs, the combiner
        overrules it only if its own class is at least ``override_at`` probable, else the
        verdict stays ``usual``. The confidence is the verdict's probability, lowered towards
        chance (1 / the number of classes) as the row lies farther from the rows the combiner
        was fitted on: between ``novelty_from`` (a distance most fitting rows are within) and
        ``novelty_to`` (the farthest fitting row) it falls linearly, beyond it it is chance. A
        claim and passages unlike anything fitted on are where the fitted probabilities mean
        least.

        One verdict is never overruled: ``conflicting`` reached because a passage reports an
        accusation that its subject denies. The label definitions make that conflicting, so
        the combiner only gives the confidence.
        """
        p = self.probabilities(x)[0]
        best = int(np.argmax(p))
        row = np.atleast_2d(np.asarray(x, dtype=np.float64))[0]
        disputed = usual == CONFLICTING and row[DISPUTED_COLUMN] > 0.5
        overruled = usual is not None and self.classes[best] != usual
        if overruled and (disputed or p[best] < self.override_at):
            best = self.classes.index(str(usual))
        chance = 1.0 / len(self.classes)
        share = 0.0
        if self.novelty_inverse is not None and self.novelty_to > self.novelty_from:
            distance = float(self.novelty(x)[0])
            share = (distance - self.novelty_from) / (self.novelty_to - self.novelty_from)
            share = min(1.0, max(0.0, share))
        confidence = (1.0 - share) * float(p[best]) + share * chance
        return self.classes[best], round(min(confidence, CEILING), 2)

    def novelty(self, x: np.ndarray) -> np.ndarray:
        """Each row's distance from the fitting rows: Mahalanobis over the standardised
        features, divided by the root of their number (about 0.7 for a typical fitting row)."""
        if self.novelty_inverse is None:
            return np.zeros(len(np.atleast_2d(x)))
        z = (np.atleast_2d(np.asarray(x, dtype=np.float64)) - self.mean) / self.scale
        squared = np.einsum("ij,jk,ik->i", z, self.novelty_inverse, z) / z.shape[1]
        return np.sqrt(np.maximum(squared, 0.0))

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """The probability of each class (``classes`` order) for feature rows ``x``."""
        rows = np.atleast_2d(np.asarray(x, dtype=np.float64))
        general = rows[:, GENERAL_COLUMN] > 0.5
        temperature = np.where(general, self.temperatures[0], self.temperatures[1])
        return softmax(self.logits(rows) / temperature[:, None])

    def as_dict(self) -> dict[str, Any]:
        """The JSON-ready form :meth:`from_dict` reads back."""
        return {
            "features": list(self.features),
            "classes": list(self.classes),
            "mean": [round(float(v), 6) for v in self.mean],
            "scale": [round(float(v), 6) for v in self.scale],
            "coef": [[round(float(v), 6) for v in row] for row in self.coef],
            "intercept": [round(float(v), 6) for v in self.intercept],
            "fitted_on": self.fitted_on,
            "figures": self.figures,
            "temperatures": {"general": self.temperatures[0], "named": self.temperatures[1]},
            "override_at": self.override_at,
            "novelty": None
            if self.novelty_inverse is None
            else {
                "from": round(self.novelty_from, 4),
                "to": round(self.novelty_to, 4),
                "inverse": [[round(float(v), 5) for v in row] for row in self.novelty_inverse],
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Combiner:
        """A combiner from its JSON form; its features must be :data:`FEATURES`, its classes
        the four verdicts."""
        features = tuple(data["features"])
        if features != FEATURES:
            unknown = sorted(set(features) ^ set(FEATURES))
            raise ValueError(f"the combiner's features are not this version's: {unknown}")
        classes = tuple(data["classes"])
        if sorted(classes) != sorted(VERDICTS):
            raise ValueError(f"the combiner's classes are not the four verdicts: {classes}")
        combiner = cls(
            features=features,
            classes=classes,
            mean=np.asarray(data["mean"], dtype=np.float64),
            scale=np.asarray(data["scale"], dtype=np.float64),
            coef=np.asarray(data["coef"], dtype=np.float64),
            intercept=np.asarray(data["intercept"], dtype=np.float64),
            fitted_on=data.get("fitted_on", ""),
            figures=data.get("figures", {}),
        )
        temperatures = data.get("temperatures") or {"general": 1.0, "named": 1.0}
        combiner = replace(
            combiner,
            temperatures=(float(temperatures["general"]), float(temperatures["named"])),
            override_at=float(data.get("override_at", 0.0)),
        )
        novelty = data.get("novelty")
        if novelty:
            combiner = replace(
                combiner,
                novelty_inverse=np.asarray(novelty["inverse"], dtype=np.float64),
                novelty_from=float(novelty["from"]),
                novelty_to=float(novelty["to"]),
            )
        shape = (len(classes), len(features))
        if combiner.coef.shape != shape or combiner.mean.shape != (len(features),):
            raise ValueError(f"the combiner's coefficients are not of shape {shape}")
        return combiner

    def write(self, path: Path) -> None:
        """Save as JSON, in the form the package ships."""
        path.write_text(json.dumps(self.as_dict(), indent=1) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> Combiner:
        """Read a combiner written by :meth:`write`."""
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))


GENERAL_COLUMN = FEATURES.index("general_claim")
DISPUTED_COLUMN = FEATURES.index("disputed")  # an accusation met by a denial (signals.py)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    weights = np.exp(shifted)
    return weights / weights.sum(axis=1, keepdims=True)


@cache
def load_combiner(path: Path = MODEL_PATH) -> Combiner:
    """The shipped combiner, read once per process."""
    return Combiner.read(path)


def fit_combiner(
    x: np.ndarray,
    y: Sequence[str],
    *,
    weights: np.ndarray | None = None,
    l2: float = 1.0,
    steps: int = 4000,
    fitted_on: str = "",
) -> Combiner:
    """Fit a :class:`Combiner` to feature rows ``x`` labelled ``y`` (numpy only, deterministic).

    Full-batch gradient descent with momentum on the weighted mean cross-entropy plus
    ``l2``/n times half the squared coefficients (not the intercepts); features are standardised
    first. The problem is convex, so the answer does not depend on a seed.
    """
    x = np.asarray(x, dtype=np.float64)
    classes = VERDICTS
    target = np.zeros((len(y), len(classes)))
    for row, label in enumerate(y):
        target[row, classes.index(label)] = 1.0
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=np.float64)
    w = w / w.sum()
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    z = (x - mean) / scale
    coef = np.zeros((len(classes), x.shape[1]))
    intercept = np.log((target * w[:, None]).sum(axis=0) + 1e-3)
    velocity_c, velocity_i = np.zeros_like(coef), np.zeros_like(intercept)
    penalty = l2 / len(y)
    rate, momentum = 0.5, 0.9
    # Novelty (Combiner.verdict): distances of the fitting rows themselves set the scale.
    covariance = np.cov(z.T, aweights=w) + NOVELTY_RIDGE * np.eye(z.shape[1])
    inverse = np.linalg.inv(covariance)
    distances = np.sqrt(np.einsum("ij,jk,ik->i", z, inverse, z) / z.shape[1])
    for _ in range(steps):
        logits = z @ coef.T + intercept
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        error = (p - target) * w[:, None]
        grad_c = error.T @ z + penalty * coef
        grad_i = error.sum(axis=0)
        velocity_c = momentum * velocity_c - rate * grad_c
        velocity_i = momentum * velocity_i - rate * grad_i
        coef += velocity_c
        intercept += velocity_i
    return Combiner(
        FEATURES,
        classes,
        mean,
        scale,
        coef,
        intercept,
        fitted_on=fitted_on,
        novelty_inverse=inverse,
        novelty_from=float(np.percentile(distances, NOVELTY_FROM_PERCENTILE)),
        novelty_to=float(distances.max()),
    )


class LearnedStanceAnalyzer:
    """Stances as ``meaning`` reads them plus refutations in other words; the verdict and its
    confidence from the :class:`Combiner`."""

    name = "learned"

    def __init__(
        self,
        combiner: Combiner | None = None,
        *,
        rules: RuleStanceAnalyzer | None = None,
        parameters: MeaningParameters | None = None,
        encoder: Any = None,
    ) -> None:
        self.combiner = combiner or load_combiner()
        self._rules = rules or RuleStanceAnalyzer()
        self._meaning = MeaningStanceAnalyzer(parameters, rules=self._rules, encoder=encoder)
        # The signals of the last few claims, for decide() right after assess_many().
        self._recent: OrderedDict[tuple[str, tuple[str, ...]], list[PassageSignal]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def calibration(self) -> Calibration:
        """The rules' calibration: the interface asks for one, but this analyzer's confidence is
        the combiner's probability (:meth:`decide`), not a curve over the verdict's scores."""
        return self._rules.calibration

    def assess(self, claim: Claim, evidence: Evidence) -> Stance:
        """Judge one passage (one batch of one)."""
        return self.assess_many(claim, [evidence])[0]

    def assess_many(self, claim: Claim, evidences: Sequence[Evidence]) -> list[Stance]:
        """Each passage's stance (see the module docstring)."""
        return [signal.stance for signal in self.signals(claim, evidences)]

    def signals(self, claim: Claim, evidences: Sequence[Evidence]) -> list[PassageSignal]:
        """What the combiner reads of each passage, its stance included."""
        rules = self._rules.assess_many(claim, evidences)
        sims = self._meaning.similarities(claim, evidences) if evidences else []
        found: list[PassageSignal] = []
        for rank, (evidence, stance, sim) in enumerate(zip(evidences, rules, sims, strict=True)):
            passage = analyse(evidence.text)
            checks: tuple[str, ...] = ()
            final = stance
            named = "subject_missing" not in stance.codes
            if stance.label == NEUTRAL and sim >= ALIGNED_SIMILARITY:
                checks = precise_checks(claim, passage, subject_named=named)
                final = self._reread(stance, sim, checks, named)
            elif stance.label == SUPPORTS and stance.score >= MIN_STANCE_SCORE:
                checks = precise_checks(claim, passage, subject_named=named)
                if "bound_elsewhere" in checks:
                    # The words are there, but the figure counts something else: the rules'
                    # alignment cannot see which figure goes with which words.
                    final = replace(
                        stance,
                        label=REFUTES,
                        score=round(stance.score * MEANING_REFUTE_FACTOR, 3),
                        reasons=(
                            Reason(CHECK_CODES["bound_elsewhere"], CHECK_TEXTS["bound_elsewhere"]),
                        ),
                    )
            missing = 0.0
            if final.label != NEUTRAL:
                context = analyse(evidence.context) if evidence.context else None
                missing = names_missing(claim, passage, context)
            found.append(
                PassageSignal(
                    similarity=sim,
                    coverage=coverage(claim, passage),
                    rules=stance,
                    stance=final,
                    checks=checks,
                    source_id=evidence.source_id,
                    rank=rank,
                    names_missing=missing,
                )
            )
        with self._lock:
            self._recent[_key(claim, evidences)] = found
            while len(self._recent) > 8:
                self._recent.popitem(last=False)
        return found

    def _reread(
        self, stance: Stance, similarity: float, checks: tuple[str, ...], named: bool
    ) -> Stance:
        """A neutral passage close in meaning: support, refutation in other words, or as it was."""
        threshold = self._meaning._threshold(stance)
        if threshold is None or similarity < threshold:
            return stance
        if not [c for c in checks if c in OBJECTING]:  # as ``meaning``'s objection reads it
            return self._meaning._supports(stance, similarity, threshold)
        refuting = [c for c in checks if c in REFUTING_CHECKS]
        if not named or not refuting:
            return stance
        strength = self._meaning.parameters.strength(similarity, threshold)
        reasons = tuple(
            Reason(CHECK_CODES[c], f"{CHECK_TEXTS[c]} (similarity {similarity:.2f})")
            for c in refuting
        )
        return replace(
            stance,
            label=REFUTES,
            score=round(strength * MEANING_REFUTE_FACTOR, 3),
            reasons=reasons,
            relevance=max(stance.relevance, round(similarity, 3)),
        )

    def features(self, claim: Claim, signals: Sequence[PassageSignal]) -> np.ndarray:
        """The combiner's input for ``claim``."""
        return claim_features(claim, signals)

    def decide(self, claim: Claim, assessments: list[Assessment]) -> Verdict:
        """The verdict and its confidence from the combiner; excerpts and explanation from the
        usual aggregation when it agrees, else the passages behind the combiner's answer."""
        evidences = [a.evidence for a in assessments]
        with self._lock:
            signals = self._recent.get(_key(claim, evidences))
        if signals is None:
            signals = self.signals(claim, evidences)
        base = decide(assessments, may_lean=claim.may_lean, calibration=self.calibration)
        best, confidence = self.combiner.verdict(self.features(claim, signals), base.label)
        label: VerdictLabel = best  # type: ignore[assignment]
        return overruled(base, label, confidence, assessments, signals)


def overruled(
    base: Verdict,
    label: VerdictLabel,
    confidence: float,
    assessments: list[Assessment],
    signals: Sequence[PassageSignal],
) -> Verdict:
    """The combiner's ``label`` and ``confidence`` over the aggregation's ``base`` verdict."""
    if label == base.label:
        return replace(base, confidence=confidence)
    if label == NOT_ENOUGH_EVIDENCE:
        return Verdict(
            label,
            confidence,
            "What the sources say does not settle the claim, weighing every signal (stances, "
            f"closeness in meaning, words in common). Taken alone: {base.explanation}",
            closest=base.closest,
            scores=base.scores,
        )
    supporting = base.supporting
    conflicting = base.conflicting
    if label in (SUPPORTED, CONFLICTING) and not supporting:
        supporting = _promoted(assessments, signals, SUPPORTS)
    if label in (REFUTED, CONFLICTING) and not conflicting:
        conflicting = _promoted(assessments, signals, REFUTES)
    words = {SUPPORTED: "supported", REFUTED: "refuted", CONFLICTING: "disputed"}[label]
    shown = supporting if label == SUPPORTED else conflicting if label == REFUTED else ()
    cited = ", ".join(
        dict.fromkeys(a.evidence.publisher or a.evidence.source_title for a in shown[:3])
    )
    explanation = (
        f"Weighing every signal (stances, closeness in meaning, words in common), the claim "
        f"reads as {words}" + (f" ({cited})" if cited else "") + ". Read the excerpts: no rule "
        f"settled it alone. Taken alone: {base.explanation}"
    )
    return Verdict(
        label,
        confidence,
        explanation,
        supporting=tuple(supporting),
        conflicting=tuple(conflicting),
        closest=base.closest,
        scores=base.scores,
    )


def _promoted(
    assessments: list[Assessment], signals: Sequence[PassageSignal], side: str
) -> tuple[Assessment, ...]:
    """The passages behind an answer the aggregation did not reach: the closest in meaning that
    do not take the other side (for a refutation, those a precise check objects to first)."""
    other = REFUTES if side == SUPPORTS else SUPPORTS
    order = sorted(
        range(len(signals)),
        key=lambda i: (
            side == REFUTES and not (set(signals[i].checks) & REFUTING_CHECKS),
            -signals[i].similarity,
        ),
    )
    chosen: list[Assessment] = []
    for i in order:
        signal, assessment = signals[i], assessments[i]
        if signal.stance.label == other or signal.similarity < ALIGNED_SIMILARITY:
            continue
        checks = [c for c in signal.checks if c in REFUTING_CHECKS]
        if side == SUPPORTS and checks:
            continue  # a precise check objects to reading it as support
        if side == REFUTES and checks:
            reasons = tuple(
                Reason(CHECK_CODES[c], f"{CHECK_TEXTS[c]} (similarity {signal.similarity:.2f})")
                for c in checks
            )
        elif side == SUPPORTS:
            reasons = (
                Reason(
                    "says_the_same_in_other_words",
                    f"close in meaning (similarity {signal.similarity:.2f})",
                ),
            )
        else:
            reasons = (
                Reason("too_little_in_common", f"closest in meaning ({signal.similarity:.2f})"),
            )
        stance = replace(
            signal.stance,
            label=side,  # type: ignore[arg-type]
            score=round(signal.similarity * 0.5, 3),
            reasons=reasons,
        )
        chosen.append(Assessment(assessment.evidence, stance))
        if len(chosen) == PROMOTED:
            break
    return tuple(chosen)


def _key(claim: Claim, evidences: Sequence[Evidence]) -> tuple[str, tuple[str, ...]]:
    return claim.text, tuple(e.passage_id for e in evidences)


__all__ = [
    "Combiner",
    "LearnedStanceAnalyzer",
    "fit_combiner",
    "load_combiner",
    "MODEL_PATH",
]
