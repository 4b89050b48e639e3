"""Server-side sessions on Litestar's session middleware, with three changes of behaviour:

* a visitor with nothing in their session gets no cookie and no store entry;
* a handler can ask for a new session id (``rotate_session``): login, logout, role change;
* a session marked ``remember`` gets a persistent cookie, others a browser-session cookie;
* a thread framed on another site, where browsers block our cookies, carries its own session in
  the ``X-Forum-Frame-Session`` header instead (``start_frame_session``; docs/embedding.md): a
  request with that header is of that session alone, whatever cookie it has, and its answer
  sets no cookie and never changes the id (the frame's script could not learn a new one).

A store that fails (Redis down or slow, a full disk) gives the reader a 503 page: when loading,
through the app's exception handlers; when saving, as the response starts (past those
handlers), by ``ForumSessionMiddleware`` itself.
"""

from __future__ import annotations

import copy
import secrets
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
FRAME_SESSION_HEADER = "x-forum-frame-session"
"""The header a framed thread's script sends its session id in (held in its memory only)."""
NEW_FRAME_SESSION_KEY = "forum_new_frame_session"
FRAME_SESSION_ID_LENGTH = 64
SESSION_COOKIE = "forum_session"
"""The session cookie (``__Host-forum_session`` over https: ``forum.web.csrf.cookie_name``)."""


def rotate_session(scope: Scope) -> None:
    """Give this response a new session id and throw the old one away (fixation defence)."""
    scope.setdefault("state", {})[ROTATE_KEY] = True


def start_frame_session(scope: Scope, data: dict[str, Any]) -> None:
    """Open a new session holding ``data`` whose id this response hands over in the
    ``X-Forum-Frame-Session`` header, not a cookie; the request's own session is untouched."""
    scope.setdefault("state", {})[NEW_FRAME_SESSION_KEY] = dict(data)


def frame_session_id(scope: Scope) -> str | None:
    """The session id a framed thread sent in its header (well-formed or not), else None."""
    for key, value in scope.get("headers", []):
        if key == FRAME_SESSION_HEADER.encode():
            return value.decode("latin-1")
    return None


def _well_formed(session_id: str) -> bool:
    return len(session_id) == FRAME_SESSION_ID_LENGTH and all(
        ch in "0123456789abcdef" for ch in session_id
    )


class ForumSessionBackend(ServerSideSessionBackend):
    config: ForumSessionConfig

    async def load_from_connection(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> dict[str, Any]:
        framed = frame_session_id(connection.scope)
        if framed is not None:
            data = await self._load_frame_session(connection, framed)
        else:
            data = await super().load_from_connection(connection)
        # A deep copy: a flash appended to a list already in the session must count as a change.
        connection.scope.setdefault("state", {})[LOADED_KEY] = copy.deepcopy(data)
        return data

    async def _load_frame_session(
        self, connection: ASGIConnection[Any, Any, Any, Any], session_id: str
    ) -> dict[str, Any]:
        if not _well_formed(session_id):
            return {}
        store = self.config.get_store_from_app(connection.scope["app"])
        data = await self.get(session_id, store=store)
        return self.deserialize_data(data) if data is not None else {}

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
        new_frame = state.pop(NEW_FRAME_SESSION_KEY, None)
        if new_frame is not None:
            headers.add(FRAME_SESSION_HEADER, await self._open_frame_session(new_frame, scope))
        framed = frame_session_id(scope)
        if framed is not None:
            await self._store_frame_session(scope_session, scope, framed)
            return
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

    async def _open_frame_session(self, data: dict[str, Any], scope: Scope) -> str:
        """A new framed thread's session holding ``data``: its id."""
        store = self.config.get_store_from_app(scope["app"])
        frame_id = secrets.token_hex(FRAME_SESSION_ID_LENGTH // 2)
        await store.set(frame_id, self.serialize_data(data, scope), expires_in=self.config.max_age)
        return frame_id

    async def _store_frame_session(
        self, scope_session: ScopeSession, scope: Scope, session_id: str
    ) -> None:
        """Keep a framed thread's session under its id (forgotten when emptied: logged out);
        no cookie, no new id."""
        state = scope.setdefault("state", {})
        state.pop(ROTATE_KEY, None)
        if not _well_formed(session_id):
            return
        store = self.config.get_store_from_app(scope["app"])
        data = dict(scope_session) if isinstance(scope_session, dict) else {}
        if not data:
            await self.delete(session_id, store=store)
        elif data != state.get(LOADED_KEY):
            await store.set(
                session_id, self.serialize_data(data, scope), expires_in=self.config.max_age
            )

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
