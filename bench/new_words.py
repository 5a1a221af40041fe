"""Which rising words count as new on a slice of the dev corpus, and why: papers using the word
before its ramp and since, against all papers then, and the Poisson odds that an ordinary word
would be that rare before (triage.topics.new_word_odds). Only words under min_topic_papers papers
before their ramp are listed: the others are not new however big the history.

    python bench/new_words.py --source 2404589803/hf-daily-paper-newsletter-chinese \\
        --since 2024-06-01 --as-of 2025-10-15 --word proactively --word grpo
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import iter_corpus  # noqa: E402
from triage import config  # noqa: E402
from triage.sources.files import jsonl_paper  # noqa: E402
from triage.topics import (  # noqa: E402
    Vocabulary,
    build_grid,
    full_text,
    month_index,
    month_name,
    month_totals,
    new_word_odds,
    phrase_rises,
    word_counts,
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--as-of", required=True, help="YYYY-MM-DD: papers after it are ignored")
    ap.add_argument("--source", help="only this source's papers")
    ap.add_argument("--since", default="", help="only papers published on or after this date")
    ap.add_argument("--word", action="append", default=[], help="show only these words")
    ap.add_argument("--config", help="a config.toml whose [hype] keys override the defaults")
    args = ap.parse_args()
    cfg = config.load(args.config).hype
    papers = [
        jsonl_paper(r)
        for r in iter_corpus()
        if args.since <= r["published"] <= args.as_of and (not args.source or r["source"] == args.source)
    ]
    grid = build_grid(month_totals(papers), month_index(args.as_of), cfg)
    found = phrase_rises(papers, [full_text(p) for p in papers], grid, cfg)
    if found is None:
        sys.exit(f"no phrase is in {cfg.min_topic_papers} of these {len(papers)} papers")
    vec, x, rose = found
    names = vec.get_feature_names_out()
    v = Vocabulary(x, names, rose, np.array([month_index(p.published) for p in papers]), cfg)
    rows = []
    for q in np.flatnonzero(rose >= 0):
        word = str(names[q])
        if " " in word or (args.word and word not in args.word):
            continue
        counts = word_counts(v, q, int(rose[q]))
        if counts[0] < cfg.min_topic_papers:
            rows.append((new_word_odds(*counts, cfg), word, month_name(int(rose[q])), *counts))
    print(f"{len(papers)} papers; new when the odds are at most {cfg.new_word_chance}")
    print("| word | rose | before its ramp | since | odds | new |")
    print("| --- | --- | --- | --- | --- | --- |")
    for odds, word, month, before, history, since, recent in sorted(rows):
        new = "yes" if odds <= cfg.new_word_chance else "no"
        print(f"| {word} | {month} | {before} of {history:,} | {since} of {recent:,} | {odds:.3g} | {new} |")


if __name__ == "__main__":
    main()
