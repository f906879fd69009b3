"""Shared pieces of the property-based tests of hostile input (``test_fuzz_*.py``).

- ``FUZZ``: the hypothesis settings of those tests. A small number of examples in the
  normal test run; ``HAFEN_FUZZ_EXAMPLES=1000`` for a long run. No deadline: a request
  through the whole stack may take long on a busy machine, which is no failure.
- ``fingerprint`` / ``assert_unchanged``: what the database holds, per table a row
  count and a hash of every row, so that a test can say "this rejected request changed
  nothing" without listing the tables that matter (a new table is covered at once).
- strategies of hostile strings and values.

What a rejected request may change (decided here, once, for every fuzz test):

- ``django_session``: the browser's own session row. Django saves it on every request
  (``SESSION_SAVE_EVERY_REQUEST``: the idle timeout starts again), a refusal too. Its
  rows are compared by count only, so a rejected request still may not create one.
- django-axes' tables (``axes_*``): a refused login is counted there on purpose; that
  count *is* the login throttle. The fuzz tests of the login page compare them apart.
- django-otp's device tables, on the second-factor step only: each device counts its
  own failed codes (``throttling_failure_count``, ``throttling_failure_timestamp``),
  which is that step's throttle. The test compares the devices' other columns itself.
- Nothing else, the audit log included. Hafen audits who read or changed a record; a
  refused anonymous request reads and changes none, so it leaves no entry (and an
  entry per refusal would let anybody fill the log). Throttle counters live in the
  cache, not the database.
"""

from __future__ import annotations

import functools
import hashlib
import html
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import connection
from django.test import Client
from django.utils import translation
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("HAFEN_FUZZ_EXAMPLES", "") or 12)

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    # The database and the test client are per test, shared by its examples on purpose:
    # every example compares the database with its own snapshot taken just before it.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
    database=None,  # no .hypothesis folder in the checkout
    derandomize=not os.environ.get("HAFEN_FUZZ_EXAMPLES"),  # the quick run is repeatable
)

COUNT_ONLY = frozenset({"django_session"})
AXES_TABLES = frozenset({"axes_accessattempt", "axes_accessfailurelog", "axes_accesslog"})
OTP_DEVICE_TABLES = frozenset({"otp_totp_totpdevice", "otp_static_staticdevice"})


# --- the database's fingerprint ---------------------------------------------------------


def _value(value: Any) -> Any:
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def fingerprint(*, skip: Iterable[str] = ()) -> dict[str, tuple[int, str]]:
    """Per table: (row count, SHA-256 of all rows in a stable order)."""
    skipped = set(skip)
    result: dict[str, tuple[int, str]] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table in skipped:
                continue
            quoted = connection.ops.quote_name(table)
            if table in COUNT_ONLY:
                cursor.execute(f"SELECT COUNT(*) FROM {quoted}")  # noqa: S608 - a table name
                result[table] = (cursor.fetchone()[0], "")
                continue
            cursor.execute(f"SELECT * FROM {quoted}")  # noqa: S608 - a table name
            rows = sorted(repr(tuple(_value(v) for v in row)) for row in cursor.fetchall())
            digest = hashlib.sha256("\n".join(rows).encode("utf-8", "surrogatepass"))
            result[table] = (len(rows), digest.hexdigest())
    return result


def changed_tables(
    before: dict[str, tuple[int, str]], after: dict[str, tuple[int, str]]
) -> list[str]:
    tables = set(before) | set(after)
    return sorted(t for t in tables if before.get(t) != after.get(t))


def assert_same(before: dict[str, tuple[int, str]], *, skip: Iterable[str] = ()) -> None:
    """The database is as ``before`` (a ``fingerprint``); names the tables that changed."""
    changed = changed_tables(before, fingerprint(skip=skip))
    assert not changed, f"a rejected request changed {changed}"


@contextmanager
def assert_unchanged(*, skip: Iterable[str] = (), what: str = "") -> Iterator[None]:
    """The block may not change a row of any table (but those in ``skip``)."""
    before = fingerprint(skip=skip)
    yield
    changed = changed_tables(before, fingerprint(skip=skip))
    assert not changed, f"a rejected request changed {changed} {what}".strip()


# --- clients ----------------------------------------------------------------------------


def tolerant(client: Client | None = None, **defaults: Any) -> Client:
    """A test client that turns an exception in a view into the 500 page a person sees."""
    client = client or Client(**defaults)
    client.raise_request_exception = False
    return client


# --- hostile values ---------------------------------------------------------------------

# Strings every parser and template has tripped over somewhere.
SPECIAL_STRINGS = [
    "",
    " ",
    "\x00",
    "ab\x00cd",
    "\x1b[31mred\x07",
    "\r\n\r\n",
    "\u202etxt.exe",  # right-to-left override
    "\u200f\u200e\u061c",  # right-to-left and left-to-right marks, Arabic letter mark
    "\u2066\u2069\u2067",  # bidi isolates
    "\u200b\u200c\u200d\ufeff",  # zero-width characters and a byte-order mark
    "e\u0301\u0301\u0301\u0301\u0301",  # combining accents
    "\U0001f469\u200d\U0001f469\u200d\U0001f467",  # a family emoji
    "\ufdfd",  # one of the widest glyphs
    "\uffff\ufffe",  # non-characters
    "\uff21\uff22\uff23\uff11\uff12\uff13",  # full-width letters and digits
    "ǅǈß\u0130",  # title-case digraphs, sharp s, dotted capital I (case folding)
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}{% debug %}",
    "' OR '1'='1' --",
    "%s%s%n%x",
    "../../../../etc/passwd",
    "-1",
    "0",
    "1e309",
    "NaN",
    "99999999999999999999999999",
    "anker-wolke-tiger-brot",
]

