"""Signals: what the ``learned`` analyzer's combiner reads about a claim and its candidates.

Each candidate passage yields a :class:`PassageSignal`: its cosine similarity with the claim (the
stored vectors dense retrieval already has), how much of the claim's content words it carries,
the rules' stance and reasons, its rank in the retrieved list, and the *precise checks* applied
to it even where the rules' word alignment gave up (:func:`precise_checks`): a passage that the
encoder aligns with the claim but that gives another figure or year, negates or denies it, uses
an opposite of its verb or names another actor is the likeliest refutation in other words, and
such a passage is *more* similar to the claim, not less.

:func:`claim_features` turns the signals of one claim (or one part of a claim) into the fixed
vector :data:`FEATURES` names, in that order: the combiner's coefficients are fitted against
these names and the file they ship in lists them, so a change here that the file does not match
is caught when it loads. Every feature is domain-general: no word lists of the seed corpus, only
similarity, coverage, the rules' signals, ranks and how many sources lean each way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from factcheck.engine.claim_analysis import Claim
from factcheck.engine.stance.base import NEUTRAL, REFUTES, SUPPORTS, ReasonCode, Stance
from factcheck.language.text_analysis import TextAnalysis, opposites

# A passage at least this close in meaning is "aligned by meaning": its precise checks count as
# signals (the meaning analyzer's own threshold for support is higher, 0.75).
ALIGNED_SIMILARITY = 0.6
MIN_STANCE_SCORE = 0.5  # as the verdict's: weaker stances are not counted

# Precise checks, by kind, and the reason code each stands for when it refutes.
CHECK_CODES: dict[str, ReasonCode] = {
    "negation": "negates",
    "denial": "explicit_denial",
    "figures": "different_number",
    "years": "different_date",
    "opposite": "says_the_opposite",
    "actor": "other_actor",
    "swap": "rival_name",
}
CHECKS = tuple(CHECK_CODES)
# Entity kinds whose swap ("Lukashenko", not "Putin"; "the Mediterranean", not "the Indian
# Ocean") changes what a claim asserts.
SWAPPABLE_KINDS = frozenset({"country", "leader", "organisation", "name"})

# Reason codes of the counted stances, grouped into the indicator features the combiner reads.
CODE_GROUPS: dict[str, frozenset[str]] = {
    "negation": frozenset({"negates", "affirms"}),
    "opposite": frozenset({"says_the_opposite"}),
    "number": frozenset({"different_number"}),
    "date": frozenset({"different_date"}),
    "actor": frozenset({"rival_name", "role_held_by_other", "complete_list"}),
    "denial": frozenset({"explicit_denial", "accusation_denied"}),
    "weakened": frozenset({"hedged", "attributed", "subject_in_previous_sentence"}),
    "paraphrase": frozenset({"says_the_same_in_other_words"}),
}

FEATURES: tuple[str, ...] = (
    # meaning
    "sim_max",
    "sim_top3",
    # words
    "coverage_max",
    "coverage_at_sim_max",
    "relevance_max",
    # the rules' stances, aggregated as the verdict does (noisy-or over sources)
    "rules_support",
    "rules_refute",
    # the learned analyzer's stances (rules + meaning + precise checks on aligned passages)
    "support",
    "refute",
    "support_sources",
    "refute_sources",
    "support_rank",
    "refute_rank",
    # the strongest passage on each side: how close in meaning, how much of the claim's words
    # and of its named things it carries (a changed place or actor leaves one out)
    "support_similarity",
    "support_coverage",
    "support_names_missing",
    "refute_similarity",
    "refute_coverage",
    "refute_names_missing",
    "disputed",
    # reason codes among the counted stances
    *(f"code_{group}" for group in CODE_GROUPS),
    # precise checks on passages aligned by meaning that the rules left neutral
    *(f"aligned_{check}" for check in CHECKS),
    # the same checks on the passages the rules read as support (their gates may have let a
    # changed detail through)
    *(f"supported_{check}" for check in CHECKS),
    "aligned_clean",
    # the claim itself
    "subject_missing_share",
    "general_claim",
    "claim_has_figure",
    "claim_has_year",
    "claim_negated",
)


@dataclass(frozen=True)
class PassageSignal:
    """What the combiner knows of one candidate passage."""

    similarity: float  # cosine with the claim (title and text vectors)
    coverage: float  # share of the claim's content words (lemmas or concepts) it carries
    rules: Stance  # the rules' stance
    stance: Stance  # the learned analyzer's stance (what the reader sees)
    checks: tuple[str, ...]  # precise checks that object, read as if it were aligned
    source_id: str
    rank: int  # 0-based place in the retrieved list (BM25 and dense fused)
    names_missing: float = 0.0  # share of the claim's named things it and its paragraph omit


def precise_checks(claim: Claim, passage: TextAnalysis, *, subject_named: bool) -> tuple[str, ...]:
    """Which of the rules' precise checks object to ``passage`` as a statement of ``claim``.

    The checks read both analyses whole, without the rules' word alignment, so they apply to a
    passage that says the claim in other words: polarity, denial, figures, years, an opposite of
    the claim's main verb and, when the passage does not name the subject, another actor.
    """
    said = claim.analysis
    found: list[str] = []
    if bool(passage.negated) != bool(said.negated):
        found.append("negation")
    if passage.denial and not said.denial:
        found.append("denial")
    shared = any(a.same_value(b) for a in said.quantities for b in passage.quantities)
    if said.quantities and passage.quantities and not shared:
        found.append("figures")
    if said.years and passage.years and not said.years & passage.years:
        found.append("years")
    if claim.verb_index is not None and claim.verb_index < len(said.tokens):
        verb = said.tokens[claim.verb_index]
        contrary = (
            frozenset().union(*(opposites(c) for c in verb.concepts)) if verb.concepts else ()
        )
        if contrary and any(
            token.content and i not in passage.negated and token.concepts & contrary
            for i, token in enumerate(passage.tokens)
        ):
            found.append("opposite")
    if not subject_named:
        actors = {e.key for e in passage.entities if e.kind in ("country", "leader")}
        if actors and not actors & said.entity_keys:
            found.append("actor")
    if _swapped(said, passage):
        found.append("swap")
    return tuple(found)


def _swapped(said: TextAnalysis, passage: TextAnalysis) -> bool:
    """The claim names something the passage does not, where the passage names another of the
    same kind that the claim does not."""
    present = passage.entity_keys
    missing = {e.kind for e in said.entities if e.kind in SWAPPABLE_KINDS and e.key not in present}
    if not missing:
        return False
    claimed = said.entity_keys
    return any(e.kind in missing and e.key not in claimed for e in passage.entities)


def names_missing(claim: Claim, passage: TextAnalysis, context: TextAnalysis | None) -> float:
    """Share of the claim's named things (under any alias) that neither the passage nor its
    paragraph names."""
    wanted = claim.analysis.entity_keys
    if not wanted:
        return 0.0
    present = passage.entity_keys | (context.entity_keys if context is not None else frozenset())
    return len(wanted - present) / len(wanted)


def coverage(claim: Claim, passage: TextAnalysis) -> float:
    """Share of the claim's content words that the passage carries (by lemma or concept)."""
    wanted = [token for token in claim.analysis.tokens if token.content]
    if not wanted:
        return 0.0
    lemmas = {token.lemma for token in passage.tokens if token.content}
    concepts = passage.concepts
    found = sum(1 for token in wanted if token.lemma in lemmas or token.concepts & concepts)
    return found / len(wanted)


