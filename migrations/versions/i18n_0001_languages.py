"""i18n: the language an account reads in, and the language an article is written in

Revision ID: i18n_0001
Revises: 0012
Create Date: 2026-12-05

The languages' own branch (like sites', search's and identity's): two nullable columns.
``users.language`` is the reader's choice of the forum's language (NULL: negotiate from the
browser); ``articles.language`` is a BCP 47 tag of the article's own language (NULL: unknown),
which tags the page and picks a search stemmer. Going down drops both; no row is lost.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i18n_0001"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = ("i18n",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=35), nullable=True))
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("language", sa.String(length=35), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("articles", schema=None) as batch_op:
        batch_op.drop_column("language")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("language")
