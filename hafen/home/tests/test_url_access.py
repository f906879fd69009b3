"""The role-by-URL matrix: every URL has a declared rule, and every persona meets it.

``hafen.lib.url_access.RULES`` declares who may use each named URL. These tests walk the
whole URL configuration (and the websocket routes), fail on a URL without a rule or a
rule without a URL, and then request every URL as every persona — anonymous, the client
of the conversation, the client of another conversation, each staff role, staff of
another organisation — asserting allowed or denied, and never a 500.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from PIL import Image

from hafen.accounts import actions as account_actions
from hafen.accounts.access import roles_of
from hafen.accounts.models import Role, Team, User
from hafen.bridge import actions as bridge_actions
from hafen.cases import actions as case_actions
from hafen.cases.models import CaseCategory, Notice
from hafen.cases.tests.conftest import entry, make_counsellor, open_case
from hafen.cases.validation import today
from hafen.conftest import login_client
from hafen.conversations import actions as conversation_actions
from hafen.conversations.attachments import check_upload
from hafen.conversations.models import CannedReply, Label
from hafen.conversations.tests.conftest import start_conversation
from hafen.lib.url_access import (
    CLIENT_SESSION,
    OBJECT,
    PUBLIC,
    RULES,
    STAFF,
    WEBSOCKET_RULES,
    Rule,
)
from hafen.network import actions as network_actions
from hafen.privacy.requests import actions as request_actions
from hafen.privacy.retention import actions as retention_actions
from hafen.publishing import newsletter
from hafen.publishing.actions import channels as publishing_channels
from hafen.publishing.models import ChannelKind, Subscriber
from hafen.publishing.tests.conftest import published_post
from hafen.routing import websocket_urlpatterns
from hafen.strategy.demo import create_demo_strategy

PERSONAS = [
    "anonymous",
    "client",  # the client of the sample conversation
    "other_client",  # the client of another conversation of the same team
    "counsellor",  # fachkraft: counsellor of Jugendberatung (the sample team) and Streetwork
    "volunteer",  # ehrenamt: volunteer of Streetwork
    "leader",
    "comms",
    "dpo",
    "admin",
    "outsider",  # counsellor and admin of another organisation
]
CLIENTS = {"anonymous", "client", "other_client"}
USERNAMES = {
    "counsellor": "fachkraft",
    "volunteer": "ehrenamt",
    "leader": "leitung",
    "comms": "oeffentlichkeit",
    "dpo": "datenschutz",
    "admin": "admin",
}


# --- the URL configuration -------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str
    parameters: tuple[str, ...]


def _walk(resolver: URLResolver, namespace: str = "") -> list[Route]:
    routes = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            routes += _walk(pattern, inner)
        elif isinstance(pattern, URLPattern):
            if pattern.name is None:
                routes.append(Route(f"{namespace}<unnamed {pattern.pattern}>", ()))
            else:
                names = tuple(re.findall(r"<(?:\w+:)?(\w+)>", str(pattern.pattern)))
                routes.append(Route(f"{namespace}{pattern.name}", names))
    return routes


ROUTES = _walk(get_resolver())


def test_every_url_has_a_declared_rule():
    names = [route.name for route in ROUTES]
    assert len(names) == len(set(names)), "a URL name is used twice"
    assert sorted(set(names) - set(RULES)) == [], "URLs without a rule in url_access.RULES"
    assert sorted(set(RULES) - set(names)) == [], "rules for URLs that do not exist"


def test_every_websocket_route_has_a_declared_rule():
    paths = {str(route.pattern) for route in websocket_urlpatterns}
    assert paths == set(WEBSOCKET_RULES)


# --- the world every request meets ----------------------------------------------------


def _png(name: str = "foto.png") -> Any:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "teal").save(buffer, format="PNG")
    return check_upload(SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png"))


@pytest.fixture
def world(org, outsider, during_office_hours) -> dict[str, Any]:
    """Sample objects of the demo organisation, made through the apps' own actions."""
    cache.clear()  # throttle counters of earlier tests must not refuse the two starts
    users = {persona: User.objects.get(username=name) for persona, name in USERNAMES.items()}
    counsellor, admin = users["counsellor"], users["admin"]
    youth = Team.objects.get(slug="jugendberatung")

    door = start_conversation("jugendberatung")
    other_door = start_conversation("jugendberatung")
    street_door = start_conversation("streetwork")
    posted = conversation_actions.post_client_attachment(
        door.conversation.pk, _png(), "Hier das Foto.", "aaaaaaaa-0001"
    )
    street_posted = conversation_actions.post_client_attachment(
        street_door.conversation.pk, _png(), "Noch ein Foto.", "aaaaaaaa-0002"
    )

    case = open_case(counsellor, youth, name="Leon Krause")
    first = entry(counsellor, case, "Erstgespräch.")
    attachment = case_actions.add_attachment(counsellor, first, _png("brief.png"))
    template = case_actions.create_template(
        users["leader"], kind="entry", title="Erstgespräch", body="Anliegen:"
    )
    plan = case_actions.create_plan(counsellor, case, kind="help_plan", title="Hilfeplan")
    goal = case_actions.add_goal(counsellor, plan, wording="Schulabschluss")
    review = case_actions.schedule_review(counsellor, plan, today() + timedelta(days=30))
    meeting = case_actions.create_meeting(
        counsellor, youth, kind="team_meeting", held_on=today(), agenda="Fälle"
    )
    item = case_actions.add_action_item(
        counsellor, meeting, text="Termin beim Jobcenter", owner=counsellor
    )
    kai = make_counsellor("schuldnerberatung", "kai", "Kai Brandt")
    case_actions.break_glass_case(kai, case.reference, "Krise am Wochenende")
    notice = Notice.objects.get(recipient=users["dpo"], case=case)
    category = CaseCategory.objects.create(organisation=org, name="Jugendhilfe")
    hold = retention_actions.place_hold(users["dpo"], case, "Anfrage der Staatsanwaltschaft")

    subject_request = request_actions.record_request(
        users["dpo"],
        kind="access",
        file_number=case.reference,
        received_on=today(),
        identity_check="Personalausweis vorgelegt",
    )

    reply = CannedReply.objects.create(organisation=org, title="Gruß", body="Hallo!")
    label = Label.objects.create(organisation=org, name="Schule")
    invitation = account_actions.invite_staff(
        admin=admin, display_name="Neue Kraft", role=Role.COUNSELLOR, team=youth
    )
    handover = bridge_actions.create_handover(counsellor, team=youth, channel="instagram")
    post = published_post(users["comms"], users["leader"])  # on the news page, with an image
    create_demo_strategy(org)  # version 1, signed by leadership
    partner = network_actions.create_partner(counsellor, name="Schuldnerberatung Nord")
    contact = network_actions.add_contact(counsellor, partner, name="Sabine Krüger")
    agreement = network_actions.create_agreement(
        counsellor, partner, title="Sprechstunde", responsible=counsellor, review_on=today()
    )
    network_event = network_actions.create_event(
        counsellor,
        title="Fachtag",
        kind="conference",
        starts_at=timezone.now(),
        ends_at=timezone.now() + timedelta(hours=2),
    )
    referral = network_actions.refer(
        counsellor,
        case,
        partner,
        passed_on="Schulden",
        referred_on=today(),
        consent_method="written",
        consent_given_on=today(),
    )
    letter = publishing_channels.create_channel(
        users["comms"], kind=ChannelKind.NEWSLETTER, name="Rundbrief"
    )
    publishing_channels.configure_channel(
        users["comms"], letter,
        {"host": "127.0.0.1", "security": "none", "from_address": "rundbrief@verein.example"},
        None,
    )
    newsletter.subscribe(letter, "leserin@example.org", language="de")
    subscriber = Subscriber.objects.get(channel=letter)

    kwargs = {
        "role": "dpo",
        "token": invitation.token,
        "user_id": users["volunteer"].pk,
        "invitation_id": invitation.invitation.pk,
        "team_slug": youth.slug,
        "seq": posted.message.seq,
        "conversation_id": door.conversation.pk,
        "reply_id": reply.pk,
        "label_id": label.pk,
        "case_id": case.pk,
        "entry_id": first.pk,
        "attachment_id": attachment.pk,
        "template_id": template.pk,
        "plan_id": plan.pk,
        "goal_id": goal.pk,
        "review_id": review.pk,
        "meeting_id": meeting.pk,
        "item_id": item.pk,
        "notice_id": notice.pk,
        "category_id": category.pk,
        "data_kind": "conversation",  # a kind of data with a retention rule
        "what": "sperre",  # a legal hold: placed on the case, or the one to lift
        "lock_id": hold.pk,
        "request_id": subject_request.pk,
        # consent: a kind recorded on case files; its version 1 is Hafen's default text
        "kind": "dokumentation",
        "number": 1,
        # public communication: a post of the comms staff, approved and on the news page
        "org_slug": org.slug,
        "post_id": post.pk,
        "image_id": post.images.get().pk,
        "delivery_id": post.deliveries.get().pk,
        "channel_id": post.deliveries.get().channel_id,
        # the strategy: a section of the draft (``number`` above is also its version 1)
        "section": "ziele",
        # the partner network: the counsellor's partner, event and a referral in the case
        "partner_id": partner.pk,
        "contact_id": contact.pk,
        "agreement_id": agreement.pk,
        "event_id": network_event.pk,
        "referral_id": referral.pk,
        "feed_token": network_actions.renew_feed_token(users["volunteer"]),
        "subscriber_id": subscriber.pk,
        # figures: a page and one of its tables
        "slug": "erreichbarkeit",
        "key": "reachability_teams",
    }
    return {
        "kwargs": kwargs,
        STREETWORK: {
            **kwargs,
            "conversation_id": street_door.conversation.pk,
            "seq": street_posted.message.seq,
        },
        "handover_token": handover.token,
        "newsletter_tokens": {
            "publishing:newsletter_confirm": newsletter.link_token(subscriber, "confirm"),
            "publishing:newsletter_unsubscribe": newsletter.link_token(subscriber, "unsubscribe"),
        },
        "browsers": {
            "anonymous": Client(),
            "client": door.browser,
            "other_client": other_door.browser,
            "outsider": login_client(outsider),
            **{persona: login_client(user) for persona, user in users.items()},
        },
        "roles": {
            "outsider": roles_of(outsider),
            **{persona: roles_of(user) for persona, user in users.items()},
        },
    }


