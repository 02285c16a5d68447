"""The calibration object: curves that turn the verdict's scores into a confidence.

The verdict ends in one of four cases, each with its own curve:

* ``one_sided`` (supported or refuted): grows with the winning side's strength and with the
  number of independent sources behind it, and shrinks as the losing side nears the winner;
* ``conflicting``: grows with the weaker side's strength (the stronger both sides are, the surer
  the disagreement is real);
* ``nothing`` (not enough evidence): sure when nothing relevant was found, less sure as the
  closest passage covers more of the claim (then the claim is more often supported or refuted in
  words the analyzer missed);
* ``leaning`` (a general claim tipped to "supported" by partial coverage): one low constant.

Every confidence is capped at ``ceiling``, so no verdict claims certainty, and rounded to two
places.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

ConfidenceCase = Literal["one_sided", "conflicting", "nothing", "leaning"]

_TINY = 1e-9  # keeps a zero-strength winner from dividing by zero; not a tuning number


@dataclass(frozen=True)
class Scores:
    """What the verdict knows when it sets its confidence."""

    case: ConfidenceCase
    winner: float = 0.0  # strength of the winning side (the stronger side, when conflicting)
    loser: float = 0.0  # strength of the other side
    sources: int = 0  # independent sources behind the winning side
    nearest: float = 0.0  # relevance of the closest passage, whatever its stance


@dataclass(frozen=True)
class OneSidedCurve:
    """Supported or refuted: ``(base + per_strength·winner + per_extra_source·extra)`` times
    ``(1 - contest_penalty·loser/winner)``, with ``extra`` the sources beyond the first, at
    most ``extra_sources_counted``."""

    base: float
    per_strength: float
    per_extra_source: float
    extra_sources_counted: int
    contest_penalty: float

    def __call__(self, scores: Scores) -> float:
        extra = min(scores.sources - 1, self.extra_sources_counted)
        base = self.base + self.per_strength * scores.winner + self.per_extra_source * extra
        return base * (1.0 - self.contest_penalty * scores.loser / max(scores.winner, _TINY))


@dataclass(frozen=True)
class ConflictingCurve:
    """Conflicting: ``base + per_weaker_side·loser`` (``loser`` is the weaker side)."""

    base: float
    per_weaker_side: float

    def __call__(self, scores: Scores) -> float:
        return self.base + self.per_weaker_side * scores.loser


@dataclass(frozen=True)
class NothingCurve:
    """Not enough evidence: ``sure`` while the nearest passage's relevance is at most
    ``sure_until``; falling by ``falling_slope`` until ``falling_until``; then from
    ``far_start`` by ``far_slope``, never below ``floor``."""

    sure: float
    sure_until: float
    falling_slope: float
    falling_until: float
    far_start: float
    far_slope: float
    floor: float

    def __call__(self, scores: Scores) -> float:
        nearest = scores.nearest
        if nearest <= self.sure_until:
            return self.sure
        if nearest <= self.falling_until:
            return self.sure - (nearest - self.sure_until) * self.falling_slope
        return max(self.floor, self.far_start - (nearest - self.falling_until) * self.far_slope)


@dataclass(frozen=True)
class Calibration:
    """A named set of fitted curves, belonging to one stance analyzer."""

    name: str
    analyzer: str  # the registered name of the analyzer whose scores it reads
    one_sided: OneSidedCurve
    conflicting: ConflictingCurve
    nothing: NothingCurve
    leaning: float  # the confidence of a lean to "supported"
    ceiling: float  # no confidence above this
    fitted_on: str = ""  # what it was fitted on, for the reader of the file

    def confidence(self, scores: Scores) -> float:
        """The probability that a verdict with these scores is right, to two places."""
        return round(max(0.0, min(self.raw_confidence(scores), self.ceiling)), 2)

    def raw_confidence(self, scores: Scores) -> float:
        """The curve's value for ``scores``, before the ceiling and rounding."""
        if scores.case == "one_sided":
            return self.one_sided(scores)
        if scores.case == "conflicting":
            return self.conflicting(scores)
        if scores.case == "nothing":
            return self.nothing(scores)
        return self.leaning

    def as_dict(self) -> dict[str, Any]:
        """The JSON-ready form :func:`from_dict` reads back."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calibration:
        """A calibration from its JSON form; a missing or unknown key raises an error."""
        return cls(
            name=data["name"],
            analyzer=data["analyzer"],
            one_sided=OneSidedCurve(**data["one_sided"]),
            conflicting=ConflictingCurve(**data["conflicting"]),
            nothing=NothingCurve(**data["nothing"]),
            leaning=data["leaning"],
            ceiling=data["ceiling"],
            fitted_on=data.get("fitted_on", ""),
        )

    def write(self, path: Path) -> None:
        """Save as JSON, in the form the package ships."""
        path.write_text(json.dumps(self.as_dict(), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> Calibration:
        """Read a calibration written by :meth:`write`."""
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))


def calibration_path(analyzer: str) -> Path:
    """Where the package keeps the calibration of ``analyzer``."""
    return Path(__file__).with_name(f"{analyzer}.json")


@cache
def load_calibration(analyzer: str) -> Calibration:
    """The shipped calibration of ``analyzer``, read once per process."""
    path = calibration_path(analyzer)
    if not path.is_file():
        raise LookupError(f"no calibration is shipped for the stance analyzer {analyzer!r}")
    calibration = Calibration.read(path)
    if calibration.analyzer != analyzer:
        raise ValueError(f"{path} calibrates {calibration.analyzer!r}, not {analyzer!r}")
    return calibration