def claim_features(claim: Claim, signals: Sequence[PassageSignal]) -> np.ndarray:
    """The feature vector of one claim (or part) and its candidates, in :data:`FEATURES` order."""
    said = claim.analysis
    values: dict[str, float] = dict.fromkeys(FEATURES, 0.0)
    values["general_claim"] = float(claim.may_lean)
    values["claim_has_figure"] = float(bool(claim.quantities or said.quantities))
    values["claim_has_year"] = float(bool(said.years))
    values["claim_negated"] = float(bool(said.negated))
    if not signals:
        return np.array([values[name] for name in FEATURES], dtype=np.float64)
    sims = sorted((s.similarity for s in signals), reverse=True)
    values["sim_max"] = sims[0]
    values["sim_top3"] = float(np.mean(sims[:3]))
    values["coverage_max"] = max(s.coverage for s in signals)
    nearest = max(signals, key=lambda s: s.similarity)
    values["coverage_at_sim_max"] = nearest.coverage
    values["relevance_max"] = max(s.stance.relevance for s in signals)
    values["rules_support"], values["rules_refute"], _, _ = _sides([(s.rules, s) for s in signals])
    support, refute, supporters, refuters = _sides([(s.stance, s) for s in signals])
    values["support"], values["refute"] = support, refute
    values["support_sources"] = float(np.log1p(supporters))
    values["refute_sources"] = float(np.log1p(refuters))
    values["support_rank"] = _best_rank(signals, SUPPORTS)
    values["refute_rank"] = _best_rank(signals, REFUTES)
    for side, label in (("support", SUPPORTS), ("refute", REFUTES)):
        strongest = max(
            (s for s in signals if s.stance.label == label and _counts(s.stance)),
            key=lambda s: s.stance.score,
            default=None,
        )
        if strongest is not None:
            values[f"{side}_similarity"] = strongest.similarity
            values[f"{side}_coverage"] = strongest.coverage
            values[f"{side}_names_missing"] = strongest.names_missing
    counted = [s for s in signals if _counts(s.stance)]
    values["disputed"] = float(any(s.stance.disputed for s in counted))
    for group, codes in CODE_GROUPS.items():
        values[f"code_{group}"] = max(
            (s.stance.score for s in counted if s.stance.codes & codes), default=0.0
        )
    for s in signals:
        if s.rules.label == SUPPORTS and _counts(s.rules):
            for check in s.checks:
                key = f"supported_{check}"
                values[key] = max(values[key], s.rules.score)
        if s.rules.label != NEUTRAL or s.similarity < ALIGNED_SIMILARITY:
            continue
        for check in s.checks:
            key = f"aligned_{check}"
            values[key] = max(values[key], s.similarity)
        if not s.checks:
            values["aligned_clean"] = max(values["aligned_clean"], s.similarity)
    values["subject_missing_share"] = sum(
        1 for s in signals if "subject_missing" in s.rules.codes
    ) / len(signals)
    return np.array([values[name] for name in FEATURES], dtype=np.float64)


