"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives, for the digest tests."""

from __future__ import annotations

import socket
import ssl
import subprocess
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SMTPServer:
    """start()/stop() on a fixed port, so a test can take the server down and bring it back."""

    def __init__(
        self, login: tuple[str, str] | None = None, tls: str | None = None, context=None, quit_reply=None
    ):
        self.port = free_port()
        self.quit_reply = quit_reply  # e.g. "421 ..." to fail at QUIT after accepting DATA
        self.login = login  # (user, password) the server requires, or None for no AUTH
        self.tls = tls  # None, "starttls" (required before MAIL) or "ssl" (implicit TLS)
        self.context = context  # the server's ssl.SSLContext for tls
        self.received: list = []  # aiosmtpd envelopes
        self._controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope):
        self.received.append(envelope)
        return "250 Message accepted for delivery"

    async def handle_QUIT(self, server, session, envelope):
        return self.quit_reply or "221 Bye"

    @property
    def messages(self) -> list[EmailMessage]:
        return [BytesParser(policy=policy.default).parsebytes(e.content) for e in self.received]

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and self.login == (
            auth_data.login.decode(),
            auth_data.password.decode(),
        )
        return AuthResult(success=ok, handled=False)  # let aiosmtpd answer 235 or 535

    def start(self) -> None:
        auth = {}
        if self.login:
            # Plain AUTH without TLS is allowed only because the test server is on loopback. With
            # implicit TLS ("ssl") the link is encrypted, but aiosmtpd only counts STARTTLS as TLS.
            auth = {
                "authenticator": self._authenticate,
                "auth_required": True,
                "auth_require_tls": self.tls == "starttls",
            }
        if self.tls == "starttls":
            auth |= {"tls_context": self.context, "require_starttls": True}
        elif self.tls == "ssl":
            auth |= {"ssl_context": self.context}
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, **auth)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_server():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_settings(settings, smtp_server):
    """Settings whose [digest] points at the local SMTP server."""
    settings.digest.to = ["reader@example.org"]
    settings.digest.from_ = "triage@example.org"
    settings.digest.smtp_host = "127.0.0.1"
    settings.digest.smtp_port = smtp_server.port
    return settings


@pytest.fixture(scope="session")
def tls_cert(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1 and the server context that presents it."""
    d = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return cert, context
