"""Today: the newest announcement day held (or a chosen one), locked until an attempt unlocks."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, render_template, request

from triage import gate
from triage.errors import UserError
from web.context import get_embedder, get_store, settings
from web.daily import day_view

bp = Blueprint("today", __name__)


def chosen_day(store) -> str | None:
    """?day=YYYY-MM-DD, else the newest day held; a malformed date is a user error."""
    raw = request.args.get("day", "").strip()
    if not raw:
        return store.latest_day()
    try:
        return dt.date.fromisoformat(raw).isoformat()
    except ValueError:
        raise UserError(f"{raw!r} is not a date: use YYYY-MM-DD.") from None


def requested_view(store, day: str) -> dict:
    """The day's view for the page asked for in ?page= (HTML and JSON alike)."""
    page = request.args.get("page", 1, type=int)
    return day_view(store, get_embedder(), settings(), day, page, current_app.config["PAGE_SIZE"])


@bp.get("/")
def index():
    store = get_store()
    day = chosen_day(store)
    view = requested_view(store, day) if day is not None else None
    before, after = store.adjacent_days(day) if day else (None, None)
    return render_template(
        "today.html",
        day=day,
        view=view,
        before=before,
        after=after,
        open_attempts=store.attempts(open_only=True),
        budget=gate.budget(store, settings()),
    )
