from django.urls import path

from hafen.strategy import views

app_name = "strategy"
urlpatterns = [
    path("strategie/", views.strategy, name="strategy"),
    path("strategie/entwurf/", views.draft, name="draft"),
    path("strategie/entwurf/beginnen/", views.draft_start, name="draft_start"),
    path("strategie/entwurf/verwerfen/", views.draft_discard, name="draft_discard"),
    path("strategie/entwurf/unterschreiben/", views.sign, name="sign"),
    path("strategie/entwurf/teil/<slug:section>/", views.draft_section, name="draft_section"),
    path("strategie/versionen/", views.history, name="history"),
    path("strategie/versionen/<int:number>/", views.version, name="version"),
    path("strategie/vergleich/", views.compare, name="compare"),
]
