"""Sentences never run together ("are used.You"): the template environment trims the newline
after a block tag, so a block tag may not end a line that the next line's words continue."""

import itertools
import re

import pytest

from forum.web.templating import TEMPLATE_PACKAGE

BLOCK_END = re.compile(r"(?<!-)%\}$")


def html_templates():
    from importlib.resources import files

    root = files(TEMPLATE_PACKAGE)
    found = []
    stack = [root]
    while stack:
        folder = stack.pop()
        for entry in folder.iterdir():
            if entry.is_dir() and entry.name != "mail":
                stack.append(entry)
            elif entry.name.endswith(".html"):
                found.append(entry)
    return found


def test_no_block_tag_glues_two_lines_of_text_together():
    glued = []
    for template in html_templates():
        lines = template.read_text(encoding="utf-8").split("\n")
        for number, (line, following) in enumerate(itertools.pairwise(lines), 1):
            if BLOCK_END.search(line.rstrip()) and re.match(r"[^\s<{]", following):
                glued.append(f"{template.name}:{number}: {line.strip()[-50:]} + {following[:30]}")
    assert not glued, "\n".join(glued)


def test_the_cookie_page_keeps_the_space_after_its_first_sentence(client):
    text = client.get("/cookies").text
    assert "cookies are used. You can change it" in text


def test_account_deletion_keeps_the_space_after_cannot_be_undone(auth, make_user):
    make_user("ann")
    auth.login("ann")
    text = auth.client.get("/account/delete").text
    assert "cannot be undone. We send a last mail" in text


@pytest.fixture
def settings_overrides():
    return {"erasure_grace_hours": 0}
