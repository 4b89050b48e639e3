"""HTTP surface of accounts: register, log in and out, verify, reset, the account page,
profiles, user administration, and the session API. Thin: each handler calls the service."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Annotated, Any

import msgspec
from anyio import to_thread
from litestar import Controller, Request, Response, delete, get, post
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_204_NO_CONTENT
from sqlalchemy.orm import Session

from forum.accounts import mails, profiles, service
from forum.accounts.auth import (
    SESSION_LOGIN_KEY,
    admin_required,
    login_required,
)
from forum.accounts.current import CurrentUser, current_user
from forum.accounts.models import Role, User
from forum.accounts.passwords import Passwords
from forum.accounts.throttle import LoginThrottle
from forum.accounts.tokens import BadToken
from forum.errors import LoginNeeded
from forum.settings import Settings
from forum.web.forms import FormData, checked, field, safe_next
from forum.web.pagination import MAX_PAGE, PageOutOfRange
from forum.web.sessions import REMEMBER_KEY, rotate_session
from forum.web.unit_of_work import DbSession

AnyRequest = Request[Any, Any, Any]
PageNumber = Annotated[int, QueryParameter(ge=1, le=MAX_PAGE)]
Query = Annotated[str, QueryParameter(max_length=200)]
NextPath = Annotated[str, QueryParameter(name="next", max_length=1000)]


AccountHook = Callable[[AnyRequest, Session, User], None]
"""Called with the request, its database session and the user, inside the request's
transaction: how higher modules (privacy) react to a login or a registration."""


AccountSection = Callable[[Session, int], tuple[str, Mapping[str, Any]]]
"""Given the session and the user's id: a template for /account and its ``section`` context."""

ProfileSection = Callable[[Session, User], tuple[str, Mapping[str, Any]] | None]
"""Given the session and a profile's user: a template for /users/{username} and its
``section`` context, or None to show nothing (the owner's privacy settings say so)."""


@dataclass(frozen=True)
class AccountDeps:
    """What account handlers use from the app: set up once in ``create_app``."""

    settings: Settings
    passwords: Passwords
    outbox: mails.Outbox
    throttle: LoginThrottle
    policy: service.LoginPolicy
    on_login: tuple[AccountHook, ...] = ()
    """Run after every login (form, API, and the one that follows registration)."""
    on_register: tuple[AccountHook, ...] = ()
    """Run when an account has been created, before its first login."""
    sections: tuple[AccountSection, ...] = ()
    """Sections higher modules add to /account (notification mails…), in this order."""
    profile_sections: tuple[ProfileSection, ...] = ()
    """Sections higher modules add to public profiles (the user's comments…), in this order."""


def deps(request: AnyRequest) -> AccountDeps:
    return request.app.state.accounts


def client_address(request: AnyRequest) -> str:
    return request.client.host if request.client else "unknown"


def describe_client(request: AnyRequest) -> str:
    """A short, recognisable name of the browser, e.g. 'Firefox on Linux'."""
    agent = request.headers.get("user-agent", "")
    browser = next(
        (
            name
            for key, name in [
                ("Edg/", "Edge"),
                ("Firefox/", "Firefox"),
                ("Chrome/", "Chrome"),
                ("Safari/", "Safari"),
                ("curl/", "curl"),
            ]
            if key in agent
        ),
        "A browser",
    )
    system = next(
        (
            name
            for key, name in [
                ("Android", "Android"),
                ("iPhone", "iOS"),
                ("iPad", "iOS"),
                ("Windows", "Windows"),
                ("Mac OS", "macOS"),
                ("Linux", "Linux"),
            ]
            if key in agent
        ),
        "",
    )
    return f"{browser} on {system}" if system else browser


def log_in(request: AnyRequest, db: Session, user: User, *, remember: bool) -> None:
    """Start a login: a new row, a new session id (fixation defence), 'remember me' honoured."""
    login = service.start_login(
        db, user, remember=remember, client=describe_client(request), policy=deps(request).policy
    )
    request.set_session({SESSION_LOGIN_KEY: login.id, REMEMBER_KEY: remember})
    rotate_session(request.scope)
    for hook in deps(request).on_login:
        hook(request, db, user)