# --- requests and what came back ------------------------------------------------------


def _url(route: Route, world: dict[str, Any], variant: str) -> str:
    kwargs = dict(world[variant or "kwargs"])
    if route.name == "bridge:landing":
        kwargs["token"] = world["handover_token"]
    if route.name in world["newsletter_tokens"]:
        kwargs["token"] = world["newsletter_tokens"][route.name]
    return reverse(route.name, kwargs={name: kwargs[name] for name in route.parameters})


# Forms whose object comes in the POST body rather than the URL.
POST_DATA = {
    "cases:link_conversation": "case_id",
    "cases:unlink_conversation": "case_id",
}


def _request(browser: Client, route: Route, world: dict[str, Any], variant: str) -> Any:
    """GET, or for a form's target a POST with no data; rolled back afterwards, so that
    one persona's deleting or taking over does not change what the next one meets."""
    url = _url(route, world, variant)
    with transaction.atomic():
        response = browser.get(url)
        if response.status_code == 405:
            field = POST_DATA.get(route.name)
            data = {field.removesuffix("_id"): world["kwargs"][field]} if field else {}
            response = browser.post(url, data)
        transaction.set_rollback(True)
    return response


LOGIN = "/konto/anmelden/"


# Who passes the object check of an OBJECT URL with the sample objects: the conversation,
# case, plan and meeting belong to Jugendberatung, where only the counsellor works; the
# notice is the DPO's; the role page is the DPO's.
HOLDERS = {"home:role": {"dpo"}, "cases:notice_read": {"dpo"}}
DEFAULT_HOLDERS = {"counsellor"}
# URLs of a conversation are requested a second time with a conversation of Streetwork,
# where the volunteer works too: volunteers read, take, label and close their team's
# conversations, but write no internal notes, transfer or assign nothing, and see no
# case files (the demo organisation does not let volunteers see cases).
STREETWORK = "streetwork"
NOT_FOR_VOLUNTEERS = {"cases:link_conversation", "cases:unlink_conversation"}
# These refuse a volunteer on the conversation page itself, with a message: a redirect
# back to the conversation, as for a counsellor's empty form. The matrix only checks it
# is nothing worse; conversations/tests/test_inbox_access.py checks the refusal.
REFUSED_IN_PAGE = {"conversations:add_note", "conversations:transfer", "conversations:assign"}
# Public URLs that send a browser to the login: the second login step without a first
# one, and logging out.
TO_LOGIN = {"accounts:login_code", "accounts:logout"}
# Where a view answers "not for you" with a redirect instead of 403/404.
BOUNCES = {"home:role": "/start/", "cases:new": "/faelle/"}
# The client door sends a browser without a conversation to the page for the return code.
RETURN_PAGE = "/zurueck/"


