"""The recognisability check flags what could identify a person, with exact spans.

Sentences are written as a social worker would post them; each test names the detail a
reader could recognise someone by.
"""

from __future__ import annotations

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hafen.accounts.models import Team
from hafen.cases import actions as case_actions
from hafen.conversations import actions as conversation_actions
from hafen.publishing.recognisability import MAX_CHECKED_CHARS, check_text, client_names
from hafen.publishing.recognisability.clients import forget
from hafen.publishing.recognisability.normalise import normalise


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def flagged(text: str, **kwargs) -> list[tuple[str, str]]:
    """(span text, category) of every finding, in order."""
    return [(text[f.start : f.end], f.category) for f in check_text(text, **kwargs).findings]


def categories(text: str) -> set[str]:
    return {category for _span, category in flagged(text)}


# --- names ------------------------------------------------------------------------------


def test_it_flags_a_first_and_last_name_as_one_name():
    assert ("Anna Schmidt", "name") in flagged("Danke an Anna Schmidt für die Spende!")


def test_it_flags_names_from_the_communities_social_work_serves():
    found = flagged("Mehmet Yılmaz, Dariusz und Olena haben beim Fest geholfen.")
    assert [span for span, category in found if category == "name"] == [
        "Mehmet Yılmaz",
        "Dariusz",
        "Olena",
    ]


def test_it_flags_a_title_with_an_initial_and_a_family_name():
    assert ("K.", "name") in flagged("Frau K. war heute wieder bei uns.")
    assert ("Yılmaz", "name") in flagged("Familie Yılmaz hat uns Kuchen gebracht.")


def test_it_flags_the_little_max_but_not_max_as_an_abbreviation():
    assert ("Max", "name") in flagged("Der kleine Max hat heute gemalt.")
    assert categories("Max. 20 Plätze, bitte anmelden.") == set()


def test_it_does_not_take_common_nouns_for_surnames():
    text = "Unser Koch backt, der Bauer liefert Gemüse, und im Winter wird es kalt."
    assert check_text(text).findings == []


def test_a_full_name_is_high_and_a_first_name_alone_medium():
    severities = {
        text[f.start : f.end]: f.severity
        for text in ["Lea und Jonas Becker waren da."]
        for f in check_text(text).findings
    }
    assert severities == {"Lea": "medium", "Jonas Becker": "high"}


@pytest.mark.parametrize("surname", ["Schulze", "Krüger", "Möller", "Schmitz", "Voigt"])
def test_frequent_german_surnames_that_faker_lacks_make_a_full_name(surname):
    text = f"Mehmet {surname} war heute bei uns."
    result = check_text(text)
    assert [text[f.start : f.end] for f in result.findings] == [f"Mehmet {surname}"]
    assert result.risk == "high"


# --- ages, dates, times -----------------------------------------------------------------


def test_it_flags_ages_in_the_ways_germans_write_them():
    assert ("17-jährige", "age") in flagged("Der 17-jährige Junge kam allein.")
    assert ("(16)", "age") in flagged("Lea (16) hat ihren Abschluss.")
    assert ("15 Jahre alt", "age") in flagged("Er ist 15 Jahre alt.")
    assert ("Mitte 40", "age") in flagged("Eine Frau Mitte 40 kam zu uns.")
    assert ("2. Juni 2008", "age") in flagged("Er wurde am 2. Juni 2008 geboren.")


def test_target_groups_and_anniversaries_are_not_ages():
    assert categories("Für Jugendliche von 12 bis 18 Jahren und 14- bis 18-Jährige.") == set()
    assert categories("Das 25-jährige Jubiläum feiern wir groß.") == set()
    assert categories("Voraussetzung ist mehrjährige Berufserfahrung.") == set()


def test_an_event_date_is_low_but_the_same_date_about_a_person_is_not():
    event = check_text("Sommerfest am 12. Juni ab 15 Uhr!")
    assert [(f.category, f.severity) for f in event.findings] == [
        ("date", "low"),
        ("time", "low"),
    ]
    assert event.risk == "low"
    person = check_text("Am 12. Juni stand Kevin S. um 15 Uhr vor unserer Tür.")
    assert {f.category: f.severity for f in person.findings}["date"] == "medium"


# --- places and institutions ------------------------------------------------------------


def test_it_flags_streets_postcodes_and_districts():
    found = flagged("Herr M. schläft in der Schillerstraße 12, 12043 Berlin, in Neukölln.")
    assert ("Schillerstraße 12", "address") in found
    assert ("12043 Berlin", "address") in found
    assert ("Neukölln", "place") in found


def test_the_organisations_own_venue_is_only_a_hint():
    result = check_text("Treffpunkt: Lindenweg 3, vor unserem Jugendhaus.")
    assert [(f.category, f.severity) for f in result.findings] == [("address", "low")]


