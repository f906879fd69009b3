"""Data-subject requests about case files: the DSB's workflow (Art. 12-20 DSGVO).

Modules: ``models`` (the request; imported by ``hafen.privacy.models``),
``deadlines`` (one calendar month, extendable once by two), ``actions`` (recording,
extending, export, erasure, restriction, closing; each checked and audited),
``bundle`` (the ZIP of JSON and PDF for Art. 15/20), ``queries``, ``forms``, ``views``.

Decisions:

- Only the data-protection officer of the case's organisation records and answers
  requests. The case is found by its file number within that organisation; the DSB
  needs no need-to-know access to the case content to record a request, and the
  export reads the case through the request, never through the case pages.
- Entries entrusted to one staff member or from third parties never go into the
  bundle (Art. 15 Abs. 4 DSGVO, § 83 Abs. 4 SGB X, § 65 SGB VIII); the bundle says
  how many were left out and why.
- Erasure asks ``retention.blockers.erasure_blockers`` like the retention engine;
  legal reasons refuse it, are recorded as the request's exceptions, and the DSB
  is offered a restriction of processing instead.
- The request stays after an erasure as proof, without content: its notes are
  emptied; kind, dates, outcome and the case's number (as in the deletion log) stay.
- Audit entries name the request, the case and the kind; never the requester's words.
"""
