"""Consent: versioned texts (the door's privacy notice and three consents), records of
who agreed to which version when, and withdrawals.

The four kinds (``models.ConsentKind``): the client door's privacy notice
(Datenschutzhinweis der Anlaufstelle, information under Art. 13 DSGVO), and consent
to case documentation, to a referral to a partner organisation, and to photos in
public posts (Art. 6 Abs. 1 lit. a, Art. 7, Art. 9 Abs. 2 lit. a DSGVO).

The API other parts call (plain functions; every write checked and audited):

- ``actions.record_consent(user, kind, subject, method=..., given_on=..., number=None)``
  records that the client agreed to version ``number`` (default: the current one).
  ``subject`` is a ``cases.Case`` (kinds ``documentation`` and ``referral``; the user
  must be allowed to write the case) or a ``subjects.LabelSubject(organisation_id,
  label)`` (kind ``photos``, until posts exist; communications, leadership, DPO).
  ``method`` is ``written`` or ``verbal``. Raises ``ValidationError`` with a message
  for the user, ``PermissionDenied`` for who may not.
- ``actions.withdraw_consent(user, kind, subject, withdrawn_on=...)`` dates every
  standing record of the kind for the subject; nothing is deleted.
- ``queries.current_consent(kind, subject)`` is the standing ``ConsentRecord`` (its
  ``version.number``, ``given_on``, ``method``) or None — ask it before referring a
  client or publishing a photo. ``queries.consent_state`` also tells "withdrawn".
- ``actions.publish_version(user, kind, title=..., body_de=..., body_en=..., body_easy=...)``
  for the DPO; ``queries.current_text(organisation_id, kind)`` the text in force.
- ``actions.record_door_notice(conversation, number)`` is called by
  ``conversations.actions.start_conversation``: the conversation was started under
  door-notice version ``number`` (no IP address, no user agent).

Decisions:

- Published versions are never changed (``ConsentText.save`` and the queryset's
  ``update`` refuse): a record must keep pointing at the words the client saw. A
  change is a new version, numbered 1, 2, 3 … per organisation and kind.
- Hafen's default texts (``defaults``) become version 1 on first use, not a
  "version 0" in the code; the reasons are in ``defaults``.
- A withdrawal is a date on the record, never a deletion: the record proves that
  the processing until then was lawful (Art. 7 Abs. 3 DSGVO). Records go with their
  subject when a conversation or case file is deleted.
- The door notice cannot be withdrawn (it is information); staff cannot record
  consents for conversations (the door does).

Modules: ``models``, ``defaults``, ``subjects``, ``actions``, ``queries``, ``forms``,
``views`` (the DPO's pages under /datenschutz/einwilligungen/ and the case file's
consent forms).
"""
