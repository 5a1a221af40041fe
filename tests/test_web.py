"""The web app through Flask's test client: pages, the gate through the web, CSRF, escaping, login."""

from __future__ import annotations

import re

import pytest

from tests.support.webapp import DAY, EARLIER, csrf_token
from triage.papers import Paper
from triage.store import Store
from web import create_app
from web.charts import radar_chart

LORA = "2603.27981"
BOTTLENECK = (
    "Full fine-tuning of the Whisper encoder runs out of GPU memory; "
    "I need a parameter-efficient method such as low-rank adapters"
)


def log(client, bottleneck=BOTTLENECK, **extra):
    form = {
        "csrf_token": csrf_token(client),
        "problem": "Speech recognition on a small device",
        "tried": "Fine-tuned all of Whisper",
        "bottleneck": bottleneck,
        **extra,
    }
    return client.post("/attempts", data=form)


def abstract_of(app, pid):
    with app.app_context():
        return Store(app.config["DATABASE"]).get_paper(pid).abstract


def test_today_shows_latest_day_locked(client, app):
    html = client.get("/").get_data(as_text=True)
    assert f"Papers of {DAY}" in html
    assert "Pruning Whisper and LoRA Fine-Tuning" in html
    assert "svd_low_rank" in html and "SVD and low-rank approximation, 1936" in html  # chip with year
    # Ages in whole months from onset to as-of (2025-12 -> 2026-03; 2014-06 -> 2026-03), as the verdict counts.
    assert "HYPE · 3 months old" in html and "established · 11 years" in html
    # Each hyped paper's badge carries its topic's recent monthly curve (3 hyped papers on the day).
    assert html.count('<svg class="curve spark"') == 3 and "Monthly share of this topic" in html
    assert "no topic" in html
    assert "10</strong> papers" in html and "<strong>30%</strong> in topics younger" in html
    # Locked: neither abstract nor PDF link is in the page at all.
    assert abstract_of(app, LORA)[:80] not in html
    assert "arxiv.org/pdf" not in html


def test_today_orders_young_topics_last_and_picks_days(client):
    html = client.get("/").get_data(as_text=True)
    titles = re.findall(r'<li class="paper( young)?', html)
    flags = [bool(t) for t in titles]
    assert flags == sorted(flags), "young-topic papers come last"
    earlier = client.get(f"/?day={EARLIER}").get_data(as_text=True)
    assert f"Papers of {EARLIER}" in earlier and "HISA" in earlier and "Whisper" not in earlier
    bad = client.get("/?day=31-03-2026")
    assert bad.status_code == 400 and "is not a date" in bad.get_data(as_text=True)


def test_attempt_unlocks_and_shows_why(client, app):
    resp = log(client)
    assert resp.status_code == 302
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Unlocked (3)" in page and "similarity" in page
    assert "Revisit these fundamentals first" in page and "SVD and low-rank approximation" in page
    assert "Daily read budget: 0 of 2" in page
    # The best fit is unlocked on the daily page, and ranked first there as relevant to the bottleneck.
    today = client.get("/").get_data(as_text=True)
    first_title = re.search(r'<h2 class="title">([^<]*)</h2>', today).group(1)
    assert "Pruning Whisper" in first_title and "fits attempt 1" in today
    # Without the bottleneck it would sort after this lower id.
    assert today.index("Pruning Whisper") < today.index("The Price of Meaning")
    assert abstract_of(app, LORA)[:80] in today and f"arxiv.org/pdf/{LORA}" in today
    queue = client.get("/queue").get_data(as_text=True)
    assert abstract_of(app, LORA)[:80] in queue and f"arxiv.org/abs/{LORA}" in queue


def test_vague_and_repeated_attempts_refused_form_kept(client):
    resp = log(client, bottleneck="I am stuck on it")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "too vague" in html
    assert "Speech recognition on a small device" in html and "I am stuck on it</textarea>" in html
    assert log(client).status_code == 302
    again = log(client)
    assert again.status_code == 400 and "repeats an earlier attempt" in again.get_data(as_text=True)
    assert client.get("/queue").get_data(as_text=True).count('class="paper"') == 3