# Characters a browser can send (anything but surrogates, which UTF-8 cannot carry).
_SENDABLE = st.characters(exclude_categories=["Cs"])


def hostile_text(max_size: int = 40) -> st.SearchStrategy[str]:
    """Short random text, a known troublemaker, or either of them repeated to a huge size."""
    short = st.one_of(st.text(_SENDABLE, max_size=max_size), st.sampled_from(SPECIAL_STRINGS))
    huge = st.builds(
        lambda part, times: (part or "x") * times,
        st.sampled_from(SPECIAL_STRINGS),
        st.sampled_from([1_000, 5_000, 70_000]),
    )
    return st.one_of(short, short, short, huge)


# JSON values of every type, nested a little: for fields that expect one type.
json_values = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**80), max_value=2**80),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(_SENDABLE, max_size=20),
        st.sampled_from(SPECIAL_STRINGS),
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=6,
)

# Numbers around the limits of 32- and 64-bit columns, and beyond.
edge_integers = st.one_of(
    st.sampled_from([0, 1, -1, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 2**64, 10**30, -(2**63) - 1]),
    st.integers(),
)


# --- messages on refused forms -------------------------------------------------------

_ERRORS = re.compile(
    r'<p class="error"[^>]*>(.*?)</p>|<div class="form-errors"[^>]*>(.*?)</div>', re.S
)
_ERROR_PAGE = re.compile(r"<main[^>]*>\s*<h1>[^<]*</h1>\s*<p>([^<]+)</p>", re.S)
_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
_PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|%[sd]")
_NUMBER = re.compile(r"\d+(?:[.,\u00a0]\d+)*(?:[\s\u00a0]?(?:bytes|Bytes|KB|MB|GB))?")


def _shape(text: str) -> str:
    """A message with its numbers (and file sizes) replaced: comparable with the catalogue."""
    return _NUMBER.sub("#", _PLACEHOLDER.sub("#", text)).strip()


_PO_STRING = re.compile(r'^(?:msgid|msgid_plural) "(.*)"$|^"(.*)"$')


def _english_sources() -> set[str]:
    """Every msgid and msgid_plural of the German .po files of Django and Hafen."""
    import django

    roots = [Path(django.__file__).parent, Path(__file__).parent / "locale"]
    texts: set[str] = set()
    for root in roots:
        for po in root.rglob("de/LC_MESSAGES/django.po"):
            current: list[str] | None = None
            for line in po.read_text("utf-8").splitlines():
                match = _PO_STRING.match(line)
                if match and match.group(1) is not None:
                    if current is not None:
                        texts.add("".join(current))
                    current = [match.group(1)]
                elif match and current is not None:
                    current.append(match.group(2))
                else:
                    if current is not None:
                        texts.add("".join(current))
                    current = None
    return {text.replace('\\"', '"').replace("\\n", "\n") for text in texts}


@functools.cache
def _catalogue(language: str) -> frozenset[str]:
    """Every message Hafen and Django can show in ``language``, numbers replaced.

    German: the translations (plural forms included). English: the msgids.
    """
    if language == "en":
        return frozenset(_shape(text) for text in _english_sources())
    catalog = translation.trans_real.translation("de")._catalog  # type: ignore[attr-defined]
    return frozenset(_shape(value) for _key, value in catalog.items())


def error_texts(page: str) -> list[str]:
    texts = []
    for field_error, form_errors in _ERRORS.findall(page):
        if field_error:
            texts.append(field_error)
        else:
            texts.extend(_PARAGRAPH.findall(form_errors))
    return [html.unescape(re.sub(r"<[^>]+>", "", t)).strip() for t in texts]


def assert_explained_in(response: Any, language: str) -> None:
    """The page shows at least one message, each in ``language`` (German or English)."""
    page = response.content.decode()
    assert f'lang="{language}"' in page, "the page is not in the language asked for"
    texts = error_texts(page)
    if not texts and response.status_code == 400:
        # A body over Django's limit (DATA_UPLOAD_MAX_MEMORY_SIZE) never reaches the
        # form: the error page says so, in the same language.
        match = _ERROR_PAGE.search(page)
        texts = [html.unescape(match.group(1)).strip()] if match else []
    assert texts, f"no message on a refused form:\n{page[:3000]}"
    assert_in_language(texts, language)


def assert_in_language(texts: Iterable[str], language: str) -> None:
    """Each text is a message of Hafen or Django in ``language`` ("de" or "en")."""
    known = _catalogue(language)
    for text in texts:
        shape = _shape(text)
        matches = shape in known or any(p.fullmatch(shape) for p in _patterns(language))
        assert matches, f"{text!r} is not a {language} message of Hafen"


@functools.cache
def _patterns(language: str) -> tuple[re.Pattern[str], ...]:
    """Messages that quote a value (``%(value)s``) as patterns: the value may be anything."""
    return tuple(
        re.compile(".+".join(re.escape(part) for part in text.split("#")), re.S)
        for text in _catalogue(language)
        if "#" in text and len(text) > 20
    )
