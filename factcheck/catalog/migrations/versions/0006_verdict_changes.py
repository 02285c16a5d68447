"""Record the logged claims whose automatic verdict moved when re-checked after a change.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create ``verdict_changes``: one row per moved verdict of a logged claim."""
    op.create_table(
        "verdict_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("check_id", sa.Integer(), nullable=False),
        sa.Column("claim", sa.Text(), nullable=False),
        sa.Column("before", sa.String(length=32), nullable=False),
        sa.Column("after", sa.String(length=32), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("passage_id", sa.String(length=200), nullable=True),
        sa.Column("passage_text", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["check_id"], ["claim_checks.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_verdict_changes_check_id", "verdict_changes", ["check_id"])
    op.create_index("ix_verdict_changes_at", "verdict_changes", ["at"])


def downgrade() -> None:
    """Drop ``verdict_changes``."""
    op.drop_index("ix_verdict_changes_at", table_name="verdict_changes")
    op.drop_index("ix_verdict_changes_check_id", table_name="verdict_changes")
    op.drop_table("verdict_changes")
