"""Marshmallow schemas of the curation API and the published claim reviews.

The request schemas are shared with the ``/review`` pages, which load their forms through them,
so a field has one rule whether it comes from JSON or from a form. Lists are paged: ``page``
starts at 1 and ``per_page`` is clamped to 1-100 rather than refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load, validate, validates_schema

from factcheck.catalog.models import as_utc
from factcheck.engine.verdict import VERDICTS
from factcheck.review.claim_reviews import MAX_RATIONALE_LENGTH
from factcheck.review.curation import RELIABILITY_SCALE, SOURCE_STATUSES, AuditFilter, SourceFilter
from factcheck.review.exports import ExportFilter
from factcheck.web.schemas import SourceRefSchema, StrictBoolean, Text

RELIABILITY_CHOICES = list(RELIABILITY_SCALE)


class UTCDateTime(fields.DateTime):
    """A timestamp in ISO 8601 with its UTC offset (SQLite hands them back naive)."""

    def _serialize(self, value: Any, attr: Any, obj: Any, **kwargs: Any) -> Any:
        if isinstance(value, datetime):
            value = as_utc(value)
        return super()._serialize(value, attr, obj, **kwargs)


class PagingSchema(Schema):
    """Which page of a list; out-of-range values are clamped, not refused."""

    page = fields.Integer(load_default=1, metadata={"description": "From 1"})
    per_page = fields.Integer(load_default=25, metadata={"description": "Clamped to 1-100"})


class PageSchema(Schema):
    """Where a page sits in its list."""

    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True, metadata={"description": "Items in the whole list"})
    pages = fields.Integer(required=True)


class BlankToNoneMixin:
    """Form fields arrive as strings; an empty one means "not given" for optional values.

    A query parameter given twice (``?page=1&page=2``) is refused rather than one of its
    values picked.
    """

    BLANK_AS_MISSING: tuple[str, ...] = ()

    @pre_load
    def drop_blanks(self, data: Any, **_kwargs: Any) -> Any:
        """Refuse repeated parameters; drop the named keys whose value is an empty string."""
        getlist = getattr(data, "getlist", None)  # a query string's multi-valued mapping
        if getlist is not None:
            repeated = {key: ["give it once"] for key in data if len(getlist(key)) > 1}
            if repeated:
                raise ValidationError(repeated)
        if not isinstance(data, Mapping):
            return data
        return {
            key: value
            for key, value in data.items()
            if not (key in self.BLANK_AS_MISSING and isinstance(value, str) and not value.strip())
        }


# Sources ------------------------------------------------------------------------------------


class SourceQuerySchema(BlankToNoneMixin, PagingSchema):
    """Filters of the list of sources."""

    BLANK_AS_MISSING = ("q", "status", "reliability", "page", "per_page")

    q = Text(metadata={"description": "Words in the title, publisher, URL or id"})
    status = Text(
        load_default="active",
        validate=validate.OneOf(SOURCE_STATUSES),
        metadata={"description": "active (default), retired or all"},
    )
    reliability = Text(
        validate=validate.OneOf([*RELIABILITY_CHOICES, "unrated"]),
        metadata={"description": "A rating of the scale, or unrated"},
    )


def source_filter(arguments: dict[str, Any]) -> SourceFilter:
    """The :class:`SourceFilter` that :class:`SourceQuerySchema`'s loaded arguments describe."""
    return SourceFilter(
        query=arguments.get("q"),
        status=arguments["status"],
        reliability=arguments.get("reliability"),
        page=arguments["page"],
        per_page=arguments["per_page"],
    )


class SourceCountsSchema(Schema):
    """How many passages a source has."""

    passages = fields.Integer(required=True, metadata={"description": "All its passages"})
    excluded = fields.Integer(required=True, metadata={"description": "Excluded passages"})
    active = fields.Integer(required=True, metadata={"description": "Passages in the index"})


class SourceSchema(SourceRefSchema):
    """A source, its provenance, its rating and its passage counts."""

    published_precision = fields.String(required=True)
    reliability = fields.String(
        allow_none=True,
        required=True,
        metadata={"description": "One of " + ", ".join(RELIABILITY_CHOICES) + "; null: unrated"},
    )
    retired = fields.Boolean(required=True)
    origin = fields.String(allow_none=True, required=True)
    counts = fields.Nested(SourceCountsSchema, required=True)
    created_at = UTCDateTime(allow_none=True, required=True)
    updated_at = UTCDateTime(allow_none=True, required=True)


class SourceListSchema(PageSchema):
    """One page of sources."""

    items = fields.List(fields.Nested(SourceSchema), required=True)


