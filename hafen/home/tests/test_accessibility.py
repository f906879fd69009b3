"""Every page, for every role, in German and English: no serious or critical barrier.

axe-core (the copy the PyPI package ``axe-playwright-python`` ships) checks each page in
Debian's chromium, after the page's own scripts ran, as the people who use it see it: the
anonymous client at the door and in the chat (also on a phone's screen), and each staff
role of the demo organisation on every page that role may open. A violation of impact
"serious" or "critical" fails the test, with the rule, the page and the elements; so do
a missing or wrong ``<html lang>`` and an id given twice that a label points to
(``browser_fixtures.axe_barriers``). No rule of axe-core is switched off.

"Every page" is derived from Django's URL resolver, not listed by hand: every named URL
is checked unless ``EXCLUDED`` names it with the reason (downloads, feeds, form targets
that only take POST, redirects, fragments). A new URL is checked without further ado;
if no persona gets an HTML page from it, the browser test fails until it is excluded
with its reason. An exclusion of a URL that no longer exists fails at once.

The sample objects (a conversation with an attachment, a case with plan, meeting and
entries, a post on the news page, a partner, a data-subject request, ...) are the world
of the role-by-URL matrix (test_url_access.py); the roles that may open a URL are the
ones its declared rule allows. Each persona logs in once (through the login form, by
the test client), and its session cookie goes into one browser context per language.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from hafen.browser_fixtures import axe_barriers, launched_browser, require_chromium
from hafen.home.tests.test_url_access import (  # noqa: F401 (``world`` is a fixture)
    ALLOWED,
    ROUTES,
    STREETWORK,
    Route,
    _url,
    expected,
    world,
)
from hafen.lib.url_access import CLIENT_SESSION, PUBLIC, RULES

require_chromium()

from axe_playwright_python.base import AXE_SCRIPT  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_FORM_TARGET = "a form's target: answers POST only (405 to GET)"
_DOWNLOAD = "a download, not a page"

# URLs that are not pages to check, and why.
EXCLUDED: dict[str, str] = {
    # redirects
    "home:index": "redirects to the start page of the user's role (home:role is checked)",
    "home:start": "redirects to the start page of the user's role (home:role is checked)",
    "conversations:inbox_list": (
        "an HTML fragment that the inbox's script fetches into the inbox page (checked)"
    ),
    "conversations:triage_panel": (
        "an HTML fragment that the inbox's script fetches into the conversation page (checked)"
    ),
    "figures:index": "redirects to the first figures page (every figures:section is checked)",
    "accounts:login_code": (
        "without a first login step it redirects to the login; the demo accounts use no "
        "second factor (the security page that sets it up is checked)"
    ),
    "accounts:logout": "logs out and redirects to the login (checked)",
    "set_language": "the language switch: POST, then a redirect back",
    # downloads, images, feeds, scripts
    "cases:attachment": f"{_DOWNLOAD} (the attached file)",
    "cases:plan_export": f"{_DOWNLOAD} (PDF; POST)",
    "conversations:client_attachment": f"{_DOWNLOAD} (the attached file)",
    "conversations:staff_attachment": f"{_DOWNLOAD} (the attached file)",
    "conversations:export": f"{_DOWNLOAD} (the conversation as text)",
    "conversations:door_qr": f"{_DOWNLOAD} (PNG)",
    "figures:download": f"{_DOWNLOAD} (CSV)",
    "network:partner_export": f"{_DOWNLOAD} (CSV)",
    "network:feed": f"{_DOWNLOAD} (the calendar feed, ICS)",
    "privacy:register_pdf": f"{_DOWNLOAD} (PDF)",
    "publishing:news_rss": "a feed (RSS), not a page",
    "publishing:news_atom": "a feed (Atom), not a page",
    "publishing:news_image": f"{_DOWNLOAD} (an image of a post)",
    "publishing:post_image": f"{_DOWNLOAD} (an image of a post)",
    "push:service_worker": "a script (the service worker of push notifications)",
    "javascript-catalog": "a script (the translations of the pages' scripts)",
    # form targets: the pages that hold the forms are checked
    **{
        name: _FORM_TARGET
        for name in (
            "accounts:revoke_invitation",
            "accounts:two_factor_rule",
            "cases:action_item_add",
            "cases:action_item_done",
            "cases:link_conversation",
            "cases:notice_read",
            "cases:plan_agreement",
            "cases:plan_goal_add",
            "cases:plan_measure_add",
            "cases:plan_new_version",
            "cases:plan_review_schedule",
            "cases:plan_status",
            "cases:unlink_conversation",
            "conversations:add_note",
            "conversations:assign",
            "conversations:code_noted",
            "conversations:delete_label",
            "conversations:delete_reply",
            "conversations:label",
            "conversations:language",
            "conversations:leave",
            "conversations:release",
            "conversations:rename_label",
            "conversations:reply",
            "conversations:send",
            "conversations:set_state",
            "conversations:start",
            "conversations:take",
            "conversations:transfer",
            "home:verify_audit",
            "network:contact_confirm",
            "network:contact_delete",
            "network:event_attend",
            "privacy:case_change",
            "privacy:lift",
            "privacy:request_close",
            "privacy:request_erase",
            "privacy:request_export",
            "privacy:request_extend",
            "privacy:request_restrict",
            "privacy:retention_category",
            "publishing:delivery_done",
            "publishing:delivery_retry",
            "publishing:guideline_acknowledge",
            "publishing:post_comment",
            "publishing:post_image_add",
            "publishing:post_review",
            "publishing:post_submit",
            "push:subscribe",
            "push:unsubscribe",
            "strategy:draft_discard",
            "strategy:draft_start",
            "strategy:sign",
        )
    },
}

PAGES = [route for route in ROUTES if route.name not in EXCLUDED]

# The anonymous client (public pages), the client of the sample conversation (the pages
# of its own conversation), and every staff role of the demo organisation.
PERSONAS = ["anonymous", "client", "counsellor", "volunteer", "leader", "comms", "dpo", "admin"]
LANGUAGES = {"de": "de-DE", "en": "en-GB"}
# Clients mostly come by phone: their pages are checked on a phone's screen too.
PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True}
CLIENTS = ("anonymous", "client")
# Pages whose language is not the reader's, on purpose.
FIXED_LANGUAGE = {
    # The poster speaks to clients: in the door language chosen for it, German by default.
    "conversations:door_poster": "de",
}
# Error pages (they have no URL name of their own): what anyone may meet.
ERROR_PAGES = ["/gibt-es-nicht/"]


def test_every_url_is_checked_or_excluded():
    names = {route.name for route in ROUTES}
    assert sorted(set(EXCLUDED) - names) == [], "excluded URLs that do not exist"
    assert all(reason.strip() for reason in EXCLUDED.values())
    # PAGES is everything else: a new URL lands there and is checked by the browser
    # test below, which fails if no persona can open it as a page.
    assert {route.name for route in PAGES} == names - set(EXCLUDED)
    assert len(PAGES) > 50  # the walk found the URL configuration


def _more_sample_objects() -> dict[str, dict[str, Any]]:
    """Objects some pages need besides the matrix's world: URL parameters per URL name."""
    from hafen.accounts.models import Team, User
    from hafen.cases.tests.conftest import open_case
    from hafen.privacy.retention import actions as retention_actions
    from hafen.publishing.tests.conftest import draft
    from hafen.strategy import actions as strategy_actions

    counsellor = User.objects.get(username="fachkraft")
    dpo = User.objects.get(username="datenschutz")
    # A post still being written (the published one is not editable).
    post = draft(User.objects.get(username="oeffentlichkeit"), title="Offene Sprechstunde")
    # A draft of the strategy, for the page of one of its sections.
    strategy_actions.start_draft(User.objects.get(username="leitung"))
    # A case whose processing is restricted: the counsellor states why they read it.
    restricted = open_case(counsellor, Team.objects.get(slug="jugendberatung"), name="Mia Schmitt")
    retention_actions.restrict_processing(dpo, restricted, "Die Richtigkeit wird bestritten")
    return {
        "publishing:post_edit": {"post_id": post.pk},
        "privacy:restricted_read": {"case_id": restricted.pk},
    }


