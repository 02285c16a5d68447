"""Review: the reviewers' pages under ``/review``, and :func:`init_app`, which wires reviewing in.

Every page needs a signed-in reviewer (:func:`factcheck.review.auth.require_reviewer`) and every
form carries a CSRF token. The pages do what the curation API does, through the same functions of
:mod:`factcheck.review.curation` and the same input schemas:

* ``/review/sources``: the list with counts and filters; ``/review/sources/new`` adds one by URL,
  pasted text or upload, through a preview of its passages before anything is saved;
* ``/review/sources/<id>``: edit metadata and rating, retire or restore, its passages and audit;
* ``/review/passages/<id>``: exclude or include, correct, note; a stale edit is refused (409)
  with the current text on the page;
* ``/review/audit``: the audit log, filtered by source, passage or reviewer;
* ``/review/checks``: the checked claims, most asked first; ``/review/checks/<id>`` signs one off.

Views catch nothing: a change runs inside :func:`~factcheck.review.curation.curation_change`
(commit, audit, re-index), a missing record propagates to the standard 404 page, and a refusal
(invalid input, a conflict, a permission) is shown on the form it came from by the page a view
names in :func:`refusals_shown_by`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import (
    Blueprint,
    Flask,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from marshmallow import Schema, ValidationError

from factcheck.catalog.database import get_db
from factcheck.catalog.models import as_utc
from factcheck.catalog.store import catalog_counts
from factcheck.engine.verdict import CONFLICTING, NOT_ENOUGH_EVIDENCE, REFUTED, SUPPORTED, VERDICTS
from factcheck.engine.verify import Result
from factcheck.errors import Conflict, FactcheckError, InvalidInput, PermissionDenied
from factcheck.extensions import get_search_index
from factcheck.review import api as curation_api
from factcheck.review import auth, claim_reviews, curation, history, rechecks, token_pages
from factcheck.review.auth import current_reviewer, require_reviewer
from factcheck.review.look_again import reviews_needing_another_look
from factcheck.review.schemas import (
    AuditQuerySchema,
    ExportQuerySchema,
    PassagePatchSchema,
    SourcePatchSchema,
    SourceQuerySchema,
    audit_filter,
    source_filter,
)
from factcheck.review.submissions import (
    document_from_page,
    document_from_text,
    document_from_upload,
)
from factcheck.search.index import IndexMissingError
from factcheck.web import check_log
from factcheck.web.check_records import signed_off
from factcheck.web.checks import check_claim

bp = Blueprint("review", __name__, url_prefix="/review")
bp.before_request(require_reviewer)

# Shorter than the public page's words: the reviewers' tables put the verdict in a narrow column.
VERDICT_LABELS = {
    SUPPORTED: "Supported",
    REFUTED: "Refuted",
    CONFLICTING: "Conflicting",
    NOT_ENOUGH_EVIDENCE: "Not enough evidence",
}
ADD_METHODS = ("url", "text", "file")
HOME_CHANGES = 8  # audit entries per page of the home page's latest changes (imports grouped)
# What a form's page shows beside the form rather than on an error page; a missing record (404)
# is not one: there is no form to show it on.
REFUSALS = (InvalidInput, Conflict, PermissionDenied)
View = Callable[..., Any]


def refusals_shown_by(page: View) -> Callable[[View], View]:
    """A view decorator: a refusal the view raises is answered by ``page(refusal, **view_args)``,
    the form again with what went wrong, instead of the standard error page.

    The change was already rolled back by :func:`~factcheck.review.curation.curation_change`;
    anything that is not a refusal propagates to the app's error handlers as usual.
    """

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapped(**view_args: Any) -> Any:
            try:
                return view(**view_args)
            except REFUSALS as refusal:
                return page(refusal, **view_args)

        return wrapped

    return decorate


@bp.app_template_filter("review_verdict")
def verdict_words(verdict: str) -> str:
    """A verdict in words."""
    return VERDICT_LABELS.get(verdict, verdict)


@bp.app_template_filter("audit_value")
def audit_value(value: Any) -> str:
    """A recorded value in words (yes/no, none, a short list), never Python's repr of it."""
    return history.words(value)


@bp.app_template_filter("review_time")
def time_words(moment: Any) -> str:
    """A stored time as ``2026-11-23 14:05 UTC``."""
    if moment is None:
        return ""
    return as_utc(moment).strftime("%Y-%m-%d %H:%M UTC")


@bp.route("/")
def home() -> str:
    """What needs a reviewer: counts, the most asked claims, the latest changes (paged)."""
    check_log.flush()
    session = get_db()
    return render_template(
        "review/home.html",
        counts=catalog_counts(session),
        another_look=[signed_off(review) for review in reviews_needing_another_look(session)],
        checks=claim_reviews.list_checks(session, per_page=5).items,
        changes=history.latest_changes(
            session, page=request.args.get("page", 1, type=int), per_page=HOME_CHANGES
        ),
    )


