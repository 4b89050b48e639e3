"""Version 1 of each policy, used until an administrator publishes one.

Written for this forum as it is built: what it stores, why, for how long, and the rights
people have. The first publication at ``/admin/policies`` stores this text as version 1, so
the history starts where the site did.
"""

from __future__ import annotations

from forum.i18n import N_
from forum.privacy.models import PolicyKind

PRIVACY = """\
This forum is run for its readers. This policy says what we keep about you, why, for how
long, and what you can ask of us.

## What we keep

- **If you only read:** nothing that identifies you. Our server logs requests to keep the site
  working and secure.
- **If you register:** your username, display name, email address and a hash of your password
  (never the password itself), when you joined, and your active sessions (the browser and
  when you were last seen, so that you can end a session you do not recognise).
- **What you post:** your comments, with their dates, and reports you make.
- **Your choices:** your cookie choices and, for proof, a record of each one (a random id,
  the categories, the cookie-policy version, how and when you chose).

## Why

To run the forum you asked to use (your account and your comments), to keep it safe
(sessions, abuse reports, moderation), and, only with your consent, to remember your
preferences and to count page views.

## Cookies and analytics

See *Cookie settings*, linked at the foot of every page. Page views are counted, with your
consent only, in our own database: per page and per day, without any identifier. Nothing is
shared with an advertising or analytics company, and no page loads anything from another site.

## How long

Account data stays while you have an account. Records of consent are kept as proof for as
long as the law requires. Mail waiting to be sent is deleted once delivered.

## Your rights

You may see, correct, export and erase your data, object to its use and withdraw consent at
any time, as easily as you gave it. You may also complain to a data protection authority.
Write to the site's administrators with any request.
"""

TERMS = """\
Welcome. By using this forum you agree to these terms.

## Your account

Keep your password to yourself. You are responsible for what is posted from your account.
You must be old enough to consent to the processing of your data where you live.

## What you post

You keep the rights to what you write. You allow us to show it on this forum, in its feeds
and its API. Be civil: no harassment, hate, threats, spam, or content that breaks the law or
someone else's rights. Moderators may hide or remove posts and suspend accounts that break
these terms; you can ask them to reconsider.

## The service

The forum is offered as it is. We may change or end features. When these terms change, we
ask you to accept the new version before you post again; until then you can still read.

## Leaving

You can delete your account at any time.
"""

COOKIES = """\
We use as few cookies as we can, and only our own: no advertising, no tracking by other
companies, nothing loaded from another site.

- **Strictly necessary** cookies keep you logged in, protect your forms, and remember your
  cookie choices. The site cannot work without them, so they cannot be switched off.
- **Preferences** remember comforts you chose, such as how threads are sorted. Off until you
  allow them.
- **Analytics** lets us count how often each page is read, in our own database, per page and
  per day, without any identifier and without a cookie. Off until you allow it.

You can change your mind at any time on this page; withdrawing takes effect at once, and the
cookies of a category you switch off are deleted. If your browser sends the Global Privacy
Control signal, we treat it as 'reject non-essential' unless you choose otherwise here.
"""


def unwrap(markdown: str) -> str:
    """Join the lines these texts are wrapped at here: the renderer keeps line breaks."""
    lines: list[str] = []
    for line in markdown.splitlines():
        stripped = line.strip()
        continues = (
            stripped
            and lines
            and lines[-1]
            and not stripped.startswith(("- ", "#"))
            and not lines[-1].startswith("#")
        )
        if continues:
            lines[-1] += " " + stripped
        else:
            lines.append(stripped)
    return "\n".join(lines).strip() + "\n"


DEFAULT_SOURCES = {
    PolicyKind.PRIVACY: unwrap(PRIVACY),
    PolicyKind.TERMS: unwrap(TERMS),
    PolicyKind.COOKIES: unwrap(COOKIES),
}

TITLES = {
    PolicyKind.PRIVACY: N_("Privacy Policy"),
    PolicyKind.TERMS: N_("Terms & Conditions"),
    PolicyKind.COOKIES: N_("Cookie Policy"),
}
"""Each policy's title (marked: translated where shown)."""

PAGES = {
    PolicyKind.PRIVACY: "/privacy",
    PolicyKind.TERMS: "/terms",
    PolicyKind.COOKIES: "/cookies",
}
"""Where the current version of each policy is shown."""
