from django.urls import include, path

from hafen.cases.views import notices

app_name = "cases"

urlpatterns = [
    path("", include("hafen.cases.urls_files")),
    path("plaene/", include("hafen.cases.urls_plans")),
    path("besprechungen/", include("hafen.cases.urls_minutes")),
    path("hinweise/<int:notice_id>/gelesen/", notices.notice_read, name="notice_read"),
]
