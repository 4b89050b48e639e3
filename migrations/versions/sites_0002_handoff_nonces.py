"""sites: the nonces of sites' sign-in hand-offs (replays are refused)

Revision ID: sites_0002
Revises: sites_0001
Create Date: 2026-12-04

A new table only; its rows live minutes. Going down drops it (a hand-off made before could
then be replayed within its five minutes, so do not go down while sites sign readers in).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import forum.db

revision: str = "sites_0002"
down_revision: str | None = "sites_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "site_handoff_nonces",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("used_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_site_handoff_nonces_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("site_id", "nonce", name=op.f("pk_site_handoff_nonces")),
    )
    with op.batch_alter_table("site_handoff_nonces", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_site_handoff_nonces_used_at"), ["used_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("site_handoff_nonces", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_site_handoff_nonces_used_at"))
    op.drop_table("site_handoff_nonces")
