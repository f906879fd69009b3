"""Counting what a reader sees as one character (extended grapheme clusters, UAX #29).

Bluesky limits a post to 300 graphemes, so "👩‍👧" (five code points) counts once and
"é" written as e + combining accent counts once. Python has no segmentation built in
and no package for it is pinned; the rules that matter for posts are few: combining
marks, the zero-width joiner of emoji sequences, variation selectors, skin-tone
modifiers, tag characters, flags (regional indicator pairs), Hangul syllable blocks
and CR LF. Rarer rules (Indic conjuncts, prepend characters) are not modelled: such a
cluster may be counted as two, which errs on the safe side (shorter than allowed).
"""

from __future__ import annotations

import unicodedata

_ZWJ = 0x200D


def _extends(code: int, char: str) -> bool:
    """Characters that never start a cluster of their own."""
    if unicodedata.category(char) in ("Mn", "Me", "Mc"):
        return True
    return (
        code == _ZWJ
        or 0xFE00 <= code <= 0xFE0F  # variation selectors (emoji vs text style)
        or 0xE0100 <= code <= 0xE01EF
        or 0x1F3FB <= code <= 0x1F3FF  # skin-tone modifiers
        or 0xE0020 <= code <= 0xE007F  # tag sequences (subdivision flags)
        or code == 0x200C
    )


def _hangul(code: int) -> str:
    if 0x1100 <= code <= 0x115F or 0xA960 <= code <= 0xA97C:
        return "L"
    if 0x1160 <= code <= 0x11A7 or 0xD7B0 <= code <= 0xD7C6:
        return "V"
    if 0x11A8 <= code <= 0x11FF or 0xD7CB <= code <= 0xD7FB:
        return "T"
    if 0xAC00 <= code <= 0xD7A3:
        return "LV" if (code - 0xAC00) % 28 == 0 else "LVT"
    return ""


def _regional(code: int) -> bool:
    return 0x1F1E6 <= code <= 0x1F1FF


def _joins(previous: int, code: int, char: str, after_zwj: bool, regional_run: int) -> bool:
    """Whether ``char`` continues the cluster that ``previous`` belongs to."""
    if previous == 0x0D:
        return code == 0x0A
    if previous == 0x0A:
        return False
    if _extends(code, char):
        return True
    if after_zwj and unicodedata.category(char) == "So":  # emoji joined by ZWJ
        return True
    if _regional(code) and _regional(previous):
        return regional_run % 2 == 1  # flags are pairs
    before, now = _hangul(previous), _hangul(code)
    return (
        (before == "L" and now in ("L", "V", "LV", "LVT"))
        or (before in ("LV", "V") and now in ("V", "T"))
        or (before in ("LVT", "T") and now == "T")
    )


def grapheme_count(text: str) -> int:
    count = 0
    previous_code = -1
    after_zwj = False
    regional_run = 0
    for char in text:
        code = ord(char)
        if count and _joins(previous_code, code, char, after_zwj, regional_run):
            pass
        else:
            count += 1
        regional_run = regional_run + 1 if _regional(code) else 0
        after_zwj = code == _ZWJ
        previous_code = code
    return count
