from django.urls import include, path

app_name = "cases"

urlpatterns = [
    path("", include("hafen.cases.urls_files")),
    path("plaene/", include("hafen.cases.urls_plans")),
    path("besprechungen/", include("hafen.cases.urls_minutes")),
]
