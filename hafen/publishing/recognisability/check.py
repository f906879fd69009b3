"""The check itself: detectors over the normalised text, overlaps resolved, risk scored."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from hafen.publishing.recognisability import messages
from hafen.publishing.recognisability import patterns as p
from hafen.publishing.recognisability.gazetteers import gazetteers
from hafen.publishing.recognisability.normalise import Normalised, key, normalise

# Longer texts are checked up to here; the rest is reported as one "unchecked" finding
# of high severity, so an over-long text cannot pass without a written justification.
# A newsletter of 20,000 characters is about eight printed pages.
MAX_CHECKED_CHARS = 20_000

SEVERITIES = ("low", "medium", "high")
_WEIGHT = {"low": 0.1, "medium": 0.35, "high": 0.7}
# The details that, together, describe one person without a name.
QUASI_IDENTIFIERS = (
    "age", "date", "time", "place", "address", "school_institution", "special_category",
)  # fmt: skip
# When spans overlap, the more specific detector wins.
_PRIORITY = {
    "unchecked": 0, "client": 1, "email": 2, "iban": 3, "handle": 4, "phone": 5,
    "licence_plate": 6, "address": 7, "school_institution": 8, "age": 9, "date": 10,
    "time": 11, "name": 12, "place": 13, "special_category": 14, "combination": 15,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Finding:
    """One detail that could identify a person; ``start``/``end`` index the original text."""

    start: int
    end: int
    category: str
    severity: str
    explanation: str
    suggestion: str


@dataclass(frozen=True, slots=True)
class CheckResult:
    findings: list[Finding]
    risk: str  # "none" | "low" | "medium" | "high"
    score: float  # 0.0 (nothing found) … 1.0
    checked_chars: int = 0
    truncated: bool = field(default=False)


@dataclass(slots=True)
class _Hit:
    start: int  # into the normalised text
    end: int
    category: str
    severity: str


def check_text(
    text: str, *, organisation_id: int | None = None, language: str = "de"
) -> CheckResult:
    """Every detail of ``text`` that could identify a person, and the post's risk.

    ``language`` is the language of the post (German and English texts are checked
    alike; the patterns are German); explanations come in the active Django language.
    """
    if not isinstance(text, str):
        raise TypeError("check_text needs a str")
    truncated = len(text) > MAX_CHECKED_CHARS
    checked = text[:MAX_CHECKED_CHARS]
    norm = normalise(checked)
    hits = list(_detect(norm.text))
    if organisation_id is not None:
        from hafen.publishing.recognisability.clients import client_names

        hits.extend(_clients(norm.text, client_names(organisation_id)))
    hits = _resolve(hits)
    hits = _with_context(norm.text, hits)
    findings = [_finding(norm, hit) for hit in hits]
    combination = _combination(norm, hits)
    if combination is not None:
        findings.append(combination)
    if truncated:
        explanation, suggestion = messages.explanation("unchecked")
        findings.append(
            Finding(MAX_CHECKED_CHARS, len(text), "unchecked", "high", explanation, suggestion)
        )
    findings.sort(key=lambda f: (f.start, f.end))
    score = 1.0
    for finding in findings:
        score *= 1 - _WEIGHT[finding.severity]
    score = round(1 - score, 3)
    severities = {f.severity for f in findings}
    if "high" in severities or score >= 0.85:
        risk = "high"
    elif "medium" in severities or score >= 0.5:
        risk = "medium"
    elif findings:
        risk = "low"
    else:
        risk = "none"
    return CheckResult(findings, risk, score, len(checked), truncated)


def _finding(norm: Normalised, hit: _Hit) -> Finding:
    start, end = norm.original_span(hit.start, hit.end)
    explanation, suggestion = messages.explanation(hit.category)
    return Finding(start, end, hit.category, hit.severity, explanation, suggestion)


def _combination(norm: Normalised, hits: list[_Hit]) -> Finding | None:
    """Age + district + a rare event: three kinds of detail describe one person."""
    # Details of an event (its date, time and venue) are low; only details that are
    # about a person (medium or high) add up.
    counted = [h for h in hits if h.severity != "low"]
    kinds = [c for c in QUASI_IDENTIFIERS if any(h.category == c for h in counted)]
    if len(kinds) < 3:
        return None
    involved = [h for h in counted if h.category in kinds]
    first = min(h.start for h in involved)
    last = max(h.end for h in involved)
    start, end = norm.original_span(first, last)
    details = ", ".join(messages.category_label(k) for k in kinds)
    explanation, suggestion = messages.explanation("combination", details)
    return Finding(start, end, "combination", "high", explanation, suggestion)


# --- detectors ---------------------------------------------------------------------------


def _detect(text: str) -> Iterable[_Hit]:
    yield from _contact(text)
    yield from _dates_and_ages(text)
    yield from _addresses(text)
    yield from _institutions(text)
    yield from _places(text)
    yield from _names(text)
    yield from _special(text)


def _contact(text: str) -> Iterable[_Hit]:
    if "@" in text or "(at)" in text or "[at]" in text:
        for m in p.EMAIL.finditer(text):
            yield _Hit(m.start(), m.end(), "email", "medium")
        for m in p.HANDLE.finditer(text):
            yield _Hit(m.start(), m.end(), "handle", "medium")
    for m in p.IBAN.finditer(text):
        if _iban_valid(m.group()):
            yield _Hit(m.start(), m.end(), "iban", "medium")
    for m in p.PHONE.finditer(text):
        digits = sum(c.isdigit() for c in m.group())
        if 7 <= digits <= 15:
            yield _Hit(m.start(), m.end(), "phone", "medium")
    for m in p.LICENCE_PLATE.finditer(text):
        yield _Hit(m.start(), m.end(), "licence_plate", "medium")


def _iban_valid(candidate: str) -> bool:
    compact = candidate.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    moved = compact[4:] + compact[:4]
    digits = "".join(str(int(c, 36)) for c in moved)
    return int(digits) % 97 == 1


def _dates_and_ages(text: str) -> Iterable[_Hit]:
    for m in p.DATE.finditer(text):
        before = text[max(0, m.start() - 20) : m.start()]
        after = text[m.end() : m.end() + 12]
        if p.BIRTH.search(before) or re.match(r"\s?geboren\b", after):
            yield _Hit(m.start(), m.end(), "age", "medium")
        else:
            yield _Hit(m.start(), m.end(), "date", "low")
    for m in p.BIRTH_YEAR.finditer(text):
        yield _Hit(m.start(), m.end(), "age", "medium")
    for m in p.TIME.finditer(text):
        yield _Hit(m.start(), m.end(), "time", "low")
    for m in p.AGE.finditer(text):
        matched = m.group()
        if "ährige" in matched:
            if p.RANGE_BEFORE.search(text[max(0, m.start() - 12) : m.start()]):
                continue  # "die 14- bis 18-Jährigen": a target group
            if matched.endswith(("ährigen", "ährige")) and "Jährige" not in matched:
                following = re.match(r"\s([\w-]{1,40})", text[m.end() : m.end() + 42])
                if following and key(following.group(1)).endswith(p.NOT_AGE_NOUNS):
                    continue  # "das 25-jährige Jubiläum", "3-jährige Ausbildung"
            if matched[0].isalpha() and matched.lower().startswith(("ein", "mehr", "lang", "viel")):
                continue
        yield _Hit(m.start(), m.end(), "age", "medium")


def _addresses(text: str) -> Iterable[_Hit]:
    for m in p.STREET.finditer(text):
        word = m.group().split()[0]
        if key(word) in p.GENERIC_STREET_WORDS and not any(c.isdigit() for c in m.group()):
            continue
        if m.group().startswith(("Im ", "Am ", "Zum ", "Zur ")) and key(m.group().split()[1]) in {
            "jahr",
            "alter",
            "monat",
            "sommer",
            "winter",
            "herbst",
            "fruhling",
        }:
            continue
        yield _Hit(m.start(), m.end(), "address", _venue_severity(text, m.start()))
    for m in p.POSTCODE.finditer(text):
        words = m.group().split()
        if key(words[1]) in p.NOT_AFTER_POSTCODE:
            continue
        yield _Hit(m.start(), m.end(), "address", _venue_severity(text, m.start()))


def _venue_severity(text: str, start: int) -> str:
    """The organisation's own venue ("Treffpunkt: …", "in unserem Treff, …") is public."""
    return "low" if p.VENUE_BEFORE.search(text[max(0, start - 60) : start]) else "medium"


