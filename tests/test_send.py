"""`bookforge send`: into fake Kobo, Kindle, PocketBook, Nook and plain USB trees, and by e-mail to a
real SMTP server (aiosmtpd) the test starts on localhost, with STARTTLS or SSL and a login."""

from __future__ import annotations

import email
import os
import shutil
import socket
import sys
import types
from pathlib import Path

import pytest
from conftest import FIXTURES, run_cli

from bookforge.config import SendConfig
from bookforge.errors import ConfigError, DeliveryError
from bookforge.send import devices
from bookforge.send.mail import smtp_settings

DEVICES = FIXTURES / "devices"
# The SSL server takes logins over its implicitly encrypted connection; aiosmtpd warns regardless.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


def device(tmp_path, kind: str) -> Path:
    target = tmp_path / "media" / kind
    shutil.copytree(DEVICES / kind, target)
    return target


def parts_left(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*") if p.name.endswith(".part")]


# ---------------------------------------------------------------------------------------------
# Devices


@pytest.mark.parametrize("kind, name, folder, fmt", [
    ("kobo", "Kobo", ".", "kepub"),
    ("kindle", "Kindle", "documents", "azw3"),
    ("pocketbook", "PocketBook", ".", "epub"),
    ("nook", "Nook", "NOOK", "epub"),
    ("generic", "e-reader", "Books", "epub"),
])
def test_each_kind_of_e_reader_is_recognised(tmp_path, kind, name, folder, fmt):
    root = device(tmp_path, kind)
    found = devices.identify(root)
    assert (found.name, found.folder, found.format) == (name, (root / folder).resolve() if folder == "." else root / folder, fmt) or (
        (found.name, found.folder, found.format) == (name, root if folder == "." else root / folder, fmt))
    assert devices.identify(tmp_path) is None, "an ordinary folder is not an e-reader"


def test_send_to_a_kobo_builds_the_kepub_and_copies_it_in(project, tmp_path):
    folder = project("seeds_shape")
    kobo = device(tmp_path, "kobo")
    (kobo / "seeds-shape.epub").write_bytes(b"an older copy, as an EPUB")
    (kobo / "another-book.epub").write_bytes(b"someone else's book")
    result = run_cli("send", "--device", str(kobo), cwd=folder)
    assert result.returncode == 0, result.stderr
    built = folder / "build" / "seeds-shape.kepub.epub"
    assert "building build/seeds-shape.kepub.epub first (missing)" in result.stderr
    assert f"copied build/seeds-shape.kepub.epub to the Kobo at {kobo}: {kobo / 'seeds-shape.kepub.epub'}" in result.stderr
    assert (kobo / "seeds-shape.kepub.epub").read_bytes() == built.read_bytes()
    assert not (kobo / "seeds-shape.epub").exists() and "removed an older copy" in result.stderr
    assert (kobo / "another-book.epub").read_bytes() == b"someone else's book"
    assert not parts_left(kobo)

    again = run_cli("send", "--device", str(kobo), cwd=folder)
    assert again.returncode == 0, again.stderr
    assert "building" not in again.stderr, "a fresh KEPUB is sent as it is"
    assert "(replacing the older copy)" in again.stderr


def test_a_renamed_copy_with_the_same_identifier_is_replaced(project, tmp_path):
    folder = project("seeds_shape")
    generic = device(tmp_path, "generic")
    assert run_cli("epub", cwd=folder).returncode == 0
    shutil.copy(folder / "build" / "seeds-shape.epub", generic / "Books" / "My Copy (1).epub")
    result = run_cli("send", "--device", str(generic), cwd=folder)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (generic / "Books").iterdir()) == ["README.txt", "seeds-shape.epub"]


