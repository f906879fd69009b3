"""Search over the case files a person may see, although their content is encrypted.

How it works. The database holds entries only as ciphertext, so it cannot search
them. ``search`` therefore:

1. asks the database for the cases the person may see (``access.cases_visible_to``)
   and matches the file number and pseudonym (plain) and the name (decrypted);
2. streams the current version of every entry of those cases that the person may
   read — entrusted and third-party entries only for their author and substitute,
   decided in the query — in batches of ``BATCH`` rows, newest first, decrypts each
   text in Python and matches it case-insensitively (Unicode case folding);
3. stops at ``limit`` hits (the result says it is incomplete then) and records one
   audit entry per case that appears in the result (the search words are never
   logged: they may be a client's name).

The trade-off. The usual alternative is a blind index: a keyed hash of every word
stored beside the ciphertext, so the database can find entries by word. It is fast,
but it leaks to anybody with the database which entries share words and how often
each word occurs — in a small organisation enough to tell that the same rare
surname appears in twelve case files — and it can only match whole words. Decrypting
on the fly keeps the database blind and matches any part of a word; it costs CPU
time proportional to what the person may see (one AES-GCM decryption per entry).
Search covers the current version of each entry; corrected-away wording is not
found. ``bench/cases.py`` measures it for a counsellor of a realistic organisation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q

from hafen.accounts.models import User
from hafen.cases import access
from hafen.cases.models import ENTRY_TEXT_CONTEXT, Case, CaseEntry, Confidentiality, EntryKind
from hafen.privacy import crypto

MIN_QUERY_CHARS = 2
MAX_QUERY_CHARS = 200
MAX_HITS = 50
BATCH = 500
SNIPPET_CHARS = 80

_KIND_LABELS = dict(EntryKind.choices)


@dataclass(frozen=True)
class SearchHit:
    case_id: int
    reference: str
    pseudonym: str
    where: str  # "reference", "pseudonym", "name" or "entry"
    entry_id: int | None = None
    occurred_on: date | None = None
    kind_label: str = ""
    snippet: str = ""


@dataclass(frozen=True)
class SearchResult:
    query: str
    hits: list[SearchHit] = field(default_factory=list)
    complete: bool = True  # False: there may be more than ``limit`` hits
    entries_searched: int = 0
    too_short: bool = False


def normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _snippet(text: str, query: str) -> str:
    """The part of ``text`` around the first match, on one line."""
    flat = " ".join(text.split())
    match = re.search(re.escape(query), flat, flags=re.IGNORECASE)
    start = max(0, (match.start() if match else 0) - SNIPPET_CHARS // 2)
    end = min(len(flat), start + SNIPPET_CHARS + len(query))
    return ("…" if start else "") + flat[start:end] + ("…" if end < len(flat) else "")


def _identity_hits(cases: list[Case], needle: str, query: str) -> list[SearchHit]:
    hits = []
    for case in cases:
        where = ""
        if needle in normalise(case.reference):
            where = "reference"
        elif needle in normalise(case.pseudonym):
            where = "pseudonym"
        elif (
            case.name_sealed is not None
            and not case.data_key.is_shredded
            and needle in normalise(case.name)
        ):
            where = "name"
        if where:
            hits.append(SearchHit(case.pk, case.reference, case.pseudonym, where))
    return hits


def search(user: User, text: str, *, limit: int = MAX_HITS) -> SearchResult:
    """Cases and entries matching ``text`` among what ``user`` may read; audited."""
    query = " ".join(str(text).split())[:MAX_QUERY_CHARS]
    needle = normalise(query)
    if len(needle) < MIN_QUERY_CHARS:
        return SearchResult(query, too_short=True)
    visible = access.cases_visible_to(user)
    cases = {case.pk: case for case in visible.select_related("data_key")}
    hits = _identity_hits(list(cases.values()), needle, query)[:limit]
    readable = Q(confidentiality=Confidentiality.NORMAL) | Q(author=user) | Q(substitute=user)
    # The ids, not a subquery: the database then walks the entries by key, batch by
    # batch, without evaluating who may see what again for every batch.
    live = [pk for pk, case in cases.items() if not case.data_key.is_shredded]
    entries = (
        CaseEntry.objects.filter(case_id__in=live)
        .filter(readable)
        .filter(current_version__isnull=False)
        .order_by("-pk")
        .values_list("pk", "case_id", "occurred_on", "kind", "current_version__text_sealed")
    )
    searched = 0
    openers: dict[int, Callable[[bytes], str] | None] = {}  # one unwrapped key per case
    before: int | None = None
    complete = len(hits) < limit
    while complete:
        rows = list((entries.filter(pk__lt=before) if before else entries)[:BATCH])
        if not rows:
            break
        for entry_id, case_id, occurred_on, kind, sealed in rows:
            searched += 1
            case = cases[case_id]
            try:
                if case_id not in openers:
                    openers[case_id] = crypto.text_opener(case.data_key, context=ENTRY_TEXT_CONTEXT)
                open_text = openers[case_id]
                body = open_text(bytes(sealed)) if open_text else ""
            except crypto.CryptoError:
                openers.setdefault(case_id, None)  # a shredded key: its entries are gone
                continue
            # Texts are stored in NFC (validation): a needle without spaces is found by
            # case folding alone; only a phrase needs the whitespace evened out.
            folded = body.casefold()
            if needle not in (folded if " " not in needle else " ".join(folded.split())):
                continue
            hits.append(
                SearchHit(
                    case_id,
                    case.reference,
                    case.pseudonym,
                    "entry",
                    entry_id,
                    occurred_on,
                    str(_KIND_LABELS.get(kind, kind)),
                    _snippet(body, query),
                )
            )
            if len(hits) >= limit:
                complete = False
                break
        before = rows[-1][0]
    for case_id in dict.fromkeys(hit.case_id for hit in hits):
        access.record_case_read(user, cases[case_id], part="search")
    return SearchResult(query, hits, complete, searched)