def _institutions(text: str) -> Iterable[_Hit]:
    common = gazetteers().common_words
    for m in p.INSTITUTION.finditer(text):
        matched = m.group()
        words = matched.split()
        if " " not in matched and "-" not in matched:
            # "Goetheschule" names a school, "Grundschule" does not.
            prefix = re.sub(r"(schule|gymnasium|klinik)$", "", key(matched))
            if prefix in p.GENERIC_INSTITUTION_PREFIXES or prefix.rstrip("s") in (
                p.GENERIC_INSTITUTION_PREFIXES
            ):
                continue
        elif " " in matched and "-" not in words[0]:
            last = key(words[-1])
            if (last in common or last in p.NOT_AFTER_TITLE) and last not in _COMPASS:
                continue  # "dem Jobcenter Unterlagen"; but "Realschule Nord" is a name
        if p.OWN_BEFORE.search(text[max(0, m.start() - 40) : m.start()]):
            continue  # the organisation's own house ("unser Jugendtreff Oase")
        yield _Hit(m.start(), m.end(), "school_institution", "medium")


_COMPASS = frozenset({"nord", "sud", "ost", "west", "mitte"})


def _places(text: str) -> Iterable[_Hit]:
    for m in p.PLACE_CONTEXT.finditer(text):
        yield _Hit(m.start(), m.end(), "place", "low")
    districts = _district_keys()
    towns = gazetteers().towns
    tokens = list(p.TOKEN.finditer(text))
    for index, m in enumerate(tokens):
        word = m.group()
        if not word[0].isupper():
            continue
        end = m.end()
        folded = key(word)
        if index + 1 < len(tokens) and text[m.end() : tokens[index + 1].start()] == " ":
            pair = f"{folded} {key(tokens[index + 1].group())}"  # "Bad Kissingen"
            if pair in towns:
                folded, end = pair, tokens[index + 1].end()
        if (folded not in districts and folded not in towns) or folded in _big_cities():
            continue
        if p.PLACE_PREPOSITION.search(text[max(0, m.start() - 10) : m.start()]):
            yield _Hit(m.start(), end, "place", "low")


