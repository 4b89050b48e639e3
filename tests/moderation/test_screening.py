"""Who is held for review: each trigger on its own, and who skips which rules."""

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import update

from forum.accounts.models import Role
from forum.comments.models import Comment, CommentStatus
from forum.db import utcnow
from forum.moderation import policy as policies
from forum.moderation.models import LogAction, LogEntry
from forum.moderation.reach import EVERYTHING
from forum.moderation.users import set_trust
from tests.moderation.conftest import held_for, me

PENDING = CommentStatus.PENDING
PUBLISHED = CommentStatus.PUBLISHED


def set_policy(database, settings, **changes):
    with database.session(write=True) as session:
        current = policies.load(session, settings)
        policies.save(session, settings, replace(current, **changes))


def test_a_clean_comment_from_a_regular_reader_is_published(make_article, make_regular, submit):
    comment = submit(make_article(), make_regular())
    assert comment.status is PUBLISHED


def test_an_unverified_address_is_held(database, make_article, make_regular, submit):
    comment = submit(make_article(), make_regular(verified=False))
    assert comment.status is PENDING
    assert held_for(database, comment) == {"unverified_email"}


def test_a_new_author_is_held_until_enough_comments_are_approved(
    database, ctx, make_article, make_user, moderator, submit
):
    from forum.moderation.actions import Act, Decision, act

    article = make_article()
    ann = make_user("ann")
    first = submit(article, ann, "my first words")
    assert first.status is PENDING
    assert held_for(database, first) == {"new_author"}
    with database.session(write=True) as session:
        act(session, ctx, first.id, me(moderator), Decision(Act.APPROVE), reach=EVERYTHING)
    assert submit(article, ann, "my second words").status is PUBLISHED


@pytest.mark.parametrize(
    "settings_overrides", [{"mail_worker": False, "moderation_min_approved": 3}]
)
def test_the_number_of_approved_comments_needed_is_a_setting(
    make_article, make_user, database, submit
):
    ann = make_user("ann")
    with database.session(write=True) as session:
        from forum.accounts.models import User

        session.execute(update(User).where(User.id == ann.id).values(comment_count=2))
    assert submit(make_article(), ann).status is PENDING


def test_an_anonymous_comment_is_held(database, make_article, submit):
    comment = submit(make_article(), None)
    assert comment.status is PENDING
    assert held_for(database, comment) == {"anonymous"}


def test_every_comment_on_a_moderate_all_article_is_held(
    database, make_article, make_regular, moderator, ctx, submit
):
    from forum.moderation.threads import set_moderate_all

    article = make_article(slug="careful")
    with database.session(write=True) as session:
        set_moderate_all(session, ctx, "careful", me(moderator), True, reach=EVERYTHING)
    comment = submit(article, make_regular())
    assert comment.status is PENDING
    assert held_for(database, comment) == {"moderate_all"}
    assert submit(make_article(), make_regular("other")).status is PUBLISHED


def test_moderate_all_by_default_applies_to_articles_created_while_it_is_on(
    database, settings, make_article, make_regular, submit
):
    before = make_article()
    set_policy(database, settings, moderate_all_default=True)
    during = make_article()
    set_policy(database, settings, moderate_all_default=False)
    after = make_article()
    ann = make_regular()
    assert submit(before, ann, "one").status is PUBLISHED
    assert submit(during, ann, "two").status is PENDING
    assert submit(after, ann, "three").status is PUBLISHED


def test_more_links_than_allowed_are_held(database, make_article, make_regular, submit):
    article, ann = make_article(), make_regular()
    three = "https://a.example https://b.example https://c.example"
    assert submit(article, ann, three).status is PUBLISHED
    held = submit(article, ann, three + " https://d.example")
    assert held.status is PENDING
    assert held_for(database, held) == {"links"}


def test_a_blocked_word_is_held(database, settings, make_article, make_regular, submit):
    set_policy(database, settings, blocked_words=("casino",))
    held = submit(make_article(), make_regular(), "Visit my CASINO today")
    assert held.status is PENDING
    assert held_for(database, held) == {"blocked_word"}


def test_a_blocked_domain_is_held(database, settings, make_article, make_regular, submit):
    set_policy(database, settings, blocked_domains=("spam.example",))
    held = submit(make_article(), make_regular(), "see https://shop.spam.example/deal")
    assert held.status is PENDING
    assert held_for(database, held) == {"blocked_domain"}


