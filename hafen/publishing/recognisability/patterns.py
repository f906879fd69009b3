"""Regular expressions and word lists of the detectors (read on the normalised text).

Every quantifier over an open character class is bounded, so that no pattern
backtracks quadratically over a long run of letters or digits in a hostile text.
"""

from __future__ import annotations

import re

from hafen.publishing.recognisability.normalise import key


def keys(text: str) -> frozenset[str]:
    """Whitespace-separated words in the folded form they are compared in."""
    return frozenset(key(word) for word in words(text))


def words(text: str) -> list[str]:
    return text.split()


CAP = r"[A-ZÄÖÜ]"
WORD = r"[^\W\d_]"

EMAIL = re.compile(
    r"(?<![\w.+@-])[\w.+-]{1,64}(?:@|\s?[\[(]at[\])]\s?)[\w-]{1,63}(?:\.[\w-]{1,63}){0,4}"
    r"\.[A-Za-z]{2,12}\b"
)
HANDLE = re.compile(
    r"(?<![\w@.])@[A-Za-z0-9_]{2,30}(?:\.[A-Za-z0-9_]{1,30}){0,2}"
    r"(?:@[\w-]{1,63}(?:\.[\w-]{1,63}){1,4})?"
)
PHONE = re.compile(
    r"(?<![\w+/.,])(?:(?:\+|00)[1-9]\d{0,2}[\s./-]?(?:\(0\)[\s./-]?)?\(?\d{2,5}\)?|\(?0\d{2,5}\)?)"
    r"(?:[\s./-]{0,2}\d{1,8}){1,5}(?![\w])"
)
IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){3,7}(?:[ ]?[A-Z0-9]{1,3})?\b")
LICENCE_PLATE = re.compile(r"\b[A-ZÄÖÜ]{1,3}[- ][A-Z]{1,2}[ -]?[1-9]\d{0,3}[EH]?\b")

_MONTHS = (
    r"(?:Januar|Jänner|Jan\.|Februar|Feb\.|März|April|Apr\.|Mai|Juni|Juli|August|Aug\.|"
    r"September|Sept?\.|Oktober|Okt\.|November|Nov\.|Dezember|Dez\.)"
)
DATE = re.compile(
    r"\b(?:(?:[0-2]?\d|3[01])\.\s?(?:(?:0?[1-9]|1[0-2])\.(?:\s?(?:19|20)?\d{2}\b)?|"
    + _MONTHS
    + r"(?:\s(?:19|20)\d{2}\b)?)|(?:19|20)\d{2}-[01]\d-[0-3]\d\b)"
)
BIRTH = re.compile(
    r"\b(?:geboren|geb\.|Jahrgang|Geburtsjahr|Geburtstag)(?:\s(?:am|im))?\s{0,2}$", re.IGNORECASE
)
BIRTH_YEAR = re.compile(
    r"\b(?:[Jj]ahrgang|[Gg]eboren(?:\s(?:im\sJahr|in))?|geb\.|Geburtsjahr)\s(?:19|20)\d{2}\b"
)
TIME = re.compile(
    r"\b(?:[01]?\d|2[0-3])(?:[:.][0-5]\d)?(?:\s?(?:-|–|bis)\s?(?:[01]?\d|2[0-3])(?:[:.][0-5]\d)?)?"
    r"\s?Uhr\b|\b(?:[01]?\d|2[0-3]):[0-5]\d\b"
)

