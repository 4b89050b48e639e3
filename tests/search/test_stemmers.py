"""Each article is searched with its own language's stemmer on PostgreSQL (migration
search_0002), and each comment with its thread's (search_0003); SQLite's FTS5 stems English
only and finds other languages' words as written."""

import pytest


def results(client, q, kind="articles"):
    response = client.get("/api/search", params={"q": q, "kind": kind})
    assert response.status_code == 200, response.text
    return [hit["url"] for hit in response.json()["hits"]]


def written_in(make_article, slug, language, body):
    make_article(slug=slug, title=slug.capitalize(), body=body, language=language)


def on_postgres(settings) -> bool:
    return settings.effective_database_url.startswith("postgresql")


@pytest.mark.parametrize(
    ("language", "body", "query"),
    [
        ("de", "Die Wahlen der Arbeiterräte waren frei.", "Wahl"),
        ("fr", "Les travailleurs votaient chaque semaine.", "travailleur"),
        ("es", "Las elecciones de los consejos obreros.", "elección"),
        ("ar", "انتخب العمال مجالسهم", "العمال"),
    ],
)
def test_an_article_is_found_by_other_forms_of_words_in_its_own_language(
    client, make_article, settings, language, body, query
):
    written_in(make_article, "tagged", language, body)
    written_in(make_article, "untagged", "pt", body)  # no stemmer: words as written
    found = results(client, query)
    if on_postgres(settings):
        assert "/articles/tagged" in found
        if language != "ar":  # the Arabic query is the word as written: both find it
            assert "/articles/untagged" not in found
    else:
        assert query != "Wahl" or found == []  # SQLite: porter is English-only


def test_articles_of_unknown_language_keep_being_searched_as_english(
    client, make_article, settings
):
    make_article(slug="old", body="We were organising the tenants.")
    assert results(client, "organise") == ["/articles/old"]


def test_a_word_as_written_is_found_in_any_language(client, make_article):
    written_in(make_article, "pt", "pt-BR", "Os conselhos operários votavam.")
    written_in(make_article, "de", "de", "Die Räte stimmten ab.")
    assert results(client, "conselhos") == ["/articles/pt"]
    assert results(client, "Räte") == ["/articles/de"]


GERMAN_COMMENT = "Die Wahlen der Arbeiterräte waren frei."


def test_a_comment_is_found_by_other_forms_of_words_in_its_threads_language(
    client, make_article, post, settings
):
    german = make_article(slug="german", language="de")
    untagged = make_article(slug="portuguese", language="pt")
    said_in_german = post(german, None, GERMAN_COMMENT, author_name="Rosa")
    post(untagged, None, GERMAN_COMMENT, author_name="Karl")
    found = results(client, "Wahl", kind="comments")
    if on_postgres(settings):
        assert found == [f"/comments/{said_in_german.id}#comment-{said_in_german.id}"]
    else:
        assert found == []  # porter is English-only
    assert len(results(client, "Wahlen", kind="comments")) == 2  # as written: found anywhere


def test_when_an_editor_tags_the_threads_language_its_comments_follow(
    client, make_article, post, settings
):
    article = make_article(slug="later", title="Later", language="pt")
    comment = post(article, None, GERMAN_COMMENT, author_name="Rosa")
    assert results(client, "Wahl", kind="comments") == []
    make_article(slug="later", title="Later", language="de")
    if on_postgres(settings):
        assert results(client, "Wahl", kind="comments") == [
            f"/comments/{comment.id}#comment-{comment.id}"
        ]
