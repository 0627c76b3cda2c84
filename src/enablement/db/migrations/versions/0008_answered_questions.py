"""Whether the recommended assets answered each buyer question, by the calibrated answer model.

Revision ID: 0008_answered_questions
Revises: 0007_link_views
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_answered_questions"
down_revision = "0007_link_views"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable: questions stored before the answer model (or served without one) are judged by
    # their closest passage's cosine, as they were.
    op.add_column("questions", sa.Column("answered", sa.Boolean(), nullable=True))
    op.add_column("questions", sa.Column("answer_score", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("questions") as batch:
        batch.drop_column("answer_score")
        batch.drop_column("answered")
