"""Which languages Hafen speaks, and to whom.

Staff pages are German and English. The client door also speaks Einfache Sprache
(easy-to-read German: short sentences, common words), as its own Django language
``de-ls`` with the catalogue in ``locale/de_LS``. Strings it does not translate fall
back to plain German (gettext finds ``de`` after ``de_LS``), so a staff page opened in
the same browser stays readable.

Turkish, Arabic (right to left), Ukrainian and Russian are prepared: their locale
folders exist with an empty catalogue, and Django already knows their names and
writing direction. They are not switched on yet: LocaleMiddleware would pick them
from a browser's Accept-Language and serve German text under ``lang="ar"``, right to
left, which helps nobody; such a browser gets English or German until the catalogue
is translated. To switch one on (``tr`` as the example):

1. ``hafen makemessages -l tr --no-obsolete --add-location=file -i data -i bench``
   fills ``locale/tr/LC_MESSAGES/django.po`` with every string of Hafen;
2. translate at least every string of the door pages (the test
   ``test_every_string_of_the_door_pages_is_translated`` names the missing ones);
3. ``hafen compilemessages -i .venv -i data``;
4. move the code from ``PREPARED`` to ``DOOR`` below.

This module is imported by the settings: it must not import models, nor read settings
while it is imported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.conf.locale import LANG_INFO
from django.utils.functional import Promise
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.http import HttpRequest

EASY_GERMAN = "de-ls"

STAFF: tuple[str, ...] = ("de", "en")
# Offered in the door's switcher: each catalogue translates every string of the door.
DOOR: tuple[str, ...] = ("de", EASY_GERMAN, "en")
# Locale folders ready, catalogue still empty: not offered, not negotiated.
PREPARED: tuple[str, ...] = ("tr", "ar", "uk", "ru")

NAMES: dict[str, Promise] = {
    "de": _("German"),
    EASY_GERMAN: _("Easy German"),
    "en": _("English"),
    "tr": _("Turkish"),
    "ar": _("Arabic"),
    "uk": _("Ukrainian"),
    "ru": _("Russian"),
}

# settings.LANGUAGES: every language a request may be served in.
LANGUAGES: list[tuple[str, Promise]] = [(code, NAMES[code]) for code in dict.fromkeys(STAFF + DOOR)]

# Django describes the languages it ships (name, name in the language itself, writing
# direction) in LANG_INFO. "de-ls" is Hafen's own code, and without an entry
# get_language_info() falls back to plain German and calls it "Deutsch" (the switcher
# would offer "Deutsch" twice). ``setdefault``: a later Django that knows it wins.
LANG_INFO.setdefault(
    EASY_GERMAN,
    {
        "bidi": False,
        "code": EASY_GERMAN,
        "name": "Easy German",
        "name_local": "Einfache Sprache",
    },
)


def choices(codes: tuple[str, ...] | list[str]) -> list[tuple[str, str]]:
    """(code, name in that language) for a switcher: people look for their own language."""
    return [(code, str(get_language_info(code)["name_local"])) for code in codes]


def context(request: HttpRequest) -> dict[str, Any]:
    """Template context: the staff footer and the client door each offer their own list."""
    return {
        "STAFF_LANGUAGES": choices(settings.HAFEN_STAFF_LANGUAGES),
        "DOOR_LANGUAGES": choices(settings.HAFEN_DOOR_LANGUAGES),
    }