def _counts(stance: Stance) -> bool:
    return stance.label in (SUPPORTS, REFUTES) and stance.score >= MIN_STANCE_SCORE


def _sides(
    pairs: Sequence[tuple[Stance, PassageSignal]],
) -> tuple[float, float, int, int]:
    """Noisy-or strength of each side over sources (each source's strongest passage), and how
    many sources are on each side."""
    best: dict[str, dict[str, float]] = {SUPPORTS: {}, REFUTES: {}}
    for stance, signal in pairs:
        if not _counts(stance):
            continue
        side = best[stance.label]
        side[signal.source_id] = max(side.get(signal.source_id, 0.0), stance.score)

    def noisy_or(scores: Sequence[float]) -> float:
        return 1.0 - float(np.prod([1.0 - s for s in scores])) if scores else 0.0

    supports, refutes = best[SUPPORTS], best[REFUTES]
    return (
        noisy_or(list(supports.values())),
        noisy_or(list(refutes.values())),
        len(supports),
        len(refutes),
    )


def _best_rank(signals: Sequence[PassageSignal], label: str) -> float:
    """1 / (1 + rank) of the highest-ranked counted passage with ``label``; 0 when none."""
    ranks = [s.rank for s in signals if s.stance.label == label and _counts(s.stance)]
    return 1.0 / (1 + min(ranks)) if ranks else 0.0
