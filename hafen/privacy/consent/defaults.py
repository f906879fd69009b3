# ruff: noqa: E501 -- the texts are prose: one paragraph a line, as the DPO edits them.
"""Hafen's built-in texts, for an organisation that has published none of a kind yet.

Decision: a default is *stored as version 1 the first time it is used* — when a
client starts a conversation under it, or staff record a consent against it — not
shown as a version 0 that lives only in the code. A record must point at the exact
words the client saw; words in the code change with the next Hafen release, and a
record pointing at "version 0" could no longer prove what it meant. Pages that only
show a text (the door, the overview) never write: until first use they show the
built-in text as "version 1 (Hafen's default, not yet in use)". A version the DPO
publishes before that becomes version 1 itself.

``{organisation}`` in a default is replaced by the organisation's name when it is
stored; texts the DPO writes are stored exactly as written.
"""

from __future__ import annotations

from dataclasses import dataclass

from hafen.privacy.consent.models import ConsentKind


@dataclass(frozen=True)
class DefaultText:
    title: str
    body_de: str
    body_en: str
    body_easy: str = ""

    def for_organisation(self, name: str) -> DefaultText:
        def fill(text: str) -> str:
            return text.replace("{organisation}", name)

        return DefaultText(
            fill(self.title), fill(self.body_de), fill(self.body_en), fill(self.body_easy)
        )


DOOR_NOTICE = DefaultText(
    title="Datenschutzhinweis der Anlaufstelle",
    body_de="""\
Verantwortlich für diesen Chat ist {organisation}. Den oder die Datenschutzbeauftragte erreichen Sie über die Anschrift der Organisation.

Wozu wir Daten verarbeiten: Wir beraten Sie in diesem Chat. Dafür speichern wir Ihre Nachrichten und Dateien, die Antworten des Teams und die Zeitpunkte. Rechtsgrundlage ist Ihre Anfrage (Art. 6 Abs. 1 lit. b und lit. e DSGVO, §§ 67a ff. SGB X); Angaben zu Gesundheit oder anderen besonderen Daten verarbeiten wir nur, weil Sie sie uns selbst mitteilen (Art. 9 Abs. 2 lit. a DSGVO).

Was wir nicht speichern: Ihren Namen (wenn Sie ihn nicht nennen), Ihre E-Mail-Adresse, Telefonnummer, IP-Adresse oder Ihr Gerät. Es gibt keine Tracker und keine Inhalte von anderen Servern.

Wer die Nachrichten liest: nur das Team, an das Sie schreiben. Die Nachrichten sind auf dem Server der Organisation verschlüsselt gespeichert. Mitarbeitende unterliegen der Schweigepflicht (§ 203 StGB).

Wie lange: bis Sie das Gespräch löschen, spätestens nach der Löschfrist der Organisation für Gespräche.

Ihre Rechte: Sie können Ihr Gespräch jederzeit herunterladen und löschen. Sie haben das Recht auf Auskunft, Berichtigung, Löschung, Einschränkung und Widerspruch sowie das Recht, sich bei einer Datenschutz-Aufsichtsbehörde zu beschweren.""",
    body_en="""\
{organisation} is responsible for this chat. You can reach the data-protection officer at the organisation's address.

Why we process data: to counsel you in this chat. For this we store your messages and files, the team's answers and the times. The legal basis is your request (Art. 6(1)(b) and (e) GDPR, sections 67a ff. SGB X); information about health or other special categories we process only because you tell us yourself (Art. 9(2)(a) GDPR).

What we do not store: your name (unless you tell us), your e-mail address, phone number, IP address or device. There are no trackers and nothing loaded from other servers.

Who reads the messages: only the team you write to. The messages are stored encrypted on the organisation's server. Staff are bound by professional secrecy (section 203 of the German Criminal Code).

How long: until you delete the conversation, at the latest after the organisation's retention period for conversations.

Your rights: you can download and delete your conversation at any time. You have the right of access, rectification, erasure, restriction and objection, and the right to complain to a data-protection supervisory authority.""",
    body_easy="""\
Dieser Chat gehört zu {organisation}.

Wir speichern deine Nachrichten. So können wir dir antworten.
Deine Nachrichten sind verschlüsselt. Nur das Team liest sie.
Das Team darf nichts weitersagen.

Wir speichern nicht: deinen Namen, deine Telefon-Nummer, deine E-Mail, deine IP-Adresse.

Du kannst dein Gespräch jederzeit herunterladen.
Du kannst dein Gespräch jederzeit löschen.
Du kannst dich beschweren. Zum Beispiel bei der Datenschutz-Aufsicht.""",
)