_NUMBER_WORD = (
    r"(?:(?:ein|zwei|drei|vier|fünf|sechs|sieben|acht|neun)und)?"
    r"(?:zwanzig|dreißig|vierzig|fünfzig|sechzig|siebzig|achtzig|neunzig)|"
    r"(?:drei|vier|fünf|sech|sieb|acht|neun)zehn|elf|zwölf|zwei|drei|vier|fünf|sechs|sieben|"
    r"acht|neun|zehn"
)
AGE = re.compile(
    r"\b(?:\d{1,3}\s?[-–]?\s?|(?:" + _NUMBER_WORD + r")-?)[Jj]ährige[rnms]?\b"
    r"|\b\d{1,3}\s?Jahre?\s(?:alte?[rnms]?|jung)\b"
    r"|\b(?:im\sAlter\svon|mit)\s\d{1,3}\sJahren\b(?!\s(?:Erfahrung|Berufserfahrung))"
    r"|\b(?:Anfang|Mitte|Ende)\s(?:[1-9]0|zwanzig|dreißig|vierzig|fünfzig|sechzig|siebzig|achtzig)\b"
    r"|\b(?:ist|war|wird|wurde)\s(?:gerade\s|erst\s|schon\s|jetzt\s)?\d{1,2}\b(?![\s.,]*(?:Uhr|Euro|€|%|"
    r"Prozent|Minuten|Stunden|Tage|Wochen|Monate|Mal|Jahre|km|Kilometer|Personen|Menschen|"
    r"Teilnehm|Plätze|Stück|\d))"
    r"|(?<=[^\W\d_],\s)\d{1,2}(?=,)"  # "Michael, 52, hat …"
    r"|\bmit\s\d{1,2}(?=[.!?,]|\s(?![a-zäöüß]*(?:en|er|es|em|e)\b)[a-zäöüß])"  # "mit 16 ihr …"
    r"|(?:(?<=[^\W\d_]\s)|(?<=[^\W\d_.])|(?<=\.\s))\(\d{1,2}\)"
)
# "-jährige" followed by one of these is a duration or an anniversary, not an age.
NOT_AGE_NOUNS = tuple(
    keys(
        """jubilaum bestehen erfahrung berufserfahrung ausbildung projekt projekts laufzeit
    förderung tätigkeit zusammenarbeit geschichte pause arbeit studium mitgliedschaft
    partnerschaft kooperation engagement praxis betriebszugehörigkeit weiterbildung
    qualifikation modellprojekt programm vertrag befristung laufzeit"""
    )
)
RANGE_BEFORE = re.compile(r"(?:\bbis|\bund|\bzwischen|[-–]|\bab|\bunter|\büber)\s{0,2}$")

_STRONG_STREET = r"(?:straße|strasse|str\.|allee|gasse|chaussee|promenade)"
_WEAK_STREET = r"(?:weg|platz|ring|damm|ufer|markt|pfad|steig|stieg|kamp|graben|zeile|twiete)"
_HOUSE = r"\s\d{1,4}\s?[a-h]?\b(?:\s?[-–/]\s?\d{1,4}[a-h]?\b)?"
STREET = re.compile(
    # One word with the suffix: "Hauptstraße 5", "Karl-Marx-Allee", "Lindenweg 12"
    r"\b(?:"
    + CAP
    + r"[\w.]{0,30}-){0,3}"
    + CAP
    + r"\w{1,30}?(?:"
    + _STRONG_STREET
    + r"(?!-)(?:"
    + _HOUSE
    + r")?|"
    + _WEAK_STREET
    + _HOUSE
    + r")"
    # "Karl-Marx-Straße", "Anne-Frank-Platz 3"
    r"|\b(?:"
    + CAP
    + r"[\w.]{0,30}-){1,3}(?:Straße|Strasse|Str\.|Allee|Gasse|Chaussee)(?!-)(?:"
    + _HOUSE
    + r")?"
    r"|\b(?:"
    + CAP
    + r"[\w.]{0,30}-){1,3}(?:Platz|Weg|Ring|Damm|Ufer)"
    + _HOUSE
    +
    # Two words: "Berliner Straße 12", "Alte Dorfstraße", "Straße der Einheit"
    r"|\b"
    + CAP
    + r"\w{1,30}(?:er|e)\s(?:Straße|Strasse|Str\.|Allee|Chaussee|Weg|Platz|Ring|"
    r"Damm|Ufer|Markt|Gasse)(?:" + _HOUSE + r")?"
    r"|\b(?:Straße|Platz|Allee)\s(?:des|der|am)\s(?:\d{1,2}\.\s)?"
    + CAP
    + r"\w{1,30}(?:"
    + _HOUSE
    + r")?"
    # "Am Mühlbach 3", "An der Alster 12"
    r"|\b(?:Am|An\sder|An\sden|Im|In\sder|Auf\sder|Auf\sdem|Zum|Zur|Hinter\sder)\s"
    + CAP
    + r"\w{1,30}\s\d{1,3}\s?[a-h]?\b(?!\.?\s?(?:Uhr|Jahr|Euro|€|Personen|Menschen))"
)
GENERIC_STREET_WORDS = keys(
    """straße strasse landstraße bundesstraße hauptverkehrsstraße einkaufsstraße seitenstraße
    nebenstraße querstraße dorfstraße spielstraße fußgängerzone schulweg heimweg rückweg
    ausweg umweg arbeitsweg lebensweg fluchtweg spielplatz sportplatz parkplatz arbeitsplatz
    ausbildungsplatz marktplatz stellplatz kitaplatz studienplatz praktikumsplatz
    arbeitsmarkt wohnungsmarkt flohmarkt weihnachtsmarkt wochenmarkt"""
)
POSTCODE = re.compile(
    r"(?<![\d.,€$])\b(?:D-)?\d{5}\s"
    + CAP
    + r"[\w-]{2,40}(?:\s(?:an\sder|am|im|in|bei)\s"
    + CAP
    + r"[\w-]{1,40})?"
)
NOT_AFTER_POSTCODE = keys(
    "euro eur besucher besucherinnen menschen personen teilnehmende mal kilometer km"
)
VENUE_BEFORE = re.compile(
    r"(?:\bOrt|\bTreffpunkt|\bAdresse|\bVeranstaltungsort|\bWo|\bAnschrift|\bBüro)\s?:\s*$"
    r"|\b(?:[Uu]nser(?:e|em|en|er)?|[Ii]n\sunser(?:e|em|en|er)?)\s(?:[\w-]+,?\s){0,4}$"
    r"|\b(?:findet|treffen\swir\suns|sind\swir|erreichen\sSie\suns|zu\sfinden)\b[^.!?]{0,40}$"
    r"|\b(?:[Bb]ei\suns|[Ww]ir\ssind|[Uu]mgezogen|neue[nr]?\s(?:Räume|Adresse))\b[^.!?]{0,40}$"
)

