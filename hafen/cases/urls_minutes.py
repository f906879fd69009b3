"""The pages of minutes of meetings and action items."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
