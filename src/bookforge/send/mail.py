"""Send the book by e-mail (Send to Kindle, PocketBook's send-to, any inbox) over SMTP with TLS."""

from __future__ import annotations

import os
import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from ..config import SendConfig
from ..errors import ConfigError, DeliveryError
from ..output import human_size

MEDIA_TYPES = {
    ".epub": ("application", "epub+zip"),
    ".azw3": ("application", "vnd.amazon.ebook"),
    ".mobi": ("application", "x-mobipocket-ebook"),
    ".pdf": ("application", "pdf"),
}
# Send to Kindle takes 50 MB by e-mail; most other inboxes (Gmail, Outlook) 25 MB.
KINDLE_LIMIT, DEFAULT_LIMIT = 50 * 1024 * 1024, 25 * 1024 * 1024
KEYRING_SERVICE = "bookforge-smtp"
ENVIRONMENT = ("HOST", "PORT", "USER", "PASSWORD", "SECURITY", "FROM", "CAFILE")


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # "starttls", "ssl" or "none"
    user: str | None
    password: str | None
    sender: str
    cafile: str | None
    max_bytes: int

    def describe(self) -> str:
        return f"{self.host}:{self.port} ({self.security})"


def smtp_settings(config: SendConfig, recipient: str, root: Path, environ=os.environ) -> SmtpSettings:
    """book.toml's [send] with BOOKFORGE_SMTP_* from the environment over it; the password only
    from the environment or the system keyring."""
    env = {key: environ.get(f"BOOKFORGE_SMTP_{key}") or None for key in ENVIRONMENT}
    host = env["HOST"] or config.smtp_host
    if not host:
        raise ConfigError(
            "no SMTP server to send through",
            path="book.toml",
            hint='set [send] smtp-host = "smtp.example.com" or BOOKFORGE_SMTP_HOST',
        )
    security = (env["SECURITY"] or config.smtp_security or "").lower()
    port_text = env["PORT"]
    try:
        port = int(port_text) if port_text else config.smtp_port
    except ValueError:
        raise ConfigError(f"BOOKFORGE_SMTP_PORT must be a port number, not {port_text!r}") from None
    if not security:
        security = "ssl" if port == 465 else "starttls"
    if security not in ("starttls", "ssl", "none"):
        raise ConfigError(
            f"SMTP security must be starttls, ssl or none, not {security!r}",
            hint="BOOKFORGE_SMTP_SECURITY or [send] smtp-security",
        )
    port = port or (465 if security == "ssl" else 587)
    user = env["USER"] or config.smtp_user
    password = env["PASSWORD"] or (_keyring_password(user) if user else None)
    if user and not password:
        raise ConfigError(
            f"no password for the SMTP user {user}",
            hint=f"set BOOKFORGE_SMTP_PASSWORD, or store it: keyring set {KEYRING_SERVICE} {user}",
        )
    sender = env["FROM"] or config.from_address or (user if user and "@" in user else None)
    if not sender:
        raise ConfigError(
            "no sender address", path="book.toml", hint='set [send] from = "you@example.com" or BOOKFORGE_SMTP_FROM'
        )
    cafile = env["CAFILE"] or config.smtp_cafile
    if cafile and not Path(cafile).is_absolute():
        cafile = str(root / cafile)
    limit = (
        _limit(config.max_size)
        if config.max_size
        else (KINDLE_LIMIT if recipient.lower().endswith(("@kindle.com", "@free.kindle.com")) else DEFAULT_LIMIT)
    )
    return SmtpSettings(host, port, security, user, password, sender, cafile, limit)


def _keyring_password(user: str) -> str | None:
    try:
        import keyring  # optional: pip install keyring (macOS Keychain, Windows, Secret Service)
    except ImportError:
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, user)
    except Exception:  # noqa: BLE001 - no keyring backend on this machine is the same as no password
        return None


def _limit(text: str) -> int:
    units = {"kb": 1024, "mb": 1024**2, "gb": 1024**3, "b": 1}
    clean = text.strip().lower().replace(" ", "")
    for unit, factor in units.items():
        if clean.endswith(unit):
            try:
                return int(float(clean[: -len(unit)]) * factor)
            except ValueError:
                break
    raise ConfigError(f'[send] max-size must be a size such as "25MB", not "{text}"', path="book.toml")


