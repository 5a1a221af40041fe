"""Topic-step speed and memory: incremental days against big histories, and a first run.

    python bench/topics_bench.py [--sizes 10000 100000 1000000] [--first-run]

Incremental: a store holding a topic model built over N history papers (synthetic unit vectors
as centroids, one cluster topic per 40 papers, 300 phrase topics, 24 months of counts), then
1,000 new papers; we time update_topics (assign to the nearest centroid, match phrases, add
counts, recompute every topic's onset and verdict). The new papers' title vectors are put in
the embedding cache first, so embedding is not part of the time (it is the step to beat).

First run: the 29.5k dev-corpus papers plus perturbed copies (a word dropped from the title,
dates shifted by up to 20 days, cached title vectors plus small noise) to ~100k papers, rebuilt
from scratch. The title embedding time is reported separately from the measured encode rate.

Each case runs in its own process so peak RSS is its own. Table to stdout, JSON to
bench/results/topics_bench.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from bench.corpus import iter_corpus, scratch  # noqa: E402
from triage import config  # noqa: E402
from triage.embed import Embedder, text_hash  # noqa: E402
from triage.papers import Paper  # noqa: E402
from triage.store import Store  # noqa: E402
from triage.topics import update_topics  # noqa: E402

DIM = 384
NEW = 1000
AS_OF = date(2026, 3, 31)
WORDS = "agent graph diffusion policy reward kernel token memory retrieval vision robot speech".split()


def months_back(n: int) -> list[str]:
    y, m = AS_OF.year, AS_OF.month
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out[::-1]


def unit(rng, n):
    v = rng.standard_normal((n, DIM)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def titles_only(db: str):
    """Settings embedding titles: the bench caches title vectors so no model time is measured."""
    s = config.load(None, db)
    return replace(s, hype=replace(s.hype, embed_abstracts=False))


def incremental(n: int, db: str, cache_db: str) -> dict:
    rng = np.random.default_rng(0)
    settings = titles_only(db)
    store = Store(db)
    store.init()
    k = n // settings.hype.cluster_size
    months = months_back(24)
    per_month = n // len(months)
    papers, assignments = [], {}
    for i in range(n):
        m = months[i % len(months)]
        papers.append(
            Paper(id=f"h{i}", title=f"history {i}", abstract="", published=f"{m}-15", source="arxiv")
        )
        assignments[f"h{i}"] = 1 + i % k
    store.upsert_papers(papers)
    del papers
    centroids = unit(rng, k)
    built = AS_OF - timedelta(days=1)
    topics = [
        {
            "id": t + 1,
            "label": f"c{t}",
            "terms": [f"c{t}"],
            "kind": "cluster",
            "centroid": centroids[t],
            "as_of": built.isoformat(),
            "built_as_of": built.isoformat(),
            "size": n // k,
        }
        for t in range(k)
    ] + [
        {
            "id": k + 1 + j,
            "label": f"p{j}",
            "terms": [f"{WORDS[j % len(WORDS)]} w{j}"],
            "kind": "phrase",
            "as_of": built.isoformat(),
            "built_as_of": built.isoformat(),
            "size": 50,
        }
        for j in range(300)
    ]
    counts = [(t + 1, m, "arxiv", n // k // len(months) or 1) for t in range(k) for m in months]
    counts += [(k + 1 + j, m, "arxiv", 2) for j in range(300) for m in months[-(j % 24 + 1) :]]
    totals = [(m, "arxiv", per_month) for m in months]
    store.replace_topics(topics, assignments, counts, totals)
    new = [
        Paper(
            id=f"n{i}",
            title=f"new paper {i} on {WORDS[i % len(WORDS)]}",
            abstract=f"We study {WORDS[i % len(WORDS)]} w{i % 300} at scale.",
            published=AS_OF.isoformat(),
            source="arxiv",
        )
        for i in range(NEW)
    ]
    store.upsert_papers(new)
    cache = Store(cache_db)
    cache.init()
    embedder = Embedder(settings.embeddings, cache)
    cache.put_vectors(
        embedder.model_name, [(text_hash(p.title), v) for p, v in zip(new, unit(rng, NEW), strict=True)]
    )
    t0 = time.perf_counter()
    summary = update_topics(store, settings, embedder, as_of=AS_OF)
    secs = time.perf_counter() - t0
    assert summary["mode"] == "incremental" and summary["papers"] == NEW, summary
    return {
        "case": f"incremental 1,000 new vs {n:,} history",
        "seconds": round(secs, 2),
        "topics": len(topics),
    }


def first_run(db: str, cache_db: str, copies: int) -> dict:
    rows = list(iter_corpus())
    settings = titles_only(db)
    store = Store(db)
    store.init()
    cache = Store(cache_db)
    cache.init()
    embedder = Embedder(settings.embeddings, cache)
    base = embedder.embed([r["title"] for r in rows])
    rnd = random.Random(0)
    rng = np.random.default_rng(0)
    papers, extra = [], []
    for c in range(copies + 1):
        for r, v in zip(rows, base, strict=True):
            title = r["title"]
            pub = r["published"]
            if c:
                words = title.split()
                if len(words) > 3:
                    words.pop(rnd.randrange(len(words)))
                title = " ".join(words) + f" ({c})"
                pub = min(date.fromisoformat(pub) + timedelta(days=rnd.randint(-20, 20)), AS_OF).isoformat()
                w = v + rng.standard_normal(DIM).astype(np.float32) * 0.01
                extra.append((text_hash(title), w / np.linalg.norm(w)))
            papers.append(
                Paper(
                    id=f"{r['id']}#{c}",
                    title=title,
                    abstract=r["abstract"],
                    published=pub,
                    source=r["source"],
                )
            )
    cache.put_vectors(embedder.model_name, extra)
    store.upsert_papers(papers)
    t0 = time.perf_counter()
    summary = update_topics(store, settings, embedder, as_of=AS_OF, rebuild_all=True)
    secs = time.perf_counter() - t0
    return {
        "case": f"first run (rebuild) {len(papers):,} papers, titles cached",
        "seconds": round(secs, 2),
        "topics": summary["topics"],
        "papers": len(papers),
    }


def child(args) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "bench.db")
        if args.case == "first":
            res = first_run(db, args.cache, args.copies)
        else:
            res = incremental(int(args.case), db, os.path.join(tmp, "cache.db"))
    res["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(res))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", nargs="*", type=int, default=[10_000, 100_000, 1_000_000])
    ap.add_argument("--first-run", action="store_true")
    ap.add_argument("--copies", type=int, default=2, help="perturbed copies of the corpus for --first-run")
    ap.add_argument("--cache", default=scratch("hype_emb.db"))
    ap.add_argument("--case", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.case:
        return child(args)
    cases = [str(n) for n in args.sizes] + (["first"] if args.first_run else [])
    results = []
    for case in cases:
        out = subprocess.run(
            [sys.executable, __file__, "--case", case, "--cache", args.cache, "--copies", str(args.copies)],
            check=True,
            capture_output=True,
            text=True,
        )
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(json.dumps(results[-1]), flush=True)
    print("\n| case | seconds | topics | peak RSS (MiB) |\n| --- | --- | --- | --- |")
    for r in results:
        print(f"| {r['case']} | {r['seconds']} | {r['topics']:,} | {r['peak_rss_mib']:,} |")
    Path("bench/results").mkdir(parents=True, exist_ok=True)
    Path("bench/results/topics_bench.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
