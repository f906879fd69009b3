"""A counsellor's day with a case file in a real browser (Debian's chromium, Playwright).

Open the case, write an entry from a template, correct it (the old wording stays in
the history), attach a photo, and download the PDF; on a phone-sized screen too.
The watcher fails the test on CSP violations, console errors, failed requests and
requests to other hosts.
"""

from __future__ import annotations

import io

import pytest
from PIL import Image

from hafen.browser_fixtures import (
    logged_in,
    path_of,
    require_chromium,
    screenshot,
    submit,
)
from hafen.cases import actions
from hafen.cases.models import CaseAttachment, CaseEntryVersion, EntryKind, TemplateKind
from hafen.cases.tests.test_pdf import pdf_text

require_chromium()

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 375, "height": 667}


@pytest.mark.parametrize("screen", [None, PHONE], ids=["desktop", "phone"])
def test_a_counsellor_writes_corrects_attaches_and_exports(
    browser, live_server, case, counsellor, leader, tmp_path, screen
) -> None:
    actions.create_template(
        leader,
        kind=TemplateKind.ENTRY,
        title="Hausbesuch",
        body="Anlass:\nEindruck:",
        entry_kind=EntryKind.HOME_VISIT,
    )
    watched = logged_in(browser, live_server.url, counsellor.username, viewport=screen)
    page = watched.page
    base = live_server.url

    page.goto(f"{base}/faelle/")
    page.click(f"a[href='/faelle/{case.pk}/']")
    assert path_of(page) == f"/faelle/{case.pk}/"

    # An entry from the template, without any script: the link reloads the form filled.
    page.click(f"a[href='/faelle/{case.pk}/eintrag/']")
    page.get_by_role("link", name="Hausbesuch").click()
    page.wait_for_load_state("networkidle")
    text = page.locator("textarea[name=text]")
    assert text.input_value() == "Anlass:\nEindruck:"
    assert page.locator("select[name=kind]").input_value() == "home_visit"
    text.fill("Anlass: Hausbesuch.\nEindruck: <b>aufgeräumt</b>")
    submit(page, "#eintrag-formular button[type=submit]")
    assert path_of(page) == f"/faelle/{case.pk}/"
    assert page.get_by_text("Eindruck: <b>aufgeräumt</b>").is_visible()
    written = case.entries.get(kind=EntryKind.HOME_VISIT)

    # A correction: the new wording shows, the old one stays in the history.
    page.click(f"a[href='/faelle/eintrag/{written.pk}/korrigieren/']")
    page.fill("textarea[name=text]", "Anlass: Hausbesuch.\nEindruck: ordentlich.")
    page.fill("textarea[name=reason]", "Wortwahl")
    submit(page, "main form button[type=submit]")
    assert page.get_by_text("Eindruck: ordentlich.").is_visible()
    page.click(f"#eintrag-{written.pk} a[href='/faelle/eintrag/{written.pk}/versionen/']")
    assert page.get_by_text("Eindruck: <b>aufgeräumt</b>").is_visible()
    assert page.get_by_text("Wortwahl").is_visible()
    assert CaseEntryVersion.objects.filter(entry=written).count() == 2

    # A photo on the entry, afterwards.
    page.goto(f"{base}/faelle/{case.pk}/#eintrag-{written.pk}")
    page.click(f"#eintrag-{written.pk} a[href='/faelle/eintrag/{written.pk}/anhang/']")
    photo = tmp_path / "foto.png"
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, "PNG")
    photo.write_bytes(buffer.getvalue())
    page.set_input_files("input[name=attachment]", str(photo))
    submit(page, "main form button[type=submit]")
    assert CaseAttachment.objects.filter(entry=written).count() == 1
    assert page.get_by_role("link", name="foto.png").is_visible()

    screenshot(page, f"case-file-{'phone' if screen else 'desktop'}.png", full_page=True)

    # The PDF, downloaded.
    page.click(f"a[href='/faelle/{case.pk}/export/']")
    with page.expect_download() as download_info:
        page.click("main form button[type=submit]")
    download = download_info.value
    assert download.suggested_filename == f"{case.reference}.pdf"
    data = download.path().read_bytes()
    printed = pdf_text(data)
    assert "Eindruck: ordentlich." in printed and "Leon Krause" in printed

    # A form answered with a download ends its navigation: the browser calls that aborted.
    watched.assert_clean(expected=[rf"request failed: POST .*/faelle/{case.pk}/export/ .*ABORTED"])
    watched.context.close()
