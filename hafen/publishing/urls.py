from django.urls import path

from hafen.publishing import news, newsletter_views, views

app_name = "publishing"
urlpatterns = [
    # Staff: posts, calendar, campaigns, channels, approvers, guidelines.
    path("oeffentlichkeit/", views.post_list, name="posts"),
    path("oeffentlichkeit/neu/", views.post_new, name="post_new"),
    path("oeffentlichkeit/<int:post_id>/", views.post_detail, name="post"),
    path("oeffentlichkeit/<int:post_id>/bearbeiten/", views.post_edit, name="post_edit"),
    path("oeffentlichkeit/<int:post_id>/versionen/", views.post_history, name="post_history"),
    path("oeffentlichkeit/<int:post_id>/kommentar/", views.post_comment, name="post_comment"),
    path("oeffentlichkeit/<int:post_id>/bild/", views.post_image_add, name="post_image_add"),
    path("oeffentlichkeit/<int:post_id>/bild/<int:image_id>/", views.post_image, name="post_image"),
    path("oeffentlichkeit/<int:post_id>/einreichen/", views.post_submit, name="post_submit"),
    path("oeffentlichkeit/<int:post_id>/freigabe/", views.post_review, name="post_review"),
    path(
        "oeffentlichkeit/zustellung/<int:delivery_id>/erneut/",
        views.delivery_retry,
        name="delivery_retry",
    ),
    path(
        "oeffentlichkeit/zustellung/<int:delivery_id>/erledigt/",
        views.delivery_done,
        name="delivery_done",
    ),
    path("oeffentlichkeit/kalender/", views.calendar, name="calendar"),
    path("oeffentlichkeit/kampagnen/", views.campaigns, name="campaigns"),
    path("oeffentlichkeit/kanaele/", views.channels, name="channels"),
    path("oeffentlichkeit/kanaele/<int:channel_id>/", views.channel_edit, name="channel"),
    path("oeffentlichkeit/freigebende/", views.approvers, name="approvers"),
    path("oeffentlichkeit/leitlinien/", views.guideline_list, name="guidelines"),
    path("oeffentlichkeit/leitlinien/neu/", views.guideline_publish, name="guideline_publish"),
    path(
        "oeffentlichkeit/leitlinien/bestaetigen/",
        views.guideline_acknowledge,
        name="guideline_acknowledge",
    ),
    path("oeffentlichkeit/leitlinien/offen/", views.guideline_pending, name="guideline_pending"),
    # The public news page of an organisation: /n/<organisation slug>/.
    path("n/<slug:org_slug>/", news.news, name="news"),
    path("n/<slug:org_slug>/rss/", news.NewsRss(), name="news_rss"),
    path("n/<slug:org_slug>/atom/", news.NewsAtom(), name="news_atom"),
    path("n/<slug:org_slug>/<int:post_id>/", news.news_post, name="news_post"),
    path(
        "n/<slug:org_slug>/newsletter/", newsletter_views.subscribe, name="newsletter_subscribe"
    ),
    path(
        "n/<slug:org_slug>/newsletter/<int:subscriber_id>/<str:token>/bestaetigen/",
        newsletter_views.confirm,
        name="newsletter_confirm",
    ),
    path(
        "n/<slug:org_slug>/newsletter/<int:subscriber_id>/<str:token>/abmelden/",
        newsletter_views.unsubscribe,
        name="newsletter_unsubscribe",
    ),
    path(
        "n/<slug:org_slug>/<int:post_id>/bild/<int:image_id>/",
        news.news_image,
        name="news_image",
    ),
]
