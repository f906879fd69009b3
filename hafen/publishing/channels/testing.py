"""Local stand-ins for the services, for tests (the adapters' and the core's).

Each fake is a real HTTP server on 127.0.0.1 in a thread that answers as the service's
documented API does, keeps what was published, and records every request it received
(method, path, headers, body) for assertions. Faults are injected per route:
``fail_next("POST", "/api/v1/statuses", reply(500, {...}))``, or ``Hold()`` (answer
only after ``hold.release()``: the client times out first; released requests are then
processed, as a service that was slow but did the work), or ``reply(200,
raw=b"<html>")`` (an unreadable answer).

    with FakeMastodon(token="secret") as mastodon:
        account = Account({"instance_url": mastodon.url}, {"access_token": "secret"})
        MastodonAdapter(timeout=0.5).publish(post, account, idempotency_key="k")
        assert mastodon.statuses[0]["status"] == "…"
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from hafen.publishing.channels.graphemes import grapheme_count


@dataclass(frozen=True)
class Part:
    name: str
    filename: str | None
    content_type: str
    data: bytes

    @property
    def text(self) -> str:
        return self.data.decode()


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    query: dict[str, str]
    headers: Message
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        """An urlencoded or multipart body's text fields (last value of a name wins)."""
        if self.headers.get_content_type() == "multipart/form-data":
            return {name: parts[-1].text for name, parts in self.parts().items()
                    if parts[-1].filename is None}
        return {key: values[-1] for key, values in parse_qs(self.body.decode()).items()}

    def form_list(self, name: str) -> list[str]:
        if self.headers.get_content_type() == "multipart/form-data":
            return [part.text for part in self.parts().get(name, [])]
        return parse_qs(self.body.decode()).get(name, [])

    def parts(self) -> dict[str, list[Part]]:
        head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + self.body)
        found: dict[str, list[Part]] = {}
        for part in message.iter_parts():
            name = str(part.get_param("name", header="content-disposition"))
            payload = part.get_payload(decode=True)
            found.setdefault(name, []).append(
                Part(name, part.get_filename(), part.get_content_type(),
                     payload if isinstance(payload, bytes) else b"")
            )
        return found

    @property
    def bearer(self) -> str:
        value = self.headers.get("Authorization") or ""
        return value.removeprefix("Bearer ") if value.startswith("Bearer ") else ""


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


class Hold:
    """Keep the request waiting until ``release()`` (at most 10 s), then answer normally:
    a service slower than any client timeout, without a test that depends on the clock."""

    def __init__(self) -> None:
        self.event = threading.Event()

    def release(self) -> None:
        self.event.set()


def reply(
    status: int, data: Any = None, *, headers: dict[str, str] | None = None,
    raw: bytes | None = None,
) -> Reply:
    body = raw if raw is not None else json.dumps(data if data is not None else {}).encode()
    return Reply(status, {"Content-Type": "application/json", **(headers or {})}, body)


Handler = Callable[[Received, re.Match[str]], Reply]


class FakeService:
    """A threaded local HTTP server with routes (method + path pattern) and faults."""

    def __init__(self) -> None:
        self.requests: list[Received] = []
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._faults: list[tuple[str, re.Pattern[str], Reply | Hold]] = []
        self._holds: list[Hold] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    # -- set-up ---------------------------------------------------------------
    def route(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append((method, re.compile(pattern), handler))

    def fail_next(self, method: str, pattern: str, fault: Reply | Hold, times: int = 1) -> None:
        """The next ``times`` matching requests get ``fault`` instead of the answer."""
        with self._lock:
            self._faults.extend([(method, re.compile(pattern), fault)] * times)
            if isinstance(fault, Hold):
                self._holds.append(fault)

    def received(self, method: str, pattern: str) -> list[Received]:
        regex = re.compile(pattern)
        return [r for r in self.requests if r.method == method and regex.fullmatch(r.path)]

    # -- serving --------------------------------------------------------------
    @property
    def url(self) -> str:
        assert self._server is not None, "use the fake as a context manager"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> FakeService:
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                parts = urlsplit(self.path)
                query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
                received = Received(self.command, parts.path, query, self.headers, body)
                answer = fake._answer(received)
                try:
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)
                except OSError:  # the client gave up (timeout tests)
                    pass

            do_GET = do_POST = do_PUT = do_DELETE = _serve

        class _Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass

        self._server = _Server(("127.0.0.1", 0), _Handler)
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()
        return self

    def __exit__(self, *exc: object) -> None:
        for hold in self._holds:
            hold.release()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _answer(self, received: Received) -> Reply:
        with self._lock:
            self.requests.append(received)
            fault = None
            for index, (method, pattern, candidate) in enumerate(self._faults):
                if method == received.method and pattern.fullmatch(received.path):
                    fault = candidate
                    del self._faults[index]
                    break
        if isinstance(fault, Reply):
            return fault
        if isinstance(fault, Hold):
            fault.event.wait(10)
        for method, pattern, handler in self._routes:
            match = pattern.fullmatch(received.path)
            if method == received.method and match:
                with self._lock:
                    return handler(received, match)
        return reply(404, {"error": "Not found"})


