from django.urls import path

from hafen.accounts import views

app_name = "accounts"
urlpatterns = [
    path("anmelden/", views.login_view, name="login"),
    path("anmelden/code/", views.login_code_view, name="login_code"),
    path("abmelden/", views.logout_view, name="logout"),
    path("sicherheit/", views.security_view, name="security"),
    path("einladung/<str:token>/", views.accept_invitation_view, name="accept_invitation"),
    path("team/", views.staff_view, name="staff"),
    path("team/<int:user_id>/", views.staff_member_view, name="staff_member"),
    path(
        "team/einladung/<int:invitation_id>/widerrufen/",
        views.revoke_invitation_view,
        name="revoke_invitation",
    ),
    path("team/zwei-faktor/", views.two_factor_rule_view, name="two_factor_rule"),
]
