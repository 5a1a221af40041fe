"""The web face of triage: a Flask app over the library (daily page, gate, queue, catalogue, radar).

`create_app(test_config)` reads settings with triage.config.load; `test_config` overrides Flask
config keys (DATABASE, SETTINGS, WEB_PASSWORD, ...). No logic lives here that the CLI would need:
views call triage.gate and the store.
"""

from __future__ import annotations

import os
import secrets

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from triage import config as config_mod
from triage.store import Store

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
    app = Flask(__name__)
    app.config.update(
        SETTINGS=settings,
        DATABASE=settings.storage.db,
        WEB_PASSWORD=os.environ.get("TRIAGE_WEB_PASSWORD") or None,
        LAST_JOB_ERROR=None,  # the daily job may put its last failure here; the banner shows it
        PAGE_SIZE=50,  # papers per page of a day: enough to scan, quick to render
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.config.update(test_config)
    settings.storage.db = app.config["DATABASE"]

    store = Store(app.config["DATABASE"])
    try:
        store.require_schema()
        if not app.config.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = os.environ.get("TRIAGE_SECRET_KEY") or store.meta_default(
                "secret_key", secrets.token_hex(32)
            )
    finally:
        store.close()

    csrf.init_app(app)
    from web import context
    from web.views import api, auth, catalogue, digest, reading, today

    context.init_app(app)
    auth.init_app(app)
    for module in (today, reading, catalogue, api, auth, digest):
        app.register_blueprint(module.bp)
    return app
