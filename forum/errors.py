"""What services raise when a request cannot be done: domain errors, free of HTTP.

Services raise these; ``create_app`` maps each class once to an HTML error page or an RFC 9457
problem (``forum.web.errors``), and the request's unit of work rolls back. No service carries
a status code, and no handler translates these by hand (a form may catch ``Invalid`` to show
the fields again).
"""

from __future__ import annotations


class DomainError(Exception):
    """A request that cannot be done, with a message worded for the person who asked.

    ``action`` is an optional (label, local URL) to offer next to the message, e.g. the terms
    to accept before posting.
    """

    def __init__(self, message: str = "", *, action: tuple[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.action = action


class NotFound(DomainError):
    """Nothing of that kind here (or nothing this person may see)."""


class Forbidden(DomainError):
    """It exists, but this person may not do that (a ban, a locked thread, a role)."""


class LoginNeeded(DomainError):
    """Only a logged-in person (or a script with a token) may do that."""


class Conflict(DomainError):
    """Not possible in the current state: someone acted first, or it is already done."""


class Invalid(DomainError):
    """Input that cannot be accepted: a message per field, worded for the person."""

    def __init__(self, errors: dict[str, str], *, action: tuple[str, str] | None = None) -> None:
        super().__init__("; ".join(errors.values()), action=action)
        self.errors = errors


class RateLimited(DomainError):
    """Too many attempts: try again after ``retry_after`` seconds."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))


class Unavailable(DomainError):
    """A dependency (database, store, mail, password hashing capacity) is busy or down."""

    def __init__(self, message: str = "", *, retry_after: int = 5) -> None:
        super().__init__(message)
        self.retry_after = max(1, int(retry_after))