def test_mark_read_budget_streak_and_close(client):
    log(client)
    rows = client.get("/api/queue").get_json()
    assert rows["streak"] == 1 and rows["budget"] == {"read": 0, "budget": 2, "left": 2, "enough": False}
    first, second = rows["queue"][0]["id"], rows["queue"][1]["id"]
    token = csrf_token(client)
    client.post(
        f"/queue/{first}/read", data={"csrf_token": token, "note": "LoRA rank 8 fits", "unblocked": "yes"}
    )
    client.post(f"/queue/{second}/read", data={"csrf_token": token})
    html = client.get("/queue?state=read").get_data(as_text=True)
    assert "this unblocked me" in html and "learned: LoRA rank 8 fits" in html
    assert "Read today: <strong>2 of 2</strong> — enough for today" in client.get("/queue").get_data(
        as_text=True
    )
    resp = client.post("/attempts/1/close", data={"csrf_token": token, "outcome": "paper", "note": "LoRA"})
    assert resp.status_code == 302
    assert "unblocked by paper: LoRA" in client.get("/attempts/1").get_data(as_text=True)
    twice = client.post("/attempts/1/close", data={"csrf_token": token, "outcome": "myself"})
    assert twice.status_code == 400 and "already closed" in twice.get_data(as_text=True)


def test_csrf_missing_is_refused(client):
    resp = client.post("/attempts", data={"problem": "p", "tried": "t", "bottleneck": BOTTLENECK})
    assert resp.status_code == 400 and "CSRF" in resp.get_data(as_text=True)
    api = client.post("/api/attempts", json={"problem": "p", "tried": "t", "bottleneck": BOTTLENECK})
    assert api.status_code == 400 and "CSRF" in api.get_json()["error"]
    assert client.get("/api/queue").get_json()["queue"] == []


def test_script_in_abstract_is_inert(client, app):
    with app.app_context():
        store = Store(app.config["DATABASE"])
        store.upsert_papers(
            [
                Paper(
                    id="2603.99999",
                    title="Whisper <b>encoder</b> & LoRA adapters under $O(n^2)$ memory",
                    abstract="Low-rank adapters for Whisper speech recognition fine-tuning. <script>alert(1)</script>",
                    published=DAY,
                    source="test",
                )
            ]
        )
    log(client)
    for url in ("/", "/queue", "/queue.atom"):
        body = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)</script>" not in body and "<b>encoder</b>" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    resp = client.get("/")
    assert "script-src" not in resp.headers["Content-Security-Policy"]  # default-src 'none' covers scripts
    assert "default-src 'none'" in resp.headers["Content-Security-Policy"]


def test_api_today_attempt_and_read(client):
    today = client.get("/api/today").get_json()
    assert today["day"] == DAY and today["total"] == 10
    assert all(p["locked"] and "abstract" not in p for p in today["papers"])
    token = csrf_token(client)
    headers = {"X-CSRFToken": token}
    bad = client.post(
        "/api/attempts", json={"problem": "p", "tried": "t", "bottleneck": "stuck"}, headers=headers
    )
    assert bad.status_code == 400 and "too vague" in bad.get_json()["error"]
    made = client.post(
        "/api/attempts",
        json={"problem": "ASR", "tried": "full fine-tuning", "bottleneck": BOTTLENECK},
        headers=headers,
    )
    body = made.get_json()
    assert made.status_code == 201 and body["unlocked"][0]["id"] == LORA and body["revisit"]
    unlocked = {p["id"]: p for p in client.get("/api/today").get_json()["papers"]}
    assert unlocked[LORA]["locked"] is False and unlocked[LORA]["pdf_url"].endswith(LORA)
    read = client.post(f"/api/queue/{LORA}/read", json={"note": "useful", "unblocked": True}, headers=headers)
    assert read.status_code == 200 and read.get_json()["budget"]["read"] == 1
    missing = client.post("/api/queue/2603.00000/read", json={}, headers=headers)
    assert missing.status_code == 400 and "not in the reading queue" in missing.get_json()["error"]


def test_feeds_of_the_queue(client):
    assert "<entry>" not in client.get("/queue.atom").get_data(as_text=True)
    log(client)
    atom = client.get("/queue.atom")
    assert atom.mimetype == "application/atom+xml"
    assert f"arxiv.org/abs/{LORA}" in atom.get_data(as_text=True)
    bib = client.get("/queue.bib").get_data(as_text=True)
    assert "eprint = {2603.27981}" in bib and bib.count("@misc") == 3
    assert "<title>Unlocked reading queue</title>" in atom.get_data(as_text=True)


