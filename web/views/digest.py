"""A preview of the day's digest email, exactly as it will be sent."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, url_for
from markupsafe import escape

from triage import digest
from web.context import get_store, settings
from web.views.today import chosen_day

bp = Blueprint("digest", __name__)

NAVIGATION = (
    ("today.index", "Today"),
    ("reading.new_attempt", "Log attempt"),
    ("reading.queue", "Queue"),
    ("catalogue.fundamentals", "Fundamentals"),
    ("catalogue.topics", "Topics"),
)

# The email carries its CSS inline (mail clients drop style sheets), so this one page allows
# inline style attributes; scripts stay forbidden.
PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; frame-ancestors 'none'"
)


def _with_navigation(html: str) -> str:
    """The email's HTML with a bar of links back into the app just inside its body."""
    links = " · ".join(
        f'<a href="{escape(url_for(endpoint))}" style="color:#e2e8f0;">{name}</a>'
        for endpoint, name in NAVIGATION
    )
    bar = (
        '<nav aria-label="Main" style="background:#0f172a;padding:8px 16px;font:15px system-ui,sans-serif;'
        f'color:#e2e8f0;">{links} · <strong>Digest preview</strong>: the email as it will be sent</nav>'
    )
    start = html.find("<body")
    end = html.find(">", start) + 1 if start >= 0 else 0
    return html[:end] + bar + html[end:]


@bp.get("/digest")
def preview():
    store = get_store()
    day = chosen_day(store)
    if day is None:
        return render_template("digest_empty.html")
    resp = Response(_with_navigation(digest.render_preview(store, settings(), day)), mimetype="text/html")
    resp.headers["Content-Security-Policy"] = PREVIEW_CSP
    return resp
