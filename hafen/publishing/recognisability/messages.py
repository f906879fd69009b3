"""Plain-language explanations and safer wordings, one pair per category.

They are translated when a check runs (the author's language). No text here ever
names a case, a conversation or the person a finding is about.
"""

from __future__ import annotations

from django.utils.translation import gettext as _


def explanation(category: str, detail: str = "") -> tuple[str, str]:
    """(explanation, suggestion) for a finding of ``category``."""
    if category == "client":
        return (
            _(
                "This name or pseudonym appears in your organisation's case files or "
                "conversations. A post must never name a client."
            ),
            _("Remove the name. Write about the situation in general terms instead."),
        )
    if category == "name":
        return (
            _("This looks like the name of a person. Readers could recognise who is meant."),
            _(
                'Leave the name out or write "a young person" or "a client" instead; name '
                "colleagues or supporters only if they agreed."
            ),
        )
    if category == "age":
        return (
            _("An age or a birth date narrows down who is meant."),
            _('Write an age group instead, for example "a young person" or "in her forties".'),
        )
    if category == "date":
        return (
            _("An exact date can show when someone was here or what happened to them."),
            _('If the date concerns a person, write "recently" or "this spring" instead.'),
        )
    if category == "time":
        return (
            _("An exact time can show when someone was here."),
            _('If the time concerns a person, write "in the evening" or leave it out.'),
        )
    if category == "address":
        return (
            _("An address or street shows where someone lives or can be found."),
            _(
                "Keep only your organisation's own public address; otherwise name the "
                'area roughly ("in our city") or leave it out.'
            ),
        )
    if category == "place":
        return (
            _("A district or a small place narrows down who is meant."),
            _('Name a larger area, for example "in our city" or "in the region".'),
        )
    if category == "school_institution":
        return (
            _("A named school or institution narrows down who is meant."),
            _('Write "a school" or "a clinic" instead of its name.'),
        )
    if category in {"phone", "email", "iban", "handle", "licence_plate"}:
        return (
            _("Contact details or account numbers lead directly to a person."),
            _(
                "Keep only your organisation's own public contact details or donation "
                "account; remove anybody else's."
            ),
        )
    if category == "special_category":
        return (
            _(
                "Health, addiction, religion, origin, sexual orientation, residence status "
                "or criminal matters of a person are especially protected (Art. 9 and 10 "
                "GDPR)."
            ),
            _(
                "Do not link such details to a person; write about the topic in general or "
                "ask for written consent."
            ),
        )
    if category == "combination":
        return (
            _(
                "Several details together (%(details)s) can make a person recognisable even "
                "without a name."
            )
            % {"details": detail},
            _("Leave out or generalise some of these details."),
        )
    if category == "unchecked":
        return (
            _("This text is too long: only its beginning was checked."),
            _("Shorten the text or split it into several posts."),
        )
    return (_("This detail could identify a person."), _("Leave it out or generalise it."))


def category_label(category: str) -> str:
    labels = {
        "age": _("age"),
        "date": _("date"),
        "time": _("time"),
        "address": _("address"),
        "place": _("place"),
        "school_institution": _("institution"),
        "special_category": _("sensitive detail"),
    }
    return labels.get(category, category)
