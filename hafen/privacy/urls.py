from django.urls import path

from hafen.privacy import views
from hafen.privacy.consent import views as consent

app_name = "privacy"
urlpatterns = [
    path("verzeichnis/", views.register_page, name="register"),
    path("verzeichnis/pdf/", views.register_pdf, name="register_pdf"),
    # consent: the DPO's texts and records, and a case file's consents
    path("einwilligungen/", consent.overview, name="consent_overview"),
    path(
        "einwilligungen/fall/<int:case_id>/<slug:kind>/erfassen/",
        consent.case_record,
        name="consent_case_record",
    ),
    path(
        "einwilligungen/fall/<int:case_id>/<slug:kind>/widerrufen/",
        consent.case_withdraw,
        name="consent_case_withdraw",
    ),
    path("einwilligungen/<slug:kind>/", consent.history, name="consent_history"),
    path("einwilligungen/<slug:kind>/neu/", consent.publish, name="consent_publish"),
    path(
        "einwilligungen/<slug:kind>/<int:number>/", consent.version, name="consent_version"
    ),
    path(
        "einwilligungen/<slug:kind>/<int:number>/erteilt/",
        consent.records,
        name="consent_records",
    ),
]