# Sources ------------------------------------------------------------------------------------


@bp.route("/sources")
def sources() -> Any:
    """The sources, with counts, filtered by words, status and rating."""
    arguments = load_filters(SourceQuerySchema())
    page = curation.list_sources(
        get_db(),
        source_filter(arguments),
    )
    return render_template(
        "review/sources.html", page=page, filters=arguments, scale=curation.RELIABILITY_SCALE
    )


@bp.route("/sources/new")
def new_source() -> str:
    """The three ways to add a source: by URL, by pasting, by uploading a file."""
    return render_new_source()


def render_new_source(
    error: str | None = None, method: str = "url", form: dict[str, Any] | None = None
) -> str:
    """The add-a-source page, with what was typed and what went wrong."""
    return render_template(
        "review/source_new.html",
        error=error,
        method=method,
        form=form or {},
        scale=curation.RELIABILITY_SCALE,
    )


def submitted_method() -> str:
    """How the add-a-source form was filled in: ``url``, ``file``, else ``text``."""
    method = request.form.get("method", "text")
    return method if method in ADD_METHODS else "text"


@bp.route("/sources/preview", methods=["POST"])
@refusals_shown_by(
    lambda refusal: (
        render_new_source(describe(refusal), submitted_method(), request.form.to_dict()),
        refusal.status,
    )
)
def preview_source() -> Any:
    """Read, fetch or extract the submitted source and show its passages; save nothing yet."""
    method = submitted_method()
    if method == "url":
        url = request.form.get("url", "").strip()
        if not url:
            raise curation.CurationError("Give the URL of a page.")
        document = document_from_page(curation_api.get_fetcher().fetch(url))
    elif method == "file":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise curation.CurationError("Choose a .txt, .md or .html file.")
        document = document_from_upload(upload.filename, upload.read())
    else:
        document = document_from_text(
            request.form.get("title", ""),
            request.form.get("text", ""),
            publisher=request.form.get("publisher"),
            url=request.form.get("source_url"),
            published=request.form.get("published"),
        )
    drafts = curation.source_drafts(document, curation_api.source_limits())
    return render_template(
        "review/source_preview.html",
        document=document,
        drafts=drafts,
        scale=curation.RELIABILITY_SCALE,
    )


@bp.route("/sources", methods=["POST"])
@refusals_shown_by(
    lambda refusal: (
        render_new_source(describe(refusal), "text", _as_text_form(request.form)),
        refusal.status,
    )
)
def add_source() -> Any:
    """Save a previewed source, then index its passages."""
    form = request.form
    document = document_from_text(
        form.get("title", ""),
        form.get("text", ""),
        publisher=form.get("publisher"),
        url=form.get("source_url"),
        published=form.get("published"),
        origin=form.get("origin") or "pasted",
        source_id=form.get("source_id") or None,
    )
    with curation.curation_change(get_db(), get_search_index()) as session:
        reliability = form.get("reliability") or None
        curation.add_source(
            session,
            document,
            current_reviewer(),
            reliability=reliability,
            limits=curation_api.source_limits(),
        )
    flash(f"Added {document.title!r}.")
    return redirect(url_for("review.source", source_id=document.source_id))


@bp.route("/sources/<source_id>")
def source(source_id: str) -> Any:
    """A source: its metadata form, its passages and its audit trail."""
    return render_source(source_id)


def render_source(source_id: str, error: str | None = None, status: int = 200) -> Any:
    """The source page, with an error from a refused change if there was one."""
    session = get_db()
    row = curation.source_row(session, source_id)  # or NotFoundError: the 404 page
    html = render_template(
        "review/source.html",
        row=row,
        passages=curation.source_passages(session, source_id),
        changes=history.latest_changes(session, source_id=source_id, per_page=20),
        scale=curation.RELIABILITY_SCALE,
        error=error,
        reviewer=current_reviewer(),
    )
    return html, status


@bp.route("/sources/<source_id>", methods=["POST"])
@refusals_shown_by(
    lambda refusal, source_id: render_source(source_id, describe(refusal), refusal.status)
)
def edit_source(source_id: str) -> Any:
    """Save a source's metadata and rating, or retire or restore it."""
    form = request.form.to_dict()
    form.pop("csrf_token", None)
    if "retired" in form:
        changes_in: dict[str, Any] = {"retired": form["retired"] in ("1", "true", "on")}
    else:
        changes_in = {name: form[name] for name in curation.SOURCE_METADATA if name in form}
        if "reliability" in changes_in:
            changes_in["reliability"] = changes_in["reliability"] or None
    changes = load_form(SourcePatchSchema(), changes_in)
    with curation.curation_change(get_db(), get_search_index()) as session:
        actions = curation.edit_source(session, source_id, changes, current_reviewer())
    flash(("Saved: " + ", ".join(actions) + ".") if actions else "Nothing changed.")
    return redirect(url_for("review.source", source_id=source_id))