_INSTITUTIONS = (
    r"(?:Schule|Grundschule|Gesamtschule|Realschule|Hauptschule|Oberschule|Sekundarschule|"
    r"Gemeinschaftsschule|Förderschule|Berufsschule|Berufskolleg|Gymnasium|Kita|Kindergarten|"
    r"Kindertagesstätte|Hort|Klinik|Klinikum|Krankenhaus|Hospital|Kinderheim|Wohnheim|"
    r"Wohngruppe|Notunterkunft|Gemeinschaftsunterkunft|Unterkunft|Erstaufnahme|"
    r"Erstaufnahmeeinrichtung|JVA|Justizvollzugsanstalt|Jugendstrafanstalt|Psychiatrie|"
    r"Moschee|Kirchengemeinde|Jobcenter|Sportverein|Heim|Hochschule|Universität|Werkstatt)"
)
INSTITUTION = re.compile(
    # "Goethe-Gymnasium", "Anne-Frank-Schule", "St.-Josef-Krankenhaus"
    r"\b(?:" + CAP + r"[\w.]{0,30}-){1,4}" + _INSTITUTIONS + r"s?\b"
    # "Kita Regenbogen", "JVA Tegel", "Grundschule am Hasenberg", "Klinikum Nord"
    r"|\b"
    + _INSTITUTIONS
    + r"\s(?:(?:am|an\sder|im|in\sder|auf\sdem|zum|zur|St\.)\s)?"
    + CAP
    + r"[\w-]{1,30}(?:\s(?:Straße|Platz|Weg|Park))?"
    # "St. Elisabeth Krankenhaus", "St. Marien Hospital"
    r"|\bSt\.\s?" + CAP + r"\w{1,30}(?:-" + CAP + r"\w{1,30})?\s" + _INSTITUTIONS + r"\b"
    # "Goetheschule", "Lessinggymnasium"
    r"|\b" + CAP + r"[a-zäöüß]{2,30}(?:schule|gymnasium|klinik)\b"
)
GENERIC_INSTITUTION_PREFIXES = keys(
    """grund haupt real gesamt ober berufs förder sekundar gemeinschafts hoch fach volkshoch
    musik tanz fahr sprach privat ganztags abend sommer baby eltern kinder tages reha uni
    poli kur psych tag nacht frauen jugend kunst koch mal theater sport schwimm gesundheits
    pflege kranken heil sozial erzieher ferien berufsfach fachober abend zahn augen tier
    kinderklinik jugendklinik entzugs sucht tages"""
)
OWN_BEFORE = re.compile(r"\b[Uu]nser(?:e|em|en|er)?\s(?:\w+\s){0,2}$")