def test_people_living_on_the_street_are_no_address():
    text = "Viele Menschen leben auf der Straße, auf dem Weg zur Arbeit sieht man sie."
    assert categories(text) == set()


def test_it_flags_named_schools_but_not_schools_in_general_or_its_own_house():
    assert ("Goethe-Gymnasium", "school_institution") in flagged("Sie geht aufs Goethe-Gymnasium.")
    assert ("Kita Regenbogen", "school_institution") in flagged("Er war in der Kita Regenbogen.")
    assert categories("Viele Kinder haben Stress in der Schule.") == set()
    assert categories("Unser Jugendtreff Oase hat neue Sofas.") == set()


# --- contact data -----------------------------------------------------------------------


def test_it_flags_every_kind_of_contact_data():
    text = (
        "Ruf an: 0176 23456789 oder +49 30 1234567, Mail anna.k@example.org, "
        "Insta @anna_k2009, IBAN DE89 3704 0044 0532 0130 00, Auto B-KL 4821."
    )
    found = flagged(text)
    assert ("0176 23456789", "phone") in found
    assert ("+49 30 1234567", "phone") in found
    assert ("anna.k@example.org", "email") in found
    assert ("@anna_k2009", "handle") in found
    assert ("DE89 3704 0044 0532 0130 00", "iban") in found
    assert ("B-KL 4821", "licence_plate") in found


def test_an_iban_with_a_wrong_checksum_and_a_year_range_are_not_contact_data():
    assert "iban" not in categories("DE89 3704 0044 0532 0130 01")
    assert categories("Von 2019 bis 2024 haben wir 1200 Familien beraten.") == set()


# --- special categories -----------------------------------------------------------------


def test_a_diagnosis_of_a_person_is_high_but_the_topic_is_not_flagged():
    about_a_person = check_text("Eine Klientin mit Depressionen hat uns ihre Geschichte erzählt.")
    assert [(f.category, f.severity) for f in about_a_person.findings] == [
        ("special_category", "high")
    ]
    assert categories("Depressionen im Jugendalter werden oft zu spät erkannt.") == set()
    assert categories("Unsere Suchtberatung hilft bei Alkoholproblemen.") == set()


@pytest.mark.parametrize(
    "sentence, term",
    [
        ("Er ist seit einem Jahr heroinabhängig.", "heroinabhängig"),
        ("Die muslimische Klientin kam mit ihrem Sohn.", "muslimische"),
        ("Ein Vater erzählte, dass er schwul ist.", "schwul"),
        ("Er ist seit März nur geduldet.", "geduldet"),
        ("Nach seiner Haft fand er keine Wohnung.", "Haft"),
        ("Ein junger Mann aus Eritrea hat den Führerschein.", "aus Eritrea"),
    ],
)
def test_each_special_category_of_a_person_is_flagged(sentence, term):
    assert (term, "special_category") in flagged(sentence)


# --- combination and risk ---------------------------------------------------------------


def test_several_details_together_make_a_person_recognisable_without_a_name():
    result = check_text(
        "Eine 16-Jährige aus Gorbitz kam am 3. Mai nach ihrem Suizidversuch zu uns."
    )
    kinds = {f.category for f in result.findings}
    assert "combination" in kinds
    assert result.risk == "high"
    combination = next(f for f in result.findings if f.category == "combination")
    assert "age" in combination.explanation


def test_a_harmless_post_has_no_findings_and_no_risk():
    result = check_text("Danke an alle Ehrenamtlichen, die beim Herbstfest geholfen haben!")
    assert result.findings == []
    assert (result.risk, result.score) == ("none", 0.0)


def test_explanations_and_suggestions_are_in_german_for_german_staff():
    with translation.override("de"):
        finding = check_text("Danke an Anna Schmidt!").findings[0]
    assert "Name" in finding.explanation
    assert finding.suggestion
    assert "name" not in finding.explanation.split()


# --- hostile input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "disguised",
    [
        "Danke an \u0410nn\u0430 Schmidt!",  # Cyrillic А and а in a Latin name
        "Danke an An\u200bna Sch\u200cmidt!",  # zero-width space and non-joiner
        "Danke an \u202eAnna\u202c Schmidt!",  # right-to-left override around the name
        "Danke an \uff21\uff4e\uff4e\uff41 Schmidt!",  # fullwidth letters
        "Danke an Anna Schmi\u00addt!",  # a soft hyphen
    ],
)
def test_disguised_names_are_found_with_spans_into_the_original_text(disguised):
    names = [f for f in check_text(disguised).findings if f.category == "name"]
    assert len(names) == 1
    span = disguised[names[0].start : names[0].end]
    assert normalise(span).text == "Anna Schmidt"  # the original characters, disguise and all
    assert span.endswith("t")