def build_message(book_file: Path, recipient: str, sender: str, title: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = title
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(f"{title}\n\nSent with bookforge: {book_file.name} is attached.\n")
    maintype, subtype = MEDIA_TYPES.get(
        ".epub" if book_file.name.endswith(".epub") else book_file.suffix.lower(), ("application", "octet-stream")
    )
    message.add_attachment(book_file.read_bytes(), maintype=maintype, subtype=subtype, filename=book_file.name)
    return message


def send_mail(book_file: Path, recipient: str, settings: SmtpSettings, title: str, timeout: float = 60) -> None:
    """Deliver the book; every way this can fail becomes a DeliveryError that says what to do."""
    size = book_file.stat().st_size
    if size > settings.max_bytes:
        raise DeliveryError(
            f"{book_file.name} is {human_size(size)}; {recipient} takes {human_size(settings.max_bytes)} at most",
            hint="make the images smaller, copy it by USB (bookforge send --device), or raise [send] max-size",
        )
    message = build_message(book_file, recipient, settings.sender, title)
    context = ssl.create_default_context(cafile=settings.cafile)
    where = settings.describe()
    try:
        client: smtplib.SMTP
        if settings.security == "ssl":
            client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=timeout, context=context)
        else:
            client = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
        with client:
            client.ehlo()
            if settings.security == "starttls":
                if not client.has_extn("starttls"):
                    raise DeliveryError(
                        f"{where} does not offer STARTTLS; bookforge will not send a password or a book in the clear",
                        hint='use smtp-security = "ssl" (port 465)',
                    )
                client.starttls(context=context)
                client.ehlo()
            if settings.user:
                _login(client, settings.user, settings.password or "")
            client.send_message(message, from_addr=settings.sender, to_addrs=[recipient])
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(
            f"{where} refused the login for {settings.user}: {_reply(exc)}",
            hint="check BOOKFORGE_SMTP_PASSWORD (many providers want an app password)",
        ) from None
    except smtplib.SMTPRecipientsRefused as exc:
        reasons = "; ".join(_reply(error) for error in exc.recipients.values())
        raise DeliveryError(f"{where} refused the recipient {recipient}: {reasons}") from None
    except smtplib.SMTPSenderRefused as exc:
        raise DeliveryError(
            f"{where} refused the sender {settings.sender}: {_reply(exc)}",
            hint="send from an address this server lets you use",
        ) from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(f"{where} refused the message: {_reply(exc)}") from None
    except smtplib.SMTPNotSupportedError as exc:
        raise DeliveryError(
            f"{where} does not offer what bookforge needs: {exc}",
            hint="check smtp-security and the port your provider gives for sending mail",
        ) from None
    except ssl.SSLError as exc:
        raise DeliveryError(
            f"TLS with {where} failed: {exc.reason or exc}",
            hint="for a server with its own certificate, set [send] smtp-cafile",
        ) from None
    except (TimeoutError, socket.gaierror, ConnectionError, OSError, smtplib.SMTPException) as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise DeliveryError(
            f"cannot reach the mail server {where}: {reason}",
            hint="check the host and port, and that this machine may connect to it",
        ) from None


def _login(client: smtplib.SMTP, user: str, password: str) -> None:
    """Log in once, with the best mechanism the server offers. (smtplib's login() tries every
    mechanism in turn after a refusal: two failed attempts per send can lock an account.)"""
    offered = client.esmtp_features.get("auth", "").upper().split()
    client.user, client.password = user, password
    for mechanism, method in (
        ("PLAIN", client.auth_plain),
        ("LOGIN", client.auth_login),
        ("CRAM-MD5", client.auth_cram_md5),
    ):
        if mechanism in offered:
            client.auth(mechanism, method)  # SMTPAuthenticationError when refused
            return
    raise smtplib.SMTPNotSupportedError("no login (SMTP AUTH with PLAIN, LOGIN or CRAM-MD5) is offered")


def _reply(exc) -> str:
    if isinstance(exc, tuple):
        code, text = exc[0], exc[1]
    else:
        code, text = getattr(exc, "smtp_code", ""), getattr(exc, "smtp_error", b"")
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {text}".strip()
