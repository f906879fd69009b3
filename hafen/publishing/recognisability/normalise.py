"""A normalised copy of a text that detectors read, with every character mapped back.

Hostile or careless text hides a name from a naive pattern: a Cyrillic "а" inside a
Latin "Anna", a zero-width space or a right-to-left mark between two letters, fullwidth
or mathematical letters, a combining diaeresis instead of "ü". Detectors therefore read
a normalised copy in which

- format characters (Unicode category Cf: zero-width spaces and joiners, bidirectional
  marks and overrides, the soft hyphen, the byte-order mark) are dropped,
- combining marks are dropped (lookups compare letters without diacritics anyway),
- every other character is NFKC-normalised on its own (fullwidth, ligatures, styled
  letters become plain letters),
- inside a word that mixes Latin with Cyrillic or Greek letters, or that consists only
  of Cyrillic or Greek letters which all look like Latin ones, the look-alikes become
  the Latin letters they imitate;

and every character of the copy remembers the span of the original it came from, so a
finding is reported with offsets into the text the author wrote.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Cyrillic and Greek letters that look like Latin ones (upper and lower case).
_CONFUSABLES = {
    # Cyrillic
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P",
    "С": "C", "Т": "T", "Х": "X", "У": "Y", "І": "I", "Ј": "J", "Ѕ": "S", "Ԛ": "Q",
    "Ԝ": "W", "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x",
    "і": "i", "ј": "j", "ѕ": "s", "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l",
    "ё": "e", "ї": "i",
    # Greek
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "ο": "o", "ν": "v",
    "ι": "i", "κ": "k", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "α": "a",
}  # fmt: skip

_WORD = re.compile(r"[^\W\d_]+")


@dataclass(frozen=True, slots=True)
class Normalised:
    """``text`` is what detectors read; ``starts``/``ends`` map each of its characters."""

    original: str
    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that the normalised ``text[start:end]`` came from."""
        return self.starts[start], self.ends[end - 1]


def _script(char: str) -> str:
    if char.isascii():
        return "latin"
    name = unicodedata.name(char, "")
    if name.startswith("CYRILLIC"):
        return "cyrillic"
    if name.startswith("GREEK"):
        return "greek"
    return "latin" if name.startswith("LATIN") else "other"


# Characters that NFKC leaves alone and that are no format character, combining mark or
# look-alike: ASCII, Latin-1 and Latin Extended-A letters (without ĳ, ŀ, ŉ, ſ), dashes,
# typographic quotes and the euro sign. A text of only these is its own normal form.
_PLAIN = re.compile(
    "[^\x00-\x7f\u00c0-\u00ff\u0100-\u0132\u0134-\u013e\u0141-\u0148\u014a-\u017e"
    "\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u201e\u20ac]"
)


def normalise(text: str) -> Normalised:
    if _PLAIN.search(text) is None:  # the common case, without the per-character loop
        return Normalised(text, text, tuple(range(len(text))), tuple(range(1, len(text) + 1)))
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for index, char in enumerate(text):
        category = unicodedata.category(char)
        if category == "Cf" or category == "Cs":
            continue  # invisible formatting, or a lone surrogate that no detector can read
        if category in ("Mn", "Me"):
            if ends:
                ends[-1] = index + 1  # the mark belongs to the letter before it
            continue
        folded = unicodedata.normalize("NFKC", char) if not char.isascii() else char
        for piece in folded:
            if unicodedata.category(piece) in ("Mn", "Me", "Cf"):
                continue
            chars.append(piece)
            starts.append(index)
            ends.append(index + 1)
    normal = "".join(chars)
    if not normal.isascii():
        pieces = list(normal)
        for match in _WORD.finditer(normal):
            word = match.group()
            if word.isascii():
                continue
            scripts = {_script(c) for c in word}
            mixed = "latin" in scripts and scripts & {"cyrillic", "greek"}
            lookalike = scripts <= {"cyrillic", "greek"} and all(c in _CONFUSABLES for c in word)
            if mixed or lookalike:
                for offset, char in enumerate(word, start=match.start()):
                    pieces[offset] = _CONFUSABLES.get(char, char)
        normal = "".join(pieces)
    return Normalised(text, normal, tuple(starts), tuple(ends))


_FOLD = str.maketrans(
    {"ß": "ss", "ı": "i", "ł": "l", "Ł": "l", "ø": "o", "Ø": "o", "đ": "d", "Đ": "d",
     "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ʼ": "'", "’": "'"}
)  # fmt: skip


@lru_cache(maxsize=65_536)
def key(word: str) -> str:
    """The form names are compared in: case-folded, without diacritics ("Yılmaz" → "yilmaz")."""
    decomposed = unicodedata.normalize("NFKD", word.translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
