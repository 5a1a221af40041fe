"""Per-request resources (store, embedder), template helpers and the response headers every page gets."""

from __future__ import annotations

from flask import Flask, current_app, g, jsonify, render_template, request, session
from flask_wtf.csrf import CSRFError

from triage import gate, topics
from triage.embed import Embedder
from triage.errors import TriageError
from triage.store import Store
from web import CSP


def get_store() -> Store:
    if "store" not in g:
        g.store = Store(current_app.config["DATABASE"])
    return g.store


def get_embedder() -> Embedder:
    return Embedder(current_app.config["SETTINGS"].embeddings, get_store())


def settings():
    return current_app.config["SETTINGS"]


def age_text(topic: dict) -> str:
    """The topic's age as every view states it (triage.topics.age_text): '3 months', 'unknown'."""
    return topics.age_text(topic.get("onset"), topic.get("age_days"))


def _close_store(_exc=None) -> None:
    store = g.pop("store", None)
    if store is not None:
        store.close()


def _headers(resp):
    resp.headers.setdefault("Content-Security-Policy", CSP)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["X-Frame-Options"] = "DENY"
    resp.headers["Referrer-Policy"] = "same-origin"
    return resp


def _chrome() -> dict:
    """What the layout shows on every page: the streak and the daily job's last failure."""
    if request.endpoint in (None, "static") or request.path.startswith("/api/"):
        return {}
    if current_app.config.get("WEB_PASSWORD") and not session.get("logged_in"):
        return {}
    store = get_store()
    return {
        "streak": gate.streak(store),
        "job_error": current_app.config.get("LAST_JOB_ERROR") or _last_run_error(store),
    }


def _last_run_error(store) -> str | None:
    """The newest daily-job run's error, if it failed (the page then says it shows stored papers)."""
    runs = store.job_runs(limit=1)
    if runs and runs[0]["error"]:
        return f"{runs[0]['error']} ({runs[0]['finished_at'] or runs[0]['started_at']})"
    return None


def _error(status: int, message: str):
    if request.path.startswith("/api/"):
        return jsonify(error=message), status
    return render_template("error.html", status=status, message=message), status


def init_app(app: Flask) -> None:
    app.teardown_appcontext(_close_store)
    app.after_request(_headers)
    app.context_processor(_chrome)
    app.add_template_filter(age_text, "age")
    app.register_error_handler(CSRFError, lambda e: _error(400, f"The form was refused: {e.description}"))
    app.register_error_handler(404, lambda e: _error(404, "There is nothing at this address."))
    app.register_error_handler(405, lambda e: _error(405, "This address does not accept that method."))
    app.register_error_handler(TriageError, lambda e: _error(400, str(e)))
