"""Every module's models, imported so that ``forum.db.metadata`` knows all tables.

Used by Alembic's env.py and by tests; the app imports models through its routers.
"""

from forum.accounts import models as accounts  # noqa: F401
from forum.articles import models as articles  # noqa: F401
from forum.comments import idempotency as comment_post_keys  # noqa: F401
from forum.comments import models as comments  # noqa: F401
from forum.comments.notify import models as notifications  # noqa: F401
from forum.identity import models as identity  # noqa: F401
from forum.importers import models as importers  # noqa: F401
from forum.mail import models as mail  # noqa: F401
from forum.moderation import models as moderation  # noqa: F401
from forum.privacy import models as privacy  # noqa: F401
from forum.sites import models as sites  # noqa: F401
