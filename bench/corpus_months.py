"""Monthly counts in the dev corpus, per source: papers matching an eval keyword topic (or a regex)
and papers carrying an arXiv category. The README's statements about the corpus ("no paper of the
listing names RAG before 2023-11", "cs.IT joined the listing in 2026-01") come from this.

    python bench/corpus_months.py --source qhduan/cn-chat-arxiv --keyword "retrieval-augmented generation"
    python bench/corpus_months.py --source dw-dengwei/daily-arXiv-ai-enhanced --category cs.IT --primary cs.AI
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import iter_corpus  # noqa: E402
from bench.eval_hype import HELDOUT_OLD, HELDOUT_YOUNG, OLD, YOUNG  # noqa: E402

PATTERNS = {**YOUNG, **OLD, **HELDOUT_YOUNG, **HELDOUT_OLD}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", help="only this source's papers (default: every source, each apart)")
    ap.add_argument(
        "--keyword", action="append", default=[], help=f"an eval keyword topic: {', '.join(PATTERNS)}"
    )
    ap.add_argument("--regex", action="append", default=[], help="a regular expression over title + abstract")
    ap.add_argument(
        "--category", action="append", default=[], help="papers carrying this category (any position)"
    )
    ap.add_argument("--primary", action="append", default=[], help="papers whose first category is this")
    ap.add_argument("--since", default="", help="first month shown (YYYY-MM)")
    args = ap.parse_args()
    unknown = [k for k in args.keyword if k not in PATTERNS]
    if unknown:
        ap.error(f"unknown keyword topic {unknown[0]!r}; known: {', '.join(PATTERNS)}")
    columns = {k: re.compile(PATTERNS[k]) for k in args.keyword} | {r: re.compile(r) for r in args.regex}
    totals: Counter = Counter()
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for r in iter_corpus():
        if args.source and r["source"] != args.source:
            continue
        key = (r["source"], r["published"][:7])
        if key[1] < args.since:
            continue
        totals[key] += 1
        text = r["title"] + " " + r["abstract"]
        cats = r["categories"] or []
        for name, rx in columns.items():
            counts[key][name] += bool(rx.search(text))
        for c in args.category:
            counts[key][f"has {c}"] += c in cats
        for c in args.primary:
            counts[key][f"primary {c}"] += bool(cats) and cats[0] == c
    names = [*columns, *(f"has {c}" for c in args.category), *(f"primary {c}" for c in args.primary)]
    print("| source | month | papers | " + " | ".join(names) + " |")
    print("| --- | --- | --- |" + " --- |" * len(names))
    for source, month in sorted(totals):
        row = counts[(source, month)]
        cells = " | ".join(f"{row[n]} ({row[n] / totals[(source, month)]:.1%})" for n in names)
        print(f"| {source} | {month} | {totals[(source, month)]} | {cells} |")


if __name__ == "__main__":
    main()
