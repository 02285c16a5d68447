"""Curation API: sources, passages and the audit log under ``/api/v1``, for token holders;
and the published claim reviews, for anyone.

Every curation endpoint needs ``Authorization: Bearer <token>`` (``factcheck reviewer token
NAME`` prints one); without a live token the answer is a 401 in the standard error body. Views
are thin: the schemas in :mod:`factcheck.review.schemas` validate, one function of
:mod:`factcheck.review.curation` (or :mod:`factcheck.review.claim_reviews`) acts inside
:func:`~factcheck.review.curation.curation_change`, which commits and re-indexes the changed
sources before the response, so the next check already sees the change. A refusal propagates as
an exception of the :mod:`factcheck.errors` family, which answers it in the standard error body.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, current_app, jsonify, request, url_for
from flask_smorest import Blueprint
from marshmallow import RAISE

from factcheck.catalog.database import get_db
from factcheck.catalog.models import Passage, VerdictChange, utc_now
from factcheck.extensions import get_search_index
from factcheck.ingest.documents import Document
from factcheck.ingest.fetching import Fetcher
from factcheck.ingest.passages import PassageDraft
from factcheck.review import claim_reviews, curation, exports, rechecks
from factcheck.review.auth import add_authenticate_header, current_reviewer, require_token
from factcheck.review.schemas import (
    AuditListSchema,
    AuditQuerySchema,
    ClaimReviewFeedSchema,
    ClaimReviewSchema,
    ExportQuerySchema,
    PassagePatchSchema,
    PassageSchema,
    ReviewCreateSchema,
    ReviewSchema,
    SourceAddedSchema,
    SourceCreateSchema,
    SourceDetailSchema,
    SourceListSchema,
    SourcePatchSchema,
    SourceQuerySchema,
    VerdictChangeListSchema,
    VerdictChangeQuerySchema,
    audit_filter,
    export_filter,
    source_filter,
)
from factcheck.review.submissions import document_from_page, document_from_text
from factcheck.search.index import IndexMissingError
from factcheck.web import check_log
from factcheck.web.check_records import SignedOffReview, signed_off
from factcheck.web.checks import check_claim
from factcheck.web.schemas import ErrorSchema

FETCHER_KEY = "factcheck.fetcher"
BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
JSONLD = "application/ld+json"

bp = Blueprint(
    "curation_api",
    __name__,
    url_prefix="/api/v1",
    description="Curation of sources and passages, and the audit log (bearer token required)",
)
bp.before_request(require_token)
bp.after_request(add_authenticate_header)

reviews_bp = Blueprint(
    "reviews_api",
    __name__,
    url_prefix="/api/v1",
    description="Signed-off claim reviews as schema.org ClaimReview JSON-LD (public)",
)


def get_fetcher() -> Fetcher:
    """The app's page fetcher (tests put one that may reach their own loopback server)."""
    return current_app.extensions[FETCHER_KEY]


def source_limits() -> curation.SourceLimits:
    """How large a source reviewers may add, as the app is configured."""
    return curation.SourceLimits.from_config(current_app.config)


# Sources ------------------------------------------------------------------------------------


@bp.route("/sources")
@bp.arguments(SourceQuerySchema, location="query")
@bp.response(200, SourceListSchema)
@bp.alt_response(401, schema=ErrorSchema, description="No valid API token")
@bp.doc(security=BEARER)
def list_sources(arguments: dict[str, Any]) -> dict[str, Any]:
    """List sources with their passage counts, newest first; filter by words, status, rating."""
    page = curation.list_sources(get_db(), source_filter(arguments))
    return page_body(page, [source_body(row) for row in page.items])


