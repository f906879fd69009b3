"""The pages of minutes of meetings and action items (under /faelle/besprechungen/)."""

from django.urls import path

from hafen.cases.views import minutes

urlpatterns = [
    path("", minutes.meetings, name="meetings"),
    path("neu/", minutes.meeting_new, name="meeting_new"),
    path("<int:meeting_id>/", minutes.meeting, name="meeting"),
    path("<int:meeting_id>/bearbeiten/", minutes.meeting_edit, name="meeting_edit"),
    path("<int:meeting_id>/aufgaben/", minutes.action_item_add, name="action_item_add"),
    path("aufgaben/<int:item_id>/erledigt/", minutes.action_item_done, name="action_item_done"),
]
