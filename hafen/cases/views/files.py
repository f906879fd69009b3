"""Case files: the list, opening a case, the case page, changing and closing a case, and
linking chat conversations.

Every view about one case asks ``access.access_case`` first (404 for whoever may not
know it exists, 403 for a volunteer who reads but may not write); the page's content
comes from ``queries.case_page``, which records the read in the audit log. Writes go
through one action each and redirect (POST/redirect/GET); a refusal of the domain
becomes a message beside the form, never a 500.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hafen.accounts.models import BreakGlass, Role
from hafen.cases import access, actions, forms_files, queries
from hafen.cases.actions._common import has_org_role
from hafen.cases.models import Case, CaseStatus, EntryKind
from hafen.conversations import access as conversation_access
from hafen.lib.http import StaffRequest
from hafen.network import views as network_views
from hafen.privacy.consent import views as consent_views

PER_PAGE = 50


def show_errors(form: Form, error: ValidationError, field: str | None = None) -> None:
    """A refusal of the domain, shown with the form (beside ``field`` if given)."""
    for message in error.messages:
        form.add_error(field, message)


def posted(request: StaffRequest) -> Any:
    return request.POST if request.method == "POST" else None


# -- the list ----------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def case_list(request: StaffRequest) -> HttpResponse:
    visible = access.cases_listed_for(request.user)
    form = forms_files.CaseFilterForm(request.user, visible, request.GET or None)
    status = 400 if form.is_bound and not form.is_valid() else 200
    wanted = form.wanted()
    cases = queries.case_list(
        request.user,
        status=wanted["status"] if wanted["status"] not in ("", "all") else None,
        team_id=wanted["team"].pk if wanted["team"] else None,
        category_id=wanted["category"].pk if wanted["category"] else None,
        mine=wanted["mine"],
    )
    if wanted["status"] == "":
        cases = cases.exclude(status=CaseStatus.CLOSED)
    page = Paginator(cases, PER_PAGE).get_page(request.GET.get("seite"))
    query = request.GET.copy()
    query.pop("seite", None)
    context = {
        "filter_form": form,
        "page": page,
        "cases": page.object_list,
        "query": query.urlencode(),
        "filtered": bool(query),
        "may_open": forms_files.writable_teams(request.user).exists(),
        "may_break_glass": may_break_glass(request.user),
    }
    return render(request, "cases/case_list.html", context, status=status)


def may_break_glass(user: Any) -> bool:
    """Counsellors and leadership may ask for emergency access (``actions.break_glass_case``)."""
    return user.organisation_id is not None and has_org_role(
        user, user.organisation_id, Role.COUNSELLOR, Role.LEADERSHIP
    )


# -- opening a case ----------------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def new_case(request: StaffRequest) -> HttpResponse:
    if not forms_files.writable_teams(request.user).exists():
        flash.info(request, _("Only counsellors of a team can open case files."))
        return redirect("cases:list")
    initial: dict[str, Any] = {}
    chat = _chat_from(request, request.GET.get("gespraech", ""))
    if chat is not None:
        initial = {"conversation": chat.pk, "team": chat.team_id, "pseudonym": chat.pseudonym}
    form = forms_files.NewCaseForm(request.user, posted(request), initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            chat = _chat_from(request, data["conversation"])
            try:
                case = actions.open_case(
                    request.user,
                    data["team"],
                    pseudonym=data["pseudonym"],
                    name=data["name"],
                    contact=data["contact"],
                    category=data["category"],
                    opened_on=data["opened_on"],
                    responsible=list(data["responsible"]),
                    form_token=data["form_token"],
                )
                if chat is not None:
                    actions.link_conversation(request.user, case, chat)
            except ValidationError as error:
                show_errors(form, error)
            else:
                flash.success(
                    request,
                    _("Case file %(reference)s opened.") % {"reference": case.reference},
                )
                return redirect("cases:case", case.pk)
    context = {"form": form, "conversation": chat}
    return render(request, "cases/case_new.html", context, status=status)


def _chat_from(request: StaffRequest, raw: object) -> Any:
    """The conversation a case is opened from, if the person may read it; else None."""
    if raw in (None, ""):
        return None
    try:
        return conversation_access.access_conversation(request.user, access.parse_id(raw))
    except Http404:
        return None


# -- the case page -----------------------------------------------------------------------


def grant_expiry(request: StaffRequest, case: Case) -> Any:
    """When the person's emergency access to the case's team ends (None: they have none)."""
    grant = (
        BreakGlass.objects.filter(
            user=request.user, team_id=case.team_id, expires_at__gt=timezone.now()
        )
        .order_by("-expires_at")
        .first()
    )
    return grant.expires_at if grant else None


PLACEHOLDER = "2147483647"


def entry_rows(entries: list[queries.EntryView]) -> list[tuple[queries.EntryView, dict[str, Any]]]:
    """Each entry with the addresses of its pages, without a ``reverse`` per link.

    ``reverse`` costs tens of microseconds; a case page of 500 entries with three
    links each spent most of its time there. Each pattern is reversed once per page,
    with a placeholder id, and filled in per entry.
    """
    patterns = {
        name: reverse(f"cases:{name}", args=[PLACEHOLDER])
        for name in ("correct_entry", "entry_history", "add_attachment", "attachment")
    }

    def link(name: str, pk: int) -> str:
        return patterns[name].replace(PLACEHOLDER, str(int(pk)))

    return [
        (
            entry,
            {
                "correct": link("correct_entry", entry.id),
                "history": link("entry_history", entry.id),
                "attach": link("add_attachment", entry.id),
                "files": [(file, link("attachment", file.id)) for file in entry.attachments],
            },
        )
        for entry in entries
    ]


@never_cache
@login_required
@require_GET
def case_page(request: StaffRequest, case_id: int) -> HttpResponse:
    case = access.access_case(request.user, case_id)
    kind = request.GET.get("art", "")
    if kind not in EntryKind.values:
        kind = ""
    page = queries.case_page(request.user, case, kind=kind or None)
    oldest_first = request.GET.get("reihenfolge") == "alt"
    entries = list(reversed(page.entries)) if oldest_first else page.entries
    context = {
        "page": page,
        "case": case,
        "entries": entry_rows(entries),
        "kind": kind,
        "kinds": EntryKind.choices,
        "oldest_first": oldest_first,
        "grant_expires": grant_expiry(request, case) if page.rights.via == "break_glass" else None,
        "now": timezone.now(),
        "consent_panel": consent_views.case_panel(case, page.rights),
        "referral_panel": network_views.case_panel(request.user, case, page.rights),
    }
    return render(request, "cases/case_page.html", context)


# -- changing and closing ----------------------------------------------------------------


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def edit_case(request: StaffRequest, case_id: int) -> HttpResponse:
    case = access.access_case(request.user, case_id, write=True)
    if request.method == "GET":  # the form shows the sealed name and contact
        rights = access.case_rights(request.user, case)
        access.record_case_read(request.user, case, part="edit", via=rights.via)
    initial = {
        "pseudonym": case.pseudonym,
        "category": case.category_id,
        "responsible": list(case.responsible.all()),
        "status": case.status,
        "closed_on": case.closed_on,
    }
    if not case.data_key.is_shredded:
        initial["name"] = case.name if case.name_sealed is not None else ""
        initial["contact"] = case.contact if case.contact_sealed is not None else ""
    form = forms_files.EditCaseForm(case, posted(request), initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                changed = actions.update_case(
                    request.user,
                    case,
                    pseudonym=data["pseudonym"],
                    name=data["name"],
                    contact=data["contact"],
                    category=data["category"],
                    responsible=list(data["responsible"]),
                    status=data["status"],
                    closed_on=data["closed_on"],
                )
            except ValidationError as error:
                show_errors(form, error)
            else:
                if changed:
                    flash.success(request, _("Case file saved."))
                else:
                    flash.info(request, _("Nothing changed."))
                return redirect("cases:case", case.pk)
    return render(request, "cases/case_edit.html", {"form": form, "case": case}, status=status)


# -- linking chat conversations ----------------------------------------------------------


def _conversation(request: StaffRequest, conversation_id: int) -> Any:
    return conversation_access.access_conversation(request.user, conversation_id)


@never_cache
@login_required
@require_GET
def conversation_cases(request: StaffRequest, conversation_id: int) -> HttpResponse:
    """The case files of a conversation, with the forms to link and unlink them.

    The inbox's conversation page lists them (``linking``) and sends here to change.
    """
    conversation = _conversation(request, conversation_id)
    linked = queries.linked_cases(request.user, conversation)
    writable = set(
        access.cases_writable_by(request.user)
        .filter(pk__in=[case.pk for case in linked])
        .values_list("pk", flat=True)
    )
    linkable = queries.linkable_cases(request.user, conversation)
    wanted = request.GET.get("fall", "")
    context = {
        "conversation": conversation,
        "linked": [(case, case.pk in writable) for case in linked],
        "linkable": linkable,
        "wanted": int(wanted) if wanted.isdigit() and len(wanted) < 12 else None,
    }
    return render(request, "cases/conversation_cases.html", context)


def _posted_case(request: StaffRequest) -> Case:
    return access.access_case(request.user, request.POST.get("case"), write=True)


@never_cache
@login_required
@require_POST
def link_conversation(request: StaffRequest, conversation_id: int) -> HttpResponse:
    conversation = _conversation(request, conversation_id)
    case = _posted_case(request)
    try:
        created = actions.link_conversation(request.user, case, conversation)
    except ValidationError as error:
        flash.error(request, " ".join(error.messages))
        return redirect("cases:conversation_cases", conversation.pk)
    if created:
        flash.success(
            request,
            _("The conversation is now linked to case file %(reference)s.")
            % {"reference": case.reference},
        )
    else:
        flash.info(request, _("The conversation was linked to this case file already."))
    return redirect("conversations:conversation", conversation.pk)


@never_cache
@login_required
@require_POST
def unlink_conversation(request: StaffRequest, conversation_id: int) -> HttpResponse:
    conversation = _conversation(request, conversation_id)
    case = _posted_case(request)
    if actions.unlink_conversation(request.user, case, conversation):
        flash.success(
            request,
            _("The conversation is no longer linked to case file %(reference)s.")
            % {"reference": case.reference},
        )
    else:
        flash.info(request, _("The conversation was not linked to this case file."))
    if request.POST.get("back") == "case":
        return redirect(reverse("cases:case", args=[case.pk]) + "#gespraeche")
    return redirect("conversations:conversation", conversation.pk)


def require_staff(request: StaffRequest) -> int:
    if request.user.organisation_id is None:
        raise Http404
    return request.user.organisation_id