@bp.route("/sources", methods=["POST"])
@bp.arguments(SourceCreateSchema, location="json")
@bp.response(201, SourceAddedSchema, description="Added")
@bp.alt_response(200, schema=SourceAddedSchema, description="Previewed, not saved")
@bp.alt_response(401, schema=ErrorSchema, description="No valid API token")
@bp.alt_response(409, schema=ErrorSchema, description="Already in the catalog")
@bp.alt_response(422, schema=ErrorSchema, description="Invalid, or the URL was refused")
@bp.doc(security=BEARER)
def add_source(arguments: dict[str, Any]) -> Any:
    """Add a source: fetch ``url`` (public http/https pages only) or take ``title`` and ``text``.

    With ``"preview": true`` nothing is saved and the answer shows the passages it would have.
    """
    limits = source_limits()
    if "text" in arguments:
        document = document_from_text(
            arguments["title"],
            arguments["text"],
            publisher=arguments.get("publisher"),
            url=arguments.get("url"),
            published=arguments.get("published"),
        )
    else:
        document = document_from_page(get_fetcher().fetch(arguments["url"]))  # or fetch_refused
    if arguments["preview"]:
        drafts = curation.source_drafts(document, limits)
        return preview_body(document, drafts, arguments.get("reliability")), 200
    with curation.curation_change(get_db(), get_search_index()) as session:
        curation.add_source(
            session,
            document,
            current_reviewer(),
            reliability=arguments.get("reliability"),
            limits=limits,
        )
    row = curation.source_row(session, document.source_id)
    passages = curation.source_passages(session, document.source_id)
    body = {
        "saved": True,
        "source": source_body(row),
        "passages": [preview_passage(passage) for passage in passages],
    }
    return body, 201, {"Location": url_for("curation_api.source", source_id=document.source_id)}


@bp.route("/sources/<source_id>")
@bp.response(200, SourceDetailSchema)
@bp.alt_response(401, schema=ErrorSchema, description="No valid API token")
@bp.alt_response(404, schema=ErrorSchema, description="No such source")
@bp.doc(security=BEARER)
def source(source_id: str) -> dict[str, Any]:
    """A source, its counts and every passage (excluded ones too)."""
    return source_detail(source_id)


@bp.route("/sources/<source_id>", methods=["PATCH"])
@bp.arguments(SourcePatchSchema, location="json")
@bp.response(200, SourceDetailSchema)
@bp.alt_response(401, schema=ErrorSchema, description="No valid API token")
@bp.alt_response(403, schema=ErrorSchema, description="Retiring needs an admin")
@bp.alt_response(404, schema=ErrorSchema, description="No such source")
@bp.alt_response(422, schema=ErrorSchema, description="Invalid changes")
@bp.doc(security=BEARER)
def edit_source(changes: dict[str, Any], source_id: str) -> dict[str, Any]:
    """Change a source's metadata or reliability rating; retire or restore it (admins)."""
    with curation.curation_change(get_db(), get_search_index()) as session:
        curation.edit_source(session, source_id, changes, current_reviewer())
    return source_detail(source_id)


# Passages -----------------------------------------------------------------------------------


@bp.route("/passages/<passage_id>")
@bp.response(200, PassageSchema)
@bp.alt_response(401, schema=ErrorSchema, description="No valid API token")
@bp.alt_response(404, schema=ErrorSchema, description="No such passage")
@bp.doc(security=BEARER)
def passage(passage_id: str) -> dict[str, Any]:
    """A passage with its curation state and the ``version`` an edit must name."""
    return passage_body(curation.get_passage(get_db(), passage_id))


@bp.route("/passages/<passage_id>", methods=["PATCH"])
@bp.arguments(PassagePatchSchema, location="json")
@bp.response(200, PassageSchema)
@bp.alt_response(401, schema=ErrorSchema, description="No valid API token")
@bp.alt_response(404, schema=ErrorSchema, description="No such passage")
@bp.alt_response(
    409, schema=ErrorSchema, description="Changed since ``version``: the message has its text"
)
@bp.alt_response(422, schema=ErrorSchema, description="Invalid edit")
@bp.doc(security=BEARER)
def edit_passage(arguments: dict[str, Any], passage_id: str) -> dict[str, Any]:
    """Exclude or include a passage (with a reason), correct its text, or note something.

    The edit names the ``version`` it was made on; if the passage has changed since, nothing
    is written and the 409 error gives the current version and text.
    """
    edit = curation.PassageEdit(
        version=arguments["version"],
        excluded=arguments.get("excluded"),
        reason=arguments.get("reason"),
        text=arguments.get("text"),
        note=(arguments["note"] or "") if "note" in arguments else None,
    )
    with curation.curation_change(get_db(), get_search_index()) as session:
        curation.edit_passage(session, passage_id, edit, current_reviewer())
    return passage_body(curation.get_passage(session, passage_id))


