"""Publishing approved posts: immediately or at their time through the worker's task,
retries with backoff, the failure state and the retry button, publishing by hand, and
sealed channel secrets."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from hafen.privacy.models import AuditEntry
from hafen.publishing import delivery as delivery_seam
from hafen.publishing.actions import PublishingError, delivering
from hafen.publishing.actions import channels as channel_actions
from hafen.publishing.models import Channel, ChannelKind, Delivery, DeliveryState, Post, PostState
from hafen.publishing.tasks import publish_due_deliveries
from hafen.publishing.tests.conftest import approved, browser

pytestmark = pytest.mark.django_db
BERLIN = ZoneInfo("Europe/Berlin")
TASK = "hafen.publishing.tasks.publish_due_deliveries"


def _news_titles(client) -> str:
    return client.get("/n/beispiel-traeger/").content.decode()


def test_an_approved_post_without_a_time_is_queued_for_the_worker_at_once(
    comms, leader, news, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post = approved(comms, leader)
    assert DBTaskResult.objects.get(task_path=TASK).status == TaskResultStatus.READY

    assert publish_due_deliveries.call() == 1

    post.refresh_from_db()
    assert post.state == PostState.PUBLISHED and post.published_at is not None
    item = post.deliveries.get()
    assert item.state == DeliveryState.DELIVERED and item.attempts == 1
    assert item.external_url.endswith(f"/n/beispiel-traeger/{post.pk}/")
    assert AuditEntry.objects.filter(action="publishing.delivered").count() == 1


def test_a_scheduled_post_is_published_at_its_time_and_not_before(
    comms, leader, news, time_machine
):
    time_machine.move_to(datetime(2026, 11, 24, 10, 0, tzinfo=BERLIN), tick=False)
    planned = datetime(2026, 11, 26, 9, 30, tzinfo=BERLIN)
    post = approved(comms, leader, planned_at=planned)
    assert post.deliveries.get().due_at == planned

    time_machine.move_to(datetime(2026, 11, 26, 9, 29, tzinfo=BERLIN), tick=False)
    assert delivering.publish_due() == 0
    assert "Sommerfest" not in _news_titles(browser(comms))

    # The worker was down for a day: it catches up on its next run.
    time_machine.move_to(datetime(2026, 11, 27, 12, 0, tzinfo=BERLIN), tick=False)
    assert delivering.publish_due() == 1
    assert Post.objects.get(pk=post.pk).state == PostState.PUBLISHED
    assert "Sommerfest" in _news_titles(browser(comms))


def test_a_failing_channel_is_retried_with_backoff_then_fails_and_can_be_retried(
    comms, leader, news, time_machine, monkeypatch
):
    time_machine.move_to(datetime(2026, 11, 24, 10, 0, tzinfo=BERLIN), tick=False)
    calls = []

    def unavailable(item):
        calls.append(item.pk)
        raise delivery_seam.DeliveryError("Service answered 503")

    monkeypatch.setattr(delivery_seam, "deliver", unavailable)
    post = approved(comms, leader)

    for wait in delivering.BACKOFF:
        assert delivering.publish_due() == 0
        item = Delivery.objects.get(post=post)
        assert item.state == DeliveryState.PENDING and item.last_error == "Service answered 503"
        assert item.due_at == timezone.now() + wait
        assert delivering.publish_due() == 0  # not yet due again
        time_machine.shift(wait)
    assert delivering.publish_due() == 0

    item = Delivery.objects.get(post=post)
    assert item.state == DeliveryState.FAILED and item.attempts == delivering.MAX_ATTEMPTS
    assert len(calls) == delivering.MAX_ATTEMPTS
    assert Post.objects.get(pk=post.pk).state == PostState.FAILED
    page = browser(comms).get(f"/oeffentlichkeit/{post.pk}/").content.decode()
    assert "Service answered 503" in page and "Try again" in page

    monkeypatch.undo()
    response = browser(comms).post(f"/oeffentlichkeit/zustellung/{item.pk}/erneut/", follow=True)
    assert "will be published again shortly" in response.content.decode()
    assert Post.objects.get(pk=post.pk).state == PostState.APPROVED
    assert delivering.publish_due() == 1
    assert Post.objects.get(pk=post.pk).state == PostState.PUBLISHED


def test_a_refused_delivery_fails_at_once_without_retries(comms, leader, news, monkeypatch):
    def refused(item):
        raise delivery_seam.DeliveryError("Token rejected", retryable=False)

    monkeypatch.setattr(delivery_seam, "deliver", refused)
    post = approved(comms, leader)
    delivering.publish_due()
    item = post.deliveries.get()
    assert (item.state, item.attempts) == (DeliveryState.FAILED, 1)


def test_retrying_a_delivery_that_did_not_fail_changes_nothing(comms, leader, news):
    post = approved(comms, leader)
    item = post.deliveries.get()
    response = browser(comms).post(f"/oeffentlichkeit/zustellung/{item.pk}/erneut/", follow=True)
    assert "there is nothing to retry" in response.content.decode()
    assert Delivery.objects.get(pk=item.pk).state == DeliveryState.PENDING


def test_another_organisation_cannot_retry(comms, leader, news, outsider):
    post = approved(comms, leader)
    item = post.deliveries.get()
    assert (
        browser(outsider).post(f"/oeffentlichkeit/zustellung/{item.pk}/erneut/").status_code == 404
    )


def test_a_claimed_delivery_is_not_published_twice(comms, leader, news):
    post = approved(comms, leader)
    Delivery.objects.filter(post=post).update(
        state=DeliveryState.SENDING, claimed_at=timezone.now()
    )
    assert delivering.publish_due() == 0  # another worker is sending it
    Delivery.objects.filter(post=post).update(claimed_at=timezone.now() - timedelta(hours=1))
    assert delivering.publish_due() == 1  # that worker died: the delivery is due again


def test_publish_by_hand_hands_over_the_final_text_and_records_who_did_it(
    comms, leader, news, by_hand
):
    post = approved(comms, leader, channels=[by_hand])
    assert delivering.publish_due() == 0  # nothing for the worker
    page = browser(comms).get(f"/oeffentlichkeit/{post.pk}/").content.decode()
    assert "Publish by hand: Instagram (von Hand)" in page
    assert "Am Samstag feiern wir unser Sommerfest." in page

    item = post.deliveries.get()
    browser(comms).post(f"/oeffentlichkeit/zustellung/{item.pk}/erledigt/")
    again = browser(comms).post(f"/oeffentlichkeit/zustellung/{item.pk}/erledigt/", follow=True)

    item.refresh_from_db()
    assert item.state == DeliveryState.DELIVERED and item.done_by == comms
    assert "already recorded" in again.content.decode()
    assert AuditEntry.objects.filter(action="publishing.done_by_hand").count() == 1
    assert Post.objects.get(pk=post.pk).state == PostState.PUBLISHED


def test_channel_secrets_are_sealed_per_channel_and_never_shown(comms, by_hand):
    channel_actions.set_channel_secret(comms, by_hand, "geheimes-token-1234567890")
    other = channel_actions.create_channel(comms, kind=ChannelKind.MANUAL, name="Facebook")
    channel_actions.set_channel_secret(comms, other, "anderes-token-abcdefghij")
    by_hand = Channel.objects.get(pk=by_hand.pk)

    assert b"geheimes-token" not in bytes(by_hand.sealed_secret)
    assert by_hand.data_key_id != Channel.objects.get(pk=other.pk).data_key_id
    assert channel_actions.open_channel_secret(by_hand) == "geheimes-token-1234567890"
    page = browser(comms).get("/oeffentlichkeit/kanaele/").content.decode()
    assert "geheimes-token" not in page and "…7890" in page
    entry = AuditEntry.objects.filter(action="publishing.channel_secret_set").first()
    assert "geheim" not in str(entry.details)


def test_a_kind_hafen_does_not_offer_cannot_be_added(comms):
    response = browser(comms).post("/oeffentlichkeit/kanaele/", {"kind": "telegram", "name": "T"})
    assert response.status_code == 400
    assert not Channel.objects.filter(name="T").exists()
    with pytest.raises(PublishingError):
        channel_actions.create_channel(comms, kind="telegram", name="T")


def test_an_organisation_has_one_news_page(comms, news):
    response = browser(comms).post(
        "/oeffentlichkeit/kanaele/", {"kind": "news", "name": "Noch eine"}
    )
    assert "already has a public news page" in response.content.decode()
    assert Channel.objects.filter(kind="news").count() == 1


def test_counsellors_do_not_manage_channels(counsellor, news):
    assert browser(counsellor).get("/oeffentlichkeit/kanaele/").status_code == 403
    assert (
        browser(counsellor).post(f"/oeffentlichkeit/kanaele/{news.pk}/", {"name": "x"}).status_code
        == 404
    )


@pytest.mark.django_db(transaction=True)
def test_the_worker_publishes_what_is_due(comms, leader, news):
    from django.core.management import call_command

    post = approved(comms, leader)
    call_command("worker", once=True)
    assert Post.objects.get(pk=post.pk).state == PostState.PUBLISHED
    assert DBTaskResult.objects.filter(task_path=TASK, status=TaskResultStatus.SUCCESSFUL).exists()
