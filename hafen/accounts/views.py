"""Staff login with a second factor, invitations, and the staff administration pages."""

from __future__ import annotations

import time

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp import match_token

from hafen.accounts import access, actions, forms, mail
from hafen.accounts.models import Invitation, Membership, Role, User
from hafen.lib.http import StaffRequest

PENDING_USER = "hafen_2fa_user"
PENDING_SINCE = "hafen_2fa_since"
PENDING_NEXT = "hafen_2fa_next"
PENDING_TRIES = "hafen_2fa_tries"
PENDING_MAX_SECONDS = 300
PENDING_MAX_TRIES = 5


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return settings.LOGIN_REDIRECT_URL


def _finish_login(
    request: HttpRequest, user: User, next_url: str, device: object = None
) -> HttpResponse:
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if device is not None:
        otp_login(request, device)
    actions.record_login(user, two_factor=device is not None)
    return redirect(_safe_next(request, next_url))


@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("home:start")
    next_url = request.POST.get("next") or request.GET.get("next", "")
    form = forms.LoginForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        user = authenticate(
            request,
            username=form.cleaned_data["username"],
            password=form.cleaned_data["password"],
        )
        if getattr(request, "axes_locked_out", False):
            # django-axes' middleware answers with the lockout page.
            return render(request, "accounts/locked_out.html", status=429)
        if user is None:
            form.add_error(None, _("User name or password is wrong."))
        elif actions.has_two_factor(user):
            request.session.cycle_key()
            request.session[PENDING_USER] = user.pk
            request.session[PENDING_SINCE] = int(time.time())
            request.session[PENDING_NEXT] = next_url
            request.session[PENDING_TRIES] = 0
            return redirect("accounts:login_code")
        else:
            return _finish_login(request, user, next_url)
    return render(request, "accounts/login.html", {"form": form, "next": next_url})


def _pending_user(request: HttpRequest) -> User | None:
    user_id = request.session.get(PENDING_USER)
    since = request.session.get(PENDING_SINCE, 0)
    if not user_id or time.time() - since > PENDING_MAX_SECONDS:
        return None
    return User.objects.filter(pk=user_id, is_active=True).first()


def _clear_pending(request: HttpRequest) -> None:
    for key in (PENDING_USER, PENDING_SINCE, PENDING_NEXT, PENDING_TRIES):
        request.session.pop(key, None)


@never_cache
@require_http_methods(["GET", "POST"])
def login_code_view(request: HttpRequest) -> HttpResponse:
    user = _pending_user(request)
    if user is None:
        _clear_pending(request)
        messages.info(request, _("Please log in again."))
        return redirect("accounts:login")
    form = forms.CodeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["code"])
        if device is not None:
            next_url = request.session.get(PENDING_NEXT, "")
            _clear_pending(request)
            return _finish_login(request, user, next_url, device)
        tries = request.session.get(PENDING_TRIES, 0) + 1
        request.session[PENDING_TRIES] = tries
        if tries >= PENDING_MAX_TRIES:
            _clear_pending(request)
            messages.error(request, _("Too many wrong codes. Please log in again."))
            return redirect("accounts:login")
        form.add_error("code", _("This code is not right. Please try the current one."))
    return render(request, "accounts/login_code.html", {"form": form})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        actions.record_logout(request.user)
    logout(request)
    messages.success(request, _("You are logged out."))
    return redirect("accounts:login")


