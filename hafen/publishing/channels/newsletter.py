"""The newsletter: the post by e-mail over the organisation's own SMTP server.

One message per recipient, each addressed only to that person: subscribers' addresses
are personal data and nobody sees another's (no long To or Cc; BCC batches would also
rule out a personal unsubscribe link). Each message carries the recipient's own
``List-Unsubscribe`` URL (made by the core) in the header and in the text. The body is
plain text with a simple HTML alternative; images are embedded in the HTML as inline
parts (``cid:``), so reading the newsletter loads nothing from outside and tells
nobody who opened it.

Retries: the messages go out over one connection, in order. Whenever sending stops,
the error is a ``NewsletterInterrupted`` that lists the addresses the server had
already accepted, so the core retries with the rest only. The Message-ID is derived
from the idempotency key and the address, so a message that is nevertheless sent
twice is recognisable as the same one. Addresses the server refuses for good are not
an error: they come back in ``PublishResult.refused_recipients``.
"""

from __future__ import annotations

import hashlib
import html
import re
import smtplib
import ssl
from collections.abc import Sequence
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hafen.publishing.channels.base import (
    DEFAULT_TIMEOUT,
    LOOPBACK_HOSTS,
    Account,
    AccountField,
    ChannelAdapter,
    ChannelError,
    NewsletterRecipient,
    OutgoingPost,
    PublishResult,
    normalise,
    scrub,
)

SECURITY_CHOICES = ("starttls", "tls", "none")
MAX_IMAGES = 10
_URL = re.compile(r"https?://[^\s<>\"]*[^\s<>\".,;:!?)\]']", re.IGNORECASE)
_HOST = re.compile(r"[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]+\]")


class _NoStartTLS(smtplib.SMTPException):
    """The server does not offer STARTTLS (told apart from a missing AUTH)."""


class NewsletterInterrupted(ChannelError):
    """Sending stopped; ``delivered`` already have it (a retry sends to the rest only),
    ``refused`` were refused for good. Raised for every failure once sending began."""

    def __init__(
        self, message: str, *, retryable: bool, delivered: tuple[str, ...],
        refused: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message, retryable=retryable)
        self.delivered = delivered
        self.refused = refused


def valid_address(address: str) -> bool:
    """One plain address (no display name, no list, no header tricks)."""
    if not address or len(address) > 254 or any(ch in address for ch in "\r\n,;<>\"\\ "):
        return False
    name, parsed = parseaddr(address)
    return not name and parsed == address and address.count("@") == 1


