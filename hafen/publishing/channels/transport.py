"""The one HTTP door of the adapters: the standard library, bounded, no redirects.

No HTTP client is pinned in Hafen (Web Push uses urllib too), and the adapters need
only a few JSON and multipart requests, so no dependency is added. Every wait has a
limit: ``timeout`` for the connection and each read, and the whole answer must arrive
within twice that; answers are cut at ``MAX_ANSWER_BYTES``. Redirects are never
followed (a checked service address must not lead the token elsewhere).
"""

from __future__ import annotations

import http.client
import json
import secrets as random
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.message import Message
from typing import Any
from urllib.parse import urlencode

from django.utils.translation import gettext as _

from hafen.publishing.channels.base import ChannelError, parse_retry_after, scrub

MAX_ANSWER_BYTES = 2 * 1024 * 1024
USER_AGENT = "Hafen (self-hosted publishing)"


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


@dataclass(frozen=True)
class Response:
    status: int
    headers: Message
    body: bytes
    service: str

    def json(self) -> Any:
        """The answer as JSON, or a retryable ChannelError: a proxy's error page or a
        half-delivered answer is a passing fault of the service, not of the post."""
        try:
            return json.loads(self.body)
        except (ValueError, RecursionError):
            raise ChannelError(
                _("%(service)s sent an answer Hafen could not read. Hafen will try again.")
                % {"service": self.service},
                retryable=True,
            ) from None

    def json_object(self) -> dict[str, Any]:
        data = self.json()
        if not isinstance(data, dict):
            raise ChannelError(
                _("%(service)s sent an answer Hafen could not read. Hafen will try again.")
                % {"service": self.service},
                retryable=True,
            )
        return data


def multipart(
    fields: Iterable[tuple[str, str]], files: Iterable[tuple[str, str, str, bytes]] = ()
) -> tuple[bytes, str]:
    """A multipart/form-data body: ``fields`` as (name, value), names may repeat;
    ``files`` as (field, filename, content type, bytes)."""
    boundary = "hafen-" + random.token_hex(16)
    parts: list[bytes] = []
    for name, value in fields:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
        )
    for name, filename, content_type, data in files:
        parts.append(
            (
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; "
                f'filename="{filename}"\r\nContent-Type: {content_type}\r\n\r\n'
            ).encode()
            + data
            + b"\r\n"
        )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Http:
    """Requests to one service; transport failures become ChannelError."""

    def __init__(self, service: str, *, timeout: float, secrets: Iterable[str] = ()) -> None:
        self.service = service
        self.timeout = timeout
        self.secrets = [s for s in secrets if s]

    def reason(self, text: object) -> str:
        return scrub(str(text), self.secrets) if text else ""

    def send(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        json_body: Any = None,
        form: Mapping[str, str] | None = None,
        body: bytes | None = None,
        content_type: str | None = None,
        idempotent: bool = True,
    ) -> Response:
        """One request; any HTTP status is returned, not raised.

        ``idempotent=False`` marks a request that publishes and cannot be repeated
        safely: when it times out the post may be out already, so the error is not
        retryable and says so (a second post would be worse than a late one).
        """
        all_headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        all_headers.update(headers or {})
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False).encode()
            content_type = "application/json"
        elif form is not None:
            body = urlencode(form).encode()
            content_type = "application/x-www-form-urlencoded"
        if content_type:
            all_headers["Content-Type"] = content_type
        request = urllib.request.Request(  # noqa: S310  (service URLs are checked: https or loopback)
            url, data=body, method=method, headers=all_headers
        )
        deadline = time.monotonic() + 2 * self.timeout
        try:
            try:
                answer = _opener.open(request, timeout=self.timeout)
            except urllib.error.HTTPError as error:
                answer = error
            with answer:
                status = int(answer.status or answer.code)
                data = self._read(answer, deadline)
                return Response(status, answer.headers, data, self.service)
        except TimeoutError:
            raise self._timeout(idempotent) from None
        except urllib.error.URLError as error:
            if isinstance(error.reason, TimeoutError | socket.timeout):
                raise self._timeout(idempotent) from None
            raise self._unreachable() from None
        except (OSError, ValueError, http.client.HTTPException):
            raise self._unreachable() from None

    def _read(self, answer: Any, deadline: float) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            if time.monotonic() > deadline:
                raise TimeoutError
            chunk = answer.read(64 * 1024)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > MAX_ANSWER_BYTES:
                raise ChannelError(
                    _("%(service)s sent an answer Hafen could not read. Hafen will try again.")
                    % {"service": self.service},
                    retryable=True,
                )
            chunks.append(chunk)

    def _timeout(self, idempotent: bool) -> ChannelError:
        if not idempotent:
            return ChannelError(
                _(
                    "%(service)s did not answer in time. The post may have been published "
                    "anyway: please look at %(service)s before you try again."
                )
                % {"service": self.service},
                retryable=False,
            )
        return ChannelError(
            _("%(service)s did not answer in time. Hafen will try again.")
            % {"service": self.service},
            retryable=True,
        )

    def _unreachable(self) -> ChannelError:
        return ChannelError(
            _("%(service)s could not be reached. Hafen will try again.")
            % {"service": self.service},
            retryable=True,
        )

    def fail(self, response: Response, reason: str = "", *, login: bool = False) -> ChannelError:
        """The error for an HTTP status that is not success.

        401 and 403 (``login``: the service said the credentials are wrong) ask the
        author to fix the settings; 429 and 5xx are retried; other 4xx quote the
        service's reason, because then the post itself was refused.
        """
        status = response.status
        if status == 429:
            return ChannelError(
                _("%(service)s asks Hafen to slow down. Hafen will try again later.")
                % {"service": self.service},
                retryable=True,
                retry_after=parse_retry_after(response.headers),
            )
        if status >= 500:
            return ChannelError(
                _("%(service)s has a problem right now (error %(status)d). Hafen will try "
                  "again.")
                % {"service": self.service, "status": status},
                retryable=True,
                retry_after=parse_retry_after(response.headers),
            )
        if login or status in (401, 403):
            return ChannelError(
                _(
                    "%(service)s did not accept the login. Please check the access data in "
                    "the channel settings."
                )
                % {"service": self.service},
                retryable=False,
            )
        reason = self.reason(reason)
        if reason:
            return ChannelError(
                _("%(service)s refused the post: %(reason)s")
                % {"service": self.service, "reason": reason},
                retryable=False,
            )
        return ChannelError(
            _("%(service)s refused the post (error %(status)d).")
            % {"service": self.service, "status": status},
            retryable=False,
        )

