"""Auth: who the reviewer is, in the browser (Flask-Login session) and in the API (bearer token).

* ``/login`` and ``/logout`` sign a reviewer in and out. The session cookie is HTTP-only,
  SameSite=Lax and Secure (unless ``FACTCHECK_SECURE_COOKIES`` is off, for plain-http testing).
  Failed sign-ins are throttled per user name and address and per address, before the password
  is hashed (see :mod:`factcheck.review.reviewers`).
* Every state-changing request outside ``/api/`` must carry a CSRF token (Flask-WTF). The API is
  exempt because it never reads the session cookie: a curation call is authorised only by its
  ``Authorization: Bearer`` header, which a cross-site form cannot send.
* :func:`require_token` guards the curation API; :func:`require_reviewer` the ``/review`` pages.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.wrappers import Response as WerkzeugResponse

from factcheck.catalog.database import get_db
from factcheck.errors import APIError
from factcheck.review.reviewers import (
    ReviewerIdentity,
    end_sessions,
    load_identity,
    reviewer_for_token,
    sign_in,
)

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
csrf = CSRFProtect()
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class SignedInReviewer(UserMixin):
    """The Flask-Login user: a reviewer's detached identity."""

    def __init__(self, identity: ReviewerIdentity) -> None:
        self.identity = identity

    def get_id(self) -> str:
        """What the session cookie remembers: the reviewer and the session epoch it began in."""
        return f"{self.identity.id}:{self.identity.session_epoch}"

    @property
    def name(self) -> str:
        """The reviewer's name."""
        return self.identity.name


@login_manager.user_loader
def load_user(user_id: str) -> SignedInReviewer | None:
    """The reviewer a session names, if they are still active and its epoch is still theirs.

    Signing out, a password change or deactivation raises the epoch, so every cookie issued
    before, on any device or copied, stops working.
    """
    reviewer_id, _colon, epoch = user_id.partition(":")
    try:
        identity = load_identity(get_db(), int(reviewer_id), int(epoch))
    except (ValueError, OverflowError):
        return None
    return SignedInReviewer(identity) if identity else None


def current_reviewer() -> ReviewerIdentity:
    """The reviewer of this request: signed in (pages) or named by its token (API)."""
    reviewer = g.get("reviewer")
    if reviewer is not None:
        return reviewer
    if current_user.is_authenticated:
        return current_user.identity
    raise APIError("Sign in first.", status=401)


def require_reviewer() -> WerkzeugResponse | None:
    """``before_request`` of the ``/review`` pages: send strangers to the sign-in page."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    return None


def require_token() -> None:
    """``before_request`` of the curation API: a live bearer token, or a 401 error."""
    header = request.headers.get("Authorization", "")
    scheme, _space, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise APIError(
            "This endpoint needs an API token: Authorization: Bearer <token>.", status=401
        )
    reviewer = reviewer_for_token(get_db(), token.strip())
    if reviewer is None:
        raise APIError("The API token is not valid or has been revoked.", status=401)
    g.reviewer = reviewer


def add_authenticate_header(response: Response) -> Response:
    """``after_request`` of the curation API: a 401 says which scheme to use."""
    if response.status_code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="factcheck"'
    return response


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path on this site, never another site.

    A control character (CR/LF above all) could split the ``Location`` header: refused too.
    """
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and "\\" not in target
        and target.isprintable()
    ):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("review.home")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """Show the sign-in form; sign a reviewer in."""
    next_url = safe_next(request.values.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url)
    if request.method == "GET":
        return render_template("auth/login.html", next_url=next_url, name="")
    name = request.form.get("name", "").strip()
    password = request.form.get("password", "")
    session = get_db()
    outcome = sign_in(session, name, password, request.remote_addr or "unknown")
    session.commit()
    if outcome.throttled:
        minutes = -(-outcome.retry_after // 60)
        error = (
            "Too many failed sign-ins from your address. "
            f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."
        )
        page = render_template("auth/login.html", next_url=next_url, name=name, error=error)
        return page, 429, {"Retry-After": str(outcome.retry_after)}
    if outcome.reviewer is None:
        error = "That name and password do not match a reviewer."
        return render_template("auth/login.html", next_url=next_url, name=name, error=error), 401
    login_user(SignedInReviewer(outcome.reviewer))
    flash(f"Signed in as {outcome.reviewer.name}.")
    return redirect(next_url)


@bp.route("/logout", methods=["GET", "POST"])
def logout() -> Any:
    """Ask to sign out (GET), and sign out (POST, with its CSRF token)."""
    if request.method == "GET":
        return render_template("auth/logout.html")
    if current_user.is_authenticated:
        session = get_db()
        end_sessions(session, current_user.identity.id)  # on every device, copied cookies too
        session.commit()
    logout_user()
    flash("Signed out.")
    return redirect(url_for("auth.login"))


def protect_forms() -> None:
    """``before_request``: CSRF-check every state-changing request outside the API."""
    if request.method in SAFE_METHODS or request.path.startswith("/api/"):
        return
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()


def init_app(app: Flask) -> None:
    """Set the cookie flags, Flask-Login, CSRF protection and the sign-in pages."""
    secure = app.config["SECURE_COOKIES"]
    app.config.update(
        SESSION_COOKIE_SECURE=secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
    )
    # Checked by protect_forms instead, so the token-authenticated API is left alone.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to review."
    login_manager.init_app(app)
    app.before_request(protect_forms)
    app.register_blueprint(bp)
