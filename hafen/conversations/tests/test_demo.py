"""`hafen demo` shows the client door and the inbox with conversations to look at."""

from __future__ import annotations

import re
from io import StringIO

from django.core.management import call_command
from django.test import Client

from hafen.conftest import login_client
from hafen.conversations.models import Conversation, Origin
from hafen.privacy import audit


def test_the_demo_has_conversations_a_client_can_reopen_and_a_counsellor_reads(db) -> None:
    out = StringIO()
    call_command("demo", stdout=out)

    printed = out.getvalue()
    codes = re.findall(r"^  \S+\s+([a-z]+-[a-z]+-[a-z]+-[a-z]+)$", printed, re.MULTILINE)
    assert len(codes) == 3
    assert "/k/jugendberatung/" in printed
    assert Conversation.objects.count() == 3
    assert Conversation.objects.filter(origin=Origin.INSTAGRAM).count() == 1

    client = Client()
    assert client.post("/zurueck/", {"code": codes[0]}).status_code == 302
    assert "Jobcenter" in client.get("/gespraech/").content.decode()

    from hafen.accounts.models import User

    staff = login_client(User.objects.get(username="fachkraft"))
    inbox = staff.get("/posteingang/").content.decode()
    for conversation in Conversation.objects.all():
        assert conversation.pseudonym in inbox
    assert audit.verify().ok

    # Running it again changes nothing.
    call_command("demo", stdout=StringIO())
    assert Conversation.objects.count() == 3