def test_dry_run_says_what_it_would_do_and_does_nothing(project, tmp_path):
    folder = project("seeds_shape")
    kobo = device(tmp_path, "kobo")
    before = sorted(p.relative_to(kobo) for p in kobo.rglob("*"))
    result = run_cli("send", "--device", str(kobo), "--dry-run", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert "would build build/seeds-shape.kepub.epub first" in result.stderr
    assert f"would copy build/seeds-shape.kepub.epub to the Kobo at {kobo}" in result.stderr
    assert sorted(p.relative_to(kobo) for p in kobo.rglob("*")) == before
    assert not (folder / "build" / "seeds-shape.kepub.epub").exists()


def test_plugged_in_e_readers_are_found_by_their_folders(project, tmp_path):
    folder = project("seeds_shape")
    media = tmp_path / "media"
    media.mkdir()
    (media / "USB DISK").mkdir()  # a drive that is not an e-reader
    env = {"BOOKFORGE_MOUNTS": str(media)}
    nothing = run_cli("send", cwd=folder, env=env)
    assert nothing.returncode == 9 and "no e-reader found" in nothing.stderr and "Traceback" not in nothing.stderr

    kobo = device(tmp_path, "kobo")
    found = run_cli("send", cwd=folder, env=env)
    assert found.returncode == 0, found.stderr
    assert (kobo / "seeds-shape.kepub.epub").is_file()

    device(tmp_path, "pocketbook")
    several = run_cli("send", cwd=folder, env=env)
    assert several.returncode == 9 and "several e-readers found" in several.stderr and "--device" in several.stderr


def test_a_kindle_gets_azw3_in_documents(project, tmp_path):
    folder = project("seeds_shape")
    kindle = device(tmp_path, "kindle")
    # ebook-convert stand-in (calibre's real conversion is tested in test_kepub.py when installed):
    # it records that it was asked for an AZW3 and writes a MOBI-shaped file.
    fake = tmp_path / "ebook-convert"
    fake.write_text(f"#!{sys.executable}\nimport sys\nopen(sys.argv[2], 'wb').write(b'\\0' * 60 + b'BOOKMOBI')\n")
    fake.chmod(0o755)
    result = run_cli("send", "--device", str(kindle), cwd=folder, env={"BOOKFORGE_EBOOK_CONVERT": str(fake)})
    assert result.returncode == 0, result.stderr
    assert (kindle / "documents" / "seeds-shape.azw3").read_bytes()[60:68] == b"BOOKMOBI"

    epub = run_cli("epub", cwd=folder)
    assert epub.returncode == 0
    refused = run_cli("send", "build/seeds-shape.epub", "--device", str(kindle), cwd=folder)
    assert refused.returncode == 9
    assert "a Kindle does not read seeds-shape.epub copied by USB" in refused.stderr and "--email" in refused.stderr


def test_a_failed_copy_leaves_the_older_copy_and_no_part_file(tmp_path, monkeypatch):
    kobo = device(tmp_path, "kobo")
    (kobo / "book.kepub.epub").write_bytes(b"old")
    new = tmp_path / "book.kepub.epub"
    new.write_bytes(b"new" * 1000)

    def unplugged(src, dst):
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "replace", unplugged)
    with pytest.raises(DeliveryError, match="Input/output error"):
        devices.copy_to_device(new, devices.identify(kobo))
    assert (kobo / "book.kepub.epub").read_bytes() == b"old"
    assert not parts_left(kobo)


# ---------------------------------------------------------------------------------------------
# E-mail


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    trustme = pytest.importorskip("trustme")
    authority = trustme.CA()
    folder = tmp_path_factory.mktemp("tls")
    server = authority.issue_cert("127.0.0.1", "localhost")
    authority.cert_pem.write_to_path(str(folder / "ca.pem"))
    return authority, server, folder / "ca.pem"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    def __init__(self) -> None:
        self.messages: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture(params=["starttls", "ssl"])