class SourceCreateSchema(BlankToNoneMixin, Schema):
    """A new source: ``{"url"}`` to fetch a page, or ``{"title", "text", ...}`` as written."""

    BLANK_AS_MISSING = ("url", "title", "text", "publisher", "published", "reliability")

    url = Text(
        validate=validate.Length(max=2000),
        metadata={"description": "Fetched (http/https, public addresses only) unless text given"},
    )
    title = Text(validate=validate.Length(max=300))
    text = Text(metadata={"description": "The article, paragraphs split by blank lines"})
    publisher = Text(validate=validate.Length(max=300))
    published = Text(metadata={"description": "2023-02-24, 2023-02 or 2023"})
    reliability = Text(validate=validate.OneOf(RELIABILITY_CHOICES))
    preview = StrictBoolean(
        load_default=False,
        metadata={"description": "Only show the passages it would have; save nothing"},
    )

    @validates_schema
    def url_or_text(self, data: dict[str, Any], **_kwargs: Any) -> None:
        """Either a URL to fetch, or a title and a text."""
        if "text" in data:
            if "title" not in data:
                raise ValidationError("required with text", "title")
        elif "title" in data and "url" not in data:
            raise ValidationError("required with title", "text")
        elif "url" not in data:
            raise ValidationError("give a url to fetch, or a title and a text", "url")


class PassagePreviewSchema(Schema):
    """A passage a new source has (or would have)."""

    id = fields.String(required=True)
    position = fields.Integer(required=True)
    text = fields.String(required=True)
    excluded = fields.Boolean(required=True)
    excluded_reason = fields.String(allow_none=True, required=True)


class SourceAddedSchema(Schema):
    """A source added (201) or previewed (200): its metadata and its passages."""

    saved = fields.Boolean(required=True, metadata={"description": "False for a preview"})
    source = fields.Nested(SourceSchema, required=True)
    passages = fields.List(fields.Nested(PassagePreviewSchema), required=True)


class SourcePatchSchema(BlankToNoneMixin, Schema):
    """Changes to a source; a field left out stays as it is, null clears an optional one."""

    title = Text(validate=validate.Length(min=1, max=300))
    publisher = Text(allow_none=True, validate=validate.Length(max=300))
    url = Text(allow_none=True, validate=validate.Length(max=2000))
    published = Text(allow_none=True)
    reliability = Text(allow_none=True, validate=validate.OneOf(RELIABILITY_CHOICES))
    retired = StrictBoolean(metadata={"description": "Retire (true) or restore; admins only"})

    @validates_schema
    def not_empty(self, data: dict[str, Any], **_kwargs: Any) -> None:
        """A change must change something."""
        if not data:
            raise ValidationError("give at least one field to change", "_schema")


# Passages -----------------------------------------------------------------------------------


class PassageSchema(Schema):
    """A passage with its curation state; ``version`` is what an edit must name."""

    id = fields.String(required=True)
    source_id = fields.String(required=True)
    position = fields.Integer(required=True)
    paragraph = fields.Integer(required=True)
    text = fields.String(required=True, metadata={"description": "Current, maybe corrected"})
    original_text = fields.String(required=True, metadata={"description": "As imported"})
    corrected = fields.Boolean(required=True)
    context = fields.String(required=True)
    excluded = fields.Boolean(required=True)
    excluded_reason = fields.String(allow_none=True, required=True)
    note = fields.String(allow_none=True, required=True)
    version = fields.Integer(required=True)
    updated_at = UTCDateTime(required=True)


class SourceDetailSchema(SourceSchema):
    """A source with every passage, excluded ones too."""

    passages = fields.List(fields.Nested(PassageSchema), required=True)


class PassagePatchSchema(BlankToNoneMixin, Schema):
    """An edit of one passage, made on ``version``; a stale version is a 409 conflict."""

    BLANK_AS_MISSING = ("excluded", "reason", "text")

    version = fields.Integer(
        required=True,
        validate=validate.Range(min=1, max=2**31 - 1),
        metadata={"description": "The version edited"},
    )
    excluded = StrictBoolean(metadata={"description": "Exclude (true, needs reason) or include"})
    reason = Text(validate=validate.Length(max=500))
    text = Text(metadata={"description": "Corrected text; the original is kept"})
    note = Text(allow_none=True, validate=validate.Length(max=2000))


# Audit --------------------------------------------------------------------------------------


