"""HTML pages to register, log in and out, verify an address and reset a password.

Thin: each handler parses the form and calls one flow or service function; the forms catch
their own errors (``Invalid``, wrong credentials, too many attempts) to show the form again.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.plugins.flash import flash
from litestar.response import Redirect, Template

from forum.accounts import credentials, flows, mails, service
from forum.accounts.auth import login_required, login_url
from forum.accounts.current import CurrentUser
from forum.accounts.hooks import AccountHooks
from forum.accounts.logins import LoginPolicy
from forum.accounts.passwords import Passwords
from forum.accounts.throttle import LoginThrottle
from forum.errors import Invalid, RateLimited
from forum.i18n import N_, gettext
from forum.mail.outbox import Outbox
from forum.settings import Settings
from forum.web.forms import FormData, checked, field, safe_next
from forum.web.rate_limits import Limit, limited
from forum.web.types import AnyRequest
from forum.web.unit_of_work import DbSession, Work

NextPath = Annotated[str, QueryParameter(name="next", max_length=1000)]
SIGNED_UP = N_(
    "Thank you! We have sent a mail to the address you gave: open its link to confirm the "
    "address, then log in."
)


def _login_page(
    context: dict[str, Any], *, status: int = 200, headers: dict[str, str] | None = None
) -> Template:
    return Template("accounts/login.html", status_code=status, headers=headers, context=context)


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

    @post("/register", opt=limited(Limit.REGISTRATION))
    async def register(
        self,
        request: AnyRequest,
        uow: Work,
        passwords: NamedDependency[Passwords],
        outbox: NamedDependency[Outbox],
        settings: NamedDependency[Settings],
        account_hooks: NamedDependency[AccountHooks],
        data: FormData,
    ) -> Template | Redirect:
        """Create an account and send the verification mail; the same answer when the address
        has an account already (its owner is mailed instead), so nobody is logged in here."""
        form = {name: field(data, name) for name in ("username", "email", "display_name")}
        target = safe_next(field(data, "next"))
        registration = service.Registration(
            username=form["username"],
            email=form["email"],
            display_name=form["display_name"],
            password=field(data, "password"),
        )
        try:
            await flows.sign_up(
                request,
                uow,
                passwords,
                outbox,
                settings,
                account_hooks,
                registration,
            )
        except Invalid as exc:
            return Template(
                "accounts/register.html",
                status_code=400,
                context={"form": form, "errors": exc.errors, "next": target},
            )
        flash(request, gettext(SIGNED_UP), category="success")
        return Redirect(login_url(target), status_code=303)

    @get("/login", name="login", sync_to_thread=False)
    def login_form(
        self, current_user: NamedDependency[CurrentUser | None], next_path: NextPath = "/"
    ) -> Template | Redirect:
        """The login form."""
        if current_user is not None:
            return Redirect(safe_next(next_path), status_code=303)
        return _login_page({"form": {}, "error": None, "next": safe_next(next_path)})

    @post("/login")
    async def login(
        self,
        request: AnyRequest,
        uow: Work,
        passwords: NamedDependency[Passwords],
        throttle: NamedDependency[LoginThrottle],
        account_hooks: NamedDependency[AccountHooks],
        login_policy: NamedDependency[LoginPolicy],
        data: FormData,
    ) -> Template | Redirect:
        """Log in by username or email; failures are throttled per account and address."""
        login_name = field(data, "login")[:300]
        target = safe_next(field(data, "next"))
        context = {"form": {"login": login_name}, "next": target}
        try:
            await flows.log_in(
                request,
                uow,
                passwords,
                throttle,
                account_hooks,
                login_policy,
                login=login_name,
                password=field(data, "password"),
                remember=checked(data, "remember"),
            )
        except RateLimited as exc:
            headers = {"Retry-After": str(exc.retry_after)}
            page = {**context, "error": exc.message, "locked": True}
            return _login_page(page, status=429, headers=headers)
        except credentials.WrongCredentials as exc:
            return _login_page({**context, "error": exc.message}, status=400)
        return Redirect(target, status_code=303)

    @post("/logout", sync_to_thread=True)
    def logout(
        self, request: AnyRequest, db: DbSession, current_user: NamedDependency[CurrentUser | None]
    ) -> Redirect:
        """End this session on the server and forget the cookie."""
        flows.log_out(request, db, current_user)
        return Redirect("/", status_code=303)

    @get("/verify/{token:str}", name="verify", sync_to_thread=True)
    def verify(
        self,
        uow: Work,
        outbox: NamedDependency[Outbox],
        settings: NamedDependency[Settings],
        token: FromPath[str],
    ) -> Template:
        """Confirm an email address from the link we mailed (a new account's, or the new
        address of a change, which takes effect now)."""
        user = flows.confirm_address(uow.write(), outbox, settings, token)
        if user is None:
            return Template("accounts/verify.html", status_code=400, context={"ok": False})
        return Template("accounts/verify.html", context={"ok": True, "email": user.email})

    @post(
        "/verify/resend",
        guards=[login_required],
        sync_to_thread=True,
        opt=limited(Limit.RESEND),
    )
    def resend(
        self,
        request: AnyRequest,
        db: DbSession,
        me: NamedDependency[CurrentUser],
        outbox: NamedDependency[Outbox],
        settings: NamedDependency[Settings],
        data: FormData,
    ) -> Redirect:
        """Send the verification link again; back to the page it was asked from (``next``:
        the thread where a held comment said why it waits), else the account page."""
        user = service.get_user(db, me.id)
        if user.email_verified:
            flash(request, gettext("Your email address is already confirmed."), category="info")
        else:
            mails.send_verification(outbox, db, settings, user)
            sent = gettext("We have sent a new link to %(email)s.", email=user.email)
            flash(request, sent, category="success")
        return Redirect(safe_next(field(data, "next"), "/account"), status_code=303)

    @get("/password/forgot", name="password_forgot", sync_to_thread=False)
    def forgot_form(self) -> Template:
        """Ask for a reset link."""
        return Template("accounts/forgot.html", context={"sent": False, "error": None})

    @post("/password/forgot", sync_to_thread=True, opt=limited(Limit.MAIL))
    def forgot(
        self,
        db: DbSession,
        outbox: NamedDependency[Outbox],
        settings: NamedDependency[Settings],
        data: FormData,
    ) -> Template:
        """Mail a reset link if the address has an account; the answer is the same either way."""
        found = service.create_reset_token(
            db, field(data, "email")[:300], timedelta(minutes=settings.reset_link_minutes)
        )
        if found:
            user, token = found
            mails.send_password_reset(outbox, db, settings, user, token)
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

    @post("/password/reset/{token:str}")
    async def reset(
        self,
        request: AnyRequest,
        uow: Work,
        passwords: NamedDependency[Passwords],
        token: FromPath[str],
        data: FormData,
    ) -> Template | Redirect:
        """Set the new password; the link is spent and every session of the account ends."""
        try:
            await credentials.reset_password(uow, passwords, token, field(data, "password"))
        except Invalid as exc:
            valid = "token" not in exc.errors
            return Template(
                "accounts/reset.html",
                status_code=400,
                context={"valid": valid, "token": token, "errors": exc.errors},
            )
        flash(
            request, gettext("Your password has been changed. Please log in."), category="success"
        )
        return Redirect("/login", status_code=303)