def _urls(
    route: Route, persona: str, sample: dict[str, Any], special: dict[str, dict[str, Any]]
) -> list[str]:
    """The addresses of ``route`` that ``persona`` opens (none if it is not theirs)."""
    rule = RULES[route.name]
    if persona == "anonymous" and rule != PUBLIC:
        return []
    if persona == "client" and rule != CLIENT_SESSION:
        return []
    if persona not in ("anonymous", "client") and rule in (PUBLIC, CLIENT_SESSION):
        return []  # staff see the same public pages; the anonymous client checks them
    variant = STREETWORK if persona == "volunteer" and "conversation_id" in route.parameters else ""
    if not expected(route, variant, persona, sample["roles"].get(persona, set())) & ALLOWED:
        return []
    if route.name in special:
        sample = {
            **sample,
            variant or "kwargs": {**sample[variant or "kwargs"], **special[route.name]},
        }
    if route.name == "home:role":
        # Each role's own start page (the matrix's world is the DPO's).
        return [
            reverse("home:role", kwargs={"role": role}) for role in sorted(sample["roles"][persona])
        ]
    if route.name == "figures:section":
        from hafen.strategy.figures.views import SECTIONS

        return [_url(route, {**sample, "kwargs": {"slug": s.slug}}, "") for s in SECTIONS]
    return [_url(route, sample, variant)]


