"""Cooperation agreements: recorded on the partner's page, reminded once to the responsible
person before their review date (the daily task, like plan reviews), shown on the start
page; and the network's demo data."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from hafen.network import actions, demo, reminders, tasks
from hafen.network.models import Agreement, Event, Partner, Referral
from hafen.network.tests.conftest import browse, make_partner
from hafen.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db


def _agreement(user, partner, days: int, responsible=None) -> Agreement:
    return actions.create_agreement(
        user,
        partner,
        title="Feste Sprechstunde",
        text="Donnerstags 14 Uhr",
        responsible=responsible or user,
        review_on=timezone.localdate() + timedelta(days=days),
    )


def test_an_agreement_is_recorded_on_the_partners_page(counsellor, leader, outsider) -> None:
    partner = make_partner(counsellor)
    browser = browse(counsellor)
    review = (timezone.localdate() + timedelta(days=90)).isoformat()

    foreign = browser.post(
        f"/netzwerk/partner/{partner.pk}/vereinbarung/",
        {"title": "X", "responsible": outsider.pk, "review_on": review},
    )
    assert foreign.status_code == 400
    assert b"among your colleagues" in foreign.content
    no_date = browser.post(
        f"/netzwerk/partner/{partner.pk}/vereinbarung/",
        {"title": "X", "responsible": leader.pk, "review_on": "bald"},
    )
    assert no_date.status_code == 400 and not Agreement.objects.exists()

    made = browser.post(
        f"/netzwerk/partner/{partner.pk}/vereinbarung/",
        {"title": "Feste Sprechstunde", "text": "", "responsible": leader.pk, "review_on": review},
    )
    assert made.status_code == 302
    agreement = Agreement.objects.get()
    assert agreement.responsible == leader and agreement.organisation_id == partner.organisation_id
    assert b"Feste Sprechstunde" in browser.get(f"/netzwerk/partner/{partner.pk}/").content
    assert AuditEntry.objects.filter(action="network.agreement_created").exists()


def test_the_responsible_person_is_reminded_once_before_the_review(
    counsellor, leader, django_capture_on_commit_callbacks
) -> None:
    leader.email = "leitung@example.org"
    leader.save(update_fields=["email"])
    partner = make_partner(counsellor)
    due = _agreement(counsellor, partner, days=10, responsible=leader)
    overdue = _agreement(counsellor, partner, days=-3)  # a worker that was down catches up
    later = _agreement(counsellor, partner, days=60)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.remind_agreement_reviews.call() == 2
    assert tasks.remind_agreement_reviews.call() == 0  # once only

    assert [message.to for message in mail.outbox] == [["leitung@example.org"]]
    assert partner.name in mail.outbox[0].subject
    assert f"/netzwerk/partner/{partner.pk}/" in mail.outbox[0].body
    reminded = set(
        AuditEntry.objects.filter(action="network.agreement_reminded").values_list(
            "object_id", flat=True
        )
    )
    assert reminded == {str(due.pk), str(overdue.pk)}
    later.refresh_from_db()
    assert later.reminded_at is None

    # The start page lists the person's agreements due.
    page = browse(leader).get("/start/", follow=True)
    assert b"Agreements to review" in page.content and b"Feste Sprechstunde" in page.content

    # A new review date is reminded again.
    actions.update_agreement(
        counsellor,
        due,
        title=due.title,
        text=due.text,
        responsible=leader,
        review_on=timezone.localdate() + timedelta(days=reminders.REMINDER_DAYS - 1),
    )
    assert reminders.send_agreement_reminders() == 1


def test_the_demo_shows_the_network(org) -> None:
    from hafen.cases.demo import create_demo_cases

    create_demo_cases(org)
    partners = demo.create_demo_network(org)

    assert Partner.objects.filter(organisation=org).count() == len(partners) == 3
    assert Event.objects.filter(organisation=org).count() == 2
    referral = Referral.objects.get()
    assert referral.case.pseudonym == "Leon K." and referral.outcome == "accepted"
    assert Agreement.objects.count() == 1
