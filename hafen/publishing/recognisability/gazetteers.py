"""Name lists: first names and surnames from Faker's locale providers, loaded once.

Why Faker: it is maintained (releases every few weeks), its person providers hold
frequent first names and surnames of many locales — German, Austrian, Swiss, Turkish,
Polish, Russian and Ukrainian (Cyrillic), Romanian, Croatian, Czech, Hungarian,
Albanian, Azerbaijani, Pakistani English, Persian and Arabic script, Italian, French,
Spanish, English — which covers the communities that German social work serves. Only
the data tuples of ``faker.providers.person.<locale>`` are read; Faker's generator is
never instantiated. gender-guesser's dictionary is larger for first names but has had
no release since 2016 and holds no surnames.

The lists are loaded lazily on the first check (about half a second) and kept for the
life of the process: about 15,000 first names, 13,000 surnames and 400 towns, with the
imported Faker modules about 15 MB. Keys are compared in the folded form of
``normalise.key`` so that "Yilmaz" finds "Yılmaz" and "Muller" finds "Müller".
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from hafen.publishing.recognisability.normalise import key
from hafen.publishing.recognisability.patterns import keys, words

# Locales whose surnames are also German nouns or adjectives ("Koch", "Bauer", "Klein")
# or English words: their surnames count only beside a first name or a title.
_CONTEXT_SURNAME_LOCALES = (
    "de_DE", "de_AT", "de_CH", "en_US", "en_GB", "fr_FR", "it_IT", "es_ES", "nl_NL",
)  # fmt: skip
# Locales whose surnames are rarely German words: such a surname alone is a name.
_SURNAME_LOCALES = (
    "tr_TR", "pl_PL", "ru_RU", "uk_UA", "ro_RO", "hr_HR", "cs_CZ", "hu_HU", "sq_AL",
    "az_AZ", "en_PK", "bg_BG", "fa_IR", "ar_AA", "el_GR",
)  # fmt: skip
_FIRST_NAME_LOCALES = _CONTEXT_SURNAME_LOCALES + _SURNAME_LOCALES + ("vi_VN", "pt_PT")

# Frequent first names of clients from Syria, Iraq, Afghanistan, Eritrea and Kurdish
# regions in their usual German transliterations, which Faker's Latin-script locales
# miss (their Arabic and Persian locales hold them in the original script).
_EXTRA_FIRST_NAMES = words(
    """
Abdullah Abdul Ahmad Ahmed Aisha Ali Amina Amir Amira Aref Asma Ayat Aziz Bashir Bilal
Dilan Ebrahim Fadi Farah Farid Fatima Hamid Hanan Hassan Hussein Ibrahim Jamal Jamila
Karim Khaled Khalid Layla Leyla Mahmoud Mariam Maryam Mohammad Mohammed Muhammad
Mustafa Nadia Nour Omar Osman Rahim Rania Rashid Reza Rojda Samir Sara Shirin Tarek
Walid Yasin Yasmin Yousef Yusuf Zainab Zaid Zeynep Dawit Yonas Tesfay Semhar Filmon
Helen Merhawi Senait Kevin Jannik Finn Jonte Luca Lea Leonie Mia Emma Noah Ben Paul
"""
)

# Frequent German surnames that Faker's de_DE list lacks (the 200 most frequent, checked
# against it); like all German surnames they count beside a first name or a title.
_EXTRA_SURNAMES = words(
    """
