"""Evaluate fundamentals linking against two readers' labels, with 95% bootstrap intervals.

    python bench/eval_fundamentals.py                    # the frozen test split (run once, at the end)
    python bench/eval_fundamentals.py --split old        # the 160 older one-reader labels (training data)
    python bench/eval_fundamentals.py --agreement        # how often each draw's two readers agree
    python bench/eval_fundamentals.py --code DIR         # score the linker of another checkout (an older commit)
    python bench/eval_fundamentals.py --time-linking 2000  # seconds to link 2,000 corpus papers (encoder excluded)

Labels (bench/labels/README.md): four draws, each with a frozen dev/test split and labelled by two
readers independently: fundamentals_sample.jsonl (440 papers of every year; fundamentals_A.jsonl,
fundamentals_B.jsonl) and fundamentals_recent*_sample.jsonl (300, 400 and 800 papers of 2025-26, other
readers; fundamentals_recent*_A.jsonl, _B.jsonl). Scores are printed over
all draws, over each draw alone and over the 2025-26 papers, the kind the product links.
Metrics, per the issue: recall@3 on the links both readers gave; precision@1 of the top link against
either reader, over every paper linked; the share of papers both left empty that stay unlinked.

The papers go through the real path: a SQLite store under bench/results/, triage.analyze.analyze(),
and Store.fundamentals_for. Embeddings are cached there, so a rerun takes seconds.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
LABELS = ROOT / "bench" / "labels"
RESULTS = ROOT / "bench" / "results"
RECENT_DRAWS = ("recent", "recent2", "recent3")  # bench/draw_samples.py draws them in this order


def draw_files(stem: str) -> tuple[Path, Path, Path]:
    """A draw's sample and its two readers' files (A: the first reader, B: the second, blind to A)."""
    return tuple(LABELS / f"{stem}_{part}.jsonl" for part in ("sample", "A", "B"))


DRAWS = {"first": draw_files("fundamentals")} | {d: draw_files(f"fundamentals_{d}") for d in RECENT_DRAWS}
RECENT = "2025"  # papers published from this year on are the kind the product links
BATCH = 100  # papers per pair of readers in the recent draws (bench/labels/README.md)
OLD = LABELS / "fundamentals.jsonl"
BOOTSTRAP, BOOTSTRAP_SEED = 2000, 20261207


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def sampled_ids() -> set[str]:
    """Every paper drawn for labelling (every draw and the older 160): never a reference paper."""
    return {r["id"] for path, _, _ in DRAWS.values() for r in read_jsonl(path)} | {
        r["id"] for r in read_jsonl(OLD)
    }


def labelled(with_old: bool = True) -> list[dict]:
    """Every labelled paper: {id, title, abstract, published, split (dev|test|old), draw, readers, A, B}
    (A == B for the old labels). `readers` names the pair of readers who labelled it: the first
    draw's two readers read all of it; the recent draws had a new pair per BATCH papers, in file order.

    A sample paper one reader has not labelled yet is left out (the files are written batch by batch).
    """
    out = []
    for draw, (sample, *files) in DRAWS.items():
        a, b = ({r["id"]: r["fundamentals"] for r in read_jsonl(p)} if p.exists() else {} for p in files)
        for k, r in enumerate(read_jsonl(sample)):
            if r["id"] in a and r["id"] in b:
                readers = draw if draw == "first" else f"{draw}:{k // BATCH}"
                out.append({**r, "draw": draw, "readers": readers, "A": a[r["id"]], "B": b[r["id"]]})
    if with_old:
        from bench.corpus import iter_corpus

        old = {r["id"]: r for r in read_jsonl(OLD)}
        for r in iter_corpus():
            if r["id"] in old:
                gold = old[r["id"]]["fundamentals"]
                row = {k: r[k] for k in ("id", "title", "abstract", "published")}
                out.append(row | {"split": "old", "draw": "old", "readers": "old", "A": gold, "B": gold})
    return out


def paper_metrics(a: list[str], b: list[str], pred: list[str]) -> tuple[int, int, int, int, int, int]:
    """One paper's counts: (agreed links found in the top 3, agreed links, linked, top link right,
    both empty, both empty and unlinked)."""
    agreed = set(a) & set(b)
    either = set(a) | set(b)
    empty = not a and not b
    return (
        len(agreed & set(pred[:3])),
        len(agreed),
        int(bool(pred)),
        int(bool(pred) and pred[0] in either),
        int(empty),
        int(empty and not pred),
    )


def summarise(counts: np.ndarray) -> dict:
    found, agreed, linked, right, empty, quiet = counts.sum(axis=0)
    return {
        "recall_at_3": found / agreed if agreed else float("nan"),
        "precision_at_1": right / linked if linked else float("nan"),
        "no_link_rate_on_empty": quiet / empty if empty else float("nan"),
    }


def metrics(rows: list[tuple[list[str], list[str], list[str]]]) -> dict:
    """rows: (reader A, reader B, predicted best first). Each metric with a 95% bootstrap interval over papers."""
    counts = np.array([paper_metrics(*r) for r in rows], dtype=float).reshape(-1, 6)
    point = summarise(counts)
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    draws = [summarise(counts[rng.integers(0, len(counts), len(counts))]) for _ in range(BOOTSTRAP)]
    out = {"papers": len(rows)}
    out |= {"agreed_links": int(counts[:, 1].sum()), "linked": int(counts[:, 2].sum())}
    out["both_empty"] = int(counts[:, 4].sum())
    for k, v in point.items():
        lo, hi = np.nanpercentile([d[k] for d in draws], [2.5, 97.5])
        out[k] = {"value": round(float(v), 3), "ci95": [round(float(lo), 3), round(float(hi), 3)]}
    return out


def table(named: dict[str, dict]) -> str:
    lines = [
        "| rows | papers | agreed links | recall@3 on agreed | linked | precision@1 vs either "
        "| both empty | no-link rate on both-empty |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, m in named.items():
        cell = {
            k: f"{m[k]['value']} [{m[k]['ci95'][0]}, {m[k]['ci95'][1]}]" for k in summarise(np.zeros((1, 6)))
        }
        lines.append(
            f"| {name} | {m['papers']} | {m['agreed_links']} | {cell['recall_at_3']} | {m['linked']} | "
            f"{cell['precision_at_1']} | {m['both_empty']} | {cell['no_link_rate_on_empty']} |"
        )
    return "\n".join(lines)


def agreement(papers: list[dict], n_fundamentals: int) -> dict:
    """Per-link agreement of A and B: Cohen's kappa over (paper, fundamental) pairs and the share of
    each reader's links the other also gave; also how often both leave a paper empty."""
    a = {(p["id"], f) for p in papers for f in p["A"]}
    b = {(p["id"], f) for p in papers for f in p["B"]}
    pairs = len(papers) * n_fundamentals
    both, only_a, only_b = len(a & b), len(a - b), len(b - a)
    neither = pairs - both - only_a - only_b
    observed = (both + neither) / pairs
    pa, pb = len(a) / pairs, len(b) / pairs
    chance = pa * pb + (1 - pa) * (1 - pb)
    empty_a = sum(1 for p in papers if not p["A"])
    empty_b = sum(1 for p in papers if not p["B"])
    return {
        "papers": len(papers),
        "links_A": len(a),
        "links_B": len(b),
        "links_both": both,
        "share_of_A_links_B_gave": round(both / len(a), 3) if a else None,
        "share_of_B_links_A_gave": round(both / len(b), 3) if b else None,
        "kappa_per_link": round((observed - chance) / (1 - chance), 3),
        "empty_A": empty_a,
        "empty_B": empty_b,
        "empty_both": sum(1 for p in papers if not p["A"] and not p["B"]),
        "same_first_link_when_both_link": round(
            np.mean([p["A"][0] == p["B"][0] for p in papers if p["A"] and p["B"]]), 3
        ),
    }


