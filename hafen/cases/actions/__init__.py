"""Every write to case documentation: validate, write, audit, in one transaction.

One module per concept (cases, entries, plans, minutes, templates, reminders);
``from hafen.cases import actions`` and ``actions.add_entry(...)`` reach them all.
Bad input raises ``ValidationError`` with a message in the user's language and
changes nothing; a person without access gets ``Http404`` (or ``PermissionDenied``
when they may read but not do this).
"""

from hafen.cases.actions._common import KEEP
from hafen.cases.actions.cases import (
    break_glass_case,
    create_category,
    link_conversation,
    open_case,
    record_disclosure,
    set_case_settings,
    set_category_active,
    unlink_conversation,
    update_case,
)
from hafen.cases.actions.entries import (
    ATTACHMENT_CONTEXT,
    Correction,
    add_attachment,
    add_entry,
    correct_entry,
)
from hafen.cases.actions.erasure import erase_case
from hafen.cases.actions.minutes import (
    add_action_item,
    complete_action_item,
    create_meeting,
    update_meeting,
)
from hafen.cases.actions.plans import (
    add_goal,
    add_measure,
    create_plan,
    new_plan_version,
    record_agreement,
    record_review,
    schedule_review,
    set_plan_status,
    update_plan,
)
from hafen.cases.actions.reminders import (
    forget_old_form_tokens,
    mark_notice_read,
    send_review_reminders,
)
from hafen.cases.actions.templates import Draft, apply_template, create_template, update_template

__all__ = [
    "ATTACHMENT_CONTEXT",
    "KEEP",
    "Correction",
    "Draft",
    "add_action_item",
    "add_attachment",
    "add_entry",
    "add_goal",
    "add_measure",
    "apply_template",
    "break_glass_case",
    "complete_action_item",
    "correct_entry",
    "create_category",
    "create_meeting",
    "create_plan",
    "create_template",
    "erase_case",
    "forget_old_form_tokens",
    "link_conversation",
    "mark_notice_read",
    "new_plan_version",
    "open_case",
    "record_agreement",
    "record_disclosure",
    "record_review",
    "schedule_review",
    "send_review_reminders",
    "set_case_settings",
    "set_category_active",
    "set_plan_status",
    "unlink_conversation",
    "update_case",
    "update_meeting",
    "update_plan",
    "update_template",
]
