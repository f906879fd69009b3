from django.urls import path

from hafen.privacy import views
from hafen.privacy.requests import views as requests

app_name = "privacy"
urlpatterns = [
    path("verzeichnis/", views.register_page, name="register"),
    path("verzeichnis/pdf/", views.register_pdf, name="register_pdf"),
    # data-subject requests about case files (the DSB's workflow)
    path("anfragen/", requests.request_list, name="requests"),
    path("anfragen/neu/", requests.request_new, name="request_new"),
    path("anfragen/<int:request_id>/", requests.request_page, name="request"),
    path("anfragen/<int:request_id>/frist/", requests.request_extend, name="request_extend"),
    path("anfragen/<int:request_id>/export/", requests.request_export, name="request_export"),
    path("anfragen/<int:request_id>/loeschen/", requests.request_erase, name="request_erase"),
    path(
        "anfragen/<int:request_id>/einschraenken/",
        requests.request_restrict,
        name="request_restrict",
    ),
    path("anfragen/<int:request_id>/abschliessen/", requests.request_close, name="request_close"),
]
