"""Evaluate fundamentals linking against hand labels: recall@3, precision@1, no-link rate.

    python bench/eval_fundamentals.py            # evaluate (dev and held-out reported separately)
    python bench/eval_fundamentals.py --sample   # print the labelling sample (how the labels were drawn)

Labels: bench/labels/fundamentals.jsonl, one {id, title, fundamentals, note} per paper; the rule used is
in bench/labels/README.md. The papers were drawn at random with a fixed seed, 20 per publication-year
stratum (up to 2019, 2020, ..., 2026) from the shared corpus. Split: a paper is in "dev" when sha1(id) is
even, else "held-out"; only dev errors were looked at while improving the linker.

The papers go through the real path: a SQLite store under bench/results/, triage.analyze.analyze(),
and Store.fundamentals_for. Embeddings are cached there, so a rerun takes seconds.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import iter_corpus  # noqa: E402
from triage import config  # noqa: E402
from triage.analyze import analyze  # noqa: E402
from triage.sources.files import jsonl_paper  # noqa: E402
from triage.store import Store  # noqa: E402

LABELS = ROOT / "bench" / "labels" / "fundamentals.jsonl"
RESULTS = ROOT / "bench" / "results"
SEED, PER_STRATUM = 20260101, 20


def split(paper_id: str) -> str:
    return "dev" if int(hashlib.sha1(paper_id.encode()).hexdigest(), 16) % 2 == 0 else "held-out"


def sample(corpus: list[dict]) -> list[dict]:
    """The labelling sample: PER_STRATUM papers per year stratum, fixed seed."""
    strata = collections.defaultdict(list)
    for r in corpus:
        year = r["published"][:4]
        strata["-2019" if year < "2020" else year].append(r)
    rng = random.Random(SEED)
    out = []
    for key in sorted(strata):
        out += rng.sample(sorted(strata[key], key=lambda r: r["id"]), PER_STRATUM)
    return out


def metrics(rows: list[tuple[list[str], list[str]]]) -> dict:
    """rows: (gold, predicted best first)."""
    found = total = top_right = top_n = quiet = empty = 0
    for gold, pred in rows:
        if gold:
            found += len(set(gold) & set(pred[:3]))
            total += len(gold)
            if pred:
                top_n += 1
                top_right += pred[0] in gold
        else:
            empty += 1
            quiet += not pred
    return {
        "papers": len(rows),
        "labelled_links": total,
        "recall_at_3": round(found / total, 3) if total else None,
        "precision_at_1": round(top_right / top_n, 3) if top_n else None,
        "precision_at_1_n": top_n,
        "no_link_rate_on_empty": round(quiet / empty, 3) if empty else None,
        "empty_papers": empty,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sample", action="store_true", help="print the labelling sample and exit")
    ap.add_argument("--errors", choices=["dev", "held-out"], help="also print the wrong links of a split")
    args = ap.parse_args()
    corpus = list(iter_corpus())
    if args.sample:
        for r in sample(corpus):
            print(json.dumps({"id": r["id"], "title": r["title"], "abstract": r["abstract"]}))
        return 0

    labels = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line.strip()]
    by_id = {r["id"]: r for r in corpus}
    RESULTS.mkdir(parents=True, exist_ok=True)
    db = RESULTS / "eval_fundamentals.db"
    settings = config.load(None, str(db))
    settings.gate.recent_days = 100 * 365  # link every labelled paper, whatever its date
    store = Store(db)
    store.init()
    store.upsert_papers(jsonl_paper(by_id[r["id"]]) for r in labels)
    analyze(store, settings, all=True, progress=False)
    links = store.fundamentals_for([r["id"] for r in labels])

    per_split = collections.defaultdict(list)
    for r in labels:
        pred = [fid for fid, _ in links.get(r["id"], [])]
        per_split[split(r["id"])].append((r["fundamentals"], pred))
        if args.errors == split(r["id"]) and set(pred) != set(r["fundamentals"]):
            print(f"{r['fundamentals']} -> {links.get(r['id'], [])} :: {r['title'][:80]}")
    report = {name: metrics(per_split[name]) for name in ("dev", "held-out")}
    report["all"] = metrics(per_split["dev"] + per_split["held-out"])

    print("| split | papers | labelled links | recall@3 | precision@1 (n) | no-link rate on [] (n) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, m in report.items():
        print(
            f"| {name} | {m['papers']} | {m['labelled_links']} | {m['recall_at_3']} | "
            f"{m['precision_at_1']} ({m['precision_at_1_n']}) | {m['no_link_rate_on_empty']} ({m['empty_papers']}) |"
        )
    (RESULTS / "fundamentals_eval.json").write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
