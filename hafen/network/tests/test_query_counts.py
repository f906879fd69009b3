"""List pages cost the same number of queries however much they show (no N+1)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hafen.network import actions
from hafen.network.tests.conftest import browse, make_partner
from hafen.privacy.consent import actions as consent_actions
from hafen.privacy.consent.models import ConsentKind

pytestmark = pytest.mark.django_db


def _count(browser, url: str) -> int:
    browser.get(url)  # warm: the session, the language
    with CaptureQueriesContext(connection) as captured:
        assert browser.get(url).status_code == 200
    return len(captured)


def _grow(user, case, number: int) -> None:
    for index in range(number):
        partner = make_partner(user, f"Partner {number}-{index}")
        actions.add_contact(user, partner, name=f"Kontakt {index}")
        actions.refer(
            user, case, partner, passed_on=f"Info {index}", referred_on=timezone.localdate()
        )
        starts = timezone.now() + timedelta(days=index + 1)
        event = actions.create_event(
            user,
            title=f"Treffen {number}-{index}",
            kind="meetup",
            starts_at=starts,
            ends_at=starts + timedelta(hours=1),
        )
        actions.sign_up(user, event)


def test_directory_events_and_case_page_cost_the_same_for_few_or_many(counsellor, case) -> None:
    consent_actions.record_consent(
        counsellor, ConsentKind.REFERRAL, case, method="written", given_on=timezone.localdate()
    )
    browser = browse(counsellor)
    urls = ["/netzwerk/", "/netzwerk/veranstaltungen/", f"/faelle/{case.pk}/"]
    _grow(counsellor, case, 2)
    small = [_count(browser, url) for url in urls]
    _grow(counsellor, case, 10)
    assert [_count(browser, url) for url in urls] == small
