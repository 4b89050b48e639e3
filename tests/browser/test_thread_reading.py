"""Reading a thread in a real browser, on a phone (390×844) and a laptop (1280×800): who answers
whom, badges, relative times, folding with and without JavaScript, folds remembered only with
consent, no sideways scrolling, a compact cookie banner on phones, and no serious axe finding."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import describe, violations
from tests.browser.test_journeys import PASSWORD, add_article

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
SIZES = pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["390", "1280"])

# (key, author, parent key, text): one thread of 13 comments and a short second one
THREAD = [
    ("c0", "janine", None, "The question is what the word meant to people in 1917."),
    ("c1", "moss", "c0", "A reminder from the moderators: argue the history, not each other."),
    ("c2", "bob", "c1", "Fair. Then: the soviets were elected bodies, not a party."),
    ("c3", "cleo", "c2", "Elected, yes, but the franchise excluded whole classes."),
    ("c4", "bob", "c3", "Which the Constituent Assembly did not, and it was dissolved."),
    ("c5", "cleo", "c4", "Dissolved in January 1918: after the question of this article."),
    ("c6", "ada", "c0", "Sources for the September elections are in the reading list."),
    ("c7", "janine", "c6", "Thank you, I will add them to the article."),
    ("c8", "bob", "c0", "Lenin's State and Revolution is the obvious text here."),
    ("c9", "cleo", "c8", "Written in hiding, and read by few before October."),
    ("c10", "bob", "c8", "Few read it then; many cite it now."),
    ("c11", "janine", "c10", "That gap is what the article is about."),
    ("c12", "cleo", "c0", "The word also meant different things in Petrograd and Moscow."),
    ("d0", "bob", None, "A second thread: what did the workers' councils vote for?"),
    ("d1", "cleo", "d0", "Bread, peace and land, in that order."),
]
ROLES = {"moss": "moderator", "ada": "admin"}


def seed(live_server) -> dict[str, int]:
    """The article by Janine and the discussion above; returns comment ids by key."""
    from forum.accounts.current import CurrentUser
    from forum.accounts.models import Role
    from forum.accounts.passwords import Passwords, make_hasher
    from forum.accounts.service import Registration, register
    from forum.articles.service import get_published
    from forum.comments import service
    from forum.comments.hooks import CommentHooks

    add_article(live_server)
    ids: dict[str, int] = {}
    with live_server.database.session(write=True) as session:
        people = {}
        for name in ["janine", "moss", "ada", "bob", "cleo"]:
            user = register(
                session,
                Passwords(make_hasher(1, 1024, 1)),
                Registration(name, f"{name}@example.org", PASSWORD, name.capitalize()),
            )
            user.role = Role(ROLES.get(name, "reader"))
            people[name] = CurrentUser.of(user, via="session")
        article = get_published(session, "socialism")
        for key, author, parent, text in THREAD:
            comment = service.post_comment(
                session,
                CommentHooks(),
                article=article,
                author=people[author],
                request=service.PostRequest(body=text, parent_id=ids.get(parent or "")),
                anonymous_allowed=False,
                close_after_days=0,
            )
            ids[key] = comment.id
    return ids


def open_thread(page, live_server, size, path="/articles/socialism") -> None:
    page.set_viewport_size(size)
    page.goto(live_server.url + path)


def background(page, selector: str) -> str:
    return page.eval_on_selector(selector, "el => getComputedStyle(el).backgroundColor")


def fold_of(page, comment_id: int):
    return page.locator(f'details.fold[data-fold="{comment_id}"]')


def toggle_fold(page, comment_id: int) -> None:
    """Click a fold's summary and wait for its ``toggle`` event: the script remembers a fold in
    that event's handler, which the browser runs a moment after the click (a reload right after
    the click could come first)."""
    page.evaluate(
        """id => {
            window.foldToggled = false;
            document.querySelector(`details.fold[data-fold="${id}"]`)
                .addEventListener("toggle", () => { window.foldToggled = true; }, {once: true});
        }""",
        comment_id,
    )
    fold_of(page, comment_id).locator("> summary").click()
    page.wait_for_function("window.foldToggled")


def is_open(page, comment_id: int) -> bool:
    return page.eval_on_selector(f'details.fold[data-fold="{comment_id}"]', "el => el.open")


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("document.documentElement.clientWidth")
    assert width <= viewport, f"the page scrolls sideways: {width} > {viewport}"


@SIZES
def test_a_reply_says_whom_it_answers_and_the_link_lights_up_the_parent(live_server, page, size):
    ids = seed(live_server)
    open_thread(page, live_server, size)
    parent, reply = f"#comment-{ids['c1']}", f"#comment-{ids['c2']}"
    plain = background(page, parent)
    link = page.locator(f"{reply} .reply-to")
    expect(link).to_have_text("in reply to Moss")
    expect(link).to_be_visible()
    link.hover()
    assert background(page, parent) != plain  # lit while pointed at
    page.mouse.move(0, 0)
    link.focus()
    assert page.eval_on_selector(f"{reply} .reply-to", "el => el.matches(':focus-visible')")
    assert page.eval_on_selector(
        f"{reply} .reply-to", "el => getComputedStyle(el).outlineStyle"
    ) not in ("none", "")
    assert background(page, parent) != plain  # and while focused
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(f"#comment-{ids['c1']}$"))
    assert page.eval_on_selector(parent, "el => el.matches(':target')")
    assert background(page, parent) != plain  # and once followed (:target, no JS needed)
    screenshot(page, f"thread-reply-to-{size['width']}")


@SIZES
def test_badges_name_the_articles_author_moderators_and_admins(live_server, page, size):
    ids = seed(live_server)
    open_thread(page, live_server, size)
    expected = {"c0": "OP", "c1": "mod", "c6": "admin", "c7": "OP"}
    for key, label in expected.items():
        badge = page.locator(f"#comment-{ids[key]} .badge.role")
        expect(badge).to_be_visible()
        expect(badge).to_contain_text(label)
    expect(page.locator(f"#comment-{ids['c0']} .badge.role")).to_contain_text(
        "the article's author"
    )  # the words, for screen readers (visually hidden)
    expect(page.locator(f"#comment-{ids['c2']} .badge.role")).to_have_count(0)
    time = page.locator(f"#comment-{ids['c0']} .comment-meta time").first
    expect(time).to_have_text(re.compile(r"^(just now|\d+ minutes? ago)$"))
    assert re.fullmatch(r"\d+ \w+, \d{4} - \d+:\d\d", time.get_attribute("title"))
    assert time.get_attribute("datetime")
    screenshot(page, f"thread-badges-{size['width']}")


@SIZES
def test_folding_hides_the_whole_subtree_and_says_how_many(live_server, page, axe_source, size):
    ids = seed(live_server)
    open_thread(page, live_server, size)
    root = ids["c0"]
    toggle = fold_of(page, root).locator("> summary")
    expect(toggle).to_have_accessible_name(re.compile("Fold the comment by Janine"))
    toggle.click()
    assert not is_open(page, root)
    expect(toggle).to_contain_text("13 comments hidden")
    expect(page.get_by_text("Elected, yes")).to_be_hidden()
    expect(page.get_by_text("Bread, peace and land")).to_be_visible()  # the next thread stays
    screenshot(page, f"thread-folded-{size['width']}")
    toggle.focus()
    page.keyboard.press("Enter")  # a summary is a button: the keyboard unfolds it
    assert is_open(page, root)
    rail = fold_of(page, ids["c8"]).locator("> .replies > button.rail")
    expect(rail).to_have_attribute("aria-expanded", "true")
    expect(rail).to_have_accessible_name(re.compile(r"Fold the thread of Bob \(4 comments\)"))
    rail.focus()
    page.keyboard.press("Enter")
    assert not is_open(page, ids["c8"])
    expect(rail).to_have_attribute("aria-expanded", "false")
    expect(fold_of(page, ids["c8"]).locator("> summary")).to_be_focused()
    expect(fold_of(page, ids["c8"]).locator("> summary")).to_contain_text("4 comments hidden")
    found = violations(page, axe_source)
    assert not found, describe(found)


@SIZES
def test_folding_works_without_javascript(live_server, chromium, size):
    ids = seed(live_server)
    context = chromium.new_context(java_script_enabled=False, viewport=size)
    try:
        page = context.new_page()
        page.goto(live_server.url + "/articles/socialism")
        toggle = page.locator(f'details.fold[data-fold="{ids["c0"]}"] > summary')
        toggle.click()
        expect(toggle).to_contain_text("13 comments hidden")
        expect(page.get_by_text("Elected, yes")).to_be_hidden()
        time = page.locator(f"#comment-{ids['d0']} .comment-meta time").first
        expect(time).to_have_text(re.compile(r"\d{4} - \d+:\d\d"))  # the date, exact
        assert page.locator("button.rail").count() == 0  # rails are the script's
        screenshot(page, f"thread-folded-no-js-{size['width']}")
        toggle.click()
        expect(page.get_by_text("Elected, yes")).to_be_visible()
    finally:
        context.close()


def test_folds_are_remembered_only_after_consent_to_preferences(live_server, page):
    ids = seed(live_server)
    open_thread(page, live_server, LAPTOP)
    toggle_fold(page, ids["c8"])
    page.reload()
    assert is_open(page, ids["c8"])  # no consent: nothing kept
    assert page.evaluate("localStorage.getItem('forum.folds')") is None

    page.get_by_role("button", name="Accept all").click()
    expect(page.get_by_role("region", name="Cookie consent")).to_be_hidden()
    page.reload()
    toggle_fold(page, ids["c8"])
    page.reload()
    assert not is_open(page, ids["c8"]) and is_open(page, ids["c0"])
    assert page.evaluate("JSON.parse(localStorage.getItem('forum.folds'))")["socialism"]["ids"]
    page.goto(live_server.url + f"/comments/{ids['c0']}")  # the same thread, another page
    assert not is_open(page, ids["c8"])

    page.goto(live_server.url + "/cookies")
    page.get_by_role("button", name="Reject non-essential").first.click()
    page.goto(live_server.url + "/articles/socialism")
    assert is_open(page, ids["c8"])
    assert page.evaluate("localStorage.getItem('forum.folds')") is None


@SIZES
def test_phones_get_thin_rails_four_levels_and_no_sideways_scrolling(live_server, page, size):
    ids = seed(live_server)
    open_thread(page, live_server, size)
    no_sideways_scroll(page)
    deep = page.get_by_text("Which the Constituent Assembly did not")  # the fifth level
    continues = page.locator(f"#comment-{ids['c3']} ~ .narrow-only a")
    if size is PHONE:
        expect(deep).to_be_hidden()
        expect(continues).to_be_visible()
        expect(continues).to_have_text(re.compile("Continue this thread"))
        step = page.evaluate(
            """([outer, inner]) => document.querySelector(inner).getBoundingClientRect().left
                 - document.querySelector(outer).getBoundingClientRect().left""",
            [f"#comment-{ids['c2']}", f"#comment-{ids['c3']}"],
        )
        assert 8 <= step <= 16, step  # about 12 px a level
        text_width = page.eval_on_selector(
            f"#comment-{ids['c3']} .comment-body", "el => el.getBoundingClientRect().width"
        )
        assert text_width >= 280, text_width  # never a few words a line
    else:
        expect(deep).to_be_visible()
        expect(continues).to_be_hidden()
    screenshot(page, f"thread-levels-{size['width']}")
    open_thread(page, live_server, size, f"/comments/{ids['c3']}")
    no_sideways_scroll(page)
    expect(page.get_by_text("Which the Constituent Assembly did not")).to_be_visible()


@SIZES
def test_the_cookie_banner_is_compact_and_scrolls_away_on_phones(live_server, page, size):
    seed(live_server)
    open_thread(page, live_server, size)
    banner = page.get_by_role("region", name="Cookie consent")
    expect(banner).to_be_visible()
    box = banner.bounding_box()
    position = page.eval_on_selector("[data-consent-banner]", "el => getComputedStyle(el).position")
    if size is PHONE:
        assert position == "static"
        assert box["height"] <= 100, box
        buttons = [
            banner.get_by_role(role, name=name).bounding_box()
            for role, name in [
                ("button", "Accept all"),
                ("button", "Reject non-essential"),
                ("link", "Settings"),
            ]
        ]
        assert len({round(b["y"]) for b in buttons}) == 1  # one row
    no_sideways_scroll(page)
    screenshot(page, f"thread-banner-{size['width']}")


@SIZES
def test_a_folded_thread_with_badges_has_no_serious_accessibility_violations(
    live_server, page, axe_source, size
):
    ids = seed(live_server)
    open_thread(page, live_server, size)
    fold_of(page, ids["c8"]).locator("> summary").click()
    found = violations(page, axe_source)
    assert not found, describe(found)


@pytest.mark.parametrize("live_overrides", [{"comments_page_limit": 6}])
def test_a_thread_cut_short_counts_what_it_left_out_and_loads_it_in_place(live_server, page):
    ids = seed(live_server)
    open_thread(page, live_server, LAPTOP)
    root = fold_of(page, ids["c0"]).locator("> summary")
    expect(root).to_contain_text("13 comments hidden")  # 6 on the page, the rest counted
    cut = fold_of(page, ids["c1"]).locator("> summary")
    expect(cut).to_contain_text("at least 5 comments hidden")
    page.get_by_role("link", name=re.compile(r"more repl")).first.click()
    expect(page.get_by_text("That gap is what the article is about.")).to_be_visible()
    rail = fold_of(page, ids["c8"]).locator("> .replies > button.rail")
    expect(rail).to_have_attribute("aria-expanded", "true")  # loaded comments get rails too
    expect(fold_of(page, ids["c1"]).locator("> summary")).to_contain_text(
        re.compile(r"· 5 comments hidden")  # now exact: the whole subtree is on the page
    )
    expect(page.locator(f"#comment-{ids['c10']} .comment-meta time").first).to_have_text(
        re.compile(r"^(just now|\d+ minutes? ago)$")
    )
