from django.urls import path

from hafen.home.consumers import StaffEventsConsumer

websocket_urlpatterns = [
    path("ws/staff/", StaffEventsConsumer.as_asgi()),
]
