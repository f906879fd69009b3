from django.urls import path

from hafen.push import views

app_name = "push"
urlpatterns = [
    path("gespraech/benachrichtigungen/", views.subscribe, name="subscribe"),
    path("gespraech/benachrichtigungen/aus/", views.unsubscribe, name="unsubscribe"),
    path("push-sw.js", views.service_worker, name="service_worker"),
]
