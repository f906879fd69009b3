"""Database sessions that take only a key shaped like one Django makes.

Django accepts any cookie value of 8 characters or more as a session key and looks it
up. A forged cookie with a NUL byte then makes PostgreSQL refuse the query, and the
request ends in a 500 (before any view, on every page). Django's own keys are 32
lowercase letters and digits; anything else is no key: a new, empty session.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

_KEY = re.compile(r"[a-z0-9]{8,40}")


class SessionStore(DatabaseSessionStore):
    def _validate_session_key(self, key: Any) -> bool:
        return isinstance(key, str) and _KEY.fullmatch(key) is not None
