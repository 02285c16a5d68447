"""Stance: whether a passage supports the claim, refutes it, or neither, and why.

``base`` holds what every analyzer shares (labels, :class:`Reason`, :class:`Stance`, the
:class:`StanceAnalyzer` interface); ``rules`` the rule-based analyzer; ``meaning`` the rules plus
alignment by meaning (the sentence encoder); ``learned`` those signals and more (``signals``)
combined by a fitted model; ``registry`` the analyzers
by name, of which the setting ``FACTCHECK_STANCE_ANALYZER`` chooses one (default ``"learned"``;
``DEFAULT_ANALYZER``, what :func:`~factcheck.engine.verify.verify` uses when it is given none,
stays ``"rules"``, the baseline).
May import the rest of ``engine`` below it (claim analysis, evidence, calibration) and
``language``.
"""

from __future__ import annotations

from factcheck.engine.stance.base import (
    EVIDENCE_STANCES,
    NEUTRAL,
    REFUTES,
    SUPPORTS,
    Reason,
    ReasonCode,
    Stance,
    StanceAnalyzer,
    StanceLabel,
)
from factcheck.engine.stance.meaning import MeaningStanceAnalyzer
from factcheck.engine.stance.registry import (
    UnknownAnalyzerError,
    analyzer_names,
    create_analyzer,
    register_analyzer,
)
from factcheck.engine.stance.rules import RuleStanceAnalyzer

DEFAULT_ANALYZER = "rules"

register_analyzer("rules", RuleStanceAnalyzer)
register_analyzer("meaning", MeaningStanceAnalyzer)


def _learned() -> StanceAnalyzer:
    # Imported when created: ``learned`` reads the verdict module, which imports this package.
    from factcheck.engine.stance.learned import LearnedStanceAnalyzer

    return LearnedStanceAnalyzer()


register_analyzer("learned", _learned)

__all__ = [
    "DEFAULT_ANALYZER",
    "EVIDENCE_STANCES",
    "MeaningStanceAnalyzer",
    "NEUTRAL",
    "REFUTES",
    "SUPPORTS",
    "Reason",
    "ReasonCode",
    "RuleStanceAnalyzer",
    "Stance",
    "StanceAnalyzer",
    "StanceLabel",
    "UnknownAnalyzerError",
    "analyzer_names",
    "create_analyzer",
    "register_analyzer",
]
