"""Add the reviewers' session epoch, which ends every session of a reviewer when it changes.

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
    """Add ``reviewers.session_epoch`` (0 for every existing reviewer)."""
    with op.batch_alter_table("reviewers") as batch:
        batch.add_column(
            sa.Column("session_epoch", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    """Drop ``reviewers.session_epoch``."""
    with op.batch_alter_table("reviewers") as batch:
        batch.drop_column("session_epoch")
