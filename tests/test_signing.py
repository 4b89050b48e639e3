"""One signer for every token and cookie: per-purpose keys, tampering, expiry (pure code)."""

import ast
import base64
import contextlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from litestar.stores.memory import MemoryStore

from forum.accounts.throttle import LoginThrottle
from forum.privacy.consent import ConsentCodec, Decision
from forum.privacy.models import ConsentMethod
from forum.signing import BadToken, Signer, derive_key, purpose_secret

SECRET = "a secret key of sufficient length for tests"
NOW = 1_700_000_000.0
FORUM = Path(__file__).resolve().parents[1] / "forum"


def test_a_signed_payload_comes_back():
    signer = Signer(SECRET, "verify-email")
    token = signer.sign({"u": 1, "e": "a@example.org"}, max_age_seconds=60, now=NOW)
    assert signer.unsign(token, now=NOW + 59) == {"u": 1, "e": "a@example.org"}


def test_an_expired_token_is_refused():
    signer = Signer(SECRET, "verify-email")
    token = signer.sign({"u": 1}, max_age_seconds=60, now=NOW)
    with pytest.raises(BadToken, match="expired"):
        signer.unsign(token, now=NOW + 61)


def test_a_token_for_another_purpose_or_key_is_refused():
    token = Signer(SECRET, "verify-email").sign({"u": 1}, max_age_seconds=60)
    with pytest.raises(BadToken):
        Signer(SECRET, "unsubscribe").unsign(token)
    with pytest.raises(BadToken):
        Signer("another secret key", "verify-email").unsign(token)


def test_a_changed_payload_is_refused_even_with_a_valid_shape():
    signer = Signer(SECRET, "unsubscribe")
    body, mac = signer.sign({"u": 1}, max_age_seconds=60).split(".")
    data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    data["p"]["u"] = 2
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    with pytest.raises(BadToken, match="signature"):
        signer.unsign(f"{forged}.{mac}")


@pytest.mark.parametrize("token", ["", "nonsense", "a.b.c", "x" * 3000 + ".y", ".", "é.é"])
def test_malformed_tokens_are_refused(token):
    with pytest.raises(BadToken):
        Signer(SECRET, "verify-email").unsign(token)


def test_a_signed_non_object_is_refused():
    signer = Signer(SECRET, "verify-email")
    body = base64.urlsafe_b64encode(b"[1, 2]").rstrip(b"=").decode()
    with pytest.raises(BadToken, match="malformed"):
        signer.unsign(signer.seal(body))


@given(st.text(max_size=200))
def test_any_text_unsigns_to_a_payload_or_bad_token(text):
    with contextlib.suppress(BadToken):
        assert isinstance(Signer(SECRET, "verify-email").unsign(text), dict)


def test_sealed_text_stays_readable_and_tamper_evident():
    signer = Signer(SECRET, "consent-cookie", mac_bytes=12)
    sealed = signer.seal("v1.p1.a0")
    text, _, mac = sealed.rpartition(".")
    assert text == "v1.p1.a0" and len(mac) == 16
    assert signer.unseal(sealed) == "v1.p1.a0"
    with pytest.raises(BadToken):
        signer.unseal(sealed.replace("p1", "p0"))
    with pytest.raises(BadToken):
        Signer(SECRET, "unsubscribe", mac_bytes=12).unseal(sealed)


def test_each_purpose_gets_its_own_key():
    purposes = ["verify-email", "unsubscribe", "consent-cookie", "login-throttle", "csrf"]
    keys = {derive_key(SECRET, purpose) for purpose in purposes}
    assert len(keys) == len(purposes)
    assert derive_key(SECRET, "csrf") != derive_key("another secret key", "csrf")
    assert purpose_secret(SECRET, "csrf") == derive_key(SECRET, "csrf").hex()
    assert SECRET not in purpose_secret(SECRET, "csrf")


def test_the_consent_cookie_is_sealed_by_the_signer():
    when = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    decision = Decision(1, True, False, "0123456789abcdef01234567", ConsentMethod.BANNER, when)
    value = ConsentCodec(SECRET).encode(decision)
    assert ConsentCodec(SECRET).decode(value) == decision
    payload, _, mac = value.rpartition(".")
    assert mac == Signer(SECRET, ConsentCodec.PURPOSE, mac_bytes=12).mac(payload)


def test_throttle_keys_are_keyed_hashes_that_name_no_one():
    first = LoginThrottle(MemoryStore(), attempts=3, window_seconds=60, secret=SECRET)
    other = LoginThrottle(MemoryStore(), attempts=3, window_seconds=60, secret="another key")
    keys = first._keys("Janine", "203.0.113.9")
    assert keys == first._keys("Janine", "203.0.113.9"), "the same names give the same keys"
    assert not any("janine" in key.lower() or "203.0.113" in key for key in keys)
    assert keys[0].startswith("account:") and keys[1].startswith("client:")
    assert keys != other._keys("Janine", "203.0.113.9")


def test_no_module_derives_keys_or_macs_of_its_own():
    """hmac and secret-key derivation live in forum/signing.py alone."""
    offenders = []
    for path in FORUM.rglob("*.py"):
        if path.name == "signing.py" and path.parent == FORUM:
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            if "hmac" in names:
                offenders.append(str(path.relative_to(FORUM)))
    assert offenders == []