DOCUMENTATION = DefaultText(
    title="Einwilligung in die Falldokumentation",
    body_de="""\
Ich bin damit einverstanden, dass {organisation} zu meiner Beratung eine Fallakte führt. Darin stehen die Gespräche, Absprachen, Hilfe- und Förderpläne sowie Angaben zu meiner Situation, soweit sie für die Hilfe nötig sind — auch Angaben zu Gesundheit oder anderen besonderen Daten, wenn ich sie mitteile.

Die Fallakte ist verschlüsselt gespeichert. Nur die zuständigen Fachkräfte lesen sie. An andere Stellen wird nichts ohne meine gesonderte Einwilligung weitergegeben, außer das Gesetz verlangt es.

Die Einwilligung ist freiwillig. Die Beratung hängt nicht von ihr ab. Ich kann sie jederzeit ohne Begründung mit Wirkung für die Zukunft widerrufen (Art. 7 Abs. 3 DSGVO). Was bis dahin dokumentiert wurde, bleibt rechtmäßig und wird nach den Löschfristen gelöscht.""",
    body_en="""\
I agree that {organisation} keeps a case file about my counselling. It holds the conversations, agreements, help and support plans and information about my situation as far as the help needs it — including information about health or other special categories if I share it.

The case file is stored encrypted. Only the responsible staff read it. Nothing is passed on to anybody else without my separate consent, unless the law requires it.

This consent is voluntary. The counselling does not depend on it. I can withdraw it at any time without giving reasons, with effect for the future (Art. 7(3) GDPR). What was documented until then remains lawful and is deleted after the retention periods.""",
)

REFERRAL = DefaultText(
    title="Einwilligung in die Vermittlung an eine Partnerorganisation",
    body_de="""\
Ich bin damit einverstanden, dass {organisation} mich an die vereinbarte Partnerorganisation vermittelt und ihr dafür die nötigen Angaben übermittelt: meinen Namen oder ein Pseudonym, meine Erreichbarkeit und mein Anliegen, soweit ich es freigebe.

Die Partnerorganisation ist für die Daten, die sie erhält, selbst verantwortlich.

Die Einwilligung ist freiwillig. Ich kann sie jederzeit mit Wirkung für die Zukunft widerrufen (Art. 7 Abs. 3 DSGVO); bereits übermittelte Angaben kann {organisation} dann nicht zurückholen, informiert die Partnerorganisation aber über den Widerruf.""",
    body_en="""\
I agree that {organisation} refers me to the agreed partner organisation and passes on the information this needs: my name or a pseudonym, how to reach me and my concern as far as I release it.

The partner organisation is itself responsible for the data it receives.

This consent is voluntary. I can withdraw it at any time with effect for the future (Art. 7(3) GDPR); {organisation} cannot take back information already passed on, but tells the partner organisation of the withdrawal.""",
)

PHOTOS = DefaultText(
    title="Einwilligung in Fotos in öffentlichen Beiträgen",
    body_de="""\
Ich bin damit einverstanden, dass {organisation} Fotos, auf denen ich zu erkennen bin, in eigenen öffentlichen Beiträgen verwendet (Website, Newsletter, eigene Social-Media-Kanäle). Mein Name wird nicht genannt, und nichts im Beitrag verrät, dass ich Angebote von {organisation} nutze.

Die Einwilligung ist freiwillig; ohne sie entsteht mir kein Nachteil. Ich kann sie jederzeit mit Wirkung für die Zukunft widerrufen (Art. 7 Abs. 3 DSGVO). Dann werden die Fotos aus den Beiträgen entfernt, soweit {organisation} das kann.""",
    body_en="""\
I agree that {organisation} uses photos in which I can be recognised in its own public posts (website, newsletter, its own social-media channels). My name is not given, and nothing in a post reveals that I use the services of {organisation}.

This consent is voluntary; refusing it has no disadvantage for me. I can withdraw it at any time with effect for the future (Art. 7(3) GDPR). The photos are then removed from the posts as far as {organisation} can.""",
)

DEFAULTS: dict[str, DefaultText] = {
    ConsentKind.DOOR_NOTICE: DOOR_NOTICE,
    ConsentKind.DOCUMENTATION: DOCUMENTATION,
    ConsentKind.REFERRAL: REFERRAL,
    ConsentKind.PHOTOS: PHOTOS,
}


def default_text(kind: str, organisation_name: str) -> DefaultText:
    return DEFAULTS[kind].for_organisation(organisation_name)
