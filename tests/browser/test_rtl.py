"""An Arabic thread in a real browser mirrors: the page is right-to-left, the rails and the
indentation of replies are on the right, nothing scrolls sideways, and axe finds nothing serious
(390×844 and 1280×800; screenshots in var/screenshots/rtl-thread-*.png)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_accessibility import describe, violations
from tests.browser.test_thread_reading import LAPTOP, PHONE, seed

SIZES = pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["390", "1280"])


@pytest.fixture
def arabic_page(chromium):
    """A fresh profile whose browser asks for Arabic (``Accept-Language: ar``)."""
    context = chromium.new_context(locale="ar")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def box(page, selector: str) -> dict:
    found = page.locator(selector).first.bounding_box()
    assert found, f"{selector} is not laid out"
    return found


@SIZES
def test_an_arabic_thread_is_mirrored_with_its_rails_on_the_right(
    live_server, arabic_page, axe_source, size
):
    ids = seed(live_server)
    page = arabic_page
    page.set_viewport_size(size)
    page.goto(live_server.url + "/articles/socialism")
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.locator("html").get_attribute("dir") == "rtl"

    parent = box(page, f"#comment-{ids['c8']}")
    replies = f"details.fold[data-fold='{ids['c8']}'] > .replies"
    child = box(page, f"#comment-{ids['c9']}")
    rail = box(page, f"{replies} > button.rail")
    line = page.eval_on_selector(
        replies,
        "el => [getComputedStyle(el).borderRightWidth, getComputedStyle(el).borderLeftWidth]",
    )
    assert line == ["2px", "0px"], "the thread line is drawn on the right"
    parent_end = parent["x"] + parent["width"]
    child_end = child["x"] + child["width"]
    assert child_end < parent_end - 4, "a reply is indented from the right"
    assert abs(child["x"] - parent["x"]) < 2, "and reaches as far left as its parent"
    assert rail["x"] >= child_end, "the rail is on the reply's right"
    assert rail["x"] < parent_end

    toggle = box(page, f"details.fold[data-fold='{ids['c8']}'] > summary")
    assert toggle["x"] + toggle["width"] > parent_end - toggle["width"] - 4, (
        "the fold toggle starts the line on the right"
    )
    scroll = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert scroll[0] <= scroll[1], "nothing scrolls sideways"
    screenshot(page, f"rtl-thread-{size['width']}")
    found = violations(page, axe_source)
    assert not found, describe(found)
