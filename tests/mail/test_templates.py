"""Mail templates: each renders with the context its first comment documents, plain text stays
plain, and anything a user wrote is escaped in an HTML part (pure, no database)."""

import re

import pytest
from jinja2 import UndefinedError, meta

from forum.web.mail_templates import mail_environment, render_mail

HOSTILE = "<script>alert('&')</script>"
GROUPS = [
    {
        "title": "Socialism\nand you",
        "stop_link": "https://example.org/notifications/unsubscribe/w",
        "entries": [
            {
                "author": "Ann",
                "reply": True,
                "mention": False,
                "quote": "> Mine.",
                "link": "https://e.org/c/1",
            },
            {
                "author": "Bob",
                "reply": False,
                "mention": True,
                "quote": "> Yours.",
                "link": "https://e.org/c/2",
            },
        ],
    },
    {"title": "Other", "stop_link": None, "entries": []},
]
SAMPLES = {
    "accounts/address_taken": {
        "site_name": "Forum",
        "display_name": "Ann",
        "username": "ann",
        "login_link": "https://e.org/login",
        "forgot_link": "https://e.org/password/forgot",
        "change": False,
    },
    "accounts/confirm_new_email": {
        "site_name": "Forum",
        "display_name": "Ann",
        "username": "ann",
        "link": "https://e.org/account/email/t",
        "hours": 48,
    },
    "accounts/login_link": {
        "site_name": "Forum",
        "display_name": "Ann",
        "username": "ann",
        "link": "https://e.org/login/link/t",
        "minutes": 15,
    },
    "accounts/verify_email": {"display_name": "Ann", "link": "https://e.org/verify/t", "hours": 48},
    "accounts/password_reset": {
        "display_name": "Ann",
        "username": "ann",
        "link": "https://e.org/password/reset/t",
        "minutes": 60,
    },
    "accounts/email_changed": {
        "display_name": "Ann",
        "username": "ann",
        "forgot_link": "https://e.org/password/forgot",
    },
    "comments/new_comment": {
        "display_name": "Ann",
        "reply": True,
        "mention": False,
        "author": "Bob",
        "title": "Socialism",
        "quote": "> An answer.",
        "comment_link": "https://e.org/comments/2#comment-2",
        "stop_link": "https://e.org/notifications/unsubscribe/t",
        "settings_link": "https://e.org/account",
    },
    "comments/digest": {
        "display_name": "Ann",
        "count": 2,
        "groups": GROUPS,
        "stop_link": "https://e.org/notifications/unsubscribe/t",
        "settings_link": "https://e.org/account",
    },
    "moderation/statement_of_reasons": {
        "display_name": "Ann",
        "action": "reject",
        "title": "Socialism",
        "comment_date": "1 May, 2026 - 14:00",
        "excerpt": "Buy now",
        "rule": "spam",
        "reason": "Advertising.",
        "decided_date": "1 May, 2026 - 15:00",
        "comment_link": "https://e.org/comments/2",
        "appeal_link": "https://e.org/comments/2/appeal",
    },
    "moderation/ban_notice": {
        "display_name": "Ann",
        "until": "1 June, 2026 - 14:00",
        "reason": "Spam.",
        "rejected": 3,
    },
    "moderation/appeal_outcome": {
        "display_name": "Ann",
        "title": "Socialism",
        "reviewer": "another moderator",
        "overturned": True,
        "reason": "It was fine.",
        "comment_link": "https://e.org/comments/2",
    },
    "moderation/auto_hidden": {
        "display_name": "Ann",
        "title": "Socialism",
        "comment_date": "1 May, 2026 - 14:00",
        "excerpt": "Buy now",
        "reports": ["spam: 2", "abuse: 1"],
        "decided_date": "1 May, 2026 - 15:00",
        "comment_link": "https://e.org/comments/2",
        "appeal_link": "https://e.org/comments/2/appeal",
    },
    "moderation/held": {
        "display_name": "Ann",
        "title": "Socialism",
        "comment_date": "1 May, 2026 - 14:00",
        "excerpt": "Buy now",
        "grounds": ["it has more links than the site allows (4 links)"],
        "comment_link": "https://e.org/comments/2",
        "appeal_link": "https://e.org/comments/2/appeal",
    },
    "moderation/reminder": {
        "display_name": "Mo",
        "count": 2,
        "hours": 24,
        "lines": ["pending: comment 2", "reported: comment 3"],
        "queue_link": "https://e.org/moderation",
        "settings_link": "https://e.org/moderation/reminders",
    },
    "privacy/erasure_scheduled": {
        "name": "Ann",
        "due": "1 June, 2026 - 14:00",
        "timezone": "UTC",
        "delete_comments": False,
        "keep_link": "https://e.org/account/delete",
    },
    "privacy/erasure_done": {"name": "Ann", "comments_deleted": True},
}
for sample in SAMPLES.values():
    sample["site_name"] = "Tom & Jerry's <forum>"

