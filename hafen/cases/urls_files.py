"""The pages of case files and their entries."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
