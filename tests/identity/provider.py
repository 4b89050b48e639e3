"""A small OpenID Connect provider for tests, served for real on loopback (tests.serving).

It publishes a discovery document and its JWKS, answers the authorization endpoint at once
for the person a test chose (or with ``access_denied``), and redeems a code once at the token
endpoint, checking the client's secret, the redirect URI and the PKCE verifier (S256), for an
ID token signed with its RSA key. A test can make the token lie (``overrides`` of claims) or
sign it with another key under the same ``kid``.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from litestar import Litestar, Request, get, post
from litestar.response import Redirect, Response

CLIENT_ID = "forum-test"
CLIENT_SECRET = "s3cret-of-the-forum"


@dataclass
class Person:
    subject: str = "alice-0001"
    email: str | None = "alice@example.org"
    email_verified: Any = True
    preferred_username: str = "alice"


@dataclass
class ProviderState:
    issuer: str = ""
    person: Person = field(default_factory=Person)
    deny: bool = False
    overrides: dict[str, Any] = field(default_factory=dict)
    wrong_key: bool = False
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, {"kid": "k1"}))
    other_key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, {"kid": "k1"}))

    def reset(self) -> None:
        self.person, self.deny, self.overrides, self.wrong_key = Person(), False, {}, False
        self.codes.clear()

    def id_token(self, grant: dict[str, Any]) -> str:
        person, now = grant["person"], int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": person.subject,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": grant["nonce"],
            "email": person.email,
            "email_verified": person.email_verified,
            "preferred_username": person.preferred_username,
        }
        claims.update(self.overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        key = self.other_key if self.wrong_key else self.key
        return jwt.encode({"alg": "RS256", "kid": "k1"}, claims, key)


def _challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def provider_app(state: ProviderState) -> Litestar:
    @get("/.well-known/openid-configuration", sync_to_thread=False)
    def discovery() -> dict[str, Any]:
        return {
            "issuer": state.issuer,
            "authorization_endpoint": f"{state.issuer}/authorize",
            "token_endpoint": f"{state.issuer}/token",
            "jwks_uri": f"{state.issuer}/jwks",
            "response_types_supported": ["code"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
        }

    @get("/jwks", sync_to_thread=False)
    def jwks() -> dict[str, Any]:
        return KeySet([state.key]).as_dict(private=False)

    @get("/authorize", sync_to_thread=False)
    def authorize(request: Request[Any, Any, Any]) -> Redirect:
        q = request.query_params
        assert q["client_id"] == CLIENT_ID and q["response_type"] == "code"
        assert q["code_challenge_method"] == "S256" and "openid" in q["scope"].split()
        if state.deny:
            answer = {"error": "access_denied", "state": q["state"]}
        else:
            code = secrets.token_urlsafe(16)
            state.codes[code] = {
                "person": state.person,
                "nonce": q["nonce"],
                "challenge": q["code_challenge"],
                "redirect_uri": q["redirect_uri"],
            }
            answer = {"code": code, "state": q["state"]}
        return Redirect(f"{q['redirect_uri']}?{urlencode(answer)}", status_code=302)

    @post("/token", status_code=200)
    async def token(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
        form = await request.form()
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return Response({"error": "invalid_client"}, status_code=401)
        grant = state.codes.pop(str(form.get("code")), None)
        if (
            grant is None
            or form.get("redirect_uri") != grant["redirect_uri"]
            or _challenge(str(form.get("code_verifier"))) != grant["challenge"]
        ):
            return Response({"error": "invalid_grant"}, status_code=400)
        body = {"access_token": "at", "token_type": "Bearer", "id_token": state.id_token(grant)}
        return Response(body)

    return Litestar([discovery, jwks, authorize, token])