@never_cache
@require_http_methods(["GET", "POST"])
def accept_invitation_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = actions.find_usable_invitation(token)
    except actions.InvitationInvalid:
        return render(request, "accounts/invitation_invalid.html", status=404)
    form = forms.AcceptInvitationForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        if request.user.is_authenticated:
            logout(request)  # the new account takes this browser over, not the old one
        try:
            user = actions.accept_invitation(
                token,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password1"],
            )
        except actions.InvitationInvalid:
            return render(request, "accounts/invitation_invalid.html", status=404)
        except IntegrityError:
            form.add_error("username", _("This user name is taken. Please choose another one."))
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            actions.record_login(user, two_factor=False)
            messages.success(request, _("Welcome to Hafen, %(name)s.") % {"name": user})
            if user.organisation and user.organisation.require_two_factor:
                return redirect("accounts:security")
            return redirect("home:start")
    return render(
        request, "accounts/accept_invitation.html", {"form": form, "invitation": invitation}
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def security_view(request: StaffRequest) -> HttpResponse:
    """Two-factor status, enrolment with a QR code, recovery codes, switching it off."""
    user = request.user
    enabled = actions.has_two_factor(user)
    required = bool(user.organisation and user.organisation.require_two_factor)
    context: dict[str, object] = {"enabled": enabled, "required": required}
    operation = request.POST.get("operation", "")

    if request.method == "POST" and operation == "start":
        actions.start_totp_enrolment(user)
        return redirect("accounts:security")

    device = actions.pending_totp_device(user)
    code_form = forms.CodeForm(request.POST if operation == "confirm" else None)
    if request.method == "POST" and operation == "confirm" and device and code_form.is_valid():
        codes = actions.confirm_totp_enrolment(user, device, code_form.cleaned_data["code"])
        if codes is None:
            code_form.add_error("code", _("This code is not right. Please try the current one."))
        else:
            otp_login(request, device)
            return render(request, "accounts/recovery_codes.html", {"codes": codes})

    verify_form = forms.CodeForm(request.POST if operation == "verify" else None)
    if request.method == "POST" and operation == "verify" and verify_form.is_valid():
        matched = match_token(user, verify_form.cleaned_data["code"])
        if matched is None:
            verify_form.add_error("code", _("This code is not right. Please try the current one."))
        else:
            otp_login(request, matched)
            messages.success(request, _("This session is confirmed with your second factor."))
            return redirect("home:start")

    disable_form = forms.PasswordConfirmForm(
        request.POST if operation == "disable" else None, user=user
    )
    if request.method == "POST" and operation == "disable":
        if required:
            messages.error(request, _("Your organisation requires two-factor login."))
        elif disable_form.is_valid():
            actions.disable_two_factor(user)
            messages.success(request, _("Two-factor login is switched off."))
            return redirect("accounts:security")

    if device is not None and not enabled:
        uri = device.config_url
        context["qr_svg"] = segno.make(uri, error="m").svg_inline(
            scale=4, dark="#111", light="#fff"
        )
        context["secret"] = _base32(device)
        context["code_form"] = code_form
    context.update(
        device=device,
        verified=bool(getattr(user, "is_verified", lambda: False)()),
        verify_form=verify_form,
        disable_form=disable_form,
    )
    return render(request, "accounts/security.html", context)


def _base32(device: object) -> str:
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode().rstrip("=")  # type: ignore[attr-defined]
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# --- staff administration (role: admin) -------------------------------------------------


@access.require_role(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def staff_view(request: StaffRequest) -> HttpResponse:
    admin = request.user
    organisation = admin.organisation
    assert organisation is not None
    form = forms.InvitationForm(_posted(request), organisation=organisation)
    new_link = None
    if request.method == "POST" and form.is_valid():
        created = actions.invite_staff(
            admin=admin,
            display_name=form.cleaned_data["display_name"],
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            team=form.cleaned_data["team"],
        )
        new_link = mail.invitation_link(created.token)
        if created.invitation.email:
            if mail.email_invitation(created.invitation, created.token):
                messages.success(request, _("The invitation was e-mailed."))
            else:
                messages.warning(
                    request, _("The e-mail could not be sent. Please pass on the link yourself.")
                )
        form = forms.InvitationForm(organisation=organisation)
    staff = (
        User.objects.filter(organisation=organisation)
        .prefetch_related("memberships__team")
        .order_by("-is_active", "display_name", "username")
    )
    invitations = Invitation.objects.filter(organisation=organisation).select_related("team")[:50]
    return render(
        request,
        "accounts/staff.html",
        {
            "form": form,
            "staff": staff,
            "invitations": invitations,
            "new_link": new_link,
            "organisation": organisation,
        },
    )


@access.require_role(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def staff_member_view(request: StaffRequest, user_id: int) -> HttpResponse:
    admin = request.user
    organisation = admin.organisation
    assert organisation is not None
    # 404 for anybody outside the admin's organisation: they need not know it exists.
    member = get_object_or_404(User, pk=user_id, organisation=organisation)
    form = forms.MembershipForm(
        request.POST if request.POST.get("operation") == "add_role" else None,
        organisation=organisation,
    )
    if request.method == "POST":
        operation = request.POST.get("operation")
        if operation == "add_role" and form.is_valid():
            actions.add_membership(
                admin=admin,
                user=member,
                role=form.cleaned_data["role"],
                team=form.cleaned_data["team"],
            )
            messages.success(request, _("Role added."))
            return redirect("accounts:staff_member", user_id=member.pk)
        if operation == "remove_role":
            membership_id = _int(request.POST.get("membership"))
            membership = (
                Membership.objects.filter(pk=membership_id, user=member).first()
                if membership_id is not None
                else None
            )
            if membership is not None:
                try:
                    actions.remove_membership(admin=admin, membership=membership)
                except actions.LastAdministrator:
                    messages.error(request, _("The organisation needs at least one administrator."))
                else:
                    messages.success(request, _("Role removed."))
            return redirect("accounts:staff_member", user_id=member.pk)
        if operation in ("deactivate", "activate"):
            try:
                actions.set_active(admin=admin, user=member, active=operation == "activate")
            except ValueError:
                messages.error(request, _("You cannot deactivate your own account."))
            return redirect("accounts:staff_member", user_id=member.pk)
    memberships = member.memberships.select_related("team__facility").order_by("role")
    return render(
        request,
        "accounts/staff_member.html",
        {
            "member": member,
            "memberships": memberships,
            "form": form,
            "two_factor": actions.has_two_factor(member),
        },
    )


@access.require_role(Role.ADMIN)
@require_POST
def revoke_invitation_view(request: StaffRequest, invitation_id: int) -> HttpResponse:
    admin = request.user
    invitation = get_object_or_404(Invitation, pk=invitation_id, organisation=admin.organisation)
    if invitation.is_usable:
        actions.revoke_invitation(admin=admin, invitation=invitation)
        messages.success(request, _("The invitation link no longer works."))
    return redirect("accounts:staff")


@access.require_role(Role.ADMIN)
@require_POST
def two_factor_rule_view(request: StaffRequest) -> HttpResponse:
    admin = request.user
    organisation = admin.organisation
    assert organisation is not None
    value = request.POST.get("required")
    if value not in ("0", "1"):
        messages.error(request, _("Please choose whether two-factor login is required."))
        return redirect("accounts:staff")
    required = value == "1"
    actions.set_require_two_factor(admin=admin, organisation=organisation, required=required)
    if required:
        messages.success(request, _("Two-factor login is now required for all staff."))
    else:
        messages.success(request, _("Two-factor login is now optional."))
    return redirect("accounts:staff")


def _posted(request: HttpRequest) -> QueryDict | None:
    """The submitted data of a POST (even an empty one, so that it shows its errors)."""
    return request.POST if request.method == "POST" else None


def _int(value: str | None) -> int | None:
    try:
        return int(value or "")
    except ValueError:
        return None
