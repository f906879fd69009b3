"""The recognisability check (Erkennbarkeits-Check): what in a post could identify a person.

A pure library: no models, no views, no writes. The publishing core calls it on every
draft; it reads the database only to learn the organisation's client names.

API
===

``check_text(text, *, organisation_id=None, language="de") -> CheckResult``
    ``CheckResult(findings, risk, score, checked_chars, truncated)``:

    - ``findings``: ``list[Finding]``, sorted by position;
      ``Finding(start, end, category, severity, explanation, suggestion)``, where
      ``text[start:end]`` is the span in the ORIGINAL text (also when invisible or
      look-alike characters hid it), ``severity`` is "low", "medium" or "high", and
      ``explanation``/``suggestion`` are plain language in the active Django language
      (English source strings, German in the catalogue). No explanation ever says which
      case or conversation a client's name belongs to.
    - ``risk``: "none" | "low" | "medium" | "high" — "high" as soon as one finding is
      high (the core then asks for a written justification before approval);
    - ``score``: 0.0 … 1.0, ``1 - Π(1 - w)`` over the findings with w = 0.1 (low),
      0.35 (medium), 0.7 (high);
    - ``checked_chars``/``truncated``: how much was read (see "Hostile input").

    With ``organisation_id`` the organisation's clients are looked up (database,
    cached for 60 s per process, see ``clients``); without it nothing is read.

``client_names(organisation_id) -> frozenset[str]`` (in ``clients``), ``forget()``.

``images.clean_image(data, declared_type) -> CleanedImage`` (in ``images``): metadata
removed by re-encoding, lying types and bombs refused, faces counted.

Categories
==========

=====================  ========  ==================================================
category               severity  what
=====================  ========  ==================================================
client                 high      a name or pseudonym from the organisation's files
name                   medium/   a person's name: a first name alone is medium; a
                       high      full name, a title with a name ("Frau K.", "Familie
                                 Yılmaz"), a distinctive surname is high
age                    medium    "17-jährig", "17 Jahre alt", "Lea (16)", "Mitte 40",
                                 birth dates and years (not "ab 14 Jahren", not
                                 "25-jähriges Jubiläum")
date, time             low/      exact dates and clock times; medium in a sentence
                       medium    about a person, low for an event
address                low/      streets with or without number, postcode and place;
                       medium    low after "Treffpunkt:", "in unserem …" (own venue)
place                  low/      districts, small towns, "Stadtteil X", "X-Nord"
                       medium    (large cities are not flagged)
school_institution     medium    named schools, clinics, prisons, shelters, Kitas
                                 (not generic ones, not "unser Jugendtreff Oase")
phone, email, iban,    medium    contact data; the explanation says that the
handle, licence_plate            organisation's own public contact may stay
special_category       high      health, diagnoses, addiction, religion, ethnic
                                 origin, sexual orientation, residence status,
                                 criminal matters (Art. 9, 10 GDPR) — only in a
                                 sentence about one person, not as a topic
combination            high      three or more kinds of medium/high quasi-identifiers
                                 (age, date, time, place, address, institution,
                                 special category) in one post
unchecked              high      the part of an over-long text that was not read
=====================  ========  ==================================================

Hostile input
=============

- Only the first ``MAX_CHECKED_CHARS`` (20,000) characters are checked; the rest is one
  "unchecked" finding of high severity, so an over-long text cannot slip through. All
  patterns have bounded repetition, so time grows linearly with the text.
- Zero-width and bidirectional characters, combining marks, fullwidth and styled
  letters, and Cyrillic or Greek look-alikes inside Latin words are normalised before
  the detectors run, and every span is mapped back to the original (``normalise``).
- Any ``str`` is accepted, lone surrogates included; anything else is a ``TypeError``.

Quality and speed: ``bench/recognisability.py``; the evaluation set and its labelling
rules: ``eval/README.md``.
"""

from hafen.publishing.recognisability.check import (
    MAX_CHECKED_CHARS,
    CheckResult,
    Finding,
    check_text,
)
from hafen.publishing.recognisability.clients import client_names

__all__ = ["MAX_CHECKED_CHARS", "CheckResult", "Finding", "check_text", "client_names"]
