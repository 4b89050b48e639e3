"""The thread remembers a reader's sort order, in a preferences cookie, only with consent."""


def newest_first(client) -> bool:
    html = client.get("/articles/a").text
    return html.index("second thread") < html.index("first thread")


def set_up(make_article, make_user, post):
    article = make_article(slug="a")
    ann = make_user("ann")
    post(article, ann, "first thread")
    post(article, ann, "second thread")


def test_without_consent_the_sort_is_not_remembered(auth, make_article, make_user, post):
    set_up(make_article, make_user, post)
    response = auth.client.get("/articles/a?sort=newest")
    assert "forum_prefs" not in response.headers.get("set-cookie", "")
    assert not newest_first(auth.client)


def test_with_preferences_allowed_the_sort_is_remembered(auth, make_article, make_user, post):
    set_up(make_article, make_user, post)
    auth.post("/cookies", {"choice": "accept_all", "next": "/"})
    response = auth.client.get("/articles/a?sort=newest")
    assert "forum_prefs=sort:newest" in response.headers.get("set-cookie", "")
    assert newest_first(auth.client)
    auth.client.get("/articles/a?sort=oldest")
    assert not newest_first(auth.client)


def test_withdrawing_consent_forgets_the_sort(auth, make_article, make_user, post):
    set_up(make_article, make_user, post)
    auth.post("/cookies", {"choice": "accept_all", "next": "/"})
    auth.client.get("/articles/a?sort=newest")
    auth.post("/cookies", {"choice": "reject", "next": "/"})
    assert not newest_first(auth.client)
    assert "forum_prefs" not in auth.client.cookies
