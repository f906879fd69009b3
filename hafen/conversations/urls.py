from django.urls import path

from hafen.conversations.views import attachments, door, inbox, inbox_settings, language
from hafen.conversations.views import settings as door_settings

app_name = "conversations"
urlpatterns = [
    # The client door: public, anonymous.
    path("k/<slug:team_slug>/", door.door, name="door"),
    path("k/<slug:team_slug>/start/", door.start, name="start"),
    path("gespraech/", door.chat, name="chat"),
    path("gespraech/senden/", door.send, name="send"),
    path("gespraech/code-notiert/", door.code_noted, name="code_noted"),
    path("gespraech/herunterladen/", door.export, name="export"),
    path("gespraech/loeschen/", door.delete, name="delete"),
    path("gespraech/anhang/<int:seq>/", attachments.client_attachment, name="client_attachment"),
    path("zurueck/", door.come_back, name="return"),
    path("verlassen/", door.leave, name="leave"),
    path("sprache/", language.switch, name="language"),
    # The team inbox: staff only, need-to-know.
    path("posteingang/", inbox.inbox, name="inbox"),
    path("posteingang/<int:conversation_id>/", inbox.conversation, name="conversation"),
    path("posteingang/<int:conversation_id>/antworten/", inbox.reply, name="reply"),
    path("posteingang/<int:conversation_id>/notiz/", inbox.add_note, name="add_note"),
    path("posteingang/liste/", inbox.inbox_list, name="inbox_list"),
    path("posteingang/<int:conversation_id>/stand/", inbox.triage_panel, name="triage_panel"),
    path("posteingang/<int:conversation_id>/uebernehmen/", inbox.take, name="take"),
    path("posteingang/<int:conversation_id>/zurueckgeben/", inbox.release, name="release"),
    path("posteingang/<int:conversation_id>/zuweisen/", inbox.assign, name="assign"),
    path("posteingang/<int:conversation_id>/status/", inbox.set_state, name="set_state"),
    path("posteingang/<int:conversation_id>/schlagwort/", inbox.label, name="label"),
    path("posteingang/<int:conversation_id>/weitergeben/", inbox.transfer, name="transfer"),
    path("posteingang/vorlagen/", inbox_settings.replies, name="replies"),
    path("posteingang/vorlagen/<int:reply_id>/", inbox_settings.edit_reply, name="edit_reply"),
    path(
        "posteingang/vorlagen/<int:reply_id>/loeschen/",
        inbox_settings.delete_reply,
        name="delete_reply",
    ),
    path("posteingang/schlagworte/", inbox_settings.labels, name="labels"),
    path(
        "posteingang/schlagworte/<int:label_id>/",
        inbox_settings.rename_label,
        name="rename_label",
    ),
    path(
        "posteingang/schlagworte/<int:label_id>/loeschen/",
        inbox_settings.delete_label,
        name="delete_label",
    ),
    path(
        "posteingang/<int:conversation_id>/anhang/<int:seq>/",
        attachments.staff_attachment,
        name="staff_attachment",
    ),
    # Door settings: leadership and administrators of the organisation.
    path("anlaufstellen/", door_settings.door_list, name="door_settings_list"),
    path("anlaufstellen/<slug:team_slug>/", door_settings.edit, name="door_settings"),
    path("anlaufstellen/<slug:team_slug>/aushang/", door_settings.poster, name="door_poster"),
    path("anlaufstellen/<slug:team_slug>/qr-code.png", door_settings.qr_png, name="door_qr"),
]
