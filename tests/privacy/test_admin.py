"""/admin/privacy: counts of consent decisions and of page views, for administrators."""

import re
from datetime import date

from babel.dates import format_date

from forum.privacy.models import PolicyKind


def cell(html: str, label: str) -> list[str]:
    row = re.search(rf"<th scope=\"row\">{label}</th>((?:<td>[^<]*</td>)+)", html)
    assert row, label
    return re.findall(r"<td>([^<]*)</td>", row.group(1))


def test_the_overview_counts_decisions_by_category_how_and_version(
    auth, admin, choose, second_device, publish
):
    visitor = second_device()
    visitor.client.get("/")
    visitor.post("/cookies", {"choice": "accept_all", "source": "banner"})
    gpc = second_device()
    gpc.client.get("/", headers={"Sec-GPC": "1"})
    publish(PolicyKind.COOKIES)
    auth.login("boss")
    auth.client.get("/")
    choose("save", source="settings", analytics="on")
    auth.client.get("/")
    auth.client.get("/privacy")
    html = auth.client.get("/admin/privacy").text
    assert "Consent decisions: 3" in html
    assert cell(html, "Preferences") == ["1", "2"]
    assert cell(html, "Analytics") == ["2", "1"]
    assert cell(html, "Banner") == ["1"]
    assert cell(html, "Settings page") == ["1"]
    assert cell(html, "Global Privacy Control") == ["1"]
    assert cell(html, "1") == ["2"] and cell(html, "2") == ["1"]
    assert "Page views, last 30 days: 2" in html
    assert "<code>/privacy</code></td><td>1</td>" in html


def test_the_page_view_days_are_written_in_the_admins_language(auth, admin):
    """A German administrator reads "5. Dezember 2026", not "5 December 2026"."""
    auth.login("boss")
    html = auth.client.get("/admin/privacy", headers={"Accept-Language": "de"}).text
    days = re.findall(r'<tr><td><time datetime="([0-9-]+)">([^<]+)</time></td>', html)
    assert len(days) == 30
    for iso, written in days:
        assert written == format_date(date.fromisoformat(iso), "long", locale="de")