PLACE_CONTEXT = re.compile(
    r"\b(?:Stadtteil|Ortsteil|Dorf|Gemeinde|Siedlung|Viertel|Kiez|Quartier|Ortschaft)\s"
    + CAP
    + r"[\w-]{2,40}"
    r"|\b" + CAP + r"[\w]{2,30}-(?:Nord|Süd|Ost|West|Mitte|Ost|Nordost|Südwest)\b"
    r"|\b" + CAP + r"[a-zäöüß]{2,30}(?:viertel|siedlung|kiez)\b"
    r"|\b(?:Berlin|Hamburg|München|Köln|Frankfurt|Stuttgart|Düsseldorf|Leipzig|Dortmund|"
    r"Essen|Bremen|Dresden|Hannover|Nürnberg|Duisburg|Bochum|Wuppertal|Bielefeld|Bonn|"
    r"Wolfsburg|Mannheim|Karlsruhe|Augsburg|Kiel|Chemnitz|Halle|Magdeburg|Rostock|Kassel)-"
    + CAP
    + r"[a-zäöüß]{2,30}\b"  # "Berlin-Marzahn", "Wolfsburg-Vorsfelde"
)
PLACE_PREPOSITION = re.compile(r"\b(?:in|im|aus|nach|bei|von|vom|Richtung|nahe)\s$")

# Districts of large cities that often appear in social-work reports; a district or a
# small town narrows a person down far more than "Berlin" does.
DISTRICTS = words(
    """
Neukölln Kreuzberg Wedding Marzahn Hellersdorf Spandau Moabit Lichtenberg Reinickendorf
Tempelhof Schöneberg Friedrichshain Pankow Köpenick Treptow Gropiusstadt Hohenschönhausen
Buckow Rudow Britz Wilhelmsburg Billstedt Harburg Altona Eimsbüttel Barmbek Jenfeld
Steilshoop Veddel Mümmelmannsberg Lurup Osdorf Chorweiler Kalk Porz Ehrenfeld Nippes
Meschenich Hasenbergl Neuperlach Giesing Moosach Milbertshofen Gallus Bockenheim
Griesheim Sossenheim Grünau Connewitz Paunsdorf Gorbitz Prohlis Marxloh Hochfeld
Nordstadt Hörde Katernberg Altendorf Tenever Gröpelingen Vahrenheide Sahlkamp
Mühlenberg Hallschlag Zuffenhausen Langwasser Gostenhof Hassel Scharnhorst Bilk
Garath Hochdahl Haslach Weststadt Oststadt Südstadt Innenstadt Altstadt Neustadt
"""
)
BIG_CITIES = frozenset(
    words(
        """Berlin Hamburg München Köln Frankfurt Stuttgart Düsseldorf Leipzig Dortmund Essen
    Bremen Dresden Hannover Nürnberg Duisburg Bochum Wuppertal Bielefeld Bonn Münster
    Mannheim Karlsruhe Augsburg Wiesbaden Mönchengladbach Gelsenkirchen Aachen Braunschweig
    Kiel Chemnitz Halle Magdeburg Freiburg Krefeld Mainz Lübeck Erfurt Oberhausen Rostock
    Kassel Hagen Potsdam Saarbrücken Hamm Ludwigshafen Oldenburg Mülheim Osnabrück
    Leverkusen Darmstadt Heidelberg Solingen Herne Regensburg Neuss Paderborn Ingolstadt
    Offenbach Fürth Würzburg Ulm Heilbronn Pforzheim Wolfsburg Göttingen Bottrop Reutlingen
    Koblenz Recklinghausen Bremerhaven Erlangen Remscheid Jena Trier Moers Salzgitter Siegen
    Hildesheim Cottbus Gütersloh Wien Graz Linz Salzburg Zürich Bern Basel Deutschland
    Österreich Schweiz Europa Bayern Sachsen Hessen Thüringen Brandenburg Niedersachsen"""
    )
)

