"""What the cache tests share: the article they cache, and a count of the renders a cache
spares (a cached answer calls nothing behind it)."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def article(make_article: Any) -> Any:
    return make_article(title="Cached article", body="The first text.")


def counted(monkeypatch: pytest.MonkeyPatch, owner: Any, name: str) -> list[int]:
    """One entry per call of ``owner.name`` from now on (the call still runs as before)."""
    calls: list[int] = []
    original = getattr(owner, name)

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counting)
    return calls
