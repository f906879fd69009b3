"""All websocket routes; each app adds its own list here."""

from hafen.home.routing import websocket_urlpatterns as home_routes

websocket_urlpatterns = [*home_routes]
