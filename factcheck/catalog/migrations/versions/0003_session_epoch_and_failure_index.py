"""Add the reviewers' session epoch (raising it ends all their sessions) and an index of sign-in
failures by address (the throttle per address).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Add ``reviewers.session_epoch`` (0 for every existing reviewer) and the address index."""
    with op.batch_alter_table("reviewers") as batch:
        batch.add_column(
            sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_index("ix_sign_in_failures_address", "sign_in_failures", ["address", "at"])


def downgrade() -> None:
    """Drop the address index and ``reviewers.session_epoch``."""
    op.drop_index("ix_sign_in_failures_address", table_name="sign_in_failures")
    with op.batch_alter_table("reviewers") as batch:
        batch.drop_column("session_epoch")
