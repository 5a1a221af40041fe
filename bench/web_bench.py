"""Page latency under `triage serve`: 100k papers stored, 1,000 on the day, one open attempt.

Builds (once, then reuses) bench/results/web_bench_*.db from copies of the dev corpus with new ids,
with fundamentals links and 900 topics (60-month curves, about as many as analysing the dev corpus
gives) for every paper; starts `python -m triage serve` on a free port; then times the daily page
plain, filtered and searched, the JSON API, the topic radar and a topic's page, with one client and
(for the daily page) 16 concurrent clients; then the CPU time of each request in process, which a
busy machine does not inflate. Prints a table and writes bench/results/web.json.

The open attempt: by default its relevance cache for the day is written directly (random scores
for 5% of the day's papers): the state every view after the first one reads. --real-attempt logs
it through the JSON API instead, which embeds the day's 1,000 abstracts once (minutes when the
machine is idle) and times that first view.

    python bench/web_bench.py [--papers 100000] [--day-papers 1000] [--requests 300] [--real-attempt]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from triage import fundamentals as fund  # noqa: E402
from triage.papers import Paper  # noqa: E402
from triage.store import Store  # noqa: E402

RESULTS = ROOT / "bench" / "results"
TOPICS = 900
# (path, concurrent clients): the daily page plain, filtered, searched (a rare word and a word in
# most titles), the JSON API, the radar (first and a middle page), and the biggest topic's page.
PATHS = [
    ("/api/csrf", 1),  # the floor: no database work, so it shows what the machine's load adds
    ("/", 1),
    ("/", 16),
    ("/?age=young", 1),
    ("/?category=cs.CV&fundamental=1", 1),
    ("/?q=hallucination", 1),
    ("/?q=learning", 1),
    ("/?view=list&age=established", 1),
    ("/api/today", 1),
    ("/topics", 1),
    ("/topics?page=15", 1),
    ("/topics/1", 1),
]
DAY = "2026-06-01"  # after the corpus, so the attempt's 30-day window holds only the day's papers
BOTTLENECK = (
    "My vision-language model hallucinates objects that are not in the image when the prompt "
    "mentions them, and contrastive decoding did not remove it"
)


def corpus_path() -> Path:
    for c in (
        os.environ.get("TRIAGE_SHARED_DATA"),
        ROOT.parent / "shared" / "data",
        ROOT.parents[1] / "shared" / "data",
    ):
        if c and (Path(c) / "corpus" / "papers.jsonl").exists():
            return Path(c) / "corpus" / "papers.jsonl"
    sys.exit("The dev corpus was not found: set TRIAGE_SHARED_DATA to the shared data folder.")


def build(db: Path, total: int, on_day: int) -> None:
    rows = [json.loads(line) for line in corpus_path().open(encoding="utf-8")]
    recent = [r for r in rows if r["published"] >= "2026-03-01"]
    rng = random.Random(7)
    store = Store(str(db))
    store.init()
    papers, day_ids = [], []
    for n in range(total):
        r = recent[n] if n < on_day else rows[n % len(rows)]
        pid = f"{r['id']}x{n // len(rows)}" if n >= on_day else r["id"]
        published = DAY if n < on_day else min(r["published"], "2026-03-31")
        papers.append(
            Paper(
                id=pid,
                title=r["title"],
                abstract=r["abstract"],
                authors=r["authors"],
                categories=r["categories"],
                published=published,
                source="bench",
            )
        )
        if n < on_day:
            day_ids.append(pid)
    for start in range(0, len(papers), 10000):
        store.upsert_papers(papers[start : start + 10000])
    fids = [f.id for f in fund.catalogue()]
    store.record_analysis(
        "bench",
        "bench",
        {
            p.id: (
                "",
                [
                    (f, round(rng.uniform(0.3, 0.9), 3), "")
                    for f in rng.sample(fids, rng.randint(0, min(3, len(fids))))
                ],
            )
            for p in papers
        },
    )
    topics = []
    for t in range(TOPICS):
        hype = None if t % 7 == 0 else t % 3 == 0
        topics.append(
            {
                "id": t + 1,
                "label": f"topic {t + 1}",
                "onset": f"20{15 + t % 11}-0{1 + t % 9}",
                "age_days": None if hype is None else (100 if hype else 1500),
                "hype": hype,
                "active": True,
                "why": "Rose from about zero in 2025-10, popular (>= 0.25 of its peak share) since 2025-12.",
                "curve": [
                    [f"{2021 + m // 12}-{m % 12 + 1:02d}", round(rng.uniform(0.0, 0.03), 5)]
                    for m in range(60)
                ],
                "earliest": [papers[t].id],
                "size": total // TOPICS,
                "as_of": DAY,
            }
        )
    # Topic sizes skewed as in real data: topic 1 holds a tenth of all papers.
    store.replace_topics(topics, {p.id: 1 if rng.random() < 0.1 else rng.randint(1, TOPICS) for p in papers})
    store.close()


def seed_relevance(db: Path) -> None:
    """One open attempt whose relevance cache for DAY is filled: the state after the first view."""
    store = Store(str(db))
    if not store.attempts(open_only=True):
        attempt = store.add_attempt("VLM hallucination", "contrastive decoding", BOTTLENECK, None)
        ids = [row["id"] for row in store.day_facets(DAY)]
        rng = random.Random(3)
        scores = [(pid, round(rng.uniform(0.3, 0.6), 3)) for pid in rng.sample(ids, len(ids) // 20)]
        store.set_relevance(attempt, DAY, scores, papers=len(ids))
    store.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed(session: requests.Session, url: str) -> tuple[float, bool]:
    start = time.perf_counter()
    try:
        resp = session.get(url, timeout=30)
        ok = resp.status_code == 200 and len(resp.content) > 0
    except requests.RequestException:
        ok = False
    return (time.perf_counter() - start) * 1000, ok


def run(url: str, clients: int, requests_total: int) -> dict:
    per_client = max(1, requests_total // clients)

    def worker(_):
        s = requests.Session()
        return [timed(s, url) for _ in range(per_client)]

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        results = [r for batch in pool.map(worker, range(clients)) for r in batch]
    wall = time.perf_counter() - start
    ms = sorted(t for t, _ in results)
    return {
        "clients": clients,
        "requests": len(results),
        "errors": sum(1 for _, ok in results if not ok),
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 1),
        "max_ms": round(ms[-1], 1),
        "req_per_s": round(len(results) / wall, 1),
    }


def cpu_times(db: Path, paths: list[str], requests_each: int) -> dict[str, dict]:
    """CPU milliseconds per request in this process (Flask's test client, same app and database):
    what a request costs when it has a core to itself, which the wall times above cannot show on a
    machine shared with other jobs."""
    from triage import config
    from web import create_app

    client = create_app({"SETTINGS": config.load(None, str(db))}).test_client()
    out = {}
    for path in paths:
        client.get(path)
        ms = []
        for _ in range(requests_each):
            start = time.thread_time()
            client.get(path)
            ms.append((time.thread_time() - start) * 1000)
        ms.sort()
        out[path] = {
            "cpu_p50_ms": round(statistics.median(ms), 1),
            "cpu_p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 1),
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--papers", type=int, default=100_000)
    ap.add_argument("--day-papers", type=int, default=1000)
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--real-attempt", action="store_true", help="log the attempt through the API (embeds)")
    args = ap.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    db = RESULTS / f"web_bench_{args.papers}_{args.day_papers}.db"
    if not db.exists():
        t = time.perf_counter()
        build(db, args.papers, args.day_papers)
        print(f"built {db.name} in {time.perf_counter() - t:.0f} s")
    if not args.real_attempt:
        seed_relevance(db)

    port = free_port()
    env = {**os.environ, "TRIAGE_DB": str(db), "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    env.pop("TRIAGE_CONFIG", None)
    env.pop("TRIAGE_WEB_PASSWORD", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "triage", "serve", "--port", str(port), "--no-schedule"],
        cwd=RESULTS,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(base + "/api/csrf", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        s = requests.Session()
        token = s.get(base + "/api/csrf").json()["csrf_token"]
        store = Store(str(db))
        open_attempts = store.attempts(open_only=True)
        store.close()
        if not open_attempts:
            t = time.perf_counter()
            r = s.post(
                base + "/api/attempts",
                json={
                    "problem": "VLM hallucination",
                    "tried": "contrastive decoding",
                    "bottleneck": BOTTLENECK,
                },
                headers={"X-CSRFToken": token},
                timeout=3600,
            )
            r.raise_for_status()
            print(f"attempt logged in {time.perf_counter() - t:.0f} s (embeds the day's papers once)")
        # The server loads the model on a background thread at start: time the pages after it.
        while "still loading" in s.get(base + "/attempts/new", timeout=60).text:
            time.sleep(1)
        t = time.perf_counter()
        first = s.get(base + "/", timeout=600)
        first.raise_for_status()
        shown = first.text.count('<li class="paper')
        assert shown == min(50, args.day_papers), f"the daily page listed {shown} papers"
        print(
            f"first view after start (fills the relevance cache on a fresh db): "
            f"{(time.perf_counter() - t) * 1000:.0f} ms, {shown} papers on the page"
        )
        rows = []
        for path, clients in PATHS:
            res = run(base + path, clients, args.requests if clients > 1 else args.requests // 3)
            rows.append({"path": path, **res})
    finally:
        server.terminate()
        server.wait(timeout=10)

    cpu = cpu_times(db, list(dict.fromkeys(path for path, _ in PATHS)), max(20, args.requests // 10))
    for r in rows:
        if r["clients"] == 1:
            r.update(cpu[r["path"]])
    header = (
        f"{'path':<34} {'clients':>7} {'requests':>8} {'errors':>6} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} "
        f"{'req/s':>7} {'cpu p50':>7} {'cpu p95':>7}"
    )
    load = os.getloadavg()[1]  # the machine's 5-minute load: wall times on 2 cores grow with it
    print(
        f"\n{args.papers} papers stored, {args.day_papers} on {DAY}, 1 open attempt, page size 50; "
        f"load average {load:.1f}"
    )
    print(header)
    for r in rows:
        print(
            f"{r['path']:<34} {r['clients']:>7} {r['requests']:>8} {r['errors']:>6} {r['p50_ms']:>7} "
            f"{r['p95_ms']:>7} {r['max_ms']:>7} {r['req_per_s']:>7} {r.get('cpu_p50_ms', ''):>7} "
            f"{r.get('cpu_p95_ms', ''):>7}"
        )
    out = {"papers": args.papers, "day_papers": args.day_papers, "day": DAY, "load": load, "results": rows}
    (RESULTS / "web.json").write_text(json.dumps(out, indent=2))
    print(f"wrote {RESULTS / 'web.json'}")


if __name__ == "__main__":
    main()
