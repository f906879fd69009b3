"""The issue's limit for a client's phone: the door's first visit transfers at most 30 KB
and asks no other host.

Measured here on the test server, which sends every file uncompressed: the bytes on the
wire are then at least what production mode sends (there WhiteNoise adds gzip for the
static files), so staying under the limit here keeps production under it too.
``bench/weight.py`` measures production mode itself and prints every request.
"""

from __future__ import annotations

import pytest

from hafen.browser_fixtures import require_chromium, watch

require_chromium()

from playwright.sync_api import Browser, Request  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIMIT_BYTES = 30 * 1024


def test_the_doors_first_visit_stays_under_30_kb_from_this_host_alone(
    org, live_server, browser: Browser
) -> None:
    # A new context: an empty cache, no cookies, a phone.
    client = watch(browser, live_server.url, viewport={"width": 360, "height": 640})
    page = client.page
    sizes: dict[str, int] = {}

    def finished(request: Request) -> None:
        measured = request.sizes()
        sizes[request.url] = measured["responseHeadersSize"] + measured["responseBodySize"]

    page.on("requestfinished", finished)
    page.goto(f"{live_server.url}/k/jugendberatung/", wait_until="networkidle")
    page.wait_for_timeout(300)  # the favicon is asked for after the load

    assert any(url.endswith(".css") for url in sizes) and any(url.endswith(".js") for url in sizes)
    total = sum(sizes.values())
    assert total <= LIMIT_BYTES, f"{total} bytes: {sizes}"
    client.assert_clean()  # no request to another host, no error
