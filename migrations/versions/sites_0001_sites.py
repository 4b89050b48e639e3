"""sites: other sites that frame our threads, their moderators, and their pages' articles

Revision ID: sites_0001
Revises: 0012
Create Date: 2026-12-04

The sites module's own branch (like search's, moderation's and identity's): it needs users and
articles, and nothing else needs it. New tables only; going down drops them, so the articles
made for a site's pages stay as ordinary articles with their threads.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import forum.db

revision: str = "sites_0001"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = ("sites",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("origins", sa.Text(), nullable=False),
        sa.Column("create_on_view", sa.Boolean(), nullable=False),
        sa.Column(
            "comment_mode",
            sa.Enum(
                "open",
                "closed",
                "hidden",
                name="site_comment_mode",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("secret", sa.String(length=64), nullable=False),
        sa.Column("secret_rotated_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
        sa.UniqueConstraint("name", name=op.f("uq_sites_name")),
    )
    op.create_table(
        "site_moderators",
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_site_moderators_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_site_moderators_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("site_id", "user_id", name=op.f("pk_site_moderators")),
    )
    with op.batch_alter_table("site_moderators", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_site_moderators_user_id"), ["user_id"], unique=False)
    op.create_table(
        "site_pages",
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("canonical_url", sa.String(length=2000), nullable=False),
        sa.Column("created_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_site_pages_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["site_id"],
            ["sites.id"],
            name=op.f("fk_site_pages_site_id_sites"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("article_id", name=op.f("pk_site_pages")),
        sa.UniqueConstraint("site_id", "canonical_url", name=op.f("uq_site_pages_site_id")),
    )


def downgrade() -> None:
    """Drops the tables: the articles made for sites' pages stay, unlinked (see above)."""
    op.drop_table("site_pages")
    with op.batch_alter_table("site_moderators", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_site_moderators_user_id"))
    op.drop_table("site_moderators")
    op.drop_table("sites")
