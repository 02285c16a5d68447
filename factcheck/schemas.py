"""Marshmallow schemas of every API request and response; the OpenAPI document comes from them."""

from __future__ import annotations

from marshmallow import Schema, fields


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


class HealthSchema(Schema):
    """The service is up and its index is readable."""

    status = fields.String(required=True, metadata={"description": 'Always "ok"'})
    passages = fields.Integer(required=True, metadata={"description": "Passages in the index"})
    index_version = fields.String(
        required=True, metadata={"description": "Changes whenever the index changes"}
    )
