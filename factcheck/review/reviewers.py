"""Reviewers: accounts, password checks, API tokens and the throttle on failed sign-ins.

Plain functions of a SQLAlchemy session, without Flask: the ``reviewer`` commands, the sign-in
page and the API's token check all call them. Passwords are kept as werkzeug scrypt hashes (slow
by design); an API token is shown once when issued and only its sha256 is stored, so a leaked
database does not leak usable tokens (a token has 256 random bits, so a fast hash is enough).

Sign-ins are throttled before the password is hashed, since each check costs a third of a
second of CPU. An attempt is claimed first, in its own transaction that no other claim from
the same address runs beside, and counts as a failure until it succeeds: after
:data:`MAX_FAILURES` for one name from one address, or :data:`MAX_ADDRESS_FAILURES` for any names
from one address, within :data:`FAILURE_WINDOW`, the address must wait until the oldest of them
leaves the window, and parallel attempts cannot slip past the count. What is stored is capped:
names and addresses are cut short, and failures older than the window are deleted.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, delete, func, insert, select, true, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from factcheck.catalog.database import serialised_transaction, short_lock_wait
from factcheck.catalog.models import ApiToken, Reviewer, SignInFailure, as_utc, utc_now
from factcheck.catalog.store import IMPORTER, record_audit

MAX_FAILURES = 5  # per user name and address
MAX_ADDRESS_FAILURES = 20  # per address, whatever the names (guessing with rotating names)
FAILURE_WINDOW = timedelta(minutes=15)
# A token's last use is noted at most this often, and never waits long for the write lock.
TOKEN_USE_INTERVAL = timedelta(minutes=1)
TOKEN_USE_LOCK_WAIT_MS = 200
MIN_PASSWORD_LENGTH = 10
STORED_NAME_LENGTH = 80  # no reviewer's name is longer (NAME_PATTERN)
STORED_ADDRESS_LENGTH = 64
TOKEN_PREFIX = "fc_"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,79}$")
# Actors the catalog already uses for itself: a reviewer by these names would blur the audit.
RESERVED_NAMES = frozenset({IMPORTER, "cli", "system"})
logger = logging.getLogger(__name__)
# Checked against when the user name is unknown, so a miss costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password of anyone", method="scrypt")


class ReviewerError(ValueError):
    """A reviewer operation that cannot be done; the message says why."""


@dataclass(frozen=True)
class ReviewerIdentity:
    """Who is acting: detached from any session, safe to keep on ``g`` or in Flask-Login."""

    id: int
    name: str
    is_admin: bool
    session_epoch: int = 0  # the reviewer's epoch when this identity was read


def identity(reviewer: Reviewer) -> ReviewerIdentity:
    """The detached identity of ``reviewer``."""
    return ReviewerIdentity(
        reviewer.id, reviewer.name, reviewer.is_admin, reviewer.session_epoch or 0
    )


def hash_token(token: str) -> str:
    """The stored form of an API token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def find_reviewer(session: Session, name: str) -> Reviewer | None:
    """The reviewer called ``name``, if any."""
    return session.scalar(select(Reviewer).where(Reviewer.name == name))


def add_reviewer(
    session: Session, name: str, password: str, *, is_admin: bool = False, actor: str = "cli"
) -> Reviewer:
    """Create a reviewer; refuse a taken, reserved or malformed name and a short password."""
    if not NAME_PATTERN.match(name):
        raise ReviewerError(
            "a name is 2 to 80 letters, digits, '.', '_' or '-', starting with a letter or digit"
        )
    if name.lower() in RESERVED_NAMES:
        raise ReviewerError(f"{name!r} is reserved for the service's own audit entries")
    if find_reviewer(session, name) is not None:
        raise ReviewerError(f"a reviewer called {name!r} already exists")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ReviewerError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    reviewer = Reviewer(
        name=name,
        password_hash=generate_password_hash(password, method="scrypt"),
        is_admin=is_admin,
        active=True,
    )
    session.add(reviewer)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="add_reviewer",
        entity_type="reviewer",
        entity_id=name,
        after={"name": name, "is_admin": is_admin},
    )
    return reviewer


