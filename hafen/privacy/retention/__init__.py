"""Retention: rules per organisation and kind of data, the statutory minimums that
forbid deletion, legal holds, restriction of processing, and the engine that deletes
what is due (crypto-shredding first, then the rows) and logs it without content.

Modules: ``models`` (the tables, imported by ``hafen.privacy.models``), ``statutes``
(German law as data), ``rules`` (periods, defaults, validation), ``blockers`` (what
forbids a deletion; ``erasure_blockers`` answers an erasure request), ``actions``
(audited writes for the DSB and leadership), ``erase`` (removing one record),
``engine`` (``plan_run`` = the dry run, ``apply_run``), ``tasks`` (the daily job).

Decisions:

- Statutory minimums hang on case categories (``CategoryStatute``), since Hafen's
  categories are free names. § 9b SGB VIII keeps a file until the 100th birthday;
  cases have no birth date, so an optional one lives in ``RetentionFacts`` (keyed by
  the case, deleted with it). Without it such a file is never deleted by a rule.
- A rule for closed case files may not be shorter than a fixed minimum (§ 630f BGB,
  10 years) of any category of the organisation that is marked with it.
- Open and paused cases are never due. A conversation linked to a case is kept with
  the case; once the case is deleted it follows its own rule.
- An active legal hold or restriction of processing stops deletion of the case.
- Audit entries (default three years) go from the start of the chain: the run removes
  every entry past the period, stores a checkpoint (the last removed entry's number and
  hash) where ``audit.verify`` starts, and anchors it with an ``audit.pruned`` entry. The
  chain is one per installation, so the longest period of its organisations applies.
- The deletion log has no rule and never expires. It holds kind, id, organisation,
  data key id (for replay after a restore), period, legal basis and time; never the
  file number or pseudonym, which can identify a person.
- Reasons of holds and restrictions are stored in plain text for now (the DSB writes
  them, they should not hold client content); sealing them with the case's key is an
  option once pages exist.
"""
