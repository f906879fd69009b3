"""The newsletter through the real stack: the news page's form, the confirmation mail and its
link, approved posts mailed by the worker over a real SMTP server (aiosmtpd), the
unsubscribe link of each mail, and what hostile or repeated requests change (nothing)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from hafen.privacy.models import DataKey
from hafen.publishing import newsletter
from hafen.publishing.actions import delivering
from hafen.publishing.models import (
    Channel,
    ChannelKind,
    DeliveryState,
    NewsletterSend,
    Post,
    PostState,
    Subscriber,
)
from hafen.publishing.tests.conftest import approved, browser, news_channel
from hafen.publishing.tests.smtp import PASSWORD, USER

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

LINK = re.compile(re.escape(settings.HAFEN_BASE_URL) + r"(/n/[^\s>]+/)")


@pytest.fixture
def letter(comms, mailbox) -> Channel:
    """A newsletter set up through the channel pages, as communications staff would."""
    _box, port = mailbox
    client = browser(comms)
    response = client.post(
        "/oeffentlichkeit/kanaele/", {"kind": "newsletter", "name": "Rundbrief"}
    )
    assert response.status_code == 302
    channel = Channel.objects.get(kind=ChannelKind.NEWSLETTER)
    response = client.post(
        f"/oeffentlichkeit/kanaele/{channel.pk}/",
        {
            "name": "Rundbrief",
            "active": "on",
            "konto-host": "127.0.0.1",
            "konto-port": str(port),
            "konto-security": "none",
            "konto-username": USER,
            "konto-password": PASSWORD,
            "konto-from_address": "rundbrief@verein.example",
            "konto-from_name": "Beispiel-Träger e.V.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Channel.objects.get(pk=channel.pk)


def reader(language: str = "en") -> Client:
    client = Client(enforce_csrf_checks=False)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    return client


def subscribe(client: Client, org, address: str, **extra) -> object:
    return client.post(f"/n/{org.slug}/newsletter/", {"address": address, **extra})


def run_tasks(django_capture_on_commit_callbacks, action):
    """Run ``action``; the tasks its commit enqueues run at once, as the worker would."""
    with django_capture_on_commit_callbacks(execute=True):
        result = action()
    call_command("worker", once=True)
    return result


def link_in(message, kind: str) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    [path] = [path for path in LINK.findall(text) if path.endswith(f"/{kind}/")]
    return path


def mails_to(box, address: str) -> list:
    return [message for envelope, message in box.messages if envelope == [address]]


@pytest.mark.django_db(transaction=True)
def test_a_reader_gets_the_newsletter_only_after_confirming_and_leaves_with_one_click(
    org, comms, leader, letter, mailbox, django_capture_on_commit_callbacks
):
    box, _port = mailbox
    news_channel(comms)
    page = reader().get(f"/n/{org.slug}/").content.decode()
    assert 'action="/n/' in page and "Subscribe" in page

    response = run_tasks(
        django_capture_on_commit_callbacks,
        lambda: subscribe(reader(), org, "leserin@example.org"),
    )

    assert response.status_code == 200
    assert "Please check your mailbox" in response.content.decode()
    [confirmation] = mails_to(box, "leserin@example.org")
    assert confirmation["Subject"] == (
        f"Please confirm your subscription to the newsletter of {org.name}"
    )
    # Before confirming, an approved post goes to nobody.
    first = approved(comms, leader, title="Erste Ausgabe", channels=[letter])
    delivering.publish_due()
    assert len(box.messages) == 1
    assert Post.objects.get(pk=first.pk).state == PostState.FAILED
    assert "no confirmed subscribers" in first.deliveries.get().last_error

    confirm_path = link_in(confirmation, "bestaetigen")
    shown = reader().get(confirm_path)  # what a mail scanner does: nothing changes
    assert "Yes, send me the newsletter" in shown.content.decode()
    assert Subscriber.objects.get().confirmed_at is None
    confirmed = reader().post(confirm_path)
    assert "Your subscription is confirmed" in confirmed.content.decode()

    second = approved(comms, leader, title="Sommerfest", channels=[letter])
    delivering.publish_due()

    [issue] = mails_to(box, "leserin@example.org")[1:]
    assert issue["Subject"] == "Sommerfest"
    assert issue["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Post.objects.get(pk=second.pk).state == PostState.PUBLISHED
    assert NewsletterSend.objects.filter(delivery__post=second).count() == 1

    # The mail program's one-click unsubscribe: a POST without any form or CSRF token.
    unsubscribe_url = issue["List-Unsubscribe"].strip("<>")
    strict = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    gone = strict.post(unsubscribe_url.removeprefix(settings.HAFEN_BASE_URL))
    assert gone.status_code == 200
    assert "You are unsubscribed" in gone.content.decode()
    assert not Subscriber.objects.exists()
    assert DataKey.objects.filter(purpose="publishing.subscriber").get().shredded_at is not None

    approved(comms, leader, title="Dritte Ausgabe", channels=[letter])
    delivering.publish_due()
    assert len(box.messages) == 2


@pytest.mark.django_db(transaction=True)
def test_the_answer_never_tells_whether_an_address_is_subscribed(
    org, letter, mailbox, django_capture_on_commit_callbacks
):
    box, _port = mailbox
    answers = []
    for _attempt in range(2):  # a double click: one subscriber, one mail
        response = run_tasks(
            django_capture_on_commit_callbacks,
            lambda: subscribe(reader(), org, "Leserin@Example.org"),
        )
        answers.append(response.content.decode())
    newsletter.confirm(Subscriber.objects.get())
    response = run_tasks(
        django_capture_on_commit_callbacks,
        lambda: subscribe(reader(), org, "leserin@example.org "),
    )
    answers.append(response.content.decode())

    assert Subscriber.objects.count() == 1
    assert len(box.messages) == 1
    assert len({re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", a) for a in answers}) == 1


@pytest.mark.django_db(transaction=True)
def test_the_confirmation_mail_speaks_the_language_of_the_page(
    org, letter, mailbox, django_capture_on_commit_callbacks
):
    box, _port = mailbox
    response = run_tasks(
        django_capture_on_commit_callbacks,
        lambda: subscribe(reader("de"), org, "leser@example.org"),
    )
    assert "Bitte schauen Sie in Ihr Postfach" in response.content.decode()
    [(_envelope, mail)] = box.messages
    assert mail["Subject"].startswith("Bitte bestätigen Sie")


@pytest.mark.parametrize(
    "address",
    [
        "",
        "keine-adresse",
        "a@b@example.org",
        "leserin@example.org\r\nBcc: alle@example.org",
        "Leserin <leserin@example.org>",
        "x" * 250 + "@example.org",
        "leserin@example.org, zweite@example.org",
        "\u202eleserin@example.org",
    ],
)
def test_a_bad_address_is_refused_with_a_message_and_nothing_is_kept(org, letter, address):
    response = subscribe(reader(), org, address)
    assert response.status_code == 400
    assert "Please enter a valid e-mail address" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_a_forged_newsletter_choice_is_refused(org, letter):
    response = subscribe(reader(), org, "leserin@example.org", newsletter="999999")
    assert response.status_code == 400
    assert "This newsletter is not offered any more" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_without_a_newsletter_there_is_no_form(org, comms):
    news_channel(comms)
    assert reader().get(f"/n/{org.slug}/newsletter/").status_code == 404
    assert 'name="address"' not in reader().get(f"/n/{org.slug}/").content.decode()


def test_many_requests_from_one_place_are_slowed_down(org, letter):
    client = reader()
    for number in range(10):
        assert subscribe(client, org, f"person{number}@example.org").status_code == 200
    response = subscribe(client, org, "person10@example.org")
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()
    assert Subscriber.objects.count() == 10


def test_wrong_and_expired_links_confirm_nothing(org, letter):
    newsletter.subscribe(letter, "leserin@example.org", language="en")
    subscriber = Subscriber.objects.get()
    token = newsletter.link_token(subscriber, "confirm")
    base = f"/n/{org.slug}/newsletter/{subscriber.pk}"
    wrong = [
        f"{base}/{'0' * 40}/bestaetigen/",
        f"{base}/{newsletter.link_token(subscriber, 'unsubscribe')}/bestaetigen/",
        f"{base}/{token[:-1]}/bestaetigen/",
        f"/n/{org.slug}/newsletter/{subscriber.pk + 1}/{token}/bestaetigen/",
        f"{base}/{'x' * 5000}/bestaetigen/",
    ]
    for path in wrong:
        response = reader().post(path)
        assert response.status_code == 404, path
        assert "This link is not valid" in response.content.decode()
    assert Subscriber.objects.get().confirmed_at is None

    with time_machine.travel(timezone.now() + timedelta(days=8)):
        response = reader().post(f"{base}/{token}/bestaetigen/")
        assert response.status_code == 404
        assert Subscriber.objects.get().confirmed_at is None


def test_addresses_never_confirmed_are_forgotten_after_a_week(org, letter):
    newsletter.subscribe(letter, "vergessen@example.org", language="en")
    newsletter.subscribe(letter, "bleibt@example.org", language="en")
    kept = Subscriber.objects.order_by("pk").last()
    assert kept is not None
    newsletter.confirm(kept)

    with time_machine.travel(timezone.now() + timedelta(days=8)):
        newsletter.housekeeping()

    [left] = Subscriber.objects.all()
    assert newsletter.address_of(left) == "bleibt@example.org"


def test_staff_see_how_many_subscribe_but_no_address(org, comms, letter):
    for name in ("a", "b", "c"):
        newsletter.subscribe(letter, f"{name}@postfach.test", language="en")
    newsletter.confirm(Subscriber.objects.first())
    page = browser(comms).get(f"/oeffentlichkeit/kanaele/{letter.pk}/").content.decode()
    assert "1 confirmed subscriber" in page and "2 not confirmed yet" in page
    assert "postfach.test" not in page
    sealed = bytes(Subscriber.objects.first().address_sealed)
    assert b"postfach.test" not in sealed


def confirmed(letter, *names: str) -> None:
    for name in names:
        newsletter.subscribe(letter, f"{name}@example.org", language="en")
    for subscriber in Subscriber.objects.all():
        newsletter.confirm(subscriber)


def test_a_broken_off_sending_is_retried_for_the_rest_only(comms, leader, letter, mailbox):
    box, _port = mailbox
    confirmed(letter, "aylin", "bernd", "carla")
    box.break_after = 1
    post = approved(comms, leader, channels=[letter])

    delivering.publish_due()

    delivery = post.deliveries.get()
    assert delivery.state == DeliveryState.PENDING and delivery.attempts == 1
    assert "will try again" in delivery.last_error
    assert [envelope for envelope, _m in box.messages] == [["aylin@example.org"]]

    box.break_after = None
    delivering.publish_due(now=timezone.now() + timedelta(minutes=2))

    assert sorted(envelope[0] for envelope, _m in box.messages) == [
        "aylin@example.org", "bernd@example.org", "carla@example.org"
    ]
    assert Post.objects.get(pk=post.pk).state == PostState.PUBLISHED


def test_an_address_refused_for_good_is_forgotten_and_the_others_get_it(
    comms, leader, letter, mailbox
):
    box, _port = mailbox
    confirmed(letter, "aylin", "gone")
    box.refuse = {"gone@example.org"}
    post = approved(comms, leader, channels=[letter])

    delivering.publish_due()

    assert [envelope for envelope, _m in box.messages] == [["aylin@example.org"]]
    assert [newsletter.address_of(s) for s in Subscriber.objects.all()] == ["aylin@example.org"]
    assert Post.objects.get(pk=post.pk).state == PostState.PUBLISHED


def test_an_unreachable_mail_server_keeps_the_subscription_and_mails_later(org, letter, mailbox):
    box, port = mailbox
    letter.config = {**letter.config, "port": "1"}  # nothing listens there
    letter.save()
    newsletter.subscribe(letter, "leserin@example.org", language="en")
    subscriber = Subscriber.objects.get()

    assert newsletter.send_confirmation(subscriber.pk) is False
    assert Subscriber.objects.get().confirmation_sent_at is None

    letter.config = {**letter.config, "port": str(port)}
    letter.save()
    assert newsletter.housekeeping() == (1, 0)
    assert [envelope for envelope, _m in box.messages] == [["leserin@example.org"]]
