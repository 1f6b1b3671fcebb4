"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for mail tests.

Recipients whose address starts with ``bounce`` are refused with 550, like a mailbox
that does not exist.
"""

from __future__ import annotations

import email
import email.policy
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage

from aiosmtpd.controller import Controller

from otklik.listen.mailer import Mailer


class _Handler:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower().startswith("bounce"):
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(msg)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted"


class Mailbox:
    def __init__(self, controller: Controller, handler: _Handler, port: int) -> None:
        self.controller, self.handler, self.port = controller, handler, port

    @property
    def messages(self) -> list[EmailMessage]:
        with self.handler.lock:
            return list(self.handler.messages)

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if address in str(m["To"])]

    def mailer(self, mail_from: str = "cx@bank.example") -> Mailer:
        return Mailer(host="127.0.0.1", port=self.port, mail_from=mail_from, timeout=10)

    def stop(self) -> None:
        self.controller.stop()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_mailbox() -> Iterator[Mailbox]:
    handler = _Handler()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield Mailbox(controller, handler, port)
    finally:
        controller.stop()


def text_part(msg: EmailMessage) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


def html_part(msg: EmailMessage) -> str:
    return msg.get_body(preferencelist=("html",)).get_content()


def links(msg: EmailMessage) -> dict[str, str]:
    """The survey, my-data and unsubscribe links of an invitation's text part."""
    body = text_part(msg)
    found = re.findall(r"https?://\S+", body)
    out = {}
    for url in found:
        if "/s/" in url:
            out["survey"] = url
        elif "/my-data/" in url:
            out["my_data"] = url
        elif "/unsubscribe/" in url:
            out["unsubscribe"] = url
    return out
