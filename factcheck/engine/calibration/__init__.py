"""Calibration: from the verdict's scores to a confidence, the probability the verdict is right.

Each stance analyzer's scores mean something of their own, so each has its own calibration: a
named :class:`Calibration` whose fitted parameters are package data (``<analyzer>.json`` beside
this file), loaded once by :func:`load_calibration`. ``factcheck eval FILE...
--fit-calibration OUT`` fits one on labelled claims (:func:`fit_calibration`) and prints the
calibration error before and after. ``curves`` holds the object and its curves, ``fitting``
the fit. Imports nothing of the package above ``engine``'s own modules.
"""

from __future__ import annotations

from factcheck.engine.calibration.curves import (
    Calibration,
    ConfidenceCase,
    ConflictingCurve,
    NothingCurve,
    OneSidedCurve,
    Scores,
    calibration_path,
    load_calibration,
)
from factcheck.engine.calibration.fitting import Sample, brier_score, fit_calibration

__all__ = [
    "Calibration",
    "ConfidenceCase",
    "ConflictingCurve",
    "NothingCurve",
    "OneSidedCurve",
    "Sample",
    "Scores",
    "brier_score",
    "calibration_path",
    "fit_calibration",
    "load_calibration",
]
