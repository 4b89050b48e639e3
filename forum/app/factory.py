"""``create_app``: the one place that lists plugins, middleware, providers and stores."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.middleware import DefineMiddleware
from litestar.stores.registry import StoreRegistry
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from forum.accounts.auth import AuthMiddleware
from forum.accounts.current import current_user, provide_current_user, provide_me
from forum.accounts.logins import LoginPolicy
from forum.accounts.models import AccessToken, Login
from forum.accounts.passwords import Passwords, make_hasher
from forum.accounts.permissions import can_moderate
from forum.accounts.throttle import LoginThrottle
from forum.app.routes import route_handlers
from forum.app.wiring import (
    account_hooks,
    comment_hooks,
    moderator_reaches,
    user_data_registry,
)
from forum.comments.config import CommentConfig
from forum.comments.hooks import CommentHooks
from forum.comments.live import LiveThreads
from forum.comments.live_routes import NO_COMPRESSION
from forum.comments.notify import service as notifications
from forum.comments.urls import template_globals as comment_template_globals
from forum.comments.visitor_page import PageCache
from forum.db import Database, Timeouts, generation
from forum.errors import DomainError
from forum.i18n import LANGUAGE_NAMES, LANGUAGES
from forum.i18n.catalogues import load_catalogues
from forum.identity.hooks import template_globals as identity_globals
from forum.identity.oidc import OidcClient, provider_origin
from forum.mail.outbox import Outbox
from forum.mail.worker import run_mail_worker
from forum.moderation import hooks as moderation
from forum.moderation.context import Context as ModerationContext
from forum.moderation.hooks import ModeratorReach
from forum.moderation.reach import provide_reach
from forum.privacy.config import PrivacyConfig, ReplyMails
from forum.privacy.consent import allows, consent_state
from forum.privacy.erasure import Leaving
from forum.privacy.hooks import (
    template_globals,
)
from forum.privacy.middleware import ConsentMiddleware, PageViewMiddleware
from forum.privacy.models import ConsentRecord, PageViewCount
from forum.settings import Settings
from forum.web.access_log import AccessLog
from forum.web.api_docs import openapi_config
from forum.web.broadcast import Broadcast
from forum.web.csrf import ForumCSRFMiddleware, cookie_name, make_csrf_config
from forum.web.errors import (
    domain_error_handler,
    http_exception_handler,
    make_database_error_handler,
    make_fault_handler,
    make_nesting_handler,
    make_unexpected_handler,
    overflow_handler,
)
from forum.web.fast_paths import FastPaths, ForumApp
from forum.web.front_cache import make_front_cache
from forum.web.headers import make_security_headers_hook, security_headers
from forum.web.language import add_content_language, language_of_scope
from forum.web.openapi import document_problems
from forum.web.rate_limits import Caller, RateLimiter, RateLimitMiddleware
from forum.web.reader_cache import make_reader_cache
from forum.web.render_cache import make_render_cache
from forum.web.sessions import SESSION_COOKIE, ForumSessionConfig
from forum.web.static_assets import assets, static_url
from forum.web.stores import close_stores, make_stores
from forum.web.templating import make_template_config
from forum.web.unit_of_work import UnitOfWorkMiddleware, provide_db, provide_uow

COMPRESSION = CompressionConfig(
    backend="brotli",
    brotli_quality=4,
    brotli_gzip_fallback=True,
    gzip_compress_level=6,
    exclude_opt_key=NO_COMPRESSION,
)
"""Bodies of 500 bytes and more, brotli when the client accepts it, else gzip: a 88 KB page
goes out as about 10 KB; quality 4 and level 6 cost ~1 ms a page, 9/11 cost several."""
NO_AUTH = ["^/static/", "^/healthz$"]
"""Paths that never need to know who is asking."""


def _constant(value: Any) -> Provide:
    return Provide(lambda: value, use_cache=True, sync_to_thread=False)


def _privacy_dependencies(
    settings: Settings, outbox: Outbox, hooks: CommentHooks, privacy: PrivacyConfig
) -> dict[str, Provide]:
    """``privacy`` (its config), ``user_data`` (the registry) and ``erasure``."""
    user_data = user_data_registry(settings, hooks)
    return {
        "privacy": _constant(privacy),
        "user_data": _constant(user_data),
        "erasure": _constant(Leaving(settings, outbox, user_data)),
    }


def _login_throttle(settings: Settings, stores: StoreRegistry) -> LoginThrottle:
    return LoginThrottle(
        stores.get("throttle"),
        attempts=settings.login_attempts,
        window_seconds=settings.login_window_minutes * 60,
        secret=settings.effective_secret_key(),
    )


def _rate_limit_caller(scope: Any) -> Caller:
    """Accounts tell the rate limits who asks: the user's id, and moderators are exempt."""
    user = current_user(scope)
    return Caller(str(user.id), can_moderate(user)) if user else Caller()


