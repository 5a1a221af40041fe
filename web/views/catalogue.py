"""Fundamentals (never locked), the young-topic radar and a page per topic."""

from __future__ import annotations

import datetime as dt
import math

from flask import Blueprint, abort, render_template, request

from triage import fundamentals as fund
from web.charts import full_chart, radar_chart
from web.context import get_store, settings

bp = Blueprint("catalogue", __name__)

LINKED_SHOWN = 50


@bp.get("/fundamentals")
def fundamentals():
    return render_template("fundamentals.html", catalogue=fund.catalogue())


@bp.get("/fundamentals/<fid>")
def fundamental(fid: str):
    entry = fund.by_id().get(fid)
    if entry is None:
        abort(404)
    store = get_store()
    linked = store.papers_for_fundamental(fid, LINKED_SHOWN)
    papers = store.get_papers([pid for pid, _ in linked])
    unlocked = store.unlocked_ids(list(papers))
    return render_template(
        "fundamental.html",
        f=entry,
        linked=[(papers[pid], score, pid not in unlocked) for pid, score in linked if pid in papers],
    )


@bp.get("/topics")
def topics():
    """The radar: young topics first, a page at a time, each row with a small curve."""
    store = get_store()
    per_page = settings().web.topics_per_page
    total = store.count_topics()
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, request.args.get("page", 1, type=int)), pages)
    rows = store.radar_page((page - 1) * per_page, per_page)
    return render_template(
        "topics.html",
        topics=[(t, radar_chart(t["curve"], t["onset"])) for t in rows],
        total=total,
        page=page,
        pages=pages,
        per_page=per_page,
    )


@bp.get("/topics/<id:topic_id>")
def topic(topic_id: int):
    """One topic: its whole curve, the evidence for its verdict, its first papers and its recent ones."""
    store = get_store()
    t = store.get_topic(topic_id)
    if t is None:
        abort(404)
    latest = store.latest_day()
    window_days = settings().gate.recent_days
    since = (dt.date.fromisoformat(latest) - dt.timedelta(days=window_days)).isoformat() if latest else "9999"
    recent_ids, recent_total = store.topic_papers_since(topic_id, since, settings().web.topic_papers_shown)
    papers = store.get_papers([*t["earliest"], *recent_ids])
    unlocked = store.unlocked_ids(recent_ids)
    return render_template(
        "topic.html",
        t=t,
        chart=full_chart(t["curve"], t["onset"]),
        earliest=[papers[pid] for pid in t["earliest"] if pid in papers],
        recent=[(papers[pid], pid not in unlocked) for pid in recent_ids if pid in papers],
        recent_total=recent_total,
        since=since,
        window_days=window_days,
    )
