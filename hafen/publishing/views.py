"""Staff views of public communication: thin — a policy decorator, the access helper,
a form, one action, a page or a redirect with a message."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hafen.accounts.access import has_role, require_role
from hafen.accounts.models import Role, User
from hafen.lib.http import StaffRequest
from hafen.publishing import access, checking, forms, images, newsletter, queries
from hafen.publishing.access import CHANNEL_ROLES, POST_ROLES
from hafen.publishing.actions import PublishingError, approval, delivering, guidelines, posts
from hafen.publishing.actions import channels as channel_actions
from hafen.publishing.delivery import EXTERNAL_KINDS
from hafen.publishing.models import (
    Approver,
    Campaign,
    Channel,
    ChannelKind,
    DeliveryState,
    PostImage,
    PostState,
)

# Findings only the whole post has: details that together point at a person.
WHOLE_POST_CATEGORIES = ("combination", "unchecked")


def _organisation_id(request: StaffRequest) -> int:
    if request.user.organisation_id is None:
        raise Http404
    return request.user.organisation_id


# ---------------------------------------------------------------- posts


@never_cache
@require_role(*POST_ROLES)
@require_GET
def post_list(request: StaffRequest) -> HttpResponse:
    organisation_id = _organisation_id(request)
    listed = queries.posts_of(organisation_id)
    state = request.GET.get("state", "")
    if state in PostState.values:
        listed = listed.filter(state=state)
    return render(
        request,
        "publishing/posts.html",
        {
            "posts": listed[:200],
            "states": PostState.choices,
            "state": state,
            "is_approver": access.is_approver(request.user, organisation_id),
        },
    )


def _post_form_input(request: StaffRequest, form: forms.PostForm) -> dict[str, Any]:
    data = form.cleaned_data
    campaign = data["campaign"]
    if data["new_campaign"].strip():
        campaign = posts.create_campaign(request.user, data["new_campaign"].strip())
    return {
        "title": data["title"],
        "text": data["text"],
        "channels": data["channels"],
        "planned_at": data["planned_at"],
        "campaign": campaign,
    }


@never_cache
@require_role(*POST_ROLES)
@require_http_methods(["GET", "POST"])
def post_new(request: StaffRequest) -> HttpResponse:
    organisation_id = _organisation_id(request)
    form = forms.PostForm(request.POST or None, organisation_id=organisation_id)
    if request.method == "POST" and form.is_valid():
        try:
            post = posts.create_post(request.user, **_post_form_input(request, form))
        except PublishingError as error:
            form.add_error(None, error.message)
        else:
            flash.success(request, _("The draft was saved."))
            return redirect("publishing:post", post_id=post.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "publishing/post_form.html", {"form": form, "post": None}, status=status)


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def post_edit(request: StaffRequest, post_id: int) -> HttpResponse:
    post = access.access_post(request.user, post_id)
    assert post.current_version is not None
    if request.method == "GET" and post.state not in posts.EDITABLE:
        flash.info(request, _("This post is approved and can no longer be changed."))
        return redirect("publishing:post", post_id=post.pk)
    initial = {
        "title": post.current_version.title,
        "text": post.current_version.text,
        "channels": list(post.channels.all()),
        "planned_at": post.planned_at,
        "campaign": post.campaign,
        "base_version": post.current_version_id,
    }
    form = forms.PostForm(
        request.POST or None, initial=initial, organisation_id=post.organisation_id
    )
    if request.method == "POST" and form.is_valid():
        try:
            posts.edit_post(
                request.user,
                post,
                base_version_id=form.cleaned_data["base_version"] or 0,
                **_post_form_input(request, form),
            )
        except PublishingError as error:
            form.add_error(None, error.message)
        else:
            flash.success(request, _("The draft was saved."))
            return redirect("publishing:post", post_id=post.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "publishing/post_form.html", {"form": form, "post": post}, status=status)


@never_cache
@login_required
@require_GET
def post_detail(request: StaffRequest, post_id: int) -> HttpResponse:
    post = access.access_post(request.user, post_id)
    version = post.current_version
    assert version is not None
    outcome = checking.check_post_text(post.organisation_id, version.text)
    title_check = checking.check_post_text(post.organisation_id, version.title)
    whole = checking.check_post_text(
        post.organisation_id, checking.whole_post(version.title, version.text)
    )
    is_approver = access.is_approver(request.user, post.organisation_id)
    deliveries = queries.deliveries_of(post)
    return render(
        request,
        "publishing/post.html",
        {
            "post": post,
            "version": version,
            "check": whole,
            "risk": checking.RISK_LABELS[whole[1]] if whole else None,
            "findings": [
                *(title_check[0] if title_check else []),
                *(outcome[0] if outcome else []),
                *(f for f in (whole[0] if whole else []) if f.category in WHOLE_POST_CATEGORIES),
            ],
            "title_segments": (
                checking.segments(version.title, title_check[0])
                if title_check and title_check[0]
                else []
            ),
            "segments": checking.segments(version.text, outcome[0]) if outcome else [],
            "needs_justification": checking.needs_justification(whole),
            "images": list(post.images.all()),
            "channels": list(post.channels.all()),
            "comments": list(post.comments.select_related("author", "version")),
            "deliveries": deliveries,
            "by_hand": [item for item in deliveries if item.state == DeliveryState.BY_HAND],
            "editable": post.state in posts.EDITABLE,
            "may_review": is_approver and not access.wrote(request.user, post),
            "is_approver": is_approver,
            "submit_form": forms.SubmitForm(initial={"version": version.pk}),
            "review_form": forms.ReviewForm(initial={"version": version.pk}),
            "comment_form": forms.CommentForm(),
            "image_form": forms.ImageForm(),
        },
    )


@never_cache
@login_required
@require_GET
def post_history(request: StaffRequest, post_id: int) -> HttpResponse:
    post = access.access_post(request.user, post_id)
    return render(
        request, "publishing/history.html", {"post": post, "history": queries.history(post)}
    )


@login_required
@require_POST
def post_comment(request: StaffRequest, post_id: int) -> HttpResponse:
    post = access.access_post(request.user, post_id)
    form = forms.CommentForm(request.POST)
    if not form.is_valid():
        flash.error(
            request,
            _("The comment was not saved: %(reason)s")
            % {"reason": " ".join(str(error) for error in form.errors.get("text", []))},
        )
    else:
        posts.add_comment(request.user, post, form.cleaned_data["text"])
        flash.success(request, _("Your comment was added."))
    return redirect("publishing:post", post_id=post.pk)


@login_required
@require_POST
def post_image_add(request: StaffRequest, post_id: int) -> HttpResponse:
    post = access.access_post(request.user, post_id)
    form = forms.ImageForm(request.POST, request.FILES)
    if not form.is_valid():
        reasons = [str(error) for errors in form.errors.values() for error in errors]
        flash.error(
            request, _("The image was not added: %(reason)s") % {"reason": " ".join(reasons)}
        )
        return redirect("publishing:post", post_id=post.pk)
    try:
        posts.add_image(
            request.user, post, form.cleaned_data["image"], alt_text=form.cleaned_data["alt_text"]
        )
    except PublishingError as error:
        flash.error(request, error.message)
    else:
        flash.success(request, _("The image was added."))
    return redirect("publishing:post", post_id=post.pk)


def _image_response(image: PostImage) -> HttpResponse:
    response = HttpResponse(images.read(image.stored_name), content_type=image.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    return response


@never_cache
@login_required
@require_GET
def post_image(request: StaffRequest, post_id: int, image_id: int) -> HttpResponse:
    post = access.access_post(request.user, post_id)
    return _image_response(get_object_or_404(PostImage, pk=image_id, post=post))


@login_required
@require_POST
def post_submit(request: StaffRequest, post_id: int) -> HttpResponse:
    post = access.access_post(request.user, post_id)
    form = forms.SubmitForm(request.POST)
    if not form.is_valid():
        flash.error(request, _("The page was out of date. Please try again."))
        return redirect("publishing:post", post_id=post.pk)
    try:
        approval.submit(
            request.user,
            post,
            version_id=form.cleaned_data["version"],
            justification=form.cleaned_data["justification"],
        )
    except PublishingError as error:
        flash.error(request, error.message)
    else:
        flash.success(request, _("The post is waiting for approval."))
    return redirect("publishing:post", post_id=post.pk)


@login_required
@require_POST
def post_review(request: StaffRequest, post_id: int) -> HttpResponse:
    post = access.access_post(request.user, post_id)
    form = forms.ReviewForm(request.POST)
    if not form.is_valid():
        flash.error(request, _("Please choose whether to approve the post or send it back."))
        return redirect("publishing:post", post_id=post.pk)
    version_id = form.cleaned_data["version"]
    try:
        if form.cleaned_data["decision"] == forms.ReviewForm.APPROVE:
            approval.approve(request.user, post, version_id=version_id)
            flash.success(request, _("The post is approved."))
        else:
            approval.send_back(
                request.user, post, version_id=version_id, comment=form.cleaned_data["comment"]
            )
            flash.success(request, _("The post was sent back to the author."))
    except PublishingError as error:
        flash.error(request, error.message)
    return redirect("publishing:post", post_id=post.pk)


@login_required
@require_POST
def delivery_retry(request: StaffRequest, delivery_id: int) -> HttpResponse:
    item = access.access_delivery(request.user, delivery_id)
    try:
        delivering.retry(request.user, item)
    except PublishingError as error:
        flash.error(request, error.message)
    else:
        flash.success(request, _("The post will be published again shortly."))
    return redirect("publishing:post", post_id=item.post_id)


@login_required
@require_POST
def delivery_done(request: StaffRequest, delivery_id: int) -> HttpResponse:
    item = access.access_delivery(request.user, delivery_id)
    try:
        delivering.record_done_by_hand(request.user, item)
    except PublishingError as error:
        flash.info(request, error.message)
    else:
        flash.success(request, _("Recorded as published by hand."))
    return redirect("publishing:post", post_id=item.post_id)


# ---------------------------------------------------------------- calendar


def _int_param(request: StaffRequest, name: str) -> int | None:
    value = request.GET.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None


@never_cache
@require_role(*POST_ROLES)
@require_GET
def calendar(request: StaffRequest) -> HttpResponse:
    organisation_id = _organisation_id(request)
    week = request.GET.get("view") == "week"
    try:
        anchor = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        anchor = timezone.localdate()
    if week:
        start, end = queries.week_bounds(anchor)
    else:
        start, end = queries.month_bounds(anchor)
    channels = Channel.objects.filter(organisation_id=organisation_id)
    campaigns = Campaign.objects.filter(organisation_id=organisation_id)
    channel_id = _int_param(request, "channel")
    campaign_id = _int_param(request, "campaign")
    days = queries.calendar(
        organisation_id,
        start=start,
        end=end,
        channel_id=channel_id,
        campaign_id=campaign_id,
        anchor_month=None if week else anchor.month,
    )
    if week:
        previous, following = start - timedelta(days=7), start + timedelta(days=7)
    else:
        first = anchor.replace(day=1)
        previous = first - timedelta(days=1)
        following = (first + timedelta(days=32)).replace(day=1)
    return render(
        request,
        "publishing/calendar.html",
        {
            "week": week,
            "anchor": anchor,
            "start": start,
            "end": end,
            "days": days,
            "weeks": [days[index : index + 7] for index in range(0, len(days), 7)],
            "previous": previous,
            "following": following,
            "channels": channels,
            "campaigns": campaigns,
            "channel_id": channel_id,
            "campaign_id": campaign_id,
            "labels": queries.CALENDAR_LABELS,
        },
    )


# ---------------------------------------------------------------- campaigns, channels


@never_cache
@require_role(*POST_ROLES)
@require_http_methods(["GET", "POST"])
def campaigns(request: StaffRequest) -> HttpResponse:
    organisation_id = _organisation_id(request)
    form = forms.CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        posts.create_campaign(request.user, form.cleaned_data["name"])
        flash.success(request, _("The campaign was saved."))
        return redirect("publishing:campaigns")
    return render(
        request,
        "publishing/campaigns.html",
        {"form": form, "campaigns": Campaign.objects.filter(organisation_id=organisation_id)},
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@require_role(*CHANNEL_ROLES)
@require_http_methods(["GET", "POST"])
def channels(request: StaffRequest) -> HttpResponse:
    organisation_id = _organisation_id(request)
    form = forms.ChannelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            channel_actions.create_channel(
                request.user, kind=form.cleaned_data["kind"], name=form.cleaned_data["name"]
            )
        except PublishingError as error:
            form.add_error(None, error.message)
        else:
            flash.success(request, _("The channel was added."))
            return redirect("publishing:channels")
    return render(
        request,
        "publishing/channels.html",
        {
            "form": form,
            "channels": Channel.objects.filter(organisation_id=organisation_id),
            "organisation": request.user.organisation,
            "news_kind": ChannelKind.NEWS,
        },
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def channel_edit(request: StaffRequest, channel_id: int) -> HttpResponse:
    if not access.may_manage_channels(request.user):
        raise Http404
    channel = get_object_or_404(Channel, pk=channel_id, organisation_id=_organisation_id(request))
    form = forms.ChannelEditForm(
        request.POST or None, initial={"name": channel.name, "active": channel.active}
    )
    external = channel.kind in EXTERNAL_KINDS
    settings_form = (
        forms.ChannelSettingsForm(channel, request.POST or None, prefix="konto")
        if external
        else None
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and (settings_form is None or settings_form.is_valid())
    ):
        try:
            if settings_form is not None:
                config, secret = settings_form.settings()
                channel_actions.configure_channel(request.user, channel, config, secret)
            channel_actions.update_channel(
                request.user,
                channel,
                name=form.cleaned_data["name"],
                active=form.cleaned_data["active"],
            )
        except PublishingError as error:
            assert settings_form is not None  # only the settings can be refused here
            settings_form.add_error(None, error.message)
        else:
            flash.success(request, _("The channel was saved."))
            return redirect("publishing:channels")
    return render(
        request,
        "publishing/channel.html",
        {
            "form": form,
            "settings_form": settings_form,
            "channel": channel,
            "subscribers": newsletter.counts(channel)
            if channel.kind == ChannelKind.NEWSLETTER
            else None,
            "news_url": settings.HAFEN_BASE_URL
            + reverse("publishing:news", args=[channel.organisation.slug]),
        },
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@require_role(Role.LEADERSHIP)
@require_http_methods(["GET", "POST"])
def approvers(request: StaffRequest) -> HttpResponse:
    organisation_id = _organisation_id(request)
    form = forms.ApproverForm(request.POST or None, organisation_id=organisation_id)
    if request.method == "POST" and form.is_valid():
        person: User = form.cleaned_data["user"]
        try:
            if request.POST.get("remove"):
                channel_actions.remove_approver(request.user, person)
                flash.success(request, _("%(name)s no longer approves posts.") % {"name": person})
            else:
                channel_actions.name_approver(request.user, person)
                flash.success(request, _("%(name)s may now approve posts.") % {"name": person})
        except PublishingError as error:
            flash.error(request, error.message)
        return redirect("publishing:approvers")
    leaders = User.objects.filter(
        organisation_id=organisation_id, is_active=True, memberships__role=Role.LEADERSHIP
    ).distinct()
    return render(
        request,
        "publishing/approvers.html",
        {
            "form": form,
            "leaders": leaders,
            "approvers": Approver.objects.filter(organisation_id=organisation_id).select_related(
                "user"
            ),
        },
        status=400 if request.method == "POST" else 200,
    )


# ---------------------------------------------------------------- guidelines


@never_cache
@login_required
@require_GET
def guideline_list(request: StaffRequest) -> HttpResponse:
    organisation_id = _organisation_id(request)
    current = queries.current_guideline(organisation_id)
    return render(
        request,
        "publishing/guidelines.html",
        {
            "current": current,
            "acknowledged": current is not None and queries.has_acknowledged(request.user, current),
            "versions": queries.guideline_versions(organisation_id),
            "is_leader": has_role(request.user, Role.LEADERSHIP),
            "sees_pending": has_role(request.user, Role.LEADERSHIP, Role.COMMUNICATIONS),
        },
    )


@never_cache
@require_role(Role.LEADERSHIP)
@require_http_methods(["GET", "POST"])
def guideline_publish(request: StaffRequest) -> HttpResponse:
    organisation_id = _organisation_id(request)
    current = queries.current_guideline(organisation_id)
    initial = {"text": current.text if current else guidelines.default_text()}
    form = forms.GuidelineForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            version = guidelines.publish(request.user, form.cleaned_data["text"])
        except PublishingError as error:
            form.add_error(None, error.message)
        else:
            flash.success(
                request,
                _("Version %(number)s of the guidelines is published.")
                % {"number": version.number},
            )
            return redirect("publishing:guidelines")
    return render(
        request,
        "publishing/guideline_form.html",
        {"form": form, "current": current},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def guideline_acknowledge(request: StaffRequest) -> HttpResponse:
    form = forms.AcknowledgeForm(request.POST)
    if not form.is_valid():
        flash.error(request, _("The page was out of date. Please try again."))
        return redirect("publishing:guidelines")
    try:
        guidelines.acknowledge(request.user, form.cleaned_data["version"])
    except PublishingError as error:
        flash.error(request, error.message)
    else:
        flash.success(request, _("Thank you: your acknowledgement is recorded."))
    return redirect("publishing:guidelines")


@never_cache
@require_role(Role.LEADERSHIP, Role.COMMUNICATIONS)
@require_GET
def guideline_pending(request: StaffRequest) -> HttpResponse:
    current = queries.current_guideline(_organisation_id(request))
    return render(
        request,
        "publishing/guideline_pending.html",
        {
            "current": current,
            "missing": queries.not_acknowledged(current) if current else [],
            "done": queries.acknowledgements(current) if current else [],
        },
    )
