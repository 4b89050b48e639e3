"""identity: the sign-ins (OpenID Connect providers, later a site's own login) linked to accounts

Revision ID: identity_0001
Revises: 0012
Create Date: 2026-12-04

The identity module's own branch (like search's and moderation's): it needs users and nothing
else needs it. A new table only; going down drops it, so accounts made by signing in with a
provider keep their username and address but can then get in only through a password reset
link (the README says so).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import forum.db

revision: str = "identity_0001"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = ("identity",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "linked_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=255), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("label", sa.String(length=60), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("created_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_linked_identities_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_linked_identities")),
        sa.UniqueConstraint("issuer", "subject", name=op.f("uq_linked_identities_issuer")),
    )
    with op.batch_alter_table("linked_identities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_linked_identities_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    """Drops the table: accounts without a password get in by a reset link (see above)."""
    with op.batch_alter_table("linked_identities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_linked_identities_user_id"))
    op.drop_table("linked_identities")