class FakeMastodon(FakeService):
    """/api/v2/media, /api/v1/media/:id, /api/v1/statuses with Idempotency-Key.

    ``async_media``: uploads answer 202 and the first GET of the media answers 206,
    as a server that converts images in the background does.
    """

    def __init__(self, token: str, *, async_media: bool = False, limit: int = 500) -> None:
        super().__init__()
        self.token = token
        self.async_media = async_media
        self.limit = limit
        self.media: dict[str, dict[str, Any]] = {}
        self.statuses: list[dict[str, Any]] = []
        self._by_key: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(109_000_000_000_000_001)
        self.route("POST", "/api/v2/media", self._upload)
        self.route("GET", r"/api/v1/media/(\d+)", self._media)
        self.route("POST", "/api/v1/statuses", self._status)

    def _unauthorised(self, request: Received) -> Reply | None:
        if request.bearer != self.token:
            return reply(401, {"error": "The access token is invalid"})
        return None

    def _upload(self, request: Received, match: re.Match[str]) -> Reply:
        if refused := self._unauthorised(request):
            return refused
        parts = request.parts()
        if "file" not in parts:
            return reply(422, {"error": "Validation failed: File can't be blank"})
        media_id = str(next(self._ids))
        file = parts["file"][0]
        description = parts["description"][0].text if "description" in parts else None
        self.media[media_id] = {
            "data": file.data, "content_type": file.content_type,
            "description": description, "pending_polls": 1 if self.async_media else 0,
        }
        body = {"id": media_id, "type": "image", "description": description,
                "url": None if self.async_media else f"{self.url}/media/{media_id}"}
        return reply(202 if self.async_media else 200, body)

    def _media(self, request: Received, match: re.Match[str]) -> Reply:
        if refused := self._unauthorised(request):
            return refused
        media = self.media.get(match.group(1))
        if media is None:
            return reply(404, {"error": "Record not found"})
        if media["pending_polls"]:
            media["pending_polls"] -= 1
            return reply(206, {"id": match.group(1), "url": None})
        return reply(200, {"id": match.group(1), "url": f"{self.url}/media/{match.group(1)}"})

    def _status(self, request: Received, match: re.Match[str]) -> Reply:
        if refused := self._unauthorised(request):
            return refused
        key = request.headers.get("Idempotency-Key")
        if key and key in self._by_key:
            return reply(200, self._by_key[key])
        text = request.form().get("status", "")
        media_ids = request.form_list("media_ids[]")
        from hafen.publishing.channels.mastodon import mastodon_length

        if mastodon_length(text) > self.limit:
            return reply(422, {"error": f"Validation failed: Text character limit of "
                                        f"{self.limit} exceeded"})
        for media_id in media_ids:
            if media_id not in self.media or self.media[media_id]["pending_polls"]:
                return reply(422, {"error": "Validation failed: Media is not processed"})
        status_id = str(next(self._ids))
        status = {"id": status_id, "url": f"{self.url}/@verein/{status_id}",
                  "content": text,
                  "media_attachments": [{"id": m} for m in media_ids]}
        self.statuses.append({"status": text, "media_ids": media_ids, "key": key})
        if key:
            self._by_key[key] = status
        return reply(200, status)


