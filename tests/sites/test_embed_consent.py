"""Consent inside the frame: nothing optional before a choice, GPC honoured, and a site's
``data-consent="necessary"`` narrows the reader's choice for its frames, never widens it."""

from sqlalchemy import select

from forum.privacy.models import PageViewCount
from tests.sites.test_embed import PAGE, frame


def counted(database) -> int:
    with database.session() as session:
        rows = session.scalars(select(PageViewCount).where(PageViewCount.path.like("/embed/%")))
        return sum(row.views for row in rows)


def choose_analytics(auth):
    response = auth.post("/cookies", {"choice": "save", "source": "settings", "analytics": "on"})
    assert response.status_code in {200, 303}


def cookie_names(response) -> set[str]:
    return {h.split("=", 1)[0] for h in response.headers.get_list("set-cookie")}


def test_before_a_choice_the_frame_sets_only_necessary_cookies_and_counts_nothing(
    client, make_site, database
):
    response = frame(client, make_site())
    assert cookie_names(response) <= {"forum_csrf", "__Host-forum_csrf"}
    assert "This thread sets necessary cookies only." in response.text
    assert 'href="/cookies" target="_blank"' in response.text
    assert counted(database) == 0


def test_a_readers_choice_applies_in_a_frame_that_gets_the_cookie(
    auth, client, make_site, database
):
    site = make_site()
    choose_analytics(auth)
    response = frame(client, site)
    assert "necessary cookies only" not in response.text
    assert counted(database) == 1


def test_the_sites_necessary_only_narrows_the_readers_choice(auth, client, make_site, database):
    site = make_site()
    choose_analytics(auth)
    response = client.get(f"/embed/{site.id}/thread?url={PAGE}&consent=necessary")
    assert "Necessary cookies only, as this site asked." in response.text
    assert counted(database) == 0
    assert "forum_consent" not in cookie_names(response)  # the reader's own choice stays


def test_the_site_cannot_widen_consent(client, make_site, database):
    site = make_site()
    client.get(f"/embed/{site.id}/thread?url={PAGE}&consent=all")
    assert counted(database) == 0


def test_gpc_is_honoured_in_the_frame(auth, client, make_site, database):
    site = make_site()
    assert auth.post("/cookies", {"choice": "accept_all", "source": "banner"}).status_code < 400
    frame(client, site)
    assert counted(database) == 1  # the banner's 'accept all' counts, until GPC is sent
    response = client.get(f"/embed/{site.id}/thread?url={PAGE}", headers={"Sec-GPC": "1"})
    assert response.status_code == 200
    assert counted(database) == 1
