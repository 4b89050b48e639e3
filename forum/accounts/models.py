"""Tables of the accounts module: users, their logins, reset tokens and access tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, false, true
from sqlalchemy.orm import Mapped, mapped_column

from forum.db import Base, UTCDateTime, enum_column, utcnow


class Role(StrEnum):
    """What a user may do beyond reading and commenting."""

    READER = "reader"
    EDITOR = "editor"
    MODERATOR = "moderator"
    ADMIN = "admin"


class ProfileVisibility(StrEnum):
    """Who may see a user's profile page (and be linked to it from their comments)."""

    EVERYONE = "everyone"
    MEMBERS = "members"
    """Logged-in users only."""
    NOBODY = "nobody"


class PublicName(StrEnum):
    """Which of their names is shown beside a user's comments."""

    DISPLAY_NAME = "display_name"
    USERNAME = "username"


UNUSABLE_PASSWORD = "!"  # noqa: S105 - no argon2 hash: never verifies
"""The password hash of an account without a password (signed up through another provider):
it can log in, but no password matches it."""


class User(Base):
    """A person with an account, or an unclaimed profile (imported author, no login)."""

    __tablename__ = "users"

    USERNAME_MIN = 3
    USERNAME_MAX = 30
    DISPLAY_NAME_MAX = 50
    EMAIL_MAX = 254
    LANGUAGE_MAX = 35

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(USERNAME_MAX))
    username_key: Mapped[str] = mapped_column(String(USERNAME_MAX), unique=True)
    """The username lower-cased: uniqueness and look-up ignore case."""
    email: Mapped[str | None] = mapped_column(String(EMAIL_MAX))
    email_key: Mapped[str | None] = mapped_column(String(EMAIL_MAX), unique=True)
    """The normalized address lower-cased; NULL for unclaimed or erased accounts."""
    display_name: Mapped[str] = mapped_column(String(DISPLAY_NAME_MAX))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"), default=Role.READER)
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    comment_count: Mapped[int] = mapped_column(default=0)
    """Published comments, kept current by the comments module for profiles."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    profile_visibility: Mapped[ProfileVisibility] = mapped_column(
        enum_column(ProfileVisibility, "profile_visibility"),
        default=ProfileVisibility.EVERYONE,
        server_default=ProfileVisibility.EVERYONE.value,
    )
    public_name: Mapped[PublicName] = mapped_column(
        enum_column(PublicName, "public_name"),
        default=PublicName.DISPLAY_NAME,
        server_default=PublicName.DISPLAY_NAME.value,
    )
    list_comments: Mapped[bool] = mapped_column(default=True, server_default=true())
    """Whether the profile lists the user's comments (and their number)."""
    allow_indexing: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Whether search engines may index the profile; off unless the user opts in."""
    language: Mapped[str | None] = mapped_column(String(LANGUAGE_MAX))
    """The language the reader chose for the forum (a shipped one); NULL: from the browser."""

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def has_password(self) -> bool:
        """Whether a password can log in (an account made by signing in with another
        provider has none until the person sets one through a reset link)."""
        return self.password_hash is not None and self.password_hash != UNUSABLE_PASSWORD

    @property
    def can_log_in(self) -> bool:
        return self.password_hash is not None and self.email is not None

    @property
    def is_staff(self) -> bool:
        return self.role in {Role.MODERATOR, Role.ADMIN}


class Login(Base):
    """One logged-in session of a user: what 'log out everywhere' and the export list.

    The server-side session holds only this row's id; deleting the row ends the session on
    every device at once, whatever the session store.
    """

    __tablename__ = "logins"
    __table_args__ = (Index("ix_logins_user_id", "user_id"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    rotate: Mapped[bool] = mapped_column(default=False)
    """Set when the user's role changes: the next request gets a new session id."""
    client: Mapped[str] = mapped_column(String(120), default="")
    """A short description of the browser (from its User-Agent), to recognise the session."""


class PasswordResetToken(Base):
    """A single-use reset link; only a hash of the token is stored."""

    __tablename__ = "password_reset_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AccessToken(Base):
    """A personal access token for API scripts (``Authorization: Bearer``); stored hashed."""

    __tablename__ = "access_tokens"

    NAME_MAX = 60

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    """The first characters of the token, shown in the list so people can tell tokens apart."""
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LoginLink(Base):
    """A single-use login link mailed to an account's verified address: how its owner gets in
    while guessers have used up the password attempts. Only a hash of the token is stored."""

    __tablename__ = "login_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
