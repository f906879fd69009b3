from django.urls import path

from hafen.strategy.figures import views

app_name = "figures"
urlpatterns = [
    path("", views.index, name="index"),
    path("jahresbericht/", views.annual_report, name="report"),
    path("<slug:slug>/", views.section, name="section"),
    path("<slug:slug>/<slug:key>.csv", views.download, name="download"),
]
