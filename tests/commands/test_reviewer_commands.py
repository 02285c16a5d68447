"""Reviewer commands: add with a password from stdin, print a token once, revoke tokens."""

from __future__ import annotations

from sqlalchemy import select

from factcheck.catalog.models import ApiToken, Reviewer


def test_add_token_tokens_and_revoke(app, runner) -> None:
    result = runner.invoke(
        args=["reviewer", "add", "bob", "--admin", "--password-stdin"],
        input="a long enough password\n",
    )
    assert result.exit_code == 0, result.output
    assert "added reviewer bob (admin)" in result.output

    token = runner.invoke(args=["reviewer", "token", "bob"]).output.strip()
    assert token.startswith("fc_") and len(token) > 40
    with app.extensions["factcheck.database"].session() as session:
        assert session.scalar(select(Reviewer.is_admin).where(Reviewer.name == "bob"))
        assert token not in session.scalar(select(ApiToken.token_hash))

    listed = runner.invoke(args=["reviewer", "tokens", "bob"])
    assert listed.output.startswith("1\tcreated ")
    revoked = runner.invoke(args=["reviewer", "revoke-token", "bob"])
    assert revoked.exit_code == 0 and "revoked 1 token(s): 1" in revoked.output
    again = runner.invoke(args=["reviewer", "revoke-token", "bob"])
    assert again.exit_code == 1 and "no live token" in again.output


def test_add_requires_password_stdin_and_reports_refusals(runner) -> None:
    missing = runner.invoke(args=["reviewer", "add", "bob"], input="a long enough password\n")
    assert missing.exit_code == 2 and "--password-stdin" in missing.output
    short = runner.invoke(args=["reviewer", "add", "bob", "--password-stdin"], input="short\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    unknown = runner.invoke(args=["reviewer", "token", "nobody"])
    assert unknown.exit_code == 1 and "no reviewer called 'nobody'" in unknown.output


def test_every_reviewer_command_has_help(runner) -> None:
    for command in ("add", "token", "tokens", "revoke-token"):
        result = runner.invoke(args=["reviewer", command, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output


def test_a_token_may_be_labelled_and_is_listed_with_its_label(app, runner) -> None:
    runner.invoke(
        args=["reviewer", "add", "bob", "--password-stdin"], input="a long enough password\n"
    )
    made = runner.invoke(args=["reviewer", "token", "bob", "--label", "nightly script"])
    assert made.exit_code == 0, made.output
    listed = runner.invoke(args=["reviewer", "tokens", "bob"])
    assert listed.output.rstrip().endswith("\tnightly script")
