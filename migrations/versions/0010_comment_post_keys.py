"""comment post keys: an Idempotency-Key (API) or form nonce (HTML) posts a comment once

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 20:00:00

A new table and nothing else: the downgrade drops it, and with it only keys that expire
within a day anyway (a retry after the downgrade may post twice).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import forum.db

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "comment_post_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=80), nullable=False),
        sa.Column("key", sa.String(length=260), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=True),
        sa.Column("created_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_comment_post_keys_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_comment_post_keys_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_comment_post_keys")),
        sa.UniqueConstraint("owner", "key", name="uq_comment_post_keys_owner_key"),
    )
    with op.batch_alter_table("comment_post_keys", schema=None) as batch_op:
        batch_op.create_index("ix_comment_post_keys_created_at", ["created_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_comment_post_keys_comment_id"), ["comment_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_comment_post_keys_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("comment_post_keys", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comment_post_keys_user_id"))
        batch_op.drop_index(batch_op.f("ix_comment_post_keys_comment_id"))
        batch_op.drop_index("ix_comment_post_keys_created_at")
    op.drop_table("comment_post_keys")
