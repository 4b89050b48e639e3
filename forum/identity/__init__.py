"""Signing in with an account someone has elsewhere: OpenID Connect providers now, a site's
own login later. Every such way in goes through ``service`` and ``flows``, so it follows the
rules of our own accounts (bans, terms, throttling, moderation of new accounts, erasure)."""
