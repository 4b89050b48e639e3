"""What moderation services raise; routes turn ``status`` into the HTTP answer."""

from __future__ import annotations


class ModerationError(Exception):
    status = 400

    def __init__(self, message: str, *, status: int | None = None, field: str | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        self.field = field


class NotFound(ModerationError):
    status = 404


class Refused(ModerationError):
    """Not allowed, or not possible in this state."""

    status = 403


class AlreadyHandled(ModerationError):
    """Someone else acted first (or the item is no longer in that state): nothing was done."""

    status = 409
