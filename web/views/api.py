"""The JSON API. Same session and CSRF rules as the forms: POSTs carry the token from GET /api/csrf
in an X-CSRFToken header (with the session cookie that came with it)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_wtf.csrf import generate_csrf

from triage import gate
from web.context import get_embedder, get_store, settings
from web.daily import item_json
from web.schemas import AttemptBody, ReadBody, json_body
from web.views.today import chosen_day, requested_view

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/csrf")
def csrf_token():
    return jsonify(csrf_token=generate_csrf())


@bp.get("/today")
def today():
    store = get_store()
    day = chosen_day(store)
    if day is None:
        return jsonify(day=None, total=0, papers=[])
    view = requested_view(store, day)
    return jsonify(
        day=day,
        total=view["total"],
        relevant=view["relevant_count"],
        hype=view["hype_count"],
        hype_share=view["hype_share"],
        unknown=view["unknown_count"],
        page=view["page"],
        pages=view["pages"],
        papers=[item_json(i) for i in view["items"]],
    )


@bp.post("/attempts")
def attempts():
    body = json_body(AttemptBody)
    store = get_store()
    result = gate.log_attempt(
        store, get_embedder(), settings(), body.problem, body.tried, body.bottleneck, body.evidence
    )
    return jsonify(
        attempt_id=result.attempt_id,
        unlocked=[
            {
                "id": u.paper.id,
                "title": u.paper.title,
                "score": u.score,
                "similarity": u.similarity,
                "shared_fundamentals": [fid for fid, _ in u.shared],
                "hype": u.hype,
                "reason": u.reason,
            }
            for u in result.unlocked
        ],
        revisit=[{"id": f.id, "name": f.name, "year": f.year, "closeness": c} for f, c in result.revisit],
        budget=gate.budget(store, settings()),
    ), 201


@bp.get("/queue")
def queue():
    store = get_store()
    rows = gate.queue(store, request.args.get("state", "queued"))
    return jsonify(
        budget=gate.budget(store, settings()),
        streak=gate.streak(store),
        queue=[
            {
                "id": r["paper_id"],
                "title": r["paper"].title,
                "abstract": r["paper"].abstract,
                "attempt_id": r["attempt_id"],
                "reason": r["reason"],
                "unlocked_at": r["unlocked_at"],
                "read_at": r["read_at"],
                "note": r["note"],
                "unblocked": r["unblocked"],
            }
            for r in rows
        ],
    )


@bp.post("/queue/<paper:paper_id>/read")
def read(paper_id: str):
    body = json_body(ReadBody)
    gate.mark_read(get_store(), paper_id, body.note, unblocked=body.unblocked)
    return jsonify(ok=True, budget=gate.budget(get_store(), settings()))
