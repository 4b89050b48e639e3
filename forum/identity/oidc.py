"""An OpenID Connect relying party: the authorization code flow with PKCE, and the ID token
checked as the spec asks (signature by the provider's published keys, issuer, audience and
authorized party, expiry and issue time, the nonce we sent).

Every request to the provider is made with a timeout, outside any database transaction (the
flows call this before they read or write); the discovery document and the key set are kept
for an hour, and the keys are fetched again once when a token names a key we do not know
(the provider rotated them). A provider that is down, slow or answers nonsense raises
``ProviderUnavailable`` (503 with Retry-After); a token that fails a check raises ``Refused``.

httpx, authlib and joserfc (with cryptography, about 15 MiB in every worker) are imported when
a provider is first asked, not when the forum starts: most forums configure none.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from forum.errors import Unavailable
from forum.i18n import N_, gettext
from forum.identity.service import ExternalClaim
from forum.settings_checks import OidcProvider

if TYPE_CHECKING:
    import httpx
    from joserfc import jwt
    from joserfc.jwk import KeySet

log = logging.getLogger("forum.identity")
"""Why a provider was unusable or a token refused: names the provider and the check, never
the person (no subject, address or token)."""
CACHE_SECONDS = 3600
LEEWAY_SECONDS = 60
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA")
# Translators: %(label)s names a sign-in provider ("Test ID", "Google").
NOT_ANSWERING = N_("%(label)s is not answering just now. Please try again in a minute.")


def provider_origin(provider: OidcProvider) -> str:
    """The issuer's origin: where its authorization endpoint must be (our CSP's form-action
    lets sign-in forms lead there, and nowhere else)."""
    parts = urlsplit(provider.issuer)
    return f"{parts.scheme}://{parts.netloc}"


class ProviderUnavailable(Unavailable):
    """The provider could not be reached, was too slow, or answered something unusable."""


class Refused(Exception):
    """The provider's answer does not prove who the person is (a bad or stale token)."""


@dataclass(frozen=True)
class Start:
    """Where to send the browser, and the secrets the callback must find in its session."""

    url: str
    state: str
    nonce: str
    verifier: str


