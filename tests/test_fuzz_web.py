"""No request breaks the web app: Hypothesis over the JSON API, the form routes and the query strings.

For every generated request: the status is below 500, the database passes PRAGMA integrity_check,
and nothing outside the request's own record changed (a read touches only its paper's queue row,
a close only its attempt, a new attempt only adds its own rows; pages only refresh caches).
"""

from __future__ import annotations

import json
import re
import sqlite3
import string
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.support.webapp import PAPER_IDS, csrf_token
from triage.store import Store
from web import create_app

# Hundreds of generated requests or records: the full suite (CI) runs them, the fast tier skips them.
pytestmark = pytest.mark.slow

FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
QUEUED = PAPER_IDS[:3]
# Tables that hold caches any page may fill (embeddings of texts, relevance of papers to attempts).
CACHES = {"embeddings", "relevance", "relevance_days"}
BOTTLENECK = (
    "Full fine-tuning of the Whisper encoder runs out of GPU memory; "
    "I need a parameter-efficient method such as low-rank adapters"
)
OTHER_BOTTLENECK = (
    "Object detection on a nano-drone misses its frame deadline on the microcontroller; "
    "early exits might skip the later convolution layers"
)

# Text a browser or client could send in a form (werkzeug cannot encode lone surrogates).
form_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=60) | st.sampled_from(
    ["", " ", "yes", "paper", "abandoned", "/\n/evil.example", "/\t/x", "x" * 2001, "0", "-1", "null"]
)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=40)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
FIELDS = ["problem", "tried", "bottleneck", "evidence", "note", "unblocked", "outcome", "password", "next"]
json_objects = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=10), json_values, max_size=6)
paper_ids = st.sampled_from([*PAPER_IDS, "2603.00000", "hep-th/9901001"]) | st.text(min_size=1, max_size=30)
attempt_ids = st.integers(min_value=-(2**70), max_value=2**70) | st.sampled_from([1, 2, 0])


@pytest.fixture
def world(app):
    """The seeded app with two open attempts that unlocked papers, and a client holding a CSRF token."""
    store = Store(app.config["DATABASE"])
    for n, pid in enumerate(QUEUED[:2]):
        aid = store.add_attempt(f"problem {n}", f"tried {n}", f"{BOTTLENECK} {n}", None)
        store.add_unlocks(aid, [(pid, 0.9, "fits")])
    store.add_unlocks(1, [(QUEUED[2], 0.8, "fits")])
    store.close()
    client = app.test_client()
    client.environ_base["HTTP_X_CSRFTOKEN"] = csrf_token(client)
    return app, client


