"""Search over the case files a person may see, although their content is encrypted.

How it works. The database holds entries only as ciphertext, so it cannot search
them. ``search`` therefore:

1. asks the database for the cases the person may see (``access.cases_visible_to``)
   and matches the file number and pseudonym (plain) and the name (decrypted);
2. streams the current version of every entry of those cases that the person may
   read — entrusted and third-party entries only for their author and substitute,
   decided in the query — for ``CASES_PER_QUERY`` cases at a time, newest first, decrypts each
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
CASES_PER_QUERY = 100
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
    entries = (
        CaseEntry.objects.filter(readable)
        .filter(current_version__isnull=False)
        .order_by("-case_id", "-pk")
        .values_list("pk", "case_id", "occurred_on", "kind", "current_version__text_sealed")
    )
    # Newest cases first, a few cases per query: each query finds its rows through the
    # case index and reads every row once (one query over all visible cases, cut into
    # pages, made the database sort everything again for every page).
    live = sorted((pk for pk, case in cases.items() if not case.data_key.is_shredded), reverse=True)
    searched = 0
    complete = len(hits) < limit
    for start in range(0, len(live), CASES_PER_QUERY):
        if not complete:
            break
        opened: int | None = None
        open_text: Callable[[bytes], str] | None = None
        for entry_id, case_id, occurred_on, kind, sealed in entries.filter(
            case_id__in=live[start : start + CASES_PER_QUERY]
        ):
            searched += 1
            case = cases[case_id]
            try:
                if case_id != opened:  # rows come case by case: one unwrapped key each
                    opened, open_text = case_id, None
                    open_text = crypto.text_opener(case.data_key, context=ENTRY_TEXT_CONTEXT)
                if open_text is None:
                    continue  # the case's key is gone: so are its entries
                body = open_text(bytes(sealed))
            except crypto.CryptoError:
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
    for case_id in dict.fromkeys(hit.case_id for hit in hits):
        access.record_case_read(user, cases[case_id], part="search")
    return SearchResult(query, hits, complete, searched)