def test_fundamentals_and_topics_pages(client):
    cat = client.get("/fundamentals").get_data(as_text=True)
    assert "Exercise:" in cat and "https://doi.org/10.1007/BF02288367" in cat
    page = client.get("/fundamentals/svd_low_rank").get_data(as_text=True)
    assert "Pruning Whisper" in page and "locked" in page
    assert client.get("/fundamentals/nope").status_code == 404
    # The words the linker weighs as a weaker sign are shown beside the key terms.
    pg = client.get("/fundamentals/policy_gradient").get_data(as_text=True)
    assert "Broad terms" in pg and "reinforcement learning" in pg
    assert "Related terms" in pg and "verifiable rewards" in pg
    topics = client.get("/topics").get_data(as_text=True)
    assert topics.index("reasoning models") < topics.index("object detection")  # youngest first
    assert "<svg" in topics and 'class="onset"' in topics
    topic = client.get("/topics/1").get_data(as_text=True)
    assert "Rethinking Easy-to-Hard" in topic
    assert "First papers of its rise" in topic  # a risen topic's, not the trickle before it


def test_the_radar_draws_the_recent_years_not_the_whole_history():
    # 70 months of history, a topic risen 4 months ago: drawn over the last 36 months, so the
    # rise spans a tenth of the chart instead of a twentieth, and the onset is marked in it.
    curve = [[f"{2020 + m // 12}-{m % 12 + 1:02d}", 0.0 if m < 66 else 0.02] for m in range(70)]
    chart = radar_chart(curve, "2025-07")
    assert (chart["first"], chart["last"]) == ("2022-11", "2025-10")
    assert chart["onset_x"] is not None


def test_login_required_when_password_set(web_db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRIAGE_WEB_PASSWORD", "correct horse")
    client = create_app({"DATABASE": web_db}).test_client()
    resp = client.get("/queue")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    assert client.get("/api/today").status_code == 401
    token = client.get("/login").get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    wrong = client.post("/login", data={"csrf_token": token, "password": "nope", "next": "/queue"})
    assert wrong.status_code == 401 and "Wrong password" in wrong.get_data(as_text=True)
    assert client.post("/login", data={"password": "correct horse"}).status_code == 400  # no CSRF token
    ok = client.post(
        "/login", data={"csrf_token": token, "password": "correct horse", "next": "//evil.example"}
    )
    assert ok.status_code == 302 and ok.headers["Location"] == "/"
    assert client.get("/queue").status_code == 200


def test_secret_key_persisted_in_db(web_db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TRIAGE_SECRET_KEY", raising=False)
    first = create_app({"DATABASE": web_db}).config["SECRET_KEY"]
    assert len(first) == 64 and create_app({"DATABASE": web_db}).config["SECRET_KEY"] == first
    monkeypatch.setenv("TRIAGE_SECRET_KEY", "from-env")
    assert create_app({"DATABASE": web_db}).config["SECRET_KEY"] == "from-env"


def test_job_error_banner(app, client):
    assert "The last fetch failed" not in client.get("/").get_data(as_text=True)
    store = Store(app.config["DATABASE"])
    store.finish_job_run(store.start_job_run("daily"), False, "arXiv API timed out", None)
    html = client.get("/").get_data(as_text=True)
    assert "The last fetch failed: arXiv API timed out (20" in html and "Whisper" in html
    store.finish_job_run(store.start_job_run("daily"), True, None, "412 papers")
    assert "The last fetch failed" not in client.get("/").get_data(as_text=True)
    app.config["LAST_JOB_ERROR"] = "arXiv could not be reached (connection refused)"
    assert "The last fetch failed: arXiv could not be reached" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.5"])
def test_serve_refuses_open_bind_without_password(runner, store, host, monkeypatch):
    monkeypatch.delenv("TRIAGE_WEB_PASSWORD", raising=False)
    result = runner.invoke(runner.cli, ["serve", "--host", host, "--port", "0"])
    assert result.exit_code == 2
    assert "Refusing to serve on" in result.output and "TRIAGE_WEB_PASSWORD" in result.output


def test_serve_refuses_a_bad_send_at_before_serving(runner, store, tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text('[digest]\nsend_at = "25:00"\n')
    result = runner.invoke(runner.cli, ["--config", str(cfg), "serve", "--port", "0"])
    assert result.exit_code == 2 and "send_at" in result.output


def test_digest_preview_shows_the_email_without_locked_abstracts(client, app):
    log(client)  # an open bottleneck, so the digest lists papers for it
    resp = client.get("/digest")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and f"{DAY}" in html
    assert "Fundamental of the day" in html or "fundamental of the day" in html.lower()
    with app.app_context():
        store = Store(app.config["DATABASE"])
        ids = [row["id"] for row in store.day_facets(DAY)]
        locked = set(ids) - store.unlocked_ids(ids)
        assert locked
        for pid in locked:
            assert store.get_paper(pid).abstract[:80] not in html
    csp = resp.headers["Content-Security-Policy"]
    assert "script" not in csp and "default-src 'none'" in csp and "/attempts/new" in html
