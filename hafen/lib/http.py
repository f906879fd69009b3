"""Request types for views behind a login decorator."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from hafen.accounts.models import User


class StaffRequest(HttpRequest):
    """A request whose user a decorator has already checked to be logged-in staff."""

    user: User
