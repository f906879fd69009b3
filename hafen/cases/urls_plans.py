"""The pages of help and support plans (under /faelle/plaene/)."""

from django.urls import path

from hafen.cases.views import plans

urlpatterns = [
    path("neu/<int:case_id>/", plans.plan_new, name="plan_new"),
    path("<int:plan_id>/", plans.plan, name="plan"),
    path("<int:plan_id>/bearbeiten/", plans.plan_edit, name="plan_edit"),
    path("<int:plan_id>/ziele/", plans.goal_add, name="plan_goal_add"),
    path(
        "<int:plan_id>/ziele/<int:goal_id>/massnahmen/",
        plans.measure_add,
        name="plan_measure_add",
    ),
    path("<int:plan_id>/ueberpruefungen/", plans.review_schedule, name="plan_review_schedule"),
    path(
        "<int:plan_id>/ueberpruefungen/<int:review_id>/",
        plans.review_record,
        name="plan_review_record",
    ),
    path("<int:plan_id>/zustimmung/", plans.agreement, name="plan_agreement"),
    path("<int:plan_id>/status/", plans.plan_status, name="plan_status"),
    path("<int:plan_id>/neue-version/", plans.new_version, name="plan_new_version"),
    path("<int:plan_id>/pdf/", plans.plan_export, name="plan_export"),
]
