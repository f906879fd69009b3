"""Leadership and administrators word the ready replies of their organisation."""

from __future__ import annotations

import pytest
from django.test import Client

from hafen.accounts.models import Organisation
from hafen.bridge import replies
from hafen.bridge.models import ReplyText
from hafen.bridge.tests.conftest import english, make_handover
from hafen.conftest import login_client
from hafen.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db

TEXTS = "/uebergaben/antworttexte/"
OWN = (
    "Hallo! Wir vom Beispiel-Träger schreiben hier nicht über Persönliches. "
    "Bitte melde dich in unserem sicheren Chat: {link}"
)


def _save(browser: Client, text: str, channel: str = "whatsapp", variant: str = "standard"):
    return browser.post(TEXTS, {"channel": channel, "variant": variant, "text": text})


@pytest.mark.parametrize("persona", ["leader", "admin_user"])
def test_leadership_and_admins_set_the_reply_a_counsellor_then_gets(
    persona, request, counsellor
) -> None:
    user = request.getfixturevalue(persona)
    browser = login_client(user)
    assert browser.get(TEXTS).status_code == 200

    response = _save(browser, OWN)

    assert response.status_code == 302
    row = ReplyText.objects.get()
    assert (row.channel, row.variant, row.text, row.updated_by) == (
        "whatsapp",
        "standard",
        OWN,
        user,
    )
    entry = AuditEntry.objects.get(action="handover.reply_text_changed")
    assert entry.actor_id == user.pk
    assert entry.details == {"channel": "whatsapp", "variant": "standard", "reset": False}
    assert "sicheren Chat" not in str(entry.details)

    made = make_handover(counsellor, channel="whatsapp")
    assert made.response.context["reply_standard"] == OWN.replace("{link}", made.link)
    # The simple variant and the other channels keep Hafen's text.
    assert made.response.context["reply_simple"] == replies.default_text(
        "whatsapp", "simple"
    ).replace("{link}", made.link)
    other = make_handover(counsellor, channel="sms")
    assert "Beispiel-Träger" not in other.response.context["reply_standard"]


def test_an_empty_text_returns_to_hafens_text(leader) -> None:
    browser = login_client(leader)
    _save(browser, OWN)

    response = _save(browser, "   ")

    assert response.status_code == 302
    assert ReplyText.objects.count() == 0
    entries = AuditEntry.objects.filter(action="handover.reply_text_changed").order_by("seq")
    assert [entry.details["reset"] for entry in entries] == [False, True]


def test_saving_the_same_text_again_changes_and_logs_nothing(leader) -> None:
    browser = login_client(leader)
    _save(browser, OWN)
    _save(browser, OWN)

    assert ReplyText.objects.count() == 1
    assert AuditEntry.objects.filter(action="handover.reply_text_changed").count() == 1


def test_the_page_shows_every_channel_in_both_variants_with_hafens_text(leader) -> None:
    response = english(login_client(leader)).get(TEXTS)

    page = response.content.decode()
    for channel in ("facebook", "instagram", "whatsapp", "email", "sms", "in_person", "other"):
        for variant in ("standard", "simple"):
            assert f'id="text-{channel}-{variant}"' in page
    assert page.count("<textarea") == 14
    assert "Easy German" in page
    assert page.count('id="text-sms-simple-text"') == 1  # unique ids for the labels


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Bitte schreib uns im sicheren Chat.", "The text must contain {link}"),
        ("Hier ist der Link: {Link}", "Only {link} may stand in braces; please correct: {Link}"),
        ("{link} und {url}", "Only {link} may stand in braces; please correct: {url}"),
        ("{link} " + "x" * 1000, "at most 1000 characters"),
    ],
)
def test_a_text_without_a_usable_link_placeholder_is_refused(leader, text, message) -> None:
    browser = english(login_client(leader))
    _save(browser, OWN, channel="sms")

    response = _save(browser, text, channel="sms")

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'href="#text-sms-standard"' in page  # the alert at the top leads to the form
    assert ReplyText.objects.get().text == OWN
    assert AuditEntry.objects.filter(action="handover.reply_text_changed").count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {"channel": "door", "variant": "standard"},
        {"channel": "telegram", "variant": "standard"},
        {"channel": "sms", "variant": "klingonisch"},
        {"variant": "standard"},
        {"channel": ["sms", "email"], "variant": ["simple", "x"]},
    ],
)
def test_an_unknown_channel_or_variant_is_refused(leader, data) -> None:
    response = english(login_client(leader)).post(TEXTS, {**data, "text": OWN})

    assert response.status_code == 400
    assert "This reply text does not exist." in response.content.decode()
    assert ReplyText.objects.count() == 0
    assert not AuditEntry.objects.filter(action="handover.reply_text_changed").exists()


def test_control_characters_are_removed_from_a_text(leader) -> None:
    _save(login_client(leader), "Hallo\x1b \u202eChat: {link}\r\nBis bald")

    assert ReplyText.objects.get().text == "Hallo Chat: {link}\nBis bald"


def test_a_null_character_is_refused(leader) -> None:
    response = _save(english(login_client(leader)), "Hallo\x00 {link}")

    assert response.status_code == 400
    assert "Null characters are not allowed." in response.content.decode()
    assert ReplyText.objects.count() == 0


@pytest.mark.parametrize("persona", ["counsellor", "volunteer", "comms", "dpo"])
def test_other_staff_cannot_change_reply_texts(persona, request) -> None:
    browser = login_client(request.getfixturevalue(persona))

    assert browser.get(TEXTS).status_code == 403
    assert _save(browser, OWN).status_code == 403
    assert ReplyText.objects.count() == 0


def test_an_outsider_changes_only_the_own_organisations_texts(org, outsider, counsellor) -> None:
    browser = login_client(outsider)  # an administrator of another organisation

    assert _save(browser, OWN).status_code == 302

    row = ReplyText.objects.get()
    assert row.organisation == outsider.organisation
    assert row.organisation != Organisation.objects.get(slug="beispiel-traeger")
    made = make_handover(counsellor, channel="whatsapp")
    assert "Beispiel-Träger schreiben" not in made.response.context["reply_standard"]
    assert Client().get(TEXTS).status_code == 302  # anonymous: to the login


def test_the_admin_start_page_links_to_the_reply_texts(admin_user) -> None:
    page = login_client(admin_user).get("/start/admin/").content.decode()
    assert f'href="{TEXTS}"' in page


def test_a_brace_in_an_organisations_text_never_breaks_the_handover(leader, counsellor) -> None:
    ReplyText.objects.create(
        organisation=leader.organisation,
        channel="email",
        variant="simple",
        text="Hallo {0.__class__} %(x)s {link}",
    )
    made = make_handover(counsellor, channel="email")

    assert made.response.context["reply_simple"] == f"Hallo {{0.__class__}} %(x)s {made.link}"
