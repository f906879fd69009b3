"""Precision and recall of the check against the labelled sentences in ``eval/``.

A finding counts as found (true positive) when a labelled span of the same category
overlaps it; each label is matched at most once. Findings of the post-level kinds
"combination" and "unchecked" are not spans of a detail and are left out. Used by
``bench/recognisability.py`` and by the regression test.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from hafen.publishing.recognisability.check import check_text

SENTENCES = Path(__file__).resolve().parent / "eval" / "sentences.jsonl"
POST_LEVEL = frozenset({"combination", "unchecked"})
# The groups the issue sets aims for.
GROUPS = {
    "names": ("name", "client"),
    "contact": ("phone", "email", "iban", "handle", "licence_plate"),
    "addresses": ("address",),
}


@dataclass
class Score:
    true_positives: Counter[str] = field(default_factory=Counter)
    false_positives: Counter[str] = field(default_factory=Counter)
    false_negatives: Counter[str] = field(default_factory=Counter)
    misses: list[tuple[str, str, str]] = field(default_factory=list)  # (text, span, cat)
    wrong: list[tuple[str, str, str]] = field(default_factory=list)

    def precision(self, categories: tuple[str, ...] | None = None) -> float:
        tp = self._sum(self.true_positives, categories)
        fp = self._sum(self.false_positives, categories)
        return tp / (tp + fp) if tp + fp else 1.0

    def recall(self, categories: tuple[str, ...] | None = None) -> float:
        tp = self._sum(self.true_positives, categories)
        fn = self._sum(self.false_negatives, categories)
        return tp / (tp + fn) if tp + fn else 1.0

    def support(self, categories: tuple[str, ...] | None = None) -> int:
        return self._sum(self.true_positives, categories) + self._sum(
            self.false_negatives, categories
        )

    def categories(self) -> list[str]:
        return sorted(
            set(self.true_positives) | set(self.false_positives) | set(self.false_negatives)
        )

    @staticmethod
    def _sum(counter: Counter[str], categories: tuple[str, ...] | None) -> int:
        if categories is None:
            return sum(counter.values())
        return sum(counter[c] for c in categories)


def load(path: Path = SENTENCES) -> list[dict[str, object]]:
    with path.open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def evaluate(rows: list[dict[str, object]] | None = None) -> Score:
    score = Score()
    for row in rows if rows is not None else load():
        text = str(row["text"])
        labels = [dict(span) for span in row["spans"]]  # type: ignore[attr-defined]
        matched = [False] * len(labels)
        for finding in check_text(text).findings:
            if finding.category in POST_LEVEL:
                continue
            hit = next(
                (
                    i
                    for i, label in enumerate(labels)
                    if not matched[i]
                    and label["category"] == finding.category
                    and finding.start < int(label["end"])
                    and int(label["start"]) < finding.end
                ),
                None,
            )
            if hit is None:
                score.false_positives[finding.category] += 1
                score.wrong.append((text, text[finding.start : finding.end], finding.category))
            else:
                matched[hit] = True
                score.true_positives[finding.category] += 1
        for label, found in zip(labels, matched, strict=True):
            if not found:
                category = str(label["category"])
                score.false_negatives[category] += 1
                span = text[int(label["start"]) : int(label["end"])]
                score.misses.append((text, span, category))
    return score
