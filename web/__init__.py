"""The web face of triage: a Flask app over the library (daily page, gate, queue, catalogue, radar).

`create_app(test_config)` reads settings with triage.config.load; `test_config` overrides Flask
config keys (DATABASE, SETTINGS, WEB_PASSWORD, ...). No logic lives here that the CLI would need:
views call triage.gate and the store.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from triage import config as config_mod
from triage.papers import arxiv_url
from triage.store import Store
from web import guard

csrf = CSRFProtect()

# No inline scripts or styles anywhere: the app works without JavaScript.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


def create_app(test_config: dict | None = None) -> Flask:
    test_config = dict(test_config or {})
    settings = test_config.pop("SETTINGS", None) or config_mod.load(
        test_config.get("TRIAGE_CONFIG"), test_config.get("DATABASE")
    )
    web_cfg = settings.web
    app = Flask(__name__)
    app.config.update(
        SETTINGS=settings,
        DATABASE=settings.storage.db,
        WEB_PASSWORD=os.environ.get("TRIAGE_WEB_PASSWORD") or None,
        LAST_JOB_ERROR=None,  # the daily job may put its last failure here; the banner shows it
        PAGE_SIZE=50,  # papers per page of a day: enough to scan, quick to render
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
        ALLOWED_HOSTS=frozenset(h.lower() for h in web_cfg.allowed_hosts),
        MAX_CONTENT_LENGTH=web_cfg.max_request_kib * 1024,
        MAX_FIELD_CHARS=web_cfg.max_field_chars,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(days=web_cfg.session_days),
    )
    app.config.update(test_config)
    settings.storage.db = app.config["DATABASE"]
    if web_cfg.proxy_hops:
        n = web_cfg.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)

    store = Store(app.config["DATABASE"])
    try:
        store.require_schema()
        if not app.config.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = os.environ.get("TRIAGE_SECRET_KEY") or store.meta_default(
                "secret_key", secrets.token_hex(32)
            )
    finally:
        store.close()
    guard.make_private(app.config["DATABASE"])
    if app.config["WEB_PASSWORD"]:
        app.config["SECRET_KEY"] = guard.session_key(app.config["SECRET_KEY"], app.config["WEB_PASSWORD"])

    guard.init_app(app)
    csrf.init_app(app)
    from web import context
    from web.views import api, auth, catalogue, digest, reading, today

    context.init_app(app)
    auth.init_app(app)
    app.url_map.converters.update(id=guard.RowId, paper=guard.PaperId)
    app.jinja_env.globals["max_field_chars"] = app.config["MAX_FIELD_CHARS"]
    app.jinja_env.globals["arxiv_url"] = arxiv_url
    for module in (today, reading, catalogue, api, auth, digest):
        app.register_blueprint(module.bp)
    return app
