"""How a user appears to others: the name shown beside their comments, who may see their
profile, whether it lists their comments and whether search engines may index it.

The choices are columns of ``users``; the privacy module offers the page that changes them
(``/account/privacy``) and every module that shows an author asks these functions, so that a
hidden field appears nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from forum.accounts import validation
from forum.accounts.current import CurrentUser
from forum.accounts.models import ProfileVisibility, PublicName, User
from forum.errors import NotFound
from forum.i18n import N_, gettext


def shown_name(public_name: PublicName | str | None, username: str, display_name: str) -> str:
    """The name others see: the display name, or the username when the user chose it."""
    if public_name == PublicName.USERNAME:
        return username
    return display_name or username


def profile_visible(
    visibility: ProfileVisibility | str | None, *, member: bool, own: bool = False
) -> bool:
    """Whether a reader may see (and be linked to) a profile: ``member`` is a logged-in reader,
    ``own`` the profile's owner, who always sees it."""
    if own or visibility is None or visibility == ProfileVisibility.EVERYONE:
        return True
    return visibility == ProfileVisibility.MEMBERS and member


def indexable(user: User) -> bool:
    """Search engines may index only a profile everyone can see whose owner allowed it."""
    return user.allow_indexing and user.profile_visibility is ProfileVisibility.EVERYONE


@dataclass(frozen=True)
class ProfileChoices:
    """The profile settings of one user, as the privacy page shows and saves them."""

    visibility: ProfileVisibility = ProfileVisibility.EVERYONE
    public_name: PublicName = PublicName.DISPLAY_NAME
    list_comments: bool = True
    allow_indexing: bool = False
    """Off by default: privacy by default (GDPR art. 25); a profile is findable only by choice."""

    @classmethod
    def of(cls, user: User) -> ProfileChoices:
        return cls(
            visibility=user.profile_visibility,
            public_name=user.public_name,
            list_comments=user.list_comments,
            allow_indexing=user.allow_indexing,
        )


def save_choices(session: Session, user_id: int, choices: ProfileChoices) -> bool:
    """Store a user's profile choices; True when how others see their comments changed (the
    name shown, or whether their profile is linked), so that cached threads can be renewed."""
    user = session.get(User, user_id)
    if user is None:
        raise LookupError(user_id)
    before = (user.public_name, user.profile_visibility)
    user.profile_visibility = choices.visibility
    user.public_name = choices.public_name
    user.list_comments = choices.list_comments
    user.allow_indexing = choices.allow_indexing
    session.flush()
    return before != (user.public_name, user.profile_visibility)


# --- finding a profile --------------------------------------------------------------------

NO_SUCH_USER = N_("There is no user with that name.")


def get_by_username(session: Session, username: str) -> User:
    if len(username) > User.USERNAME_MAX * 2:
        raise NotFound(gettext(NO_SUCH_USER))
    user = session.scalar(
        select(User).where(User.username_key == validation.username_key(username))
    )
    if user is None:
        raise NotFound(gettext(NO_SUCH_USER))
    return user


def visible_profile(session: Session, username: str, viewer: CurrentUser | None) -> User:
    """The user whose profile ``viewer`` may see. One they may not see is as missing as a
    user who does not exist: ``NotFound`` either way."""
    user = get_by_username(session, username)
    own = viewer is not None and viewer.id == user.id
    if not profile_visible(user.profile_visibility, member=viewer is not None, own=own):
        raise NotFound(gettext(NO_SUCH_USER))
    return user
