"""Today: the newest announcement day held (or a chosen one), filtered and searched through GET
forms, as cards or a compact list; locked until an attempt unlocks, or the reader unlocks a paper
that fits an open attempt by hand."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for

from triage import gate
from triage.errors import UserError
from web.context import get_embedder, get_store, settings
from web.daily import MAX_QUERY_CHARS, YOUNG_NAMED, Filters, day_view, in_unlock_window
from web.guard import MAX_PAPER_ID_CHARS, MAX_ROW_ID

bp = Blueprint("today", __name__)

VIEWS = ("cards", "list")


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
    """The day's view for the page and filters asked for in the query string (HTML and JSON alike)."""
    page = request.args.get("page", 1, type=int)
    return day_view(
        store,
        get_embedder(),
        settings(),
        day,
        page,
        current_app.config["PAGE_SIZE"],
        Filters.from_args(request.args),
    )


@bp.get("/")
def index():
    store = get_store()
    day = chosen_day(store)
    view = requested_view(store, day) if day is not None else None
    before, after = store.adjacent_days(day) if day else (None, None)
    mode = request.args.get("view", "cards")
    return render_template(
        "today.html",
        day=day,
        view=view,
        mode=mode if mode in VIEWS else "cards",
        before=before,
        after=after,
        open_attempts=store.attempts(open_only=True),
        budget=gate.budget(store, settings()),
        max_query_chars=MAX_QUERY_CHARS,
        young_named=YOUNG_NAMED,
    )


@bp.get("/favicon.ico")
def favicon():
    return current_app.send_static_file("favicon.ico")


def _back(target: str | None) -> str:
    """Only local paths: the form's return address must not lead to another site."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("today.index")


@bp.post("/unlock")
def unlock():
    """Unlock one paper that fits an open attempt's bottleneck into the queue, with its reason."""
    store = get_store()
    paper_id = request.form.get("paper_id", "")[:MAX_PAPER_ID_CHARS]
    attempt_id = request.form.get("attempt_id", 0, type=int)
    attempt = store.get_attempt(attempt_id) if 0 < attempt_id <= MAX_ROW_ID else None
    paper = store.get_paper(paper_id) if paper_id else None
    if attempt is None or attempt["outcome"] or paper is None:
        raise UserError("Only a held paper can be unlocked, and only for an open attempt.")
    if store.unlocked_ids([paper.id]):
        raise UserError(f"Paper {paper.id} is already unlocked: it is in the reading queue.")
    if not in_unlock_window(store, settings(), paper.published):
        raise UserError(
            f"Paper {paper.id} ({paper.published}) is older than the {settings().gate.recent_days}-day "
            "unlock window: attempts unlock recent papers only."
        )
    score = store.relevance(paper.published, [attempt_id]).get(paper.id, (None,))[0]
    if score is None:
        raise UserError(f"Paper {paper.id} does not fit attempt {attempt_id}'s bottleneck closely enough.")
    limit = settings().web.max_unlocks_per_attempt
    if store.attempt_unlock_count(attempt_id) >= limit:
        raise UserError(
            f"Attempt {attempt_id} has unlocked its {limit} papers ([web] max_unlocks_per_attempt): "
            "read them, or log a new attempt where you are stuck now."
        )
    reason = f"fits your bottleneck (relevance {score:.2f} on the daily page); unlocked by hand"
    store.unlock_one(attempt_id, paper.id, score, reason)
    flash(f"Unlocked {paper.id} for attempt {attempt_id}: it is in your reading queue.")
    return redirect(_back(request.form.get("next")))
