"""Bluesky through the AT protocol's XRPC endpoints on the account's PDS.

com.atproto.server.createSession (handle + app password) gives an access token and
the account's DID; com.atproto.repo.uploadBlob takes each image; then
com.atproto.repo.createRecord writes an ``app.bsky.feed.post`` with link and hashtag
facets (byte offsets into the UTF-8 text) and an ``app.bsky.embed.images`` embed with
alt texts.

Why not the ``atproto`` package (0.0.73): it can be pointed at any PDS, but it would
bring ten dependencies (httpx, pydantic, libipld, dnspython, zstandard, click, tlds,
websockets, …) and models of the whole lexicon for three POSTs and one GET, and it
is still at 0.0.x. XRPC is plain JSON over HTTP and the records here are small, so
it is spoken directly with the same bounded client as the other adapters.

Idempotency: XRPC has no idempotency key. The record key (rkey) is derived from the
core's idempotency key, so every attempt writes the same record address. Before
writing, com.atproto.repo.getRecord asks whether it is there already (an earlier
attempt succeeded but its answer was lost); after a refused write it asks again (a
concurrent attempt won). A retry therefore never makes a second post.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Sequence
from datetime import UTC, datetime
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
    normalise,
    too_long,
    too_many_images,
)
from hafen.publishing.channels.graphemes import grapheme_count
from hafen.publishing.channels.transport import Http, Response

DEFAULT_PDS = "https://bsky.social"
MAX_GRAPHEMES = 300
MAX_BYTES = 3000
MAX_IMAGES = 4
MAX_IMAGE_BYTES = 1_000_000  # app.bsky.embed.images: maxSize of each image blob
COLLECTION = "app.bsky.feed.post"
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
# Record keys of posts are TIDs (a timestamp in microseconds and a clock id). The
# derived ones lie between 2023 and 2025, so they never sort ahead of real new posts.
_TID_EPOCH_US = 1_672_531_200_000_000
_TID_SPAN_US = 2 * 365 * 24 * 60 * 60 * 1_000_000
_URL = re.compile(r"https?://[^\s<>\"]*[^\s<>\".,;:!?)\]']", re.IGNORECASE)
_TAG = re.compile(r"(?:^|(?<=\s))#([^\s#.,;:!?()\[\]\"']{1,64})")


def record_key(idempotency_key: str) -> str:
    """A valid TID, always the same for the same idempotency key."""
    digest = hashlib.sha256(b"hafen-bluesky-rkey:" + idempotency_key.encode()).digest()
    number = int.from_bytes(digest[:8], "big")
    micros = _TID_EPOCH_US + number % _TID_SPAN_US
    clock = (number >> 53) & 0x3FF
    value = (micros << 10) | clock
    chars = []
    for _index in range(13):
        chars.append(_TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def facets(text: str) -> list[dict[str, Any]]:
    """Links and hashtags, with byte offsets into the UTF-8 text as the lexicon wants."""
    found: list[dict[str, Any]] = []

    def span(start: int, end: int) -> dict[str, int]:
        return {
            "byteStart": len(text[:start].encode()),
            "byteEnd": len(text[:end].encode()),
        }

    for match in _URL.finditer(text):
        found.append({
            "index": span(match.start(), match.end()),
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": match.group()}],
        })
    for match in _TAG.finditer(text):
        tag = match.group(1)
        if tag.isdigit():
            continue
        found.append({
            "index": span(match.start(), match.end()),
            "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}],
        })
    return found


def _aspect_ratio(data: bytes) -> dict[str, int] | None:
    """Width and height so apps reserve the right space; skipped if not readable."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
    except Exception:  # a picture the core accepted but Pillow cannot size: no hint
        return None
    return {"width": width, "height": height} if width and height else None


