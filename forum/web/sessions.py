"""Server-side sessions on Litestar's session middleware, with three changes of behaviour:

* a visitor with nothing in their session gets no cookie and no store entry;
* a handler can ask for a new session id (``rotate_session``): login, logout, role change;
* a session marked ``remember`` gets a persistent cookie, others a browser-session cookie.

A store that fails (Redis down or slow, a full disk) gives the reader a 503 page: when loading,
through the app's exception handlers; when saving, as the response starts (past those
handlers), by ``ForumSessionMiddleware`` itself.
"""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware import DefineMiddleware
from litestar.middleware.session.base import SessionMiddleware
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.types import ASGIApp, Message, Scope, ScopeSession

from forum.web.errors import FaultLog, fault_response
from forum.web.errors import log as error_log

ROTATE_KEY = "forum_rotate_session"
LOADED_KEY = "forum_session_loaded"
REMEMBER_KEY = "remember"
SESSION_COOKIE = "forum_session"
"""The session cookie (``__Host-forum_session`` over https: ``forum.web.csrf.cookie_name``)."""


def rotate_session(scope: Scope) -> None:
    """Give this response a new session id and throw the old one away (fixation defence)."""
    scope.setdefault("state", {})[ROTATE_KEY] = True


class ForumSessionBackend(ServerSideSessionBackend):
    config: ForumSessionConfig

    async def load_from_connection(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> dict[str, Any]:
        data = await super().load_from_connection(connection)
        # A deep copy: a flash appended to a list already in the session must count as a change.
        connection.scope.setdefault("state", {})[LOADED_KEY] = copy.deepcopy(data)
        return data

    async def store_in_message(
        self,
        scope_session: ScopeSession,
        message: Message,
        connection: ASGIConnection[Any, Any, Any, Any],
    ) -> None:
        scope = connection.scope
        state = scope.setdefault("state", {})
        store = self.config.get_store_from_app(scope["app"])
        headers = MutableScopeHeaders.from_message(message)
        cookie_id = connection.cookies.get(self.config.key)
        if cookie_id == "null":
            cookie_id = None
        rotate = bool(state.pop(ROTATE_KEY, False))
        data = dict(scope_session) if isinstance(scope_session, dict) else {}

        if rotate and cookie_id:
            await self.delete(cookie_id, store=store)
        if not data:
            if cookie_id:
                if not rotate:
                    await self.delete(cookie_id, store=store)
                headers.add("Set-Cookie", self._cookie("", max_age=0))
            return

        new_id = rotate or not cookie_id
        session_id = self.generate_session_id() if new_id else cookie_id
        assert session_id is not None
        remember = bool(data.get(REMEMBER_KEY))
        if new_id or data != state.get(LOADED_KEY):
            lifetime = self.config.remember_seconds if remember else self.config.max_age
            await store.set(session_id, self.serialize_data(data, scope), expires_in=lifetime)
        if new_id:
            max_age = self.config.remember_seconds if remember else None
            headers.add("Set-Cookie", self._cookie(session_id, max_age=max_age))

    def _cookie(self, value: str, *, max_age: int | None) -> str:
        return Cookie(
            key=self.config.key,
            value=value or "null",
            max_age=max_age,
            expires=0 if max_age == 0 else None,
            path=self.config.path,
            domain=self.config.domain,
            secure=self.config.secure,
            httponly=True,
            samesite=self.config.samesite,
        ).to_header(header="")


class ForumSessionMiddleware(SessionMiddleware[ForumSessionBackend]):
    """Litestar's session middleware; a store fault while saving becomes a 503 page."""

    def __init__(self, app: ASGIApp, backend: ForumSessionBackend) -> None:
        super().__init__(app, backend)
        self.faults = FaultLog(error_log)

    def create_send_wrapper(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> Callable[[Message], Awaitable[None]]:
        replaced = False

        async def wrapped_send(message: Message) -> None:
            nonlocal replaced
            if replaced:
                return  # the body of the response the 503 replaced
            if message["type"] != "http.response.start":
                await connection.send(message)
                return
            try:
                await self.backend.store_in_message(
                    connection.scope.get("session"), message, connection
                )
            except Exception as exc:
                request: Request[Any, Any, Any] = Request(connection.scope, connection.receive)
                response = fault_response(request, exc, self.faults)
                if response is None:
                    raise
                replaced = True
                asgi_response = response.to_asgi_response(app=None, request=request)
                await asgi_response(connection.scope, connection.receive, connection.send)
                return
            await connection.send(message)

        return wrapped_send


@dataclass
class ForumSessionConfig(ServerSideSessionConfig):
    """Litestar's server-side session config with our backend and a 'remember me' lifetime."""

    _backend_class = ForumSessionBackend
    remember_seconds: int = field(default=30 * 24 * 3600)

    @property
    def middleware(self) -> DefineMiddleware:
        return DefineMiddleware(ForumSessionMiddleware, backend=self._backend_class(config=self))
