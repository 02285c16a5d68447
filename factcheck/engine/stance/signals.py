"""Signals: what the ``learned`` analyzer's combiner reads about a claim and its candidates.

Each candidate passage yields a :class:`PassageSignal`: its cosine similarity with the claim (the
stored vectors dense retrieval already has), how much of the claim's content words it carries,
the rules' stance and reasons, its rank in the retrieved list, and the *precise checks* applied
to it even where the rules' word alignment gave up (:func:`precise_checks`): a passage that the
encoder aligns with the claim but that gives another figure or year, negates or denies it, uses
an opposite of its verb or names another actor is the likeliest refutation in other words, and
such a passage is *more* similar to the claim, not less. One of them reads a figure with what
it counts: the passage binds the claim's figure to another count than the claim does ("141
countries voted against" where the passage has 141 backing it and seven against). Two only
inform the combiner (:data:`SIGNAL_CHECKS`): the claim's actor in another role (the passage's
subject of the same verb is another actor, the claim's actor stands after it) and a direction
word other than the verb reversed.

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
from factcheck.language import grammar
from factcheck.language.entities import Entity
from factcheck.language.numbers import Quantity
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
    "bound_elsewhere": "different_number",
}
# Checks that only inform the combiner (no reason code of their own, no stance changed): the
# claim's actor in another role, a direction word reversed outside the main verb.
SIGNAL_CHECKS: tuple[str, ...] = ("role", "reversed")
CHECKS = (*CHECK_CODES, *SIGNAL_CHECKS)
# Which tokens count with a figure: the claim's up to this many after it ("141 countries voted
# against"), the passage's this many before and after, never across another figure or a
# sentence's end.
FIGURE_AFTER = 4
FIGURE_BEFORE = 3
PASSAGE_FIGURE_AFTER = 6
ACTOR_KINDS = frozenset({"country", "leader", "organisation"})
ROLE_REACH = 3  # words between an actor and the verb it is the subject of ("Iran has")
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
    if _bound_elsewhere(claim, passage):
        found.append("bound_elsewhere")
    if _other_role(claim, passage):
        found.append("role")
    if _reversed(claim, passage):
        found.append("reversed")
    return tuple(found)


def _figure_words(
    analysis: TextAnalysis,
    figure: Quantity,
    before: int,
    after: int,
    stops: frozenset[int],
) -> frozenset[str]:
    """What the figure counts: the concepts of the content words around it (``before`` and
    ``after`` tokens, never across another figure or a sentence's end), leaving out the noun it
    is a number of ("countries"; a passage often leaves it unsaid) and phrase concepts made with
    the word before."""
    words: set[str] = set()
    tokens = analysis.tokens
    for step, reach in ((-1, before), (1, after)):
        i = figure.index + step
        while 0 <= i < len(tokens) and abs(i - figure.index) <= reach:
            token = tokens[i]
            if i in stops or token.text in (".", ";", "?", "!"):
                break
            if token.content and token.lemma != figure.unit:
                previous = tokens[i - 1].lower if i > 0 else ""
                words |= {
                    c
                    for c in token.concepts
                    if c == token.lemma or not (previous and c.startswith(previous))
                }
            i += step
    return frozenset(words)


def _bound_elsewhere(claim: Claim, passage: TextAnalysis) -> bool:
    """The passage states the claim's figure, but what the claim says it counts (the words after
    it: "141 *countries voted against*") stands more with another figure there than with this
    one ("backed by 141 countries …, and seven voted against"), or the passage says the opposite
    of it with this very figure ("141 voted in favour")."""
    said = claim.analysis
    claim_stops = frozenset(q.index for q in said.quantities)
    passage_stops = frozenset(q.index for q in passage.quantities)

    def near(p: Quantity) -> frozenset[str]:
        stops = passage_stops - {p.index}
        return _figure_words(passage, p, FIGURE_BEFORE, PASSAGE_FIGURE_AFTER, stops)

    for q in said.quantities:
        counted = _figure_words(said, q, 0, FIGURE_AFTER, claim_stops - {q.index})
        same = [p for p in passage.quantities if p.same_value(q)]
        if not counted or not same:
            continue
        with_same = frozenset().union(*(near(p) for p in same))
        contrary = frozenset().union(*(opposites(c) for c in counted))
        if with_same & contrary and not counted & with_same:
            return True
        for p in passage.quantities:
            if not p.same_value(q) and len(counted & near(p)) > len(counted & with_same):
                return True
    return False


def _keys(entities: Sequence[Entity]) -> frozenset[str]:
    """Entity keys, a leader also standing for the country."""
    keys: set[str] = set()
    for e in entities:
        keys.add(e.key)
        if e.country:
            keys.add(e.country)
    return frozenset(keys)


def _passive(analysis: TextAnalysis, index: int) -> bool:
    tokens = analysis.tokens
    before = tokens[index - 1].lemma if index > 0 else ""
    after = tokens[index + 1].lower if index + 1 < len(tokens) else ""
    return before == "be" or after == "by"


def _other_role(claim: Claim, passage: TextAnalysis) -> bool:
    """The passage uses the claim's verb (the same lemma) with another actor as its subject, and
    names the claim's own actor after it (in another role): "Iran supplied drones to Russia" for
    "Russia supplied drones to Iran"."""
    said = claim.analysis
    verb = claim.verb_index
    if verb is None or verb >= len(said.tokens) or _passive(said, verb):
        return False
    actor = _actor_before(said, verb)
    if actor is None:
        return False
    subject = _keys([actor])
    lemma = said.tokens[verb].lemma
    verdicts: list[bool] = []
    for k, token in enumerate(passage.tokens):
        if token.lemma != lemma or _passive(passage, k):
            continue
        other = _actor_before(passage, k)
        if other is None:
            continue
        after = _keys([e for e in passage.entities if e.start > k])
        verdicts.append(not (_keys([other]) & subject) and bool(after & subject))
    return bool(verdicts) and all(verdicts)


def _actor_before(analysis: TextAnalysis, index: int) -> Entity | None:
    """The subject of the verb at ``index`` when it is an actor: the entity right before it, or
    with only auxiliaries and adverbs between ("Iran has already supplied"); not a possessive
    ("Putin's army")."""
    tokens = analysis.tokens
    for e in analysis.entities:
        if e.end > index or index - e.end > ROLE_REACH:
            continue
        between = tokens[e.end : index]
        if all(t.lower in grammar.auxiliaries() or t.lower.endswith("ly") for t in between):
            return e if e.kind in ACTOR_KINDS else None
    return None


def _reversed(claim: Claim, passage: TextAnalysis) -> bool:
    """A content word of the claim other than its verb ("an *increase* in exports") whose
    opposite the passage uses, not negated, while it does not use the word itself."""
    said = claim.analysis
    present = passage.concepts
    for i, token in enumerate(said.tokens):
        if not token.content or i == claim.verb_index or not token.concepts:
            continue
        if token.concepts & present:
            continue
        contrary = frozenset().union(*(opposites(c) for c in token.concepts))
        if contrary and any(
            t.content and k not in passage.negated and t.concepts & contrary
            for k, t in enumerate(passage.tokens)
        ):
            return True
    return False


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
