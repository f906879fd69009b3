"""How long guessing one return code or one handover link takes at the throttled rate.

    .venv/bin/python bench/guessing.py
    .venv/bin/python bench/guessing.py --active 10000 --addresses 1 30 10000 1000000

Every figure comes from the code itself: the word list and the number of words of a
code (``conversations.codes``), the limits and windows of the throttles
(``conversations.throttle``, ``bridge.throttle``) and the size of a handover token
(``bridge.actions``). Nothing is measured; nothing is sent anywhere.

An attacker guesses codes at random against all conversations at once: a guess hits
if it is any of the ``--active`` codes that exist, so one hit takes on average
``code space / active codes`` guesses (no passphrase set; a passphrase multiplies it).
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hafen.settings")

HOUR = 3600
YEAR_HOURS = 365.25 * 24


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--active", type=int, default=10_000, help="valid codes at once (open conversations)"
    )
    parser.add_argument("--links", type=int, default=1_000, help="valid handover links at once")
    parser.add_argument(
        "--addresses",
        type=int,
        nargs="+",
        default=[1, 30, 1_000, 100_000, 1_000_000],
        help="numbers of addresses (IPv4 addresses or IPv6 /64 networks) of one attacker",
    )
    return parser.parse_args()


def duration(hours: float) -> str:
    if hours < 1:
        return f"{hours * 60:.0f} minutes"
    if hours < 48:
        return f"{hours:.1f} hours"
    if hours < 2 * YEAR_HOURS:
        return f"{hours / 24:,.0f} days"
    return f"{hours / YEAR_HOURS:,.0f} years"


def main() -> None:
    args = arguments()
    import django

    django.setup()
    from hafen.bridge import actions as bridge_actions
    from hafen.bridge import throttle as link_throttle
    from hafen.conversations import codes, throttle

    words = len(codes.words())
    space = words**codes.CODE_WORDS
    guesses_per_hit = space / args.active
    per_address = throttle.CODE_FAILURES_PER_WINDOW * HOUR / throttle.CODE_WINDOW_SECONDS
    everyone = throttle.CODE_FAILURES_PER_WINDOW_ALL * HOUR / throttle.CODE_WINDOW_SECONDS

    print("Return codes")
    print(
        f"  code space: {words} words ^ {codes.CODE_WORDS} = {space:.3e}"
        f" ({math.log2(space):.0f} bits)"
    )
    print(f"  valid codes at once: {args.active:,}; chance per guess {args.active / space:.2e}")
    print(f"  guesses for one hit on average: {guesses_per_hit:.3e}")
    print(
        f"  throttle: {throttle.CODE_FAILURES_PER_WINDOW} wrong codes per address (an IPv6 /"
        f"{throttle.IPV6_PREFIX} counts as one) per {throttle.CODE_WINDOW_SECONDS // 60} min"
        f" = {per_address:,.0f}/hour;"
        f" {throttle.CODE_FAILURES_PER_WINDOW_ALL} for all addresses together"
        f" = {everyone:,.0f}/hour"
    )
    print(f"  addresses that reach the limit for everyone: {math.ceil(everyone / per_address)}")
    print(
        f"  {'addresses':>12}  {'guesses/hour':>13}  {'time to one hit':>16}  "
        f"{'without the limit for everyone':>30}"
    )
    for count in args.addresses:
        alone = count * per_address
        rate = min(alone, everyone)
        print(
            f"  {count:>12,}  {rate:>13,.0f}  {duration(guesses_per_hit / rate):>16}  "
            f"{duration(guesses_per_hit / alone):>30}"
        )
    year = everyone * YEAR_HOURS * args.active / space
    print(f"  chance of one hit in a year at the limit for everyone: {year:.2%}")

    token_bits = bridge_actions.TOKEN_BYTES * 8
    link_rate = link_throttle.UNKNOWN_LINKS_PER_WINDOW * HOUR / link_throttle.WINDOW_SECONDS
    print("Handover links")
    print(f"  token: {bridge_actions.TOKEN_BYTES} random bytes = {token_bits} bits")
    print(
        f"  throttle: {link_throttle.UNKNOWN_LINKS_PER_WINDOW} unknown links per address per"
        f" {link_throttle.WINDOW_SECONDS // 60} min = {link_rate:,.0f}/hour; no limit for"
        " everyone (it would protect nothing: see below)"
    )
    log_hours = token_bits - math.log2(args.links) - math.log2(1e9 * HOUR)
    print(
        f"  {args.links:,} valid links, a billion guesses a second (no throttle at all):"
        f" one hit after about 2^{log_hours:.0f} hours"
    )


if __name__ == "__main__":
    main()