def predict(papers: list[dict], db_name: str = "eval_fundamentals") -> dict[str, list[str]]:
    """Run the real analyze path over the papers; {paper id: predicted fundamental ids best first}."""
    from triage import config
    from triage.analyze import analyze
    from triage.sources.files import jsonl_paper
    from triage.store import Store

    RESULTS.mkdir(parents=True, exist_ok=True)
    db = RESULTS / f"{db_name}.db"
    settings = config.load(None, str(db))
    settings.gate.recent_days = 100 * 365  # link every labelled paper, whatever its date
    store = Store(db)
    store.init()
    store.upsert_papers(
        jsonl_paper({k: p[k] for k in ("id", "title", "abstract", "published")} | {"categories": []})
        for p in papers
    )
    analyze(store, settings, all=True, progress=False)
    links = store.fundamentals_for([p["id"] for p in papers])
    return {p["id"]: [link[0] for link in links.get(p["id"], [])] for p in papers}


def time_linking(n: int) -> dict:
    """Seconds Linker.link takes over n corpus papers, given their vectors (random unit vectors: the
    linking's cost does not depend on their values, and the encoder is timed by bench/analyze_bench.py)."""
    import time

    from bench.corpus import iter_corpus
    from triage import config
    from triage.embed import Embedder
    from triage.link import Linker

    papers = [r for r, _ in zip(iter_corpus(), range(n), strict=False)]
    vectors = np.random.default_rng(0).normal(size=(len(papers), 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    linker = Linker(Embedder(config.load(None, None).embeddings))
    start = time.perf_counter()
    linker.link([p["title"] for p in papers], [p["abstract"] or "" for p in papers], vectors)
    return {"papers": len(papers), "seconds": round(time.perf_counter() - start, 2)}


def subsets(split: str) -> dict:
    """The rows a report prints: every paper of the split, each draw alone, the 2025-26 papers."""
    return (
        {split: lambda p: True}
        | {f"{split}, {d} draw": lambda p, d=d: p["draw"] == d for d in DRAWS}
        | {f"{split}, published 2025-26": lambda p: p["published"][:4] >= RECENT}
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", choices=["test", "dev", "old"], default="test")
    ap.add_argument("--agreement", action="store_true", help="print the readers' agreement and exit")
    ap.add_argument(
        "--code", type=Path, help="import triage from this checkout (e.g. a git worktree of an older commit)"
    )
    ap.add_argument("--errors", action="store_true", help="print the wrong links (dev or old split only)")
    ap.add_argument("--time-linking", type=int, metavar="N", help="time linking N corpus papers and exit")
    args = ap.parse_args()
    sys.path.insert(0, str(args.code.resolve() if args.code else ROOT))
    sys.path.insert(1, str(ROOT))
    if args.errors and args.split == "test":
        ap.error("the test split is only scored: read errors on dev or old")

    RESULTS.mkdir(parents=True, exist_ok=True)
    if args.time_linking:
        timing = time_linking(args.time_linking)
        print(f"linked {timing['papers']} papers in {timing['seconds']} s")
        name = f"fundamentals_timing{'_' + args.code.name if args.code else ''}.json"
        (RESULTS / name).write_text(json.dumps(timing) + "\n")
        return 0
    papers = [p for p in labelled(with_old=args.split == "old") if p["split"] == args.split]
    if args.agreement:
        from triage.fundamentals import catalogue

        both = labelled(False)
        report = {
            f"{d} draw, {s}": agreement(
                [p for p in both if p["split"] == s and p["draw"] == d], len(catalogue())
            )
            for d in DRAWS
            for s in ("dev", "test")
        }
        report |= {
            f"{d} draw": agreement([p for p in both if p["draw"] == d], len(catalogue())) for d in DRAWS
        }
        report["all"] = agreement(both, len(catalogue()))
        print(json.dumps(report, indent=2))
        (RESULTS / "fundamentals_agreement.json").write_text(json.dumps(report, indent=2) + "\n")
        return 0
    pred = predict(papers, f"eval_fundamentals_{args.code.name}" if args.code else "eval_fundamentals")
    if args.errors:
        for p in papers:
            if pred[p["id"]] != p["A"] or pred[p["id"]] != p["B"]:
                print(f"A={p['A']} B={p['B']} -> {pred[p['id']]} :: {p['id']} {p['title'][:90]}")
    report = {
        name: metrics([(p["A"], p["B"], pred[p["id"]]) for p in papers if keep(p)])
        for name, keep in subsets(args.split).items()
    }
    print(table(report))
    name = f"fundamentals_eval_{args.split}{'_' + args.code.name if args.code else ''}.json"
    (RESULTS / name).write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
