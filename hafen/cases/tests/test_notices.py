"""Notices on the start page: the data-protection officer sees each emergency access to
case files with who, which case and the reason given, and marks it read; nobody else
can read or dismiss that notice."""

from __future__ import annotations

import pytest

from hafen.cases import actions
from hafen.cases.models import Notice
from hafen.conftest import login_client

pytestmark = pytest.mark.django_db

REASON = "Vertretung: Krisenanruf der Mutter am Wochenende"


def test_the_dpo_reads_an_emergency_access_on_the_start_page_and_marks_it_read(
    case, other_team, dpo, counsellor
) -> None:
    actions.break_glass_case(other_team, case.reference, REASON, minutes=30)
    page_url = "/start/dpo/"
    officer = login_client(dpo)

    page = officer.get(page_url).content.decode()

    assert "Notfallzugriff auf Fallakten" in page  # German, the default language
    assert str(other_team) in page and case.reference in page and REASON in page
    notice = Notice.objects.get(recipient=dpo)
    # The counsellor who opened the case never sees the DPO's notice, nor can dismiss it.
    own = login_client(counsellor)
    assert REASON not in own.get("/start/counsellor/").content.decode()
    refused = own.post(f"/faelle/hinweise/{notice.pk}/gelesen/", {"next": page_url})
    assert refused.status_code == 404
    notice.refresh_from_db()
    assert notice.read_at is None

    done = officer.post(f"/faelle/hinweise/{notice.pk}/gelesen/", {"next": page_url})

    assert done.status_code == 302 and done["Location"] == page_url
    notice.refresh_from_db()
    assert notice.read_at is not None
    assert REASON not in officer.get(page_url).content.decode()


def test_the_way_back_after_marking_read_stays_on_this_site(case, other_team, dpo) -> None:
    actions.break_glass_case(other_team, case.reference, REASON, minutes=30)
    notice = Notice.objects.get(recipient=dpo)

    response = login_client(dpo).post(
        f"/faelle/hinweise/{notice.pk}/gelesen/", {"next": "https://evil.example/"}
    )

    assert response.status_code == 302 and response["Location"] == "/start/"