def _middleware(
    settings: Settings,
    database: Database,
    policy: LoginPolicy,
    privacy: PrivacyConfig,
    limiter: RateLimiter,
) -> list[Any]:
    """Outermost first: the unit of work wraps everything that reads the database."""
    sessions = ForumSessionConfig(
        key=cookie_name(SESSION_COOKIE, settings),
        store="sessions",
        secure=settings.https,
        samesite="lax",
        httponly=True,
        max_age=int(max(policy.idle, policy.browser_max).total_seconds()),
        remember_seconds=int(policy.remember.total_seconds()),
    )
    return [
        UnitOfWorkMiddleware(database),
        sessions.middleware,
        DefineMiddleware(
            AuthMiddleware,
            policy=policy,
            on_authenticated=(ModeratorReach(moderator_reaches()),),
            exclude=NO_AUTH,
        ),
        DefineMiddleware(ForumCSRFMiddleware, config=make_csrf_config(settings)),
        RateLimitMiddleware(limiter, _rate_limit_caller),
        ConsentMiddleware(privacy),
        PageViewMiddleware(privacy),
    ]


def _exception_handlers(settings: Settings) -> dict[Any, Any]:
    return {
        DomainError: domain_error_handler,
        HTTPException: http_exception_handler,
        SQLAlchemyError: make_database_error_handler(settings.debug),
        OverflowError: overflow_handler,
        RecursionError: make_nesting_handler(settings.debug),
        RedisError: make_fault_handler(settings.debug),
        OSError: make_fault_handler(settings.debug),
        Exception: make_unexpected_handler(settings.debug),
    }


@dataclass(frozen=True)
class _Parts:
    """The collaborators built once per app and shared by providers, middleware and hooks."""

    settings: Settings
    database: Database
    outbox: Outbox
    stores: StoreRegistry
    store_check: Any
    policy: LoginPolicy
    passwords: Passwords
    privacy: PrivacyConfig
    comment_hooks: CommentHooks
    rate_limiter: RateLimiter
    live: LiveThreads


def _timeouts(settings: Settings) -> Timeouts:
    return Timeouts(
        connect=settings.database_connect_timeout_seconds,
        statement=settings.database_statement_timeout_seconds,
        pool=settings.database_pool_timeout_seconds,
        busy=settings.sqlite_busy_timeout_seconds,
    )


def _parts(settings: Settings) -> _Parts:
    outbox = Outbox.from_settings(settings)
    live = LiveThreads(
        Broadcast(
            max_streams=settings.live_max_streams,
            redis_url=settings.redis_url,
            channel=f"{settings.redis_prefix}:live",
        )
    )
    stores, store_check = make_stores(settings)
    return _Parts(
        settings=settings,
        database=Database(settings.effective_database_url, timeouts=_timeouts(settings)),
        outbox=outbox,
        stores=stores,
        store_check=store_check,
        policy=LoginPolicy(
            idle=timedelta(minutes=settings.session_idle_minutes),
            remember=timedelta(days=settings.remember_days),
        ),
        passwords=Passwords(
            make_hasher(
                settings.argon2_time_cost, settings.argon2_memory_cost, settings.argon2_parallelism
            )
        ),
        privacy=PrivacyConfig.from_settings(
            settings,
            reply_mails=ReplyMails(
                get=notifications.get_reply_mails, set=notifications.set_reply_mails
            ),
        ),
        comment_hooks=comment_hooks(settings, outbox, live),
        rate_limiter=RateLimiter(stores.get("rate_limits"), settings),
        live=live,
    )


