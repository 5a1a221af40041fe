"""Which label rules make topic labels a reader can name: a blind, paired removal test.

Write (default): rebuild the topics of the whole dev corpus as of its newest day (or read a saved
structure, as bench/eval_hype.py --snapshots writes them), draw 100 topics among those the papers
of the last 60 days carry (seed: the round's number minus 1), and label each under every variant:
the shipped rules, each rule of triage/topics/labels.py switched off alone, and all off (the
labels before them). Round 2 also judged a phrase weight in the clusters' class TF-IDF (a
two-word phrase counted twice a word's), round 3 a name written by at least two of a cluster's
titles ("without several"); neither kept. The distinct labels go, shuffled and with 3 example
titles of their topic, to bench/labels/label_variants/round<N>/items.jsonl beside definition.md;
which variant gave which
item goes to round<N>_key.json, which the reader never sees.

    python bench/label_variants.py --round 2 [--snapshot /tmp/v/snap/2026-03-31_<key>.npz]

Score: read the reader's round<N>/judged.jsonl ({item, nameable, note}) and print, per variant,
the share of the 100 topics whose label was judged nameable (95% Wilson interval), and against the
shipped rules the topics where the label differs: how many turned nameable, how many not. A round
scores the variants it was written with ("shipped" then: the rules at that commit).

    python bench/label_variants.py --round 1 --score
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import iter_corpus, scratch  # noqa: E402
from bench.eval_hype import structure_at, wilson  # noqa: E402
from triage import config  # noqa: E402
from triage.embed import Embedder  # noqa: E402
from triage.sources.files import jsonl_paper  # noqa: E402
from triage.store import Store  # noqa: E402
from triage.topics import labels  # noqa: E402
from triage.topics.build import LABEL_TITLES, judge, topic_label  # noqa: E402
from triage.topics.grid import build_grid, month_index, month_totals  # noqa: E402

WINDOW_DAYS = 60
SAMPLE = 100
SWITCH_OFF = {
    "family": ("same_family", lambda a, b: a == b),
    "together": ("together", lambda first, other, grams: True),
    "complete": ("complete", lambda name, sequences: name),
}
VARIANTS = ["shipped", *(f"without {r}" for r in SWITCH_OFF), "none (before)"]
DEFINITION = """# What to judge

Each line of items.jsonl is a topic label an automatic tool shows researchers, with three titles
of papers it put under that label. Judge each from the file alone, with your own knowledge of
the field.

Is the label *nameable*: a topic a researcher would recognise and could name (a method or system
family, a defined term, an acronym, a benchmark family, a research area; it may be old or young)?
`nameable: false` for a lone common word, a phrase fragment, garbled words, or a list of words
with nothing in common. Judge the label as a name for the three titles' topic.

