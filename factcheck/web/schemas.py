"""Marshmallow schemas of every API request and response; the OpenAPI document comes from them."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, post_dump, pre_load, validate

from factcheck.engine.stance import EVIDENCE_STANCES
from factcheck.engine.verdict import VERDICTS
from factcheck.ingest.documents import unstorable


class Text(fields.String):
    """A string of every request schema: refused with a 422 when the catalog could not store it.

    Checked here, at the edge, so no view, log writer or index ever meets such text: before,
    one such claim answered 500 and cost the check log a whole batch.
    """

    default_error_messages = {
        "unstorable": "Not valid text: it holds a lone surrogate or a NUL character."
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if unstorable(text):
            raise self.make_error("unstorable")
        return text


class StrictBoolean(fields.Boolean):
    """A boolean that is ``true`` or ``false`` (or a form's "true"/"on"/"1"), never a number.

    marshmallow reads ``0`` and ``1`` as booleans; the OpenAPI document says boolean, and an
    ``"excluded": 0`` that excludes nothing is a client's bug better reported than guessed.
    """

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if not isinstance(value, bool | str):
            raise self.make_error("invalid", input=value)
        return super()._deserialize(value, attr, data, **kwargs)


class ErrorDetailSchema(Schema):
    """What went wrong, and for which input fields."""

    code = fields.String(required=True, metadata={"description": "Stable machine-readable code"})
    message = fields.String(required=True, metadata={"description": "What to fix, for people"})
    # Named apart from Schema.fields; serialised as "fields".
    problems = fields.Dict(
        keys=fields.String(),
        required=True,
        data_key="fields",
        metadata={"description": "Input field -> list of problems; empty if none"},
    )


class ErrorSchema(Schema):
    """The body of every API error."""

    error = fields.Nested(ErrorDetailSchema, required=True)


class FeedStateSchema(Schema):
    """How far this node's index is behind the catalog's change feed."""

    node_position = fields.Integer(
        required=True, metadata={"description": "The last change-feed position this node applied"}
    )
    catalog_position = fields.Integer(
        required=True, metadata={"description": "The newest change-feed position in the catalog"}
    )
    lag_seconds = fields.Float(
        required=True,
        metadata={
            "description": "Age of the oldest change this node has not applied; 0 when caught up"
        },
    )


class HealthSchema(Schema):
    """The service is up, its index is readable, and how far it follows the catalog."""

    status = fields.String(
        required=True,
        metadata={
            "description": '"ok", or "lagging" (with a 503) when this node is further behind '
            "the catalog's change feed than FACTCHECK_MAX_FEED_LAG_SECONDS"
        },
    )
    passages = fields.Integer(required=True, metadata={"description": "Passages in the index"})
    index_version = fields.String(
        required=True, metadata={"description": "Changes whenever the index changes"}
    )
    feed = fields.Nested(FeedStateSchema, required=True)


class VerifyRequestSchema(Schema):
    """A claim to check. The claim is plain text: no query syntax is read from it."""

    claim = Text(
        required=True,
        validate=validate.Length(min=3, max=500),
        metadata={"description": "The claim, 3 to 500 characters after trimming"},
    )
    limit = fields.Integer(
        load_default=5,
        validate=validate.Range(min=1, max=20),
        metadata={"description": "Excerpts per side, 1 to 20"},
    )

    @pre_load
    def trim_claim(self, data: Any, **_kwargs: Any) -> Any:
        """Measure the claim without the white space around it."""
        if isinstance(data, dict) and isinstance(data.get("claim"), str):
            data = {**data, "claim": data["claim"].strip()}
        return data


class SourceRefSchema(Schema):
    """Where an excerpt comes from."""

    id = fields.String(required=True)
    title = fields.String(required=True)
    publisher = fields.String(allow_none=True, required=True)
    url = fields.String(allow_none=True, required=True)
    published = fields.String(
        allow_none=True, required=True, metadata={"description": "ISO 8601 prefix, or null"}
    )


class ExcerptSchema(Schema):
    """A passage bearing on the claim, with its stance and source."""

    passage_id = fields.String(required=True)
    text = fields.String(required=True, metadata={"description": "The whole passage, plain"})
    highlight = fields.String(
        required=True,
        metadata={"description": "The passage as escaped HTML, claim words in <mark>"},
    )
    context = fields.String(required=True, metadata={"description": "Its paragraph"})
    stance = fields.String(
        required=True,
        validate=validate.OneOf(EVIDENCE_STANCES),
    )
    score = fields.Float(required=True, metadata={"description": "Strength of the stance, 0-1"})
    source = fields.Nested(SourceRefSchema, required=True)


class PartSchema(Schema):
    """One assertion of a claim that makes several, checked alone."""

    claim = fields.String(required=True, metadata={"description": "The part, as a claim"})
    verdict = fields.String(required=True, validate=validate.OneOf(VERDICTS))
    confidence = fields.Float(
        required=True, metadata={"description": "Probability that the part's verdict is right"}
    )
    explanation = fields.String(required=True)


class VerifyResponseSchema(Schema):
    """The verdict on a claim and the excerpts behind it."""

    claim = fields.String(required=True)
    verdict = fields.String(
        required=True,
        validate=validate.OneOf(VERDICTS),
    )
    confidence = fields.Float(
        required=True, metadata={"description": "Probability that the verdict is right"}
    )
    explanation = fields.String(required=True)
    supporting = fields.List(fields.Nested(ExcerptSchema), required=True)
    conflicting = fields.List(fields.Nested(ExcerptSchema), required=True)
    index_version = fields.String(required=True)
    took_ms = fields.Float(required=True)
    parts = fields.List(
        fields.Nested(PartSchema),
        metadata={
            "description": "The claim's assertions, each with its own verdict; present only "
            "when the claim makes several (it was split), absent for a claim of one. The "
            "verdict above combines them: a refuted part refutes the claim; else a part "
            "without enough evidence makes it not_enough_evidence; else a conflicting part "
            "makes it conflicting; else it is supported"
        },
    )
    review = fields.Nested(
        "ReviewerVerdictSchema",
        metadata={"description": "A reviewer's signed-off verdict; present only if there is one"},
    )

    @post_dump
    def drop_single_part(self, data: dict[str, Any], **_kwargs: Any) -> dict[str, Any]:
        """A claim of one assertion has no ``parts`` field, rather than an empty one."""
        if not data.get("parts"):
            data.pop("parts", None)
        return data


class ReviewerVerdictSchema(Schema):
    """A reviewer's signed-off verdict on the same (normalised) claim, shown beside the engine's."""

    id = fields.Integer(required=True)
    verdict = fields.String(
        required=True,
        validate=validate.OneOf(VERDICTS),
        metadata={"description": "The reviewer's verdict"},
    )
    automatic_verdict = fields.String(
        required=True, metadata={"description": "The engine's verdict when it was signed off"}
    )
    rationale = fields.String(required=True)
    reviewer = fields.String(required=True, metadata={"description": "Who signed it off"})
    signed_off_at = fields.AwareDateTime(required=True)
    passage_ids = fields.List(fields.String(), required=True, metadata={"description": "Cited"})
    claim_review_url = fields.String(
        required=True, metadata={"description": "The review as schema.org ClaimReview JSON-LD"}
    )
