"""The register of processing activities (Art. 30 DSGVO), declared by the code itself.

Each app that processes personal data has a ``processing.py`` that calls
``declare(Processing(...))`` once per processing activity: purpose, whose data, which
data, legal basis, retention, recipients, safeguards, and the models it covers. The
register page and PDF are generated from these declarations, so the document the
organisation hands to its supervisory authority describes the code that runs.

Every model of the installation is either covered by a declaration or listed in
``NOT_PERSONAL`` with the reason; ``models_without_declaration()`` names the rest, and
a test fails on any, so a new model cannot slip in without the question being asked.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from itertools import count

from django.apps import apps
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Text = str | Promise


@dataclass(frozen=True)
class Processing:
    """One processing activity, as Art. 30 Abs. 1 DSGVO asks for it.

    ``key`` is "<app label>.<slug>" and stays the same across releases, so that a
    register printed last year can be compared with today's. Legal bases are
    citations of German and European law and are printed as written.
    """

    key: str
    name: Text
    purpose: Text
    persons: tuple[Text, ...]
    data: tuple[Text, ...]
    legal_basis: tuple[str, ...]
    retention: Text
    recipients: tuple[Text, ...]
    safeguards: tuple[Text, ...]
    models: tuple[str, ...]  # "app_label.ModelName"
    # Art. 9 DSGVO: health, sexual life, religion … can appear in what people write.
    special_categories: bool = False
    order: int = field(default=0, compare=False, repr=False)

    @property
    def app_label(self) -> str:
        return self.key.split(".", 1)[0]


# Categories of persons that several apps share (one wording, one translation).
CLIENTS = _("Clients (people who seek advice or help)")
STAFF = _("Staff and volunteers of the organisation")
THIRD_PARTIES = _("Third parties the clients or staff mention (relatives, other professionals)")
TEAM = _("Staff of the responsible team, need-to-know")


# Models that hold no data about a person, each with the reason. When in doubt a
# model is personal: a foreign key to a staff member or a client's record is enough.
NOT_PERSONAL: dict[str, str] = {
    "auth.Permission": "names of permissions, about no person",
    "auth.Group": "names of permission groups; membership is not used by Hafen",
    "contenttypes.ContentType": "names of the installed models",
    "privacy.DataKey": "wrapped key material and its kind; the records it opens are declared",
    "privacy.AuditHead": "the latest sequence number and hash of the audit chain",
    "privacy.AuditCheckpoint": "where the audit chain starts after pruning: a number and a hash",
    "accounts.Organisation": "the legal body (Träger), its name and settings",
    "strategy.TeamMonth": (
        "a team's monthly counts for the figures (messages by hour, waiting times, "
        "conversations): sums that name no client, never below the team"
    ),
    "accounts.Facility": "a facility of the organisation, its name",
    "accounts.Team": "a team of a facility, its name and address on the client door",
    "conversations.Label": "tags the organisation defines for sorting, not client content",
    "conversations.DoorSettings": "a team's public door: welcome text, hours, public helplines",
    "cases.CaseCategory": "kinds of help the organisation offers",
    "cases.CaseSettings": "what the organisation allows around case files",
    "cases.ReferenceCounter": "the last file number given out per year",
}

# What protects every processing below; printed once at the top of the register.
GENERAL_SAFEGUARDS: tuple[Text, ...] = (
    _("Hafen runs on the organisation's own server; no data goes to third parties."),
    _(
        "Client content is encrypted with a key per conversation, case or meeting "
        "(AES-256-GCM), itself encrypted with the installation's master key."
    ),
    _(
        "Deleting a conversation or case destroys its key (crypto-shredding), so no "
        "backup can bring the content back."
    ),
    _(
        "Need-to-know: staff see only what their team or assignment needs; any wider "
        "access is a reasoned, time-limited, logged emergency access."
    ),
    _(
        "A tamper-evident, hash-chained audit log records who read or changed which "
        "record, never the content."
    ),
    _(
        "Staff log in with strongly hashed passwords, optional or required two-factor "
        "login, session timeouts and throttling of failed attempts."
    ),
    _("No IP addresses, browser data, trackers or outside assets for clients."),
)

_declared: dict[str, Processing] = {}
_sequence = count()
_lock = threading.RLock()  # re-entrant: a processing module may read the register
_loaded = False


def declare(processing: Processing) -> Processing:
    """Add ``processing`` to the register (called at import of an app's processing.py)."""
    if processing.key.count(".") != 1 or not all(processing.key.split(".")):
        raise ValueError(f"processing key must be '<app label>.<slug>': {processing.key!r}")
    known = _declared.get(processing.key)
    if known is not None:
        if known == processing:  # ``order`` is not compared
            return known  # the module was imported again (e.g. by a reload in tests)
        raise ValueError(f"processing {processing.key!r} is declared twice")
    numbered = replace(processing, order=next(_sequence))
    _declared[processing.key] = numbered
    return numbered


def _load() -> None:
    """Import ``hafen.<app>.processing`` of every installed Hafen app, once."""
    global _loaded
    if _loaded:
        return
    with _lock:
        if _loaded:
            return
        for config in apps.get_app_configs():
            if not config.name.startswith("hafen."):
                continue
            module = f"{config.name}.processing"
            try:
                importlib.import_module(module)
            except ModuleNotFoundError as error:
                if error.name != module:
                    raise  # a broken import inside the module is a bug, not "no module"
        _loaded = True


# The privacy core and the background worker serve every other part: the register
# describes them after the parts a reader knows from daily work.
_LAST = ("privacy", "home")


def register() -> list[Processing]:
    """Every declared processing, by the order of INSTALLED_APPS, then of declaration."""
    _load()
    labels = [config.label for config in apps.get_app_configs()]
    ordered = [label for label in labels if label not in _LAST] + list(_LAST)
    position = {label: index for index, label in enumerate(ordered)}
    return sorted(
        _declared.values(),
        key=lambda p: (position.get(p.app_label, len(position)), p.order),
    )


def covered_models() -> set[str]:
    return {label for processing in register() for label in processing.models}


def models_without_declaration(
    candidates: Iterable[type[models.Model]] | None = None,
) -> list[str]:
    """Labels of the models that are neither declared nor listed as not personal.

    ``candidates`` defaults to every concrete model installed (auto-created
    many-to-many tables belong to their model's declaration).
    """
    if candidates is None:
        candidates = apps.get_models()
    known = covered_models() | set(NOT_PERSONAL)
    return sorted(
        model._meta.label
        for model in candidates
        if not model._meta.abstract and model._meta.label not in known
    )


def unknown_models() -> list[str]:
    """Labels a declaration or NOT_PERSONAL names that are no installed model (typos)."""
    installed = {model._meta.label for model in apps.get_models()}
    named = covered_models() | set(NOT_PERSONAL)
    return sorted(named - installed)


def describe(processing: Processing) -> list[tuple[Text, list[Text]]]:
    """The rows of one processing as the page and the PDF print them, label and values."""
    return [
        (_("Purpose"), [processing.purpose]),
        (_("Categories of persons"), list(processing.persons)),
        (_("Categories of personal data"), list(processing.data)),
        (
            _("Special categories (Art. 9 DSGVO)"),
            [
                _("Possible: people may write about health, beliefs or sexual life")
                if processing.special_categories
                else _("Not intended")
            ],
        ),
        (_("Legal basis"), list(processing.legal_basis)),
        (_("Retention and deletion"), [processing.retention]),
        (_("Recipients"), list(processing.recipients)),
        (_("Transfer to third countries"), [_("None")]),
        (_("Technical and organisational measures"), list(processing.safeguards)),
    ]
