"""Backup and restore at the size of a real organisation: time, file size, memory.

    .venv/bin/python bench/backup.py                          # SQLite, 2,000 cases, 50 entries each
    .venv/bin/python bench/backup.py --db postgres            # a throwaway PostgreSQL database
    .venv/bin/python bench/backup.py --cases 500 --entries 20 --files 100

Builds the organisation of ``bench/cases.py`` (case files with encrypted entries) plus
--files encrypted attachments of 200 KB, then runs the real commands as separate
processes: ``hafen backup``, ``hafen backup --keys``, the retention-free erasure of
every tenth case, and ``hafen restore --yes`` of the earlier backup (which replays
those erasures). Prints wall time and the largest resident memory of each command,
and the size of the files. Nothing leaves the machine; everything is removed at the end.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))

import cases as case_bench  # noqa: E402 - bench/cases.py, beside this file

PEAK = (
    "import resource, sys\n"
    "from hafen.cli import main\n"
    "try:\n"
    "    main()\n"
    "finally:\n"
    "    print('peak', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
)


def run(*args: str) -> tuple[float, float, str]:
    """Wall seconds, the command's peak resident memory in MB, and its output."""
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own command, fixed arguments
        [sys.executable, "-c", PEAK, *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    seconds = time.perf_counter() - started
    peak = int(done.stderr.rsplit("peak", 1)[1].split()[0]) / 1024
    return seconds, peak, done.stdout.strip()


def main() -> None:
    parser = case_bench.argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--entries", type=int, default=50)
    parser.add_argument("--files", type=int, default=200, help="attachments of 200 KB")
    args = parser.parse_args()
    args.big = args.entries
    sys.path.insert(0, str(ROOT))
    with case_bench.environment(args):
        import django

        django.setup()
        from django.db import connection, transaction

        from hafen.cases.models import Case, CaseAttachment, CaseEntry
        from hafen.privacy import audit, crypto
        from hafen.privacy.retention import erase

        print(f"building {args.cases} cases of {args.entries} entries, {args.files} files …")
        _counsellor, _big, seconds = case_bench.build(args)
        entries = list(CaseEntry.objects.select_related("case__data_key")[: args.files])
        for number, entry in enumerate(entries):
            name = crypto.save_encrypted_file(
                entry.case.data_key, os.urandom(200_000), context="case.attachment.bytes"
            )
            attachment = CaseAttachment(
                entry=entry, content_type="application/pdf", size=200_000, storage_name=name
            )
            attachment.name = f"anhang-{number}.pdf"
            attachment.save()
        print(f"built in {seconds:.0f} s: {CaseEntry.objects.count()} entries\n")
        connection.close()

        folder = Path(os.environ["HAFEN_DATA_DIR"])
        rows = []
        took, peak, _out = run("backup", str(folder / "data.bak"))
        size = (folder / "data.bak").stat().st_size / 1e6
        rows.append((f"hafen backup ({size:.1f} MB)", took, peak))
        took, peak, _out = run("backup", "--keys", str(folder / "keys.bak"))
        size = (folder / "keys.bak").stat().st_size / 1e6
        rows.append((f"hafen backup --keys ({size:.2f} MB)", took, peak))

        erased = 0
        for case in Case.objects.select_related("data_key").order_by("pk")[::10]:
            with transaction.atomic():
                audit.record("bench.erased", target=case)
                erase.erase_case(case)
            erased += 1
        connection.close()
        took, peak, out = run("restore", str(folder / "data.bak"), "--yes")
        rows.append((f"hafen restore, replaying {erased} erased cases", took, peak))
        took, peak, _out = run("audit", "verify")
        rows.append(("hafen audit verify afterwards", took, peak))

        print(f"bench/backup.py on {connection.vendor}:")
        for label, took, peak in rows:
            print(f"  {label:<48} {took:7.1f} s   peak memory {peak:6.0f} MB")
        print("\n" + out)


if __name__ == "__main__":
    main()
