"""What stands between a request and the views: the Host check, bounded route ids, revocable login
sessions, the login throttle, Secure cookies over HTTPS and a private database file.

docs/security.md says what these promise and what they do not.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import stat
import threading
import time
from collections import OrderedDict

from flask import Flask, Response, current_app, request, session
from flask.sessions import SecureCookieSessionInterface
from werkzeug.routing import IntegerConverter, PathConverter, ValidationError

WILDCARD_BINDS = {"0.0.0.0", "::", ""}


# --- Host check (DNS rebinding) ----------------------------------------------------------------


def host_name(header: str) -> str | None:
    """The host of a Host header, lowercased, without port or trailing dot; None when malformed."""
    value = header.strip().lower()
    if value.startswith("["):
        name, sep, port = value[1:].partition("]")
        if not sep:
            return None
    else:
        name, sep, port = value.partition(":")
        port = sep + port
    if port and not re.fullmatch(r":\d{1,5}", port):
        return None
    return name.rstrip(".") or None


def allow_host(app: Flask, host: str) -> None:
    """Also answer to the address the server binds (a concrete one: a page cannot rebind a name to it)."""
    if host not in WILDCARD_BINDS:
        app.config["ALLOWED_HOSTS"] = app.config["ALLOWED_HOSTS"] | {host.strip("[]").lower()}


def _check_host():
    if host_name(request.headers.get("Host", "")) not in current_app.config["ALLOWED_HOSTS"]:
        # Plain text, no page chrome: whoever sent this must learn nothing held here.
        return Response(
            "This server does not answer to the host name in the request; "
            "if the name is yours, add it to [web] allowed_hosts.",
            400,
            mimetype="text/plain",
        )
    return None


# --- Route converters --------------------------------------------------------------------------


MAX_ROW_ID = 2**63 - 1  # SQLite's largest INTEGER: a larger id overflows the query instead of finding nothing
MAX_PAPER_ID_CHARS = 100  # an arXiv id is at most ~25 characters; anything near this is not one


class RowId(IntegerConverter):
    """A database row id, 1 .. MAX_ROW_ID; anything else matches no route (404)."""

    def __init__(self, url_map):
        super().__init__(url_map, min=1, max=MAX_ROW_ID)

    def to_python(self, value: str):
        if len(value) > 19:  # int() refuses over 4300 digits; nothing over 19 fits anyway
            raise ValidationError()
        return super().to_python(value)


class PaperId(PathConverter):
    """An arXiv id, old style with a slash included (hep-th/9901001); at most MAX_PAPER_ID_CHARS."""

    regex = f"[^/].{{0,{MAX_PAPER_ID_CHARS - 1}}}?"


# --- Login sessions ----------------------------------------------------------------------------


def session_key(base_key: str, password: str) -> str:
    """The cookie signing key: tied to the password, so changing it voids every earlier cookie, and
    the key stored in the database alone cannot sign a login."""
    return hmac.new(base_key.encode(), b"login:" + password.encode(), hashlib.sha256).hexdigest()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _not_before() -> float:
    return time.time() - current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()


def start_session(store) -> None:
    """A fresh server-side session (a new token: a cookie from before the login is not reused)."""
    token = secrets.token_urlsafe(32)
    store.add_web_session(_token_hash(token), time.time(), _not_before())
    session.clear()
    session["sid"] = token
    session.permanent = True


def logged_in(store) -> bool:
    token = session.get("sid")
    return isinstance(token, str) and store.web_session_alive(_token_hash(token), _not_before())


def end_session(store) -> None:
    token = session.get("sid")
    if isinstance(token, str):
        store.end_web_session(_token_hash(token))
    session.clear()


class CookieSessions(SecureCookieSessionInterface):
    """Secure cookies whenever the request came over HTTPS (directly, or per a trusted proxy)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure or super().get_cookie_secure(app)


# --- Login throttle ----------------------------------------------------------------------------


class LoginThrottle:
    """Per client address: FREE wrong passwords, then a wait that doubles with each further one,
    up to MAX_WAIT seconds. While an address waits even the right password is refused."""

    FREE = 5
    MAX_WAIT = 900.0
    MAX_ADDRESSES = 10_000

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self._lock = threading.Lock()
        self._failures: OrderedDict[str, tuple[int, float]] = OrderedDict()

    def wait(self, address: str) -> float:
        """Seconds before `address` may try again (0: now)."""
        with self._lock:
            _, until = self._failures.get(address, (0, 0.0))
            return max(0.0, until - self.clock())

    def failed(self, address: str) -> None:
        with self._lock:
            n = self._failures.pop(address, (0, 0.0))[0] + 1
            until = self.clock() + min(2.0 ** (n - self.FREE), self.MAX_WAIT) if n >= self.FREE else 0.0
            self._failures[address] = (n, until)
            while len(self._failures) > self.MAX_ADDRESSES:
                self._failures.popitem(last=False)

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._failures.pop(address, None)


# --- Files and wiring --------------------------------------------------------------------------


def make_private(db_path: str) -> None:
    """Take group and other access off the database (it holds the session key) and its WAL files."""
    for path in (db_path, db_path + "-wal", db_path + "-shm"):
        try:
            mode = os.stat(path).st_mode
        except FileNotFoundError:
            continue
        if mode & 0o077:
            os.chmod(path, stat.S_IMODE(mode) & 0o700)


def init_app(app: Flask) -> None:
    app.before_request(_check_host)
    app.session_interface = CookieSessions()
    app.extensions["login_throttle"] = LoginThrottle()
