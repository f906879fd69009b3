from django.urls import path

from hafen.network import views, views_events

app_name = "network"
urlpatterns = [
    # The directory of partner organisations, their contacts and agreements.
    path("", views.directory, name="directory"),
    path("partner/neu/", views.partner_new, name="partner_new"),
    path("partner/import/", views.partner_import, name="partner_import"),
    path("partner/export.csv", views.partner_export, name="partner_export"),
    path("partner/<int:partner_id>/", views.partner, name="partner"),
    path("partner/<int:partner_id>/bearbeiten/", views.partner_edit, name="partner_edit"),
    path("partner/<int:partner_id>/kontakt/", views.contact_add, name="contact_add"),
    path("kontakt/<int:contact_id>/", views.contact_edit, name="contact_edit"),
    path("kontakt/<int:contact_id>/bestaetigen/", views.contact_confirm, name="contact_confirm"),
    path("kontakt/<int:contact_id>/loeschen/", views.contact_delete, name="contact_delete"),
    path("partner/<int:partner_id>/vereinbarung/", views.agreement_add, name="agreement_add"),
    path("vereinbarung/<int:agreement_id>/", views.agreement_edit, name="agreement_edit"),
    # Referrals from a case file.
    path("vermittlung/fall/<int:case_id>/", views.referral_new, name="referral_new"),
    path(
        "vermittlung/<int:referral_id>/ergebnis/", views.referral_outcome, name="referral_outcome"
    ),
    # Events and the calendar feed.
    path("veranstaltungen/", views_events.events, name="events"),
    path("veranstaltungen/neu/", views_events.event_new, name="event_new"),
    path("veranstaltungen/<int:event_id>/", views_events.event, name="event"),
    path("veranstaltungen/<int:event_id>/bearbeiten/", views_events.event_edit, name="event_edit"),
    path(
        "veranstaltungen/<int:event_id>/teilnahme/",
        views_events.event_attend,
        name="event_attend",
    ),
    path("kalender/", views_events.feed_settings, name="feed_settings"),
    path("kalender/<str:feed_token>.ics", views_events.feed, name="feed"),
]