# Special categories of personal data (Art. 9 GDPR, and criminal matters, Art. 10).
SPECIAL = re.compile(
    r"\b(?:"
    # health and diagnoses
    r"depressi\w{0,12}|schizophren\w{0,8}|psychose\w{0,3}|psychotisch\w{0,3}|borderline|"
    r"bipolar\w{0,3}|adhs|autis\w{0,10}|traumatisiert\w{0,3}|ptbs|posttraumatisch\w{0,3}|"
    r"suizid\w{0,10}|selbstmord\w{0,10}|selbstverletz\w{0,8}|ritzt|geritzt|essstörung\w{0,3}|"
    r"magersucht|magersüchtig\w{0,3}|bulimi\w{0,4}|hiv\w{0,10}|aids|krebs|krebskrank\w{0,3}|"
    r"krebserkrank\w{0,6}|tumor\w{0,3}|chemotherapie|diabet\w{0,6}|epilep\w{0,8}|demenz\w{0,4}|"
    r"dement\w{0,3}|behindert\w{0,3}|behinderung\w{0,3}|rollstuhl\w{0,6}|schwanger\w{0,6}|"
    r"fehlgeburt\w{0,3}|abtreibung\w{0,3}|schwangerschaftsabbruch\w{0,3}|hepatitis|"
    r"diagnose\w{0,3}|diagnostiziert\w{0,3}|psychiatrie\w{0,3}|psychiatrisch\w{0,3}|"
    r"angststörung\w{0,3}|panikattacke\w{0,3}|psychisch\skrank\w{0,3}|schwer\skrank\w{0,3}|"
    r"todkrank\w{0,3}|herzinfarkt\w{0,3}|schlaganfall\w{0,3}|"
    # addiction
    r"(?:alkohol|drogen|spiel|glücksspiel|kauf|internet|medikamenten|heroin|crack|kokain|"
    r"computerspiel|opiat|cannabis|crystal)(?:sucht|süchtig\w{0,3}|abhängig\w{0,6})|"
    r"(?:spiel|glücksspiel|alkohol|drogen|mager|kauf|internet|computerspiel|medien|heroin)?"
    r"süchtig\w{0,3}|seit\s(?:\w{1,12}\s){1,3}clean|"
    # the same in English posts
    r"addict\w{0,6}|rehab|overdose\w{0,1}|diagnosed|depression|pregnant|asylum|deport\w{0,5}|"
    r"undocumented|convicted|prison|jail|alkoholiker\w{0,3}|alkoholkrank\w{0,3}|junkie\w{0,2}|heroin|kokain|"
    r"crack|crystal\smeth|substituiert\w{0,3}|substitution\w{0,3}|methadon\w{0,3}|"
    r"(?:alkohol|drogen|heroin|opiat|medikamenten)?(?:entzug\w{0,3}|entgiftung\w{0,3})|"
    r"seit\s(?:\w{1,12}\s){1,3}trocken|rückfall\w{0,3}|rückfällig\w{0,3}|drogen|"
    r"abhängig\svon\s(?:alkohol|drogen|heroin|tabletten)|trinkt|getrunken|gekifft|kifft|"
    # religion
    r"muslim\w{0,3}|muslimisch\w{0,3}|jüdisch\w{0,3}|jude|jüdin|katholisch\w{0,3}|"
    r"orthodox\w{0,3}|jesid\w{0,3}|ezid\w{0,3}|alevit\w{0,3}|buddhist\w{0,3}|hindu\w{0,3}|"
    r"moschee\w{0,3}|synagoge\w{0,3}|kopftuch|ramadan|zeugen\sjehovas|konvertiert\w{0,3}|"
    # ethnic origin
    r"roma|romni|sinti|sintiza|sintezza|kurd\w{0,3}|tamil\w{0,3}|tschetschen\w{0,3}|"
    r"syrer\w{0,3}|syrisch\w{0,3}|afghan\w{0,3}|eritre\w{0,4}|somali\w{0,3}|türkin|türke|"
    r"arabisch\w{0,3}|araber\w{0,3}|spätaussiedler\w{0,3}|russlanddeutsch\w{0,3}|"
    r"aus\s(?:Syrien|Afghanistan|Eritrea|Somalia|dem\sIrak|dem\sIran|der\sTürkei|Nigeria|"
    r"Guinea|Gambia|Rumänien|Bulgarien|der\sUkraine|Russland|dem\sKosovo|Albanien|Serbien|"
    r"Ghana|Marokko|Algerien|Tunesien|Vietnam|Polen)|"
    # sexual orientation and gender identity
    r"schwul\w{0,3}|lesbisch\w{0,3}|lesbe|bisexuell\w{0,3}|homosexuell\w{0,3}|queer\w{0,3}|"
    r"transgender|transident\w{0,3}|transfrau|transmann|nicht-binär\w{0,3}|nichtbinär\w{0,3}|"
    r"intergeschlechtlich\w{0,3}|coming-out|geoutet|"
    # residence status
    r"duldung|geduldet\w{0,3}|asyl\w{0,14}|abschieb\w{0,6}|abgeschoben\w{0,3}|"
    r"aufenthaltsstatus|aufenthaltserlaubnis|aufenthaltstitel\w{0,3}|ohne\spapiere|"
    r"papierlos\w{0,3}|illegalisiert\w{0,3}|ausreisepflichtig\w{0,3}|bleiberecht\w{0,3}|"
    r"kirchenasyl|"
    # criminal matters (Art. 10 GDPR)
    r"haft|haftstrafe\w{0,3}|haftentlass\w{0,6}|u-haft|untersuchungshaft|inhaftiert\w{0,3}|"
    r"gefängnis\w{0,3}|knast\w{0,3}|vorbestraft\w{0,3}|verurteilt\w{0,3}|straftat\w{0,3}|"
    r"straffällig\w{0,3}|bewährung\w{0,3}|diebstahl\w{0,3}|ladendiebstahl\w{0,3}|"
    r"gestohlen|geklaut|einbruch\w{0,3}|körperverletzung\w{0,3}|angeklagt\w{0,3}|"
    r"anklage\w{0,3}|strafverfahren\w{0,3}|festgenommen|verhaftet|jugendarrest|"
    r"sozialstunden|gedealt|dealt|dealer\w{0,3}|jugendgericht\w{0,3}|vorstrafe\w{0,3}"
    r")\b",
    re.IGNORECASE,
)
SPECIAL_LOWER = re.compile(SPECIAL.pattern.lower())
SPECIAL_KINDS = (
    ("addiction", re.compile(r"sucht|süchtig|abhängig|alkohol|junkie|heroin|kokain|crack|crystal|"
                             r"substitu|methadon|entzug|entgift|rückfall|drogen|trinkt|getrunken|"
                             r"kifft", re.I)),
    ("religion", re.compile(r"muslim|jüd|jude|kathol|orthodox|jesid|ezid|alevit|buddh|hindu|"
                            r"moschee|synagoge|kopftuch|ramadan|jehova|konvert", re.I)),
    ("ethnic", re.compile(r"roma|romni|sinti|kurd|tamil|tschetsch|syr|afghan|eritre|somal|türk|"
                          r"arab|aussiedler|russlanddeutsch|^aus\s", re.I)),
    ("sexual", re.compile(r"schwul|lesb|bisex|homosex|queer|trans|binär|intergeschl|coming|"
                          r"geoutet", re.I)),
    ("residence", re.compile(r"duld|asyl|abschieb|abgeschoben|aufenthalt|papier|illegal|"
                             r"ausreise|bleiberecht", re.I)),
    ("criminal", re.compile(r"haft|gefängnis|knast|vorbestraft|verurteilt|straf|bewährung|"
                            r"diebstahl|gestohlen|geklaut|einbruch|körperverletz|anklage|"
                            r"angeklagt|festgenommen|verhaftet|arrest|sozialstunden|deal|"
                            r"jugendgericht|vorstrafe", re.I)),
)  # fmt: skip