def outcome(route: Route, response: Any) -> str:
    """``allowed``, ``refused`` (400: past the door, the empty form refused), ``back`` (sent
    back to the conversation page), ``login`` (sent to the login), ``denied`` (403/404 or
    a declared redirect away), or the status."""
    status = response.status_code
    location = response.get("Location", "")
    if status in (301, 302, 303):
        if location.startswith(LOGIN):
            return "login"
        if location in (BOUNCES.get(route.name), RETURN_PAGE):
            return "denied"
        if route.name in REFUSED_IN_PAGE and re.fullmatch(r"/posteingang/\d+/", location):
            return "back"
    if 200 <= status < 400:
        return "allowed"
    if status == 400:
        return "refused"
    if status in (403, 404):
        return "denied"
    return str(status)


ALLOWED = {"allowed", "refused", "back"}


def _holders(route: Route, variant: str) -> set[str]:
    if variant == STREETWORK and route.name not in NOT_FOR_VOLUNTEERS:
        return {"counsellor", "volunteer"}
    return HOLDERS.get(route.name, DEFAULT_HOLDERS)


def expected(route: Route, variant: str, persona: str, roles: set[str]) -> set[str]:
    """The outcomes the declared rule permits for ``persona`` (who holds ``roles``)."""
    rule = RULES[route.name]
    if rule == PUBLIC:
        return {"login"} if route.name in TO_LOGIN else ALLOWED
    if rule == CLIENT_SESSION:
        own = persona == "client" or (persona == "other_client" and not route.parameters)
        return ALLOWED if own else {"denied"}
    if persona in CLIENTS:
        return {"login"}
    if rule == STAFF:
        return ALLOWED
    foreign_object = persona == "outsider" and bool(route.parameters)
    if rule == OBJECT:
        if persona == "volunteer" and variant == STREETWORK and route.name in REFUSED_IN_PAGE:
            return {"back"}
        return ALLOWED if persona in _holders(route, variant) else {"denied"}
    assert rule.kind == "role", rule
    return ALLOWED if rule.roles & roles and not foreign_object else {"denied"}


