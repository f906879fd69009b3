"""All websocket routes; each app adds its own list here."""

from hafen.conversations.routing import websocket_urlpatterns as conversation_routes
from hafen.home.routing import websocket_urlpatterns as home_routes

websocket_urlpatterns = [*home_routes, *conversation_routes]