Write judged.jsonl, one line per item: {"item": <its number>, "nameable": true|false, "note": "..."}.
"""


def variant_label(name: str, terms, kind, titles) -> str:
    """The label under one variant: the named rules of triage/topics/labels.py switched off."""
    off = [r for r in SWITCH_OFF if name == "none (before)" or name == f"without {r}"]
    saved = {r: getattr(labels, SWITCH_OFF[r][0]) for r in off}
    try:
        for r in off:
            setattr(labels, SWITCH_OFF[r][0], SWITCH_OFF[r][1])
        return topic_label(terms, kind, titles)
    finally:
        for r, f in saved.items():
            setattr(labels, SWITCH_OFF[r][0], f)


def write(args) -> None:
    fresh = not os.path.exists(args.db)
    store = Store(args.db)
    if fresh:
        store.init()
        store.upsert_papers(jsonl_paper(r) for r in iter_corpus())
    as_of = date.fromisoformat(store.latest_day())
    settings = config.load(None, args.db)
    cfg = settings.hype
    papers = list(store.iter_papers(until=as_of.isoformat()))
    totals = month_totals(papers)
    grid = build_grid(totals, month_index(as_of.isoformat()), cfg)
    cache = Store(args.cache)
    cache.init()
    s = structure_at(
        papers,
        grid,
        cfg,
        Embedder(settings.embeddings, cache),
        Path(args.snapshot) if args.snapshot else None,
    )
    rows, _, assigned = judge(papers, s, grid, as_of, cfg)
    lo = (as_of - timedelta(days=WINDOW_DAYS)).isoformat()
    window = sorted(p.id for p in papers if p.published > lo)
    title = {p.id: p.title for p in papers}
    carried: dict[int, list[str]] = {}
    for pid in window:
        carried.setdefault(assigned[pid] - 1, []).append(pid)
    rng = random.Random(args.seed)
    topics = rng.sample(sorted(carried), min(SAMPLE, len(carried)))
    member = s.member.tocsc()
    items: dict[tuple[int, str], list[str]] = {}
    for k in topics:
        docs = sorted(
            member.indices[member.indptr[k] : member.indptr[k + 1]], key=lambda i: papers[i].published
        )
        titles = [papers[i].title for i in docs[-LABEL_TITLES:]]
        for v in VARIANTS:
            items.setdefault((k, variant_label(v, s.terms[k], s.kinds[k], titles)), []).append(v)
    examples = {k: rng.sample([title[p] for p in carried[k]], min(3, len(carried[k]))) for k in topics}
    order = list(items)
    rng.shuffle(order)
    out = Path(args.dir)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "items.jsonl").open("w", encoding="utf-8") as f:
        for n, (k, label) in enumerate(order, 1):
            f.write(
                json.dumps({"item": n, "label": label, "examples": examples[k]}, ensure_ascii=False) + "\n"
            )
    key = [
        {"item": n, "topic": int(k), "kind": s.kinds[k], "variants": items[(k, label)]}
        for n, (k, label) in enumerate(order, 1)
    ]
    Path(args.key).write_text(json.dumps(key, indent=0) + "\n", encoding="utf-8")
    (out / "definition.md").write_text(DEFINITION, encoding="utf-8")
    print(
        f"as of {as_of}: {len(topics)} topics, {len(order)} distinct labels over {len(VARIANTS)} variants -> {out}"
    )


def score(args) -> None:
    key = json.loads(Path(args.key).read_text(encoding="utf-8"))
    judged = {}
    for line in (Path(args.dir) / "judged.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            j = json.loads(line)
            judged[int(j["item"])] = bool(j["nameable"])
    variants = list(dict.fromkeys(v for row in key for v in row["variants"]))
    variants.sort(key=lambda v: VARIANTS.index(v) if v in VARIANTS else 1)
    by = {v: {} for v in variants}
    for row in key:
        for v in row["variants"]:
            by[v][row["topic"]] = judged.get(row["item"])
    print("| variant | nameable | share [95% CI] | labels differing from shipped: now nameable / now not |")
    print("| --- | --- | --- | --- |")
    results = {}
    for v in variants:
        got = [x for x in by[v].values() if x is not None]
        k, n = sum(got), len(got)
        ci = wilson(k, n) or [0.0, 0.0]
        diff = [t for t in by[v] if by[v][t] != by["shipped"].get(t)]
        up = sum(1 for t in diff if by[v][t] and not by["shipped"][t])
        down = sum(1 for t in diff if by["shipped"][t] and not by[v][t])
        results[v] = {"nameable": k, "judged": n, "ci": ci, "better": up, "worse": down}
        print(f"| {v} | {k} of {n} | {k / max(n, 1):.2f} [{ci[0]:.2f}, {ci[1]:.2f}] | {up} / {down} |")
    Path(args.out).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--round", type=int, default=2, help="which judged round: its files and seed")
    ap.add_argument("--seed", type=int, help="which topics are drawn (default: the round's number minus 1)")
    ap.add_argument("--db", default=scratch("hype_labels.db"))
    ap.add_argument("--cache", default=scratch("hype_emb.db"), help="embedding cache (SQLite)")
    ap.add_argument(
        "--snapshot", help="a saved structure of the corpus as of its newest day (read or written)"
    )
    ap.add_argument("--out", default="bench/results/label_variants.json")
    ap.add_argument("--score", action="store_true", help="score the reader's judged.jsonl")
    args = ap.parse_args()
    args.dir = f"bench/labels/label_variants/round{args.round}"
    args.key = f"bench/labels/label_variants/round{args.round}_key.json"
    args.seed = args.round - 1 if args.seed is None else args.seed
    args.out = args.out.replace(".json", f"_round{args.round}.json")
    score(args) if args.score else write(args)


if __name__ == "__main__":
    main()
