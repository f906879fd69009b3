"""Precision, recall and speed of the recognisability check, on one core.

    .venv/bin/python bench/recognisability.py             # the labelled set and the held-out set
    .venv/bin/python bench/recognisability.py --seconds 5 # measure the speed for longer
    .venv/bin/python bench/recognisability.py --misses    # also print every miss and false alarm

Quality: the check runs over ``eval/sentences.jsonl`` (345 labelled posts, the set the
detectors were developed on) and ``eval/holdout.jsonl`` (123 posts written afterwards
and first scored without changes to the check); a finding counts when a label of the
same category overlaps it (see ``recognisability.evaluation``). Printed per category
and for the issue's groups: names, contact data, addresses, and overall.

Speed: posts per second of ``check_text`` in this one process (one core), after the name
lists were loaded once; for the labelled sentences as they are (short posts, about 80
characters) and for posts of five sentences each (about 400 characters, a typical
social-media post). No organisation is given, so no database is touched.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hafen.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="time per speed figure")
    parser.add_argument("--misses", action="store_true", help="print misses and false alarms")
    args = parser.parse_args()

    import django

    django.setup()
    from hafen.publishing.recognisability import check_text
    from hafen.publishing.recognisability.evaluation import GROUPS, SENTENCES, evaluate, load
    from hafen.publishing.recognisability.gazetteers import gazetteers

    started = time.perf_counter()
    gazetteers()
    print(f"name lists loaded once in {time.perf_counter() - started:.2f} s")

    for name in ("sentences.jsonl", "holdout.jsonl"):
        rows = load(SENTENCES.with_name(name))
        score = evaluate(rows)
        print(f"\n{name}: {len(rows)} posts, {score.support()} labelled spans")
        print(f"  {'category':<20} {'precision':>9} {'recall':>7} {'labels':>7}")
        for category in score.categories():
            print(
                f"  {category:<20} {score.precision((category,)):>9.3f} "
                f"{score.recall((category,)):>7.3f} {score.support((category,)):>7}"
            )
        for group, categories in GROUPS.items():
            print(
                f"  {'[' + group + ']':<20} {score.precision(categories):>9.3f} "
                f"{score.recall(categories):>7.3f} {score.support(categories):>7}"
            )
        print(
            f"  {'[overall]':<20} {score.precision():>9.3f} {score.recall():>7.3f} "
            f"{score.support():>7}"
        )
        if args.misses:
            for text, span, category in score.misses:
                print(f"    missed {category}: {span!r} in {text!r}")
            for text, span, category in score.wrong:
                print(f"    false alarm {category}: {span!r} in {text!r}")

    texts = [str(row["text"]) for row in load()]
    posts = [" ".join(texts[i : i + 5]) for i in range(0, len(texts), 5)]
    print()
    for label, batch in (("sentences (~80 chars)", texts), ("posts of 5 sentences", posts)):
        checked, started = 0, time.perf_counter()
        while time.perf_counter() - started < args.seconds:
            for text in batch:
                check_text(text)
            checked += len(batch)
        elapsed = time.perf_counter() - started
        chars = sum(map(len, batch)) / len(batch)
        print(f"{label}: {checked / elapsed:,.0f} posts/s (mean {chars:.0f} chars), one core")


if __name__ == "__main__":
    main()