def issue_token(session: Session, name: str, *, actor: str = "cli", label: str = "") -> str:
    """Create an API token for reviewer ``name``, called ``label``, and return it (it is never
    shown again)."""
    reviewer = _require(session, name)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    api_token = ApiToken(reviewer_id=reviewer.id, token_hash=hash_token(token), label=label)
    session.add(api_token)
    session.flush()
    record_audit(
        session,
        actor=actor,
        action="issue_token",
        entity_type="reviewer",
        entity_id=name,
        after={"token_id": api_token.id, "label": label} if label else {"token_id": api_token.id},
    )
    return token


def revoke_tokens(
    session: Session, name: str, *, token_id: int | None = None, actor: str = "cli"
) -> list[int]:
    """Revoke reviewer ``name``'s live tokens (or only ``token_id``); return the ids revoked."""
    reviewer = _require(session, name)
    statement = select(ApiToken).where(
        ApiToken.reviewer_id == reviewer.id, ApiToken.revoked_at.is_(None)
    )
    if token_id is not None:
        statement = statement.where(ApiToken.id == token_id)
    tokens = list(session.scalars(statement))
    now = utc_now()
    for api_token in tokens:
        api_token.revoked_at = now
    revoked = [api_token.id for api_token in tokens]
    if revoked:
        record_audit(
            session,
            actor=actor,
            action="revoke_token",
            entity_type="reviewer",
            entity_id=name,
            after={"token_ids": revoked},
        )
    return revoked


def live_tokens(session: Session, name: str) -> list[ApiToken]:
    """Reviewer ``name``'s tokens that are not revoked, oldest first."""
    reviewer = _require(session, name)
    statement = (
        select(ApiToken)
        .where(ApiToken.reviewer_id == reviewer.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.id)
    )
    return list(session.scalars(statement))


def reviewer_for_token(
    session: Session, token: str, *, now: datetime | None = None
) -> ReviewerIdentity | None:
    """The active reviewer a live token belongs to (noting its use), or ``None``.

    Only reads in ``session``: the use is noted apart (see :func:`note_token_use`), so a check
    of a token never waits for, nor fails on, another writer's lock.
    """
    statement = (
        select(ApiToken)
        .join(Reviewer, Reviewer.id == ApiToken.reviewer_id)
        .where(
            ApiToken.token_hash == hash_token(token),
            ApiToken.revoked_at.is_(None),
            Reviewer.active.is_(True),
        )
    )
    api_token = session.scalar(statement)
    if api_token is None:
        return None
    now = now or utc_now()
    last_used = api_token.last_used_at
    if last_used is None or now - as_utc(last_used) >= TOKEN_USE_INTERVAL:
        note_token_use(session.get_bind().engine, api_token.id, now)
    return identity(api_token.reviewer)


def note_token_use(engine: Engine, token_id: int, now: datetime) -> bool:
    """Record when a token was last used, in its own short transaction; ``False`` if skipped.

    When another writer holds the catalog (a long import) the note is skipped after
    :data:`TOKEN_USE_LOCK_WAIT_MS`: it is a hint for ``factcheck reviewer tokens``, and the
    request it belongs to must not wait or fail for it.
    """
    statement = update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now)
    try:
        with (
            engine.connect() as connection,
            short_lock_wait(connection, TOKEN_USE_LOCK_WAIT_MS),
        ):
            connection.execute(statement)
            connection.commit()
    except OperationalError as error:
        logger.info("Token use not noted, the catalog is busy: %s", error)
        return False
    return True


def load_identity(
    session: Session, reviewer_id: int, session_epoch: int | None = None
) -> ReviewerIdentity | None:
    """The identity of an active reviewer by id (what a session cookie names).

    With ``session_epoch`` (what the cookie was issued under), ``None`` unless it is still the
    reviewer's: the sessions were ended since.
    """
    reviewer = session.get(Reviewer, reviewer_id)
    if reviewer is None or not reviewer.active:
        return None
    if session_epoch is not None and session_epoch != (reviewer.session_epoch or 0):
        return None
    return identity(reviewer)


def end_sessions(session: Session, reviewer_id: int) -> None:
    """End every browser session of a reviewer: cookies issued before stop working."""
    session.execute(
        update(Reviewer)
        .where(Reviewer.id == reviewer_id)
        .values(session_epoch=Reviewer.session_epoch + 1)
    )