def snapshot(path: str) -> dict[str, set[tuple]]:
    """Every row of every table, as (column, value) pairs, read through a separate connection."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        out = {}
        for t in tables:
            cur = conn.execute(f'SELECT * FROM "{t}"')
            cols = [d[0] for d in cur.description]
            out[t] = {tuple(zip(cols, row, strict=True)) for row in cur}
        return out
    finally:
        conn.close()


def integrity(path: str) -> str:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def changes(before: dict, after: dict) -> list[tuple[str, dict]]:
    """(table, row) for every row added, removed or altered (an altered row appears as both)."""
    out = []
    for table in set(before) | set(after):
        old, new = before.get(table, set()), after.get(table, set())
        out += [(table, dict(row)) for row in old ^ new]
    return out


def check(app, send, allowed) -> None:
    """Send one request; assert no 5xx, no redirect off the site, a sound database, and only
    `allowed(table, row)` rows changed."""
    path = app.config["DATABASE"]
    before = snapshot(path)
    resp = send()
    assert resp.status_code < 500, resp.get_data(as_text=True)[:500]
    if resp.status_code in (301, 302, 303, 307, 308):
        # Never off the site: a path (werkzeug's slash redirects name the request's own host, which
        # the Host check allowed) with no backslash, whitespace or control character to reinterpret.
        where = resp.headers["Location"].removeprefix("http://localhost")
        assert re.fullmatch(r"/(?![/\\])[\x21-\x7e]*", where), where
    assert integrity(path) == "ok"
    stray = [(t, r) for t, r in changes(before, snapshot(path)) if t not in CACHES and not allowed(t, r)]
    assert not stray, f"{resp.status_code}: changed outside the request's record: {stray[:3]}"


def nothing(table, row) -> bool:
    return False


def newest_attempt(app) -> int:
    store = Store(app.config["DATABASE"])
    try:
        return max(r["id"] for r in store.attempts())
    finally:
        store.close()


@FUZZ
@given(paper_id=paper_ids, body=json_values | json_objects)
@example(paper_id=QUEUED[0], body={"note": "rank 8 fits", "unblocked": True})
def test_api_read_any_body(world, paper_id, body):
    app, client = world
    check(
        app,
        lambda: client.post(
            f"/api/queue/{quote(paper_id, safe='')}/read",
            data=json.dumps(body),
            content_type="application/json",
        ),
        lambda t, r: t == "unlocks" and r["paper_id"] == paper_id,
    )


@FUZZ
@given(body=json_values | json_objects, raw=st.none() | st.binary(max_size=40))
@example(body={"problem": "drones", "tried": "a smaller CNN", "bottleneck": OTHER_BOTTLENECK}, raw=None)
def test_api_attempt_any_body(world, body, raw):
    app, client = world
    data = raw if raw is not None else json.dumps(body)
    top = newest_attempt(app)
    check(
        app,
        lambda: client.post("/api/attempts", data=data, content_type="application/json"),
        lambda t, r: t in ("attempts", "unlocks") and r.get("id", r.get("attempt_id")) > top,
    )


@FUZZ
@given(form=st.dictionaries(st.sampled_from(FIELDS) | form_text, form_text, max_size=6))
@example(form={"problem": "drones", "tried": "a smaller CNN", "bottleneck": OTHER_BOTTLENECK})
def test_attempt_form_any_fields(world, form):
    app, client = world
    top = newest_attempt(app)
    check(
        app,
        lambda: client.post("/attempts", data=form),
        lambda t, r: t in ("attempts", "unlocks") and r.get("id", r.get("attempt_id")) > top,
    )


@FUZZ
@given(paper_id=paper_ids, form=st.dictionaries(st.sampled_from(FIELDS) | form_text, form_text, max_size=4))
@example(paper_id=QUEUED[1], form={"note": "useful", "unblocked": "yes"})
def test_read_form_any_fields(world, paper_id, form):
    app, client = world
    check(
        app,
        lambda: client.post(f"/queue/{quote(paper_id, safe='')}/read", data=form),
        lambda t, r: t == "unlocks" and r["paper_id"] == paper_id,
    )


@FUZZ
@given(
    attempt_id=attempt_ids, form=st.dictionaries(st.sampled_from(FIELDS) | form_text, form_text, max_size=4)
)
@example(attempt_id=1, form={"outcome": "paper", "note": "LoRA"})
@example(attempt_id=2**63, form={"outcome": "paper"})
def test_close_form_any_id_and_fields(world, attempt_id, form):
    app, client = world
    check(
        app,
        lambda: client.post(f"/attempts/{attempt_id}/close", data=form),
        lambda t, r: t == "attempts" and r["id"] == attempt_id,
    )


@FUZZ
@given(
    path=st.sampled_from(
        [
            "/",
            "/api/today",
            "/queue",
            "/api/queue",
            "/topics",
            "/fundamentals",
            "/digest",
            "/queue.atom",
            "/queue.bib",
            "/attempts/new",
            "/login",
        ]
    )
    | attempt_ids.map(lambda i: f"/attempts/{i}")
    | form_text.map(lambda s: f"/fundamentals/{quote(s, safe='')}"),
    query=st.dictionaries(
        st.sampled_from(["day", "page", "state", "next"]) | form_text, form_text, max_size=3
    ),
    host=st.sampled_from(["localhost", "127.0.0.1:8080", "[::1]:8080", "evil.example"])
    | st.text(string.ascii_letters + string.digits + string.punctuation + " ", max_size=20),
)
@example(path="/attempts/9223372036854775808", query={}, host="localhost")
@example(path="/", query={"day": "2026-03-31", "page": "9" * 5000}, host="localhost")
def test_pages_any_query(world, path, query, host):
    app, client = world
    check(app, lambda: client.get(path, query_string=query, headers={"Host": host}), nothing)


@pytest.fixture
def locked(web_db, tmp_path, monkeypatch):
    """The app with a password, and its client."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRIAGE_WEB_PASSWORD", "correct horse")
    app = create_app({"DATABASE": web_db, "TESTING": True})
    return app, app.test_client()


@FUZZ
@given(
    form=st.dictionaries(
        st.sampled_from(["password", "next"]) | form_text,
        form_text | st.just("correct horse"),
        max_size=4,
    ),
    address=st.sampled_from(["127.0.0.1"]) | st.ip_addresses().map(str),
)
@example(form={"password": "correct horse", "next": "/\t/evil.example"}, address="192.0.2.1")
@example(form={"password": "correct horse", "next": "/\n/evil.example"}, address="192.0.2.2")
def test_login_any_form(locked, form, address):
    app, client = locked
    client.environ_base["REMOTE_ADDR"] = address  # most tries come before the throttle says wait
    # A login starts a fresh session, so each try takes the form's token anew, as a browser would.
    page = client.get("/login").get_data(as_text=True)
    client.environ_base["HTTP_X_CSRFTOKEN"] = page.split('name="csrf_token" value="')[1].split('"')[0]
    check(app, lambda: client.post("/login", data=form), lambda t, r: t == "web_sessions")
