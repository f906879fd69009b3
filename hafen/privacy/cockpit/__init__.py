"""The data-protection officer's cockpit: the state of the privacy core at a glance
(audit chain, retention runs, break-glass, restricted reads, holds), the audit log
search, and the access report of one case file. Never content: ids, file numbers,
staff names, actions, times.
"""
