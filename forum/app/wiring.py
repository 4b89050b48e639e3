"""How the modules take part in each other's life without importing upward: the comment and
account hooks, and the registry of every module that stores personal data."""

from __future__ import annotations

from forum.accounts.hooks import AccountHooks
from forum.accounts.user_data import AccountData, UserData, UserDataRegistry, email_of
from forum.articles.user_data import ArticleData
from forum.comments.hooks import CommentHooks
from forum.comments.live import LiveThreads
from forum.comments.notify.notifier import Notifier
from forum.comments.notify.routes import account_section
from forum.comments.notify.user_data import NotificationData
from forum.comments.user_data import CommentData
from forum.comments.votes import VoteData
from forum.identity.hooks import AccountSection as IdentitySection
from forum.identity.user_data import IdentityData
from forum.importers.user_data import ImportData
from forum.mail.outbox import Outbox
from forum.mail.user_data import OutboxData
from forum.moderation import hooks as moderation
from forum.moderation.banned import BannedIdentities
from forum.moderation.reach import ModeratesThread, Reaches
from forum.moderation.user_data import ModerationData
from forum.privacy.config import PrivacyConfig
from forum.privacy.hooks import (
    MergeConsentAtLogin,
    RemindPendingErasure,
    accept_policies_at_registration,
    profile_comments,
    require_current_terms,
)
from forum.privacy.hooks import account_section as privacy_section
from forum.privacy.user_data import PrivacyData
from forum.search.user_data import SearchData
from forum.settings import Settings
from forum.sites.moderation import SiteReach
from forum.sites.user_data import SiteData


def comment_hooks(settings: Settings, outbox: Outbox, live: LiveThreads) -> CommentHooks:
    """Higher layers take part in a comment's life: moderation screens and says who moderates
    which thread (a site's moderators theirs), privacy asks for the current terms,
    notifications are sent, readers of the thread hear of it."""
    hooks = CommentHooks(moderates=ModeratesThread(moderator_reaches()))
    hooks.on_change.append(live.comment_changed)
    moderation.install(hooks, settings, outbox)
    hooks.before_posting.append(require_current_terms)
    hooks.on_change.append(Notifier(settings, outbox).comment_changed)
    return hooks


def moderator_reaches() -> Reaches:
    """Who moderates which threads beyond the forum's own moderators: a site's moderators
    moderate that site's threads."""
    return Reaches([SiteReach()])


def account_hooks(settings: Settings, privacy: PrivacyConfig) -> AccountHooks:
    """Higher layers take part in accounts: privacy merges consent at login, reminds of a
    pending erasure and records the policies accepted at registration; notifications and
    privacy add their sections to /account, privacy the comment list to profiles; moderation
    refuses a banned name or address; identity lists the linked sign-ins."""
    return AccountHooks(
        on_login=[MergeConsentAtLogin(privacy), RemindPendingErasure(privacy)],
        on_register=[accept_policies_at_registration],
        sections=[account_section, privacy_section, IdentitySection(settings.oidc)],
        profile_sections=[profile_comments],
        before_identity=[BannedIdentities.of(settings).check],
    )


def user_data_registry(settings: Settings, hooks: CommentHooks) -> UserDataRegistry:
    """Every module that stores personal data, for export and erasure (also ``forum privacy
    purge``). Accounts first: the ``users`` row is forgotten last."""
    base = settings.base_url
    parts: list[UserData] = [
        AccountData(base),
        ArticleData(base_url=base),
        CommentData(
            hooks,
            base_url=base,
            client_address_retention_days=settings.client_address_retention_days,
        ),
        VoteData(base_url=base),
        NotificationData(base_url=base),
        ModerationData(base_url=base, identities=BannedIdentities.of(settings)),
        ImportData(),
        IdentityData(),
        SiteData(),
        OutboxData(
            email_of,
            retention_days=settings.mail_retention_days,
            mail_dir=settings.var_dir / "mail",
        ),
        PrivacyData(consent_log_retention_days=settings.consent_log_retention_days),
        SearchData(),
    ]
    registry = UserDataRegistry()
    for part in parts:
        registry.register(part)
    return registry
