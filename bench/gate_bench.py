"""Speed and memory of the gate's ranking: one attempt over a 30-day window, after the model is loaded.

    python bench/gate_bench.py                  # 15,000-paper window in a 100,000-paper store, and the
                                                # dev corpus's own 30-day window
    python bench/gate_bench.py --window 5000 --stored 20000   # smaller, quicker

Needs bench/results/gate_eval.db (made by bench/eval_gate.py): its analysed window papers are copied,
text and vectors, into a synthetic store whose last 30 days hold --window papers and whose history
holds the rest, so ranking reads real vectors, links and hype flags and BM25 sees real text.
Attempts are the known-item cases (bench/labels/gate_cases_*.jsonl). Prints a table and writes
bench/results/gate_bench.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from triage import config, gate  # noqa: E402
from triage.embed import Embedder  # noqa: E402
from triage.link import fingerprint  # noqa: E402
from triage.papers import Paper  # noqa: E402
from triage.store import Store  # noqa: E402

RESULTS = ROOT / "bench" / "results"
LABELS = ROOT / "bench" / "labels"
EVAL_DB = RESULTS / "gate_eval.db"
TODAY = "2026-03-31"
DAYS = 30


def attempts() -> list[gate.Attempt]:
    out = []
    for path in sorted(LABELS.glob("gate_cases_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            r = json.loads(line)
            if "skip" not in r:
                out.append(gate.Attempt(r["problem"], r["tried"], r["bottleneck"]))
    return out


def synthetic_store(path: Path, window: int, stored: int, model: str) -> Store:
    """A store whose last DAYS days hold `window` copies of the eval window's analysed papers."""
    src = Store(EVAL_DB)
    since = (dt.date.fromisoformat(TODAY) - dt.timedelta(days=60)).isoformat()
    rows = [r for r in src.window_rows(since, TODAY, model) if r[5] is not None]
    links = src.fundamentals_for([r[0] for r in rows])
    path.unlink(missing_ok=True)
    store = Store(path)
    store.init()
    papers, vectors, analysis, assignments = [], {}, {}, {}
    start = dt.date.fromisoformat(TODAY)
    for i in range(stored):
        pid, published, title, abstract, h, blob, hype = rows[i % len(rows)]
        new_id = f"{9000 + i // 99999}.{i % 99999:05d}"
        in_window = i < window
        day = start - dt.timedelta(days=i % DAYS if in_window else DAYS + 1 + i % 700)
        papers.append(Paper(new_id, title, abstract if in_window else "", day.isoformat(), source="arxiv"))
        if in_window:
            vectors[h] = blob
            analysis[new_id] = (h, [(fid, score, "") for fid, score in links.get(pid, [])])
            assignments[new_id] = 2 if hype else 1
    store.upsert_papers(papers)
    store.put_vectors(model, [(h, np.frombuffer(b, dtype=np.float32)) for h, b in vectors.items()])
    store.record_analysis(model, fingerprint(), analysis)
    topics = [
        {"id": 1, "label": "older topic", "hype": False, "as_of": TODAY},
        {"id": 2, "label": "young topic", "hype": True, "as_of": TODAY},
    ]
    store.replace_topics(topics, assignments)
    store.close()  # the last connection's close checkpoints the bulk load's WAL, as a served store has
    return Store(path)


def timed(fn) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def measure(store: Store, embedder: Embedder, settings, cases: list[gate.Attempt]) -> dict:
    settings.gate.recent_days = DAYS
    # A suffix no store has seen, so "new attempt" always runs the encoder (the eval caches the cases).
    tag = f" (bench {time.time_ns()})"
    cases = [gate.Attempt(a.problem + tag, a.tried + tag, a.bottleneck + tag) for a in cases]
    cold = timed(lambda: gate.rank(store, embedder, settings, cases[0], until=TODAY))
    fresh = [timed(lambda a=a: gate.rank(store, embedder, settings, a, until=TODAY)) for a in cases]
    again = [timed(lambda a=a: gate.rank(store, embedder, settings, a, until=TODAY)) for a in cases]
    since = (dt.date.fromisoformat(TODAY) - dt.timedelta(days=DAYS)).isoformat()
    with ThreadPoolExecutor(16) as pool:
        t = time.perf_counter()
        list(pool.map(lambda a: gate.rank(store, embedder, settings, a, until=TODAY), cases[:16]))
        burst = (time.perf_counter() - t) * 1000
    return {
        "window_papers": len(gate.window(store, embedder, since, TODAY).ids),
        "stored_papers": store.count_papers(),
        "first_rank_ms (builds the window)": round(cold),
        "median_ms (new attempt, encodes it)": round(statistics.median(fresh)),
        "p90_ms (new attempt)": round(sorted(fresh)[int(0.9 * (len(fresh) - 1))]),
        "median_ms (repeat, query cached)": round(statistics.median(again)),
        "16_concurrent_total_ms": round(burst),
        "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "load_average": round(os.getloadavg()[0], 1),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--window", type=int, default=15000)
    ap.add_argument("--stored", type=int, default=100000)
    args = ap.parse_args()
    if not EVAL_DB.exists():
        print(f"{EVAL_DB} is missing: run python bench/eval_gate.py first.", file=sys.stderr)
        return 2
    cases = attempts()
    settings = config.load(None, str(EVAL_DB))
    embedder = Embedder(settings.embeddings)
    embedder.embed(["load the model"])
    results = {}
    dev = Store(EVAL_DB)
    results["dev corpus, last 30 days"] = measure(dev, Embedder(settings.embeddings, dev), settings, cases)
    store = synthetic_store(RESULTS / "gate_bench.db", args.window, args.stored, embedder.model_name)
    results[f"synthetic {args.window} window / {args.stored} stored"] = measure(
        store, Embedder(settings.embeddings, store), settings, cases
    )
    keys = list(next(iter(results.values())))
    print("| " + " | ".join(["store", *keys]) + " |")
    print("|" + " --- |" * (len(keys) + 1))
    for name, r in results.items():
        print("| " + " | ".join([name, *(str(r[k]) for k in keys)]) + " |")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "gate_bench.json").write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
