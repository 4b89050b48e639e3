"""What people do, in a real browser: decide on cookies, register and discuss."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from playwright.sync_api import expect

from forum.articles.service import ArticleInput, save_article
from tests.browser.conftest import screenshot

NECESSARY_COOKIES = {"forum_session", "forum_csrf", "forum_consent"}
PASSWORD = "a long enough passphrase"


def add_article(live_server, slug: str = "socialism", title: str = "What do we mean by socialism?"):
    with live_server.database.session(write=True) as session:
        save_article(
            session,
            ArticleInput(
                title=title,
                author_name="Janine",
                submitted_at=datetime(2003, 4, 15, 9, 12, tzinfo=UTC),
                body="The soviets, the elections, and what came after.",
                slug=slug,
            ),
        )


def log_in(live_server, page, name: str) -> None:
    """The login form, as a reader fills it in after confirming their address."""
    page.goto(live_server.url + "/login")
    page.get_by_label(re.compile("Username or email", re.I)).fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def test_a_visitor_rejects_cookies_and_gets_no_non_essential_cookie(live_server, page):
    add_article(live_server)
    page.goto(live_server.url + "/")
    banner = page.get_by_role("region", name=re.compile("cookie", re.I))
    assert banner.is_visible()
    screenshot(page, "front-page")
    page.get_by_role("button", name=re.compile("Reject", re.I)).click()
    expect(page.get_by_role("region", name=re.compile("cookie", re.I))).to_be_hidden()
    for path in ["/", "/articles/socialism", "/cookies"]:
        page.goto(live_server.url + path)
    names = {cookie["name"] for cookie in page.context.cookies()}
    assert names <= NECESSARY_COOKIES, names
    page.goto(live_server.url + "/cookies")
    screenshot(page, "cookie-settings")


def test_a_reader_registers_verifies_and_discusses(live_server, page, smtp_server):
    add_article(live_server)
    page.goto(live_server.url + "/register")
    page.get_by_label("Username").fill("janine")
    page.get_by_label("Email address").fill("janine@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    # The same answer whoever owns the address: the mail, not the page, carries the account.
    expect(page.get_by_text(re.compile("open its link to confirm"))).to_be_visible()

    (mail,) = smtp_server.wait_for(1, timeout=15)
    body = mail.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"http://127\.0\.0\.1:\d+/verify/\S+", body).group(0)
    page.goto(link)
    assert page.get_by_text("Your email address is confirmed").is_visible()
    log_in(live_server, page, "janine")
    assert page.get_by_role("button", name="Log out").is_visible()

    page.goto(live_server.url + "/articles/socialism")
    page.get_by_label("Your comment").fill("The September elections *matter* here.")
    page.get_by_role("button", name="Post comment").click()
    first = page.locator("article.comment", has_text="The September elections")  # in place
    expect(first).to_be_visible()
    first_id = first.get_attribute("id").removeprefix("comment-")

    page.goto(live_server.url + "/articles/socialism")
    page.locator(f"#comment-{first_id}").get_by_role("link", name=re.compile("^Reply")).click()
    reply_box = page.locator(f"#comment-{first_id} form.inline-reply textarea")
    reply_box.fill("And a nested reply.")
    page.locator(f"#comment-{first_id} form.inline-reply").get_by_role(
        "button", name="Post reply"
    ).click()
    reply = page.locator("article.comment", has_text="And a nested reply.")
    expect(reply).to_be_visible()
    reply_id = reply.get_attribute("id").removeprefix("comment-")
    assert reply_id != first_id

    page.goto(live_server.url + f"/comments/{reply_id}/edit")
    page.get_by_label("Comment").fill("And an edited nested reply.")
    page.get_by_role("button", name="Save").click()
    page.goto(live_server.url + "/articles/socialism")
    reply = page.locator(f"#comment-{reply_id}")
    assert reply.get_by_text("And an edited nested reply.").is_visible()
    assert reply.get_by_text(re.compile(r"\(edited")).is_visible()
    screenshot(page, "article-with-thread")

    page.goto(live_server.url + f"/comments/{first_id}/delete")
    page.get_by_role("button", name="Delete").click()
    page.wait_for_url(re.compile(r"/articles/socialism"))
    assert page.get_by_text("This comment was deleted.").is_visible()
    assert page.get_by_text("And an edited nested reply.").is_visible()


def test_the_thread_is_usable_by_keyboard(live_server, page):
    add_article(live_server)
    page.goto(live_server.url + "/register")
    page.get_by_label("Username").fill("keyboard")
    page.get_by_label("Email address").fill("keys@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_text(re.compile("open its link to confirm"))).to_be_visible()
    page.goto(live_server.url + "/login")
    page.get_by_label(re.compile("Username or email", re.I)).focus()
    page.keyboard.type("keyboard")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/")
    page.goto(live_server.url + "/articles/socialism")
    page.get_by_label("Your comment").focus()
    page.keyboard.type("Typed without a mouse.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("article.comment", has_text="Typed without a mouse.")).to_be_visible()


def test_a_deep_thread_reads_well_and_continues_past_eight_levels(live_server, page):
    from forum.accounts.current import CurrentUser
    from forum.accounts.models import Role
    from forum.accounts.passwords import Passwords, make_hasher
    from forum.accounts.service import Registration, register
    from forum.articles.service import get_published
    from forum.comments import service
    from forum.comments.hooks import CommentHooks

    add_article(live_server)
    hooks = CommentHooks()
    with live_server.database.session(write=True) as session:
        people = []
        for name, shown in [("ann", "Ann Archer"), ("bob", "Bob"), ("cleo", "Cleo M.")]:
            user = register(
                session,
                Passwords(make_hasher(1, 1024, 1)),
                Registration(name, f"{name}@example.org", PASSWORD, shown),
            )
            user.role = Role.MODERATOR  # published at once, whatever the screening
            people.append(CurrentUser.of(user, via="session"))
        article = get_published(session, "socialism")
        parent = None
        for depth in range(12):
            parent = service.post_comment(
                session,
                hooks,
                article=article,
                author=people[depth % 3],
                request=service.PostRequest(
                    body=f"Level {depth}: a point, *answered* below.",
                    parent_id=parent.id if parent else None,
                ),
                anonymous_allowed=False,
                close_after_days=0,
            )
    page.set_viewport_size({"width": 1000, "height": 900})
    page.goto(live_server.url + "/articles/socialism")
    expect(page.get_by_text("Level 7:")).to_be_visible()
    expect(page.get_by_text("Level 8:")).to_have_count(0)
    page.get_by_role("link", name=re.compile("Continue this thread")).click()
    expect(page.get_by_text("Level 11:")).to_be_visible()
    page.goto(live_server.url + "/articles/socialism")
    screenshot(page, "article-with-deep-thread")
