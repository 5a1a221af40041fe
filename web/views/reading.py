"""Logging an attempt, what it unlocked, and the reading queue (with its Atom and BibTeX exports)."""

from __future__ import annotations

import io

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for

from triage import export, gate
from triage.errors import UserError
from web import warmup
from web.context import get_embedder, get_store, settings
from web.schemas import AttemptForm, CloseForm, ReadForm, form_body

bp = Blueprint("reading", __name__)

FIELDS = ("problem", "tried", "bottleneck", "evidence")


@bp.get("/attempts/new")
def new_attempt():
    return render_template(
        "attempt_form.html",
        form={},
        error=None,
        min_chars=settings().gate.min_bottleneck_chars,
        warming=warmup.warming(),
    )


@bp.post("/attempts")
def log_attempt():
    form = {k: request.form.get(k, "") for k in FIELDS}
    try:
        body = form_body(AttemptForm)
        result = gate.log_attempt(get_store(), get_embedder(), settings(), **body.model_dump())
    except UserError as e:
        # Keep what was typed: a refused attempt should cost one edit, not a rewrite.
        return render_template(
            "attempt_form.html", form=form, error=str(e), min_chars=settings().gate.min_bottleneck_chars
        ), 400
    return redirect(url_for("reading.attempt", attempt_id=result.attempt_id))


@bp.get("/attempts/<id:attempt_id>")
def attempt(attempt_id: int):
    store = get_store()
    row = store.get_attempt(attempt_id)
    if row is None:
        abort(404)
    return render_template(
        "attempt.html",
        attempt=row,
        unlocks=gate.attempt_unlocks(store, attempt_id),
        revisit=gate.revisit(get_embedder(), row["bottleneck"]),
        budget=gate.budget(store, settings()),
        outcomes=gate.OUTCOMES,
        gate_cfg=settings().gate,
    )


@bp.post("/attempts/<id:attempt_id>/close")
def close_attempt(attempt_id: int):
    body = form_body(CloseForm)
    gate.close_attempt(get_store(), attempt_id, body.outcome, body.note)
    flash(f"Attempt {attempt_id} closed.")
    return redirect(url_for("reading.queue"))


@bp.get("/queue")
def queue():
    store = get_store()
    state = request.args.get("state", "queued")
    return render_template(
        "queue.html",
        state=state,
        rows=gate.queue(store, state),
        budget=gate.budget(store, settings()),
        open_attempts=store.attempts(open_only=True),
        outcomes=gate.OUTCOMES,
    )


@bp.post("/queue/<paper:paper_id>/read")
def mark_read(paper_id: str):
    body = form_body(ReadForm)
    gate.mark_read(get_store(), paper_id, body.note, unblocked=body.unblocked == "yes")
    flash(f"Marked {paper_id} read.")
    return redirect(url_for("reading.queue"))


def _queue_records() -> list[dict]:
    """Every unlocked paper (queued and read) as triage export records, newest unlock first."""
    store = get_store()
    return list(export.paper_records(store, [r["paper"] for r in gate.queue(store, "all")]))


@bp.get("/queue.atom")
def queue_atom():
    out = io.StringIO()
    export.atom(out, iter(_queue_records()), title="Unlocked reading queue", feed_id="queue")
    return Response(out.getvalue(), mimetype="application/atom+xml")


@bp.get("/queue.bib")
def queue_bib():
    return Response(
        "\n".join(export.bibtex_entry(r) for r in _queue_records()),
        mimetype="application/x-bibtex",
        headers={"Content-Disposition": "inline; filename=queue.bib"},
    )
