"""A site moderator's export names the sites they moderate; erasure forgets it."""

from sqlalchemy import select

from forum.sites.models import SiteModerator
from forum.sites.user_data import SiteData


def test_export_names_the_sites_and_erasure_forgets_them(make_user, make_site, database):
    mona = make_user("mona")
    make_site(moderators="mona")
    make_site(name="News", origins="https://news.example", moderators="mona")
    with database.session(write=True) as session:
        assert SiteData().export(session, mona.id) == {"moderates_sites": ["Janine's blog", "News"]}
        SiteData().forget(session, mona.id, keep_comments=True)
    with database.session() as session:
        assert session.scalars(select(SiteModerator)).all() == []
