"""Add a label to API tokens, so a reviewer can tell their tokens apart on the tokens page.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Add ``api_tokens.label`` (empty for every existing token)."""
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(
            sa.Column("label", sa.String(length=80), nullable=False, server_default="")
        )


def downgrade() -> None:
    """Drop ``api_tokens.label``."""
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("label")