class AuditQuerySchema(BlankToNoneMixin, PagingSchema):
    """Which audit entries: all, one entity's, a source's with its passages, or an actor's."""

    BLANK_AS_MISSING = ("entity_type", "entity_id", "source_id", "actor", "page", "per_page")

    entity_type = Text(validate=validate.OneOf(["source", "passage", "reviewer", "claim_review"]))
    entity_id = Text()
    source_id = Text(metadata={"description": "The source and all its passages"})
    actor = Text()


def audit_filter(arguments: dict[str, Any]) -> AuditFilter:
    """The :class:`AuditFilter` that :class:`AuditQuerySchema`'s loaded arguments describe."""
    return AuditFilter(
        entity_type=arguments.get("entity_type"),
        entity_id=arguments.get("entity_id"),
        source_id=arguments.get("source_id"),
        actor=arguments.get("actor"),
        page=arguments["page"],
        per_page=arguments["per_page"],
    )


class AuditEntrySchema(Schema):
    """One change: who, when, what, before and after."""

    id = fields.Integer(required=True)
    at = UTCDateTime(required=True)
    actor = fields.String(required=True)
    action = fields.String(required=True)
    entity_type = fields.String(required=True)
    entity_id = fields.String(required=True)
    before = fields.Dict(allow_none=True, required=True)
    after = fields.Dict(allow_none=True, required=True)


class AuditListSchema(PageSchema):
    """One page of audit entries, newest first."""

    items = fields.List(fields.Nested(AuditEntrySchema), required=True)


# Claim reviews (schema.org JSON-LD) ---------------------------------------------------------
# Field names are schema.org's own (camelCase), so the JSON-LD reads as the vocabulary.


class ThingSchema(Schema):
    """A schema.org Person, Organization or Claim, by name or text."""

    type_ = fields.String(required=True, data_key="@type", attribute="@type")
    name = fields.String()
    text = fields.String()


class RatingSchema(Schema):
    """schema.org Rating on the 1 (false) to 5 (true) scale."""

    type_ = fields.String(required=True, data_key="@type", attribute="@type")
    ratingValue = fields.Integer(required=True)
    bestRating = fields.Integer(required=True)
    worstRating = fields.Integer(required=True)
    alternateName = fields.String(required=True)


class CitationSchema(Schema):
    """A cited source as a schema.org CreativeWork."""

    type_ = fields.String(required=True, data_key="@type", attribute="@type")
    name = fields.String(required=True)
    url = fields.String()
    publisher = fields.Nested(ThingSchema)
    datePublished = fields.String()


class ClaimReviewSchema(Schema):
    """A signed-off review as schema.org ClaimReview JSON-LD."""

    context = fields.String(data_key="@context", attribute="@context")
    type_ = fields.String(required=True, data_key="@type", attribute="@type")
    id_ = fields.String(required=True, data_key="@id", attribute="@id")
    url = fields.String(required=True)
    claimReviewed = fields.String(required=True)
    reviewBody = fields.String(required=True)
    datePublished = fields.String(required=True)
    author = fields.Nested(ThingSchema, required=True)
    reviewRating = fields.Nested(RatingSchema, required=True)
    itemReviewed = fields.Nested(ThingSchema, required=True)
    citation = fields.List(fields.Nested(CitationSchema), required=True)


class ClaimReviewFeedSchema(Schema):
    """Every published claim review, newest first, as a schema.org DataFeed."""

    context = fields.String(required=True, data_key="@context", attribute="@context")
    type_ = fields.String(required=True, data_key="@type", attribute="@type")
    dataFeedElement = fields.List(fields.Nested(ClaimReviewSchema), required=True)


class ReviewCreateSchema(Schema):
    """A sign-off through the API: the reviewer's verdict on a claim, why, and on what."""

    claim = fields.String(
        required=True,
        validate=validate.Length(min=3, max=500),
        metadata={"description": "The claim as checked, 3 to 500 characters after trimming"},
    )
    verdict = fields.String(
        required=True,
        validate=validate.OneOf(VERDICTS),
        metadata={"description": "The reviewer's verdict: " + ", ".join(VERDICTS)},
    )
    rationale = fields.String(
        required=True,
        validate=validate.Length(
            min=1, max=MAX_RATIONALE_LENGTH, error="Say why, in {min} to {max} characters."
        ),
        metadata={"description": "Why: what a reader is shown beside the verdict"},
    )
    passage_ids = fields.List(
        fields.String(validate=validate.Length(min=1, max=200)),
        load_default=list,
        validate=validate.Length(max=50),
        metadata={
            "description": "The passages the verdict rests on (at least one unless the verdict "
            "is not_enough_evidence)"
        },
    )

    @pre_load
    def trim(self, data: Any, **_kwargs: Any) -> Any:
        """Measure the claim and the rationale without the white space around them."""
        if isinstance(data, dict):
            data = {
                key: value.strip()
                if key in ("claim", "rationale") and isinstance(value, str)
                else value
                for key, value in data.items()
            }
        return data


