"""What a username, an email address and a display name may be."""

from __future__ import annotations

import re
import unicodedata

from email_validator import EmailNotValidError, validate_email

from forum.accounts.models import User
from forum.i18n import N_, format_number, gettext, ngettext
from forum.text import FieldWords, TextProblem, clean_line

# ASCII after NFKC: fullwidth or mathematical letters fold to plain ones, and look-alikes from
# other scripts (Cyrillic 'а', dotless 'ı') are refused, so nobody can pose as another name.
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_-]+$")

RESERVED_USERNAMES = frozenset(
    [
        "abuse",
        "account",
        "accounts",
        "admin",
        "administrator",
        "administrators",
        "anonymous",
        "api",
        "auth",
        "cookies",
        "deleted",
        "editor",
        "everyone",
        "feed",
        "feeds",
        "forum",
        "guest",
        "help",
        "hostmaster",
        "info",
        "login",
        "logout",
        "mail",
        "me",
        "moderation",
        "moderator",
        "moderators",
        "mod",
        "mods",
        "none",
        "noreply",
        "no-reply",
        "null",
        "official",
        "owner",
        "password",
        "postmaster",
        "privacy",
        "register",
        "root",
        "security",
        "settings",
        "signup",
        "staff",
        "static",
        "support",
        "sysadmin",
        "system",
        "team",
        "terms",
        "undefined",
        "unknown",
        "user",
        "users",
        "verify",
        "webmaster",
        "www",
    ]
)


def username_key(username: str) -> str:
    """How usernames are compared: NFKC, then lower case."""
    return unicodedata.normalize("NFKC", username).strip().lower()


DISPLAY_NAME_WORDS = FieldWords(
    required=N_("Display name is required."),
    too_long=lambda limit: ngettext(
        "Display name must be at most %(max_length)s character.",
        "Display name must be at most %(max_length)s characters.",
        limit,
        max_length=format_number(limit),
    ),
    forbidden=N_("Display name contains a character that is not allowed."),
)


def clean_username(raw: str) -> str:
    """The username as it will be shown, or ``TextProblem``."""
    value = unicodedata.normalize("NFKC", raw).strip()
    if not value:
        raise TextProblem(gettext("Username is required."))
    if not (User.USERNAME_MIN <= len(value) <= User.USERNAME_MAX):
        raise TextProblem(
            ngettext(
                "Username must be %(min_length)s to %(max_length)s character long.",
                "Username must be %(min_length)s to %(max_length)s characters long.",
                User.USERNAME_MAX,
                min_length=User.USERNAME_MIN,
                max_length=User.USERNAME_MAX,
            )
        )
    if not USERNAME_PATTERN.match(value):
        raise TextProblem(gettext("Username may use only the letters a–z, digits, '_' and '-'."))
    if value.lower() in RESERVED_USERNAMES:
        raise TextProblem(gettext("That username is reserved. Please choose another."))
    return value


def clean_email(raw: str) -> tuple[str, str]:
    """The normalized address and its comparison key, or ``TextProblem``."""
    value = unicodedata.normalize("NFKC", raw).strip()
    if not value:
        raise TextProblem(gettext("Email address is required."))
    if len(value) > User.EMAIL_MAX:
        raise TextProblem(gettext("Email address is too long."))
    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        raise TextProblem(
            gettext("Please enter a valid email address, like name@example.org.")
        ) from None
    normalized = result.normalized
    if len(normalized) > User.EMAIL_MAX:
        raise TextProblem(gettext("Email address is too long."))
    return normalized, normalized.casefold()


def clean_display_name(raw: str, fallback: str) -> str:
    """The name shown beside comments; the username when left empty."""
    value = clean_line(
        raw, field=DISPLAY_NAME_WORDS, max_length=User.DISPLAY_NAME_MAX, required=False
    )
    return value or fallback
