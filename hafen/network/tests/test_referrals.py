"""Referrals from a case file: never without the client's standing consent, recorded in
the same form if needed, sealed with the case's key, shown in the case history, access
as the case's, outcomes later; and the counts per partner and month for the figures."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from hafen.accounts.models import Team
from hafen.cases import actions as case_actions
from hafen.cases.models import Case, Disclosure
from hafen.cases.tests.conftest import make_counsellor, open_case
from hafen.network import actions, queries
from hafen.network.models import Referral, ReferralOutcome
from hafen.network.tests.conftest import browse, make_partner
from hafen.privacy.consent import actions as consent_actions
from hafen.privacy.consent.models import ConsentKind, ConsentRecord
from hafen.privacy.models import AuditEntry
from hafen.privacy.retention import actions as retention_actions

pytestmark = pytest.mark.django_db

SECRET = "Schulden bei zwei Mobilfunkanbietern, 2.300 Euro"


def _consent(user, case, days_ago: int = 3) -> ConsentRecord:
    return consent_actions.record_consent(
        user,
        ConsentKind.REFERRAL,
        case,
        method="written",
        given_on=timezone.localdate() - timedelta(days=days_ago),
    )


def _form(partner, **extra) -> dict[str, object]:
    return {
        "partner": partner.pk,
        "referred_on": timezone.localdate().isoformat(),
        "passed_on": SECRET,
        **extra,
    }


def test_a_referral_with_consent_appears_in_the_case_history(counsellor, case, partner) -> None:
    _consent(counsellor, case)
    browser = browse(counsellor)

    form = browser.get(f"/netzwerk/vermittlung/fall/{case.pk}/")
    assert form.status_code == 200
    assert b"consent_method" not in form.content  # the consent stands: not asked again

    response = browser.post(f"/netzwerk/vermittlung/fall/{case.pk}/", _form(partner))
    assert response.status_code == 302
    assert response["Location"] == f"/faelle/{case.pk}/#vermittlungen"

    referral = Referral.objects.get()
    assert referral.partner == partner and referral.team_id == case.team_id
    assert SECRET.encode() not in bytes(referral.passed_on_sealed)  # sealed at rest
    page = browser.get(f"/faelle/{case.pk}/").content.decode()
    assert "Referrals" in page and partner.name in page and SECRET in page
    assert "Open" in page and "consent version 1" in page
    actions_seen = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"network.referred", "case.disclosed"} <= actions_seen
    assert Disclosure.objects.get(case=case).kind == "referral"
    assert SECRET not in str(list(AuditEntry.objects.values_list("details", flat=True)))


def test_without_consent_nothing_is_referred(counsellor, case, partner) -> None:
    browser = browse(counsellor)
    form = browser.get(f"/netzwerk/vermittlung/fall/{case.pk}/")
    assert b"A referral needs the client's consent." in form.content
    assert b'name="consent_method"' in form.content

    response = browser.post(f"/netzwerk/vermittlung/fall/{case.pk}/", _form(partner))

    assert response.status_code == 400
    assert b"Without the client&#x27;s consent there is no referral." in response.content
    assert not Referral.objects.exists() and not ConsentRecord.objects.exists()


def test_the_consent_is_recorded_in_the_same_form(counsellor, case, partner) -> None:
    browser = browse(counsellor)
    response = browser.post(
        f"/netzwerk/vermittlung/fall/{case.pk}/",
        _form(
            partner,
            consent_method="verbal",
            consent_given_on=timezone.localdate().isoformat(),
        ),
    )
    assert response.status_code == 302
    consent = ConsentRecord.objects.get()
    assert (consent.method, consent.version.kind) == ("verbal", ConsentKind.REFERRAL)
    assert Referral.objects.get().consent == consent


def test_a_refused_referral_records_no_consent_either(counsellor, case, partner) -> None:
    browser = browse(counsellor)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    later = browser.post(
        f"/netzwerk/vermittlung/fall/{case.pk}/",
        _form(partner, consent_method="written", consent_given_on=tomorrow),
    )
    empty = browser.post(
        f"/netzwerk/vermittlung/fall/{case.pk}/",
        _form(
            partner,
            passed_on="  ",
            consent_method="written",
            consent_given_on=timezone.localdate().isoformat(),
        ),
    )
    before = browser.post(
        f"/netzwerk/vermittlung/fall/{case.pk}/",
        _form(
            partner,
            referred_on=(timezone.localdate() - timedelta(days=5)).isoformat(),
            consent_method="written",
            consent_given_on=timezone.localdate().isoformat(),
        ),
    )
    assert later.status_code == empty.status_code == before.status_code == 400
    assert b"The date cannot be in the future." in later.content
    assert b"Please fill in: What was passed on." in empty.content
    assert b"cannot be dated before the consent was given" in before.content
    assert not Referral.objects.exists() and not ConsentRecord.objects.exists()


def test_a_withdrawn_consent_stops_referrals(counsellor, case, partner) -> None:
    _consent(counsellor, case)
    consent_actions.withdraw_consent(
        counsellor, ConsentKind.REFERRAL, case, withdrawn_on=timezone.localdate()
    )
    with pytest.raises(ValidationError, match="has not consented"):
        actions.refer(counsellor, case, partner, passed_on=SECRET, referred_on=timezone.localdate())
    page = browse(counsellor).get(f"/netzwerk/vermittlung/fall/{case.pk}/")
    assert b"withdrawn on" in page.content and b'name="consent_method"' in page.content
    assert not Referral.objects.exists()


def test_partners_of_another_organisation_cannot_be_chosen(counsellor, case, outsider) -> None:
    _consent(counsellor, case)
    foreign = make_partner(outsider, "Fremde Beratung")
    response = browse(counsellor).post(f"/netzwerk/vermittlung/fall/{case.pk}/", _form(foreign))
    assert response.status_code == 400
    assert b"Please choose a partner organisation of the list." in response.content
    assert not Referral.objects.exists()


def test_only_who_may_write_the_case_refers(
    counsellor, case, partner, leader, volunteer, outsider
) -> None:
    _consent(counsellor, case)
    other = make_counsellor("schuldnerberatung", "kai", "Kai Brandt")
    referral = actions.refer(
        counsellor, case, partner, passed_on=SECRET, referred_on=timezone.localdate()
    )
    for person in (other, leader, volunteer, outsider):
        browser = browse(person)
        assert browser.get(f"/netzwerk/vermittlung/fall/{case.pk}/").status_code == 404
        assert (
            browser.post(f"/netzwerk/vermittlung/fall/{case.pk}/", _form(partner)).status_code
            == 404
        )
        assert (
            browser.post(
                f"/netzwerk/vermittlung/{referral.pk}/ergebnis/", {"outcome": "declined"}
            ).status_code
            == 404
        )
    assert Referral.objects.count() == 1
    assert Referral.objects.get().outcome == ReferralOutcome.OPEN


def test_a_restricted_case_takes_no_referral(counsellor, case, partner, dpo) -> None:
    _consent(counsellor, case)
    referral = actions.refer(
        counsellor, case, partner, passed_on=SECRET, referred_on=timezone.localdate()
    )
    retention_actions.restrict_processing(dpo, case, "Die Klientin bestreitet die Richtigkeit.")
    browser = browse(counsellor)
    outcome_url = f"/netzwerk/vermittlung/{referral.pk}/ergebnis/"
    accepted = {"outcome": "accepted", "outcome_on": timezone.localdate().isoformat()}

    # Without the reasoned step: to the form that asks for the purpose.
    asked = browser.get(f"/netzwerk/vermittlung/fall/{case.pk}/")
    assert asked.status_code == 302 and "/datenschutz/" in asked["Location"]
    # With it: read, but never write (Art. 18 DSGVO).
    retention_actions.open_restricted(counsellor, case, "Rechtsanspruch der Klientin prüfen")
    assert browser.get(f"/netzwerk/vermittlung/fall/{case.pk}/").status_code == 403
    assert browser.post(f"/netzwerk/vermittlung/fall/{case.pk}/", _form(partner)).status_code == 403
    assert browser.post(outcome_url, accepted).status_code == 403
    page = browser.get(f"/faelle/{case.pk}/").content.decode()
    assert SECRET in page and "Record the outcome" not in page
    assert Referral.objects.count() == 1
    assert Referral.objects.get().outcome == ReferralOutcome.OPEN


def test_the_outcome_is_recorded_later(counsellor, case, partner) -> None:
    _consent(counsellor, case, days_ago=10)
    referral = actions.refer(
        counsellor,
        case,
        partner,
        passed_on=SECRET,
        referred_on=timezone.localdate() - timedelta(days=7),
    )
    browser = browse(counsellor)
    url = f"/netzwerk/vermittlung/{referral.pk}/ergebnis/"

    no_date = browser.post(url, {"outcome": "accepted", "outcome_on": ""})
    too_early = browser.post(
        url,
        {
            "outcome": "accepted",
            "outcome_on": (timezone.localdate() - timedelta(days=8)).isoformat(),
        },
    )
    unknown = browser.post(url, {"outcome": "vanished", "outcome_on": ""})
    assert no_date.status_code == too_early.status_code == unknown.status_code == 400
    assert b"Please give the date of the outcome." in no_date.content
    assert b"cannot be dated before the referral" in too_early.content
    assert b"Please choose an outcome of the list." in unknown.content
    referral.refresh_from_db()
    assert referral.outcome == ReferralOutcome.OPEN

    done = browser.post(url, {"outcome": "no_show", "outcome_on": timezone.localdate().isoformat()})
    assert done.status_code == 302
    referral.refresh_from_db()
    assert (referral.outcome, referral.outcome_on) == ("no_show", timezone.localdate())
    assert b"Client did not go" in browser.get(f"/faelle/{case.pk}/").content
    entry = AuditEntry.objects.get(action="network.referral_outcome")
    assert entry.details["outcome"] == "no_show"


def test_erasing_the_case_takes_its_referrals_along(counsellor, case, partner) -> None:
    _consent(counsellor, case)
    actions.refer(counsellor, case, partner, passed_on=SECRET, referred_on=timezone.localdate())
    case_actions.erase_case(Case.objects.get(pk=case.pk))
    assert not Referral.objects.exists()
    assert partner.referrals.count() == 0


# -- figures -----------------------------------------------------------------------------


def _refer_on(user, case, partner, day: date) -> Referral:
    referral = actions.refer(user, case, partner, passed_on="x", referred_on=timezone.localdate())
    Referral.objects.filter(pk=referral.pk).update(referred_on=day)
    return referral


def test_referral_counts_per_partner_and_month(counsellor, org, outsider) -> None:
    youth = Team.objects.get(slug="jugendberatung")
    street = Team.objects.get(slug="streetwork")
    leon = open_case(counsellor, youth, pseudonym="Leon K.")
    mo = open_case(counsellor, street, pseudonym="Mo")
    for case in (leon, mo):
        _consent(counsellor, case, days_ago=0)
    debt = make_partner(counsellor, "Schuldnerberatung")
    jobs = make_partner(counsellor, "Jobcenter")
    _refer_on(counsellor, leon, debt, date(2026, 3, 2))
    _refer_on(counsellor, leon, debt, date(2026, 3, 31))
    _refer_on(counsellor, mo, debt, date(2026, 3, 15))
    _refer_on(counsellor, mo, jobs, date(2026, 3, 15))
    _refer_on(counsellor, leon, jobs, date(2026, 4, 1))
    _refer_on(counsellor, leon, jobs, date(2026, 5, 1))  # after the period
    _refer_on(counsellor, leon, jobs, date(2026, 2, 28))  # before it
    # Another organisation's referrals count for it only.
    foreign_case = open_case(outsider, Team.objects.get(slug="suchtberatung"), pseudonym="X")
    _consent(outsider, foreign_case, days_ago=0)
    _refer_on(outsider, foreign_case, make_partner(outsider, "Anderswo"), date(2026, 3, 10))

    counted = queries.referral_counts(org, date(2026, 3, 1), date(2026, 4, 30))
    assert [(partner.name, month, count) for partner, month, count in counted] == [
        ("Jobcenter", date(2026, 3, 1), 1),
        ("Schuldnerberatung", date(2026, 3, 1), 3),
        ("Jobcenter", date(2026, 4, 1), 1),
    ]
    by_team = queries.referral_counts(org.pk, date(2026, 3, 1), date(2026, 4, 30), team=street)
    assert [(partner.name, month, count) for partner, month, count in by_team] == [
        ("Jobcenter", date(2026, 3, 1), 1),
        ("Schuldnerberatung", date(2026, 3, 1), 1),
    ]
    assert queries.referral_counts(org, date(2026, 4, 30), date(2026, 3, 1)) == []
    assert queries.referral_counts(org, date(2025, 1, 1), date(2025, 12, 31)) == []


def test_a_conversation_linked_to_a_case_leads_to_its_referral(
    counsellor, case, during_office_hours
) -> None:
    from hafen.cases import actions as case_actions
    from hafen.conversations.tests.conftest import start_conversation

    door = start_conversation("jugendberatung")
    page = f"/posteingang/{door.conversation.pk}/"
    referral_url = f"/netzwerk/vermittlung/fall/{case.pk}/"
    assert referral_url not in browse(counsellor).get(page).content.decode()  # not linked yet

    case_actions.link_conversation(counsellor, case, door.conversation)

    assert referral_url in browse(counsellor).get(page).content.decode()
    assert browse(counsellor).get(referral_url).status_code == 200
