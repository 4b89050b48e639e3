"""Mail texts from templates under ``templates/mail/``, rendered by one helper.

Each mail is ``mail/<name>.txt`` (the plain-text body; it sets ``subject`` with ``{% set %}``)
and, when it has one, ``mail/<name>.html`` (the HTML part). Templates load from the same folder
as pages; ``.html`` is autoescaped, ``.txt`` is not (a mail's text is not HTML), and an undefined
name fails loudly. The first comment of each template documents its context (``context:`` and
the names), which ``tests/mail/test_templates.py`` holds it to.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import (
    Environment,
    PackageLoader,
    StrictUndefined,
    TemplateNotFound,
    select_autoescape,
)

from forum.i18n import use_language
from forum.web.language import negotiate
from forum.web.templating import TEMPLATE_PACKAGE, install_translations

MAIL_FOLDER = "mail"


@dataclass(frozen=True)
class MailText:
    """A rendered mail: one-line subject, plain-text body, and the HTML part if there is one."""

    subject: str
    text: str
    html: str | None = None


@cache
def mail_environment() -> Environment:
    """The environment for mail templates (one per process: it holds no configuration)."""
    env = Environment(
        loader=PackageLoader(TEMPLATE_PACKAGE, "."),
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    # Mails speak the recipient's language: the sender sets it (forum.i18n.use_language).
    install_translations(env)
    env.filters["one_line"] = one_line
    return env


@contextmanager
def in_language_of(recipient: str | None, *, default: str) -> Iterator[None]:
    """Compose a mail inside this block: it speaks the recipient's language (``users.language``),
    else ``default`` (the site's, or the page's when the recipient asked for the mail just now).
    Everything the mail says is made inside it: its template, and the dates and labels put in."""
    with use_language(negotiate(default=default, account=recipient)):
        yield


def one_line(text: str) -> str:
    """``text`` with every run of whitespace (newlines included) made one space."""
    return " ".join(text.split())


def render_mail(name: str, /, **context: Any) -> MailText:
    """Render ``mail/<name>.txt`` (and ``.html`` when present) with ``context``."""
    env = mail_environment()
    module = env.get_template(f"{MAIL_FOLDER}/{name}.txt").make_module(context)
    subject = getattr(module, "subject", None)
    if subject is None:
        raise LookupError(f"mail/{name}.txt sets no subject")
    html_name = f"{MAIL_FOLDER}/{name}.html"
    try:
        html_template = env.get_template(html_name)
    except TemplateNotFound as missing:
        if missing.name != html_name:
            raise
        html = None
    else:
        html = html_template.render(context)
    return MailText(subject=str(subject), text=str(module), html=html)
