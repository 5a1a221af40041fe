"""Password login, required only when TRIAGE_WEB_PASSWORD is set (then every page needs a session)."""

from __future__ import annotations

import hmac

from flask import Blueprint, Flask, current_app, jsonify, redirect, render_template, request, session, url_for

bp = Blueprint("auth", __name__)

OPEN_ENDPOINTS = {"auth.login", "static"}


def _require_login():
    if not current_app.config.get("WEB_PASSWORD") or request.endpoint in OPEN_ENDPOINTS:
        return None
    if session.get("logged_in"):
        return None
    if request.path.startswith("/api/"):
        return jsonify(error="Log in first: this server requires a password."), 401
    return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))


def init_app(app: Flask) -> None:
    app.before_request(_require_login)


def _safe_next(target: str | None) -> str:
    """Only local paths: a login link must not bounce the user to another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("today.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        given = request.form.get("password", "").encode()
        expected = (current_app.config.get("WEB_PASSWORD") or "").encode()
        if expected and hmac.compare_digest(given, expected):
            session.clear()
            session["logged_in"] = True
            return redirect(_safe_next(request.form.get("next")))
        error = "Wrong password."
    return render_template("login.html", error=error, next=request.args.get("next", "")), (
        401 if error else 200
    )


@bp.post("/logout")
def logout():
    session.clear()
    return redirect(url_for("auth.login"))
