"""The notification opt-in in a real browser: the script, the service worker, the notice.

Chromium here reaches no push service (no network), so subscribing itself cannot
succeed; what the browser alone decides is tested: the opt-in appears only with
JavaScript, the service worker registers from the site root for the conversation
pages, and a push delivered to it (through the DevTools protocol, as a push service
would) shows the fixed neutral notice, whatever the push contains.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest
from django.utils import translation

from hafen.browser_fixtures import require_chromium, watch

require_chromium()

from playwright.sync_api import Page, expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOOR = "/k/jugendberatung/"
PHONE: dict[str, Any] = {
    "viewport": {"width": 360, "height": 640},
    "is_mobile": True,
    "has_touch": True,
}
# The test server speaks HTTP only: door.js's websocket is refused and it falls back.
NO_WEBSOCKET = r"WebSocket connection to '[^']+/ws/k/' failed"
# Playwright's contexts are incognito-like: Chromium has no push service for them.
NO_PUSH_SERVICE = r"does not support the Push API in incognito mode"


def _start(page: Page, url: str) -> None:
    """A client with a conversation, started through the door's form by HTTP.

    (The browser's request API shares the context's cookies; a form POST from the door
    page itself is what the conversations' own browser tests cover.)
    """
    door = page.context.request.get(f"{url}{DOOR}").text()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', door).group(1)
    started = page.context.request.post(
        f"{url}{DOOR}start/",
        form={"csrfmiddlewaretoken": token, "agree": "on", "passphrase": ""},
        max_redirects=0,
    )
    assert started.status == 302, started.text()[:300]
    chat = page.context.request.get(f"{url}/gespraech/").text()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', chat).group(1)
    page.context.request.post(
        f"{url}/gespraech/code-notiert/", form={"csrfmiddlewaretoken": token}, max_redirects=0
    )
    page.goto(f"{url}/gespraech/")


def _deliver_push(page: Page, origin: str, scope: str, data: str) -> None:
    """What a push service does: hand a push to the worker of ``scope`` (via DevTools)."""
    found: dict[str, str] = {}
    session = page.context.new_cdp_session(page)
    session.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: found.update(
            {r["scopeURL"]: r["registrationId"] for r in event["registrations"]}
        ),
    )
    session.send("ServiceWorker.enable")
    deadline = time.monotonic() + 10
    while scope not in found and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert list(found) == [scope], "one worker, for the conversation pages only"
    session.send(
        "ServiceWorker.deliverPushMessage",
        {"origin": origin, "registrationId": found[scope], "data": data},
    )


def test_the_opt_in_registers_the_worker_and_a_push_shows_only_a_neutral_notice(
    browser, live_server, org
) -> None:
    client = watch(browser, live_server.url, permissions=["notifications"], **PHONE)
    page = client.page
    _start(page, live_server.url)

    toggle = page.locator("#push-opt-in [data-push=toggle]")
    expect(page.locator("#push-opt-in")).to_be_visible()
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    texts = json.loads(page.locator("#push-texts").text_content() or "{}")
    status = page.locator("#push-opt-in [data-push=status]")
    # Here the browser has no push service: the client is told in its words, not the
    # browser's; elsewhere the subscription would reach the server ("on").
    expect(status).to_have_text(
        re.compile(f"^({re.escape(texts['failed'])}|{re.escape(texts['on'])})$")
    )
    active = page.evaluate(
        """async () => {
          const reg = await navigator.serviceWorker.getRegistration("/gespraech/");
          await navigator.serviceWorker.ready;
          return reg && reg.active && reg.active.scriptURL;
        }"""
    )
    assert active == f"{live_server.url}/push-sw.js?lang=de"

    # Whatever a push carries, the notice shows the fixed text only.
    _deliver_push(
        page,
        live_server.url,
        f"{live_server.url}/gespraech/",
        json.dumps({"type": "answer", "body": "Termin beim Jobcenter"}),
    )
    notices: list[dict[str, str]] = []
    deadline = time.monotonic() + 10
    while not notices and time.monotonic() < deadline:
        page.wait_for_timeout(100)
        notices = page.evaluate(
            """async () => {
              const reg = await navigator.serviceWorker.getRegistration("/gespraech/");
              const shown = await reg.getNotifications();
              return shown.map(n => ({title: n.title, body: n.body, tag: n.tag}));
            }"""
        )

    assert len(notices) == 1
    notice = notices[0]
    assert notice["title"] == "Hafen" and notice["tag"] == "hafen-answer"
    with translation.override("de"):  # the context speaks German, like most clients
        assert notice["body"] == translation.gettext("There is a new answer.")
    assert "Jobcenter" not in json.dumps(notices) and "Jugendberatung" not in json.dumps(notices)
    client.assert_clean(expected=[NO_WEBSOCKET, NO_PUSH_SERVICE])


def test_without_javascript_the_opt_in_stays_hidden(browser, live_server, org) -> None:
    client = watch(browser, live_server.url, java_script_enabled=False, **PHONE)
    _start(client.page, live_server.url)

    expect(client.page.locator("#push-opt-in")).to_have_count(1)
    expect(client.page.locator("#push-opt-in")).to_be_hidden()
    client.assert_clean()
