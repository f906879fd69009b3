from django.urls import path

from hafen.bridge import views

app_name = "bridge"
urlpatterns = [
    # Staff: make a handover from the inbox; leadership: texts and figures.
    path("posteingang/uebergabe/", views.handovers, name="handovers"),
    path("uebergaben/antworttexte/", views.reply_texts, name="reply_texts"),
    path("uebergaben/zahlen/", views.funnel, name="funnel"),
    # The client's landing: public, anonymous, short (it is typed from flyers too).
    path("b/<str:token>/", views.landing, name="landing"),
]
