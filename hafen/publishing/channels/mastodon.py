"""Mastodon through its REST API: media first, then the status that carries them.

POST /api/v2/media (multipart ``file`` and ``description`` = alt text) answers 200
with the attachment, or 202 while the server still processes it; then GET
/api/v1/media/:id is asked until it answers 200 (206 means still processing), within a
bounded wait. POST /api/v1/statuses with ``status``, ``media_ids[]`` and the
``Idempotency-Key`` header: Mastodon keeps the key for an hour and answers a repeated
request with the status it already made, so a retry after a lost answer publishes once.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence

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
    normalise,
    too_long,
    too_many_images,
)
from hafen.publishing.channels.transport import Http, Response, multipart

DEFAULT_MAX_CHARACTERS = 500
MAX_IMAGES = 4
# Mastodon counts every link as 23 characters, whatever its length, and a mention
# of an account on another server only by its local part.
URL_WEIGHT = 23
_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
_REMOTE_MENTION = re.compile(r"(@[A-Za-z0-9_]+)@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")


def mastodon_length(text: str) -> int:
    """The length as Mastodon counts it (code points; links 23, remote mentions local)."""
    text = _URL.sub("x" * URL_WEIGHT, text)
    text = _REMOTE_MENTION.sub(r"\1", text)
    return len(text)


class MastodonAdapter(ChannelAdapter):
    kind = "mastodon"
    service = "Mastodon"
    fields = [
        AccountField(
            "instance_url",
            gettext_lazy("Server address"),
            secret=False,
            help=gettext_lazy(
                "The address of your Mastodon server, for example https://social.example. "
                "Only https is accepted (http only for this machine, for tests)."
            ),
        ),
        AccountField(
            "access_token",
            gettext_lazy("Access token"),
            secret=True,
            help=gettext_lazy(
                "Create it on your server under Preferences → Development → New application "
                "with the permissions write:statuses and write:media."
            ),
        ),
        AccountField(
            "max_characters",
            gettext_lazy("Characters per post"),
            secret=False,
            required=False,
            help=gettext_lazy("Leave empty for 500; some servers allow more."),
        ),
    ]

    def __init__(self, *, timeout: float = 10.0, poll_interval: float = 1.0,
                 max_processing_wait: float = 30.0) -> None:
        super().__init__(timeout=timeout)
        self.poll_interval = poll_interval
        self.max_processing_wait = max_processing_wait

    def validate(self, account: Account) -> None:
        super().validate(account)
        check_service_url(self.service, self.fields[0].label, account.value("instance_url"))
        self._limit(account)

    def _limit(self, account: Account | None) -> int:
        raw = account.value("max_characters") if account else ""
        if not raw:
            return DEFAULT_MAX_CHARACTERS
        if not raw.isdigit() or not 1 <= int(raw) <= 100_000:
            raise ChannelError(
                _("“Characters per post” must be a whole number, for example 500."),
                retryable=False,
            )
        return int(raw)

    def prepare(self, post: OutgoingPost, account: Account | None = None) -> OutgoingPost:
        post = normalise(post)
        limit = self._limit(account)
        length = mastodon_length(self.render_text(post))
        if length > limit:
            raise too_long(self.service, length, limit, _("characters"))
        if len(post.images) > MAX_IMAGES:
            raise too_many_images(self.service, len(post.images), MAX_IMAGES)
        if not self.render_text(post) and not post.images:
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
        base = account.value("instance_url").rstrip("/")
        token = account.secret("access_token")
        http = Http(self.service, timeout=self.timeout, secrets=[token])
        auth = {"Authorization": f"Bearer {token}"}

        media_ids = [
            self._upload(http, base, auth, image.data, image.content_type, image.alt, index)
            for index, image in enumerate(post.images)
        ]
        form: list[tuple[str, str]] = [("status", self.render_text(post))]
        form += [("media_ids[]", media_id) for media_id in media_ids]
        body, content_type = multipart(form)
        response = http.send(
            "POST",
            f"{base}/api/v1/statuses",
            headers={**auth, "Idempotency-Key": idempotency_key},
            body=body,
            content_type=content_type,
        )
        self._check(http, response)
        status = response.json_object()
        status_id = status.get("id")
        if not isinstance(status_id, str | int) or status_id == "":
            raise ChannelError(
                _("%(service)s sent an answer Hafen could not read. Hafen will try again.")
                % {"service": self.service},
                retryable=True,
            )
        url = status.get("url")
        return PublishResult(str(status_id), url if isinstance(url, str) else None)

    def _check(self, http: Http, response: Response) -> None:
        if 200 <= response.status < 300:
            return
        reason = ""
        try:
            data = response.json_object()
            reason = str(data.get("error") or "")
        except ChannelError:
            pass
        raise http.fail(response, reason)

    def _upload(
        self, http: Http, base: str, auth: dict[str, str], data: bytes, content_type: str,
        alt: str, index: int,
    ) -> str:
        extension = content_type.rsplit("/", 1)[-1].split(";")[0] or "bin"
        body, multipart_type = multipart(
            [("description", alt)] if alt else [],
            [("file", f"image-{index + 1}.{extension}", content_type, data)],
        )
        response = http.send(
            "POST", f"{base}/api/v2/media", headers=auth, body=body, content_type=multipart_type
        )
        self._check(http, response)
        media_id = str(response.json_object().get("id") or "")
        if not media_id:
            raise ChannelError(
                _("%(service)s sent an answer Hafen could not read. Hafen will try again.")
                % {"service": self.service},
                retryable=True,
            )
        if response.status == 202:
            self._wait_for_processing(http, base, auth, media_id)
        return media_id

    def _wait_for_processing(
        self, http: Http, base: str, auth: dict[str, str], media_id: str
    ) -> None:
        """202: the server converts the image; the status may only name it when done."""
        deadline = time.monotonic() + self.max_processing_wait
        while True:
            time.sleep(self.poll_interval)
            response = http.send("GET", f"{base}/api/v1/media/{media_id}", headers=auth)
            if response.status == 200:
                return
            if response.status != 206:
                self._check(http, response)
            if time.monotonic() > deadline:
                raise ChannelError(
                    _("%(service)s is still processing an image. Hafen will try again.")
                    % {"service": self.service},
                    retryable=True,
                )