def test_a_decomposed_umlaut_is_part_of_the_span():
    text = "Familie Mu\u0308ller hat gespendet."
    (finding,) = check_text(text).findings
    assert text[finding.start : finding.end] == "Mu\u0308ller"


def test_an_over_long_text_is_checked_up_to_the_limit_and_the_rest_is_high_risk():
    text = "Ein ganz normaler Satz ohne Namen. " * 2000 + "Danke an Anna Schmidt!"
    result = check_text(text)
    assert result.truncated
    assert result.checked_chars == MAX_CHECKED_CHARS
    unchecked = [f for f in result.findings if f.category == "unchecked"]
    assert [(f.start, f.end) for f in unchecked] == [(MAX_CHECKED_CHARS, len(text))]
    assert result.risk == "high"


def test_a_long_run_of_one_character_does_not_stall_the_check():
    for text in ("a" * MAX_CHECKED_CHARS, "1" * MAX_CHECKED_CHARS, "@" + "a." * 9000):
        assert check_text(text).checked_chars == len(text)


def test_lone_surrogates_and_stray_marks_do_not_break_the_check():
    text = "\u0301Danke an Anna Schmidt\ud800 und \udfffLea!"
    found = flagged(text)
    assert ("Anna Schmidt", "name") in found
    assert ("Lea", "name") in found


def test_anything_but_text_is_refused():
    with pytest.raises(TypeError):
        check_text(b"Anna")  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(codec=None), max_size=300))
def test_any_text_gives_findings_within_the_text(text):
    result = check_text(text)
    assert result.risk in ("none", "low", "medium", "high")
    assert 0.0 <= result.score <= 1.0
    for finding in result.findings:
        assert 0 <= finding.start < finding.end <= len(text)
        assert finding.severity in ("low", "medium", "high")


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.sampled_from(["\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\ufeff"]),
        min_size=1,
        max_size=4,
    ),
    st.integers(min_value=1, max_value=4),
)
def test_invisible_characters_anywhere_in_a_name_do_not_hide_it(invisible, position):
    name = "Schmidt"
    hidden = name[:position] + "".join(invisible) + name[position:]
    text = f"Danke an Anna {hidden}!"
    names = [f for f in check_text(text).findings if f.category == "name"]
    assert [text[f.start : f.end] for f in names] == [f"Anna {hidden}"]


# --- the organisation's own clients -----------------------------------------------------


@pytest.fixture
def _no_cached_names():
    forget()
    yield
    forget()


@pytest.mark.usefixtures("_no_cached_names")
def test_a_clients_name_from_a_case_file_is_flagged_without_saying_whose_it_is(org, counsellor):
    team = Team.objects.get(slug="jugendberatung")
    case = case_actions.open_case(counsellor, team, pseudonym="Leon K.", name="Leon Kranichfeld")
    result = check_text("Kranichfeld hat heute seinen Abschluss gefeiert!", organisation_id=org.pk)
    (finding,) = [f for f in result.findings if f.category == "client"]
    assert (finding.start, finding.end, finding.severity) == (0, 11, "high")
    assert result.risk == "high"
    told = finding.explanation + finding.suggestion
    for secret in (case.reference, case.pseudonym, "Leon", "Kranichfeld", str(case.pk)):
        assert secret not in told


@pytest.mark.usefixtures("_no_cached_names")
def test_a_conversation_pseudonym_is_flagged_as_a_phrase_but_not_word_by_word(org):
    team = Team.objects.get(slug="jugendberatung")
    pseudonym = conversation_actions.start_conversation(team).conversation.pseudonym
    first, second = pseudonym.split(" ", 1)
    assert ("client") in categories_with_org(f"Im Chat schrieb {pseudonym} uns heute.", org.pk)
    assert "client" not in categories_with_org(f"{first} und {second} sind Wörter.", org.pk)


def categories_with_org(text: str, organisation_id: int) -> set[str]:
    return {f.category for f in check_text(text, organisation_id=organisation_id).findings}


@pytest.mark.usefixtures("_no_cached_names")
def test_another_organisations_clients_are_not_flagged_and_names_are_cached(
    org, counsellor, django_assert_num_queries
):
    team = Team.objects.get(slug="jugendberatung")
    case_actions.open_case(counsellor, team, pseudonym="Mo", name="Mohammed Quandt")
    assert "quandt" in client_names(org.pk)
    assert "quandt" not in client_names(org.pk + 1000)
    with django_assert_num_queries(0):
        client_names(org.pk)  # within the minute: from this process's memory


@pytest.mark.usefixtures("_no_cached_names")
def test_without_an_organisation_the_check_reads_nothing(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        check_text("Danke an Anna Schmidt!")
