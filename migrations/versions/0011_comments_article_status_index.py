"""comments by article and status: a thread's page counts its unlisted top-level comments
without reading the whole thread

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 20:40:00

An index and nothing else: the downgrade drops it.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_comments_article_status", "comments", ["article_id", "depth", "status"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_comments_article_status", table_name="comments")
