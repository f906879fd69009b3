"""Search over the case files a person may see (``hafen.cases.search`` says how, with
encrypted content). A GET form: the address can be bookmarked, the back button works."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from hafen.cases import forms_files, queries
from hafen.cases.search import MIN_QUERY_CHARS
from hafen.lib.http import StaffRequest


@never_cache
@login_required
@require_GET
def search(request: StaffRequest) -> HttpResponse:
    form = forms_files.SearchForm(request.GET or None)
    result = None
    status = 200
    if form.is_bound:
        if form.is_valid():
            result = queries.search(request.user, form.cleaned_data["q"])
        else:
            status = 400
    context = {"form": form, "result": result, "min_chars": MIN_QUERY_CHARS}
    return render(request, "cases/search.html", context, status=status)
