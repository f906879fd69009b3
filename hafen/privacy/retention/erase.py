"""Removing one record for good: shred its data key, delete its rows, remove its files.

The functions live in the apps that own the records; they are named here too, so
that retention and other callers keep one place to reach them. Callers hold the
transaction and write the proof; files are removed after it commits.
"""

from __future__ import annotations

from hafen.cases.actions.erasure import erase_case
from hafen.conversations.actions import erase_conversation

__all__ = ["erase_case", "erase_conversation"]
