"""privacy settings on users (profile visibility, public name, comment list, indexing);
erasure requests

Existing users get the defaults: profile visible to everyone, display name shown, comments
listed, not indexed by search engines.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 17:07:55.828729
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

import forum.db

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "erasure_requests",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("requested_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("delete_comments", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_erasure_requests_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_erasure_requests")),
    )
    with op.batch_alter_table("erasure_requests", schema=None) as batch_op:
        batch_op.create_index("ix_erasure_requests_due_at", ["due_at"], unique=False)

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "profile_visibility",
                sa.Enum(
                    "everyone",
                    "members",
                    "nobody",
                    name="profile_visibility",
                    native_enum=False,
                    create_constraint=True,
                ),
                server_default="everyone",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column(
                "public_name",
                sa.Enum(
                    "display_name",
                    "username",
                    name="public_name",
                    native_enum=False,
                    create_constraint=True,
                ),
                server_default="display_name",
                nullable=False,
            )
        )
        batch_op.add_column(
            sa.Column("list_comments", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("allow_indexing", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


PRIVATE_CHOICES = sa.text(
    "SELECT COUNT(*) FROM users WHERE profile_visibility <> 'everyone' "
    "OR public_name <> 'display_name' OR NOT list_comments OR allow_indexing"
)


def downgrade() -> None:
    """Drops data: every user's privacy settings and the pending erasure requests (the code
    before this revision has neither).

    Dropping them would silently make hidden profiles public and forget who asked to be
    erased, so this refuses while any user chose settings other than the defaults or an
    erasure is pending — unless the operator confirms the loss (``forum db downgrade REV
    --allow-data-loss``, which sets the ``allow_data_loss`` attribute of the Alembic config).
    """
    bind = op.get_bind()
    private = bind.execute(PRIVATE_CHOICES).scalar_one()
    pending = bind.execute(sa.text("SELECT COUNT(*) FROM erasure_requests")).scalar_one()
    if (private or pending) and not context.config.attributes.get("allow_data_loss"):
        raise RuntimeError(
            f"downgrading below 0008 would drop the privacy settings of {private} users "
            f"(hidden profiles would become public) and {pending} pending erasure requests; "
            "run it with --allow-data-loss to confirm"
        )
    with op.batch_alter_table("users", schema=None) as batch_op:
        # SQLite copies the table's CHECK constraints into the new table: drop them first.
        batch_op.drop_constraint(op.f("ck_users_public_name"), type_="check")
        batch_op.drop_constraint(op.f("ck_users_profile_visibility"), type_="check")
        batch_op.drop_column("allow_indexing")
        batch_op.drop_column("list_comments")
        batch_op.drop_column("public_name")
        batch_op.drop_column("profile_visibility")

    with op.batch_alter_table("erasure_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_erasure_requests_due_at")

    op.drop_table("erasure_requests")