# Audit --------------------------------------------------------------------------------------


@bp.route("/audit")
@bp.arguments(AuditQuerySchema, location="query")
@bp.response(200, AuditListSchema)
@bp.alt_response(401, schema=ErrorSchema, description="No valid API token")
@bp.doc(security=BEARER)
def audit(arguments: dict[str, Any]) -> dict[str, Any]:
    """The audit log, newest first: all of it, one entity's, a source's, or one actor's."""
    page = curation.audit_entries(
        get_db(),
        audit_filter(arguments),
    )
    return page_body(page, page.items)


# Sign-off -----------------------------------------------------------------------------------


@bp.route("/reviews", methods=["POST"])
@bp.arguments(ReviewCreateSchema, location="json")
@bp.response(201, ReviewSchema, description="Signed off")
@bp.alt_response(401, schema=ErrorSchema, description="No valid API token")
@bp.alt_response(422, schema=ErrorSchema, description="Invalid: the fields say what and why")
@bp.doc(security=BEARER)
def sign_off(arguments: dict[str, Any]) -> Any:
    """Sign a claim off: the reviewer's verdict, the rationale and the passages it rests on.

    Does what the sign-off page does, audited alike: the claim is matched to its logged check
    (case, spacing and end punctuation ignored; a claim never checked is checked and logged
    first), and the engine's verdict of the moment is kept beside the reviewer's.
    """
    check_log.flush()  # a claim just checked is logged before it is looked up
    try:
        automatic = check_claim(arguments["claim"], limit=10)
    except IndexMissingError:
        automatic = None
    with curation.curation_change(get_db(), get_search_index()) as session:
        found = claim_reviews.sign_off_claim(
            session,
            arguments["claim"],
            verdict=arguments["verdict"],
            automatic=automatic,
            rationale=arguments["rationale"],
            passage_ids=arguments["passage_ids"],
            reviewer=current_reviewer(),
        )
    body = sign_off_body(signed_off(found))
    return body, 201, {"Location": body["claim_review"]}


@bp.route("/sign-offs/<int(max=2147483647):review_id>")
@bp.response(200, ReviewSchema)
@bp.alt_response(401, schema=ErrorSchema, description="No valid API token")
@bp.alt_response(404, schema=ErrorSchema, description="No such review")
@bp.doc(security=BEARER)
def sign_off_status(review_id: int) -> Any:
    """One sign-off as reviewers see it, with whether it needs another look and why."""
    return sign_off_body(signed_off(claim_reviews.get_review(get_db(), review_id)))


def sign_off_body(review: SignedOffReview) -> dict[str, Any]:
    """A sign-off as :class:`ReviewSchema` shows it."""
    return {
        "id": review.id,
        "check_id": review.check_id,
        "claim": review.claim,
        "verdict": review.verdict,
        "automatic_verdict": review.automatic_verdict,
        "confirmed": review.confirmed,
        "rationale": review.rationale,
        "passage_ids": list(review.passage_ids),
        "reviewer": review.reviewer,
        "signed_off_at": review.signed_off_at,
        "claim_review": url_for("reviews_api.review", review_id=review.id, _external=True),
        "needs_another_look": review.needs_another_look,
        "changes": [vars(change) for change in review.changes],
    }


# Exports ------------------------------------------------------------------------------------


