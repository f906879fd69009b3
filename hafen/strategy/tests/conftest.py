"""Helpers of the strategy tests: the demo organisation's strategy, made by its people."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from hafen.strategy.models import StrategyVersion, VersionState


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English; pages ask for it, and code outside a request
    (the report, the goals) runs in it too."""
    with translation.override("en"):
        yield


def english(client: Client) -> Client:
    """The client reads the pages in English, so that tests assert the words people see
    whatever the state of the German catalogue."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def draft_of(org: Any) -> StrategyVersion:
    return StrategyVersion.objects.get(strategy__organisation=org, state=VersionState.DRAFT)


def signed_of(org: Any) -> StrategyVersion:
    return StrategyVersion.objects.get(strategy__organisation=org, state=VersionState.SIGNED)


def management(total: int, initial: int = 0) -> dict[str, str]:
    return {
        "part-TOTAL_FORMS": str(total),
        "part-INITIAL_FORMS": str(initial),
        "part-MIN_NUM_FORMS": "0",
        "part-MAX_NUM_FORMS": "30",
    }


def goal_row(index: int, **values: str) -> dict[str, str]:
    row = {
        "text": "Schnell antworten",
        "metric": "first_response_median_hours",
        "direction": "at_most",
        "target": "24",
        "period": "month",
        **values,
    }
    return {f"part-{index}-{key}": value for key, value in row.items()}


def post_goals(
    client: Client, version: StrategyVersion, rows: list[dict[str, str]], query: str = ""
) -> Any:
    data = {**management(len(rows)), "version": str(version.pk), "revision": str(version.revision)}
    for index, values in enumerate(rows):
        data.update(goal_row(index, **values))
    return client.post(f"/strategie/entwurf/teil/ziele/{query}", data)


def post_basics(client: Client, version: StrategyVersion, **values: str) -> Any:
    data = {
        "version": str(version.pk),
        "revision": str(version.revision),
        "budget": "",
        "budget_note": "",
        "guideline": "",
        "rules_note": "",
        "review_on": "",
        **values,
    }
    return client.post("/strategie/entwurf/teil/grundlagen/", data)


def sign(client: Client, version: StrategyVersion, revision: int | None = None) -> Any:
    return client.post(
        "/strategie/entwurf/unterschreiben/",
        {"version": str(version.pk), "revision": str(revision or version.revision)},
    )
