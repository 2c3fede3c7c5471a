"""SMTP delivery with the standard library: ``smtp://`` (STARTTLS, required) or ``smtps://`` (TLS from the
first byte). The server certificate is verified against the system CAs, plus ``smtp_ca_file`` if set.

``smtp://host:25?starttls=off`` sends in clear text and is accepted only for a relay on the loopback
interface (a local MTA). Credentials in the URL are percent-decoded and never shown: errors and logs
use :func:`redact`.
"""

from __future__ import annotations

import hashlib
import ipaddress
import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, getaddresses, parseaddr
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from lasna.errors import ConfigError

TIMEOUT = 30.0


class DeliveryError(Exception):
    """One message could not be handed over. ``permanent``: the server refused it for good (5xx)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class SmtpConfig:
    scheme: str  # smtp | smtps
    host: str
    port: int
    username: str | None
    password: str | None
    starttls: bool
    sender: str
    reply_to: str | None
    ca_file: str | None
    timeout: float = TIMEOUT

    @property
    def display(self) -> str:
        user = f"{self.username}:***@" if self.username else ""
        return f"{self.scheme}://{user}{self.host}:{self.port}"


def redact(url: str) -> str:
    """The URL with its password replaced by ***."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid URL>"
    if parts.password is None:
        return url
    netloc = f"{parts.username}:***@{parts.hostname}" + (f":{parts.port}" if parts.port else "")
    return parts._replace(netloc=netloc).geturl()


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_config(url: str, sender: str, reply_to: str = "", ca_file: str = "") -> SmtpConfig:
    if not url:
        raise ConfigError("no mail server configured", hint="set smtp_url (LASNA_SMTP_URL), see docs/NOTIFY.md")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise ConfigError(f"smtp_url is not a URL: {redact(url)}") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ConfigError(f"smtp_url must be smtp://HOST[:587] or smtps://HOST[:465], got {redact(url)}")
    query = {k.lower(): v[-1].lower() for k, v in parse_qs(parts.query).items()}
    starttls = scheme == "smtp" and query.get("starttls", "on") not in ("off", "no", "0", "false")
    if scheme == "smtp" and not starttls and not _loopback(parts.hostname):
        raise ConfigError("smtp_url: starttls=off is allowed only for a relay on localhost",
                          hint="use smtp:// with STARTTLS or smtps://")
    if not sender or "@" not in parseaddr(sender)[1]:
        raise ConfigError("smtp_sender is not an e-mail address", hint="e.g. 'Läsnä <lasna@example.org>'")
    if reply_to and "@" not in parseaddr(reply_to)[1]:
        raise ConfigError("smtp_reply_to is not an e-mail address")
    if ca_file and not Path(ca_file).is_file():
        raise ConfigError(f"smtp_ca_file {ca_file} is not a file")
    return SmtpConfig(
        scheme=scheme, host=parts.hostname, port=port or (465 if scheme == "smtps" else 587),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        starttls=starttls, sender=sender, reply_to=reply_to or None, ca_file=ca_file or None,
    )


def from_settings() -> SmtpConfig:
    from lasna import settings

    return parse_config(settings.get("smtp_url"), settings.get("smtp_sender"), settings.get("smtp_reply_to"),
                        settings.get("smtp_ca_file"))


def message_id(key: str, sender: str) -> str:
    """A Message-ID derived from the outbox key: a resent message carries the same id."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "lasna.invalid"
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}.lasna@{domain}>"


def build_message(*, sender: str, reply_to: str | None, recipient: str, subject: str, text: str, html: str,
                  msg_id: str, lang: str, kind: str) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = recipient
    if reply_to:
        msg["Reply-To"] = reply_to
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = msg_id
    msg["Auto-Submitted"] = "auto-generated"
    msg["X-Lasna-Kind"] = kind
    msg.set_content(text, subtype="plain", charset="utf-8")
    msg.add_alternative(html, subtype="html", charset="utf-8")
    msg["Content-Language"] = lang  # after the body: set_content replaces the Content-* headers
    return msg


class Mailer:
    """One SMTP connection for a run, opened lazily and reopened once if the server dropped it."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self._conn: smtplib.SMTP | None = None

    def _context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context()
        if self.config.ca_file:
            try:
                ctx.load_verify_locations(cafile=self.config.ca_file)
            except (OSError, ssl.SSLError) as exc:
                raise ConfigError(f"cannot read smtp_ca_file {self.config.ca_file}: {exc}") from exc
        return ctx

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        try:
            if c.scheme == "smtps":
                conn: smtplib.SMTP = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout, context=self._context())
            else:
                conn = smtplib.SMTP(c.host, c.port, timeout=c.timeout)
                conn.ehlo()
                if c.starttls:
                    if not conn.has_extn("starttls"):
                        conn.close()
                        raise DeliveryError(f"{c.display} does not offer STARTTLS")
                    conn.starttls(context=self._context())
                    conn.ehlo()
            if c.username:
                conn.login(c.username, c.password or "")
        except DeliveryError:
            raise
        except smtplib.SMTPAuthenticationError as exc:
            raise DeliveryError(f"{c.display} refused the login: {exc.smtp_code}") from exc
        except (OSError, smtplib.SMTPException, ssl.SSLError) as exc:
            raise DeliveryError(f"cannot reach {c.display}: {_describe(exc)}") from exc
        return conn

    def _ready(self) -> smtplib.SMTP:
        """The open connection, checked with NOOP (a server may drop idle clients); else a new one.
        A message is never retried on the same call: a drop after DATA may mean it was delivered."""
        if self._conn is not None:
            try:
                if self._conn.noop()[0] == 250:
                    return self._conn
            except (OSError, smtplib.SMTPException):
                pass
            self._conn = None
        self._conn = self._connect()
        return self._conn

    def send(self, msg: EmailMessage, recipient: str) -> None:
        """Hand one message to the server; returns only when the server accepted it (250 after DATA)."""
        conn = self._ready()
        try:
            refused = conn.send_message(msg, from_addr=parseaddr(self.config.sender)[1], to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            code, why = next(iter(exc.recipients.values()), (550, b""))
            raise DeliveryError(f"{recipient} refused: {code} {_text(why)}", permanent=code >= 500) from exc
        except smtplib.SMTPSenderRefused as exc:
            raise DeliveryError(f"sender refused: {exc.smtp_code} {_text(exc.smtp_error)}",
                                permanent=exc.smtp_code >= 500) from exc
        except smtplib.SMTPDataError as exc:
            raise DeliveryError(f"message refused: {exc.smtp_code} {_text(exc.smtp_error)}",
                                permanent=exc.smtp_code >= 500) from exc
        except (OSError, smtplib.SMTPException) as exc:
            self._conn = None
            raise DeliveryError(f"sending failed: {_describe(exc)}") from exc
        if refused:
            code, why = next(iter(refused.values()))
            raise DeliveryError(f"{recipient} refused: {code} {_text(why)}", permanent=code >= 500)

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self._conn = None


def _text(raw) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


def _describe(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout):
        return "timed out"
    return f"{type(exc).__name__}: {exc}"


def valid_address(address: str | None) -> bool:
    if not address:
        return False
    found = getaddresses([address])
    return len(found) == 1 and "@" in found[0][1] and "\n" not in address and "\r" not in address
