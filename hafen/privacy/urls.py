from django.urls import path

from hafen.privacy import views

app_name = "privacy"
urlpatterns = [
    path("verzeichnis/", views.register_page, name="register"),
    path("verzeichnis/pdf/", views.register_pdf, name="register_pdf"),
]