# Signs that a sentence speaks of one particular person, not of a topic or a group.
_SINGULAR_NOUNS = (
    r"Klient|Jugendlicher|Junge|Jungen|Mann|Vater|Sohn|Bewohner|Besucher|Teilnehmer|Schüler|"
    r"Ratsuchender|Nachbar|Rentner|Witwer|Geflüchteter|Azubi|Auszubildender|Kind|Baby|Enkel|"
    r"Opa|Bruder|Ehemann|Partner|Freund|Student|Vater|Großvater|Mitbewohner|Klienten"
)
_FEMININE_NOUNS = (
    r"Klientin|Jugendliche|Frau|Mutter|Tochter|Bewohnerin|Besucherin|Teilnehmerin|Schülerin|"
    r"Ratsuchende|Nachbarin|Rentnerin|Witwe|Schwangere|Geflüchtete|Auszubildende|Enkelin|Oma|"
    r"Schwester|Ehefrau|Partnerin|Freundin|Studentin|Großmutter|Familie|Mitbewohnerin"
)
PERSON_CUE = re.compile(
    r"\b(?:[Ee]r|[Ii]hm|[Ii]hn|[Ss]ein(?:e|en|em|er|es))\b"
    r"|\b(?:[Hh]e|[Hh]im|[Hh]is)\b"
    r"|\b(?:[Ee]in|[Ee]inen|[Ee]inem|[Dd]er|[Dd]en|[Dd]em|[Uu]nser|[Uu]nseren|[Uu]nserem|"
    r"[Ss]einem|[Ii]hrem|[Ii]hren)\s(?:[a-zäöüß]{2,20}\s){0,2}(?:" + _SINGULAR_NOUNS + r")\b"
    r"|\b(?:[Ee]ine|[Ee]iner|[Dd]ie|[Dd]er|[Uu]nsere|[Ii]hre|[Ss]eine)\s(?:[a-zäöüß]{2,20}\s){0,2}"
    r"(?:" + _FEMININE_NOUNS + r")\b"
)

