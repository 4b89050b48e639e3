"""Who answers whom, and what a fold hides: the "in reply to" links, the authors' badges, the
fold counts of whole subtrees (replies left off the page included), the phone's "Continue this
thread", and folds remembered only with consent."""

import re

from sqlalchemy import update

from forum.accounts.models import Role
from forum.comments import service
from forum.comments.models import Comment, CommentStatus
from forum.comments.service import Sort, Viewer
from forum.comments.thread_view import NARROW_LEVELS, Fold, ThreadFacts
from forum.comments.tree import walk
from tests.comments.test_query_counts import grow


def card(html: str, comment_id: int) -> str:
    start = html.index(f'id="comment-{comment_id}"')
    return html[start : html.index("</article>", start)]


def badges(html: str, comment_id: int) -> list[str]:
    return re.findall(r'<span class="badge role role-(\w+)"', card(html, comment_id))


def fold_summary(html: str, comment_id: int) -> str:
    start = html.index(f'data-fold="{comment_id}"')
    summary = html[start : html.index("</summary>", start)]
    return re.sub(r"<[^>]+>", "", summary)


def test_replies_say_whom_they_answer_with_a_link_to_the_parent(
    client, make_article, make_user, post
):
    make_article(slug="a")
    article = make_article(slug="b")
    ann, bob = make_user("ann", display_name="Ann A."), make_user("bob")
    first = post(article, ann, "First")
    reply = post(article, bob, "Second", parent=first)
    html = client.get("/articles/b").text
    assert "in reply to" not in card(html, first.id)
    assert f'<a class="reply-to" href="#comment-{first.id}">in reply to Ann A.</a>' in card(
        html, reply.id
    )
    permalink = client.get(f"/comments/{reply.id}").text  # the parent is shown above
    assert f'href="#comment-{first.id}">in reply to Ann A.</a>' in permalink


def test_a_reply_to_a_deleted_comment_answers_deleted(
    client, make_article, make_user, post, database, hooks
):
    from forum.accounts.current import CurrentUser

    article = make_article(slug="a")
    ann, bob = make_user("ann"), make_user("bob")
    first = post(article, ann, "Soon gone")
    reply = post(article, bob, "Still here", parent=first)
    with database.session(write=True) as session:
        service.delete_comment(session, hooks, first.id, actor=CurrentUser.of(ann, via="session"))
    html = client.get("/articles/a").text
    assert f'href="#comment-{first.id}">in reply to [deleted]</a>' in card(html, reply.id)


def test_the_articles_author_moderators_and_admins_carry_badges_in_words(
    client, make_article, make_user, post
):
    article = make_article(slug="a", author_name="Janine")
    janine = make_user("janine", display_name="Janine P.")
    mo = make_user("moss", role=Role.MODERATOR)
    ada = make_user("ada", role=Role.ADMIN)
    imposter = make_user("imposter", display_name="Janine")  # a display name is no proof
    ed = make_user("edna", role=Role.EDITOR)
    ids = {
        name: post(article, user, f"By {name}").id
        for name, user in [("janine", janine), ("mo", mo), ("ada", ada), ("imp", imposter)]
    }
    ids["ed"] = post(article, ed, "By ed").id
    ids["anon"] = post(article, None, "Anonymous", author_name="Janine").id
    html = client.get("/articles/a").text
    assert badges(html, ids["janine"]) == ["op"]
    assert badges(html, ids["mo"]) == ["moderator"]
    assert badges(html, ids["ada"]) == ["admin"]
    assert badges(html, ids["imp"]) == badges(html, ids["ed"]) == badges(html, ids["anon"]) == []
    assert 'OP<span class="visually-hidden"> (the article&#39;s author)</span>' in card(
        html, ids["janine"]
    )
    assert 'mod<span class="visually-hidden"> (moderator)</span>' in card(html, ids["mo"])
    assert 'admin<span class="visually-hidden"> (administrator)</span>' in card(html, ids["ada"])


def test_times_are_exact_dates_in_the_page_for_the_script_to_make_relative(
    client, make_article, make_user, post
):
    article = make_article(slug="a")
    first = post(article, make_user("ann"), "Hello")
    html = card(client.get("/articles/a").text, first.id)
    time = re.search(r'<time datetime="([^"]+)" title="([^"]+)">([^<]+)</time>', html)
    assert time is not None
    assert time.group(1).startswith(str(first.created_at.year))
    assert time.group(2) == time.group(3)  # the exact date, in the title too
    assert "ago" not in html  # never frozen into the (cached) page


def test_a_fold_says_how_many_comments_it_hides_the_whole_subtree(
    client, make_article, make_user, post, database, hooks
):
    from forum.accounts.current import CurrentUser

    article = make_article(slug="a")
    ann, bob = make_user("ann"), make_user("bob")
    top = post(article, ann, "Top")
    a = post(article, bob, "A", parent=top)
    a1 = post(article, ann, "A1", parent=a)
    post(article, bob, "A1a", parent=a1)
    b = post(article, bob, "B", parent=top)
    held = post(article, None, "Held", parent=b, author_name="Visitor")
    with database.session(write=True) as session:
        session.execute(update(Comment).where(Comment.id == held.id).values(status="pending"))
        service.delete_comment(session, hooks, a.id, actor=CurrentUser.of(bob, via="session"))
    html = client.get("/articles/a").text
    # top, A1, A1a, B: the deleted A and the held reply are not comments a visitor may read
    assert "4 comments hidden" in fold_summary(html, top.id)
    assert "2 comments hidden" in fold_summary(html, a.id)
    assert "1 comment hidden" in fold_summary(html, b.id)
    assert "Fold the comment by ann and its replies" in fold_summary(html, top.id)
    assert f'<details class="fold" open data-fold="{b.id}">' in html


