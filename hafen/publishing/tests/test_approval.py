"""Approval: submitted drafts, four eyes, exactly the version shown, sending back,
and the justification that high-risk findings of the check require."""

from __future__ import annotations

import pytest

from hafen.accounts.models import Membership, Role, Team
from hafen.cases.tests.conftest import open_case
from hafen.privacy.models import AuditEntry
from hafen.publishing import checking
from hafen.publishing.actions import approval
from hafen.publishing.actions import channels as channel_actions
from hafen.publishing.models import CommentKind, Delivery, Post, PostState
from hafen.publishing.recognisability.clients import forget
from hafen.publishing.tests.conftest import browser, draft, submitted

pytestmark = pytest.mark.django_db


def _page(post: Post) -> str:
    return f"/oeffentlichkeit/{post.pk}/"


def _submit(user, post, **data):
    return browser(user).post(
        f"{_page(post)}einreichen/", {"version": post.current_version_id, **data}, follow=True
    )


def _review(user, post, decision="approve", version=None, **data):
    return browser(user).post(
        f"{_page(post)}freigabe/",
        {"version": version or post.current_version_id, "decision": decision, **data},
        follow=True,
    )


def _state(post: Post) -> str:
    return Post.objects.get(pk=post.pk).state


def test_the_author_submits_and_leadership_approves(comms, leader, news):
    post = draft(comms)
    assert "waiting for approval" in _submit(comms, post).content.decode()
    assert _state(post) == PostState.SUBMITTED

    response = _review(leader, post)

    assert "The post is approved." in response.content.decode()
    post.refresh_from_db()
    assert post.state == PostState.APPROVED
    assert post.approved_by == leader and post.approved_version_id == post.current_version_id
    delivery = Delivery.objects.get(post=post)
    assert delivery.channel == news and delivery.version_id == post.current_version_id
    actions = list(
        AuditEntry.objects.filter(
            object_type="publishing.post", object_id=str(post.pk), action__startswith="publishing."
        )
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == ["publishing.post_created", "publishing.submitted", "publishing.approved"]
    approved_entry = AuditEntry.objects.get(action="publishing.approved")
    assert approved_entry.actor_id == leader.pk
    assert "Sommerfest" not in str(approved_entry.details)


def test_submitting_twice_by_double_click_submits_once(comms, news):
    post = draft(comms)
    _submit(comms, post)
    second = _submit(comms, post)
    assert second.status_code == 200
    assert AuditEntry.objects.filter(action="publishing.submitted").count() == 1


def test_nothing_is_published_without_approval(comms, news):
    submitted(comms)
    assert Delivery.objects.count() == 0


def test_the_author_can_never_approve_the_own_post_even_as_leadership(leader, news):
    post = submitted(leader)
    response = _review(leader, post)
    assert "somebody else must approve it" in response.content.decode()
    assert _state(post) == PostState.SUBMITTED
    assert Delivery.objects.count() == 0


def test_somebody_who_wrote_a_version_cannot_approve_either(comms, leader, news):
    post = draft(comms)
    post = Post.objects.get(pk=post.pk)
    from hafen.publishing.actions import posts

    posts.edit_post(
        leader,
        post,
        base_version_id=post.current_version_id,
        title=post.title,
        text="Von der Leitung ergänzt.",
        channels=[news],
        planned_at=None,
        campaign=None,
    )
    post = Post.objects.get(pk=post.pk)
    approval.submit(comms, post, version_id=post.current_version_id)
    response = _review(leader, post)
    assert "somebody else must approve it" in response.content.decode()
    assert _state(post) == PostState.SUBMITTED


def test_an_approval_applies_only_to_the_version_shown(comms, leader, news):
    post = submitted(comms)
    shown = post.current_version_id
    browser(comms).post(
        f"{_page(post)}bearbeiten/",
        {
            "title": post.title,
            "text": "Geänderter Text",
            "channels": [news.pk],
            "base_version": shown,
        },
    )

    response = _review(leader, post, version=shown)

    assert "The text changed since you opened this page" in response.content.decode()
    post.refresh_from_db()
    assert post.state == PostState.DRAFT and post.approved_version is None
    assert Delivery.objects.count() == 0


def test_a_counsellor_who_is_no_approver_cannot_approve(comms, counsellor, news):
    post = submitted(comms)
    response = _review(counsellor, post)
    assert "You are not one of the people who approve posts." in response.content.decode()
    assert _state(post) == PostState.SUBMITTED


def test_leadership_names_an_approver_who_then_may_approve(comms, counsellor, leader, news):
    browser(leader).post("/oeffentlichkeit/freigebende/", {"user": counsellor.pk})
    post = submitted(comms)
    _review(counsellor, post)
    assert _state(post) == PostState.APPROVED

    browser(leader).post("/oeffentlichkeit/freigebende/", {"user": counsellor.pk, "remove": "1"})
    other = submitted(comms, title="Zweiter Beitrag")
    _review(counsellor, other)
    assert _state(other) == PostState.SUBMITTED


def test_only_leadership_names_approvers(comms, counsellor):
    assert (
        browser(comms).post("/oeffentlichkeit/freigebende/", {"user": counsellor.pk}).status_code
        == 403
    )
    with pytest.raises(approval.PublishingError):
        channel_actions.name_approver(comms, counsellor)


def test_sending_back_needs_a_comment_and_returns_the_post_to_draft(comms, leader, news):
    post = submitted(comms)
    refused = _review(leader, post, decision="send_back", comment="  ")
    assert "Please say in a comment what should change." in refused.content.decode()
    assert _state(post) == PostState.SUBMITTED

    _review(leader, post, decision="send_back", comment="Bitte ohne Ortsangabe.")
    assert _state(post) == PostState.DRAFT
    comment = post.comments.get()
    assert comment.kind == CommentKind.SENT_BACK and comment.author == leader
    assert "Bitte ohne Ortsangabe." in browser(comms).get(_page(post)).content.decode()
    assert AuditEntry.objects.filter(action="publishing.sent_back").count() == 1


def test_a_post_without_channels_cannot_be_submitted(comms, news):
    post = draft(comms, channels=[])
    response = _submit(comms, post)
    assert "Choose at least one channel" in response.content.decode()
    assert _state(post) == PostState.DRAFT


HIGH = (
    [checking.FindingView(0, 4, "name", "A name.", "Leave it out.", checking.Risk.HIGH)],
    checking.Risk.HIGH,
)


def test_high_risk_findings_need_a_written_justification_that_the_approver_sees(
    comms, leader, news, monkeypatch
):
    monkeypatch.setattr(checking, "check_post_text", lambda organisation_id, text: HIGH)
    post = draft(comms)

    refused = _submit(comms, post)
    assert "write down why it may be published as it is" in refused.content.decode()
    assert _state(post) == PostState.DRAFT

    _submit(comms, post, justification="Die Person hat schriftlich eingewilligt.")
    assert _state(post) == PostState.SUBMITTED
    page = browser(leader).get(_page(post)).content.decode()
    assert "Die Person hat schriftlich eingewilligt." in page
    assert "Leave it out." in page
    assert "<mark" in page and "Risk: high" in page
    entry = AuditEntry.objects.get(action="publishing.submitted")
    assert entry.details["risk"] == "high" and entry.details["justified"] is True


def test_leadership_without_a_counsellor_role_is_an_approver(leader):
    assert Membership.objects.filter(user=leader, role=Role.LEADERSHIP).exists()
    from hafen.publishing.access import is_approver

    assert is_approver(leader, leader.organisation_id)


def test_findings_are_marked_in_the_text_and_bad_spans_are_skipped():
    finding = checking.FindingView(4, 8, "name", "", "", checking.Risk.HIGH)
    overlapping = checking.FindingView(6, 10, "age", "", "", checking.Risk.LOW)
    outside = checking.FindingView(40, 50, "place", "", "", checking.Risk.LOW)
    pieces = checking.segments("Frau Kern, 34", [overlapping, finding, outside])
    assert [(piece.text, piece.finding) for piece in pieces] == [
        ("Frau", None),
        (" Ker", finding),
        ("n, 34", None),
    ]


def test_changing_the_channels_of_a_submitted_post_sends_it_back_to_draft(
    comms, leader, news, by_hand
):
    post = submitted(comms)
    shown = post.current_version_id
    browser(comms).post(
        f"{_page(post)}bearbeiten/",
        {
            "title": post.title,
            "text": post.current_version.text,
            "channels": [news.pk, by_hand.pk],
            "base_version": shown,
        },
    )
    assert _state(post) == PostState.DRAFT
    response = _review(leader, post, version=shown)
    assert "not waiting for approval" in response.content.decode()
    assert Delivery.objects.count() == 0


def test_a_clients_name_in_a_draft_is_found_without_saying_whose_case_it_is(
    comms, leader, counsellor, news
):
    """The real check: a name from the organisation's case files is high risk, so the
    draft needs a justification; the page never names the case."""
    case = open_case(counsellor, Team.objects.get(slug="jugendberatung"), name="Jannik Oberländer")
    forget()  # the name cache of this process
    post = draft(comms, text="Jannik Oberländer hat bei uns seinen Abschluss geschafft!")
    page = browser(comms).get(_page(post)).content.decode()
    assert "Risk: high" in page and "<mark" in page
    assert case.reference not in page and case.pseudonym not in page

    refused = _submit(comms, post)
    assert "write down why it may be published as it is" in refused.content.decode()
    assert _state(post) == PostState.DRAFT


def test_a_name_in_the_title_counts_as_much_as_one_in_the_text(comms, news):
    post = draft(comms, title="Danke, Mehmet Yilmaz!", text="Er hat beim Umzug geholfen.")
    page = browser(comms).get(_page(post)).content.decode()
    assert "Risk: high" in page and "<mark" in page
    refused = _submit(comms, post)
    assert "write down why it may be published as it is" in refused.content.decode()
    assert _state(post) == PostState.DRAFT