def change_password(session: Session, name: str, password: str, *, actor: str = "cli") -> None:
    """Give reviewer ``name`` a new password and end every session signed in with the old."""
    reviewer = _require(session, name)
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ReviewerError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    reviewer.password_hash = generate_password_hash(password, method="scrypt")
    session.flush()
    end_sessions(session, reviewer.id)
    record_audit(
        session, actor=actor, action="change_password", entity_type="reviewer", entity_id=name
    )


def deactivate_reviewer(session: Session, name: str, *, actor: str = "cli") -> list[int]:
    """Revoke reviewer ``name``: no sign-in, session or token works any more.

    Returns the ids of the tokens revoked. The account is kept, for the audit log's sake.
    """
    reviewer = _require(session, name)
    reviewer.active = False
    session.flush()
    end_sessions(session, reviewer.id)
    revoked = revoke_tokens(session, name, actor=actor)
    record_audit(
        session, actor=actor, action="deactivate_reviewer", entity_type="reviewer", entity_id=name
    )
    return revoked


@dataclass(frozen=True)
class SignInOutcome:
    """The answer to a sign-in: the reviewer, or why not (and how long to wait)."""

    reviewer: ReviewerIdentity | None
    retry_after: int = 0  # seconds to wait when throttled

    @property
    def throttled(self) -> bool:
        """Whether the attempt was refused without checking the password."""
        return self.retry_after > 0


def sign_in(
    session: Session, name: str, password: str, address: str, *, now: datetime | None = None
) -> SignInOutcome:
    """Check a name and password, throttled per name and address and per address.

    The attempt is claimed (and committed) before the password is checked; a success clears
    that name and address's failures. ``session`` is only read.
    """
    now = now or utc_now()
    engine = session.get_bind().engine
    name_key, address_key = name[:STORED_NAME_LENGTH], address[:STORED_ADDRESS_LENGTH]
    wait = claim_attempt(engine, name_key, address_key, now=now)
    if wait:
        return SignInOutcome(None, retry_after=wait)
    reviewer = find_reviewer(session, name)
    if reviewer is None:
        check_password_hash(_DUMMY_HASH, password)
        valid = False
    else:
        valid = check_password_hash(reviewer.password_hash, password) and reviewer.active
    if reviewer is None or not valid:  # (valid is False without a reviewer; this tells mypy)
        return SignInOutcome(None)  # the claimed attempt stays, as a failure
    with serialised_transaction(engine, address_key) as connection:
        connection.execute(
            delete(SignInFailure).where(
                SignInFailure.username == name_key, SignInFailure.address == address_key
            )
        )
    return SignInOutcome(identity(reviewer))


def claim_attempt(engine: Engine, name: str, address: str, *, now: datetime) -> int:
    """Record a sign-in attempt as a failure unless throttled; return the seconds to wait (0:
    claimed, the password may be checked).

    Counting and claiming happen in one transaction that no other claim from ``address`` runs
    beside, so 40 parallel guesses get exactly :data:`MAX_FAILURES` password checks.
    """
    with serialised_transaction(engine, address) as connection:
        connection.execute(delete(SignInFailure).where(SignInFailure.at <= now - FAILURE_WINDOW))
        wait = throttle_wait(connection, name, address, now=now)
        if not wait:
            connection.execute(insert(SignInFailure).values(username=name, address=address, at=now))
    return wait


def throttle_wait(session: Session | Connection, name: str, address: str, *, now: datetime) -> int:
    """Seconds this name and address must wait before trying again (0: may try now)."""
    since = now - FAILURE_WINDOW
    recent = SignInFailure.at > since
    from_address = SignInFailure.address == address[:STORED_ADDRESS_LENGTH]
    for condition, limit in (
        (SignInFailure.username == name[:STORED_NAME_LENGTH], MAX_FAILURES),
        (true(), MAX_ADDRESS_FAILURES),
    ):
        failures, oldest = session.execute(
            select(func.count(), func.min(SignInFailure.at)).where(from_address, recent, condition)
        ).one()
        if failures >= limit and oldest is not None:
            return max(1, int((as_utc(oldest) + FAILURE_WINDOW - now).total_seconds()) + 1)
    return 0


def _require(session: Session, name: str) -> Reviewer:
    """The reviewer called ``name``, or a :class:`ReviewerError`."""
    reviewer = find_reviewer(session, name)
    if reviewer is None:
        raise ReviewerError(f"no reviewer called {name!r}")
    return reviewer