# Passages -----------------------------------------------------------------------------------


@bp.route("/passages/<passage_id>")
def passage(passage_id: str) -> Any:
    """A passage: its text and original, its state, the forms that change it, its audit."""
    return render_passage(passage_id)


def render_passage(
    passage_id: str,
    error: str | None = None,
    status: int = 200,
    conflict: curation.EditConflict | None = None,
    submitted: dict[str, Any] | None = None,
) -> Any:
    """The passage page; after a conflict, what the reviewer tried and what is there now."""
    session = get_db()
    found = curation.get_passage(session, passage_id)  # or NotFoundError: the 404 page
    audit = curation.audit_entries(
        session, curation.AuditFilter(entity_type="passage", entity_id=passage_id, per_page=20)
    )
    html = render_template(
        "review/passage.html",
        passage=found,
        source=found.source,
        audit=audit,
        error=error,
        conflict=conflict,
        submitted=submitted or {},
    )
    return html, status


def passage_form() -> dict[str, Any] | None:
    """The passage page's submitted form as a PATCH body, or ``None`` for an unknown action."""
    form = request.form
    action = form.get("action", "")
    data: dict[str, Any] = {"version": form.get("version", "")}
    if action == "exclude":
        data.update(excluded=True, reason=form.get("reason", ""))
    elif action == "include":
        data.update(excluded=False, reason=form.get("reason", ""))
    elif action == "correct":
        data["text"] = form.get("text", "")
    elif action == "note":
        data["note"] = form.get("note", "")
    else:
        return None
    return data


def render_refused_edit(refusal: FactcheckError, passage_id: str) -> Any:
    """The passage page after a refused edit; a conflict shows what the passage holds now."""
    submitted = passage_form() or {}
    if isinstance(refusal, curation.EditConflict):
        message = (
            "Not saved: someone else changed this passage while you were editing it "
            f"(you edited version {refusal.submitted_version}, it is now at version "
            f"{refusal.current['version']}). Its current state is shown below; "
            "apply your change again if it is still needed."
        )
        return render_passage(passage_id, message, 409, refusal, submitted)
    return render_passage(passage_id, describe(refusal), refusal.status, submitted=submitted)


@bp.route("/passages/<passage_id>", methods=["POST"])
@refusals_shown_by(render_refused_edit)
def edit_passage(passage_id: str) -> Any:
    """Apply one form of the passage page: exclude/include, correct or note."""
    data = passage_form()
    if data is None:
        return render_passage(passage_id, "Unknown action.", 400)
    arguments = load_form(PassagePatchSchema(), data)
    edit = curation.PassageEdit(
        version=arguments["version"],
        excluded=arguments.get("excluded"),
        reason=arguments.get("reason"),
        text=arguments.get("text"),
        note=(arguments.get("note") or "") if "note" in arguments else None,
    )
    with curation.curation_change(get_db(), get_search_index()) as session:
        actions = curation.edit_passage(session, passage_id, edit, current_reviewer())
    flash(("Saved: " + ", ".join(actions) + ".") if actions else "Nothing changed.")
    target = request.form.get("next")
    if target and target.startswith("/review/") and auth.safe_next(target) == target:
        return redirect(target)
    return redirect(url_for("review.passage", passage_id=passage_id))


# Audit --------------------------------------------------------------------------------------


@bp.route("/audit")
def audit() -> Any:
    """The audit log, newest first, filtered by source, entity or reviewer."""
    arguments = load_filters(AuditQuerySchema())
    criteria = audit_filter(arguments)
    page = curation.audit_entries(get_db(), criteria)
    return render_template("review/audit.html", page=page, filters=arguments)


# Claim checks and sign-off ------------------------------------------------------------------


@bp.route("/checks")
def checks() -> str:
    """Checked claims, most asked first, with their sign-off if they have one."""
    check_log.flush()
    period = request.args.get("period", "month")
    if period not in claim_reviews.PERIODS:
        period = "month"
    page = claim_reviews.list_checks(
        get_db(),
        period=period,
        page=request.args.get("page", 1, type=int),
        per_page=request.args.get("per_page", 25, type=int),
    )
    return render_template(
        "review/checks.html",
        page=page,
        period=period,
        periods=claim_reviews.PERIODS,
        verdicts=VERDICTS,
    )