class OidcClient:
    """One configured provider; one instance per app, shared by requests (the caches)."""

    def __init__(self, provider: OidcProvider, *, timeout: float) -> None:
        self.provider = provider
        self.timeout = timeout
        self._metadata: tuple[float, dict[str, Any]] | None = None
        self._keys: tuple[float, KeySet] | None = None
        self._lock = asyncio.Lock()

    def _down(self, why: str) -> ProviderUnavailable:
        log.warning("OpenID Connect provider %s unusable: %s", self.provider.name, why)
        message = gettext(NOT_ANSWERING, label=self.provider.label)
        return ProviderUnavailable(message, retry_after=60)

    async def _fetch(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        import httpx

        try:
            async with httpx.AsyncClient(timeout=self.timeout, follow_redirects=False) as http:
                return await http.request(method, url, **kwargs)
        except httpx.HTTPError as error:
            raise self._down(f"{method} {url}: {type(error).__name__}") from None

    async def _json(self, url: str) -> dict[str, Any]:
        response = await self._fetch("GET", url, headers={"Accept": "application/json"})
        try:
            document = response.json() if response.status_code == 200 else None
        except ValueError:
            document = None
        if not isinstance(document, dict):
            raise self._down(f"GET {url}: HTTP {response.status_code}, no JSON object")
        return document

    async def metadata(self) -> dict[str, Any]:
        """The discovery document (cached), checked to be this issuer's."""
        cached = self._metadata
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        url = self.provider.issuer + "/.well-known/openid-configuration"
        document = await self._json(url)
        needed = ("authorization_endpoint", "token_endpoint", "jwks_uri")
        if document.get("issuer") != self.provider.issuer or not all(
            isinstance(document.get(key), str) for key in needed
        ):
            raise self._down("the discovery document names another issuer or lacks endpoints")
        self._metadata = (time.monotonic() + CACHE_SECONDS, document)
        return document

    async def keys(self, *, refresh: bool = False) -> KeySet:
        """The provider's signing keys (cached; ``refresh`` fetches them again)."""
        from joserfc.errors import JoseError
        from joserfc.jwk import KeySet

        async with self._lock:
            cached = self._keys
            if cached is not None and cached[0] > time.monotonic() and not refresh:
                return cached[1]
            document = await self._json((await self.metadata())["jwks_uri"])
            try:
                keys = KeySet.import_key_set(document)  # type: ignore[arg-type]
            except (JoseError, ValueError, TypeError, KeyError):
                raise self._down("its JWKS holds no usable key") from None
            self._keys = (time.monotonic() + CACHE_SECONDS, keys)
            return keys

    async def start(self, redirect_uri: str) -> Start:
        """A new authorization request: fresh state, nonce and PKCE verifier (S256)."""
        from authlib.common.security import generate_token
        from authlib.oauth2.rfc7636 import create_s256_code_challenge

        endpoint = (await self.metadata())["authorization_endpoint"]
        if not endpoint.startswith(provider_origin(self.provider) + "/"):
            # Our CSP's form-action would stop the browser on its way there.
            raise self._down("the authorization endpoint is not on the issuer's origin")
        state, nonce, verifier = generate_token(32), generate_token(32), generate_token(64)
        query = urlencode(
            {
                "response_type": "code",
                "client_id": self.provider.client_id,
                "redirect_uri": redirect_uri,
                "scope": self.provider.scopes,
                "state": state,
                "nonce": nonce,
                "code_challenge": create_s256_code_challenge(verifier),
                "code_challenge_method": "S256",
            }
        )
        joiner = "&" if "?" in endpoint else "?"
        return Start(f"{endpoint}{joiner}{query}", state, nonce, verifier)

    async def finish(
        self, *, code: str, verifier: str, nonce: str, redirect_uri: str
    ) -> ExternalClaim:
        """Redeem the code for an ID token and check it: who the provider says this is."""
        endpoint = (await self.metadata())["token_endpoint"]
        response = await self._fetch(
            "POST",
            endpoint,
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
            },
            auth=(self.provider.client_id, self.provider.client_secret),
            headers={"Accept": "application/json"},
        )
        if response.status_code >= 500:
            raise self._down(f"token endpoint: HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            raise self._down("token endpoint: no JSON") from None
        id_token = body.get("id_token") if isinstance(body, dict) else None
        if response.status_code != 200 or not isinstance(id_token, str):
            raise Refused("the provider did not accept the sign-in")
        return self._claim(await self.check_id_token(id_token, nonce=nonce))

    async def check_id_token(self, id_token: str, *, nonce: str) -> dict[str, Any]:
        """The token's claims once its signature and every required claim hold."""
        from joserfc import jwt
        from joserfc.errors import InvalidKeyIdError, JoseError

        try:
            try:
                token = jwt.decode(id_token, await self.keys(), algorithms=ALGORITHMS)
            except InvalidKeyIdError:
                keys = await self.keys(refresh=True)
                token = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
            self._registry(nonce).validate(token.claims)
        except (JoseError, ValueError) as error:
            raise Refused(f"the ID token failed a check ({type(error).__name__})") from None
        claims = dict(token.claims)
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        other_party = claims.get("azp") != self.provider.client_id
        if (len(audiences) > 1 or "azp" in claims) and other_party:
            raise Refused("the ID token was issued to another party (azp)")
        return claims

    def _registry(self, nonce: str) -> jwt.JWTClaimsRegistry:
        from joserfc import jwt

        return jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": self.provider.issuer},
            aud={"essential": True, "value": self.provider.client_id},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        )

    def _claim(self, claims: dict[str, Any]) -> ExternalClaim:
        email = claims.get("email")
        name = claims.get("preferred_username") or claims.get("nickname") or ""
        subject = str(claims["sub"])
        if not subject or len(subject) > 255:
            raise Refused("the ID token's subject is unusable")
        return ExternalClaim(
            issuer=self.provider.issuer,
            subject=subject,
            label=self.provider.label,
            email=email[:254] if isinstance(email, str) and email else None,
            email_verified=claims.get("email_verified") is True,
            preferred_username=name if isinstance(name, str) else "",
        )
