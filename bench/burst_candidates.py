"""Phrases whose share of the corpus's papers rose from about zero: the pool a blind reader names
young topics from, for the `bursts` keyword list of bench/eval_hype.py.

    python bench/burst_candidates.py            # writes bench/labels/hype_bursts/candidates.jsonl

Independent of the product on purpose: plain counts of word n-grams (1-3 words, within a clause,
neither end a stop word) in titles and abstracts, per month, all sources pooled, over months with at
least MIN_MONTH papers (as the keyword truth counts). A phrase is a candidate when at least
MIN_PAPERS papers of the last SINCE months write it and, at some month among them, its share over
that month and the next two is at least RISE times its share over the BASE months before (one
paper's worth added to those, so a phrase absent before needs more than a handful of papers). A shorter phrase nearly always inside one longer candidate is left
out. For each: its papers per month and three example titles. The reader sees only this file and
bench/labels/hype_bursts/definition.md, never the product's topics or verdicts.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import iter_corpus  # noqa: E402

OUT = ROOT / "bench" / "labels" / "hype_bursts"
MIN_MONTH, SINCE, BASE = 100, 15, 12  # months counted; where a rise may start; the months before it
MIN_PAPERS, RISE, MAX_CANDIDATES = 20, 5.0, 400
STOP = frozenset(
    "a an the of for in on to and or with by from via as at is are be we our this that these their its "
    "it into over under using based than more most can new novel via toward towards through while "
    "which who how what when where not no both each such also has have been was were".split()
)
_CLAUSE = re.compile(r"[.,;:!?()\[\]{}\"]|\s-\s")
_WORD = re.compile(r"[a-z0-9]+(?:[.-][a-z0-9]+)*")


def phrases(text: str) -> set[str]:
    """The 1-3-word n-grams a text writes within one clause, neither end a stop word."""
    out = set()
    for clause in _CLAUSE.split(text.lower()):
        words = _WORD.findall(clause)
        for n in (1, 2, 3):
            for i in range(len(words) - n + 1):
                gram = words[i : i + n]
                if gram[0] not in STOP and gram[-1] not in STOP and not gram[0].isdigit():
                    out.add(" ".join(gram))
    return out


def candidates(rows: list[dict]) -> tuple[list[dict], dict[str, int]]:
    """The candidates, best-attested first, and the corpus's papers per month shown."""
    month_of = {r["id"]: r["published"][:7] for r in rows}
    totals = Counter(month_of.values())
    months = sorted(m for m, n in totals.items() if n >= MIN_MONTH)
    shown = months[-(SINCE + BASE) :]
    counted = set(shown)
    per = defaultdict(Counter)  # phrase -> month -> papers
    titles = defaultdict(list)
    for r in rows:
        m = month_of[r["id"]]
        if m in counted:
            for g in phrases(f"{r['title']}. {r['abstract']}"):
                per[g][m] += 1
                if m >= months[-SINCE] and len(titles[g]) < 3:
                    titles[g].append(r["title"])
    found = {}
    for g, c in per.items():
        since = sum(c[m] for m in shown[-SINCE:])
        if since < MIN_PAPERS:
            continue
        best = 0.0
        for j in range(BASE, len(shown) - 2):  # a rise at shown[j]: its 3 months against the BASE before
            before, after = shown[j - BASE : j], shown[j : j + 3]
            base = (sum(c[m] for m in before) + 1) / sum(totals[m] for m in before)
            best = max(best, sum(c[m] for m in after) / sum(totals[m] for m in after) / base)
        if best >= RISE:
            found[g] = (since, best, c)
    # A shorter phrase that is nearly always part of one longer candidate adds nothing.
    keep = {
        g
        for g in found
        if not any(g != h and f" {g} " in f" {h} " and found[h][0] >= 0.8 * found[g][0] for h in found)
    }
    ranked = sorted(keep, key=lambda g: -found[g][0])[:MAX_CANDIDATES]
    return [
        {
            "phrase": g,
            "papers_since": found[g][0],
            "rise": round(found[g][1], 1),
            "papers_per_month": {m: found[g][2][m] for m in shown},
            "example_titles": titles[g],
        }
        for g in ranked
    ], {m: totals[m] for m in shown}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(OUT / "candidates.jsonl"))
    args = ap.parse_args()
    found, totals = candidates(list(iter_corpus()))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        for c in found:
            f.write(json.dumps(c) + "\n")
    (out.parent / "papers_per_month.json").write_text(json.dumps(totals, indent=1) + "\n")
    print(f"{len(found)} candidates -> {out}; the corpus's papers per month -> papers_per_month.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
