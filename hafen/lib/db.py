"""Database calls from async code (websocket consumers), off the event loop.

Channels runs every database call of a process in one thread, one after the other:
each waits for the round trips and the commit of the one before, so a process could
not store more messages a second than one connection can commit. On PostgreSQL the
calls run in a small pool of threads instead, each taking a connection from Django's
connection pool, so that the writes of different sockets overlap (and their commits
share the disk flush). SQLite takes one writer at a time anyway: there the single
thread stays, and nobody waits on the database's write lock.

Calls of one socket still run one after the other: a consumer handles one frame or
event at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import Any

from channels.db import DatabaseSyncToAsync
from django.conf import settings
from django.db import connection


@cache
def _executor() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=settings.HAFEN_DB_THREADS, thread_name_prefix="hafen-db")


def in_thread(func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` as an awaitable that runs in a database thread (see the module)."""
    if connection.vendor == "postgresql":
        return DatabaseSyncToAsync(func, thread_sensitive=False, executor=_executor())
    return DatabaseSyncToAsync(func)
