"""Search over encrypted case files: only what the person may read, audited, never the
search words in the log."""

from __future__ import annotations

import pytest

from hafen.cases import actions, queries, search
from hafen.cases.models import Confidentiality
from hafen.cases.tests.conftest import entry, open_case
from hafen.privacy.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def files(case, street_case, counsellor, other_team) -> dict[str, object]:
    entry(counsellor, case, "Mutter berichtet von Mietschulden beim Vermieter.")
    entry(
        counsellor,
        case,
        "Anvertraut: Leon hat SCHULDEN bei einem Mitschüler.",
        confidentiality=Confidentiality.ENTRUSTED,
    )
    entry(counsellor, street_case, "Mo fragt nach Hilfe bei Schulden.")
    debts = open_case(other_team, other_team.memberships.get().team, pseudonym="Familie S.")
    entry(other_team, debts, "Schuldenregulierung mit fünf Gläubigern begonnen.")
    return {"youth": case, "street": street_case, "debts": debts}


def _found(result) -> list[tuple[str, str]]:
    return [(hit.reference, hit.where) for hit in result.hits]


def test_search_finds_words_in_entries_the_person_may_read(files, counsellor) -> None:
    result = queries.search(counsellor, "schulden")

    found = {(hit.case_id, hit.where) for hit in result.hits}
    assert found == {
        (files["youth"].pk, "entry"),  # Mietschulden (part of a word), and the entrusted one
        (files["street"].pk, "entry"),
    }
    assert len(result.hits) == 3  # Jonas wrote the entrusted entry himself
    assert all("schulden" in hit.snippet.casefold() for hit in result.hits)
    assert result.complete and result.entries_searched == 5


def test_entrusted_entries_match_only_for_author_and_substitute(files, colleague) -> None:
    result = queries.search(colleague, "Mitschüler")

    assert result.hits == []


def test_other_teams_cases_are_never_searched(files, colleague, other_team) -> None:
    assert all(
        hit.case_id != files["debts"].pk for hit in queries.search(colleague, "Gläubiger").hits
    )
    hits = queries.search(other_team, "gläubigern").hits
    assert [(hit.case_id, hit.where) for hit in hits] == [(files["debts"].pk, "entry")]
    assert queries.search(other_team, "Mietschulden").hits == []


def test_file_number_pseudonym_and_sealed_name_are_found(files, counsellor) -> None:
    case = files["youth"]

    assert (case.reference, "reference") in _found(queries.search(counsellor, case.reference))
    assert (case.reference, "name") in _found(queries.search(counsellor, "krause"))
    assert (files["street"].reference, "pseudonym") in _found(queries.search(counsellor, "mo"))


def test_each_case_in_the_result_is_audited_without_the_search_words(files, counsellor) -> None:
    queries.search(counsellor, "Mietschulden")

    reads = AuditEntry.objects.filter(action="case.read", details__part="search")
    assert list(reads.values_list("object_id", flat=True)) == [str(files["youth"].pk)]
    assert "Miet" not in str(list(AuditEntry.objects.values_list("details", flat=True)))


def test_short_queries_and_limits(files, counsellor) -> None:
    assert queries.search(counsellor, " s ").too_short
    assert queries.search(counsellor, "\x00").too_short
    limited = queries.search(counsellor, "schulden", limit=1)
    assert len(limited.hits) == 1 and not limited.complete
    long_query = queries.search(counsellor, "x" * 10_000)
    assert len(long_query.query) == search.MAX_QUERY_CHARS and long_query.hits == []


def test_search_reads_the_cases_a_few_at_a_time_and_every_entry_once(
    files, counsellor, youth, monkeypatch
) -> None:
    monkeypatch.setattr(search, "CASES_PER_QUERY", 1)
    more = [open_case(counsellor, youth, f"Klient {n}") for n in range(3)]
    for number, case in enumerate([files["youth"], *more]):
        entry(counsellor, case, f"Notiz {number}")
    before = queries.search(counsellor, "Notiz")

    result = queries.search(counsellor, "Mietschulden")

    assert [hit.where for hit in result.hits] == ["entry"]
    assert result.entries_searched == before.entries_searched
    assert sorted(hit.snippet for hit in before.hits) == [f"Notiz {n}" for n in range(4)]


def test_the_current_version_is_searched(files, counsellor) -> None:
    made = entry(counsellor, files["youth"], "Telefonat mit Frau Kowalski.")
    actions.correct_entry(counsellor, made, text="Telefonat mit der Lehrerin.")

    assert queries.search(counsellor, "Kowalski").hits == []
    assert len(queries.search(counsellor, "Lehrerin").hits) == 1
