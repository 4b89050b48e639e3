"""Policy pages and cookie settings.

Placeholders until the privacy module is built: the pages exist and are linked from every page.
"""

from __future__ import annotations

from litestar import Controller, get
from litestar.response import Template


class PolicyPages(Controller):
    include_in_schema = False

    @get("/privacy", name="privacy_policy")
    async def privacy(self) -> Template:
        """The Privacy Policy."""
        return Template("privacy/policy.html", context={"kind": "privacy"})

    @get("/terms", name="terms")
    async def terms(self) -> Template:
        """Terms & Conditions."""
        return Template("privacy/policy.html", context={"kind": "terms"})

    @get("/cookies", name="cookies")
    async def cookies(self) -> Template:
        """Cookie preferences."""
        return Template("privacy/cookies.html", context={})
