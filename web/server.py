"""Serving the app with waitress: the bind check and the one place a scheduler can be started."""

from __future__ import annotations

import ipaddress
import os

from flask import Flask

from triage.errors import UserError
from web import warmup
from web.guard import allow_host


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_bind(host: str) -> None:
    """Beyond loopback the app is reachable by others, so it must ask for a password."""
    if not is_loopback(host) and not os.environ.get("TRIAGE_WEB_PASSWORD"):
        raise UserError(
            f"Refusing to serve on {host} without a password: set TRIAGE_WEB_PASSWORD or bind 127.0.0.1."
        )


def check_proxied(app: Flask) -> None:
    """Behind a proxy the app is reached from beyond loopback even when it binds 127.0.0.1."""
    if app.config["SETTINGS"].web.proxy_hops and not app.config.get("WEB_PASSWORD"):
        raise UserError(
            "Refusing to serve behind a proxy ([web] proxy_hops) without a password: set TRIAGE_WEB_PASSWORD."
        )


def serve(app: Flask, host: str, port: int, schedule: bool = True, threads: int = 8) -> None:
    """Serve until interrupted, with the daily job scheduled on its own thread unless `schedule` is off."""
    check_bind(host)
    check_proxied(app)
    allow_host(app, host)
    from waitress import serve as waitress_serve

    scheduler = None
    if schedule:
        from triage.schedule import start_scheduler

        scheduler = start_scheduler(app.config["SETTINGS"], app.config["DATABASE"])
    warmup.start(app.config["SETTINGS"].embeddings)
    try:
        waitress_serve(app, host=host, port=port, threads=threads, ident="paper-triage")
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
