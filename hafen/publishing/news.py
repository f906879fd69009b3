"""The organisation's public news page, a page per post, its images, and RSS and Atom
feeds (Django's syndication framework) that any website can embed.

Public and anonymous like the client door: no staff names, nothing but what was
approved (the approved version's words and the post's images), no external assets.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from hafen.accounts.models import Organisation
from hafen.publishing import newsletter, queries
from hafen.publishing.forms import SubscribeForm
from hafen.publishing.models import Post, PostImage
from hafen.publishing.views import _image_response

FEED_ITEMS = 30
PAGE_ITEMS = 50


def _organisation(org_slug: str) -> Organisation:
    return get_object_or_404(Organisation, slug=org_slug)


@require_GET
def news(request: HttpRequest, org_slug: str) -> HttpResponse:
    organisation = _organisation(org_slug)
    newsletters = list(newsletter.channels_of(organisation.pk))
    return render(
        request,
        "publishing/news.html",
        {
            "organisation": organisation,
            "posts": queries.news_posts(organisation.pk)[:PAGE_ITEMS],
            "form": SubscribeForm(channels=newsletters) if newsletters else None,
        },
    )


def _news_post(organisation: Organisation, post_id: int) -> Post:
    return get_object_or_404(queries.news_posts(organisation.pk), pk=post_id)


@require_GET
def news_post(request: HttpRequest, org_slug: str, post_id: int) -> HttpResponse:
    organisation = _organisation(org_slug)
    return render(
        request,
        "publishing/news_post.html",
        {"organisation": organisation, "post": _news_post(organisation, post_id)},
    )


@require_GET
def news_image(request: HttpRequest, org_slug: str, post_id: int, image_id: int) -> HttpResponse:
    post = _news_post(_organisation(org_slug), post_id)
    response = _image_response(get_object_or_404(PostImage, pk=image_id, post=post))
    response["Cache-Control"] = "public, max-age=3600"
    return response


class NewsRss(Feed):
    def get_object(self, request: HttpRequest, org_slug: str) -> Organisation:
        return _organisation(org_slug)

    def title(self, organisation: Organisation) -> str:
        return _("News of %(name)s") % {"name": organisation.name}

    def link(self, organisation: Organisation) -> str:
        return reverse("publishing:news", args=[organisation.slug])

    def description(self, organisation: Organisation) -> str:
        return _("Published posts of %(name)s.") % {"name": organisation.name}

    def items(self, organisation: Organisation) -> Any:
        return queries.news_posts(organisation.pk)[:FEED_ITEMS]

    def item_title(self, post: Post) -> str:
        return post.approved_version.title if post.approved_version else ""

    def item_description(self, post: Post) -> str:
        return linebreaks(escape(post.approved_version.text if post.approved_version else ""))

    def item_link(self, post: Post) -> str:
        return reverse("publishing:news_post", args=[post.organisation.slug, post.pk])

    def item_pubdate(self, post: Post) -> Any:
        return post.published_at

    def item_guid(self, post: Post) -> str:
        return settings.HAFEN_BASE_URL + self.item_link(post)

    item_guid_is_permalink = True


class NewsAtom(NewsRss):
    feed_type = Atom1Feed

    def subtitle(self, organisation: Organisation) -> str:
        return self.description(organisation)
