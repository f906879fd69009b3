"""The public news page of an organisation, its post pages, images, and RSS and Atom feeds."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from django.test import Client

from hafen.publishing.actions import delivering
from hafen.publishing.tests.conftest import approved, draft, published_post, submitted

pytestmark = pytest.mark.django_db
NEWS = "/n/beispiel-traeger/"
ATOM = "{http://www.w3.org/2005/Atom}"


def _xml(content: bytes) -> ElementTree.Element:
    return ElementTree.fromstring(content)  # noqa: S314 (our own feed, in a test)


def test_the_news_page_lists_published_posts_without_staff_names(comms, leader):
    post = published_post(comms, leader)
    page = Client().get(NEWS)
    text = page.content.decode()
    assert page.status_code == 200
    assert "Sommerfest im Jugendtreff" in text
    assert f"/n/beispiel-traeger/{post.pk}/" in text
    assert "Mira Schulz" not in text and "Petra Hahn" not in text
    assert "'self'" in page["Content-Security-Policy"]


def test_drafts_submitted_and_scheduled_posts_are_not_public(comms, leader, news):
    hidden = [
        draft(comms, title="Entwurf"),
        submitted(comms, title="Wartet"),
        approved(comms, leader, title="Freigegeben"),
    ]
    text = Client().get(NEWS).content.decode()
    for post in hidden:
        assert post.title not in text
        assert Client().get(f"{NEWS}{post.pk}/").status_code == 404


def test_the_public_sees_the_approved_words_not_a_later_draft(comms, leader):
    post = published_post(comms, leader)
    page = Client().get(f"{NEWS}{post.pk}/").content.decode()
    assert "Am Samstag feiern wir unser Sommerfest." in page
    image = post.images.get()
    served = Client().get(f"{NEWS}{post.pk}/bild/{image.pk}/")
    assert served.status_code == 200 and served["Content-Type"] == "image/png"


def test_images_of_unpublished_posts_are_not_public(comms, leader, news):
    from hafen.publishing import images
    from hafen.publishing.actions import posts
    from hafen.publishing.tests.conftest import png_bytes

    post = draft(comms)
    image = posts.add_image(comms, post, images.prepare(png_bytes(), "image/png"), alt_text="x")
    assert Client().get(f"{NEWS}{post.pk}/bild/{image.pk}/").status_code == 404


def test_an_unknown_organisation_has_no_news_page(db):
    assert Client().get("/n/gibt-es-nicht/").status_code == 404
    assert Client().get("/n/gibt-es-nicht/rss/").status_code == 404


def test_the_rss_feed_lists_published_posts(comms, leader):
    post = published_post(comms, leader)
    response = Client().get(f"{NEWS}rss/")
    assert response["Content-Type"].startswith("application/rss+xml")
    channel = _xml(response.content).find("channel")
    assert channel is not None
    assert channel.findtext("title") in (
        "News of Beispiel-Träger e.V.",
        "Neuigkeiten von Beispiel-Träger e.V.",
    )
    items = channel.findall("item")
    assert [item.findtext("title") for item in items] == ["Sommerfest im Jugendtreff"]
    assert items[0].findtext("link").endswith(f"/n/beispiel-traeger/{post.pk}/")
    assert "Am Samstag feiern wir" in items[0].findtext("description")
    assert items[0].findtext("pubDate")


def test_the_atom_feed_lists_published_posts(comms, leader, news):
    published_post(comms, leader)
    approved(comms, leader, title="Zweiter Beitrag", text="Noch mehr Neues.")
    delivering.publish_due()
    response = Client().get(f"{NEWS}atom/")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = _xml(response.content)
    titles = sorted(entry.findtext(f"{ATOM}title") for entry in feed.findall(f"{ATOM}entry"))
    assert titles == ["Sommerfest im Jugendtreff", "Zweiter Beitrag"]


def test_the_feed_escapes_what_authors_wrote(comms, leader, news):
    approved(comms, leader, title="<script>x</script>", text="<b>fett</b> & mehr")
    delivering.publish_due()
    item = _xml(Client().get(f"{NEWS}rss/").content).find("channel/item")
    assert item.findtext("title") == "<script>x</script>"  # plain text in the XML
    assert "&lt;b&gt;fett&lt;/b&gt;" in item.findtext("description")
    page = Client().get(NEWS).content.decode()
    assert "<script>x</script>" not in page
