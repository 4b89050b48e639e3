"""Where a comment lives: the one place its public addresses are spelled out.

Routes, feeds, search, mails and templates (as Jinja globals, see ``template_globals``) build
links with these, so a change of address is made here once.
"""

from __future__ import annotations

from typing import Any

from forum.articles.urls import article_url
from forum.comments.models import Comment


def comment_url(comment_id: int, *, anchored: bool = True) -> str:
    """The comment's permalink, scrolled to the comment (``anchored``) or bare (feed ids)."""
    url = f"/comments/{comment_id}"
    return url + f"#comment-{comment_id}" if anchored else url


def thread_url(slug: str, comment_id: int | None = None) -> str:
    """The article's thread, at ``comment_id`` when given, else at the top of the comments."""
    return article_url(slug, f"comment-{comment_id}" if comment_id else "comments")


def template_globals() -> dict[str, Any]:
    """What every template may use to link to articles and comments and to size the forms."""
    return {
        "article_url": article_url,
        "comment_url": comment_url,
        "thread_url": thread_url,
        "comment_body_max": Comment.BODY_MAX,
        "comment_author_name_max": Comment.AUTHOR_NAME_MAX,
    }