@bp.route("/exports/checks.<any(csv, json):fmt>")
@bp.arguments(ExportQuerySchema, location="query", unknown=RAISE)  # a misspelt filter: 422
@bp.alt_response(200, description="The checked claims as text/csv or application/json")
@bp.alt_response(401, schema=ErrorSchema, description="No valid API token")
@bp.alt_response(422, schema=ErrorSchema, description="Invalid filter: the fields say which")
@bp.doc(security=BEARER)
def export_checks(arguments: dict[str, Any], fmt: str) -> Response:
    """Checked claims with their newest sign-off, as CSV or JSON, newest asked first.

    ``since`` and ``until`` (UTC days, both included) bound when the claim was last asked;
    ``verdict`` is the one readers see (the reviewer's if signed off, else the automatic one).
    CSV text cells starting with = + - @ are prefixed with an apostrophe (no formulas).
    """
    return export_response(arguments, fmt)


def export_response(arguments: dict[str, Any], fmt: str) -> Response:
    """The export of the checks ``arguments`` select, as a download in ``fmt`` (csv or json)."""
    check_log.flush()  # claims just checked are in it
    rows = exports.export_rows(get_db(), export_filter(arguments))
    name = f"factcheck-checks-{utc_now().date().isoformat()}.{fmt}"
    if fmt == "csv":
        response = Response(exports.to_csv(rows), mimetype="text/csv")
    else:
        filters = {key: str(value) for key, value in arguments.items() if value is not None}
        response = jsonify({"count": len(rows), "filters": filters, "checks": rows})
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# Verdicts that moved ------------------------------------------------------------------------


@bp.route("/changes")
@bp.arguments(VerdictChangeQuerySchema, location="query", unknown=RAISE)  # misspelt: 422
@bp.response(200, VerdictChangeListSchema)
@bp.alt_response(401, schema=ErrorSchema, description="No valid API token")
@bp.alt_response(422, schema=ErrorSchema, description="Invalid filter: the fields say which")
@bp.doc(security=BEARER)
def verdict_changes(arguments: dict[str, Any]) -> dict[str, Any]:
    """Claims whose automatic verdict moved when re-checked after an import or a change.

    What ``/review/changes`` lists, newest first: the claim, the verdict before and after, and
    the passage that moved it. ``since`` and ``until`` (UTC days, both included) bound when
    the verdict moved.
    """
    page = rechecks.verdict_changes(
        get_db(),
        page=arguments["page"],
        per_page=arguments["per_page"],
        since=arguments.get("since"),
        until=arguments.get("until"),
    )
    return page_body(page, [verdict_change_body(change) for change in page.items])


def verdict_change_body(change: VerdictChange) -> dict[str, Any]:
    """A moved verdict as :class:`VerdictChangeSchema` shows it."""
    return {
        "id": change.id,
        "check_id": change.check_id,
        "claim": change.claim,
        "before": change.before,
        "after": change.after,
        "confidence": change.confidence,
        "passage_id": change.passage_id,
        "passage_text": change.passage_text,
        "at": change.at,
        "sign_off": url_for("review.check", check_id=change.check_id, _external=True),
    }


# Claim reviews ------------------------------------------------------------------------------


@reviews_bp.route("/reviews")
@reviews_bp.response(200, ClaimReviewFeedSchema, content_type=JSONLD)
def review_feed() -> Response:
    """Every signed-off claim's newest review, as a schema.org DataFeed of ClaimReviews."""
    session = get_db()
    body = {
        "@context": "https://schema.org",
        "@type": "DataFeed",
        "dataFeedElement": [
            review_jsonld(review) for review in claim_reviews.published_reviews(session)
        ],
    }
    return jsonld_response(ClaimReviewFeedSchema().dump(body))


@reviews_bp.route("/reviews/<int(max=2147483647):review_id>")  # larger: no such id, a 404
@reviews_bp.response(200, ClaimReviewSchema, content_type=JSONLD)
@reviews_bp.alt_response(404, schema=ErrorSchema, description="No such review")
def review(review_id: int) -> Response:
    """One signed-off review as schema.org ClaimReview JSON-LD."""
    found = claim_reviews.get_review(get_db(), review_id)
    body = {"@context": "https://schema.org", **review_jsonld(found)}
    return jsonld_response(ClaimReviewSchema().dump(body))


