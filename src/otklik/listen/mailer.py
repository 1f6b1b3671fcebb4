"""Outgoing mail over SMTP: a small sender built from the ``OTKLIK_SMTP_*`` settings.

The sender is passed in (never imported as a global) so tests run the real code against
a real SMTP server on loopback (aiosmtpd). One :meth:`Mailer.session` reuses a single
SMTP connection for a batch of invitations; a refused recipient is a *bounce* of that
message (:class:`Bounced`), anything else (server down, auth) is a :class:`MailError` that
the caller retries later.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.message import EmailMessage

from otklik.config import Settings
from otklik.errors import OtklikError


class MailError(OtklikError):
    """The mail server could not be reached or refused the session; retry later."""


class Bounced(OtklikError):
    """The server refused this recipient: the address does not take mail."""


@dataclass(frozen=True)
class Mailer:
    host: str
    port: int
    mail_from: str
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 20.0

    @classmethod
    def from_settings(cls, settings: Settings) -> Mailer:
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            mail_from=settings.mail_from,
            user=settings.smtp_user,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            starttls=settings.smtp_starttls,
        )

    @contextmanager
    def session(self) -> Iterator[MailSession]:
        """One SMTP connection for several messages."""
        try:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(
                f"cannot reach the mail server {self.host}:{self.port}: {exc}"
            ) from None
        try:
            try:
                smtp.ehlo()
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                    smtp.ehlo()
                if self.user:
                    smtp.login(self.user, self.password or "")
            except (OSError, smtplib.SMTPException) as exc:
                raise MailError(f"the mail server {self.host} refused the session: {exc}") from None
            yield MailSession(smtp, self.mail_from)
        finally:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()

    def send(self, message: EmailMessage) -> None:
        """Send one message on its own connection."""
        with self.session() as conn:
            conn.send(message)


class MailSession:
    def __init__(self, smtp: smtplib.SMTP, mail_from: str) -> None:
        self.smtp = smtp
        self.mail_from = mail_from

    def send(self, message: EmailMessage) -> None:
        """Send; :class:`Bounced` if the recipient is refused, :class:`MailError` otherwise."""
        if "From" not in message:
            message["From"] = self.mail_from
        try:
            self.smtp.send_message(message, from_addr=self.mail_from)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = "; ".join(f"{code} {msg.decode(errors='replace')}" for code, msg in
                              exc.recipients.values())  # fmt: skip
            raise Bounced(f"recipient refused: {codes}") from None
        except (OSError, smtplib.SMTPException) as exc:
            raise MailError(f"sending failed: {exc}") from None
