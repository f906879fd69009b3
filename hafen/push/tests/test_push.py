"""Notifications about answers through Web Push, as a client's phone and a push service see them.

The push service is played by a small HTTP server on 127.0.0.1 (the test setting
``HAFEN_PUSH_ALLOW_LOOPBACK`` lets a subscription point there); the browser's side is
a P-256 key pair and an auth secret made here, so the test can open what the browser
would receive and check that it says nothing but "there is an answer".
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from typing import Any

import http_ece
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import Client
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from py_vapid import Vapid02

from hafen.conftest import login_client
from hafen.conversations.models import Conversation
from hafen.conversations.tests.conftest import DoorClient, start_conversation
from hafen.privacy.models import AuditEntry
from hafen.push import vapid
from hafen.push.models import PushSubscription

TASK = "hafen.push.tasks.send_answer_notifications"
SUBSCRIBE = "/gespraech/benachrichtigungen/"
UNSUBSCRIBE = "/gespraech/benachrichtigungen/aus/"
ANSWER = "Ihr Termin beim Jobcenter ist am Montag um 9 Uhr"


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@dataclass
class BrowserKeys:
    """What a browser keeps to itself (private key, auth secret) and what it shares."""

    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth: bytes = field(default_factory=lambda: secrets.token_bytes(16))

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    def subscription(self, endpoint: str) -> dict[str, Any]:
        """``PushSubscription.toJSON()`` as a browser sends it."""
        return {
            "endpoint": endpoint,
            "expirationTime": None,
            "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth)},
        }

    def open(self, body: bytes) -> bytes:
        return bytes(
            http_ece.decrypt(
                body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm"
            )
        )


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


class PushService:
    """A push service on 127.0.0.1 that records every request and answers ``status``."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.status = 201
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                service.received.append(
                    Received(self.path, dict(self.headers.items()), self.rfile.read(length))
                )
                self.send_response(service.status)
                if 300 <= service.status < 400:
                    self.send_header("Location", f"{service.url}/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def push_service(settings):
    settings.HAFEN_PUSH_ALLOW_LOOPBACK = True
    service = PushService()
    yield service
    service.close()


def subscribe(client: DoorClient | Client, payload: Any, **headers: str):
    browser = client.browser if isinstance(client, DoorClient) else client
    body = payload if isinstance(payload, bytes) else json.dumps(payload)
    return browser.post(SUBSCRIBE, body, content_type="application/json", **headers)


def subscribed(
    push_service: PushService, device: str = "device-1"
) -> tuple[DoorClient, BrowserKeys]:
    client = start_conversation()
    keys = BrowserKeys()
    response = subscribe(client, keys.subscription(f"{push_service.url}/push/{device}"))
    assert response.status_code == 201, response.content
    return client, keys


def answer(staff: Client, conversation: Conversation, body: str = ANSWER, n: int = 1):
    response = staff.post(
        f"/posteingang/{conversation.pk}/antworten/",
        {"body": body, "client_id": f"staff-answer-{n}"},
    )
    assert response.status_code == 302, response.content[:300]
    return response


# Turning notifications on and off --------------------------------------------------


def test_the_chat_page_offers_notifications_hidden_until_the_script_finds_push_support(
    org,
) -> None:
    client = start_conversation()

    page = client.browser.get("/gespraech/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    section = re.search(r'<section class="card push-opt-in" id="push-opt-in"[^>]*>', page)
    assert section, "the opt-in is on the page"
    assert " hidden" in section.group(0)  # without JavaScript (or push) nobody sees it
    assert f'data-public-key="{vapid.keys().public_key}"' in section.group(0)
    assert 'src="/static/push/push.js"' in page
    inside = re.search(r'id="push-opt-in".*?</section>', page, re.DOTALL).group(0)
    assert 'name="csrfmiddlewaretoken"' in inside
    assert "Notify me about answers" in inside


def test_subscribing_through_the_page_stores_the_endpoint_encrypted(org) -> None:
    client = start_conversation()
    page = Client(enforce_csrf_checks=True)
    page.cookies = client.browser.cookies
    html = page.get("/gespraech/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    endpoint = "https://fcm.googleapis.com/fcm/send/dQw4w9WgXcQ:APA91bH-geheim"
    keys = BrowserKeys()

    response = page.post(
        SUBSCRIBE,
        json.dumps(keys.subscription(endpoint)),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 201
    assert response.json() == {"ok": True, "message": "Notifications are on for this device."}
    row = PushSubscription.objects.get()
    assert row.conversation_id == client.conversation.pk
    assert b"googleapis" not in bytes(row.endpoint_sealed)
    assert b"geheim" not in bytes(row.endpoint_sealed)
    assert keys.p256dh.encode() not in bytes(row.keys_sealed)
    assert row.endpoint == endpoint
    assert json.loads(row.keys) == keys.subscription(endpoint)["keys"]
    entry = AuditEntry.objects.get(action="push.subscribed")
    assert entry.object_id == str(client.conversation.pk)
    assert "googleapis" not in json.dumps(entry.details)


def test_subscribing_needs_the_csrf_token(org) -> None:
    client = start_conversation()
    page = Client(enforce_csrf_checks=True)
    page.cookies = client.browser.cookies

    response = page.post(
        SUBSCRIBE,
        json.dumps(BrowserKeys().subscription("https://fcm.googleapis.com/fcm/send/x")),
        content_type="application/json",
    )

    assert response.status_code == 403
    assert not PushSubscription.objects.exists()


def test_the_same_browser_subscribing_again_renews_its_keys_instead_of_a_second_row(org) -> None:
    client = start_conversation()
    endpoint = "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABn"
    old, new = BrowserKeys(), BrowserKeys()

    subscribe(client, old.subscription(endpoint))
    response = subscribe(client, new.subscription(endpoint))

    assert response.status_code == 201
    row = PushSubscription.objects.get()
    assert json.loads(row.keys)["p256dh"] == new.p256dh
    renewed = AuditEntry.objects.filter(action="push.subscribed").order_by("seq")
    assert [e.details["renewed"] for e in renewed] == [False, True]


def test_a_conversation_keeps_at_most_five_devices_the_oldest_give_way(org) -> None:
    client = start_conversation()
    for n in range(7):
        subscribe(client, BrowserKeys().subscription(f"https://web.push.apple.com/device-{n}"))

    endpoints = sorted(row.endpoint for row in PushSubscription.objects.all())

    assert endpoints == [f"https://web.push.apple.com/device-{n}" for n in range(2, 7)]


def test_turning_notifications_off_removes_the_subscription_and_is_audited(org) -> None:
    client = start_conversation()
    endpoint = "https://wns2-par02p.notify.windows.com/w/?token=abc"
    subscribe(client, BrowserKeys().subscription(endpoint))

    response = client.browser.post(
        UNSUBSCRIBE,
        json.dumps({"endpoint": endpoint}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 200
    assert response.json()["message"] == "Notifications are off for this device."
    assert not PushSubscription.objects.exists()
    entry = AuditEntry.objects.get(action="push.unsubscribed")
    assert entry.object_id == str(client.conversation.pk)
    assert "windows" not in json.dumps(entry.details)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{", "The notification settings could not be read. Please try again."),
        (b"{}", "This browser's push address is not valid."),
        (b'{"endpoint": ["x"]}', "This browser's push address is not valid."),
        (b'{"endpoint": "' + b"x" * 2000 + b'"}', "This browser's push address is not valid."),
    ],
)
def test_a_bad_request_to_turn_notifications_off_changes_nothing(org, body, message) -> None:
    client = start_conversation()
    subscribe(client, BrowserKeys().subscription("https://fcm.googleapis.com/fcm/send/x"))

    response = client.browser.post(
        UNSUBSCRIBE, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert response.json() == {"ok": False, "error": message}
    assert PushSubscription.objects.count() == 1


HOSTILE = [
    (b"nicht json", "The notification settings could not be read."),
    (b"\xff\xfe{}", "The notification settings could not be read."),
    (b"[" * 3000 + b"]" * 3000, "The notification settings could not be read."),
    (b'{"endpoint": "' + b"a" * 5000 + b'"}', "The notification settings could not be read."),
    ([], "The notification settings could not be read."),
    ({"keys": {}}, "This browser's push address is not valid."),
    ({"endpoint": 42}, "This browser's push address is not valid."),
    ({"endpoint": "javascript:alert(1)"}, "This browser's push address is not valid."),
    ({"endpoint": "http://fcm.googleapis.com/x"}, "Notifications need a secure (https) push"),
    ({"endpoint": "http://127.0.0.1:9/push"}, "Notifications need a secure (https) push"),
    ({"endpoint": "https://fcm.googleapis.com:8443/x"}, "Notifications need a secure (https)"),
    ({"endpoint": "https://evil.example/collect"}, "push service is not supported here."),
    ({"endpoint": "https://10.0.0.1/admin"}, "push service is not supported here."),
    ({"endpoint": "https://localhost/admin"}, "push service is not supported here."),
    ({"endpoint": "https://fcm.googleapis.com.evil.example/"}, "not supported here."),
    ({"endpoint": "https://evilfcm.googleapis.com@evil.example/"}, "push address is not valid."),
    ({"endpoint": "https://fcm.googleapis.com/a b"}, "This browser's push address is not valid."),
    (
        {"endpoint": "https://fcm.googleapis.com/\u00e4"},
        "This browser's push address is not valid.",
    ),
    ({"endpoint": "https://fcm.googleapis.com/x\n"}, "This browser's push address is not valid."),
    ({"endpoint": "https://[::1/"}, "This browser's push address is not valid."),
    (
        {"endpoint": "https://fcm.googleapis.com/" + "x" * 1100},
        "push address is too long (at most 1024 characters).",
    ),
]


@pytest.mark.parametrize(("payload", "message"), HOSTILE)
def test_hostile_subscriptions_are_refused_with_a_clear_message(org, payload, message) -> None:
    client = start_conversation()
    if isinstance(payload, dict) and "endpoint" in payload and "keys" not in payload:
        payload = {**BrowserKeys().subscription(""), "endpoint": payload["endpoint"]}

    response = subscribe(client, payload, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json()["ok"] is False
    assert message in response.json()["error"]
    assert not PushSubscription.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="push.").exists()


def _with_keys(p256dh: Any, auth: Any) -> dict[str, Any]:
    return {
        "endpoint": "https://fcm.googleapis.com/fcm/send/x",
        "keys": {"p256dh": p256dh, "auth": auth},
    }


GOOD = BrowserKeys()
OFF_CURVE = b64url(b"\x04" + b"\x01" * 64)


@pytest.mark.parametrize(
    "payload",
    [
        {"endpoint": "https://fcm.googleapis.com/fcm/send/x"},
        {"endpoint": "https://fcm.googleapis.com/fcm/send/x", "keys": "p256dh"},
        _with_keys(None, b64url(GOOD.auth)),
        _with_keys(GOOD.p256dh, None),
        _with_keys(GOOD.p256dh + "!", b64url(GOOD.auth)),
        _with_keys(GOOD.p256dh[:-4], b64url(GOOD.auth)),
        _with_keys(OFF_CURVE, b64url(GOOD.auth)),
        _with_keys(GOOD.p256dh, b64url(b"\x00" * 15)),
        _with_keys(GOOD.p256dh, "a" * 300),
        _with_keys(base64.b64encode(b"\xff" * 65).decode(), b64url(GOOD.auth)),
    ],
)
def test_subscriptions_with_unusable_keys_are_refused(org, payload) -> None:
    client = start_conversation()

    response = subscribe(client, payload, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.json()["error"] == "This browser's push keys are not valid."
    assert not PushSubscription.objects.exists()


def test_a_loopback_push_address_is_refused_unless_a_test_or_debug_allows_it(org, settings) -> None:
    client = start_conversation()
    loopback = BrowserKeys().subscription("http://127.0.0.1:9/push/x")

    assert subscribe(client, loopback).status_code == 400
    settings.HAFEN_PUSH_ALLOW_LOOPBACK = True
    assert subscribe(client, loopback).status_code == 201


def test_the_operator_can_name_the_push_services(org, monkeypatch) -> None:
    client = start_conversation()
    monkeypatch.setenv("HAFEN_PUSH_SERVICES", "push.example.org")

    own = subscribe(client, BrowserKeys().subscription("https://eu.push.example.org/x"))
    google = subscribe(client, BrowserKeys().subscription("https://fcm.googleapis.com/x"))

    assert own.status_code == 201 and google.status_code == 400


def test_an_outsider_cannot_subscribe_or_turn_off_anybody_elses_notifications(
    org, counsellor
) -> None:
    owner = start_conversation()
    endpoint = "https://fcm.googleapis.com/fcm/send/owner"
    subscribe(owner, BrowserKeys().subscription(endpoint))
    other = start_conversation()
    payload = BrowserKeys().subscription("https://fcm.googleapis.com/fcm/send/stranger")

    nobody = Client(HTTP_ACCEPT_LANGUAGE="en").post(
        SUBSCRIBE, json.dumps(payload), content_type="application/json"
    )
    staff = login_client(counsellor).post(
        SUBSCRIBE, json.dumps(payload), content_type="application/json"
    )
    nobody_off = Client().post(
        UNSUBSCRIBE, json.dumps({"endpoint": endpoint}), content_type="application/json"
    )
    other_off = other.browser.post(
        UNSUBSCRIBE, json.dumps({"endpoint": endpoint}), content_type="application/json"
    )

    assert nobody.status_code == staff.status_code == nobody_off.status_code == 404
    assert nobody.json()["error"] == "Your session has ended. Please reload the page."
    assert other_off.status_code == 200  # says "off" for its own browser: it had nothing
    assert PushSubscription.objects.get().conversation_id == owner.conversation.pk
    assert not AuditEntry.objects.filter(action="push.unsubscribed").exists()


def test_the_endpoints_take_only_post(org) -> None:
    client = start_conversation()

    assert client.browser.get(SUBSCRIBE).status_code == 405
    assert client.browser.get(UNSUBSCRIBE).status_code == 405


def test_deleting_the_conversation_deletes_its_subscriptions(org) -> None:
    client = start_conversation()
    subscribe(client, BrowserKeys().subscription("https://fcm.googleapis.com/fcm/send/x"))
    key_id = client.conversation.data_key_id

    response = client.browser.post("/gespraech/loeschen/", {"confirm": "yes"})

    assert response.status_code == 200
    assert not Conversation.objects.filter(pk=client.conversation.pk).exists()
    assert not PushSubscription.objects.exists()
    from hafen.privacy.models import DataKey

    assert DataKey.objects.get(pk=key_id).wrapped is None


# The service worker ----------------------------------------------------------------


def test_the_service_worker_comes_from_the_site_root_and_shows_only_a_neutral_text(org) -> None:
    response = Client(HTTP_ACCEPT_LANGUAGE="en").get("/push-sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    script = response.content.decode()
    assert '"body": "There is a new answer."' in script
    assert '"url": "/gespraech/"' in script
    for revealing in ("Jugendberatung", "Beispiel", "Beratung", "Träger"):
        assert revealing not in script
    # It caches nothing: no fetch handler, no Cache API.
    assert '"fetch"' not in script and "caches." not in script


def test_the_service_worker_speaks_the_language_of_the_page_that_registered_it(org) -> None:
    english = Client(HTTP_ACCEPT_LANGUAGE="de").get("/push-sw.js?lang=en").content.decode()
    hostile = Client(HTTP_ACCEPT_LANGUAGE="en").get('/push-sw.js?lang="};alert(1)//').content

    assert '"body": "There is a new answer."' in english
    assert b"alert" not in hostile and b'"body": "There is a new answer."' in hostile


# Sending -------------------------------------------------------------------------------


def test_a_staff_answer_enqueues_the_push_task(
    org, counsellor, push_service, django_capture_on_commit_callbacks
) -> None:
    client, _ = subscribed(push_service)
    staff = login_client(counsellor)

    with django_capture_on_commit_callbacks(execute=True):
        answer(staff, client.conversation)

    task = DBTaskResult.objects.get(task_path=TASK)
    assert task.status == TaskResultStatus.READY
    assert task.args_kwargs == {"args": [client.conversation.pk], "kwargs": {}}
    assert ANSWER not in json.dumps(task.args_kwargs)
    assert push_service.received == []  # not in the request: the worker sends it


def test_no_task_is_enqueued_for_a_conversation_without_notifications(
    org, counsellor, django_capture_on_commit_callbacks
) -> None:
    client = start_conversation()

    with django_capture_on_commit_callbacks(execute=True):
        answer(login_client(counsellor), client.conversation)

    assert not DBTaskResult.objects.filter(task_path=TASK).exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_an_encrypted_push_that_says_nothing_but_answer(
    org, counsellor, push_service
) -> None:
    client, keys = subscribed(push_service)
    answer(login_client(counsellor), client.conversation)

    call_command("worker", once=True)

    [request] = push_service.received
    assert request.path == "/push/device-1"
    headers = {name.lower(): value for name, value in request.headers.items()}
    assert headers["content-encoding"] == "aes128gcm"
    assert int(headers["ttl"]) > 0 and headers["topic"] == "answer"
    # The body is encrypted: neither the answer nor who wrote it is readable in it.
    for secret in (ANSWER, "Jobcenter", "Jugendberatung", "answer", client.conversation.pseudonym):
        assert secret.encode() not in request.body
    # Only the browser can open it, and inside is nothing but "there is an answer".
    assert json.loads(keys.open(request.body)) == {"type": "answer"}
    # Signed with the installation's VAPID key for this push service.
    authorization = headers["authorization"]
    assert authorization.startswith("vapid t=")
    assert f"k={vapid.keys().public_key}" in authorization
    assert Vapid02.verify(authorization)
    token = authorization.split("t=", 1)[1].split(",", 1)[0]
    body = token.split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    assert claims["aud"] == push_service.url
    task = DBTaskResult.objects.get(task_path=TASK)
    assert task.status == TaskResultStatus.SUCCESSFUL and task.return_value == 1
    assert PushSubscription.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("status", [410, 404])
def test_a_subscription_the_push_service_calls_gone_is_deleted(
    org, counsellor, push_service, status
) -> None:
    client, _ = subscribed(push_service)
    push_service.status = status
    answer(login_client(counsellor), client.conversation)

    call_command("worker", once=True)

    assert len(push_service.received) == 1
    assert not PushSubscription.objects.exists()
    entry = AuditEntry.objects.get(action="push.expired")
    assert entry.object_id == str(client.conversation.pk) and entry.actor_id is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("status", [500, 429, 307])
def test_a_push_service_in_trouble_keeps_the_subscription_and_redirects_are_not_followed(
    org, counsellor, push_service, status
) -> None:
    client, _ = subscribed(push_service)
    push_service.status = status
    answer(login_client(counsellor), client.conversation)

    call_command("worker", once=True)

    assert [r.path for r in push_service.received] == ["/push/device-1"]
    assert PushSubscription.objects.count() == 1
    task = DBTaskResult.objects.get(task_path=TASK)
    assert task.status == TaskResultStatus.SUCCESSFUL and task.return_value == 0


@pytest.mark.django_db(transaction=True)
def test_every_device_of_the_conversation_is_told_and_other_conversations_are_not(
    org, counsellor, push_service
) -> None:
    client, _ = subscribed(push_service, "phone")
    subscribe(client, BrowserKeys().subscription(f"{push_service.url}/push/tablet"))
    subscribed(push_service, "somebody-else")

    answer(login_client(counsellor), client.conversation)
    call_command("worker", once=True)

    assert sorted(r.path for r in push_service.received) == ["/push/phone", "/push/tablet"]


# VAPID keys ----------------------------------------------------------------------------


def test_the_embedded_default_generates_the_vapid_key_once_for_the_owner_only(
    settings, tmp_path, monkeypatch
) -> None:
    monkeypatch.delenv(vapid.PRIVATE_ENV, raising=False)
    monkeypatch.delenv(vapid.PUBLIC_ENV, raising=False)
    settings.DATA_DIR = tmp_path

    first = vapid.keys()
    second = vapid.keys()

    path = tmp_path / vapid.KEY_FILE
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert first is not None and second is not None
    assert first.public_key == second.public_key
    assert len(base64.urlsafe_b64decode(first.public_key + "=")) == 65


def test_production_takes_the_keys_from_the_environment(settings, monkeypatch, tmp_path) -> None:
    out = StringIO()
    call_command("push_keys", stdout=out)
    lines = dict(line.split("=", 1) for line in out.getvalue().split())
    settings.PRODUCTION = True
    settings.DATA_DIR = tmp_path
    for name, value in lines.items():
        monkeypatch.setenv(name, value)

    keys = vapid.keys()

    assert keys is not None and keys.public_key == lines[vapid.PUBLIC_ENV]
    assert not (tmp_path / vapid.KEY_FILE).exists()


def test_production_without_vapid_keys_offers_no_notifications(org, settings, monkeypatch) -> None:
    monkeypatch.delenv(vapid.PRIVATE_ENV, raising=False)
    monkeypatch.delenv(vapid.PUBLIC_ENV, raising=False)
    settings.PRODUCTION = True
    client = start_conversation()

    page = client.browser.get("/gespraech/").content.decode()
    response = subscribe(
        client,
        BrowserKeys().subscription("https://fcm.googleapis.com/fcm/send/x"),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert 'id="push-opt-in"' not in page
    assert response.status_code == 404
    assert response.json()["error"] == "Notifications are not available here."
    assert Client().get("/push-sw.js").status_code == 404


@pytest.mark.parametrize(
    ("private", "public", "message"),
    [
        ("kein-schluessel", "", "HAFEN_VAPID_PRIVATE_KEY must be a P-256 private key"),
        (b64url(b"\xff" * 32), "", "HAFEN_VAPID_PRIVATE_KEY must be a P-256 private key"),
        (
            vapid.new_private_key(),
            vapid.parse(vapid.new_private_key()).public_key,
            "HAFEN_VAPID_PUBLIC_KEY does not belong to HAFEN_VAPID_PRIVATE_KEY",
        ),
        ("", vapid.parse(vapid.new_private_key()).public_key, "HAFEN_VAPID_PRIVATE_KEY is not"),
    ],
)
def test_a_bad_vapid_configuration_stops_hafen_with_a_message_naming_the_variable(
    monkeypatch, private, public, message
) -> None:
    monkeypatch.setenv(vapid.PRIVATE_ENV, private)
    monkeypatch.setenv(vapid.PUBLIC_ENV, public)

    with pytest.raises(SystemCheckError, match=message):
        call_command("check", stdout=StringIO())
