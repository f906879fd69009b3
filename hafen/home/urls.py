from django.urls import path

from hafen.home import views

app_name = "home"
urlpatterns = [
    path("", views.index, name="index"),
    path("start/", views.start, name="start"),
    path("start/<slug:role>/", views.role_page, name="role"),
    path("audit/verify/", views.verify_audit, name="verify_audit"),
]