class EvidenceChangeSchema(Schema):
    """A change to a cited passage made after the review was signed off."""

    action = fields.String(required=True, metadata={"description": "exclude, correct or retire"})
    passage_id = fields.String(required=True)
    detail = fields.String(required=True, metadata={"description": "What changed, in words"})
    actor = fields.String(required=True)
    at = UTCDateTime(required=True)


class ReviewSchema(Schema):
    """A signed-off review: the reviewer's verdict beside the engine's of that moment."""

    id = fields.Integer(required=True)
    check_id = fields.Integer(required=True, metadata={"description": "The logged claim"})
    claim = fields.String(required=True)
    verdict = fields.String(required=True)
    automatic_verdict = fields.String(
        required=True, metadata={"description": "The engine's verdict when it was signed off"}
    )
    confirmed = fields.Boolean(
        required=True, metadata={"description": "Whether the reviewer agreed with the engine"}
    )
    rationale = fields.String(required=True)
    passage_ids = fields.List(fields.String(), required=True)
    reviewer = fields.String(required=True)
    signed_off_at = UTCDateTime(required=True)
    claim_review = fields.String(
        required=True, metadata={"description": "Its schema.org ClaimReview JSON-LD"}
    )
    needs_another_look = fields.Boolean(
        required=True,
        metadata={
            "description": "Whether a passage it rests on was excluded, corrected or its source "
            "retired since; signing the claim off again clears it"
        },
    )
    changes = fields.List(
        fields.Nested(EvidenceChangeSchema),
        required=True,
        metadata={"description": "What changed in its evidence since, oldest first"},
    )


# Exports ------------------------------------------------------------------------------------


class DayRangeMixin:
    """``since`` may not come after ``until``."""

    @validates_schema
    def range_in_order(self, data: dict[str, Any], **_kwargs: Any) -> None:
        """Refuse a range that ends before it starts."""
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ValidationError("must not be after until", field_name="since")


class ExportQuerySchema(DayRangeMixin, BlankToNoneMixin, Schema):
    """Which checked claims to export: asked within a range of UTC days, with a verdict."""

    BLANK_AS_MISSING = ("since", "until", "verdict")

    since = fields.Date(metadata={"description": "First day (YYYY-MM-DD) the claim was last asked"})
    until = fields.Date(metadata={"description": "Last day (YYYY-MM-DD), included"})
    verdict = fields.String(
        validate=validate.OneOf(VERDICTS),
        metadata={
            "description": "The verdict readers see (the reviewer's if signed off, else the "
            "automatic one): " + ", ".join(VERDICTS)
        },
    )


def export_filter(arguments: Mapping[str, Any]) -> ExportFilter:
    """The :class:`ExportFilter` that :class:`ExportQuerySchema`'s loaded arguments describe."""
    return ExportFilter(
        since=arguments.get("since"), until=arguments.get("until"), verdict=arguments.get("verdict")
    )


# Verdicts that moved -------------------------------------------------------------------------


class VerdictChangeQuerySchema(DayRangeMixin, BlankToNoneMixin, PagingSchema):
    """Which moved verdicts: those that moved within a range of UTC days, a page of them."""

    BLANK_AS_MISSING = ("since", "until", "page", "per_page")

    since = fields.Date(metadata={"description": "First day (YYYY-MM-DD, UTC) the verdict moved"})
    until = fields.Date(metadata={"description": "Last day (YYYY-MM-DD, UTC), included"})


class VerdictChangeSchema(Schema):
    """A logged claim whose automatic verdict moved when it was checked again after a change."""

    id = fields.Integer(required=True)
    check_id = fields.Integer(required=True, metadata={"description": "The logged check"})
    claim = fields.String(required=True)
    before = fields.String(required=True, metadata={"description": "The verdict the log held"})
    after = fields.String(required=True, metadata={"description": "The re-check's verdict"})
    confidence = fields.Float(required=True, metadata={"description": "The re-check's"})
    passage_id = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": "The passage that moved it (the strongest on the new side)"},
    )
    passage_text = fields.String(required=True)
    at = UTCDateTime(required=True, metadata={"description": "When the re-check moved it"})
    sign_off = fields.String(
        required=True, metadata={"description": "The page where a reviewer signs the claim off"}
    )


class VerdictChangeListSchema(PageSchema):
    """One page of the moved verdicts, newest first."""

    items = fields.List(fields.Nested(VerdictChangeSchema), required=True)
