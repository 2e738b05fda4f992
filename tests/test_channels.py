"""Reminder channels against real servers on 127.0.0.1: SMTP (aiosmtpd), HTTP, apprise."""

from __future__ import annotations

import email
import email.policy
import hashlib
import hmac
import importlib.util
import json
import logging
import shutil
import socket
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage, Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, Envelope, LoginPassword, Session

from engine.errors import ConfigError
from engine.roster import Person
from runners.channels import (
    AppriseChannel,
    ChannelError,
    ConsoleChannel,
    EmailChannel,
    WebhookChannel,
    build_channels,
)
from runners.reminder_text import body, subject
from runners.settings import EmailSettings, ReminderSettings, Settings, WebhookSettings
from tests.test_notify import BUDI, ESCALATION, SEKCAM, make_message

SENDER = "alur@darangdan.example"
DEDE = Person("kasi-pem", "Dédé Ruhiyat", ("kasi",), email="dede@darangdan.example")
MESSAGE = make_message(step_name="Menghimpun bahan — laporan “kinerja”",
                       responsible=("Dédé Ruhiyat (kasi-pem)",), responsible_ids=("kasi-pem",))


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY",
                 "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (just released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# -- an SMTP server ------------------------------------------------------------------

@dataclass
class Mailbox:
    """What the test SMTP server received: envelopes, whether TLS was on, the logins."""

    envelopes: list[Envelope] = field(default_factory=list)
    tls: list[bool] = field(default_factory=list)
    logins: list[tuple[bytes, bytes]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        self.tls.append(session.ssl is not None)
        return "250 Message accepted for delivery"

    def authenticate(self, server: Any, session: Session, envelope: Envelope, mechanism: str,
                     auth_data: Any) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        self.logins.append((auth_data.login, auth_data.password))
        good = (auth_data.login, auth_data.password) == (b"alur", b"rahasia-123")
        return AuthResult(success=good, handled=False)  # not handled: aiosmtpd answers 535

    def only(self) -> tuple[Envelope, EmailMessage]:
        """The one message received, parsed."""
        assert len(self.envelopes) == 1
        envelope = self.envelopes[0]
        assert isinstance(envelope.content, bytes)
        mail = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(mail, EmailMessage)
        return envelope, mail


@contextmanager
def smtp_server(auth: bool = False, **kwargs: Any) -> Iterator[tuple[int, Mailbox]]:
    """aiosmtpd on 127.0.0.1 with a free port, stopped afterwards."""
    mailbox = Mailbox()
    if auth:
        kwargs |= {"authenticator": mailbox.authenticate, "auth_require_tls": False}
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port(),
                            server_hostname="smtp.test", **kwargs)
    controller.start()
    try:
        yield controller.port, mailbox
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key (cryptography, else openssl)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    if importlib.util.find_spec("cryptography") is not None:
        _certificate_with_cryptography(cert, key)
    elif shutil.which("openssl"):
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", str(key), "-out", str(cert),
             "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
            check=True, capture_output=True)
    else:
        pytest.skip("a TLS test certificate needs the cryptography package or openssl")
    return cert, key


