"""Backup and restore, so that a restored backup can never bring erased content back.

``hafen backup FILE`` writes the data backup: the rows of every table except the key
store (``DataKey``, ``DeletionLog``) and the transient ones (login sessions, the task
queue), plus the encrypted files of the data folder. ``hafen backup --keys FILE``
writes the key store alone. ``hafen restore FILE`` puts a data backup back;
``hafen restore --keys KEYS FILE`` first merges a key-store backup (a lost server).

Modules: ``container`` (the encrypted file format), ``archive`` (rows and files inside
it), ``actions`` (``make_backup``, ``make_key_backup``: what each file holds),
``restore`` (``inspect``, ``restore``), ``replay`` (erasing again what was erased since
the backup).

Decisions:

- The data keys live apart from the data. A data backup holds content only as
  ciphertext under data keys it does not contain; a restore keeps the live key store,
  where an erased record's key is shredded for good. So content erased after a backup
  stays unreadable after restoring it, even before the replay.
- The deletion log lives with the keys, so a restore never rolls it back. After the
  rows are back, every logged record that is back (same id and data key) is erased
  again through ``retention.erase``; so is every conversation or case whose key is
  shredded (a client's own deletion leaves no deletion log). Audited, without content.
- A restore replaces every data table in one transaction: raw ``DELETE``, then the
  backup's rows as they were (no ``save()``, no ``auto_now``); foreign keys are checked
  at commit. Rows that need a data key the key store lacks are refused (restore the
  key-store backup first). Files: the backup's are written where missing, removed again
  if the restore fails, and files that no restored row can name are removed after it.
- Merging a key-store backup adds missing keys and deletion-log rows but never
  un-shreds a live key; a key shredded in the backup is shredded live as well.
- The audit log is data and comes back with the backup, unless the live chain already
  holds the backup's chain (the usual case: the same server, an older backup). Then
  the live chain stays, with what happened since, and the restore is appended to it.
  Either way ``hafen audit verify`` passes afterwards.
- Ids never go back: sequences only move forward on a restore and past every id in
  the deletion log, so a new record never takes an erased one's id (and the replay
  never mistakes one for the other).
- Each file is encrypted as a whole (``container``): AES-256-GCM in 1 MiB chunks,
  file key from the primary master key by HKDF-SHA256 with a random salt. Only the
  header is plain: format, kind and master key id. A stolen backup shows neither
  content nor metadata (names of users, organisations, the audit log).
- Every refusal comes before anything changes: the whole file is read and
  authenticated first (wrong master key, altered, truncated, not a backup, from a
  newer schema). The restore reads it again and any failure rolls everything back.
  A backup from an older schema is tried; rows that do not fit roll back the same way.
- A backup reads all tables in one transaction (REPEATABLE READ on PostgreSQL) and
  writes a private file renamed into place when complete. Django's serializers were
  not used: their JSON rounds times to milliseconds (the audit chain hashes
  microseconds) and they save row by row.
"""
