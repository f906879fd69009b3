"""The organisation's templates for entries, plans and minutes.

Leadership and admins write them; every counsellor uses them. A template is the
organisation's wording (headings, questions to answer), never client content.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from hafen.accounts.models import User
from hafen.cases import access
from hafen.cases.actions._common import manages_cases
from hafen.cases.models import MAX_ENTRY_CHARS, EntryKind, Template, TemplateKind
from hafen.cases.validation import choice, clean_line, clean_text
from hafen.privacy import audit


def _fields(kind: str, title: str, body: str, entry_kind: str) -> tuple[str, str, str, str]:
    kind = choice(kind, TemplateKind, label=_("Template for"))
    title = clean_line(title, label=_("Title"), limit=120)
    body = clean_text(body, label=_("Text"), limit=MAX_ENTRY_CHARS)
    if kind == TemplateKind.ENTRY and entry_kind:
        entry_kind = choice(entry_kind, EntryKind, label=_("Type of entry"))
    else:
        entry_kind = ""
    return kind, title, body, entry_kind


def _taken(organisation_id: int, kind: str, title: str, exclude: int | None = None) -> bool:
    same = Template.objects.filter(organisation_id=organisation_id, kind=kind, title__iexact=title)
    if exclude is not None:
        same = same.exclude(pk=exclude)
    return same.exists()


def _duplicate() -> ValidationError:
    return ValidationError(_("A template with this title exists already."), code="duplicate")


@transaction.atomic
def create_template(
    user: User, *, kind: str, title: str, body: str, entry_kind: str = ""
) -> Template:
    if not manages_cases(user):
        raise PermissionDenied
    organisation_id = user.organisation_id
    assert organisation_id is not None
    kind, title, body, entry_kind = _fields(kind, title, body, entry_kind)
    if _taken(organisation_id, kind, title):
        raise _duplicate()
    try:
        with transaction.atomic():
            template = Template.objects.create(
                organisation_id=organisation_id,
                kind=kind,
                title=title,
                body=body,
                entry_kind=entry_kind,
                created_by=user,
            )
    except IntegrityError:
        raise _duplicate() from None
    audit.record(
        "case_template.created",
        actor=user,
        target=template,
        organisation_id=organisation_id,
        kind=kind,
    )
    return template


@transaction.atomic
def update_template(
    user: User,
    template: Template,
    *,
    title: str,
    body: str,
    entry_kind: str = "",
    is_active: bool = True,
) -> bool:
    if not manages_cases(user) or template.organisation_id != user.organisation_id:
        raise PermissionDenied
    _kind, title, body, entry_kind = _fields(template.kind, title, body, entry_kind)
    if _taken(template.organisation_id, template.kind, title, exclude=template.pk):
        raise _duplicate()
    new = (title, body, entry_kind, bool(is_active))
    if new == (template.title, template.body, template.entry_kind, template.is_active):
        return False
    template.title, template.body, template.entry_kind, template.is_active = new
    template.save(update_fields=["title", "body", "entry_kind", "is_active"])
    audit.record(
        "case_template.changed",
        actor=user,
        target=template,
        organisation_id=template.organisation_id,
    )
    return True


@dataclass(frozen=True)
class Draft:
    """What a form starts with when the person picks a template."""

    text: str
    entry_kind: str  # for entry templates: the type to preselect ("" = none)


def apply_template(user: User, template_id: object, *, kind: str) -> Draft:
    """The starting text of an offered template of the person's organisation, else 404."""
    pk = access.parse_id(template_id)
    if user.organisation_id is None:
        raise Http404
    template = Template.objects.filter(
        pk=pk, organisation_id=user.organisation_id, kind=kind, is_active=True
    ).first()
    if template is None:
        raise Http404
    return Draft(template.body, template.entry_kind)