_DISTRICT_KEYS: frozenset[str] | None = None


def _district_keys() -> frozenset[str]:
    global _DISTRICT_KEYS
    if _DISTRICT_KEYS is None:
        _DISTRICT_KEYS = frozenset(key(d) for d in p.DISTRICTS)
    return _DISTRICT_KEYS


@cache
def _big_cities() -> frozenset[str]:
    return frozenset(key(c) for c in p.BIG_CITIES)


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper() and (word[1:].islower() or word.isupper() or "-" in word)


def _names(text: str) -> Iterable[_Hit]:
    g = gazetteers()
    tokens = list(p.TOKEN.finditer(text))
    used_until = -1
    for index, m in enumerate(tokens):
        if m.start() < used_until:
            continue
        word = m.group()
        if not _is_capitalised(word):
            continue
        parts = [key(part) for part in re.split(r"[-'’]", word)]
        folded = key(word)
        is_first = folded in g.first_names or (
            "-" in word and all(part in g.first_names for part in parts)
        )
        before = text[max(0, m.start() - 24) : m.start()]
        after = text[m.end() : m.end() + 3]
        titled = bool(p.NAME_TITLES.search(before))
        honorific = bool(p.HONORIFICS.search(before))
        if folded in p.NOT_AFTER_TITLE:
            continue  # "Dr." itself, or "Frau Mitte 40"
        if is_first and after.startswith(".") and re.match(r"\.\s?[a-z\d]", after):
            is_first = False  # "Max. 20 Plätze": an abbreviation
        if is_first or titled:
            # After "Frau", "Herr", "Familie" any capitalised word but a common noun is a
            # name; after "der kleine", "Kollegin" … only a known name is.
            if (
                titled
                and not is_first
                and folded not in g.surnames
                and (not honorific or folded in g.common_words)
                and len(word) > 1
                and not _looks_like_surname(word)
            ):
                continue
            end = m.end()
            # a surname or an initial after it: "Anna Schmidt", "Kevin S.", "Frau K."
            nxt = tokens[index + 1] if index + 1 < len(tokens) else None
            initial = p.INITIAL.match(text, m.start()) if len(word) == 1 else None
            if initial is not None:
                end = initial.end()
            elif nxt is not None and text[m.end() : nxt.start()] == " ":
                nword = nxt.group()
                if _is_capitalised(nword) and (
                    key(nword) in g.surnames
                    or key(nword) in g.first_names
                    or (key(nword) not in g.common_words and _looks_like_surname(nword))
                ):
                    end = nxt.end()
                    used_until = end
                elif len(nword) == 1 and p.INITIAL.match(text, nxt.start()):
                    end = nxt.start() + 2
                    used_until = end
            if len(word) == 1 and initial is None:
                continue  # a lone capital letter
            severity = "high" if titled or end > m.end() else "medium"
            yield _Hit(m.start(), end, "name", severity)
        elif folded in g.distinctive_surnames and len(word) >= 4:
            yield _Hit(m.start(), m.end(), "name", "high")


