"""The pages of help and support plans."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
