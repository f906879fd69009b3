"""The ready reply a counsellor pastes into the social network, per channel and variant.

Organisations may word it themselves (``ReplyText``); without that, the defaults here
apply. The texts go to clients, not to the counsellor: the standard variant is
rendered in the installation's language (``settings.LANGUAGE_CODE``, German), the easy
variant in Easy German (``languages.EASY_GERMAN``, Einfache Sprache), whatever language
the counsellor's own interface uses. The easy variant has msgids of its own, written
by its rules (one statement per line, short common words, no subordinate clauses) and
marked with the context "easy language", so that it stays easy even where a catalogue
falls back to plain German.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.utils.translation import gettext, override, pgettext

from hafen import languages
from hafen.accounts.models import Organisation
from hafen.bridge.models import LINK_PLACEHOLDER, ReplyText, Variant
from hafen.conversations.models import Origin

SOCIAL_NETWORKS = frozenset({Origin.FACEBOOK, Origin.INSTAGRAM, Origin.WHATSAPP})
# Anything in braces other than {link} is a mistyped placeholder (say {Link} or {url}).
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _standard(channel: str) -> str:
    if channel in SOCIAL_NETWORKS:
        return gettext(
            "Hello, thank you for writing to us. What you tell us is personal, and "
            "%(channel)s is not a safe place for it: the company behind it collects data "
            "about you and about whom you talk to. So we would like to continue in our own "
            "chat. It runs on our own server, and you need no name, no phone number and no "
            "app. This link opens a new conversation with our team. It works only once: "
            "{link}"
        ) % {"channel": Origin(channel).label}
    if channel == Origin.EMAIL:
        return gettext(
            "Hello,\n\nthank you for your e-mail. E-mails can be read on their way and stay "
            "stored in many places, so they are not a good place for personal matters. "
            "Please continue with us in our secure chat: it runs on our own server, and you "
            "need no name, no phone number and no app. This link opens a new conversation "
            "with our team and works only once:\n\n{link}\n\nKind regards"
        )
    if channel == Origin.SMS:
        return gettext(
            "Thank you for your message. For your privacy, please write to us in our secure "
            "chat. No name and no app needed. The link works once: {link}"
        )
    if channel == Origin.IN_PERSON:
        return gettext(
            "You can write to us whenever you like, without giving your name, in our secure "
            "chat. It needs no app and no phone number. This link (or the QR code) opens a "
            "new conversation with our team and works only once: {link}"
        )
    return gettext(
        "Hello, thank you for contacting us. So that what you tell us stays private, we "
        "would like to continue in our own secure chat. It runs on our own server, and you "
        "need no name, no phone number and no app. This link opens a new conversation with "
        "our team and works only once: {link}"
    )


def _simple(channel: str) -> str:
    if channel in SOCIAL_NETWORKS:
        return pgettext(
            "easy language",
            "Hello!\nThank you for your message.\nPlease do not write personal things here "
            "on %(channel)s.\nThat is not safe.\nWe have our own chat.\nOur chat is safe.\n"
            "You do not need a name.\nYou do not need an app.\nTap on this link:\n{link}\n"
            "The link works only one time.",
        ) % {"channel": Origin(channel).label}
    if channel == Origin.EMAIL:
        return pgettext(
            "easy language",
            "Hello!\nThank you for your e-mail.\nE-mails are not safe for personal things.\n"
            "We have our own chat.\nOur chat is safe.\nYou do not need a name.\n"
            "Click on this link:\n{link}\nThe link works only one time.",
        )
    if channel == Origin.SMS:
        return pgettext(
            "easy language",
            "Thank you for your message.\nPlease write to us in our safe chat.\n"
            "You do not need a name.\nThe link works one time:\n{link}",
        )
    if channel == Origin.IN_PERSON:
        return pgettext(
            "easy language",
            "You can write to us.\nIn our safe chat.\nYou do not need a name.\n"
            "You do not need an app.\nHere is the link:\n{link}\nThe link works only one time.",
        )
    return pgettext(
        "easy language",
        "Hello!\nThank you for your message.\nWe want to talk with you in a safe place.\n"
        "We have our own chat.\nOur chat is safe.\nYou do not need a name.\n"
        "Tap on this link:\n{link}\nThe link works only one time.",
    )


def default_text(channel: str, variant: str) -> str:
    """The built-in text with the ``{link}`` placeholder, in the clients' language."""
    if variant == Variant.SIMPLE:
        with override(languages.EASY_GERMAN):
            return _simple(channel)
    with override(settings.LANGUAGE_CODE):
        return _standard(channel)


def stored_texts(organisation_id: int) -> dict[tuple[str, str], ReplyText]:
    """The organisation's own wordings by (channel, variant), in one query."""
    return {
        (row.channel, row.variant): row
        for row in ReplyText.objects.filter(organisation_id=organisation_id).select_related(
            "updated_by"
        )
    }


def fill(template: str, link: str) -> str:
    # str.replace, not str.format: a stray brace in an organisation's text must not
    # turn into an error or reach into Python objects.
    return template.replace(LINK_PLACEHOLDER, link)


def replies_for(organisation: Organisation, channel: str, link: str) -> dict[str, str]:
    """Both variants of the reply for this channel, with the link filled in."""
    stored = stored_texts(organisation.pk)
    result = {}
    for variant in Variant:
        row = stored.get((channel, variant.value))
        template = row.text if row is not None else default_text(channel, variant.value)
        result[variant.value] = fill(template, link)
    return result


def placeholder_problems(text: str) -> list[str]:
    """Placeholders in ``text`` that are not ``{link}`` (typos the link would miss)."""
    return [found for found in PLACEHOLDER.findall(text) if found != LINK_PLACEHOLDER]