class FakeBluesky(FakeService):
    """A PDS: createSession, uploadBlob, createRecord (with rkey), getRecord."""

    did = "did:plc:hafenverein0000000000000"

    def __init__(self, handle: str, password: str) -> None:
        super().__init__()
        self.handle = handle
        self.password = password
        self.access_token = "eyJ0eXAiOiJhdCtqd3QifQ.access." + hashlib.sha256(
            password.encode()).hexdigest()[:12]
        self.blobs: dict[str, bytes] = {}
        self.records: dict[str, dict[str, Any]] = {}
        self.route("POST", "/xrpc/com.atproto.server.createSession", self._session)
        self.route("POST", "/xrpc/com.atproto.repo.uploadBlob", self._blob)
        self.route("POST", "/xrpc/com.atproto.repo.createRecord", self._create)
        self.route("GET", "/xrpc/com.atproto.repo.getRecord", self._get)

    def _session(self, request: Received, match: re.Match[str]) -> Reply:
        data = request.json()
        if data.get("identifier") != self.handle or data.get("password") != self.password:
            return reply(401, {"error": "AuthenticationRequired",
                               "message": "Invalid identifier or password"})
        return reply(200, {"accessJwt": self.access_token, "refreshJwt": "refresh",
                           "handle": self.handle, "did": self.did})

    def _unauthorised(self, request: Received) -> Reply | None:
        if request.bearer != self.access_token:
            return reply(401, {"error": "InvalidToken", "message": "Bad token"})
        return None

    def _blob(self, request: Received, match: re.Match[str]) -> Reply:
        if refused := self._unauthorised(request):
            return refused
        cid = "bafkrei" + hashlib.sha256(request.body).hexdigest()[:52]
        self.blobs[cid] = request.body
        return reply(200, {"blob": {"$type": "blob", "ref": {"$link": cid},
                                    "mimeType": request.headers.get_content_type(),
                                    "size": len(request.body)}})

    def _create(self, request: Received, match: re.Match[str]) -> Reply:
        if refused := self._unauthorised(request):
            return refused
        data = request.json()
        if data.get("repo") != self.did or data.get("collection") != "app.bsky.feed.post":
            return reply(400, {"error": "InvalidRequest", "message": "Invalid repo"})
        record = data.get("record") or {}
        if grapheme_count(record.get("text", "")) > 300:
            return reply(400, {"error": "InvalidRecord", "message":
                               "Invalid app.bsky.feed.post record: Record/text must not be "
                               "longer than 300 graphemes"})
        rkey = data.get("rkey") or f"3l{len(self.records):011d}"
        if rkey in self.records:
            return reply(400, {"error": "InvalidRequest", "message": "Record already exists"})
        for image in (record.get("embed") or {}).get("images", []):
            if image["image"]["ref"]["$link"] not in self.blobs:
                return reply(400, {"error": "BlobNotFound", "message": "Blob not found"})
        self.records[rkey] = record
        return reply(200, {"uri": f"at://{self.did}/app.bsky.feed.post/{rkey}",
                           "cid": "bafyrei" + rkey})

    def _get(self, request: Received, match: re.Match[str]) -> Reply:
        rkey = request.query.get("rkey", "")
        if request.query.get("repo") != self.did or rkey not in self.records:
            return reply(400, {"error": "RecordNotFound",
                               "message": "Could not locate record"})
        return reply(200, {"uri": f"at://{self.did}/app.bsky.feed.post/{rkey}",
                           "cid": "bafyrei" + rkey, "value": self.records[rkey]})


def graph_error(message: str, code: int, status: int = 400) -> Reply:
    return reply(status, {"error": {"message": message, "type": "OAuthException",
                                    "code": code, "fbtrace_id": "AbCdEf"}})