def _me(request: AnyRequest) -> CurrentUser:
    user = current_user(request)
    if user is None:  # guards run first; this is a safety net
        raise LoginNeeded("Please log in to continue.")
    return user


class AuthPages(Controller):
    """Register, log in, log out, verify an address, reset a password."""

    include_in_schema = False

    @get("/register", name="register", sync_to_thread=False)
    def register_form(self, next_path: NextPath = "/") -> Template:
        """The registration form."""
        return Template(
            "accounts/register.html",
            context={"form": {}, "errors": {}, "next": safe_next(next_path)},
        )

    @post("/register", sync_to_thread=True)
    def register(self, request: AnyRequest, db: DbSession, data: FormData) -> Template | Redirect:
        """Create an account, log it in and send the verification mail."""
        d = deps(request)
        form = {name: field(data, name) for name in ("username", "email", "display_name")}
        target = safe_next(field(data, "next"))
        try:
            user = service.register(
                db,
                d.passwords,
                service.Registration(
                    username=form["username"],
                    email=form["email"],
                    display_name=form["display_name"],
                    password=field(data, "password"),
                ),
            )
        except service.FormErrors as exc:
            return Template(
                "accounts/register.html",
                status_code=400,
                context={"form": form, "errors": exc.errors, "next": target},
            )
        for hook in d.on_register:
            hook(request, db, user)
        mails.send_verification(d.outbox, db, d.settings, user)
        log_in(request, db, user, remember=False)
        flash(
            request,
            "Welcome! We have sent you a link to confirm your email address.",
            category="success",
        )
        return Redirect(target, status_code=303)

    @get("/login", name="login", sync_to_thread=False)
    def login_form(self, request: AnyRequest, next_path: NextPath = "/") -> Template | Redirect:
        """The login form."""
        if current_user(request):
            return Redirect(safe_next(next_path), status_code=303)
        return Template(
            "accounts/login.html", context={"form": {}, "error": None, "next": safe_next(next_path)}
        )

    @post("/login")
    async def login(
        self, request: AnyRequest, db: DbSession, data: FormData
    ) -> Template | Redirect:
        """Log in by username or email; failures are throttled per account and address."""
        d = deps(request)
        login_name, password = field(data, "login")[:300], field(data, "password")
        target = safe_next(field(data, "next"))
        context = {"form": {"login": login_name}, "next": target}
        client = client_address(request)
        wait = await d.throttle.retry_after(login_name, client)
        if wait:
            minutes = max(1, -(-wait // 60))
            return Template(
                "accounts/login.html",
                status_code=429,
                headers={"Retry-After": str(wait)},
                context={
                    **context,
                    "error": f"Too many failed attempts. Please wait {minutes} "
                    f"minute{'s' if minutes != 1 else ''} and try again, or reset your password.",
                },
            )
        user = await to_thread.run_sync(service.authenticate, db, d.passwords, login_name, password)
        if user is None:
            await d.throttle.record_failure(login_name, client)
            return Template(
                "accounts/login.html",
                status_code=400,
                context={**context, "error": "Wrong username, email or password."},
            )
        await d.throttle.reset(login_name, client)
        await to_thread.run_sync(
            partial(log_in, request, db, user, remember=checked(data, "remember"))
        )
        return Redirect(target, status_code=303)

    @post("/logout", sync_to_thread=True)
    def logout(self, request: AnyRequest, db: DbSession) -> Redirect:
        """End this session on the server and forget the cookie."""
        user = current_user(request)
        if user and user.login_id:
            service.end_login(db, user.login_id)
        request.clear_session()
        rotate_session(request.scope)
        return Redirect("/", status_code=303)

    @get("/verify/{token:str}", name="verify", sync_to_thread=True)
    def verify(self, request: AnyRequest, db: DbSession, token: FromPath[str]) -> Template:
        """Confirm an email address from the link we mailed."""
        try:
            payload = mails.verification_signer(deps(request).settings).unsign(token)
            user = service.mark_email_verified(db, int(payload["u"]), str(payload["e"]))
        except (BadToken, KeyError, TypeError, ValueError):
            user = None
        if user is None:
            return Template("accounts/verify.html", status_code=400, context={"ok": False})
        return Template("accounts/verify.html", context={"ok": True, "email": user.email})

    @post("/verify/resend", guards=[login_required], sync_to_thread=True)
    def resend(self, request: AnyRequest, db: DbSession) -> Redirect:
        """Send the verification link again."""
        d = deps(request)
        user = db.get(User, _me(request).id)
        assert user is not None
        if user.email_verified:
            flash(request, "Your email address is already confirmed.", category="info")
        else:
            mails.send_verification(d.outbox, db, d.settings, user)
            flash(request, f"We have sent a new link to {user.email}.", category="success")
        return Redirect("/account", status_code=303)

    @get("/password/forgot", name="password_forgot", sync_to_thread=False)
    def forgot_form(self) -> Template:
        """Ask for a reset link."""
        return Template("accounts/forgot.html", context={"sent": False, "error": None})

    @post("/password/forgot", sync_to_thread=True)
    def forgot(self, request: AnyRequest, db: DbSession, data: FormData) -> Template:
        """Mail a reset link if the address has an account; the answer is the same either way."""
        d = deps(request)
        found = service.create_reset_token(
            db, field(data, "email")[:300], timedelta(minutes=d.settings.reset_link_minutes)
        )
        if found:
            user, token = found
            mails.send_password_reset(d.outbox, db, d.settings, user, token)
        return Template("accounts/forgot.html", context={"sent": True, "error": None})

    @get("/password/reset/{token:str}", name="password_reset", sync_to_thread=True)
    def reset_form(self, db: DbSession, token: FromPath[str]) -> Template:
        """Choose a new password."""
        valid = service.reset_token_is_valid(db, token)
        return Template(
            "accounts/reset.html",
            status_code=200 if valid else 400,
            context={"valid": valid, "token": token, "errors": {}},
        )

    @post("/password/reset/{token:str}", sync_to_thread=True)
    def reset(
        self, request: AnyRequest, db: DbSession, token: FromPath[str], data: FormData
    ) -> Template | Redirect:
        """Set the new password; the link is spent and every session of the account ends."""
        try:
            service.reset_password(db, deps(request).passwords, token, field(data, "password"))
        except service.FormErrors as exc:
            valid = "token" not in exc.errors
            return Template(
                "accounts/reset.html",
                status_code=400,
                context={"valid": valid, "token": token, "errors": exc.errors},
            )
        flash(request, "Your password has been changed. Please log in.", category="success")
        return Redirect("/login", status_code=303)


class AccountPages(Controller):
    """A user's own settings: name, email, password, sessions, access tokens."""

    path = "/account"
    include_in_schema = False
    guards = [login_required]

    def _page(
        self,
        request: AnyRequest,
        db: Session,
        *,
        status: int = 200,
        errors: dict[str, str] | None = None,
        new_token: str | None = None,
    ) -> Template:
        me = _me(request)
        user = db.get(User, me.id)
        assert user is not None
        return Template(
            "accounts/account.html",
            status_code=status,
            context={
                "user": user,
                "logins": service.list_logins(db, me.id),
                "current_login": me.login_id,
                "tokens": service.list_access_tokens(db, me.id),
                "errors": errors or {},
                "new_token": new_token,
                "sections": [section(db, me.id) for section in deps(request).sections],
            },
        )

    @get("/", name="account", sync_to_thread=True)
    def show(self, request: AnyRequest, db: DbSession) -> Template:
        """The account page."""
        return self._page(request, db)

    @post("/profile", sync_to_thread=True)
    def profile(self, request: AnyRequest, db: DbSession, data: FormData) -> Template | Redirect:
        """Change the display name."""
        user = db.get(User, _me(request).id)
        assert user is not None
        try:
            service.change_display_name(db, user, field(data, "display_name"))
        except service.FormErrors as exc:
            db.rollback()
            return self._page(request, db, status=400, errors=exc.errors)
        flash(request, "Your display name has been saved.", category="success")
        return Redirect("/account", status_code=303)

    @post("/email", sync_to_thread=True)
    def email(self, request: AnyRequest, db: DbSession, data: FormData) -> Template | Redirect:
        """Change the email address: the new one must be confirmed, the old one is told."""
        d = deps(request)
        user = db.get(User, _me(request).id)
        assert user is not None
        try:
            old = service.change_email(
                db, d.passwords, user, field(data, "email"), field(data, "current_password")
            )
        except service.FormErrors as exc:
            db.rollback()
            return self._page(request, db, status=400, errors=exc.errors)
        mails.send_verification(d.outbox, db, d.settings, user)
        if old:
            mails.send_email_changed(d.outbox, db, d.settings, user, old)
        flash(
            request,
            "Your email address has been changed. Please confirm it from the link we sent there.",
            category="success",
        )
        return Redirect("/account", status_code=303)

    @post("/password", sync_to_thread=True)
    def password(self, request: AnyRequest, db: DbSession, data: FormData) -> Template | Redirect:
        """Change the password; other sessions end."""
        me = _me(request)
        user = db.get(User, me.id)
        assert user is not None
        try:
            service.change_password(
                db,
                deps(request).passwords,
                user,
                field(data, "current_password"),
                field(data, "new_password"),
                keep_login=me.login_id,
            )
        except service.FormErrors as exc:
            db.rollback()
            return self._page(request, db, status=400, errors=exc.errors)
        rotate_session(request.scope)
        flash(
            request,
            "Your password has been changed. Your other sessions have ended.",
            category="success",
        )
        return Redirect("/account", status_code=303)

    @post("/logout-everywhere", sync_to_thread=True)
    def logout_everywhere(self, request: AnyRequest, db: DbSession) -> Redirect:
        """End every session of the account, this one included."""
        service.end_all_logins(db, _me(request).id)
        request.clear_session()
        rotate_session(request.scope)
        return Redirect("/login", status_code=303)

    @post("/tokens", sync_to_thread=True)
    def create_token(self, request: AnyRequest, db: DbSession, data: FormData) -> Template:
        """Create a personal access token; its secret is shown this once."""
        user = db.get(User, _me(request).id)
        assert user is not None
        try:
            _, secret = service.create_access_token(db, user, field(data, "name"))
        except service.FormErrors as exc:
            return self._page(request, db, status=400, errors=exc.errors)
        return self._page(request, db, new_token=secret)

    @post("/tokens/{token_id:int}/revoke", sync_to_thread=True)
    def revoke_token(self, request: AnyRequest, db: DbSession, token_id: FromPath[int]) -> Redirect:
        """Revoke one of your access tokens."""
        if not service.revoke_access_token(db, _me(request).id, token_id):
            raise NotFoundException("There is no such token.")
        flash(request, "The token has been revoked.", category="success")
        return Redirect("/account", status_code=303)


class ProfilePages(Controller):
    include_in_schema = False

    @get("/users/{username:str}", name="profile", sync_to_thread=True)
    def profile(self, request: AnyRequest, db: DbSession, username: FromPath[str]) -> Template:
        """A user's public profile, as its owner's privacy settings allow.

        A profile the reader may not see answers exactly as a missing user does: 404.
        """
        me = current_user(request)
        try:
            user = service.get_by_username(db, username)
        except service.NotFound:
            user = None
        own = user is not None and me is not None and me.id == user.id
        if user is None or not profiles.profile_visible(
            user.profile_visibility, member=me is not None, own=own
        ):
            raise NotFoundException("There is no user with that name.")
        sections = [section(db, user) for section in deps(request).profile_sections]
        return Template(
            "accounts/profile.html",
            context={
                "profile": user,
                "name": profiles.shown_name(user.public_name, user.username, user.display_name),
                "indexable": profiles.indexable(user),
                "own": own,
                "sections": [s for s in sections if s is not None],
            },
        )


class AdminUserPages(Controller):
    path = "/admin/users"
    include_in_schema = False
    guards = [admin_required]

    @get("/", name="admin_users", sync_to_thread=True)
    def list_users(self, db: DbSession, q: Query = "", page: PageNumber = 1) -> Template:
        """Search users and change their roles."""
        try:
            result = service.search_users(db, q, page)
        except PageOutOfRange as exc:
            raise NotFoundException(str(exc)) from None
        return Template(
            "accounts/admin_users.html",
            context={"page": result, "q": q, "roles": [r.value for r in Role]},
        )

    @post("/{user_id:int}/role", sync_to_thread=True)
    def set_role(
        self, request: AnyRequest, db: DbSession, user_id: FromPath[int], data: FormData
    ) -> Redirect:
        """Grant or revoke moderator (or editor); administrators are made with the CLI."""
        if user_id == _me(request).id:
            raise PermissionDeniedException("You cannot change your own role.")
        try:
            role = Role(field(data, "role"))
        except ValueError:
            raise PermissionDeniedException("That role cannot be given here.") from None
        if role is Role.ADMIN:
            raise PermissionDeniedException("Administrators are appointed with the forum command.")
        try:
            target = db.get(User, user_id)
            if target is not None and target.role is Role.ADMIN:
                raise PermissionDeniedException("Administrators cannot be changed here.")
            user = service.set_role(db, user_id, role)
        except service.NotFound:
            raise NotFoundException("There is no such user.") from None
        flash(request, f"{user.username} is now {role.value}.", category="success")
        back = safe_next(field(data, "next"), "/admin/users")
        return Redirect(back, status_code=303)


# --- JSON API -------------------------------------------------------------------------------


class LoginRequest(msgspec.Struct, forbid_unknown_fields=True):
    login: Annotated[str, msgspec.Meta(max_length=300)]
    password: Annotated[str, msgspec.Meta(max_length=4096)]
    remember: bool = False


class Me(msgspec.Struct):
    id: int
    username: str
    display_name: str
    role: str
    email: str | None
    email_verified: bool
    created_at: datetime


def _me_out(user: User) -> Me:
    return Me(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role.value,
        email=user.email,
        email_verified=user.email_verified,
        created_at=user.created_at,
    )


class SessionApi(Controller):
    path = "/api"
    tags = ["accounts"]

    @post("/session", status_code=200)
    async def create_session(
        self, request: AnyRequest, db: DbSession, data: JSONBody[LoginRequest]
    ) -> Response[Any]:
        """Log in (browsers: the session cookie plus the CSRF header on later calls)."""
        d = deps(request)
        client = client_address(request)
        wait = await d.throttle.retry_after(data.login, client)
        if wait:
            return Response(
                {
                    "title": "Too Many Requests",
                    "status": 429,
                    "detail": "Too many failed attempts. Please wait and try again.",
                },
                status_code=429,
                headers={"Retry-After": str(wait)},
                media_type="application/problem+json",
            )
        user = await to_thread.run_sync(
            service.authenticate, db, d.passwords, data.login, data.password
        )
        if user is None:
            await d.throttle.record_failure(data.login, client)
            raise NotAuthorizedException("Wrong username, email or password.")
        await d.throttle.reset(data.login, client)
        await to_thread.run_sync(partial(log_in, request, db, user, remember=data.remember))
        return Response(_me_out(user))

    @delete("/session", sync_to_thread=True, status_code=HTTP_204_NO_CONTENT)
    def delete_session(self, request: AnyRequest, db: DbSession) -> None:
        """Log out: the session ends on the server."""
        user = current_user(request)
        if user and user.login_id:
            service.end_login(db, user.login_id)
        request.clear_session()
        rotate_session(request.scope)

    @get("/me", guards=[login_required], sync_to_thread=True)
    def me(self, request: AnyRequest, db: DbSession) -> Me:
        """The logged-in user."""
        user = db.get(User, _me(request).id)
        assert user is not None
        return _me_out(user)
