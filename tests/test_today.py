"""The daily page through Flask's test client: filters, full-text search, the compact view, the
young-topic summary, the verdict line, unlocking a relevant paper by hand, the unlock window."""

from __future__ import annotations

import re
import threading

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support.webapp import DAY, csrf_token
from tests.test_web import BOTTLENECK, log
from triage.papers import Paper
from triage.store import Store
from web import warmup

LORA = "2603.27981"


def titles(html: str) -> list[str]:
    return re.findall(r'<h2 class="title">([^<]*)</h2>', html)


def page(client, url: str) -> str:
    resp = client.get(url)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return resp.get_data(as_text=True)


def test_filters_change_what_is_shown_and_stay_in_the_url(client):
    everything = titles(page(client, "/"))
    assert len(everything) == 10
    young = page(client, "/?age=young")
    assert len(titles(young)) == 3 and "Showing <strong>3</strong> of 10 papers" in young
    assert '<option value="young" selected>' in young  # the form shows the state it came from
    detection = titles(page(client, "/?topic=2"))
    assert len(detection) == 2 and all("etect" in t for t in detection)
    assert titles(page(client, "/?age=unknown")) and len(titles(page(client, "/?age=unknown"))) == 5
    sound = titles(page(client, "/?category=cs.SD"))
    assert sound == ["On the Role of Encoder Depth: Pruning Whisper and LoRA Fine-Tuning in SLAM-ASR"]
    rests = page(client, "/?fundamental=1")
    assert len(titles(rests)) == 2 and 'name="fundamental" value="1" checked' in rests
    assert titles(page(client, "/?age=young&category=cs.SD")) == []


def test_pager_links_keep_the_filters(app, client):
    app.config["PAGE_SIZE"] = 2
    html = page(client, "/?age=young&view=list")
    nxt = re.search(r'<a href="([^"]+)">next', html).group(1).replace("&amp;", "&")
    assert "age=young" in nxt and "view=list" in nxt and "page=2" in nxt and f"day={DAY}" in nxt
    assert 'class="row' in page(client, nxt)


def test_search_uses_the_full_text_index_over_titles_and_authors(client, app):
    assert titles(page(client, "/?q=whisper")) == [
        "On the Role of Encoder Depth: Pruning Whisper and LoRA Fine-Tuning in SLAM-ASR"
    ]
    assert len(titles(page(client, "/?q=Kolluri"))) == 1  # an author's surname
    assert len(titles(page(client, "/?q=prun"))) == 1  # a word's beginning
    assert titles(page(client, "/?q=whisper+drones")) == []  # every word must match
    # The index follows the store: a revised title is found by its new words, not its old ones.
    store = Store(app.config["DATABASE"])
    p = store.get_paper(LORA)
    p.version, p.title = p.version + 1, "Quokka adapters for speech"
    store.upsert_papers([p])
    assert titles(page(client, "/?q=quokka")) == ["Quokka adapters for speech"]
    assert titles(page(client, "/?q=whisper")) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(max_size=300))
def test_no_search_breaks_the_page(client, q):
    resp = client.get("/", query_string={"q": q, "topic": q[:5], "age": q[:3], "category": q[:9]})
    assert resp.status_code == 200


def test_compact_view_is_one_row_per_paper(client):
    html = page(client, "/?view=list")
    assert html.count('<li class="row') == 10 and '<li class="paper' not in html
    assert "<strong>compact list</strong>" in html and 'class="abstract"' not in html
    cards = page(client, "/")
    assert '<li class="row' not in cards and cards.count('<li class="paper') == 10


def test_young_topics_are_summarised_at_the_top(client):
    html = page(client, "/")
    summary = html.index('class="young-summary"')
    assert summary < html.index('<ol class="papers"')
    assert "3 papers in 1 young topic</strong>" in html and "reasoning models, post-training (3)" in html
    assert '/?day=2026-03-31&amp;topic=1">3 papers</a>' in html


def test_the_why_is_written_on_the_card_and_agrees_with_the_topic_page_and_cli(client, app, runner):
    html = page(client, "/")
    assert "<strong>young topic, 3 months old</strong>" in html and 'title="' not in html.split("<main")[1]
    assert "<strong>established, 11 years</strong>" in html and "popular since Jun 2014" in html
    topic = page(client, "/topics/1")
    assert "young topic, 3 months old" in topic and "HYPE · 3 months old" in topic
    young = next(
        p for p in client.get("/api/today").get_json()["papers"] if (p["topic"] or {}).get("id") == 1
    )
    assert young["topic"]["age"] == "3 months" and young["topic"]["why"].startswith("rose from about zero")
    result = runner.invoke(runner.cli, ["--db", app.config["DATABASE"], "topics"])
    assert re.search(r"HYPE\s+2025-12\s+3 months", result.output), result.output


