from django.urls import path

from hafen.conversations.consumers import ClientConsumer, StaffConsumer

websocket_urlpatterns = [
    path("ws/k/", ClientConsumer.as_asgi()),
    path("ws/posteingang/<int:conversation_id>/", StaffConsumer.as_asgi()),
]