def _reveals_foreign_id(route: Route, persona: str, response: Any) -> bool:
    """Staff of another organisation get 404 for the ids of this one, not 403."""
    foreign = persona == "outsider" and bool(route.parameters) and route.name not in BOUNCES
    return foreign and response.status_code == 403


CASES = [(route, "") for route in ROUTES] + [
    (route, STREETWORK) for route in ROUTES if "conversation_id" in route.parameters
]


@pytest.mark.parametrize(
    ("route", "variant"),
    CASES,
    ids=[f"{route.name}@{variant}" if variant else route.name for route, variant in CASES],
)
def test_every_persona_meets_the_declared_rule(route, variant, world):
    rule: Rule | None = RULES.get(route.name)
    if rule is None:
        pytest.fail(f"{route.name} has no rule in url_access.RULES")
    seen, wrong = {}, {}
    for persona in PERSONAS:
        response = _request(world["browsers"][persona], route, world, variant)
        seen[persona] = got = outcome(route, response)
        if got not in expected(route, variant, persona, world["roles"].get(persona, set())):
            wrong[persona] = f"{response.status_code} {response.get('Location', '')}".strip()
        elif _reveals_foreign_id(route, persona, response):
            wrong[persona] = f"{response.status_code}: another organisation's id must be 404"
    assert not wrong, f"{route.name} is declared {rule}; observed {seen}; wrong: {wrong}"
