"""Pseudonyms and return codes for anonymous clients.

A return code is four words from a German word list of 2048 (44 bits), easy to
write down on paper and to type on a phone. Guessing is throttled (see
``throttle``); the code is stored only as an HMAC keyed with the installation's
secret, so that a stolen database without the secret does not let anybody try
codes offline. An optional passphrase is hashed with the password hasher (Argon2).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
import unicodedata
from pathlib import Path

from django.conf import settings

WORDLIST = Path(__file__).resolve().parent / "wordlists" / "de.txt"
CODE_WORDS = 4
MAX_CODE_INPUT = 120

# Pseudonyms: a colour and a harbour animal or thing, plus a number. Never a name.
_COLOURS = [
    "Blau",
    "Grün",
    "Gelb",
    "Rot",
    "Silber",
    "Gold",
    "Türkis",
    "Orange",
    "Violett",
    "Weiß",
    "Grau",
    "Mint",
]
_THINGS = [
    "Möwe",
    "Anker",
    "Boje",
    "Welle",
    "Robbe",
    "Krabbe",
    "Muschel",
    "Segel",
    "Kompass",
    "Leuchtturm",
    "Kormoran",
    "Seestern",
    "Otter",
    "Delfin",
    "Kajak",
    "Fähre",
    "Düne",
    "Brise",
    "Koralle",
    "Pinguin",
    "Lotse",
    "Hering",
    "Qualle",
    "Kutter",
]


@functools.lru_cache(maxsize=1)
def words() -> tuple[str, ...]:
    entries = tuple(line.strip() for line in WORDLIST.read_text("utf-8").splitlines())
    return tuple(entry for entry in entries if entry)


def new_pseudonym() -> str:
    return f"{secrets.choice(_THINGS)} {secrets.choice(_COLOURS)} {secrets.randbelow(90) + 10}"


def new_code() -> str:
    """Four random words joined by dashes, e.g. ``anker-wolke-tiger-brot``."""
    vocabulary = words()
    return "-".join(secrets.choice(vocabulary) for _ in range(CODE_WORDS))


def normalise(raw: str) -> str | None:
    """The canonical form of what a client typed, or None if it cannot be a code.

    Accepts any case, spaces, dots, commas or dashes between the words, and umlauts
    typed by a phone keyboard's autocorrect are not in the list anyway.
    """
    if not raw or len(raw) > MAX_CODE_INPUT:
        return None
    text = unicodedata.normalize("NFKC", raw).casefold()
    parts = [part for part in re.split(r"[\s\-_.,;/+]+", text) if part]
    if len(parts) != CODE_WORDS or not all(re.fullmatch(r"[a-z]{3,8}", part) for part in parts):
        return None
    return "-".join(parts)


def code_hash(code: str) -> str:
    """Keyed hash of a normalised code: the lookup key stored on the conversation."""
    key = hashlib.sha256(b"hafen-return-code:" + settings.SECRET_KEY.encode()).digest()
    return hmac.new(key, code.encode("ascii"), hashlib.sha256).hexdigest()
