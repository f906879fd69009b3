"""Who may use which URL: one declared rule for every named URL and websocket route.

The rules are a declaration, not the enforcement: each view still guards itself (its
decorators and the apps' ``access.py``). ``hafen/home/tests/test_url_access.py`` walks the
whole URL configuration, fails on any URL without a rule here, and requests every URL as
every persona to check that the views behave as declared.
"""

from __future__ import annotations

from dataclasses import dataclass

from hafen.accounts.models import Role


@dataclass(frozen=True)
class Rule:
    """``kind`` is one of the constants below; ``roles`` only for ``ROLE``."""

    kind: str
    roles: frozenset[str] = frozenset()

    def __str__(self) -> str:
        return f"{self.kind}({', '.join(sorted(self.roles))})" if self.roles else self.kind


# Anyone, including anonymous clients of the client door.
PUBLIC = Rule("public")
# The client's own conversation, known only through its browser session.
CLIENT_SESSION = Rule("client_session")
# Any logged-in staff member of any organisation.
STAFF = Rule("staff")
# Staff who pass an object-level check (a conversation or case of their team, a plan or
# meeting of such a case, their own notice); everybody else gets 404 (or 403), so that
# the ids of others reveal nothing.
OBJECT = Rule("object")


def ROLE(*roles: Role) -> Rule:
    """Staff holding one of ``roles``, for their own organisation only (objects of
    another organisation in the URL give 404)."""
    return Rule("role", frozenset(str(role) for role in roles))


_LEAD = ROLE(Role.LEADERSHIP)
# Settings of the organisation: canned replies, labels, client doors, templates.
_MANAGE = ROLE(Role.LEADERSHIP, Role.ADMIN)
_ADMIN = ROLE(Role.ADMIN)
_DPO = ROLE(Role.DPO)
_KEEP = ROLE(Role.DPO, Role.LEADERSHIP)
_POSTS = ROLE(Role.COMMUNICATIONS, Role.COUNSELLOR, Role.LEADERSHIP)
_NETWORK_READ = ROLE(*Role)
_NETWORK_EDIT = ROLE(Role.COUNSELLOR, Role.LEADERSHIP, Role.COMMUNICATIONS)

