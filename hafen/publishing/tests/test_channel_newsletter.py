"""The newsletter against a real SMTP server (aiosmtpd) on this machine."""

from __future__ import annotations

import socket
import ssl

import pytest
from aiosmtpd.controller import Controller
from django.utils import translation

from hafen.publishing.channels import (
    Account,
    ChannelError,
    NewsletterInterrupted,
    NewsletterRecipient,
    OutgoingImage,
    OutgoingPost,
    adapter_for,
)
from hafen.publishing.channels.newsletter import NewsletterAdapter
from hafen.publishing.tests.smtp import PASSWORD, USER, Mailbox, authenticate, free_port

# The test server offers AUTH without TLS (no certificate here); aiosmtpd warns about it.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")

PHOTO = b"\xff\xd8\xff\xe0 a small jpeg \xff\xd9"
POST = OutgoingPost(
    "Sommerfest am Samstag",
    "Liebe Freundinnen und Freunde,\n\nam Samstag feiern wir im Hof.\n\nBis bald!",
    "https://verein.example/news/7",
    [OutgoingImage(PHOTO, "image/jpeg", "Lampions über dem Hof")],
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def account(port: int, password: str = PASSWORD) -> Account:
    return Account(
        {"host": "127.0.0.1", "port": str(port), "security": "none", "username": USER,
         "from_address": "newsletter@verein.example", "from_name": "Beispiel-Träger e.V."},
        {"password": password},
    )


def adapter(timeout: float = 5.0) -> NewsletterAdapter:
    return NewsletterAdapter(timeout=timeout)


def subscribers(*names: str) -> list[NewsletterRecipient]:
    return [
        NewsletterRecipient(f"{name}@example.org", f"https://verein.example/abmelden/{name}")
        for name in names
    ]


def test_each_subscriber_gets_one_message_addressed_only_to_them(mailbox) -> None:
    box, port = mailbox

    result = adapter().publish(POST, account(port), idempotency_key="post-7-newsletter",
                               recipients=subscribers("aylin", "bernd"))

    assert result.refused_recipients == ()
    assert [envelope for envelope, _message in box.messages] == [
        ["aylin@example.org"], ["bernd@example.org"]
    ]
    for (envelope, message), name in zip(box.messages, ("aylin", "bernd"), strict=True):
        assert message["To"] == envelope[0]
        assert message["Cc"] is None and message["Bcc"] is None
        assert message["Subject"] == "Sommerfest am Samstag"
        [sender] = message["From"].addresses
        assert (sender.display_name, sender.addr_spec) == (
            "Beispiel-Träger e.V.", "newsletter@verein.example"
        )
        assert message["List-Unsubscribe"] == f"<https://verein.example/abmelden/{name}>"
        plain = message.get_body(preferencelist=("plain",)).get_content()
        assert "am Samstag feiern wir im Hof." in plain
        assert "https://verein.example/news/7" in plain
        assert f"Unsubscribe from this newsletter: https://verein.example/abmelden/{name}" in plain
        other = "bernd" if name == "aylin" else "aylin"
        assert other not in message.as_string()


def test_the_html_part_shows_the_image_inline_with_its_alt_text(mailbox) -> None:
    box, port = mailbox

    adapter().publish(POST, account(port), idempotency_key="k", recipients=subscribers("aylin"))

    [(_envelope, message)] = box.messages
    html_part = message.get_body(preferencelist=("html",))
    html = html_part.get_content()
    assert "<h1>Sommerfest am Samstag</h1>" in html
    assert 'alt="Lampions über dem Hof"' in html
    assert '<a href="https://verein.example/abmelden/aylin">' in html
    [inline] = [part for part in message.walk() if part.get_content_type() == "image/jpeg"]
    assert inline.get_content() == PHOTO
    assert f'src="cid:{inline["Content-ID"].strip("<>")}"' in html
    assert "http" not in html.split("<img", 1)[1].split(">", 1)[0]  # nothing loaded from outside


def test_links_in_the_text_become_links_in_the_html_part_safely_escaped(mailbox) -> None:
    box, port = mailbox
    post = OutgoingPost("Termine", 'Alle Termine: "https://verein.example/t?a=1&b=2" <b>neu</b>',
                        None, [])

    adapter().publish(post, account(port), idempotency_key="k", recipients=subscribers("aylin"))

    html = box.messages[0][1].get_body(preferencelist=("html",)).get_content()
    assert '<a href="https://verein.example/t?a=1&amp;b=2">' in html
    assert "&lt;b&gt;neu&lt;/b&gt;" in html and "<b>" not in html


def test_the_message_id_is_the_same_when_the_same_newsletter_is_sent_again(mailbox) -> None:
    box, port = mailbox
    for _attempt in range(2):
        adapter().publish(POST, account(port), idempotency_key="post-7-newsletter",
                          recipients=subscribers("aylin"))

    first, second = (message["Message-ID"] for _envelope, message in box.messages)
    assert first == second
    assert first.endswith("@verein.example>")


def test_a_wrong_password_is_not_retried_and_never_shown(mailbox) -> None:
    box, port = mailbox

    with pytest.raises(ChannelError) as refused:
        adapter().publish(POST, account(port, password="wrong-secret-42"), idempotency_key="k",
                          recipients=subscribers("aylin"))

    assert not refused.value.retryable
    assert refused.value.message == (
        "The mail server did not accept the login. Please check user name and password in "
        "the newsletter settings."
    )
    assert "wrong-secret-42" not in repr(refused.value)
    assert isinstance(refused.value, NewsletterInterrupted)
    assert refused.value.delivered == ()
    assert box.messages == []


def test_an_address_the_server_refuses_is_reported_and_the_others_get_it(mailbox) -> None:
    box, port = mailbox
    box.refuse = {"gone@example.org"}

    result = adapter().publish(POST, account(port), idempotency_key="k",
                               recipients=subscribers("aylin", "gone", "bernd"))

    assert result.refused_recipients == ("gone@example.org",)
    assert [envelope for envelope, _message in box.messages] == [
        ["aylin@example.org"], ["bernd@example.org"]
    ]


def test_a_broken_off_delivery_names_who_has_it_so_the_retry_sends_only_the_rest(mailbox) -> None:
    box, port = mailbox
    box.break_after = 1
    everyone = subscribers("aylin", "bernd", "cem")

    with pytest.raises(NewsletterInterrupted) as interrupted:
        adapter().publish(POST, account(port), idempotency_key="k", recipients=everyone)

    assert interrupted.value.retryable
    assert interrupted.value.delivered == ("aylin@example.org",)
    assert "aylin" not in interrupted.value.message

    box.break_after = None
    rest = [r for r in everyone if r.address not in interrupted.value.delivered]
    adapter().publish(POST, account(port), idempotency_key="k", recipients=rest)

    assert sorted(envelope[0] for envelope, _message in box.messages) == [
        "aylin@example.org", "bernd@example.org", "cem@example.org"
    ]


def test_a_server_that_never_answers_is_given_up_and_retried_later() -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()  # accepts the connection, never greets
        port = silent.getsockname()[1]

        with pytest.raises(ChannelError) as late:
            adapter(timeout=0.2).publish(POST, account(port), idempotency_key="k",
                              recipients=subscribers("aylin"))

    assert late.value.retryable


def test_a_server_that_is_not_there_is_retried_later() -> None:
    with pytest.raises(ChannelError) as unreachable:
        adapter().publish(POST, account(free_port()), idempotency_key="k",
                          recipients=subscribers("aylin"))

    assert unreachable.value.retryable


def test_an_address_with_header_tricks_is_refused_and_nothing_extra_is_sent(mailbox) -> None:
    box, port = mailbox
    sneaky = [NewsletterRecipient("aylin@example.org\r\nBcc: all@example.org", "https://u/1"),
              NewsletterRecipient("Aylin <aylin@example.org>", "https://u/2")]

    result = adapter().publish(POST, account(port), idempotency_key="k",
                               recipients=[*sneaky, *subscribers("bernd")])

    assert len(result.refused_recipients) == 2
    assert [envelope for envelope, _message in box.messages] == [["bernd@example.org"]]


def test_a_title_with_line_breaks_stays_one_subject_line(mailbox) -> None:
    box, port = mailbox
    post = OutgoingPost("Fest\r\nBcc: all@example.org", "Text", None, [])

    adapter().publish(post, account(port), idempotency_key="k", recipients=subscribers("aylin"))

    [(envelope, message)] = box.messages
    assert envelope == ["aylin@example.org"]
    assert message["Subject"] == "Fest Bcc: all@example.org"
    assert message["Bcc"] is None


def test_a_newsletter_without_subscribers_says_so() -> None:
    with pytest.raises(ChannelError, match="no subscribers yet") as empty:
        adapter().publish(POST, account(2525), idempotency_key="k", recipients=[])

    assert not empty.value.retryable


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"security": "none", "host": "mail.verein.example"}, "Without encryption"),
        ({"security": "ssl"}, "“Encryption” of the newsletter settings is not valid."),
        ({"port": "smtp"}, "“Port” of the newsletter settings is not valid."),
        ({"from_address": "Verein <a@b.example>"}, "“Sender address”"),
        ({"host": "mail server"}, r"“Mail server \(SMTP\)”"),
    ],
)
def test_invalid_settings_are_named(config: dict[str, str], message: str) -> None:
    settings = {"host": "mail.verein.example", "from_address": "news@verein.example", **config}

    with pytest.raises(ChannelError, match=message):
        adapter_for("newsletter").validate(Account(settings, {}))


