"""A preview of the day's digest email, exactly as it will be sent."""

from __future__ import annotations

from flask import Blueprint, Response

from triage import digest
from web.context import get_store, settings
from web.views.today import chosen_day

bp = Blueprint("digest", __name__)

# The email carries its CSS inline (mail clients drop style sheets), so this one page allows
# inline style attributes; scripts stay forbidden.
PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; frame-ancestors 'none'"
)


@bp.get("/digest")
def preview():
    store = get_store()
    day = chosen_day(store)
    if day is None:
        return Response(
            "No papers are held yet, so there is no digest: run `triage fetch`.", mimetype="text/plain"
        )
    resp = Response(digest.render_preview(store, settings(), day), mimetype="text/html")
    resp.headers["Content-Security-Policy"] = PREVIEW_CSP
    return resp