def _cookies(client: Any, base_url: str) -> list[dict[str, Any]]:
    return [
        {"name": name, "value": morsel.value, "url": base_url}
        for name, morsel in client.cookies.items()
    ]


def _barriers(page: Any, where: str, language: str) -> list[str]:
    """The serious and critical violations on the page that is open, and a wrong lang."""
    found = []
    lang = page.evaluate("document.documentElement.lang")
    if lang != language:
        found.append(f"{where}: <html lang={lang!r}>, not {language!r}")
    found += [f"{where}: {violation}" for violation in axe_barriers(page)]
    return found


def test_every_page_for_every_role_in_german_and_english(world, live_server) -> None:  # noqa: F811
    special = _more_sample_objects()
    barriers: list[str] = []
    not_pages: list[str] = []
    checked: set[str] = set()
    seconds: dict[str, float] = {}
    with launched_browser() as browser:
        for persona in PERSONAS:
            started = time.monotonic()
            addresses = [
                (route.name, url)
                for route in PAGES
                for url in _urls(route, persona, world, special)
            ]
            runs: list[tuple[str, dict[str, Any]]] = [
                (language, {"locale": locale}) for language, locale in LANGUAGES.items()
            ]
            if persona in CLIENTS:
                runs.append(("de", {"locale": LANGUAGES["de"], **PHONE}))
            for language, options in runs:
                screen = " phone" if "viewport" in options else ""
                context = browser.new_context(**options)
                # axe-core joins every page before the page's own scripts (an init
                # script: the page's Content-Security-Policy does not apply to it).
                context.add_init_script(AXE_SCRIPT)
                context.add_cookies(_cookies(world["browsers"][persona], live_server.url))
                page = context.new_page()
                for name, url in addresses:
                    response = page.goto(f"{live_server.url}{url}")
                    assert response is not None
                    kind = response.headers.get("content-type", "")
                    # goto follows redirects: a page elsewhere (the login, a start
                    # page) is not this URL's page.
                    moved = urlsplit(page.url).path != url
                    if moved or response.status != 200 or not kind.startswith("text/html"):
                        not_pages.append(
                            f"{name} as {persona}: {url} answered {response.status} {kind} "
                            f"(at {page.url})"
                        )
                        continue
                    checked.add(name)
                    where = f"{persona} {language}{screen} {url}"
                    barriers += _barriers(page, where, FIXED_LANGUAGE.get(name, language))
                if persona == "anonymous":
                    for url in ERROR_PAGES:
                        response = page.goto(f"{live_server.url}{url}")
                        assert response is not None and response.status == 404
                        where = f"{persona} {language}{screen} {url}"
                        barriers += _barriers(page, where, language)
                context.close()
            seconds[persona] = round(time.monotonic() - started, 1)
    print(f"seconds per persona (both languages, clients also on a phone): {seconds}")
    unchecked = sorted({route.name for route in PAGES} - checked)
    assert not_pages == [], "URLs that gave no page (list them in EXCLUDED with the reason)"
    assert unchecked == [], "URLs no persona could open as a page"
    assert barriers == [], "\n".join(["serious or critical barriers:", *barriers])
