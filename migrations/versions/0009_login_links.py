"""login links: single-use links mailed to an account's verified address, so its owner can log
in while the password attempts are used up by guessers

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 10:00:00

A new table and nothing else: the downgrade drops it, and with it only links that would
have expired within minutes anyway.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import forum.db

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", forum.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_login_links_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_login_links_token_hash")),
    )
    with op.batch_alter_table("login_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_links_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_links_user_id"))
    op.drop_table("login_links")
