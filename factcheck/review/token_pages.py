"""Token pages: a signed-in reviewer's own API tokens, under ``/review/tokens``.

A reviewer names a new token and sees it once, on the page that answers the form (never in a
flash message, which travels in the session cookie); only its hash is stored. The list shows the
reviewer's live tokens, each with a revoke button. Issuing and revoking go through the same
functions as ``factcheck reviewer token`` and ``revoke-token``, so both are audited alike, with
the reviewer as actor. Every form carries the CSRF token (:mod:`factcheck.review.auth`).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from marshmallow import Schema, ValidationError, fields, validate

from factcheck.catalog.database import get_db
from factcheck.errors import NotFound
from factcheck.review.auth import current_reviewer, require_reviewer
from factcheck.review.reviewers import issue_token, live_tokens, revoke_tokens

bp = Blueprint("tokens", __name__, url_prefix="/review/tokens")
bp.before_request(require_reviewer)

LABEL_LENGTH = 80  # the api_tokens.label column


class TokenFormSchema(Schema):
    """The new-token form: what the reviewer calls the token."""

    label = fields.String(
        required=True,
        validate=validate.Length(min=1, max=LABEL_LENGTH),
        metadata={"description": "What the token is for, to tell it apart when revoking it."},
    )


@bp.route("/")
def tokens() -> Any:
    """The reviewer's live tokens and the form for a new one."""
    return render_tokens()


@bp.route("/", methods=["POST"])
def create_token() -> Any:
    """Issue a token named by the form and show it, this once."""
    try:
        form = TokenFormSchema().load({"label": request.form.get("label", "").strip()})
    except ValidationError as error:
        problems = "; ".join(
            " ".join(messages) for messages in error.normalized_messages().values()
        )
        return render_tokens(error=f"Not created: name: {problems}", status=422)
    reviewer = current_reviewer()
    session = get_db()
    token = issue_token(session, reviewer.name, actor=reviewer.name, label=form["label"])
    session.commit()
    return render_tokens(new_token=token, new_label=form["label"], status=201)


@bp.route("/<int:token_id>/revoke", methods=["POST"])
def revoke_token(token_id: int) -> Any:
    """Revoke one of the reviewer's own live tokens; another's, or a revoked one, is a 404."""
    reviewer = current_reviewer()
    session = get_db()
    label = next((t.label for t in live_tokens(session, reviewer.name) if t.id == token_id), None)
    if label is None:
        raise NotFound(f"You have no live token {token_id}.")
    revoke_tokens(session, reviewer.name, token_id=token_id, actor=reviewer.name)
    session.commit()
    flash(f"Revoked the token “{label}”." if label else f"Revoked token {token_id}.")
    return redirect(url_for("tokens.tokens"))


def render_tokens(
    *,
    new_token: str | None = None,
    new_label: str = "",
    error: str | None = None,
    status: int = 200,
) -> Any:
    """The tokens page, with a token just issued or a refusal, if any."""
    reviewer = current_reviewer()
    html = render_template(
        "review/tokens.html",
        tokens=live_tokens(get_db(), reviewer.name),
        new_token=new_token,
        new_label=new_label,
        error=error,
        label_length=LABEL_LENGTH,
        form=request.form,
    )
    return html, status
