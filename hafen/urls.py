from django.urls import include, path
from django.views.i18n import JavaScriptCatalog, set_language

urlpatterns = [
    path("", include("hafen.home.urls")),
    path("konto/", include("hafen.accounts.urls")),
    path("", include("hafen.conversations.urls")),
    path("", include("hafen.push.urls")),
    path("", include("hafen.bridge.urls")),
    path("faelle/", include("hafen.cases.urls")),
    path("", include("hafen.publishing.urls")),
    path("", include("hafen.strategy.urls")),
    path("datenschutz/", include("hafen.privacy.urls")),
    path("netzwerk/", include("hafen.network.urls")),
    path("zahlen/", include("hafen.strategy.figures.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("i18n/catalog.js", JavaScriptCatalog.as_view(), name="javascript-catalog"),
]

handler400 = "hafen.home.errors.bad_request"
handler403 = "hafen.home.errors.permission_denied"
handler404 = "hafen.home.errors.not_found"
handler500 = "hafen.home.errors.server_error"