Krüger Schmitz Schulze Möller Schulte Voigt Wolff Busch Kühne Böttcher Thiele Seifert
Hermann Rühl Ernst Brinkmann Marx Heinz Lindner Wendt Schumann Nowak Kaufmann Bürger
"""
)

# Names that are also frequent German words, abbreviations or month and day names;
# they are names only in a context ("Frau", a surname after them, "der kleine").
STOP_WORDS = keys(
    """
    Nur Alle Man Mai Juni Juli August April Januar Februar März Oktober November
    Dezember Sonntag Montag Dienstag Mittwoch Donnerstag Freitag Samstag Ostern Pfingsten
    Will May Mark Ernst Kai Heide Engel Linde Sonne Stern Winter Sommer
    Herbst Frühling Angel Hunter Chase Grace Hope Joy Faith Guy Art Bill Dawn Summer
    Autumn Star Holly Iris Jade Ruby Amber Pearl Crystal Penny Sandy King Gabe Job Team
    Dank Liebe Glück Friede Frieden Hoffnung Kraft Mut Wolf Fuchs Koch Bauer Klein Lang
    Lange Groß Jung Weiß Schwarz Braun Roth Richter König Kaiser Graf Vogel Hahn Stein
    Berg Busch Horn Keller Jäger Fischer Schäfer Schneider Müller Meyer Weber Wagner
    Zimmermann Schumacher Schuster Krämer Sauer Frei Ehre Sieg Treu Wahl Ernst Wald
    Dom Hof Park Platz Markt Straße Haus Heim Schule Kirche Rat Tat Bund Land Stadt
    Mitte Nord Süd Ost West Anfang Ende Tag Nacht Morgen Abend Jahr Woche Monat Zeit
    Hilfe Rose Lilie Flora Iris Viola Melodie Harmonie Chance Fee
    Deniz Umut Can Nur Gül Bahar Barış Ay Su Ela Ekin Hasret Sevgi Sevda Sabah Said
    Gesundheit Sozial Soziale Diakonie Caritas Arbeit Beratung Jugend Familie Kinder
    Christ Ramadan Bart Ado Are Bar Die Hat Van Von Der Den Las Los Del Mehr Ziel Ruhe
    """
)


@dataclass(frozen=True)
class Gazetteers:
    first_names: frozenset[str]
    towns: frozenset[str]  # small towns (Faker's German, Austrian and Swiss city lists)
    surnames: frozenset[str]  # a name beside a first name or a title
    distinctive_surnames: frozenset[str]  # a name even alone
    common_words: frozenset[str]


_CYRILLIC = "абвгґдеєёжзиіїйклмнопрстуфхцчшщъыьэюя"
# Cyrillic names as they are written in Latin letters: Ukrainian passport style, Russian
# in English and in German transliteration ("Олександр" → "Oleksandr", "Дмитрий" →
# "Dmitriy", "Dmitrij").
_TRANSLITERATIONS = tuple(
    dict(zip(_CYRILLIC, table.split(","), strict=True))
    for table in (
        "a,b,v,h,g,d,e,ye,e,zh,z,y,i,yi,i,k,l,m,n,o,p,r,s,t,u,f,kh,ts,ch,sh,shch,,y,,e,yu,ya",
        "a,b,v,g,g,d,e,e,e,zh,z,i,i,i,y,k,l,m,n,o,p,r,s,t,u,f,kh,ts,ch,sh,shch,,y,,e,yu,ya",
        "a,b,w,g,g,d,e,je,jo,sch,s,i,i,i,j,k,l,m,n,o,p,r,s,t,u,f,ch,z,tsch,sch,schtsch,,y,,e,ju,ja",
    )
)


def _latin_forms(name: str) -> set[str]:
    lower = name.lower()
    if not any(c in _CYRILLIC for c in lower):
        return set()
    return {"".join(table.get(c, c) for c in lower) for table in _TRANSLITERATIONS}


def _names(module: object, *attributes: str) -> set[str]:
    found: set[str] = set()
    for attribute in attributes:
        values = getattr(module, attribute, ())
        for value in values:  # tuples, lists, or dicts of name → weight
            if isinstance(value, str):
                for part in value.replace("-", " ").split():
                    if len(part) >= 3 and part.isalpha():
                        found.add(key(part))
                        found.update(_latin_forms(part))
    return found


def _provider(locale: str) -> object | None:
    try:
        return importlib.import_module(f"faker.providers.person.{locale}").Provider
    except (ImportError, AttributeError):
        return None


def _common_words() -> frozenset[str]:
    # The pseudonym word list of the client door: 2,048 frequent German nouns and
    # adjectives, a ready list of words that must not count as names by themselves.
    wordlist = Path(__file__).resolve().parents[2] / "conversations" / "wordlists" / "de.txt"
    try:
        words = {key(w.strip()) for w in wordlist.read_text("utf-8").split() if w.strip()}
    except OSError:
        words = set()
    return frozenset(words | STOP_WORDS)


@cache
def gazetteers() -> Gazetteers:
    first: set[str] = {key(n) for n in _EXTRA_FIRST_NAMES}
    context_surnames: set[str] = {key(n) for n in _EXTRA_SURNAMES}
    distinctive: set[str] = set()
    for locale in _FIRST_NAME_LOCALES:
        provider = _provider(locale)
        if provider is not None:
            first |= _names(provider, "first_names", "first_names_male", "first_names_female")
    for locale in _CONTEXT_SURNAME_LOCALES:
        provider = _provider(locale)
        if provider is not None:
            context_surnames |= _names(provider, "last_names")
    for locale in _SURNAME_LOCALES:
        provider = _provider(locale)
        if provider is not None:
            distinctive |= _names(provider, "last_names", "last_names_male", "last_names_female")
    common = _common_words()
    first -= common
    distinctive -= common | context_surnames | first
    towns: set[str] = set()
    for locale in ("de_DE", "de_AT", "de_CH"):
        try:
            module = importlib.import_module(f"faker.providers.address.{locale}")
        except ImportError:
            continue
        towns |= {key(c) for c in getattr(module.Provider, "cities", ())}
    return Gazetteers(
        first_names=frozenset(first),
        towns=frozenset(towns - common),
        surnames=frozenset(context_surnames | distinctive),
        distinctive_surnames=frozenset(distinctive),
        common_words=common,
    )
