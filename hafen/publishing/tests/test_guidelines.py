"""The social-media guidelines: leadership publishes versions, staff acknowledge each,
a notice on the start page until they did, and who has not yet."""

from __future__ import annotations

import pytest

from hafen.accounts.models import User
from hafen.privacy.models import AuditEntry
from hafen.publishing.actions import guidelines
from hafen.publishing.models import GuidelineAcknowledgement, GuidelineVersion
from hafen.publishing.tests.conftest import browser

pytestmark = pytest.mark.django_db
GUIDELINES = "/oeffentlichkeit/leitlinien/"


def test_leadership_starts_from_hafens_text_which_names_the_handover_link(leader):
    english = browser(leader).get(f"{GUIDELINES}neu/").content.decode()
    german = browser(leader, "de").get(f"{GUIDELINES}neu/").content.decode()
    assert "handover link" in english
    assert "Übergabelink" in german


def test_leadership_publishes_immutable_versions(leader):
    staff = browser(leader)
    staff.post(f"{GUIDELINES}neu/", {"text": "Version eins."})
    staff.post(f"{GUIDELINES}neu/", {"text": "Version zwei."})
    same = staff.post(f"{GUIDELINES}neu/", {"text": "Version zwei."})
    assert same.status_code == 400 and "same as the current version" in same.content.decode()
    versions = GuidelineVersion.objects.order_by("number")
    assert [(v.number, v.text) for v in versions] == [(1, "Version eins."), (2, "Version zwei.")]
    with pytest.raises(RuntimeError):
        versions[0].save()
    assert AuditEntry.objects.filter(action="publishing.guidelines_published").count() == 2


@pytest.mark.parametrize("persona", ["comms", "counsellor", "dpo"])
def test_only_leadership_publishes(persona, request):
    response = browser(request.getfixturevalue(persona)).post(f"{GUIDELINES}neu/", {"text": "x"})
    assert response.status_code == 403
    assert not GuidelineVersion.objects.exists()


def test_staff_see_a_notice_until_they_acknowledge_with_one_click(leader, volunteer):
    version = guidelines.publish(leader, "Wir posten nie Namen.")
    staff = browser(volunteer)
    start = staff.get("/start/", follow=True).content.decode()
    assert "waiting for your acknowledgement" in start

    staff.post(f"{GUIDELINES}bestaetigen/", {"version": version.pk})
    staff.post(f"{GUIDELINES}bestaetigen/", {"version": version.pk})  # double click

    assert GuidelineAcknowledgement.objects.filter(user=volunteer).count() == 1
    assert (
        "waiting for your acknowledgement" not in staff.get("/start/", follow=True).content.decode()
    )
    assert "You have acknowledged this version." in staff.get(GUIDELINES).content.decode()

    guidelines.publish(leader, "Wir posten nie Namen, auch keine Spitznamen.")
    assert "waiting for your acknowledgement" in staff.get("/start/", follow=True).content.decode()


def test_acknowledging_an_old_version_is_refused(leader, comms):
    old = guidelines.publish(leader, "Alt.")
    guidelines.publish(leader, "Neu.")
    response = browser(comms).post(f"{GUIDELINES}bestaetigen/", {"version": old.pk}, follow=True)
    assert "A newer version of the guidelines was published" in response.content.decode()
    assert not GuidelineAcknowledgement.objects.exists()


def test_leadership_sees_who_has_not_acknowledged_yet(leader, comms, counsellor):
    version = guidelines.publish(leader, "Regeln.")
    guidelines.acknowledge(comms, version.pk)
    page = browser(leader).get(f"{GUIDELINES}offen/").content.decode()
    missing = page.split("Not acknowledged yet")[1].split("Acknowledged")[0]
    assert "Jonas Weber" in missing and "Mira Schulz" not in missing
    assert "Mira Schulz" in page.split("Not acknowledged yet")[1].split("Acknowledged")[1]


def test_the_guidelines_of_another_organisation_stay_there(leader, outsider):
    guidelines.publish(leader, "Nur für Beispiel-Träger.")
    page = browser(outsider).get(GUIDELINES).content.decode()
    assert "Nur für Beispiel-Träger." not in page
    version = GuidelineVersion.objects.get()
    browser(outsider).post(f"{GUIDELINES}bestaetigen/", {"version": version.pk})
    assert not GuidelineAcknowledgement.objects.exists()


def test_comms_start_page_shows_posts_and_leadership_sees_what_waits(comms, leader, news):
    from hafen.publishing.tests.conftest import submitted

    post = submitted(comms, title="Bitte freigeben")
    leader_page = browser(leader).get("/start/leadership/").content.decode()
    assert "Waiting for your approval" in leader_page and "Bitte freigeben" in leader_page
    comms_page = browser(comms).get("/start/communications/").content.decode()
    assert "Write a new post" in comms_page and f"/oeffentlichkeit/{post.pk}/" not in comms_page


def test_the_demo_shows_every_part(org):
    from hafen.publishing.demo import create_demo_publishing
    from hafen.publishing.models import Campaign, Post, PostState

    create_demo_publishing(org)
    states = set(Post.objects.values_list("state", flat=True))
    assert {PostState.DRAFT, PostState.SUBMITTED, PostState.APPROVED} <= states
    assert Post.objects.on_news_page(org.pk).count() == 1
    assert Campaign.objects.filter(organisation=org).exists()
    assert GuidelineVersion.objects.filter(organisation=org).count() == 1
    assert User.objects.get(
        username="oeffentlichkeit"
    ).pk in GuidelineAcknowledgement.objects.values_list("user_id", flat=True)
