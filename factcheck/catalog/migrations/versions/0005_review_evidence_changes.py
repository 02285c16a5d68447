"""Record the evidence changes a signed-off review has not seen: "needs another look".

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    """Create ``review_evidence_changes``: one row per change to a passage a review cites."""
    op.create_table(
        "review_evidence_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("passage_id", sa.String(length=200), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["review_id"], ["claim_reviews.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_review_evidence_changes_review_id", "review_evidence_changes", ["review_id"]
    )


def downgrade() -> None:
    """Drop ``review_evidence_changes``."""
    op.drop_index("ix_review_evidence_changes_review_id", table_name="review_evidence_changes")
    op.drop_table("review_evidence_changes")