def review_jsonld(found: Any) -> dict[str, Any]:
    """The JSON-LD of one review, with its own URL and the public page of its claim."""
    return claim_reviews.claim_review_jsonld(
        get_db(),
        found,
        review_url=url_for("reviews_api.review", review_id=found.id, _external=True),
        claim_url=url_for("web.check", claim=found.claim, _external=True)
        if "web.check" in current_app.view_functions
        else url_for("reviews_api.review", review_id=found.id, _external=True),
    )


def jsonld_response(body: dict[str, Any]) -> Response:
    """JSON-LD typed as asked: ``application/ld+json`` unless the client prefers plain JSON."""
    response = jsonify(body)
    best = request.accept_mimetypes.best_match([JSONLD, "application/json"], default=JSONLD)
    response.mimetype = best or JSONLD
    return response


# Bodies -------------------------------------------------------------------------------------


def page_body(page: curation.Page, items: list[Any]) -> dict[str, Any]:
    """A page of a list as the list schemas expect it."""
    return {
        "items": items,
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
        "pages": page.pages,
    }


def source_body(row: curation.SourceRow) -> dict[str, Any]:
    """A source with its counts."""
    source = row.source
    return {
        "id": source.id,
        "title": source.title,
        "publisher": source.publisher,
        "url": source.url,
        "published": source.published,
        "published_precision": source.published_precision,
        "reliability": source.reliability,
        "retired": source.retired,
        "origin": source.origin,
        "counts": {"passages": row.passages, "excluded": row.excluded, "active": row.active},
        "created_at": source.created_at,
        "updated_at": source.updated_at,
    }


def source_detail(source_id: str) -> dict[str, Any]:
    """A source with its counts and every passage."""
    session = get_db()
    row = curation.source_row(session, source_id)
    passages = curation.source_passages(session, source_id)
    return {**source_body(row), "passages": [passage_body(p) for p in passages]}


def passage_body(passage: Passage) -> dict[str, Any]:
    """A passage with its curation state."""
    return {
        "id": passage.id,
        "source_id": passage.source_id,
        "position": passage.position,
        "paragraph": passage.paragraph,
        "text": passage.text,
        "original_text": passage.original_text,
        "corrected": passage.text != passage.original_text,
        "context": passage.context,
        "excluded": passage.excluded,
        "excluded_reason": passage.excluded_reason,
        "note": passage.note,
        "version": passage.version,
        "updated_at": passage.updated_at,
    }


def preview_passage(passage: Any) -> dict[str, Any]:
    """A passage (saved, or a draft) as a new source's list shows it."""
    if isinstance(passage, Passage):
        return {
            "id": passage.id,
            "position": passage.position,
            "text": passage.text,
            "excluded": passage.excluded,
            "excluded_reason": passage.excluded_reason,
        }
    return {
        "id": passage.passage_id,
        "position": passage.position,
        "text": passage.text,
        "excluded": passage.excluded_reason is not None,
        "excluded_reason": passage.excluded_reason,
    }


def preview_body(
    document: Document, drafts: list[PassageDraft], reliability: str | None
) -> dict[str, Any]:
    """What adding ``document`` (split into ``drafts``) would give, without saving it."""
    excluded = sum(draft.excluded_reason is not None for draft in drafts)
    return {
        "saved": False,
        "source": {
            "id": document.source_id,
            "title": document.title,
            "publisher": document.publisher,
            "url": document.url,
            "published": document.published,
            "published_precision": document.published_precision,
            "reliability": reliability,
            "retired": False,
            "origin": document.origin,
            "counts": {
                "passages": len(drafts),
                "excluded": excluded,
                "active": len(drafts) - excluded,
            },
            "created_at": None,
            "updated_at": None,
        },
        "passages": [preview_passage(draft) for draft in drafts],
    }


def init_app(app: Flask) -> None:
    """Register both blueprints on the app's API, with the bearer scheme in its document."""
    api = app.extensions["factcheck.web.api"]
    api.spec.components.security_scheme(
        "bearerAuth",
        {"type": "http", "scheme": "bearer", "description": "factcheck reviewer token NAME"},
    )
    api.register_blueprint(bp)
    api.register_blueprint(reviews_bp)
    app.extensions.setdefault(FETCHER_KEY, Fetcher())