def test_repeating_ones_own_text_within_ten_minutes_is_held(
    database, make_article, make_regular, submit
):
    article, ann = make_article(), make_regular()
    first = submit(article, ann, "Same words here")
    assert first.status is PUBLISHED
    again = submit(article, ann, "same   words HERE")
    assert again.status is PENDING
    assert held_for(database, again) == {"duplicate"}
    with database.session(write=True) as session:
        session.execute(update(Comment).values(created_at=utcnow() - timedelta(minutes=11)))
    assert submit(article, ann, "Same words here").status is PUBLISHED


def test_a_filled_in_honeypot_is_held(database, make_article, make_regular, submit):
    held = submit(make_article(), make_regular(), signals={"honeypot": "http://bot.example"})
    assert held.status is PENDING
    assert held_for(database, held) == {"honeypot"}


def test_a_form_sent_too_fast_is_held_but_a_comment_without_timing_is_not(
    database, make_article, make_regular, submit
):
    article, ann = make_article(), make_regular()
    fast = submit(article, ann, "quick", signals={"honeypot": "", "seconds_to_submit": 1.2})
    assert fast.status is PENDING
    assert held_for(database, fast) == {"too_fast"}
    slow = submit(article, ann, "slow", signals={"honeypot": "", "seconds_to_submit": 30.0})
    api = submit(article, ann, "from a script", signals={})
    assert slow.status is PUBLISHED and api.status is PUBLISHED


def decided(database, moderator, comment, action, days_ago=0):
    """A moderator's decision on ``comment``, as the log has it, ``days_ago`` days back."""
    with database.session(write=True) as session:
        session.add(
            LogEntry(
                created_at=utcnow() - timedelta(days=days_ago),
                actor_id=moderator.id,
                action=action,
                comment_id=comment.id,
                target_user_id=comment.author_id,
            )
        )


def test_a_user_rejected_too_often_lately_is_held_again(
    database, make_article, make_regular, moderator, post, submit
):
    article, ann = make_article(), make_regular()
    earlier = [post(article, ann, f"earlier {n}") for n in range(3)]
    decided(database, moderator, earlier[0], LogAction.REJECT)
    decided(database, moderator, earlier[1], LogAction.APPROVE)
    assert submit(article, ann, "two decisions are too few").status is PUBLISHED
    decided(database, moderator, earlier[2], LogAction.APPROVE)  # 1 of 3 rejected: 33 % > 30 %
    held = submit(article, ann, "now held")
    assert held.status is PENDING
    assert held_for(database, held) == {"reject_rate"}


def test_old_rejections_no_longer_count(
    database, make_article, make_regular, moderator, post, submit
):
    article, ann = make_article(), make_regular()
    for n in range(3):
        decided(database, moderator, post(article, ann, f"old {n}"), LogAction.REJECT, days_ago=8)
    assert submit(article, ann).status is PUBLISHED


def test_trusted_users_and_moderators_skip_the_rules(
    database, make_article, make_user, moderator, submit
):
    article = make_article()
    newcomer = make_user("newbie", verified=False)
    with database.session(write=True) as session:
        set_trust(session, "newbie", me(moderator), True)
    links = " ".join(f"https://{n}.example" for n in range(6))
    assert submit(article, newcomer, links).status is PUBLISHED
    admin = make_user("boss", role=Role.ADMIN)
    assert submit(article, moderator, "a moderator's first comment").status is PUBLISHED
    assert submit(article, admin, "fast", signals={"seconds_to_submit": 0.5}).status is PUBLISHED


def test_trust_does_not_skip_the_honeypot_or_the_block_list(
    database, settings, make_article, make_user, moderator, submit
):
    set_policy(database, settings, blocked_words=("casino",), blocked_domains=("spam.example",))
    article = make_article()
    friend = make_user("friend")
    with database.session(write=True) as session:
        set_trust(session, "friend", me(moderator), True)
    for user in (friend, moderator):
        assert submit(article, user, "my casino").status is PENDING
        assert submit(article, user, "at spam.example").status is PENDING
        trap = submit(article, user, "innocent", signals={"honeypot": "x"})
        assert trap.status is PENDING and held_for(database, trap) == {"honeypot"}


def test_every_rule_that_trips_is_recorded(database, make_article, make_user, submit):
    held = submit(
        make_article(),
        make_user("ann", verified=False),
        " ".join(f"https://{n}.example" for n in range(5)),
        signals={"honeypot": "yes", "seconds_to_submit": 0.1},
    )
    assert held_for(database, held) == {
        "unverified_email",
        "new_author",
        "links",
        "honeypot",
        "too_fast",
    }