class FakeGraph(FakeService):
    """Graph API: Page photos and feed; Instagram media containers and media_publish.

    ``container_states``: what a container's status_code answers on each ask, the
    last one repeating (default: IN_PROGRESS once, then FINISHED).
    """

    def __init__(self, token: str, *, container_states: tuple[str, ...] = (
            "IN_PROGRESS", "FINISHED")) -> None:
        super().__init__()
        self.token = token
        self.container_states = container_states
        self.photos: dict[str, dict[str, Any]] = {}
        self.feed: list[dict[str, Any]] = []
        self.containers: dict[str, dict[str, Any]] = {}
        self.published: list[dict[str, Any]] = []
        self._ids = itertools.count(17_841_400_000_000_001)
        version = r"/v\d+\.\d"
        self.route("POST", version + r"/(\d+)/photos", self._photo)
        self.route("POST", version + r"/(\d+)/feed", self._feed)
        self.route("POST", version + r"/(\d+)/media", self._container)
        self.route("POST", version + r"/(\d+)/media_publish", self._publish)
        self.route("GET", version + r"/(\d+)", self._status)

    def _unauthorised(self, token: str | None) -> Reply | None:
        if token != self.token:
            return graph_error("Invalid OAuth access token - Cannot parse access token", 190)
        return None

    def _photo(self, request: Received, match: re.Match[str]) -> Reply:
        form = request.form()
        if refused := self._unauthorised(form.get("access_token")):
            return refused
        source = request.parts().get("source")
        if not source:
            return graph_error("(#324) Requires upload file", 324)
        photo_id = str(next(self._ids))
        self.photos[photo_id] = {"page": match.group(1), "data": source[0].data,
                                 "content_type": source[0].content_type,
                                 "published": form.get("published"),
                                 "alt": form.get("alt_text_custom")}
        return reply(200, {"id": photo_id})

    def _feed(self, request: Received, match: re.Match[str]) -> Reply:
        form = request.form()
        if refused := self._unauthorised(form.get("access_token")):
            return refused
        attached = [json.loads(value)["media_fbid"] for key, value in sorted(form.items())
                    if key.startswith("attached_media[")]
        if any(photo not in self.photos for photo in attached):
            return graph_error("(#100) Invalid media_fbid", 100)
        post_id = f"{match.group(1)}_{next(self._ids)}"
        self.feed.append({"id": post_id, "message": form.get("message"),
                          "link": form.get("link"), "attached": attached})
        return reply(200, {"id": post_id})

    def _container(self, request: Received, match: re.Match[str]) -> Reply:
        form = request.form()
        if refused := self._unauthorised(form.get("access_token")):
            return refused
        if form.get("media_type") == "CAROUSEL":
            children = form.get("children", "").split(",")
            if any(child not in self.containers for child in children):
                return graph_error("(#100) Invalid children", 100)
        elif not form.get("image_url"):
            return graph_error("(#100) The parameter image_url is required", 100)
        container_id = str(next(self._ids))
        self.containers[container_id] = {**form, "asks": 0, "published": False}
        return reply(200, {"id": container_id})

    def _status(self, request: Received, match: re.Match[str]) -> Reply:
        if refused := self._unauthorised(request.query.get("access_token")):
            return refused
        media = next((m for m in self.published if m["id"] == match.group(1)), None)
        if media is not None:
            return reply(200, {"id": media["id"],
                               "permalink": f"https://www.instagram.com/p/H{media['id']}/"})
        container = self.containers.get(match.group(1))
        if container is None:
            return graph_error("Unsupported get request.", 100)
        if container["published"]:
            state = "PUBLISHED"
        else:
            state = self.container_states[min(container["asks"],
                                              len(self.container_states) - 1)]
            container["asks"] += 1
            container["state"] = state
        return reply(200, {"status_code": state, "id": match.group(1)})

    def _publish(self, request: Received, match: re.Match[str]) -> Reply:
        form = request.form()
        if refused := self._unauthorised(form.get("access_token")):
            return refused
        container = self.containers.get(form.get("creation_id", ""))
        if container is None or container.get("state") != "FINISHED":
            return graph_error("The media is not ready for publishing, please wait", 9007)
        if container["published"]:
            return graph_error("The media has already been published", 9007)
        container["published"] = True
        media_id = str(next(self._ids))
        self.published.append({"id": media_id, "container": container})
        return reply(200, {"id": media_id})
