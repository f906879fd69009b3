"""Read-side helpers for case pages, plans, minutes, to-do lists, search and figures.

Every function that returns case content takes a case (or plan, or meeting) that
came through ``access`` and records the read in the audit log itself, so a view
cannot forget it. Lists cost a fixed number of queries however long they are (the
tests count them); texts are decrypted in Python with the case's key, and read as
``None`` once the key was shredded.
"""

from hafen.cases.queries.cases import (
    AttachmentUnavailable,
    AttachmentView,
    CasePage,
    Download,
    EntryView,
    LinkedConversation,
    PlanSummary,
    VersionView,
    case_export,
    case_list,
    case_page,
    display_entry,
    entries_of,
    entry_history,
    linkable_cases,
    linked_cases,
    open_attachment,
)
from hafen.cases.queries.figures import TeamFigures, case_figures
from hafen.cases.queries.minutes import (
    ActionItemView,
    MeetingPage,
    ReviewTodo,
    due_reviews,
    meeting_list,
    meeting_page,
    minutes_teams,
    open_action_items,
    unread_notices,
)
from hafen.cases.queries.plans import (
    GoalView,
    MeasureView,
    PlanPage,
    ProgressPoint,
    ReviewView,
    offered_templates,
    plan_page,
)
from hafen.cases.search import SearchHit, SearchResult, search

__all__ = [
    "ActionItemView",
    "AttachmentUnavailable",
    "AttachmentView",
    "CasePage",
    "Download",
    "EntryView",
    "GoalView",
    "LinkedConversation",
    "MeasureView",
    "MeetingPage",
    "PlanPage",
    "PlanSummary",
    "ProgressPoint",
    "ReviewTodo",
    "ReviewView",
    "SearchHit",
    "SearchResult",
    "TeamFigures",
    "VersionView",
    "case_export",
    "case_figures",
    "case_list",
    "case_page",
    "display_entry",
    "due_reviews",
    "entries_of",
    "entry_history",
    "linkable_cases",
    "linked_cases",
    "meeting_list",
    "meeting_page",
    "minutes_teams",
    "offered_templates",
    "open_action_items",
    "open_attachment",
    "plan_page",
    "search",
    "unread_notices",
]
