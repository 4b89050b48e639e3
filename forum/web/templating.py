"""The Jinja2 environment every page renders with: autoescaping on, our filters and globals."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from forum.i18n import (
    current_language,
    format_number,
    translate,
    translate_in_context,
    translate_plural,
    translate_plural_in_context,
)
from forum.settings import Settings
from forum.web.dates import byline_date, iso_datetime, long_date
from forum.web.language_tags import text_direction
from forum.web.script_texts import script_texts
from forum.web.static_assets import static_url

TEMPLATE_PACKAGE = "forum.templates"
"""Where the templates are: ``templates/`` of a checkout, installed as this package."""


@pass_context
def _current_user(context: Any) -> Any:
    """The logged-in user of the request being rendered (None for visitors)."""
    request = context.get("request")
    return request.scope.get("user") if request is not None else None


@pass_context
def _get_flashes(context: Any) -> list[Any]:
    """Messages queued with ``litestar.plugins.flash.flash``, taken out of the session.

    Reads the scope directly so that pages rendered without the session middleware (a 404 for
    an unknown path) still render.
    """
    request = context.get("request")
    session = request.scope.get("session") if request is not None else None
    return session.pop("_messages", []) if isinstance(session, dict) else []


def install_translations(env: Environment) -> None:
    """Every text of ``env``'s templates goes through gettext/ngettext (and their ``p``
    variants) in the current language (``forum.i18n``: the request's, or a mail's recipient's).
    ``env`` has the ``jinja2.ext.i18n`` extension. ``%(num)s`` is the count written in the
    current language (``format_number``), as in ``forum.i18n.ngettext``."""
    env.install_gettext_callables(  # type: ignore[attr-defined]  # by the extension
        translate,
        translate_plural,
        newstyle=True,
        pgettext=translate_in_context,
        npgettext=translate_plural_in_context,
    )
    jinja_ngettext: Callable[..., str] = env.globals["ngettext"]  # type: ignore[assignment]
    jinja_npgettext: Callable[..., str] = env.globals["npgettext"]  # type: ignore[assignment]

    @pass_context
    def ngettext(context: Any, singular: str, plural: str, n: int, **variables: Any) -> str:
        variables.setdefault("num", format_number(n))
        return jinja_ngettext(context, singular, plural, n, **variables)

    @pass_context
    def npgettext(
        context: Any, message_context: str, singular: str, plural: str, n: int, **variables: Any
    ) -> str:
        variables.setdefault("num", format_number(n))
        return jinja_npgettext(context, message_context, singular, plural, n, **variables)

    env.globals.update(ngettext=ngettext, npgettext=npgettext)


def make_environment(
    settings: Settings, extra_globals: Mapping[str, Any] | None = None
) -> Environment:
    """A Jinja environment that escapes everything and fails loudly on undefined names.

    ``extra_globals`` are functions higher modules offer to every template (wired in
    ``create_app``, so that this layer imports none of them).
    """
    env = Environment(
        loader=PackageLoader(TEMPLATE_PACKAGE, "."),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],
    )
    install_translations(env)
    tz = settings.tz

    def _byline(moment: datetime) -> str:
        return byline_date(moment, tz)

    env.filters["byline_date"] = _byline
    env.filters["iso"] = iso_datetime
    env.filters["long_date"] = long_date
    env.filters["number"] = format_number
    env.globals["script_texts"] = script_texts
    env.globals["current_language"] = current_language
    env.globals["text_direction"] = text_direction
    env.globals["site_name"] = settings.site_name
    env.globals["current_user"] = _current_user
    env.globals["get_flashes"] = _get_flashes
    env.globals["static_url"] = static_url
    env.globals.update(extra_globals or {})
    return env


def make_template_config(
    settings: Settings, extra_globals: Mapping[str, Any] | None = None
) -> TemplateConfig[Any]:
    """Litestar's template config over our environment."""
    engine = JinjaTemplateEngine.from_environment(make_environment(settings, extra_globals))
    return TemplateConfig(instance=engine)