RULES: dict[str, Rule] = {
    # home
    "home:index": STAFF,  # a redirect to the start page
    "home:start": STAFF,
    "home:role": OBJECT,  # the page of a role the user holds; others go to their start page
    "home:verify_audit": ROLE(Role.DPO),
    # accounts
    "accounts:login": PUBLIC,
    "accounts:login_code": PUBLIC,  # the second step after a password
    "accounts:logout": PUBLIC,
    "accounts:security": STAFF,
    "accounts:accept_invitation": PUBLIC,  # the one-time token is the key
    "accounts:staff": _ADMIN,
    "accounts:staff_member": _ADMIN,
    "accounts:revoke_invitation": _ADMIN,
    "accounts:two_factor_rule": _ADMIN,
    # the client door
    "conversations:door": PUBLIC,
    "conversations:start": PUBLIC,
    "conversations:return": PUBLIC,
    "conversations:leave": PUBLIC,
    "conversations:language": PUBLIC,
    # only forgets the "write your code down" flag of the caller's own session
    "conversations:code_noted": PUBLIC,
    "conversations:chat": CLIENT_SESSION,
    "conversations:send": CLIENT_SESSION,
    "conversations:export": CLIENT_SESSION,
    "conversations:delete": CLIENT_SESSION,
    "conversations:client_attachment": CLIENT_SESSION,
    "push:subscribe": CLIENT_SESSION,
    "push:unsubscribe": CLIENT_SESSION,
    "push:service_worker": PUBLIC,
    # the inbox
    "conversations:inbox": STAFF,
    "conversations:inbox_list": STAFF,
    "conversations:conversation": OBJECT,
    "conversations:reply": OBJECT,
    "conversations:add_note": OBJECT,
    "conversations:triage_panel": OBJECT,
    "conversations:take": OBJECT,
    "conversations:release": OBJECT,
    "conversations:assign": OBJECT,
    "conversations:set_state": OBJECT,
    "conversations:label": OBJECT,
    "conversations:transfer": OBJECT,
    "conversations:staff_attachment": OBJECT,
    "conversations:replies": STAFF,
    "conversations:edit_reply": _MANAGE,
    "conversations:delete_reply": _MANAGE,
    "conversations:labels": _MANAGE,
    "conversations:rename_label": _MANAGE,
    "conversations:delete_label": _MANAGE,
    "conversations:door_settings_list": _MANAGE,
    "conversations:door_settings": _MANAGE,
    "conversations:door_poster": _MANAGE,
    "conversations:door_qr": _MANAGE,
    # handovers from social media and partners
    "bridge:handovers": ROLE(Role.COUNSELLOR, Role.VOLUNTEER),
    "bridge:reply_texts": _MANAGE,
    "bridge:funnel": _LEAD,
    "bridge:landing": PUBLIC,  # the one-time token is the key
    # case files
    "cases:list": STAFF,
    "cases:new": ROLE(Role.COUNSELLOR),  # others are sent to the list
    "cases:case": OBJECT,
    "cases:edit": OBJECT,
    "cases:new_entry": OBJECT,
    "cases:export": OBJECT,
    "cases:correct_entry": OBJECT,
    "cases:entry_history": OBJECT,
    "cases:add_attachment": OBJECT,
    "cases:attachment": OBJECT,
    "cases:search": STAFF,
    "cases:templates": STAFF,
    "cases:edit_template": _MANAGE,
    "cases:break_glass": ROLE(Role.COUNSELLOR, Role.LEADERSHIP),
    "cases:conversation_cases": OBJECT,
    "cases:link_conversation": OBJECT,
    "cases:unlink_conversation": OBJECT,
    "cases:plan_new": OBJECT,
    "cases:plan": OBJECT,
    "cases:plan_edit": OBJECT,
    "cases:plan_goal_add": OBJECT,
    "cases:plan_measure_add": OBJECT,
    "cases:plan_review_schedule": OBJECT,
    "cases:plan_review_record": OBJECT,
    "cases:plan_agreement": OBJECT,
    "cases:plan_status": OBJECT,
    "cases:plan_new_version": OBJECT,
    "cases:plan_export": OBJECT,
    "cases:meetings": STAFF,
    "cases:meeting_new": ROLE(Role.COUNSELLOR),
    "cases:meeting": OBJECT,
    "cases:meeting_edit": OBJECT,
    "cases:action_item_add": OBJECT,
    "cases:action_item_done": OBJECT,
    "cases:notice_read": OBJECT,  # one's own notices only
    # data protection
    "privacy:register": ROLE(Role.LEADERSHIP, Role.DPO, Role.ADMIN),
    "privacy:register_pdf": ROLE(Role.LEADERSHIP, Role.DPO, Role.ADMIN),
    # the cockpit: who read what is the DPO's to know
    "privacy:cockpit": _DPO,
    "privacy:audit_log": _DPO,
    "privacy:case_access": _DPO,
    # retention, holds and restriction: the DPO and leadership (no content on these pages)
    "privacy:retention": _KEEP,
    "privacy:retention_preview": _KEEP,
    "privacy:retention_rule": _KEEP,
    "privacy:retention_category": _KEEP,
    "privacy:find_case": _KEEP,
    "privacy:case": _KEEP,
    "privacy:case_change": _KEEP,
    "privacy:lift": _KEEP,
    # staff who may see the case state why they read it while processing is restricted
    "privacy:restricted_read": OBJECT,
    # data-subject requests: the DPO of the request's organisation; everybody else 404
    "privacy:requests": ROLE(Role.DPO),
    "privacy:request_new": ROLE(Role.DPO),
    "privacy:request": ROLE(Role.DPO),
    "privacy:request_extend": ROLE(Role.DPO),
    "privacy:request_export": ROLE(Role.DPO),
    "privacy:request_erase": ROLE(Role.DPO),
    "privacy:request_restrict": ROLE(Role.DPO),
    "privacy:request_close": ROLE(Role.DPO),
    # consent: the DPO publishes texts and sees who agreed; leadership reads the texts
    "privacy:consent_overview": ROLE(Role.DPO, Role.LEADERSHIP),
    "privacy:consent_history": ROLE(Role.DPO, Role.LEADERSHIP),
    "privacy:consent_version": ROLE(Role.DPO, Role.LEADERSHIP),
    "privacy:consent_publish": ROLE(Role.DPO),
    "privacy:consent_records": ROLE(Role.DPO),
    "privacy:consent_case_record": OBJECT,  # who may write the case file
    "privacy:consent_case_withdraw": OBJECT,
    # public communication: posts for communications, counsellors and leadership of the
    # organisation (approving is checked in the page: leadership and named approvers, never
    # the author); channels for communications and leadership; guidelines for all staff
    "publishing:posts": _POSTS,
    "publishing:post_new": _POSTS,
    "publishing:post": _POSTS,
    "publishing:post_edit": _POSTS,
    "publishing:post_history": _POSTS,
    "publishing:post_comment": _POSTS,
    "publishing:post_image_add": _POSTS,
    "publishing:post_image": _POSTS,
    "publishing:post_submit": _POSTS,
    "publishing:post_review": _POSTS,
    "publishing:delivery_retry": _POSTS,
    "publishing:delivery_done": _POSTS,
    "publishing:calendar": _POSTS,
    "publishing:campaigns": _POSTS,
    "publishing:channels": ROLE(Role.COMMUNICATIONS, Role.LEADERSHIP),
    "publishing:channel": ROLE(Role.COMMUNICATIONS, Role.LEADERSHIP),
    "publishing:approvers": _LEAD,
    "publishing:guidelines": STAFF,
    "publishing:guideline_acknowledge": STAFF,
    "publishing:guideline_publish": _LEAD,
    "publishing:guideline_pending": ROLE(Role.COMMUNICATIONS, Role.LEADERSHIP),
    # the organisation's public news page and its feeds
    "publishing:news": PUBLIC,
    "publishing:news_rss": PUBLIC,
    "publishing:news_atom": PUBLIC,
    "publishing:news_post": PUBLIC,
    "publishing:news_image": PUBLIC,
    # the communication strategy: the signed version for all staff of the organisation;
    # drafts, versions and comparison for leadership and communications (the draft
    # section, with a name in the URL, is 404 for others); signing for leadership
    "strategy:strategy": STAFF,
    "strategy:draft": ROLE(Role.LEADERSHIP, Role.COMMUNICATIONS),
    "strategy:draft_start": ROLE(Role.LEADERSHIP, Role.COMMUNICATIONS),
    "strategy:draft_discard": ROLE(Role.LEADERSHIP, Role.COMMUNICATIONS),
    "strategy:draft_section": ROLE(Role.LEADERSHIP, Role.COMMUNICATIONS),
    "strategy:sign": _LEAD,
    "strategy:history": ROLE(Role.LEADERSHIP, Role.COMMUNICATIONS),
    "strategy:version": ROLE(Role.LEADERSHIP, Role.COMMUNICATIONS),
    "strategy:compare": ROLE(Role.LEADERSHIP, Role.COMMUNICATIONS),
    # the partner network: all staff of the organisation read the directory and events
    # and sign up; counsellors, leadership and communications edit; referrals follow the
    # case file; the calendar feed's secret in the address is the key
    "network:directory": STAFF,
    "network:partner_new": _NETWORK_EDIT,
    "network:partner_import": _NETWORK_EDIT,
    "network:partner_export": STAFF,
    "network:partner": _NETWORK_READ,
    "network:partner_edit": _NETWORK_EDIT,
    "network:contact_add": _NETWORK_EDIT,
    "network:contact_edit": _NETWORK_EDIT,
    "network:contact_confirm": _NETWORK_EDIT,
    "network:contact_delete": _NETWORK_EDIT,
    "network:agreement_add": _NETWORK_EDIT,
    "network:agreement_edit": _NETWORK_EDIT,
    "network:referral_new": OBJECT,
    "network:referral_outcome": OBJECT,
    "network:events": STAFF,
    "network:event_new": _NETWORK_EDIT,
    "network:event": _NETWORK_READ,
    "network:event_edit": _NETWORK_EDIT,
    "network:event_attend": _NETWORK_READ,
    "network:feed_settings": STAFF,
    "network:feed": PUBLIC,
    # the newsletter: subscribing, and the links of its mails (which carry a keyed token)
    "publishing:newsletter_subscribe": PUBLIC,
    "publishing:newsletter_confirm": PUBLIC,
    "publishing:newsletter_unsubscribe": PUBLIC,
    # figures measured from the live system: leadership only, counts without content
    "figures:index": _LEAD,
    "figures:section": _LEAD,
    "figures:download": _LEAD,
    "figures:report": _LEAD,
    # language
    "set_language": PUBLIC,
    "javascript-catalog": PUBLIC,
}

# Websocket routes have no names; they are declared by their path pattern.
WEBSOCKET_RULES: dict[str, Rule] = {
    "ws/staff/": STAFF,
    "ws/k/": CLIENT_SESSION,
    "ws/posteingang/<int:conversation_id>/": OBJECT,
}
