"""The pages of case files and their entries (German addresses, like the rest of Hafen)."""

from django.urls import path

from hafen.cases.views import break_glass, entries, exports, files, search, templates_admin

urlpatterns = [
    path("", files.case_list, name="list"),
    path("neu/", files.new_case, name="new"),
    path("<int:case_id>/", files.case_page, name="case"),
    path("<int:case_id>/bearbeiten/", files.edit_case, name="edit"),
    path("<int:case_id>/eintrag/", entries.new_entry, name="new_entry"),
    path("<int:case_id>/export/", exports.export_case, name="export"),
    path("eintrag/<int:entry_id>/korrigieren/", entries.correct_entry, name="correct_entry"),
    path("eintrag/<int:entry_id>/versionen/", entries.entry_history, name="entry_history"),
    path("eintrag/<int:entry_id>/anhang/", entries.add_attachment, name="add_attachment"),
    path("anhang/<int:attachment_id>/", entries.attachment, name="attachment"),
    path("suche/", search.search, name="search"),
    path("vorlagen/", templates_admin.templates, name="templates"),
    path("vorlagen/<int:template_id>/", templates_admin.edit_template, name="edit_template"),
    path("notfallzugang/", break_glass.break_glass, name="break_glass"),
    path(
        "gespraech/<int:conversation_id>/",
        files.conversation_cases,
        name="conversation_cases",
    ),
    path(
        "gespraech/<int:conversation_id>/verknuepfen/",
        files.link_conversation,
        name="link_conversation",
    ),
    path(
        "gespraech/<int:conversation_id>/loesen/",
        files.unlink_conversation,
        name="unlink_conversation",
    ),
]