env = mail_environment()
TEMPLATES = sorted(env.list_templates(filter_func=lambda name: name.startswith("mail/")))
MAILS = sorted({name.removeprefix("mail/").rsplit(".", 1)[0] for name in TEMPLATES})
DOCUMENTED = re.compile(r"context:\s*([\w\s,]+?)\s*-?#}")


def source_of(name: str) -> str:
    assert env.loader is not None
    return env.loader.get_source(env, name)[0]


def documented_context(name: str) -> set[str]:
    found = DOCUMENTED.search(source_of(name))
    assert found, f"{name} does not document its context ('context: a, b' in its first comment)"
    return {word.strip() for word in found.group(1).split(",")}


def hostile(value):
    """``value`` with every string a user could have written replaced by markup."""
    if isinstance(value, str):
        return HOSTILE
    if isinstance(value, list):
        return [hostile(item) for item in value]
    if isinstance(value, dict):
        return {key: hostile(item) for key, item in value.items()}
    return value


def test_every_mail_template_has_a_sample_here():
    assert TEMPLATES, "no templates found under templates/mail"
    assert all(name.endswith((".txt", ".html")) for name in TEMPLATES)
    assert sorted(SAMPLES) == MAILS


@pytest.mark.parametrize("name", TEMPLATES)
def test_each_template_documents_exactly_the_names_it_uses(name):
    used = meta.find_undeclared_variables(env.parse(source_of(name)))
    assert documented_context(name) == used


@pytest.mark.parametrize("mail", MAILS)
def test_each_mail_renders_with_its_documented_context(mail):
    assert set(SAMPLES[mail]) == documented_context(f"mail/{mail}.txt")
    rendered = render_mail(mail, **SAMPLES[mail])
    assert rendered.subject and "\n" not in rendered.subject
    assert rendered.text.startswith("Hello ") and rendered.text.endswith("\n")
    assert "{{" not in rendered.text and "{%" not in rendered.text
    assert "\n\n\n" not in rendered.text


@pytest.mark.parametrize("mail", MAILS)
def test_a_missing_context_value_fails_loudly(mail):
    context = dict(SAMPLES[mail])
    context.pop("site_name")
    with pytest.raises(UndefinedError):
        render_mail(mail, **context)


def test_plain_text_is_not_html_escaped():
    rendered = render_mail("accounts/verify_email", **SAMPLES["accounts/verify_email"])
    assert rendered.subject == "Confirm your email address for Tom & Jerry's <forum>"
    assert "account at Tom & Jerry's <forum>, ignore" in rendered.text
    assert rendered.html is None


def test_html_parts_are_autoescaped_and_text_parts_are_not():
    assert env.autoescape("mail/any/name.html") is True
    assert env.autoescape("mail/any/name.txt") is False


@pytest.mark.parametrize("mail", MAILS)
def test_no_user_value_is_unescaped_in_an_html_part(mail):
    rendered = render_mail(mail, **hostile(SAMPLES[mail]))
    assert HOSTILE in rendered.text  # plain text carries it as written
    if rendered.html is not None:
        assert HOSTILE not in rendered.html
        assert "&lt;script&gt;" in rendered.html


def test_one_line_titles_in_subjects():
    rendered = render_mail(
        "comments/new_comment", **{**SAMPLES["comments/new_comment"], "title": "Two\n lines"}
    )
    assert rendered.subject == "Bob replied to your comment on “Two lines”"
