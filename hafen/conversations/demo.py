"""Demo conversations for trying Hafen out: a door conversation with answers, a new one,
and one that came over the bridge from Instagram. Made through the same actions that
clients and counsellors use, so everything is encrypted and audited as in real life.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from hafen.accounts.models import Organisation, Team, User
from hafen.bridge import actions as bridge_actions
from hafen.conversations import actions
from hafen.conversations.models import Conversation, Origin


@dataclass(frozen=True)
class DemoConversation:
    team_slug: str
    code: str


def demo_conversations_exist(organisation: Organisation) -> bool:
    return Conversation.objects.filter(team__facility__organisation=organisation).exists()


@transaction.atomic
def create_demo_conversations(organisation: Organisation) -> list[DemoConversation]:
    counsellor = User.objects.get(username="fachkraft", organisation=organisation)
    youth = Team.objects.get(slug="jugendberatung", facility__organisation=organisation)
    street = Team.objects.get(slug="streetwork", facility__organisation=organisation)
    made = []

    first = actions.start_conversation(youth, language="de")
    conversation_id = first.conversation.pk
    actions.post_client_message(
        conversation_id,
        "Hallo, ich hab einen Brief vom Jobcenter bekommen und verstehe ihn nicht. "
        "Können Sie mir helfen?",
        "demo-client-0001",
    )
    actions.post_staff_message(
        counsellor,
        conversation_id,
        "Hallo! Schön, dass du schreibst. Ja, das schauen wir uns gemeinsam an. "
        "Du kannst hier ein Foto vom Brief schicken, Ort und Kameradaten werden entfernt.",
    )
    actions.post_client_message(conversation_id, "Okay, mache ich heute Abend.", "demo-client-0002")
    made.append(DemoConversation(youth.slug, first.code))

    second = actions.start_conversation(street, language="de")
    actions.post_client_message(
        second.conversation.pk,
        "Seid ihr morgen am Bahnhof? Ich bräuchte einen Schlafsack.",
        "demo-client-0003",
    )
    made.append(DemoConversation(street.slug, second.code))

    # A first contact on Instagram, moved over the bridge into the youth team.
    handover = bridge_actions.create_handover(
        counsellor, team=youth, channel=Origin.INSTAGRAM, topic="Ausbildung"
    )
    third = bridge_actions.use_handover(handover.token, language="de")
    actions.post_client_message(
        third.conversation.pk,
        "Hi, ich hatte euch auf Instagram geschrieben wegen Ausbildungsplatz.",
        "demo-client-0004",
    )
    made.append(DemoConversation(youth.slug, third.code))
    return made
