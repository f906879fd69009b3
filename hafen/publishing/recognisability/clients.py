"""The names an organisation's own clients are known by, for the "client" finding.

``client_names(organisation_id)`` is a set of folded tokens (``normalise.key``) made of

- every case file's pseudonym and sealed real name (all cases, also closed and paused
  ones: a former client must not be named either; cases whose key was shredded are
  gone and add nothing), each word of three letters or more that is not a title or a
  frequent German word ("Herr", "Haus"), because a post may name a client by surname
  alone;
- every conversation pseudonym of the organisation as one phrase ("blauer fuchs"). The
  client door's pseudonyms are random pairs of common words; the public learns nothing
  from them, but the client does (a post quoting "Blauer Fuchs" tells the person that
  their chat was made public), and a pasted chat excerpt carries exactly this phrase.
  Single words of it ("Fuchs") would flag ordinary text, so only the pair counts.

A match is reported as category "client" with high severity; the finding never says
which case or conversation the name belongs to, and this module keeps no such link.

Caching: reading the names costs one database query per model and one key unwrap per
case file (2,000 case files take well under a second). The set is kept in this
process's memory for ``CACHE_SECONDS`` (60 s), per organisation, so that checking a
draft while it is typed costs nothing. The trade-off: a client added in the last minute
is not yet known to a process that cached earlier, which is acceptable because the
check runs again when a draft is submitted and approved. The set is never put into
Django's shared cache (Redis), which would copy sealed names out of the database in
plain text; ``forget()`` drops it (after a name changes, and in tests).
"""

from __future__ import annotations

import threading
import time

from hafen.privacy import crypto
from hafen.publishing.recognisability.gazetteers import gazetteers
from hafen.publishing.recognisability.normalise import key, normalise
from hafen.publishing.recognisability.patterns import TOKEN, keys

CACHE_SECONDS = 60.0
CASE_NAME_CONTEXT = "case.name"  # the context of ``Case.name`` (SealedText)
_TITLES = keys("Herr Herrn Frau Familie Fam Dr Prof Klient Klientin Mr Mrs Ms")

_lock = threading.Lock()
_cache: dict[int, tuple[float, frozenset[str]]] = {}


def client_names(organisation_id: int) -> frozenset[str]:
    now = time.monotonic()
    with _lock:
        cached = _cache.get(organisation_id)
        if cached is not None and now - cached[0] < CACHE_SECONDS:
            return cached[1]
    names = _read(organisation_id)
    with _lock:
        _cache[organisation_id] = (now, names)
    return names


def forget(organisation_id: int | None = None) -> None:
    with _lock:
        if organisation_id is None:
            _cache.clear()
        else:
            _cache.pop(organisation_id, None)


def _tokens(text: str) -> set[str]:
    common = gazetteers().common_words
    found = set()
    for m in TOKEN.finditer(normalise(text).text):
        for part in m.group().replace("’", "'").split("-"):
            folded = key(part)
            if len(folded) >= 3 and folded not in _TITLES and folded not in common:
                found.add(folded)
    return found


def _phrase(text: str) -> str:
    return " ".join(key(m.group()) for m in TOKEN.finditer(normalise(text).text))


def _read(organisation_id: int) -> frozenset[str]:
    from hafen.cases.models import Case
    from hafen.conversations.models import Conversation

    names: set[str] = set()
    cases = (
        Case.objects.filter(organisation_id=organisation_id)
        .select_related("data_key")
        .only("pseudonym", "name_sealed", "data_key")
    )
    for case in cases.iterator(chunk_size=500):
        names |= _tokens(case.pseudonym)
        if case.name_sealed is None or case.data_key.is_shredded:
            continue
        try:
            # One key unwrap per case; the unwrapped key lives only for this name.
            name = crypto.text_opener(case.data_key, context=CASE_NAME_CONTEXT)(
                bytes(case.name_sealed)
            )
        except crypto.CryptoError:
            continue
        names |= _tokens(name)
    pseudonyms = Conversation.objects.filter(
        team__facility__organisation_id=organisation_id
    ).values_list("pseudonym", flat=True)
    for pseudonym in pseudonyms.iterator(chunk_size=2000):
        phrase = _phrase(pseudonym)
        if " " in phrase:
            names.add(phrase)
    return frozenset(names)
