"""The `hafen` command: Django's management commands under one name.

hafen run --demo     migrate, demo data, worker and server (the README's first command)
hafen migrate        database migrations
hafen demo           create the demo organisation and print its accounts
hafen worker         background and scheduled tasks
hafen audit verify   check the audit chain
hafen keys rotate    new master key, data keys re-wrapped
hafen backup FILE    encrypted data backup without the data keys (--keys: the key store)
hafen restore FILE   restore a data backup, then replay erasures made since (--keys KEYS)
hafen check --deploy, hafen createsuperuser, ...  every Django command
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hafen.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["hafen", *sys.argv[1:]])


if __name__ == "__main__":
    main()