class BlueskyAdapter(ChannelAdapter):
    kind = "bluesky"
    service = "Bluesky"
    fields = [
        AccountField(
            "handle",
            gettext_lazy("Handle"),
            secret=False,
            help=gettext_lazy("The account's handle, for example verein.bsky.social."),
        ),
        AccountField(
            "app_password",
            gettext_lazy("App password"),
            secret=True,
            help=gettext_lazy(
                "Create an app password in Bluesky under Settings → Privacy and security → "
                "App passwords. Never use the account's main password."
            ),
        ),
        AccountField(
            "pds_url",
            gettext_lazy("Server (PDS) address"),
            secret=False,
            required=False,
            help=gettext_lazy(
                "Leave empty for accounts on bsky.social. Only https is accepted (http only "
                "for this machine, for tests)."
            ),
        ),
    ]

    def validate(self, account: Account) -> None:
        super().validate(account)
        check_service_url(self.service, self.fields[2].label, self._pds(account))

    def _pds(self, account: Account) -> str:
        return account.value("pds_url", DEFAULT_PDS).rstrip("/")

    def prepare(self, post: OutgoingPost, account: Account | None = None) -> OutgoingPost:
        post = normalise(post)
        text = self.render_text(post)
        length = grapheme_count(text)
        if length > MAX_GRAPHEMES:
            raise too_long(self.service, length, MAX_GRAPHEMES, _("characters"))
        if len(text.encode()) > MAX_BYTES:
            raise ChannelError(
                _("The post is too long for Bluesky: its emoji and special characters take "
                  "more room than the characters shown. Please shorten it."),
                retryable=False,
            )
        if len(post.images) > MAX_IMAGES:
            raise too_many_images(self.service, len(post.images), MAX_IMAGES)
        for number, image in enumerate(post.images, start=1):
            if len(image.data) > MAX_IMAGE_BYTES:
                raise ChannelError(
                    _("Image %(number)d is too large for %(service)s (at most 1 MB). Please "
                      "use a smaller picture.")
                    % {"number": number, "service": self.service},
                    retryable=False,
                )
        if not text and not post.images:
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
        pds = self._pds(account)
        password = account.secret("app_password")
        http = Http(self.service, timeout=self.timeout, secrets=[password])

        session = http.send(
            "POST",
            f"{pds}/xrpc/com.atproto.server.createSession",
            json_body={"identifier": account.value("handle"), "password": password},
        )
        if session.status in (400, 401):
            # wrong handle or password, a main password that wants an e-mail code, a
            # suspended account: all need someone to look at the settings
            raise http.fail(session, login=True)
        self._check(http, session)
        data = session.json_object()
        token, did = data.get("accessJwt"), data.get("did")
        if not isinstance(token, str) or not isinstance(did, str) or not token or not did:
            raise self._unreadable()
        http.secrets.append(token)
        auth = {"Authorization": f"Bearer {token}"}
        rkey = record_key(idempotency_key)

        existing = self._existing(http, pds, did, rkey)
        if existing:
            return existing

        text = self.render_text(post)
        record: dict[str, Any] = {
            "$type": COLLECTION,
            "text": text,
            "createdAt": datetime.now(UTC).isoformat(timespec="milliseconds").replace(
                "+00:00", "Z"
            ),
        }
        if found := facets(text):
            record["facets"] = found
        if post.images:
            images = []
            for image in post.images:
                uploaded = http.send(
                    "POST",
                    f"{pds}/xrpc/com.atproto.repo.uploadBlob",
                    headers=auth,
                    body=image.data,
                    content_type=image.content_type,
                )
                self._check(http, uploaded)
                blob = uploaded.json_object().get("blob")
                if not isinstance(blob, dict):
                    raise self._unreadable()
                entry: dict[str, Any] = {"alt": image.alt, "image": blob}
                if ratio := _aspect_ratio(image.data):
                    entry["aspectRatio"] = ratio
                images.append(entry)
            record["embed"] = {"$type": "app.bsky.embed.images", "images": images}

        created = http.send(
            "POST",
            f"{pds}/xrpc/com.atproto.repo.createRecord",
            headers=auth,
            json_body={"repo": did, "collection": COLLECTION, "rkey": rkey, "record": record},
        )
        if 400 <= created.status < 500 and created.status not in (401, 403, 429):
            # Refused, perhaps because an attempt running at the same time wrote it.
            existing = self._existing(http, pds, did, rkey)
            if existing:
                return existing
        self._check(http, created)
        uri = created.json_object().get("uri")
        if not isinstance(uri, str) or not uri:
            raise self._unreadable()
        return PublishResult(uri, self._web_url(did, rkey))

    def _existing(self, http: Http, pds: str, did: str, rkey: str) -> PublishResult | None:
        query = urlencode({"repo": did, "collection": COLLECTION, "rkey": rkey})
        found = http.send("GET", f"{pds}/xrpc/com.atproto.repo.getRecord?{query}")
        if found.status == 200:
            uri = found.json_object().get("uri")
            if isinstance(uri, str) and uri:
                return PublishResult(uri, self._web_url(did, rkey))
            raise self._unreadable()
        if found.status == 400 and self._error(found)[0] == "RecordNotFound":
            return None
        self._check(http, found)
        return None

    def _web_url(self, did: str, rkey: str) -> str:
        return f"https://bsky.app/profile/{quote(did, safe=':')}/post/{rkey}"

    def _error(self, response: Response) -> tuple[str, str]:
        try:
            data = response.json_object()
        except ChannelError:
            return "", ""
        return str(data.get("error") or ""), str(data.get("message") or "")

    def _check(self, http: Http, response: Response) -> None:
        if 200 <= response.status < 300:
            return
        error, message = self._error(response)
        login = error in ("ExpiredToken", "InvalidToken", "AuthenticationRequired")
        raise http.fail(response, message or error, login=login)

    def _unreadable(self) -> ChannelError:
        return ChannelError(
            _("%(service)s sent an answer Hafen could not read. Hafen will try again.")
            % {"service": self.service},
            retryable=True,
        )