def test_unlocking_a_relevant_paper_by_hand(client, app):
    app.config["SETTINGS"].web.max_unlocks_per_attempt = 4
    assert log(client).status_code == 302  # unlocks its best 3
    html = page(client, "/")
    buttons = re.findall(r'name="paper_id" value="([^"]+)"', html)
    # Every locked paper of the day fits here (the fixture's similarity floor is 0).
    locked = html.count('class="locked') - html.count('class="locked open')
    assert len(buttons) == locked >= 5 and "Unlock for attempt 1" in html
    token = csrf_token(client)
    resp = client.post(
        "/unlock", data={"csrf_token": token, "paper_id": buttons[0], "attempt_id": 1, "next": "/?view=list"}
    )
    assert resp.status_code == 302 and resp.headers["Location"] == "/?view=list"
    queue = client.get("/api/queue").get_json()["queue"]
    assert buttons[0] in [q["id"] for q in queue]
    assert "unlocked by hand" in {q["id"]: q for q in queue}[buttons[0]]["reason"]
    attempt = page(client, "/attempts/1")
    assert "Unlocked (4)" in attempt and f"arxiv.org/abs/{buttons[0]}" in attempt
    # The attempt holds its limit now: no more buttons, and a forged request is refused.
    after = page(client, "/")
    assert "Unlock for attempt" not in after and "has unlocked its 4 papers" in after
    more = client.post("/unlock", data={"csrf_token": token, "paper_id": buttons[1], "attempt_id": 1})
    assert more.status_code == 400 and "max_unlocks_per_attempt" in more.get_data(as_text=True)
    assert client.post("/unlock", data={"paper_id": buttons[1], "attempt_id": 1}).status_code == 400  # CSRF


def test_unlock_needs_an_open_attempt_and_a_fitting_paper(client):
    token = csrf_token(client)
    none = client.post("/unlock", data={"csrf_token": token, "paper_id": LORA, "attempt_id": 1})
    assert none.status_code == 400 and "open attempt" in none.get_data(as_text=True)
    huge = client.post("/unlock", data={"csrf_token": token, "paper_id": LORA, "attempt_id": "9" * 40})
    assert huge.status_code == 400


def test_papers_outside_the_unlock_window_say_so(client, app):
    old = "2024-01-02"
    Store(app.config["DATABASE"]).upsert_papers(
        [Paper(id="2401.00001", title="An old paper on adapters", abstract="Old.", published=old, source="t")]
    )
    assert log(client, bottleneck=BOTTLENECK).status_code == 302
    html = page(client, f"/?day={old}")
    assert "older than the 30-day unlock window" in html and "Locked for good" in html
    assert "log a blocked attempt" not in html.split('<ol class="papers"')[1].lower()
    refused = client.post(
        "/unlock", data={"csrf_token": csrf_token(client), "paper_id": "2401.00001", "attempt_id": 1}
    )
    assert refused.status_code == 400 and "unlock window" in refused.get_data(as_text=True)


def test_a_paper_without_fundamentals_says_why(client, app):
    html = page(client, "/")
    assert "Fundamentals not linked yet" in html  # the seed never ran analyze on most papers
    store = Store(app.config["DATABASE"])
    store.record_analysis("m", "l", {"2603.28046": ("h", [])})
    assert "Rests on none of the catalogued fundamentals." in page(client, "/?q=dogfight")


def test_attempt_form_says_while_the_model_is_loading(client, monkeypatch):
    assert "still loading" not in page(client, "/attempts/new")
    started = threading.Event()
    started.set()
    monkeypatch.setattr(warmup, "_started", started)
    monkeypatch.setattr(warmup, "_loaded", threading.Event())
    assert "The language model is still loading" in page(client, "/attempts/new")


def test_every_page_has_navigation_a_favicon_and_dark_mode(client):
    digest = page(client, "/digest")
    assert '<nav aria-label="Main"' in digest and 'href="/topics"' in digest
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    css = page(client, "/static/style.css")
    assert "@media (prefers-color-scheme: dark)" in css
    assert 'rel="icon"' in page(client, "/topics")


def test_an_existing_database_gets_its_search_index(tmp_path):
    """A database made before the index existed is indexed by the migration that adds it."""
    store = Store(str(tmp_path / "old.db"))
    store.init()
    store.upsert_papers(
        [
            Paper(
                id="2501.00001",
                title="Sparse autoencoders",
                abstract="a",
                published=DAY,
                source="t",
                authors=["Ada Lovelace"],
            )
        ]
    )
    store.conn.execute("DROP TABLE papers_fts")
    store.conn.execute("DELETE FROM schema_migrations WHERE number = 51")
    assert store.init() == [51]
    assert store.search_day(DAY, "lovelace autoenc") == {"2501.00001"}
    assert store.search_day(DAY, 'sparse" OR "x') == set()  # quotes are not syntax


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(paper=st.text(max_size=80), attempt=st.text(max_size=30), back=st.text(max_size=60))
def test_no_unlock_form_breaks_it(client, paper, attempt, back):
    resp = client.post(
        "/unlock",
        data={"csrf_token": csrf_token(client), "paper_id": paper, "attempt_id": attempt, "next": back},
    )
    assert resp.status_code in (302, 400)
    if resp.status_code == 302:
        assert resp.headers["Location"].startswith("/") and not resp.headers["Location"].startswith("//")
