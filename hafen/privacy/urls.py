from django.urls import path

from hafen.privacy import views
from hafen.privacy.cockpit import views as cockpit
from hafen.privacy.consent import views as consent
from hafen.privacy.requests import views as requests
from hafen.privacy.retention import views as retention

app_name = "privacy"
urlpatterns = [
    path("", cockpit.cockpit, name="cockpit"),
    path("protokoll/", cockpit.audit_log, name="audit_log"),
    path("fall/<int:case_id>/zugriffe/", cockpit.case_access_report, name="case_access"),
    path("verzeichnis/", views.register_page, name="register"),
    path("verzeichnis/pdf/", views.register_pdf, name="register_pdf"),
    path("aufbewahrung/", retention.overview, name="retention"),
    path("aufbewahrung/vorschau/", retention.preview, name="retention_preview"),
    path("aufbewahrung/regel/<slug:data_kind>/", retention.edit_rule, name="retention_rule"),
    path(
        "aufbewahrung/kategorie/<int:category_id>/",
        retention.mark_category,
        name="retention_category",
    ),
    path("fall/", retention.find_case, name="find_case"),
    path("fall/<int:case_id>/", retention.case_page, name="case"),
    path("fall/<int:case_id>/<slug:what>/", retention.case_change, name="case_change"),
    path("aufheben/<slug:what>/<int:lock_id>/", retention.lift, name="lift"),
    path("eingeschraenkt/<int:case_id>/", retention.restricted_read, name="restricted_read"),
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
    path("einwilligungen/<slug:kind>/<int:number>/", consent.version, name="consent_version"),
    path(
        "einwilligungen/<slug:kind>/<int:number>/erteilt/",
        consent.records,
        name="consent_records",
    ),
]
