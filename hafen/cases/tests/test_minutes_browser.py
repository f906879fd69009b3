"""Minutes in a real browser: a case conference written from a template, naming a case by
its file number, an action item for a colleague, and the colleague ticking it off in
the to-do list on the start page. On a phone-sized screen, watched for CSP
violations, console errors and failed or foreign requests.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from hafen.browser_fixtures import (
    Watched,
    logged_in,
    require_chromium,
    screenshot,
    submit,
)
from hafen.cases import actions
from hafen.cases.models import ActionItem, Meeting, TemplateKind
from hafen.cases.validation import today

require_chromium()

from playwright.sync_api import Browser, expect  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 740}


@pytest.fixture
def phone(browser: Browser, live_server, counsellor) -> Iterator[Watched]:
    """The counsellor, logged in on a phone-sized screen."""
    watched = logged_in(browser, live_server.url, counsellor.username, viewport=PHONE)
    yield watched
    watched.context.close()


def test_minutes_from_a_template_and_an_action_item_ticked_off_in_the_to_do_list(
    live_server, browser: Browser, phone: Watched, case, counsellor, colleague, admin_user
) -> None:
    template = actions.create_template(
        admin_user, kind=TemplateKind.MINUTES, title="Fallbesprechung", body="1. Fälle\n2. Termine"
    )
    base, page = live_server.url, phone.page
    page.goto(f"{base}/faelle/besprechungen/")
    submit(page, 'a[href="/faelle/besprechungen/neu/"]')
    submit(page, f'a[href="?vorlage={template.pk}"]')
    expect(page.locator("#id_agenda")).to_have_value("1. Fälle\n2. Termine")
    page.check('input[name="kind"][value="case_conference"]')
    page.fill("#id_held_on", today().isoformat())
    page.check(f'input[name="attendees"][value="{colleague.pk}"]')
    page.check(f'input[name="cases"][value="{case.reference}"]')
    page.fill("#id_decisions", "Schulbegleitung beantragen.")
    submit(page, "main form.stacked button[type=submit]")
    meeting = Meeting.objects.get()
    expect(page.locator("main")).to_contain_text(case.reference)
    expect(page.locator("main")).not_to_contain_text(case.pseudonym)

    page.click("#aufgaben summary")
    page.fill("#id_text", "Antrag an das Jugendamt schicken")
    page.select_option("#id_owner", str(colleague.pk))
    page.fill("#id_due_on", (today() + timedelta(days=3)).isoformat())
    submit(page, "#aufgaben form button[type=submit]")
    item = ActionItem.objects.get(meeting=meeting)
    screenshot(page, "cases-minutes-phone.png", full_page=True)
    phone.assert_clean()

    lena = logged_in(browser, base, colleague.username, viewport=PHONE)
    try:
        lena.page.goto(f"{base}/start/counsellor/")
        todo = lena.page.locator("section[aria-labelledby=todo-panel-heading]")
        expect(todo).to_contain_text("Antrag an das Jugendamt schicken")
        submit(
            lena.page, f'form[action="/faelle/besprechungen/aufgaben/{item.pk}/erledigt/"] button'
        )
        expect(todo).not_to_contain_text("Antrag an das Jugendamt schicken")
        expect(todo).to_contain_text("Nichts zu tun")
        lena.assert_clean()
    finally:
        lena.context.close()
    item.refresh_from_db()
    assert item.done_by == colleague
