"""Reviewer commands: ``factcheck reviewer add|password|deactivate|token|tokens|revoke-token``.

Thin wrappers over :mod:`factcheck.review.reviewers`. Passwords are read from standard input only
(``--password-stdin``), never from the command line where ``ps`` and shell history would see them.
"""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from factcheck.extensions import get_database
from factcheck.review.reviewers import (
    ReviewerError,
    add_reviewer,
    change_password,
    deactivate_reviewer,
    issue_token,
    live_tokens,
    revoke_tokens,
)


@click.group("reviewer")
def reviewer_group() -> None:
    """Manage reviewers and their API tokens."""


@reviewer_group.command("add")
@click.argument("name")
@click.option("--admin", is_flag=True, help="May retire and restore sources.")
@click.option(
    "--password-stdin",
    "password_stdin",
    is_flag=True,
    required=True,
    help="Read the password from standard input (the first line). Required.",
)
@with_appcontext
def add_command(name: str, admin: bool, password_stdin: bool) -> None:
    """Create reviewer NAME, with the password given on standard input."""
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        with get_database().session() as session:
            add_reviewer(session, name, password, is_admin=admin)
    except ReviewerError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"added reviewer {name}" + (" (admin)" if admin else ""))


@reviewer_group.command("password")
@click.argument("name")
@click.option(
    "--password-stdin",
    "password_stdin",
    is_flag=True,
    required=True,
    help="Read the new password from standard input (the first line). Required.",
)
@with_appcontext
def password_command(name: str, password_stdin: bool) -> None:
    """Give reviewer NAME a new password; every session signed in before ends."""
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        with get_database().session() as session:
            change_password(session, name, password)
    except ReviewerError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"changed the password of {name}; their sessions have ended")


@reviewer_group.command("deactivate")
@click.argument("name")
@with_appcontext
def deactivate_command(name: str) -> None:
    """Revoke reviewer NAME: their sessions end, their tokens are revoked, sign-in is refused."""
    try:
        with get_database().session() as session:
            revoked = deactivate_reviewer(session, name)
    except ReviewerError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"deactivated {name}; revoked {len(revoked)} token(s)")


@reviewer_group.command("token")
@click.argument("name")
@click.option("--label", default="", help="What to call the token, to tell it apart later.")
@with_appcontext
def token_command(name: str, label: str) -> None:
    """Print a new API token for reviewer NAME (shown once; only its hash is kept)."""
    try:
        with get_database().session() as session:
            token = issue_token(session, name, label=label.strip()[:80])
    except ReviewerError as error:
        raise click.ClickException(str(error)) from error
    click.echo(token)


@reviewer_group.command("revoke-token")
@click.argument("name")
@click.option("--id", "token_id", type=int, help="Revoke only this token (see `tokens`).")
@with_appcontext
def revoke_token_command(name: str, token_id: int | None) -> None:
    """Revoke reviewer NAME's API tokens (all of them unless --id is given)."""
    try:
        with get_database().session() as session:
            revoked = revoke_tokens(session, name, token_id=token_id)
    except ReviewerError as error:
        raise click.ClickException(str(error)) from error
    if not revoked:
        raise click.ClickException(f"no live token to revoke for {name}")
    click.echo(f"revoked {len(revoked)} token(s): " + ", ".join(map(str, revoked)))


@reviewer_group.command("tokens")
@click.argument("name")
@with_appcontext
def tokens_command(name: str) -> None:
    """List reviewer NAME's live API tokens: id, created, last used, label."""
    try:
        with get_database().session() as session:
            tokens = live_tokens(session, name)
            rows = [
                (
                    token.id,
                    token.created_at.isoformat(timespec="seconds"),
                    token.last_used_at.isoformat(timespec="seconds")
                    if token.last_used_at
                    else "never",
                    token.label,
                )
                for token in tokens
            ]
    except ReviewerError as error:
        raise click.ClickException(str(error)) from error
    if not rows:
        click.echo(f"{name} has no live token")
    for token_id, created, used, label in rows:
        click.echo(
            f"{token_id}\tcreated {created}\tlast used {used}" + (f"\t{label}" if label else "")
        )
