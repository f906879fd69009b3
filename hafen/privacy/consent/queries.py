"""Reads of consent: the text in force, the state of a subject's consent, the figures.

Nothing here writes: a page that shows Hafen's default text before first use shows
an unsaved version 1 (``is_default``, no ``pk``); see ``defaults``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet

from hafen.accounts.models import Organisation
from hafen.privacy.consent.defaults import default_text
from hafen.privacy.consent.models import ConsentKind, ConsentRecord, ConsentText
from hafen.privacy.consent.subjects import subject_filter

if TYPE_CHECKING:
    from hafen.cases.models import Case
    from hafen.privacy.consent.subjects import Subject

# Addresses of the kinds (German, like every address of Hafen) and back.
SLUGS: dict[str, str] = {
    ConsentKind.DOOR_NOTICE: "datenschutzhinweis",
    ConsentKind.DOCUMENTATION: "dokumentation",
    ConsentKind.REFERRAL: "vermittlung",
    ConsentKind.PHOTOS: "fotos",
}
KINDS_BY_SLUG: dict[str, str] = {slug: kind for kind, slug in SLUGS.items()}


def unsaved_default(organisation_id: int, kind: str) -> ConsentText:
    organisation = Organisation.objects.get(pk=organisation_id)
    text = default_text(kind, organisation.name)
    return ConsentText(
        organisation=organisation,
        kind=kind,
        number=1,
        title=text.title,
        body_de=text.body_de,
        body_en=text.body_en,
        body_easy=text.body_easy,
        is_default=True,
    )


def current_text(organisation_id: int, kind: str) -> ConsentText:
    """The version in force, or Hafen's default (unsaved) if none is stored yet."""
    return ConsentText.objects.current(organisation_id, kind) or unsaved_default(
        organisation_id, kind
    )


def version(organisation_id: int, kind: str, number: int) -> ConsentText | None:
    """Version ``number`` of the organisation's text; version 1 is the default until
    something is stored."""
    found = ConsentText.objects.of(organisation_id, kind).filter(number=number).first()
    if found is None and number == 1 and not ConsentText.objects.of(organisation_id, kind).exists():
        return unsaved_default(organisation_id, kind)
    return found


@dataclass(frozen=True)
class DoorNotice:
    number: int
    title: str
    body: str
    language: str  # the language the body is really in (German when not translated)


def door_notice(organisation_id: int, language: str) -> DoorNotice:
    """The privacy notice the door shows, in the client's language or else German."""
    text = current_text(organisation_id, ConsentKind.DOOR_NOTICE)
    body, body_language = text.body_for(language)
    return DoorNotice(text.number, text.title, body, body_language)


# -- a subject's consent -----------------------------------------------------------------


def current_consent(kind: str, subject: Subject) -> ConsentRecord | None:
    """The standing consent of ``kind`` for ``subject`` (the latest given, not
    withdrawn), or None: never given, or withdrawn. The question other parts ask
    before they refer a client or publish a photo."""
    return (
        ConsentRecord.objects.filter(subject_filter(subject), version__kind=kind)
        .filter(withdrawn_on__isnull=True)
        .select_related("version", "recorded_by")
        .order_by("-given_on", "-recorded_at", "-pk")
        .first()
    )


@dataclass(frozen=True)
class ConsentState:
    kind: str
    label: str
    state: str  # "given", "withdrawn" or "none"
    record: ConsentRecord | None


def consent_state(kind: str, subject: Subject) -> ConsentState:
    """What a page says about ``subject``: given (by which record), withdrawn, or none."""
    label = str(ConsentKind(kind).label)
    standing = current_consent(kind, subject)
    if standing is not None:
        return ConsentState(kind, label, "given", standing)
    withdrawn = (
        ConsentRecord.objects.filter(subject_filter(subject), version__kind=kind)
        .select_related("version", "withdrawal_recorded_by")
        .order_by("-withdrawn_on", "-withdrawal_recorded_at", "-pk")
        .first()
    )
    if withdrawn is not None:
        return ConsentState(kind, label, "withdrawn", withdrawn)
    return ConsentState(kind, label, "none", None)


def case_states(case: Case) -> list[ConsentState]:
    """The consents of a case file, for its page."""
    from hafen.privacy.consent.actions import CASE_KINDS

    return [consent_state(kind, case) for kind in CASE_KINDS]


# -- figures and lists for the DPO -------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    given: int = 0
    withdrawn: int = 0


def _counts(records: QuerySet[ConsentRecord], key: str) -> dict[object, Counts]:
    rows = records.values(key).annotate(
        given=Count("pk"), withdrawn=Count("pk", filter=Q(withdrawn_on__isnull=False))
    )
    return {row[key]: Counts(row["given"], row["withdrawn"]) for row in rows}


@dataclass(frozen=True)
class KindSummary:
    kind: str
    slug: str
    label: str
    current: ConsentText
    versions: int
    counts: Counts


def overview(organisation_id: int) -> list[KindSummary]:
    """Each kind with its version in force and the agreements and withdrawals."""
    counts = _counts(
        ConsentRecord.objects.filter(version__organisation_id=organisation_id), "version__kind"
    )
    latest: dict[str, ConsentText] = {}
    numbers: dict[str, int] = {}
    for text in ConsentText.objects.filter(organisation_id=organisation_id).order_by(
        "kind", "-number"
    ):
        latest.setdefault(text.kind, text)
        numbers[text.kind] = numbers.get(text.kind, 0) + 1
    return [
        KindSummary(
            kind=kind,
            slug=SLUGS[kind],
            label=str(label),
            current=latest.get(kind) or unsaved_default(organisation_id, kind),
            versions=numbers.get(kind, 0),
            counts=counts.get(kind, Counts()),
        )
        for kind, label in ConsentKind.choices
    ]


def history(organisation_id: int, kind: str) -> list[tuple[ConsentText, Counts]]:
    """Every version of the kind, newest first, with its agreements and withdrawals."""
    versions = list(ConsentText.objects.of(organisation_id, kind).select_related("published_by"))
    if not versions:
        return [(unsaved_default(organisation_id, kind), Counts())]
    counts = _counts(ConsentRecord.objects.filter(version__in=versions), "version_id")
    return [(text, counts.get(text.pk, Counts())) for text in versions]


def counts_of(text: ConsentText) -> Counts:
    if text.pk is None:
        return Counts()
    return _counts(ConsentRecord.objects.filter(version=text), "version_id").get(text.pk, Counts())


def records_of(text: ConsentText) -> QuerySet[ConsentRecord]:
    """Who agreed to ``text`` and who withdrew, newest first: subjects by number only."""
    return (
        ConsentRecord.objects.filter(version=text)
        .select_related("case", "recorded_by", "withdrawal_recorded_by")
        .order_by("-given_on", "-recorded_at", "-pk")
    )
