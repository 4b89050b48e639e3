"""moderation: keyed hashes of banned names and addresses (bans stick after an erasure)

Revision ID: moderation_0002
Revises: moderation_0001
Create Date: 2026-12-14

A new table only. Going down drops it: the hashes of banned names and addresses are lost, so
a person banned and erased before the downgrade may register again under the same name or
address (the README says so).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import forum.db

revision: str = "moderation_0002"
down_revision: str | None = "moderation_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "banned_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("expires_at", forum.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_banned_identities_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_banned_identities")),
    )
    with op.batch_alter_table("banned_identities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_banned_identities_digest"), ["digest"], unique=False)
        batch_op.create_index(batch_op.f("ix_banned_identities_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    """Drops the table: a banned and erased person may register again (see the docstring)."""
    with op.batch_alter_table("banned_identities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_banned_identities_user_id"))
        batch_op.drop_index(batch_op.f("ix_banned_identities_digest"))
    op.drop_table("banned_identities")
