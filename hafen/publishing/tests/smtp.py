"""A real SMTP server (aiosmtpd) on this machine, for the newsletter's tests."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "newsletter@verein.example", "smtp-pass-7731"

@dataclass
class Mailbox:
    """What the SMTP server received; ``refuse`` addresses get 550, ``break_after``
    messages are accepted before the server answers 421 and closes."""

    messages: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    break_after: int | None = None

    async def handle_RCPT(self, server, session, envelope, address, options):
        if address in self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.break_after is not None and len(self.messages) >= self.break_after:
            return "421 4.3.0 Service shutting down"
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"


def authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (
        auth_data.login.decode(), auth_data.password.decode()) == (USER, PASSWORD)
    return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serve() -> Iterator[tuple[Mailbox, int]]:
    """A mail server on a free port that wants USER's login (over plain SMTP)."""
    box, port = Mailbox(), free_port()
    controller = Controller(
        box, hostname="127.0.0.1", port=port, authenticator=authenticate,
        auth_required=True, auth_require_tls=False,
    )
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()