HONORIFICS = re.compile(
    r"\b(?:Frau|Herr|Herrn|Familie|Fam\.|Dr\.|Prof\.|Mr\.?|Mrs\.?|Ms\.?|Mx\.?)\s$"
)
NAME_TITLES = re.compile(
    r"\b(?:Frau|Herr|Herrn|Familie|Fam\.|Dr\.|Prof\.|Mr\.?|Mrs\.?|Ms\.?|Mx\.?|Oma|Opa|Onkel|Tante|Kollegin|Kollege|"
    r"Klientin|Klient|Schwester|Bruder|Mama|Papa|Nachbarin|Nachbar|Praktikantin|Praktikant|"
    r"Bewohnerin|Bewohner|kleine|kleinen|kleiner|Sohn|Tochter|Baby|Azubi|Ehrenamtliche|"
    r"Ehrenamtlichen|Kolleginnen|Kollegen|Vorsitzende|Bürgermeisterin|Bürgermeister|"
    r"Sozialarbeiterin|Sozialarbeiter|Streetworkerin|Streetworker)\s$"
)
INITIAL = re.compile(r"[A-ZÄÖÜ]\.(?!\w)")
NOT_AFTER_TITLE = keys(
    "mitte anfang ende doktor professor dr prof und oder der die das den dem des ein eine"
)
TOKEN = re.compile(r"[^\W\d_]{1,40}(?:[-'’][^\W\d_]{1,40}){0,3}")
# A full stop ends a sentence unless it ends a number ("12. Juni"), an initial ("Kevin
# S.") or a frequent abbreviation.
SENTENCE_END = re.compile(
    r"(?<!\d)(?<![^\w][A-ZÄÖÜ])(?<!Dr)(?<!Nr)(?<!St)(?<!ca)(?<!bzw)(?<!Str)(?<!Prof)"
    r"[.!?]+(?=\s+[A-ZÄÖÜ\"„])|\n\s*\n|[!?]+"
)