def test_a_fold_counts_replies_the_page_left_out(db, database, make_article, make_user):
    article = make_article()
    rows = grow(database, article, make_user("ann"), [8, 2, 0])
    first, second = rows[0], rows[9]
    page = service.thread_page(
        db, article, Viewer(), sort=Sort.OLDEST, page=1, per_page=50, max_comments=5
    )
    facts = ThreadFacts(article, page.nodes)
    top, *_ = page.nodes
    assert facts.fold(top.item).count == 9 and not facts.fold(top.item).at_least
    assert facts.fold(page.nodes[1].item).count == 3  # loaded alone, its two replies left out
    chain = [n for n in walk([top]) if n.item.id != first.id]
    assert [facts.fold(n.item).at_least for n in chain] == [True] * len(chain)
    whole = ThreadFacts(
        article,
        service.thread_page(db, article, Viewer(), sort=Sort.OLDEST, page=1, per_page=50).nodes,
    )
    for node in chain:  # what is certainly there is never more than what is there
        assert facts.fold(node.item).count <= whole.fold(node.item).count
    assert second.id in {n.item.id for n in page.nodes}


def test_the_at_least_count_reaches_the_page(client, database, make_article, make_user):
    article = make_article(slug="long")
    rows = grow(database, article, make_user("ann"), [300])
    html = client.get("/articles/long").text
    assert f"{len(rows)} comments hidden" in fold_summary(html, rows[0].id)
    assert "at least" in html and "at least" not in fold_summary(html, rows[1].id)


def test_phones_continue_the_thread_after_four_levels(client, make_article, make_user, post):
    article = make_article(slug="a")
    ann = make_user("ann")
    chain = [post(article, ann, "Level 0")]
    for level in range(1, NARROW_LEVELS + 2):
        chain.append(post(article, ann, f"Level {level}", parent=chain[-1]))
    html = client.get("/articles/a").text
    cut = chain[NARROW_LEVELS - 1]  # the fourth level: what is below it waits on a phone
    assert html.count('class="continue narrow-only"') == 1
    assert f'<p class="continue narrow-only"><a href="/comments/{cut.id}#comment-{cut.id}">' in html
    assert f'<div class="replies narrow-cut" data-replies-of="{cut.id}">' in html
    assert all(f'id="comment-{c.id}"' in html for c in chain)  # all there for wide screens


def test_folds_are_remembered_only_with_consent_to_preferences(auth, make_article, client):
    make_article(slug="a")
    assert "data-remember-folds" not in auth.client.get("/articles/a").text
    auth.post("/cookies", {"choice": "accept_all", "next": "/"})
    assert "data-remember-folds" in auth.client.get("/articles/a").text
    auth.post("/cookies", {"choice": "reject", "next": "/"})
    assert "data-remember-folds" not in auth.client.get("/articles/a").text
    table = auth.client.get("/cookies").text
    assert "<code>forum.folds</code>" in table and "localStorage" in table


def test_a_visitors_cached_section_has_no_consent_mark(client, make_article, make_user, post):
    article = make_article(slug="a")
    post(article, make_user("ann"), "Hello")
    html = client.get("/articles/a").text
    start = html.index('<section id="comments"')
    section = html[start : html.index("</section>", start)]
    assert 'data-thread="a"' in section and "data-remember-folds" not in section


def test_the_cut_chain_follows_paths_whatever_order_siblings_are_shown_in(make_article):
    """A page loads a thread in path order; shown by votes, the reply loaded last may come
    first: the "at least" counts follow the loaded order, not the shown one."""
    from datetime import UTC, datetime

    from forum.comments.reading import CommentView
    from forum.comments.tree import Node, child_path

    def view(cid: int, path: str, more: int = 0) -> CommentView:
        at = datetime(2026, 1, 1, tzinfo=UTC)
        depth = path.count(".") - 1
        return CommentView(
            cid, 1, None, path, depth, CommentStatus.PUBLISHED, "", at, None, 1, "a", "A",
            more=more,
        )  # fmt: skip

    top = child_path("", 1)
    first, second = child_path(top, 1), child_path(top, 2)
    below_second = child_path(second, 1)
    root = Node(view(1, top, more=7), 0)
    late = Node(view(3, second), 1, [Node(view(4, below_second), 2)])
    root.children = [late, Node(view(2, first), 1)]  # the later reply shown first (best)
    facts = ThreadFacts(make_article(), [root])
    assert facts.fold(root.item) == Fold(11)
    assert facts.fold(late.item) == Fold(2, at_least=True)
    assert facts.fold(late.children[0].item) == Fold(1, at_least=True)
    assert facts.fold(root.children[1].item) == Fold(1)
