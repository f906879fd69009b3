"""Rebuild sentences.jsonl and holdout.jsonl from their .txt sources (inline labels).

    .venv/bin/python hafen/publishing/recognisability/eval/build.py

In sentences.txt a line "# domain" starts a section; every other line is one post, in
which each identifying span is written as [[text|code]] (codes in CODES below).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

CODES = {
    "n": "name", "a": "age", "d": "date", "t": "time", "ad": "address", "p": "place",
    "s": "school_institution", "ph": "phone", "e": "email", "i": "iban", "h": "handle",
    "l": "licence_plate", "sc": "special_category",
}  # fmt: skip
MARK = re.compile(r"\[\[(.+?)\|(\w+)\]\]")
HERE = Path(__file__).resolve().parent


def parse(line: str) -> tuple[str, list[dict[str, object]]]:
    text, spans, position = "", [], 0
    for m in MARK.finditer(line):
        text += line[position : m.start()]
        start = len(text)
        text += m.group(1)
        spans.append({"start": start, "end": len(text), "category": CODES[m.group(2)]})
        position = m.end()
    text += line[position:]
    if "[[" in text or "]]" in text:
        raise ValueError(f"broken mark-up: {line}")
    return text, spans


def build(name: str) -> None:
    domain, labelled = "", 0
    rows: list[dict[str, object]] = []
    for raw in (HERE / f"{name}.txt").read_text("utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("# "):
            domain = line.lstrip("# ").strip()
            continue
        text, spans = parse(line)
        rows.append({"id": len(rows) + 1, "domain": domain, "text": text, "spans": spans})
        labelled += len(spans)
    with (HERE / f"{name}.jsonl").open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    print(f"{name}: {len(rows)} sentences, {labelled} labelled spans")


def main() -> None:
    build("sentences")
    build("holdout")


if __name__ == "__main__":
    main()