def _certificate_with_cryptography(cert: Path, key: Path) -> None:
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    private = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    built = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
             .public_key(private.public_key()).serial_number(x509.random_serial_number())
             .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
             .add_extension(x509.SubjectAlternativeName(
                 [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
             .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
             .sign(private, hashes.SHA256()))
    cert.write_bytes(built.public_bytes(serialization.Encoding.PEM))
    key.write_bytes(private.private_bytes(serialization.Encoding.PEM,
                                          serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()))


def server_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    return context


def client_context(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certificate[0]))


def email_channel(port: int, security: str = "none", environ: dict[str, str] | None = None,
                  context: ssl.SSLContext | None = None, user: bool = False) -> EmailChannel:
    settings = EmailSettings("127.0.0.1", port, security, SENDER,
                             *(("ALUR_SMTP_USER", "ALUR_SMTP_PASSWORD") if user else ("", "")))
    return EmailChannel(settings, environ or {}, context)


def assert_delivered(mailbox: Mailbox, detail: str) -> None:
    envelope, mail = mailbox.only()
    assert envelope.mail_from == SENDER
    assert envelope.rcpt_tos == ["dede@darangdan.example"]
    assert detail == "250 Message accepted for delivery to dede@darangdan.example"
    assert mail["From"] == SENDER
    assert mail["To"] == "dede@darangdan.example"
    assert mail["Subject"] == ('[Alur] Pengingat: langkah 3 "Menghimpun bahan — laporan '
                               '“kinerja”" terlambat 2 jam 30 menit')
    assert mail.get_content_charset() == "utf-8"
    text = mail.get_content().replace("\r\n", "\n")  # as sent: CRLF, quoted-printable
    assert mail["Content-Transfer-Encoding"] == "quoted-printable"
    assert text == body(MESSAGE, DEDE) + "\n"
    for part in ("Yth. Dédé Ruhiyat,", "3. Menghimpun bahan — laporan “kinerja”",
                 "Run             : 12", "Periode         : 2025",
                 "Terlambat       : 2 jam 30 menit",
                 "alur step complete 12 menghimpun --as kasi-pem"):
        assert part in text


@pytest.mark.usefixtures("bahasa")
def test_email_plain_smtp() -> None:
    with smtp_server() as (port, mailbox):
        detail = email_channel(port).send(MESSAGE, DEDE)
    assert_delivered(mailbox, detail)
    assert mailbox.tls == [False]


@pytest.mark.usefixtures("bahasa")
def test_email_starttls_with_a_trusted_certificate(certificate: tuple[Path, Path]) -> None:
    with smtp_server(tls_context=server_context(certificate)) as (port, mailbox):
        detail = email_channel(port, "starttls", context=client_context(certificate)).send(
            MESSAGE, DEDE)
    assert_delivered(mailbox, detail)
    assert mailbox.tls == [True]


def test_email_starttls_refuses_an_untrusted_certificate(certificate: tuple[Path, Path]) -> None:
    with smtp_server(tls_context=server_context(certificate)) as (port, mailbox), \
            pytest.raises(ChannelError, match=r"SMTP 127\.0\.0\.1:\d+: .*certificate verify"):
        email_channel(port, "starttls").send(MESSAGE, DEDE)
    assert mailbox.envelopes == []


@pytest.mark.usefixtures("bahasa")
def test_email_ssl(certificate: tuple[Path, Path]) -> None:
    with smtp_server(ssl_context=server_context(certificate)) as (port, mailbox):
        detail = email_channel(port, "ssl", context=client_context(certificate)).send(
            MESSAGE, DEDE)
    assert_delivered(mailbox, detail)


@pytest.mark.usefixtures("bahasa")
def test_email_login_reads_the_named_variables() -> None:
    environ = {"ALUR_SMTP_USER": "alur", "ALUR_SMTP_PASSWORD": "rahasia-123"}
    with smtp_server(auth=True) as (port, mailbox):
        detail = email_channel(port, environ=environ, user=True).send(MESSAGE, DEDE)
    assert_delivered(mailbox, detail)
    assert mailbox.logins == [(b"alur", b"rahasia-123")]


def test_email_wrong_password_fails_without_showing_it() -> None:
    environ = {"ALUR_SMTP_USER": "alur", "ALUR_SMTP_PASSWORD": "salah-sandi"}
    with smtp_server(auth=True) as (port, mailbox), pytest.raises(ChannelError) as caught:
        email_channel(port, environ=environ, user=True).send(MESSAGE, DEDE)
    assert "login as alur failed: 535" in str(caught.value)
    assert "salah-sandi" not in str(caught.value)
    assert mailbox.envelopes == []


def test_email_missing_variable_is_named_not_sent() -> None:
    with smtp_server(auth=True) as (port, mailbox):
        channel = email_channel(port, environ={"ALUR_SMTP_USER": "alur"}, user=True)
        with pytest.raises(ChannelError, match="environment variable ALUR_SMTP_PASSWORD "
                                               r"\(named by email.password_env\) is not set"):
            channel.send(MESSAGE, DEDE)
    assert mailbox.logins == [] and mailbox.envelopes == []


def test_email_refused_connection() -> None:
    port = free_port()
    with pytest.raises(ChannelError, match=rf"SMTP 127\.0\.0\.1:{port}: Connection refused"):
        email_channel(port).send(MESSAGE, DEDE)


def test_email_needs_an_address() -> None:
    channel = email_channel(free_port())
    assert channel.applies_to(DEDE)
    assert not channel.applies_to(replace(DEDE, email=None))
    with pytest.raises(ChannelError, match="kasi-pem has no e-mail address"):
        channel.send(MESSAGE, replace(DEDE, email=None))
    with pytest.raises(ValueError, match="email security"):
        EmailChannel(EmailSettings(security="tls"))


# -- an HTTP server -----------------------------------------------------------------

@dataclass(frozen=True)
class Received:
    """One request the test HTTP server answered."""

    method: str
    path: str
    headers: Message
    data: bytes

    def json(self) -> Any:
        return json.loads(self.data.decode("utf-8"))


@contextmanager
def http_server(status: int = 200, location: str = "") -> Iterator[tuple[str, list[Received]]]:
    """An HTTP server on 127.0.0.1 answering every POST with ``status``; shut down after."""
    received: list[Received] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            data = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            received.append(Received("POST", self.path, self.headers, data))
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def do_GET(self) -> None:
            received.append(Received("GET", self.path, self.headers, b""))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_webhook_posts_the_signed_payload() -> None:
    environ = {"ALUR_WEBHOOK_SECRET": "kunci-rahasia"}
    message = make_message(**ESCALATION)
    with http_server() as (url, received):
        channel = WebhookChannel(WebhookSettings(f"{url}/alur?token=abc",
                                                 "ALUR_WEBHOOK_SECRET"), environ)
        assert channel.send(message, SEKCAM) == "HTTP 200"
    [request] = received
    assert (request.method, request.path) == ("POST", "/alur?token=abc")
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert request.headers["X-Alur-Event"] == "reminder"
    expected = "sha256=" + hmac.new(b"kunci-rahasia", request.data, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(request.headers["X-Alur-Signature"], expected)
    data = request.json()
    assert data["type"] == "alur.escalation"
    assert (data["run"], data["step"], data["step_no"], data["level"]) == (12, "menghimpun", 3, 1)
    assert data["due_at"] == "2026-01-05T09:00:00+07:00"
    assert data["recipient"] == {"id": "sekcam", "name": "Drs. Asep Sunarya",
                                 "email": "sekcam@darangdan.example"}
    assert data["subject"] == subject(message)
    assert data["text"] == body(message, SEKCAM)


def test_webhook_unsigned_without_secret() -> None:
    with http_server() as (url, received):
        WebhookChannel(WebhookSettings(url), {}).send(MESSAGE, DEDE)
    [request] = received
    assert request.headers["X-Alur-Signature"] is None
    assert request.json()["step_name"] == "Menghimpun bahan — laporan “kinerja”"


def test_webhook_error_status() -> None:
    with http_server(500) as (url, received), \
            pytest.raises(ChannelError, match=r"^webhook http://127\.0\.0\.1:\d+: HTTP 500 "
                                              "Internal Server Error$"):
        WebhookChannel(WebhookSettings(f"{url}/hook?token=geheim"), {}).send(MESSAGE, DEDE)
    assert len(received) == 1


def test_webhook_redirect_is_not_followed() -> None:
    with http_server(302, location="/elsewhere") as (url, received), \
            pytest.raises(ChannelError, match="HTTP 302"):
        WebhookChannel(WebhookSettings(url), {}).send(MESSAGE, DEDE)
    assert [r.method for r in received] == ["POST"]


def test_webhook_missing_secret_and_refused_connection() -> None:
    port = free_port()
    channel = WebhookChannel(WebhookSettings(f"http://127.0.0.1:{port}/h", "ALUR_HOOK_KEY"), {})
    with pytest.raises(ChannelError, match="environment variable ALUR_HOOK_KEY"):
        channel.send(MESSAGE, DEDE)
    with pytest.raises(ChannelError, match=rf"webhook http://127\.0\.0\.1:{port}: "
                                           "Connection refused"):
        WebhookChannel(WebhookSettings(f"http://127.0.0.1:{port}/h"), {}).send(MESSAGE, DEDE)


# -- apprise ------------------------------------------------------------------------

def test_apprise_json_with_a_token_from_the_environment() -> None:
    with http_server() as (url, received):
        host = url.removeprefix("http://")
        person = replace(DEDE, notify=(f"json://{host}/hook/${{WA_TOKEN}}",))
        channel = AppriseChannel("", {"WA_TOKEN": "tok-12345"})
        assert channel.applies_to(person)
        assert channel.send(MESSAGE, person) == "apprise json"
    [request] = received
    assert request.path == "/hook/tok-12345"
    data = request.json()
    assert data["title"] == subject(MESSAGE)
    assert data["message"] == body(MESSAGE, person, wrap=False)  # a chat wraps lines itself
    assert "\n" not in data["message"].split("\n\n")[1]  # the opening is one paragraph line


def test_apprise_shared_urls_from_the_named_variable() -> None:
    with http_server() as (url, received):
        host = url.removeprefix("http://")
        environ = {"ALUR_APPRISE_URLS": f"json://{host}/group-a, json://{host}/group-b\n"}
        channel = AppriseChannel("ALUR_APPRISE_URLS", environ)
        assert channel.applies_to(BUDI)
        channel.send(MESSAGE, BUDI)
    assert sorted(r.path for r in received) == ["/group-a", "/group-b"]
    assert all(r.json()["title"] == subject(MESSAGE) for r in received)


class Records(logging.Handler):
    """What reaches the root logger (as a daemon's logging.basicConfig would print it)."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_apprise_failure_is_reported_once_and_without_the_token(
        capfd: pytest.CaptureFixture[str]) -> None:
    root = Records()
    logging.getLogger().addHandler(root)
    try:
        with http_server(500) as (url, _), pytest.raises(ChannelError) as caught:
            person = replace(DEDE, notify=(f"json://{url.removeprefix('http://')}/${{TOKEN}}",))
            AppriseChannel("", {"TOKEN": "tok-secret-99"}).send(MESSAGE, person)
    finally:
        logging.getLogger().removeHandler(root)
    reason = str(caught.value)
    assert reason == ("apprise could not deliver to json: Failed to send JSON POST "
                      "notification: Internal server error., error=500.")
    assert "tok-secret-99" not in reason
    assert not [r for r in root.records if r.name.startswith("apprise")]  # only in the error
    assert capfd.readouterr().err == ""


def test_apprise_reason_hides_the_expanded_secret() -> None:
    with http_server(500) as (url, _), pytest.raises(ChannelError) as caught:
        person = replace(DEDE, notify=(f"json://{url.removeprefix('http://')}/x?"
                                       "+X-Key=${KEY}",))
        AppriseChannel("", {"KEY": "Internal"}).send(MESSAGE, person)
    assert str(caught.value).endswith("notification: *** server error., error=500.")


def test_apprise_problems_before_sending() -> None:
    person = replace(DEDE, notify=("tgram://${BOT_TOKEN}/12345",))
    with pytest.raises(ChannelError, match=r"environment variable BOT_TOKEN \(in a tgram:// URL "
                                           r"of notify of kasi-pem\) is not set"):
        AppriseChannel("", {}).send(MESSAGE, person)
    with pytest.raises(ChannelError, match="apprise does not accept the nosuch:// URL of "
                                           "notify of kasi-pem"):
        AppriseChannel("", {}).send(MESSAGE, replace(DEDE, notify=("nosuch://x",)))
    unset = AppriseChannel("ALUR_APPRISE_URLS", {})
    assert unset.applies_to(DEDE)  # so that send says what is missing
    with pytest.raises(ChannelError, match="ALUR_APPRISE_URLS"):
        unset.send(MESSAGE, DEDE)


def test_apprise_applies_to_people_with_urls() -> None:
    assert not AppriseChannel("", {}).applies_to(DEDE)
    assert not AppriseChannel("URLS", {"URLS": " , "}).applies_to(DEDE)
    assert AppriseChannel("", {}).applies_to(replace(DEDE, notify=("tgram://a/b",)))


# -- console and wiring -------------------------------------------------------------

@pytest.mark.usefixtures("bahasa")
def test_console_lines() -> None:
    lines: list[str] = []
    channel = ConsoleChannel(lines.append)
    assert channel.send(make_message(), BUDI) == "console"
    channel.send(make_message(**ESCALATION), SEKCAM)
    assert lines == [
        "[pengingat] run 12 langkah 3 Menghimpun bahan laporan kinerja -> kasi-tapem "
        "(Kasi/Kasubbag), terlambat 2 jam 30 menit",
        "[eskalasi] run 12 langkah 3 Menghimpun bahan laporan kinerja -> sekcam "
        "(Sekretaris Kecamatan), terlambat 2 jam 30 menit"]


@pytest.mark.usefixtures("bahasa")
def test_console_logs_by_default(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="alur.reminders")
    ConsoleChannel().send(make_message(), BUDI)
    assert [(r.name, r.getMessage()[:22]) for r in caplog.records] == [
        ("alur.reminders", "[pengingat] run 12 lan")]


def test_build_channels_in_the_order_of_the_settings(tmp_path: Path) -> None:
    lines: list[str] = []
    settings = Settings(tmp_path, "sqlite://", reminders=ReminderSettings(
        channels=("webhook", "console", "apprise", "email")),
        webhook=WebhookSettings("http://127.0.0.1:9/h"), apprise_urls_env="URLS")
    channels = build_channels(settings, {"URLS": ""}, echo=lines.append)
    assert [c.name for c in channels] == ["webhook", "console", "apprise", "email"]
    channels[1].send(make_message(), BUDI)
    assert len(lines) == 1
    assert not channels[2].applies_to(BUDI)
    templates = replace(settings, apprise_whatsapp_url="json://127.0.0.1:9/wa/{whatsapp}",
                        apprise_telegram_url="tgram://${BOT}/{telegram}")
    apprise = build_channels(templates, {"URLS": ""})[2]
    assert isinstance(apprise, AppriseChannel)
    assert (apprise.whatsapp_url, apprise.telegram_url) == (
        "json://127.0.0.1:9/wa/{whatsapp}", "tgram://${BOT}/{telegram}")
    assert apprise.applies_to(replace(BUDI, whatsapp="+62 812 0000 0000"))
    assert [c.name for c in build_channels(Settings(tmp_path, "sqlite://"))] == ["console"]
    no_url = replace(settings, webhook=WebhookSettings(""))
    with pytest.raises(ConfigError, match=r'alur\.toml:1:1: \[reminders\] channels names '
                                          '"webhook" but \\[webhook\\] url is empty'):
        build_channels(no_url)
