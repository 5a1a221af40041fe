"""Throughput of `analyze` against a bare SentenceTransformer.encode of the same texts, same run.

    nice python bench/analyze_bench.py [--papers 2000]

Targets: analyze's first pass runs at >= 0.9x the bare encoder's speed on the texts analyze encodes
(the cache, hashing, SQLite, clustering and linking cost little), and a second pass over the same
papers takes <= 0.05x the first (nothing is re-encoded). analyze encodes each paper's title and
abstract for linking and its title for topics, so the bare encoder is timed on both; the ratio
against the abstracts alone is printed too. Prints a table and writes bench/results/analyze.json. The machine is shared and noisy:
compare the ratios, not the absolute numbers, and only within one run.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import iter_corpus  # noqa: E402
from triage import config  # noqa: E402
from triage.analyze import analyze  # noqa: E402
from triage.embed import load_model, paper_text  # noqa: E402
from triage.sources.files import jsonl_paper  # noqa: E402
from triage.store import Store  # noqa: E402
from triage.topics import embed_texts  # noqa: E402

RESULTS = ROOT / "bench" / "results"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--papers", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()

    corpus = list(iter_corpus())
    papers = [jsonl_paper(r) for r in random.Random(args.seed).sample(corpus, args.papers)]
    texts = [paper_text(p.title, p.abstract) for p in papers]

    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench.db")
        settings = config.load(None, db)
        # The sample spans years: widen analyze's linking window so all 2,000 abstracts are embedded.
        settings.gate.recent_days = 100 * 365
        cfg = settings.embeddings
        model = load_model(cfg.model, cfg.max_seq_length)
        model.encode(texts[:8])  # warm up: first call pays for allocations

        t0 = time.perf_counter()
        model.encode(texts, batch_size=cfg.batch_size, normalize_embeddings=True, convert_to_numpy=True)
        bare = time.perf_counter() - t0
        topic_texts = embed_texts(papers, settings.hype)
        t0 = time.perf_counter()
        model.encode(topic_texts, batch_size=cfg.batch_size, normalize_embeddings=True, convert_to_numpy=True)
        bare_all = bare + time.perf_counter() - t0

        store = Store(db)
        store.init()
        store.upsert_papers(papers)
        t0 = time.perf_counter()
        first_report = analyze(store, settings, progress=False)
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        second_report = analyze(store, settings, progress=False)
        second = time.perf_counter() - t0
        db_bytes = sum(f.stat().st_size for f in Path(tmp).glob("bench.db*"))

    n = len(texts)
    topics_s = first_report.topics["seconds"]  # embedding titles + clustering
    result = {
        "topics_step_seconds": topics_s,
        "bare_encode_all_texts_seconds": round(bare_all, 2),
        "throughput_ratio_abstracts_only": round(bare / first, 3),
        "throughput_ratio_without_topics": round(bare / (first - topics_s), 3),
        "papers": n,
        "bare_encode_seconds": round(bare, 2),
        "analyze_first_seconds": round(first, 2),
        "analyze_second_seconds": round(second, 3),
        "bare_texts_per_second": round(n / bare, 1),
        "analyze_papers_per_second": round(n / first, 1),
        "throughput_ratio": round(bare_all / first, 3),
        "second_over_first": round(second / first, 4),
        "first_encoded": first_report.encoded,
        "second_encoded": second_report.encoded,
        "linked": first_report.linked,
        "db_megabytes": round(db_bytes / 1e6, 2),
        "targets": {"throughput_ratio": ">= 0.9", "second_over_first": "<= 0.05"},
    }
    print("| measure | value | target |")
    print("| --- | --- | --- |")
    print(f"| papers | {n} | |")
    print(f"| bare SentenceTransformer.encode, title+abstract | {bare:.1f} s ({n / bare:.1f} texts/s) | |")
    print(f"| bare encode, title+abstract and the titles topics embed | {bare_all:.1f} s | |")
    print(f"| analyze, first pass | {first:.1f} s ({n / first:.1f} papers/s) | |")
    print(f"| throughput ratio (analyze / bare, the same texts) | {bare_all / first:.3f} | >= 0.9 |")
    print(f"| ratio against the title+abstract encode alone | {bare / first:.3f} | |")
    print(f"| of which the topics step ({len(topic_texts):,} titles + clustering) | {topics_s:.1f} s | |")
    print(f"| ratio without the topics step (embed + cache + link) | {bare / (first - topics_s):.3f} | |")
    print(f"| analyze, second pass | {second:.2f} s (encoded {second_report.encoded}) | |")
    print(f"| second / first | {second / first:.4f} | <= 0.05 |")
    print(f"| papers linked to >= 1 fundamental | {first_report.linked} of {n} | |")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "analyze.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