def _dependencies(parts: _Parts) -> dict[str, Provide]:
    """Everything a handler may declare in its signature, by name."""
    settings = parts.settings
    return {
        "settings": _constant(settings),
        "database": _constant(parts.database),
        "uow": Provide(provide_uow),
        "db": Provide(provide_db),
        "outbox": _constant(parts.outbox),
        "hooks": _constant(parts.comment_hooks),
        "passwords": _constant(parts.passwords),
        "throttle": _constant(_login_throttle(settings, parts.stores)),
        "account_hooks": _constant(account_hooks(settings, parts.privacy)),
        "login_policy": _constant(parts.policy),
        "store_check": _constant(parts.store_check),
        "rate_limits": _constant(parts.rate_limiter),
        "live": _constant(parts.live),
        "oidc_clients": _constant(
            {p.name: OidcClient(p, timeout=settings.oidc_timeout_seconds) for p in settings.oidc}
        ),
        "current_user": Provide(provide_current_user, sync_to_thread=False),
        "me": Provide(provide_me, sync_to_thread=False),
        "reach": Provide(provide_reach, sync_to_thread=False),
        **_privacy_dependencies(settings, parts.outbox, parts.comment_hooks, parts.privacy),
        "moderation": _constant(ModerationContext(parts.comment_hooks, parts.outbox, settings)),
        "comment_config": _constant(
            CommentConfig.from_settings(settings, lambda r: allows(r, "preferences"))
        ),
        "page_cache": _constant(
            PageCache(make_render_cache(settings), lambda r: repr(consent_state(r)))
        ),
    }


def _lifespan(parts: _Parts) -> Any:
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        try:
            async with run_mail_worker(
                parts.outbox, parts.database, enabled=parts.settings.mail_worker
            ):
                yield
        finally:
            parts.live.broadcast.close()
            await close_stores(parts.stores)
            parts.database.dispose()

    return lifespan


def _quiet_writes() -> None:
    """Bookkeeping that changes nothing a page for everyone shows: writing it leaves the front
    cache's entries current (``forum.db.generation``)."""
    generation.quiet_tables.update(
        model.__tablename__ for model in (PageViewCount, ConsentRecord, Login, AccessToken)
    )


def _header_options(settings: Settings) -> dict[str, Any]:
    """What the security headers allow beyond our origin: article image hosts, and the
    sign-in providers a login form's redirect leads to."""
    return {
        "https": settings.https,
        "image_hosts": settings.image_hosts,
        "form_targets": [provider_origin(p) for p in settings.oidc],
    }


def create_app(settings: Settings | None = None) -> Litestar:
    """Build the forum for ``settings`` (read from the environment when not given)."""
    settings = settings or Settings.from_env()
    load_catalogues(LANGUAGES)
    _quiet_writes()
    parts = _parts(settings)
    app = ForumApp(
        fast_paths=FastPaths(
            assets(),
            security_headers(**_header_options(settings)),
            make_front_cache(settings),
            make_reader_cache(settings),
        ),
        language_of=language_of_scope(settings),
        route_handlers=route_handlers(),
        dependencies=_dependencies(parts),
        stores=parts.stores,
        middleware=_middleware(
            settings, parts.database, parts.policy, parts.privacy, parts.rate_limiter
        ),
        request_max_body_size=1024 * 1024,
        compression_config=COMPRESSION,
        template_config=make_template_config(
            settings,
            {
                **template_globals(),
                **moderation.template_globals(),
                **comment_template_globals(),
                **identity_globals(settings.oidc),
                "language_names": LANGUAGE_NAMES,
            },
        ),
        exception_handlers=_exception_handlers(settings),
        before_send=[make_security_headers_hook(**_header_options(settings)), add_content_language],
        openapi_config=openapi_config(f"{settings.site_name} API", static_url),
        lifespan=[_lifespan(parts)],
        plugins=[AccessLog(enabled=settings.access_log)],
        debug=False,
    )
    document_problems(app)
    return app
