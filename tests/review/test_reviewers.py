"""Reviewers: accounts, slow password hashes, tokens stored as hashes, throttled sign-ins."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from factcheck.catalog.models import ApiToken, AuditEntry, Reviewer, SignInFailure, utc_now
from factcheck.review import reviewers
from factcheck.review.reviewers import (
    FAILURE_WINDOW,
    MAX_ADDRESS_FAILURES,
    MAX_FAILURES,
    ReviewerError,
    add_reviewer,
    hash_token,
    issue_token,
    reviewer_for_token,
    revoke_tokens,
    sign_in,
)

PASSWORD = "correct horse battery"


def test_a_reviewer_keeps_a_slow_hash_never_the_password(database) -> None:
    with database.session() as session:
        add_reviewer(session, "alice", PASSWORD, is_admin=True)
    with database.session() as session:
        reviewer = session.scalar(select(Reviewer))
        assert reviewer.password_hash.startswith("scrypt:")
        assert PASSWORD not in reviewer.password_hash
        assert reviewer.is_admin
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "add_reviewer"))
        assert entry.after == {"name": "alice", "is_admin": True}


@pytest.mark.parametrize(
    ("name", "password", "problem"),
    [
        ("alice", PASSWORD, "already exists"),
        ("importer", PASSWORD, "reserved"),
        ("bad name", PASSWORD, "a name is"),
        ("bob", "short", "at least"),
    ],
)
def test_add_refuses(database, name: str, password: str, problem: str) -> None:
    with database.session() as session:
        add_reviewer(session, "alice", PASSWORD)
    with pytest.raises(ReviewerError, match=problem), database.session() as session:
        add_reviewer(session, name, password)


def test_a_token_is_stored_as_its_hash_and_works_until_revoked(database) -> None:
    with database.session() as session:
        add_reviewer(session, "alice", PASSWORD)
        token = issue_token(session, "alice")
    with database.session() as session:
        stored = session.scalar(select(ApiToken))
        assert stored.token_hash == hash_token(token) and token not in stored.token_hash
        assert reviewer_for_token(session, token).name == "alice"
        assert reviewer_for_token(session, token + "x") is None
    with database.session() as session:
        assert revoke_tokens(session, "alice") == [stored.id]
    with database.session() as session:
        assert reviewer_for_token(session, token) is None
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
        assert actions == ["add_reviewer", "issue_token", "revoke_token"]
        assert all(token not in str(entry.after) for entry in session.scalars(select(AuditEntry)))


def test_sign_in_accepts_the_password_and_refuses_others(database) -> None:
    with database.session() as session:
        add_reviewer(session, "alice", PASSWORD)
    with database.session() as session:
        assert sign_in(session, "alice", PASSWORD, "192.0.2.1").reviewer.name == "alice"
        assert sign_in(session, "alice", "wrong password", "192.0.2.1").reviewer is None
        assert sign_in(session, "nobody", PASSWORD, "192.0.2.1").reviewer is None


def test_failed_sign_ins_are_throttled_per_name_and_address(database) -> None:
    with database.session() as session:
        add_reviewer(session, "alice", PASSWORD)
    now = utc_now()
    with database.session() as session:
        for _ in range(MAX_FAILURES):
            outcome = sign_in(session, "alice", "guess", "192.0.2.1", now=now)
            assert outcome.reviewer is None and not outcome.throttled
    with database.session() as session:
        # Even the right password is not checked while throttled.
        outcome = sign_in(session, "alice", PASSWORD, "192.0.2.1", now=now)
        assert outcome.throttled and outcome.reviewer is None
        assert 0 < outcome.retry_after <= FAILURE_WINDOW.total_seconds() + 1
        # Another address is not affected.
        assert sign_in(session, "alice", PASSWORD, "192.0.2.2", now=now).reviewer is not None
    later = now + FAILURE_WINDOW + timedelta(seconds=1)
    with database.session() as session:
        assert sign_in(session, "alice", PASSWORD, "192.0.2.1", now=later).reviewer is not None
    with database.session() as session:
        # A success clears the pair's failures.
        assert not sign_in(session, "alice", "guess", "192.0.2.1", now=now).throttled


def test_a_token_use_is_noted_at_most_once_a_minute(database) -> None:
    with database.session() as session:
        add_reviewer(session, "alice", PASSWORD)
        token = issue_token(session, "alice")
    with database.session() as session:
        assert reviewer_for_token(session, token) is not None
    with database.session() as session:
        first = session.scalar(select(ApiToken.last_used_at))
        assert first is not None
    with database.session() as session:
        reviewer_for_token(session, token)
    with database.session() as session:
        assert session.scalar(select(ApiToken.last_used_at)) == first


# Issue 12, finding 4: guessing costs scrypt time, so it is throttled before the hash is checked.


def test_failed_sign_ins_are_throttled_per_address_across_names(database) -> None:
    """Rotating unknown names from one address is throttled too, not only one name."""
    now = utc_now()
    with database.session() as session:
        add_reviewer(session, "alice", PASSWORD)
    for number in range(MAX_ADDRESS_FAILURES):
        with database.session() as session:
            outcome = sign_in(session, f"nobody-{number}", "guess", "192.0.2.7", now=now)
            assert not outcome.throttled
    with database.session() as session:
        assert sign_in(session, "alice", PASSWORD, "192.0.2.7", now=now).throttled
        assert sign_in(session, "alice", PASSWORD, "192.0.2.8", now=now).reviewer is not None


def test_what_failures_store_is_capped(database) -> None:
    now = utc_now()
    with database.session() as session:
        session.add(SignInFailure(username="old", address="192.0.2.9", at=now - FAILURE_WINDOW))
    with database.session() as session:
        sign_in(session, "x" * 10_000, "guess", "192.0.2.9" + "9" * 500, now=now)
    with database.session() as session:
        rows = session.execute(select(SignInFailure.username, SignInFailure.address)).all()
    assert [(len(name), len(address)) for name, address in rows] == [(80, 64)]


def test_forty_parallel_wrong_passwords_check_at_most_five(database, monkeypatch) -> None:
    """Each attempt is claimed before its password is hashed, so parallel ones cannot race."""
    with database.session() as session:
        add_reviewer(session, "alice", PASSWORD)
    checked = []
    real_check = reviewers.check_password_hash

    def counting_check(hashed: str, password: str) -> bool:
        checked.append(password)
        return real_check(hashed, password)

    monkeypatch.setattr(reviewers, "check_password_hash", counting_check)

    def attempt(number: int) -> bool:
        with database.session() as session:
            return sign_in(session, "alice", f"guess {number}", "192.0.2.10").throttled

    with ThreadPoolExecutor(max_workers=40) as pool:
        throttled = list(pool.map(attempt, range(40)))
    assert throttled.count(False) == MAX_FAILURES
    assert len(checked) == MAX_FAILURES
