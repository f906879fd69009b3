"""Facebook Pages and Instagram professional accounts through Meta's Graph API.

Facebook: a post without images is POST /{version}/{page-id}/feed with ``message`` and
``link`` (Facebook builds the link preview). With images each is uploaded unpublished
(POST /{page-id}/photos, ``source`` upload, ``published=false``, alt text in
``alt_text_custom``), then one feed post carries them (``attached_media``).

Instagram (content publishing): each image becomes a container (POST
/{ig-user-id}/media with ``image_url`` — Instagram fetches the picture itself, so every
image needs ``OutgoingImage.public_url``); several images become carousel items and
one CAROUSEL container; the container's ``status_code`` is asked until FINISHED; then
POST /{ig-user-id}/media_publish with ``creation_id``. Instagram takes only JPEG and
always needs an image.

The Graph API has no idempotency key. The calls that publish (the feed post,
media_publish) are sent once per attempt and a timeout there is reported as "may have
been published, please look" and not retried by itself; everything before them
(unpublished photos, containers) is harmless to repeat and expires unused.
The token travels in the POST body (never in a URL that a log could keep), except for
the status GET, where the Graph API wants it as a query parameter.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote, urlencode

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hafen.publishing.channels.base import (
    Account,
    AccountField,
    ChannelAdapter,
    ChannelError,
    NewsletterRecipient,
    OutgoingPost,
    PublishResult,
    check_service_url,
    compose_text,
    normalise,
    parse_retry_after,
    too_long,
    too_many_images,
)
from hafen.publishing.channels.transport import Http, Response, multipart

DEFAULT_BASE_URL = "https://graph.facebook.com"
DEFAULT_VERSION = "v25.0"
FACEBOOK_MAX_CHARACTERS = 63_206
FACEBOOK_MAX_IMAGES = 10
INSTAGRAM_MAX_CHARACTERS = 2_200
INSTAGRAM_MAX_HASHTAGS = 30
INSTAGRAM_MAX_IMAGES = 10  # a carousel holds up to 10
# Graph error codes that mean "later": the rate limits, and temporary problems.
RATE_LIMIT_CODES = {4, 17, 32, 341, 613, 80001}
TEMPORARY_CODES = {1, 2}
# Expired or revoked token (190, 102), a permission missing from the token (10, 200).
LOGIN_CODES = {10, 102, 190, 200}
_VERSION = re.compile(r"v\d{1,2}\.\d")
_ID = re.compile(r"\d{1,30}")
_HASHTAG = re.compile(r"(?:^|(?<=\s))#\w")


def _base_fields(id_name: str, id_label: Any, id_help: Any, token_help: Any) -> list[AccountField]:
    return [
        AccountField(id_name, id_label, secret=False, help=id_help),
        AccountField("access_token", gettext_lazy("Access token"), secret=True, help=token_help),
        AccountField(
            "api_version",
            gettext_lazy("Graph API version"),
            secret=False,
            required=False,
            help=gettext_lazy("Leave empty for the version Hafen was tested with."),
        ),
        AccountField(
            "base_url",
            gettext_lazy("Graph API address"),
            secret=False,
            required=False,
            help=gettext_lazy("Leave empty for https://graph.facebook.com."),
        ),
    ]


class _GraphAdapter(ChannelAdapter):
    id_field = ""

    def __init__(self, *, timeout: float = 10.0, poll_interval: float = 2.0,
                 max_processing_wait: float = 60.0) -> None:
        super().__init__(timeout=timeout)
        self.poll_interval = poll_interval
        self.max_processing_wait = max_processing_wait

    def validate(self, account: Account) -> None:
        super().validate(account)
        check_service_url(self.service, self.fields[3].label, self._base(account))
        if not _ID.fullmatch(account.value(self.id_field)):
            raise ChannelError(
                _("“%(field)s” of the %(service)s channel must be a number.")
                % {"field": self.fields[0].label, "service": self.service},
                retryable=False,
            )
        if not _VERSION.fullmatch(self._version(account)):
            raise ChannelError(
                _("“Graph API version” must look like %(example)s.")
                % {"example": DEFAULT_VERSION},
                retryable=False,
            )

    def _base(self, account: Account) -> str:
        return account.value("base_url", DEFAULT_BASE_URL).rstrip("/")

    def _version(self, account: Account) -> str:
        return account.value("api_version", DEFAULT_VERSION)

    def _root(self, account: Account) -> str:
        return f"{self._base(account)}/{self._version(account)}"

    def _check(self, http: Http, response: Response) -> dict[str, Any]:
        """The answer object, or the error Graph describes (``error.code`` decides)."""
        if 200 <= response.status < 300:
            return response.json_object()
        try:
            error = response.json_object().get("error")
        except ChannelError:
            error = None
        if not isinstance(error, dict):
            raise http.fail(response)
        code = error.get("code")
        message = str(error.get("error_user_msg") or error.get("message") or "")
        if code in RATE_LIMIT_CODES:
            raise ChannelError(
                _("%(service)s asks Hafen to slow down. Hafen will try again later.")
                % {"service": self.service},
                retryable=True,
                retry_after=parse_retry_after(response.headers),
            )
        if code in TEMPORARY_CODES or error.get("is_transient") is True:
            raise ChannelError(
                _("%(service)s has a problem right now (error %(status)d). Hafen will try "
                  "again.")
                % {"service": self.service, "status": response.status},
                retryable=True,
            )
        if code in LOGIN_CODES:
            raise http.fail(response, login=True)
        raise http.fail(response, message)

    def _published_id(self, http: Http, response: Response) -> str:
        """The id from the answer to a call that publishes. Success with an unreadable
        answer means the post is probably out: not retried, so it is not doubled."""
        try:
            return self._id(self._check(http, response))
        except ChannelError as error:
            if not (200 <= response.status < 300 and error.retryable):
                raise
        raise ChannelError(
            _(
                "%(service)s answered in a way Hafen could not read. The post may have been "
                "published anyway: please look at %(service)s before you try again."
            )
            % {"service": self.service},
            retryable=False,
        )

    def _id(self, data: dict[str, Any], key: str = "id") -> str:
        value = data.get(key)
        if not isinstance(value, str | int) or str(value) == "":
            raise ChannelError(
                _("%(service)s sent an answer Hafen could not read. Hafen will try again.")
                % {"service": self.service},
                retryable=True,
            )
        return str(value)


class FacebookAdapter(_GraphAdapter):
    kind = "facebook"
    service = "Facebook"
    id_field = "page_id"
    fields = _base_fields(
        "page_id",
        gettext_lazy("Page ID"),
        gettext_lazy("The number of your Facebook Page (Page settings → About / Page ID)."),
        gettext_lazy(
            "A Page access token with the permissions pages_manage_posts and "
            "pages_read_engagement."
        ),
    )

    def render_text(self, post: OutgoingPost) -> str:
        # Without images the link goes as ``link`` and Facebook shows a preview card.
        return post.text.strip() if post.link and not post.images else compose_text(post)

    def prepare(self, post: OutgoingPost, account: Account | None = None) -> OutgoingPost:
        post = normalise(post)
        text = self.render_text(post)
        if len(text) > FACEBOOK_MAX_CHARACTERS:
            raise too_long(self.service, len(text), FACEBOOK_MAX_CHARACTERS, _("characters"))
        if len(post.images) > FACEBOOK_MAX_IMAGES:
            raise too_many_images(self.service, len(post.images), FACEBOOK_MAX_IMAGES)
        if not text and not post.images and not post.link:
            raise ChannelError(_("The post has no text."), retryable=False)
        return post

    def publish(
        self,
        post: OutgoingPost,
        account: Account,
        *,
        idempotency_key: str,
        recipients: Sequence[NewsletterRecipient] = (),
    ) -> PublishResult:
        self.validate(account)
        post = self.prepare(post, account)
        token = account.secret("access_token")
        http = Http(self.service, timeout=self.timeout, secrets=[token])
        page = account.value("page_id")
        root = self._root(account)

        form: dict[str, str] = {"access_token": token, "message": self.render_text(post)}
        for index, image in enumerate(post.images):
            fields = [("access_token", token), ("published", "false")]
            if image.alt:
                fields.append(("alt_text_custom", image.alt))
            body, content_type = multipart(
                fields, [("source", f"image-{index + 1}", image.content_type, image.data)]
            )
            uploaded = http.send(
                "POST", f"{root}/{page}/photos", body=body, content_type=content_type
            )
            photo_id = self._id(self._check(http, uploaded))
            form[f"attached_media[{index}]"] = json.dumps({"media_fbid": photo_id})
        if post.link and not post.images:
            form["link"] = post.link
        response = http.send("POST", f"{root}/{page}/feed", form=form, idempotent=False)
        post_id = self._published_id(http, response)
        return PublishResult(post_id, f"https://www.facebook.com/{quote(post_id)}")


class InstagramAdapter(_GraphAdapter):
    kind = "instagram"
    service = "Instagram"
    id_field = "ig_user_id"
    fields = _base_fields(
        "ig_user_id",
        gettext_lazy("Instagram account ID"),
        gettext_lazy(
            "The ID of the Instagram professional account connected to your Facebook Page."
        ),
        gettext_lazy(
            "An access token with the permissions instagram_basic and "
            "instagram_content_publish."
        ),
    )

    def prepare(self, post: OutgoingPost, account: Account | None = None) -> OutgoingPost:
        post = normalise(post)
        text = self.render_text(post)
        if len(text) > INSTAGRAM_MAX_CHARACTERS:
            raise too_long(self.service, len(text), INSTAGRAM_MAX_CHARACTERS, _("characters"))
        hashtags = len(_HASHTAG.findall(text))
        if hashtags > INSTAGRAM_MAX_HASHTAGS:
            raise ChannelError(
                _("Instagram allows at most %(limit)d hashtags; this post has %(count)d.")
                % {"limit": INSTAGRAM_MAX_HASHTAGS, "count": hashtags},
                retryable=False,
            )
        if not post.images:
            raise ChannelError(
                _("Instagram posts need at least one image. Please add a picture."),
                retryable=False,
            )
        if len(post.images) > INSTAGRAM_MAX_IMAGES:
            raise too_many_images(self.service, len(post.images), INSTAGRAM_MAX_IMAGES)
        for number, image in enumerate(post.images, start=1):
            if image.content_type.split(";")[0].strip().lower() != "image/jpeg":
                raise ChannelError(
                    _("Instagram takes only JPEG pictures; image %(number)d is not one.")
                    % {"number": number},
                    retryable=False,
                )
            if not image.public_url:
                raise ChannelError(
                    _("Image %(number)d has no public address yet, and Instagram fetches "
                      "pictures from the internet. Please publish it on the news page "
                      "first.")
                    % {"number": number},
                    retryable=False,
                )
        return post

    def publish(
        self,
        post: OutgoingPost,
        account: Account,
        *,
        idempotency_key: str,
        recipients: Sequence[NewsletterRecipient] = (),
    ) -> PublishResult:
        self.validate(account)
        post = self.prepare(post, account)
        token = account.secret("access_token")
        http = Http(self.service, timeout=self.timeout, secrets=[token])
        user = account.value("ig_user_id")
        root = self._root(account)
        caption = self.render_text(post)

        def container(fields: dict[str, str]) -> str:
            response = http.send(
                "POST", f"{root}/{user}/media", form={**fields, "access_token": token}
            )
            return self._id(self._check(http, response))

        if len(post.images) == 1:
            creation_id = container(
                {"image_url": str(post.images[0].public_url), "caption": caption}
            )
        else:
            children = [
                container({"image_url": str(image.public_url), "is_carousel_item": "true"})
                for image in post.images
            ]
            for child in children:
                self._wait_until_finished(http, root, child, token)
            creation_id = container(
                {"media_type": "CAROUSEL", "children": ",".join(children), "caption": caption}
            )
        self._wait_until_finished(http, root, creation_id, token)
        response = http.send(
            "POST",
            f"{root}/{user}/media_publish",
            form={"creation_id": creation_id, "access_token": token},
            idempotent=False,
        )
        media_id = self._published_id(http, response)
        return PublishResult(media_id, self._permalink(http, root, media_id, token))

    def _permalink(self, http: Http, root: str, media_id: str, token: str) -> str | None:
        """The post's address on instagram.com; it is out already, so a failure here
        only leaves the address empty."""
        query = urlencode({"fields": "permalink", "access_token": token})
        try:
            response = http.send("GET", f"{root}/{quote(media_id)}?{query}")
            link = self._check(http, response).get("permalink")
        except ChannelError:
            return None
        return link if isinstance(link, str) and link.startswith("https://") else None

    def _wait_until_finished(self, http: Http, root: str, container_id: str, token: str) -> None:
        """Instagram fetches and checks the picture; publishing before FINISHED fails."""
        deadline = time.monotonic() + self.max_processing_wait
        query = urlencode({"fields": "status_code", "access_token": token})
        while True:
            response = http.send("GET", f"{root}/{quote(container_id)}?{query}")
            status = self._check(http, response).get("status_code")
            if status in ("FINISHED", "PUBLISHED"):
                return
            if status in ("ERROR", "EXPIRED"):
                raise ChannelError(
                    _("Instagram could not process a picture of this post. Please check that "
                      "it is a JPEG of a usual size and can be opened on the news page."),
                    retryable=False,
                )
            if time.monotonic() > deadline:
                raise ChannelError(
                    _("%(service)s is still processing an image. Hafen will try again.")
                    % {"service": self.service},
                    retryable=True,
                )
            time.sleep(self.poll_interval)
