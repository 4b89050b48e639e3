"""Every controller of the forum, in the order Litestar mounts them."""

from __future__ import annotations

from typing import Any

from litestar.static_files import create_static_files_router

from forum.accounts.account_routes import AccountPages
from forum.accounts.admin_routes import AdminUserPages
from forum.accounts.api import SessionApi
from forum.accounts.auth_routes import AuthPages
from forum.accounts.language_routes import LanguageChoice
from forum.accounts.link_routes import LoginLinkApi, LoginLinkPages
from forum.accounts.mention_routes import MentionApi
from forum.accounts.profile_routes import ProfilePages
from forum.articles.admin_routes import ArticleAdminPages
from forum.articles.routes import ArticleApi, ArticlePages
from forum.comments.actions import CommentActions
from forum.comments.api import CommentApi
from forum.comments.feeds import CommentFeed
from forum.comments.live_routes import LiveThreadApi
from forum.comments.notify.routes import NotificationApi, NotificationPages
from forum.comments.pages import ThreadPages
from forum.comments.vote_routes import VoteApi, VotePages
from forum.identity.routes import IdentityPages
from forum.moderation.admin_routes import AdminModerationPages
from forum.moderation.api import ModerationApi
from forum.moderation.article_routes import ArticlePages as ModerationArticlePages
from forum.moderation.comment_routes import CommentPages as ModerationCommentPages
from forum.moderation.log_routes import LogPages as ModerationLogPages
from forum.moderation.queue_routes import QueuePages as ModerationQueuePages
from forum.moderation.reader_routes import ReaderPages, ReportApi
from forum.moderation.user_routes import UserPages as ModerationUserPages
from forum.privacy.account_routes import PersonalDataApi, PrivacySettingsPages
from forum.privacy.routes import AdminPrivacyPages, CookiePages, PolicyPages
from forum.search.routes import SearchApi, SearchPages
from forum.sites.admin_routes import AdminSitePages
from forum.sites.api import SiteCountApi
from forum.sites.embed_routes import EmbedPages
from forum.sites.handoff_routes import HandoffPages
from forum.sites.signin_routes import FrameSignin
from forum.web.health import HealthController
from forum.web.static_assets import STATIC_DIR
from forum.web.static_files import StaticFileSystem


def route_handlers() -> list[Any]:
    return [
        ArticlePages,
        ArticleApi,
        ArticleAdminPages,
        ThreadPages,
        CommentActions,
        CommentFeed,
        CommentApi,
        VotePages,
        VoteApi,
        LiveThreadApi,
        NotificationPages,
        NotificationApi,
        AuthPages,
        LoginLinkPages,
        LoginLinkApi,
        IdentityPages,
        AccountPages,
        LanguageChoice,
        ProfilePages,
        MentionApi,
        AdminUserPages,
        SessionApi,
        PolicyPages,
        CookiePages,
        AdminPrivacyPages,
        PrivacySettingsPages,
        PersonalDataApi,
        SearchPages,
        SearchApi,
        ModerationQueuePages,
        ModerationCommentPages,
        ModerationUserPages,
        ModerationArticlePages,
        ModerationLogPages,
        ModerationApi,
        AdminModerationPages,
        AdminSitePages,
        EmbedPages,
        SiteCountApi,
        HandoffPages,
        FrameSignin,
        ReaderPages,
        ReportApi,
        HealthController,
        create_static_files_router(
            path="/static",
            directories=[STATIC_DIR],
            name="static",
            file_system=StaticFileSystem(),
        ),
    ]
