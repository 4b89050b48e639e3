"""The one refusal moderation names itself; everything else is a ``forum.errors`` class."""

from __future__ import annotations

from forum.errors import Conflict


class AlreadyHandled(Conflict):
    """Someone acted first, or it is already so: nothing was done. Pages say so in a flash
    message and go back; the API answers 409 like any ``Conflict``."""