def test_starttls_on_port_587_is_the_default() -> None:
    newsletter = NewsletterAdapter()
    settings = Account({"host": "mail.verein.example", "from_address": "n@verein.example"}, {})

    newsletter.validate(settings)
    assert newsletter._security(settings) == "starttls"
    assert newsletter._port(settings) == 587


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[str, str]:
    """A self-signed certificate for localhost: the test's own mail server identity."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    certfile, keyfile = folder / "cert.pem", folder / "key.pem"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return str(certfile), str(keyfile)


def _tls_server(certificate: tuple[str, str], *, implicit: bool) -> tuple[Mailbox, int, Controller]:
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(*certificate)
    box, port = Mailbox(), free_port()
    # aiosmtpd counts only STARTTLS as TLS for AUTH; implicit TLS is encrypted all along
    tls = {"ssl_context": server_context, "auth_require_tls": False} if implicit else {
        "tls_context": server_context, "require_starttls": True}
    controller = Controller(box, hostname="127.0.0.1", port=port, authenticator=authenticate,
                            auth_required=True, **tls)
    controller.start()
    return box, port, controller


def tls_account(port: int, security: str) -> Account:
    return Account(
        {"host": "localhost", "port": str(port), "security": security, "username": USER,
         "from_address": "newsletter@verein.example"},
        {"password": PASSWORD},
    )


@pytest.mark.parametrize(("security", "implicit"), [("starttls", False), ("tls", True)])
def test_the_newsletter_goes_out_encrypted_to_a_server_with_a_trusted_certificate(
    certificate: tuple[str, str], security: str, implicit: bool,
) -> None:
    box, port, controller = _tls_server(certificate, implicit=implicit)
    trusting = NewsletterAdapter(timeout=5, ssl_context=ssl.create_default_context(
        cafile=certificate[0]))
    try:
        trusting.publish(POST, tls_account(port, security), idempotency_key="k",
                         recipients=subscribers("aylin"))
    finally:
        controller.stop()

    assert [envelope for envelope, _message in box.messages] == [["aylin@example.org"]]


def test_a_server_without_starttls_is_named_as_such(mailbox) -> None:
    _box, port = mailbox
    plain_only = Account({**account(port).config, "host": "localhost", "security": "starttls"},
                         {"password": PASSWORD})

    with pytest.raises(ChannelError) as refused:
        adapter().publish(POST, plain_only, idempotency_key="k", recipients=subscribers("a"))

    assert not refused.value.retryable
    assert "does not offer STARTTLS" in refused.value.message


def test_a_certificate_that_cannot_be_verified_stops_before_the_password_is_sent(
    certificate: tuple[str, str],
) -> None:
    box, port, controller = _tls_server(certificate, implicit=False)
    try:
        with pytest.raises(ChannelError) as untrusted:
            adapter().publish(POST, tls_account(port, "starttls"), idempotency_key="k",
                              recipients=subscribers("aylin"))
    finally:
        controller.stop()

    assert not untrusted.value.retryable
    assert "certificate could not be verified" in untrusted.value.message
    assert box.messages == []