@bp.route("/changes")
def verdict_changes() -> str:
    """The logged claims whose verdict moved when re-checked after a change, newest first."""
    page = rechecks.verdict_changes(
        get_db(),
        page=request.args.get("page", 1, type=int),
        per_page=request.args.get("per_page", 25, type=int),
    )
    return render_template("review/verdict_changes.html", page=page)


@bp.route("/exports/checks.<any(csv, json):fmt>")
def export_checks(fmt: str) -> Any:
    """The checked claims as a CSV or JSON download, as the API gives them (422 if invalid)."""
    try:
        arguments = ExportQuerySchema().load(request.args)
    except ValidationError as error:
        raise curation.CurationError(
            "Invalid export filter: " + fields_text(error.normalized_messages()),
            fields=error.normalized_messages(),
        ) from error
    return curation_api.export_response(arguments, fmt)


@bp.route("/checks/<int(max=2147483647):check_id>", methods=["GET", "POST"])  # ids are int32
@refusals_shown_by(
    lambda refusal, check_id: render_check(check_id, describe(refusal), refusal.status)
)
def check(check_id: int) -> Any:
    """Sign a checked claim off: confirm or override the verdict, say why, cite passages."""
    check_log.flush()
    if request.method != "POST":
        return render_check(check_id)
    session = get_db()
    logged = claim_reviews.get_check(session, check_id)  # or NotFoundError: the 404 page
    result = automatic_result(logged.claim)
    with curation.curation_change(session, get_search_index()):
        claim_reviews.sign_off(
            session,
            check_id,
            verdict=request.form.get("verdict", ""),
            automatic_verdict=result.verdict if result else logged.verdict,
            rationale=request.form.get("rationale", ""),
            passage_ids=request.form.getlist("passage"),
            reviewer=current_reviewer(),
        )
    flash(f"Signed off: {logged.claim!r}.")
    return redirect(url_for("review.checks"))


def render_check(check_id: int, error: str | None = None, status: int = 200) -> Any:
    """The sign-off page: the claim, the engine's answer, the newest review, the form."""
    session = get_db()
    logged = claim_reviews.get_check(session, check_id)  # or NotFoundError: the 404 page
    html = render_template(
        "review/check.html",
        logged=logged,
        result=automatic_result(logged.claim),
        review=claim_reviews.newest_review(session, check_id),
        verdicts=VERDICTS,
        error=error,
        form=request.form,
    )
    return html, status


def automatic_result(claim: str) -> Result | None:
    """The engine's answer to a logged claim; ``None`` while there is no index, so a reviewer
    can still sign it off from the passages they know."""
    try:
        return check_claim(claim, limit=10)
    except IndexMissingError:
        return None


# Helpers ------------------------------------------------------------------------------------


def describe(error: FactcheckError) -> str:
    """A refusal in one line: its message, and the fields at fault (unless they only repeat it,
    as a refused fetch's ``url`` does)."""
    fields = {name: problem for name, problem in error.fields.items() if problem != [error.message]}
    if not fields:
        return error.message
    return error.message.replace(": see fields.", "") + ": " + fields_text(fields)


def load_form(schema: Schema, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` as ``schema`` loads it, or a refusal "Not saved: field: problem"."""
    try:
        return schema.load(data)
    except ValidationError as error:
        raise curation.CurationError("Not saved", fields=error.normalized_messages()) from error


def load_filters(schema: Schema) -> dict[str, Any]:
    """A list page's filters from the query string; invalid ones are ignored, as a flash says."""
    try:
        return schema.load(request.args.to_dict())
    except ValidationError as error:
        flash("Some filters were not valid and were ignored: " + ", ".join(error.messages))
        return schema.load({})


def fields_text(messages: Any) -> str:
    """Validation messages as ``field: problem; field: problem``."""
    if isinstance(messages, dict):
        return "; ".join(
            f"{name.lstrip('_')}: {fields_text(value)}" for name, value in messages.items()
        )
    if isinstance(messages, list):
        return ", ".join(str(item) for item in messages)
    return str(messages)


def _as_text_form(form: Any) -> dict[str, Any]:
    """A refused save shown again as a pasted text, so nothing typed is lost."""
    return {
        "title": form.get("title", ""),
        "text": form.get("text", ""),
        "publisher": form.get("publisher", ""),
        "source_url": form.get("source_url", ""),
        "published": form.get("published", ""),
    }


def init_app(app: Flask) -> None:
    """Wire reviewing in: sign-in and CSRF, these pages, and the curation and reviews API."""
    auth.init_app(app)
    app.register_blueprint(bp)
    app.register_blueprint(token_pages.bp)
    curation_api.init_app(app)
    rechecks.init_app(app)  # claims re-checked after each change; /review/changes lists moves
