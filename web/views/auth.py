"""Password login, required only when TRIAGE_WEB_PASSWORD is set (then every page needs a session)."""

from __future__ import annotations

import hmac
import math
from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, g, jsonify, redirect, render_template, request, url_for

from web import guard
from web.context import get_store
from web.schemas import LoginForm, form_body

bp = Blueprint("auth", __name__)

OPEN_ENDPOINTS = {"auth.login", "static"}


def _require_login():
    if not current_app.config.get("WEB_PASSWORD") or request.endpoint in OPEN_ENDPOINTS:
        return None
    if guard.logged_in(get_store()):
        g.logged_in = True
        return None
    if request.path.startswith("/api/"):
        return jsonify(error="Log in first: this server requires a password."), 401
    return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))


def init_app(app: Flask) -> None:
    app.before_request(_require_login)


def local_path(target: str) -> str | None:
    """`target` if it is a path on this site, else None. Browsers drop tabs and newlines from a
    Location and read a backslash as a slash, so "/\\t/evil.example" would leave the site."""
    if not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(not 0x21 <= ord(c) <= 0x7E for c in target):
        return None
    parts = urlsplit(target)
    return None if parts.scheme or parts.netloc else target


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("login.html", error=None, next=local_path(request.args.get("next", "")) or "")
    form = form_body(LoginForm)
    throttle, address = current_app.extensions["login_throttle"], request.remote_addr or "unknown"
    expected = (current_app.config.get("WEB_PASSWORD") or "").encode()
    wait = throttle.wait(address)
    if wait:
        seconds = math.ceil(wait)
        error = f"Too many wrong passwords from your address: try again in {seconds} second{'s' * (seconds != 1)}."
        status = 429
    elif expected and hmac.compare_digest(form.password.encode(), expected):
        throttle.succeeded(address)
        guard.start_session(get_store())
        return redirect(local_path(form.next) or url_for("today.index"))
    else:
        throttle.failed(address)
        error, status = "Wrong password.", 401
    return render_template("login.html", error=error, next=local_path(form.next) or ""), status


@bp.post("/logout")
def logout():
    guard.end_session(get_store())
    return redirect(url_for("auth.login"))
