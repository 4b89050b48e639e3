"""Moderation's words are chosen by machine values and each action has one msgid, so a
translation can never change which sentence a mail says or leave a label half-translated."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from forum.i18n import use_language
from forum.moderation.actions import ACTION_NAMES
from forum.moderation.models import LogAction
from forum.web.mail_templates import render_mail
from forum.web.templating import make_environment
from tests.i18n.conftest import speaking

HIDDEN = "Your comment on %(title)s was hidden"
REJECTED = "Your comment on %(title)s was rejected"


@pytest.fixture
def german_that_translates_every_word() -> Iterator[None]:
    """A German that translates even bare words like "hidden" (shipped catalogues back after)."""
    with speaking(
        "de",
        {
            HIDDEN: "Ihr Kommentar zu %(title)s wurde ausgeblendet",
            REJECTED: "Ihr Kommentar zu %(title)s wurde abgelehnt",
            "hidden": "ausgeblendet",
            "rejected": "abgelehnt",
            "hide": "ausblenden",
            "reject": "ablehnen",
        },
    ):
        yield


def _statement(action: LogAction) -> str:
    return render_mail(
        "moderation/statement_of_reasons",
        site_name="forum",
        display_name="Ann",
        action=action.value,
        title="Birds",
        comment_date="1. Mai 2026, 14:00",
        excerpt="Buy now",
        rule="spam",
        reason="",
        decided_date="1. Mai 2026, 15:00",
        comment_link="https://e.org/comments/2",
        appeal_link="https://e.org/comments/2/appeal",
    ).subject


@pytest.mark.parametrize("language", ["en", "de"])
def test_a_statement_says_hidden_or_rejected_as_the_moderator_decided_in_any_language(
    language, german_that_translates_every_word
):
    with use_language(language):
        hidden, rejected = _statement(LogAction.HIDE), _statement(LogAction.REJECT)
    if language == "en":
        assert (hidden, rejected) == (
            "Your comment on Birds was hidden",
            "Your comment on Birds was rejected",
        )
    else:
        assert (hidden, rejected) == (
            "Ihr Kommentar zu Birds wurde ausgeblendet",
            "Ihr Kommentar zu Birds wurde abgelehnt",
        )


def test_each_moderation_action_has_one_name_in_python_and_in_the_templates(settings):
    """ "Already handled by ann (auto hide, …)" and the audit log name an action alike."""
    env = make_environment(settings)
    label = env.from_string(
        '{% from "moderation/_labels.html" import action_label %}{{ action_label(value) }}'
    )
    for action in LogAction:
        assert ACTION_NAMES[action] == label.render(value=action.value), action
