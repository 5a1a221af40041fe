"""Fundamentals (never locked) and the young-topic radar."""

from __future__ import annotations

from flask import Blueprint, abort, render_template

from triage import fundamentals as fund
from web.charts import radar_chart
from web.context import get_store

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
    store = get_store()
    rows = store.topics()
    earliest = store.get_papers([pid for t in rows for pid in t["earliest"]])
    return render_template(
        "topics.html",
        topics=[(t, radar_chart(t["curve"], t["onset"])) for t in rows],
        earliest=earliest,
    )
