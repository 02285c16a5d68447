"""The ``meaning`` analyzer: the rules, plus alignment by meaning where the rules saw too few
of the claim's words.

The rules align a passage with a claim word by word, so a passage that says the same thing in
other words ("Iran supplied drones to Russia" for "Tehran sold unmanned aircraft to Moscow")
comes back neutral. This analyzer runs the rules first and keeps every stance they take; only
where they said *neutral because the passage shares too little of the claim*
(``too_little_in_common``, and, at a stricter threshold, ``subject_missing``: the passage may
name the subject by an alias the rules do not know) does it ask the sentence encoder
(:mod:`factcheck.language.encoder`) how close the passage's meaning is to the claim's. At
:data:`SIMILARITY_THRESHOLD` or above, the passage supports, with the reason "says the same in
other words (similarity 0.83)". A contradiction the rules found is kept as it is: a different
number, date, actor or direction is exactly what similarity cannot see (such sentences are
*more* similar, not less), so the precise checks win. For the same reason a passage is not
re-read as support when the precise checks would object to it (:func:`objection`): it negates
or denies where the claim does not, states figures or years none of which are the claim's, or,
when it does not name the subject, names an actor the claim does not.

Nothing is encoded when dense retrieval is on: the claim's vector comes with the claim (retrieval
embedded it) and each passage's with its evidence (the vector store's, of the source's title and
the passage's text, looked up by content key). Whatever lacks one (dense retrieval off, or a
passage corrected since the last embedding pass) is encoded in one batch per claim, the passage
as the store embeds it (:func:`~factcheck.search.vectors.embedded_text`), so the thresholds
mean the same either way; nothing is kept from one claim to the next. The thresholds and the
strength curve are fitted by ``tests/benchmarks/fit_meaning.py``, cross-validated by claim set;
its calibration is ``engine/calibration/meaning.json``, fitted with ``factcheck eval ...
--fit-calibration``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from factcheck.engine.calibration import Calibration, load_calibration
from factcheck.engine.claim_analysis import Claim
from factcheck.engine.evidence import Evidence
from factcheck.engine.stance.base import NEUTRAL, SUPPORTS, Reason, ReasonCode, Stance
from factcheck.engine.stance.rules import RuleStanceAnalyzer
from factcheck.language.text_analysis import TextAnalysis, analyse
from factcheck.search.vectors import embedded_text

# Fitted by tests/benchmarks/fit_meaning.py (grid search for the most right verdicts,
# cross-validated by claim set on ../shared/claims/dev.jsonl and tests/claims/heldout-1..4.jsonl)
# on the stored title-and-text passage vectors; the folds chose 0.65-0.85, most 0.75; see
# docs/quality.md.
# Cosine at or above which a passage the rules found too far in wording says the same thing.
# Lower, all-MiniLM-L6-v2 rates sentences on the same topic that assert something else (the
# same actors, another act) as close as paraphrases.
SIMILARITY_THRESHOLD = 0.75
# The same for a passage that does not name the claim's subject in words the rules know (an
# alias they lack). A sentence about another actor doing the same thing is as similar as a
# paraphrase, which is why :func:`objection` rejects a passage naming an actor the claim does
# not; with that guard four folds of five chose 0.75 (the fifth turned it off). ``None`` turns
# it off.
SUBJECT_MISSING_THRESHOLD: float | None = 0.75
# Strength of a support by meaning: STRENGTH_AT_THRESHOLD at the threshold, rising by
# STRENGTH_SLOPE per unit of similarity, capped at STRENGTH_CEILING. It starts just above the
# verdict's floor (0.5: weaker stances are not counted; with title-and-text vectors the fit
# preferred 0.65 to 0.5 and 0.55); it stays below the rules' plain
# "says the same" (up to 1.0) because similarity cannot check numbers, dates or actors, so a
# rules contradiction of like relevance outweighs it and the verdict reads "conflicting"
# rather than "supported".
STRENGTH_AT_THRESHOLD = 0.65
STRENGTH_SLOPE = 1.0
STRENGTH_CEILING = 0.85

REREAD_CODES: frozenset[ReasonCode] = frozenset({"too_little_in_common"})
SUBJECT_MISSING: ReasonCode = "subject_missing"


@dataclass(frozen=True)
class MeaningParameters:
    """The fitted numbers, together, so the fitting script can try others."""

    threshold: float = SIMILARITY_THRESHOLD
    subject_missing_threshold: float | None = SUBJECT_MISSING_THRESHOLD
    strength_at_threshold: float = STRENGTH_AT_THRESHOLD
    strength_slope: float = STRENGTH_SLOPE
    strength_ceiling: float = STRENGTH_CEILING

    def strength(self, similarity: float, threshold: float) -> float:
        """How strongly a passage ``similarity`` close to the claim supports it."""
        rise = self.strength_slope * (similarity - threshold)
        return round(min(self.strength_ceiling, self.strength_at_threshold + rise), 3)


class MeaningStanceAnalyzer:
    """The rules' stances, with paraphrases the rules missed read as supporting."""

    name = "meaning"

    def __init__(
        self,
        parameters: MeaningParameters | None = None,
        *,
        rules: Any = None,
        encoder: Any = None,
    ) -> None:
        self.parameters = parameters or MeaningParameters()
        self._rules = rules or RuleStanceAnalyzer()
        self._encoder = encoder  # loaded on first use (get_encoder), shared by the process
        self._calibration = load_calibration(self.name)

    @property
    def calibration(self) -> Calibration:
        """The calibration fitted to this analyzer (``engine/calibration/meaning.json``)."""
        return self._calibration

    def assess(self, claim: Claim, evidence: Evidence) -> Stance:
        """Judge one passage (one batch of one)."""
        return self.assess_many(claim, [evidence])[0]

    def assess_many(self, claim: Claim, evidences: Sequence[Evidence]) -> list[Stance]:
        """The rules' stances; those they left neutral for want of shared words re-read by
        meaning (see :meth:`similarities`)."""
        stances = self.rule_stances(claim, evidences)
        thresholds = [self._threshold(stance) for stance in stances]
        reread = [i for i, threshold in enumerate(thresholds) if threshold is not None]
        if not reread:
            return stances
        similarities = self.similarities(claim, [evidences[i] for i in reread])
        for i, similarity in zip(reread, similarities, strict=True):
            threshold = thresholds[i]
            if threshold is None or similarity < threshold:
                continue
            subject_named = SUBJECT_MISSING not in stances[i].codes
            if objection(claim, analyse(evidences[i].text), subject_named=subject_named):
                continue
            stances[i] = self._supports(stances[i], similarity, threshold)
        return stances

    def rule_stances(self, claim: Claim, evidences: Sequence[Evidence]) -> list[Stance]:
        """What the rules say of each passage."""
        return list(self._rules.assess_many(claim, evidences))

    def similarities(self, claim: Claim, evidences: Sequence[Evidence]) -> list[float]:
        """Cosine similarity of each passage (its title and text) with the claim.

        The vectors retrieval brought are used as they are; the claim and passages without one
        are encoded together in one batch.
        """
        missing = [i for i, evidence in enumerate(evidences) if evidence.vector is None]
        texts = [embedded_text(evidences[i].source_title, evidences[i].text) for i in missing]
        if claim.vector is None:
            texts.append(claim.text)
        encoded = self._encode(texts) if texts else None
        claim_vector = claim.vector if claim.vector is not None else encoded[-1]  # type: ignore[index]
        passage_vectors = [evidence.vector for evidence in evidences]
        for row, i in enumerate(missing):
            passage_vectors[i] = encoded[row]  # type: ignore[index]
        if not passage_vectors:
            return []
        return [float(value) for value in np.asarray(np.stack(passage_vectors) @ claim_vector)]

    def _encode(self, texts: list[str]) -> Any:
        if self._encoder is None:
            from factcheck.language.encoder import get_encoder

            self._encoder = get_encoder()
        return self._encoder.encode(texts)

    def _threshold(self, stance: Stance) -> float | None:
        """The similarity at which this neutral stance turns to support (None: it never does)."""
        if stance.label != NEUTRAL:
            return None
        if stance.codes & REREAD_CODES:
            return self.parameters.threshold
        if SUBJECT_MISSING in stance.codes:
            return self.parameters.subject_missing_threshold
        return None

    def _supports(self, stance: Stance, similarity: float, threshold: float) -> Stance:
        why = Reason(
            "says_the_same_in_other_words",
            f"says the same in other words (similarity {similarity:.2f})",
        )
        return replace(
            stance,
            label=SUPPORTS,
            score=self.parameters.strength(similarity, threshold),
            reasons=(why,),
            relevance=max(stance.relevance, round(similarity, 3)),
        )


def objection(claim: Claim, passage: TextAnalysis, *, subject_named: bool) -> str | None:
    """Why the precise checks forbid reading ``passage`` as the claim in other words, or None.

    Similarity is high for a sentence that says the opposite or changes one detail, so these
    are the rules' own signals read off both analyses: polarity, denial, figures, years, and
    (when the subject is not named in words the rules know) another actor.
    """
    said = claim.analysis
    if bool(passage.negated) != bool(said.negated):
        return "negation"
    if passage.denial and not said.denial:
        return "denial"
    shared_figure = any(a.same_value(b) for a in said.quantities for b in passage.quantities)
    if said.quantities and passage.quantities and not shared_figure:
        return "figures"
    if said.years and passage.years and not said.years & passage.years:
        return "years"
    if not subject_named and passage.entity_keys - said.entity_keys:
        return "another actor"
    return None