def smtp_server(request, certificates):
    """A real SMTP server on localhost that wants TLS and the login reader/secret."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    authority, server_cert, ca_file = certificates
    import ssl

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_cert.configure_cert(context)

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"reader", b"secret")
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself

    inbox = Inbox()
    port = free_port()
    options = dict(hostname="127.0.0.1", port=port, authenticator=authenticator, auth_required=True)
    if request.param == "starttls":
        controller = Controller(inbox, tls_context=context, require_starttls=True, **options)
    else:
        # Implicit TLS: the whole connection is encrypted, which aiosmtpd does not count as "TLS" for AUTH.
        controller = Controller(inbox, ssl_context=context, server_hostname="127.0.0.1", auth_require_tls=False,
                                **options)
    controller.start()
    env = {"BOOKFORGE_SMTP_HOST": "127.0.0.1", "BOOKFORGE_SMTP_PORT": str(port),
           "BOOKFORGE_SMTP_SECURITY": request.param, "BOOKFORGE_SMTP_USER": "reader",
           "BOOKFORGE_SMTP_PASSWORD": "secret", "BOOKFORGE_SMTP_FROM": "author@example.com",
           "BOOKFORGE_SMTP_CAFILE": str(ca_file)}
    yield inbox, env
    controller.stop()


def test_the_book_arrives_by_email_with_its_bytes_intact(project, smtp_server):
    inbox, env = smtp_server
    folder = project("seeds_shape")
    result = run_cli("send", "--email", "me@kindle.com", cwd=folder, env=env)
    assert result.returncode == 0, result.stderr
    assert "sent build/seeds-shape.epub" in result.stderr and "to me@kindle.com" in result.stderr
    [(sender, recipients, content)] = inbox.messages
    assert (sender, recipients) == ("author@example.com", ["me@kindle.com"])
    message = email.message_from_bytes(content)
    assert message["Subject"] == "Seeds Shape"
    [attachment] = [part for part in message.walk() if part.get_filename()]
    assert attachment.get_content_type() == "application/epub+zip"
    assert attachment.get_filename() == "seeds-shape.epub"
    assert attachment.get_payload(decode=True) == (folder / "build" / "seeds-shape.epub").read_bytes()


def test_a_refused_login_is_a_clear_error(project, smtp_server):
    inbox, env = smtp_server
    folder = project("seeds_shape")
    result = run_cli("send", "--email", "me@example.com", cwd=folder, env={**env, "BOOKFORGE_SMTP_PASSWORD": "wrong"})
    assert result.returncode == 9
    assert "refused the login for reader" in result.stderr and "Traceback" not in result.stderr
    assert not inbox.messages


def test_an_unreachable_server_and_an_untrusted_certificate_are_clear_errors(project, smtp_server):
    inbox, env = smtp_server
    folder = project("seeds_shape")
    closed = run_cli("send", "--email", "me@example.com", cwd=folder, env={**env, "BOOKFORGE_SMTP_PORT": str(free_port())})
    assert closed.returncode == 9 and "cannot reach the mail server 127.0.0.1" in closed.stderr
    untrusted = run_cli("send", "--email", "me@example.com", cwd=folder, env={**env, "BOOKFORGE_SMTP_CAFILE": ""})
    assert untrusted.returncode == 9 and "TLS with 127.0.0.1" in untrusted.stderr and "smtp-cafile" in untrusted.stderr
    assert "Traceback" not in closed.stderr + untrusted.stderr
    assert not inbox.messages


def test_a_book_over_the_size_limit_is_not_sent(project, smtp_server):
    inbox, env = smtp_server
    folder = project("seeds_shape")
    toml = folder / "book.toml"
    toml.write_text(toml.read_text() + '\n[send]\nmax-size = "10KB"\n')
    result = run_cli("send", "--email", "me@example.com", cwd=folder, env=env)
    assert result.returncode == 9
    assert "seeds-shape.epub is" in result.stderr and "me@example.com takes 10 KB at most" in result.stderr
    assert not inbox.messages


def test_a_password_in_book_toml_is_refused_without_echoing_it(project):
    folder = project("seeds_shape")
    toml = folder / "book.toml"
    toml.write_text(toml.read_text() + '\n[send]\nsmtp-host = "smtp.example.com"\npassword = "hunter2"\n')
    result = run_cli("send", "--email", "me@example.com", cwd=folder)
    assert result.returncode == 3
    assert "a password does not belong in book.toml" in result.stderr and "hunter2" not in result.stderr


def test_settings_come_from_book_toml_then_the_environment_and_the_keyring(tmp_path, monkeypatch):
    config = SendConfig(from_address="me@example.com", smtp_host="smtp.example.com", smtp_user="me")
    fake = types.SimpleNamespace(get_password=lambda service, user: "from-keyring" if (service, user) == ("bookforge-smtp", "me") else None)
    monkeypatch.setitem(sys.modules, "keyring", fake)
    settings = smtp_settings(config, "you@kindle.com", tmp_path, environ={})
    assert (settings.host, settings.port, settings.security, settings.password) == ("smtp.example.com", 587, "starttls", "from-keyring")
    assert settings.max_bytes == 50 * 1024 * 1024, "Send to Kindle takes 50 MB"
    environ = {"BOOKFORGE_SMTP_HOST": "mail.example.org", "BOOKFORGE_SMTP_PORT": "465", "BOOKFORGE_SMTP_PASSWORD": "env"}
    settings = smtp_settings(config, "friend@example.org", tmp_path, environ=environ)
    assert (settings.host, settings.port, settings.security, settings.password) == ("mail.example.org", 465, "ssl", "env")
    assert settings.max_bytes == 25 * 1024 * 1024
    monkeypatch.setitem(sys.modules, "keyring", types.SimpleNamespace(get_password=lambda *a: None))
    with pytest.raises(ConfigError, match="no password for the SMTP user me"):
        smtp_settings(config, "x@example.com", tmp_path, environ={})
    with pytest.raises(ConfigError, match="no SMTP server"):
        smtp_settings(SendConfig(), "x@example.com", tmp_path, environ={})