def _initial_after(text: str, position: int) -> bool:
    return bool(re.match(r"\s[A-ZÄÖÜ]\.", text[position : position + 3]))


def _looks_like_surname(word: str) -> bool:
    """A capitalised word that is no German noun pattern: "Yılmaz", "Kowalczyk"."""
    if not word.isascii():
        return True
    return word.endswith(("ski", "ska", "czyk", "owa", "ova", "ović", "ovic", "enko", "oğlu"))


def _special(text: str) -> Iterable[_Hit]:
    lowered = text.lower()
    if len(lowered) == len(text):  # the same offsets: a case-sensitive scan is faster
        matches = list(p.SPECIAL_LOWER.finditer(lowered))
    else:
        matches = list(p.SPECIAL.finditer(text))
    if not matches:
        return
    for m in matches:
        sentence_start, sentence_end = _sentence_bounds(text, m.start())
        sentence = text[sentence_start:sentence_end]
        if p.PERSON_CUE.search(sentence) or _has_name_or_age(sentence):
            yield _Hit(m.start(), m.end(), "special_category", "high")


def _has_name_or_age(sentence: str) -> bool:
    hits = list(_names(sentence)) + [h for h in _dates_and_ages(sentence) if h.category == "age"]
    return any(h.category in ("name", "age") for h in hits)


def _sentence_bounds(text: str, position: int) -> tuple[int, int]:
    start = 0
    for m in p.SENTENCE_END.finditer(text, max(0, position - 400), position):
        start = m.end()
    nxt = p.SENTENCE_END.search(text, position, position + 400)
    end = nxt.start() if nxt else min(len(text), position + 400)
    return start, end


def _clients(text: str, names: frozenset[str]) -> Iterable[_Hit]:
    if not names:
        return
    phrases = [n for n in names if " " in n]
    for m in p.TOKEN.finditer(text):
        parts = re.split(r"[-'’]", m.group())
        if key(m.group()) in names or any(key(part) in names for part in parts):
            yield _Hit(m.start(), m.end(), "client", "high")
    if phrases:
        folded_tokens = [(key(m.group()), m.start(), m.end()) for m in p.TOKEN.finditer(text)]
        for phrase in phrases:
            words = phrase.split()
            n = len(words)
            for i in range(len(folded_tokens) - n + 1):
                if [t[0] for t in folded_tokens[i : i + n]] == words:
                    yield _Hit(folded_tokens[i][1], folded_tokens[i + n - 1][2], "client", "high")


# --- overlaps and context ----------------------------------------------------------------


def _resolve(hits: list[_Hit]) -> list[_Hit]:
    """Keep, of overlapping hits, the more specific and then the longer one."""
    ordered = sorted(hits, key=lambda h: (_PRIORITY[h.category], -(h.end - h.start), h.start))
    # Kept hits never overlap, so sorted by start a new hit can only collide with its two
    # neighbours: O(n log n) even for a hostile text with thousands of hits.
    starts: list[int] = []
    kept: list[_Hit] = []
    for hit in ordered:
        if hit.end <= hit.start:
            continue
        index = bisect.bisect_left(starts, hit.start)
        if index > 0 and kept[index - 1].end > hit.start:
            continue
        if index < len(kept) and kept[index].start < hit.end:
            continue
        starts.insert(index, hit.start)
        kept.insert(index, hit)
    return kept


def _with_context(text: str, hits: list[_Hit]) -> list[_Hit]:
    """A date or time in a sentence about a person matters more than one of an event."""
    if not any(h.category in ("name", "client", "age") for h in hits):
        return hits
    personal = sorted(h.start for h in hits if h.category in ("name", "client", "age"))
    for hit in hits:
        if hit.category in ("date", "time", "place") and hit.severity == "low":
            start, end = _sentence_bounds(text, hit.start)
            index = bisect.bisect_left(personal, start)
            if index < len(personal) and personal[index] < end:
                hit.severity = "medium"
    return hits
