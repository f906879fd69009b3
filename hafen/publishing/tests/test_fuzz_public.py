"""Property-based tests of the public news page, its feeds and the newsletter pages.

Anonymous and hostile: generated query strings, ids beyond 64 bits, forged tokens and
addresses. Never a 500; a refused request changes no row (``hafen.fuzzing``); the
subscription form explains a refusal in German or English.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import example, given
from hypothesis import strategies as st

from hafen.fuzzing import (
    FUZZ,
    assert_explained_in,
    assert_same,
    assert_unchanged,
    edge_integers,
    fingerprint,
    hostile_text,
    tolerant,
)
from hafen.publishing import newsletter
from hafen.publishing.models import Channel, ChannelKind, Subscriber

pytestmark = pytest.mark.django_db

NEWS = "/n/beispiel-traeger/"


@pytest.fixture
def newsletters(org) -> list[Channel]:
    """Two newsletters, so that the form offers a choice (a visible field)."""
    return [
        Channel.objects.create(
            organisation=org,
            kind=ChannelKind.NEWSLETTER,
            name=name,
            active=True,
            config={"host": "127.0.0.1", "port": 25},
        )
        for name in ("Rundbrief", "Fachbrief")
    ]


@FUZZ
@given(
    path=st.sampled_from([NEWS, f"{NEWS}rss/", f"{NEWS}atom/", f"{NEWS}newsletter/"]),
    query=st.dictionaries(hostile_text(20), hostile_text(), max_size=3),
)
def test_the_news_page_and_its_feeds_ignore_any_query(newsletters, path, query) -> None:
    with assert_unchanged():
        response = tolerant().get(path, query)

    assert response.status_code in (200, 400), response.status_code


@FUZZ
@given(post_id=edge_integers, image_id=edge_integers, slug=hostile_text(30))
def test_any_post_or_image_number_and_any_organisation_is_not_found(
    org, post_id, image_id, slug
) -> None:
    slug_part = quote(slug, safe="") or "x"
    with assert_unchanged():
        statuses = {
            tolerant().get(f"{NEWS}{post_id}/").status_code,
            tolerant().get(f"{NEWS}{post_id}/bild/{image_id}/").status_code,
            tolerant().get(f"/n/{slug_part}/rss/").status_code,
        }
    assert statuses <= {404}, statuses


@FUZZ
@given(
    address=st.one_of(st.just("leser@example.org"), hostile_text(), st.emails()),
    choice=st.one_of(st.just("first"), hostile_text(15)),
    language=st.sampled_from(["de", "en"]),
)
@example(address="leser@example.org", choice="1\x00", language="de")
@example(address="leser\x00@example.org", choice="first", language="en")
def test_a_hostile_subscription_keeps_nothing_or_one_address_and_explains_a_refusal(
    newsletters, address, choice, language
) -> None:
    cache.clear()  # the newsletter throttle is tested in test_newsletter.py
    value = str(newsletters[0].pk) if choice == "first" else choice
    subscribers = Subscriber.objects.count()
    before = fingerprint()

    response = tolerant(HTTP_ACCEPT_LANGUAGE=language).post(
        f"{NEWS}newsletter/", {"address": address, "newsletter": value}
    )

    assert response.status_code in (200, 400), response.status_code
    if response.status_code == 400:
        assert_same(before)
        assert_explained_in(response, language)
    else:
        assert Subscriber.objects.count() <= subscribers + 1


@FUZZ
@given(
    subscriber_id=st.one_of(st.just("real"), edge_integers),
    token=hostile_text(60),
    purpose=st.sampled_from(["bestaetigen", "abmelden"]),
    method=st.sampled_from(["get", "post", "put", "delete"]),
)
def test_a_forged_confirm_or_unsubscribe_link_changes_nothing(
    newsletters, subscriber_id, token, purpose, method
) -> None:
    if subscriber_id == "real":  # a subscriber that exists, with a wrong token
        if not Subscriber.objects.exists():
            newsletter.subscribe(newsletters[0], "leser@example.org", language="de")
        subscriber_id = Subscriber.objects.get().pk
    path = f"{NEWS}newsletter/{subscriber_id}/{quote(token, safe='') or 'x'}/{purpose}/"

    with assert_unchanged():
        response = getattr(tolerant(), method)(path)

    assert response.status_code in (200, 404, 405), response.status_code


@pytest.mark.parametrize("token", ["missing", "forged"])
def test_subscribing_without_the_pages_csrf_token_keeps_nothing(newsletters, token) -> None:
    browser = Client(enforce_csrf_checks=True, raise_request_exception=False)
    assert browser.get(f"{NEWS}newsletter/").status_code == 200
    data = {"address": "leser@example.org", "newsletter": str(newsletters[0].pk)}
    if token == "forged":
        data["csrfmiddlewaretoken"] = "C" * 64

    with assert_unchanged():
        response = browser.post(f"{NEWS}newsletter/", data)

    assert response.status_code == 403
