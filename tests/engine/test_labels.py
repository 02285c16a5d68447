"""Labels are declared once, as Literal types, and whatever lists them takes them from there."""

from __future__ import annotations

from typing import get_args

from marshmallow import validate

from factcheck.engine.stance import EVIDENCE_STANCES, StanceLabel
from factcheck.engine.verdict import VERDICTS, VerdictLabel
from factcheck.web.schemas import ExcerptSchema, ReviewerVerdictSchema, VerifyResponseSchema


def choices(schema: type, name: str) -> tuple[str, ...]:
    field = schema().fields[name]
    [one_of] = [v for v in field.validators if isinstance(v, validate.OneOf)]
    return tuple(one_of.choices)


def test_the_labels_are_the_literal_types() -> None:
    assert (
        VERDICTS
        == get_args(VerdictLabel)
        == (
            "supported",
            "refuted",
            "conflicting",
            "not_enough_evidence",
        )
    )
    assert set(EVIDENCE_STANCES) < set(get_args(StanceLabel))


def test_the_schemas_take_their_choices_from_the_labels() -> None:
    assert choices(VerifyResponseSchema, "verdict") == VERDICTS
    assert choices(ReviewerVerdictSchema, "verdict") == VERDICTS
    assert choices(ExcerptSchema, "stance") == EVIDENCE_STANCES