class NewsletterAdapter(ChannelAdapter):
    kind = "newsletter"
    service = "SMTP"
    fields = [
        AccountField("host", gettext_lazy("Mail server (SMTP)"), secret=False,
                     help=gettext_lazy("For example mail.example.org.")),
        AccountField("port", gettext_lazy("Port"), secret=False, required=False,
                     help=gettext_lazy("Leave empty for 587 (STARTTLS) or 465 (TLS).")),
        AccountField(
            "security",
            gettext_lazy("Encryption"),
            secret=False,
            required=False,
            help=gettext_lazy(
                "starttls (the default), tls, or none — none only for a mail server on "
                "this machine."
            ),
        ),
        AccountField("username", gettext_lazy("User name"), secret=False, required=False,
                     help=gettext_lazy("Leave empty if the server needs no login.")),
        AccountField("password", gettext_lazy("Password"), secret=True, required=False),
        AccountField("from_address", gettext_lazy("Sender address"), secret=False,
                     help=gettext_lazy("The address the newsletter comes from.")),
        AccountField("from_name", gettext_lazy("Sender name"), secret=False, required=False,
                     help=gettext_lazy("For example the name of your organisation.")),
    ]

    def __init__(
        self, *, timeout: float = DEFAULT_TIMEOUT, ssl_context: ssl.SSLContext | None = None
    ) -> None:
        """``ssl_context``: whom to trust; the system's certificate authorities unless a
        test passes its own."""
        super().__init__(timeout=timeout)
        self.ssl_context = ssl_context

    def validate(self, account: Account) -> None:
        super().validate(account)
        host = account.value("host")
        if not _HOST.fullmatch(host):
            raise self._setting_error(self.fields[0].label)
        port = account.value("port")
        if port and not (port.isdigit() and 1 <= int(port) <= 65535):
            raise self._setting_error(self.fields[1].label)
        security = self._security(account)
        if security not in SECURITY_CHOICES:
            raise self._setting_error(self.fields[2].label)
        if security == "none" and host.lower() not in LOOPBACK_HOSTS:
            raise ChannelError(
                _("Without encryption, Hafen sends newsletters only to a mail server on this "
                  "machine. Please choose starttls or tls."),
                retryable=False,
            )
        if account.value("username") and not account.secret("password"):
            raise self._setting_error(self.fields[4].label)
        if not valid_address(account.value("from_address")):
            raise self._setting_error(self.fields[5].label)

    def _setting_error(self, label: object) -> ChannelError:
        return ChannelError(
            _("“%(field)s” of the newsletter settings is not valid.") % {"field": label},
            retryable=False,
        )

    def _security(self, account: Account) -> str:
        return account.value("security", "starttls").lower()

    def _port(self, account: Account) -> int:
        port = account.value("port")
        if port:
            return int(port)
        return 465 if self._security(account) == "tls" else 587

    def prepare(self, post: OutgoingPost, account: Account | None = None) -> OutgoingPost:
        post = normalise(post)
        if not post.title and not post.text:
            raise ChannelError(_("The post has no text."), retryable=False)
        if len(post.images) > MAX_IMAGES:
            raise ChannelError(
                _("A newsletter takes at most %(limit)d images.") % {"limit": MAX_IMAGES},
                retryable=False,
            )
        return post

    def subject(self, post: OutgoingPost) -> str:
        subject = post.title or post.text.splitlines()[0]
        subject = " ".join(subject.split())
        return subject if len(subject) <= 150 else subject[:149] + "…"

    def message(
        self, post: OutgoingPost, account: Account, recipient: NewsletterRecipient,
        idempotency_key: str,
    ) -> EmailMessage:
        """The message for one recipient (also what a preview would show)."""
        from_address = account.value("from_address")
        domain = from_address.rsplit("@", 1)[1]
        message = EmailMessage()
        message["Subject"] = self.subject(post)
        local, _at, from_domain = from_address.partition("@")
        message["From"] = Address(
            " ".join(account.value("from_name").split()), local, from_domain
        )
        message["To"] = recipient.address
        message["Date"] = formatdate(localtime=False, usegmt=True)
        digest = hashlib.sha256(
            f"{idempotency_key}\n{recipient.address.lower()}".encode()
        ).hexdigest()
        message["Message-ID"] = f"<{digest[:40]}@{domain}>"
        message["List-Unsubscribe"] = f"<{recipient.unsubscribe_url}>"
        # RFC 8058: the mail program unsubscribes with one POST to that URL.
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message["Auto-Submitted"] = "auto-generated"
        message["Precedence"] = "bulk"

        unsubscribe = _("Unsubscribe from this newsletter: %(url)s") % {
            "url": recipient.unsubscribe_url
        }
        plain = [post.title, post.text] if post.title else [post.text]
        if post.link and post.link not in post.text:
            plain.append(post.link)
        plain += ["--", unsubscribe]
        message.set_content("\n\n".join(part for part in plain if part) + "\n")

        cids = [f"image{index}.{digest[:16]}@{domain}" for index in range(len(post.images))]
        message.add_alternative(self._html(post, recipient, cids), subtype="html")
        html_part = message.get_body(preferencelist=("html",))
        if not isinstance(html_part, EmailMessage):  # set just above; for the type checker
            raise TypeError("no HTML part")
        for image, cid in zip(post.images, cids, strict=True):
            maintype, _slash, subtype = image.content_type.partition("/")
            html_part.add_related(
                image.data, maintype=maintype or "application",
                subtype=(subtype or "octet-stream").split(";")[0], cid=f"<{cid}>",
                disposition="inline",
            )
        return message

    def _html(
        self, post: OutgoingPost, recipient: NewsletterRecipient, cids: list[str]
    ) -> str:
        def paragraph(text: str) -> str:
            # links found in the raw text, every piece escaped on its own
            pieces, start = [], 0
            for match in _URL.finditer(text):
                url = html.escape(match.group())
                pieces += [html.escape(text[start:match.start()]), f'<a href="{url}">{url}</a>']
                start = match.end()
            pieces.append(html.escape(text[start:]))
            return "<p>" + "".join(pieces).replace("\n", "<br>") + "</p>"

        parts = ["<!DOCTYPE html>", "<html><body>"]
        if post.title:
            parts.append(f"<h1>{html.escape(post.title)}</h1>")
        parts += [paragraph(block) for block in re.split(r"\n\s*\n", post.text) if block]
        for image, cid in zip(post.images, cids, strict=True):
            parts.append(f'<p><img src="cid:{cid}" alt="{html.escape(image.alt)}"></p>')
        if post.link and post.link not in post.text:
            link = html.escape(post.link)
            parts.append(f'<p><a href="{link}">{link}</a></p>')
        url = html.escape(recipient.unsubscribe_url)
        label = html.escape(_("Unsubscribe from this newsletter"))
        parts.append(f'<hr><p><small><a href="{url}">{label}</a></small></p></body></html>')
        return "\n".join(parts)

    def publish(
        self,
        post: OutgoingPost,
        account: Account,
        *,
        idempotency_key: str,
        recipients: Sequence[NewsletterRecipient] = (),
    ) -> PublishResult:
        self.validate(account)
        post = self.prepare(post, account)
        if not recipients:
            raise ChannelError(_("The newsletter has no subscribers yet."), retryable=False)
        secrets = [account.secret("password", strip=False)]
        delivered: list[str] = []
        refused = [r.address for r in recipients if not valid_address(r.address)]
        pending = [r for r in recipients if valid_address(r.address)]

        def failed(text: str, *, retryable: bool) -> NewsletterInterrupted:
            return NewsletterInterrupted(
                text, retryable=retryable, delivered=tuple(delivered), refused=tuple(refused)
            )

        try:
            with self._connect(account) as smtp:
                for recipient in pending:
                    message = self.message(post, account, recipient, idempotency_key)
                    try:
                        smtp.send_message(
                            message,
                            from_addr=account.value("from_address"),
                            to_addrs=[recipient.address],
                        )
                    except smtplib.SMTPRecipientsRefused as error:
                        codes = [code for code, _text in error.recipients.values()]
                        if all(code >= 500 for code in codes):
                            refused.append(recipient.address)
                            continue
                        raise failed(self._later(), retryable=True) from None
                    delivered.append(recipient.address)
        except ChannelError:
            raise
        except smtplib.SMTPAuthenticationError:
            raise failed(
                _("The mail server did not accept the login. Please check user name and "
                  "password in the newsletter settings."),
                retryable=False,
            ) from None
        except smtplib.SMTPSenderRefused as error:
            if error.smtp_code < 500:
                raise failed(self._later(), retryable=True) from None
            raise failed(
                _("The mail server refused the sender address: %(reason)s")
                % {"reason": scrub(self._text(error.smtp_error), secrets)},
                retryable=False,
            ) from None
        except smtplib.SMTPResponseException as error:
            if error.smtp_code < 500:
                raise failed(self._later(), retryable=True) from None
            raise failed(
                _("The mail server refused the newsletter: %(reason)s")
                % {"reason": scrub(self._text(error.smtp_error), secrets)},
                retryable=False,
            ) from None
        except _NoStartTLS:
            raise failed(
                _("The mail server does not offer STARTTLS. Please choose tls or ask your "
                  "provider."),
                retryable=False,
            ) from None
        except smtplib.SMTPNotSupportedError:
            raise failed(
                _("The mail server offers no login on this connection. Please check port "
                  "and encryption, or leave the user name empty."),
                retryable=False,
            ) from None
        except ssl.SSLCertVerificationError:
            raise failed(
                _("The mail server's certificate could not be verified. Please check the "
                  "server name."),
                retryable=False,
            ) from None
        except (smtplib.SMTPException, OSError):
            raise failed(self._later(), retryable=True) from None
        return PublishResult(idempotency_key, None, refused_recipients=tuple(refused))

    def send_notice(self, account: Account, *, to: str, subject: str, text: str) -> None:
        """One plain-text mail to one address (the confirmation of a subscription).

        Raises ``ChannelError``: retryable when the server could not be reached or
        deferred, not when it refused the address or the login for good.
        """
        self.validate(account)
        if not valid_address(to):
            raise ChannelError(_("This is not a valid e-mail address."), retryable=False)
        from_address = account.value("from_address")
        local, _at, domain = from_address.partition("@")
        message = EmailMessage()
        message["Subject"] = subject
        message["From"] = Address(" ".join(account.value("from_name").split()), local, domain)
        message["To"] = to
        message["Date"] = formatdate(localtime=False, usegmt=True)
        message["Auto-Submitted"] = "auto-generated"
        message.set_content(text)
        try:
            with self._connect(account) as smtp:
                smtp.send_message(message, from_addr=from_address, to_addrs=[to])
        except smtplib.SMTPResponseException as error:
            raise ChannelError(self._later(), retryable=error.smtp_code < 500) from None
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _text in error.recipients.values()]
            raise ChannelError(self._later(), retryable=not all(c >= 500 for c in codes)) from None
        except (smtplib.SMTPException, OSError):
            raise ChannelError(self._later(), retryable=True) from None

    def _connect(self, account: Account) -> smtplib.SMTP:
        host, port = account.value("host"), self._port(account)
        security = self._security(account)
        context = self.ssl_context or ssl.create_default_context()
        smtp: smtplib.SMTP
        if security == "tls":
            smtp = smtplib.SMTP_SSL(host, port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(host, port, timeout=self.timeout)
        try:
            smtp.ehlo()
            if security == "starttls":
                try:
                    smtp.starttls(context=context)
                except smtplib.SMTPNotSupportedError:
                    raise _NoStartTLS from None
                smtp.ehlo()
            if account.value("username"):
                smtp.login(account.value("username"), account.secret("password", strip=False))
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _later(self) -> str:
        return _("The mail server could not be reached or broke off. Hafen will try again "
                 "for the recipients who have not received it yet.")

    def _text(self, raw: bytes | str) -> str:
        return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
