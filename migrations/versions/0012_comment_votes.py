"""comment votes: readers vote comments up (and down, if the site allows), and threads sort
by best (the lower bound of the Wilson score interval)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 22:40:00

A new table, three counted columns on comments (zero for every existing comment, which has no
votes) and a partial index of top-level comments for the 'best' order. The downgrade drops
the votes: a site going back loses them and sorts its threads as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import forum.db

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("votes_up", sa.Integer(), server_default="0", nullable=False))
        batch_op.add_column(
            sa.Column("votes_down", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("score", sa.Double(), server_default="0", nullable=False))
        batch_op.create_index(
            "ix_comments_article_best",
            ["article_id", "score", "root_seq"],
            unique=False,
            sqlite_where=sa.text("depth = 0"),
            postgresql_where=sa.text("depth = 0"),
        )
    op.create_table(
        "comment_votes",
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("article_id", sa.Integer(), nullable=False),
        sa.Column(
            "value",
            sa.Enum(
                "up",
                "down",
                name="vote_value",
                native_enum=False,
                create_constraint=True,
                length=4,
            ),
            nullable=False,
        ),
        sa.Column("created_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", forum.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["article_id"],
            ["articles.id"],
            name=op.f("fk_comment_votes_article_id_articles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["comment_id"],
            ["comments.id"],
            name=op.f("fk_comment_votes_comment_id_comments"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_comment_votes_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("comment_id", "user_id", name=op.f("pk_comment_votes")),
    )
    with op.batch_alter_table("comment_votes", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_comment_votes_article_id"), ["article_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_comment_votes_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("comment_votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_comment_votes_user_id"))
        batch_op.drop_index(batch_op.f("ix_comment_votes_article_id"))
    op.drop_table("comment_votes")
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index("ix_comments_article_best")
        batch_op.drop_column("score")
        batch_op.drop_column("votes_down")
        batch_op.drop_column("votes_up")
