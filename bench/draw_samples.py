"""Draw the papers that readers label: fundamentals links and the gate's known-item cases.

    python bench/draw_samples.py            # writes bench/labels/fundamentals_sample.jsonl, gate_targets.jsonl
                                            # and the recent draws, fundamentals_recent*_sample.jsonl

Both draws are random with fixed seeds, so anyone can redraw exactly the same papers. They were drawn,
and each paper's split frozen, before any labels were read or any rule was changed.

Fundamentals: 440 papers not among the 160 of fundamentals.jsonl, stratified by publication year (up to
2019, 2020, ..., 2026) and subfield (the first listed category's family), 55 per year stratum, shared
across subfields in proportion to their size. Split: "test" when sha1("fund-test:" + id) is divisible by 3,
else "dev"; test papers are only scored, never read for errors.

Recent fundamentals: 300 more papers of 2025-26 (the years the product links), none among the 600 above,
150 per year shared across subfields the same way (their own seed), split by the same sha1 rule. Drawn
because 2025-26 held only 110 of the 440, too few to choose an operating point on the papers that matter.
A second recent draw, 400 more (200 per year, another seed, none among the papers above), was drawn
after the first recent draw had been used to fit, to widen the test split of new papers; a third, 800
more (400 per year), after the second had been fitted on, for per-term rates that need many papers.

Gate: 180 target papers from the candidate window (published 2026-02-01..2026-03-31; every paper in it is a
candidate), shuffled with a fixed seed; writer A sees the first 90, writer B the next 90, and each writes a
bottleneck for those that solve a concrete problem.
"""

from __future__ import annotations

import collections
import hashlib
import json
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import iter_corpus  # noqa: E402
from bench.eval_fundamentals import draw_files  # noqa: E402

LABELS = ROOT / "bench" / "labels"
FUND_SEED, FUND_PER_YEAR = 20261207, 55
RECENT_SINCE = "2025"
# The recent draws, in the order they were drawn: (name, seed, papers per year).
RECENT_DRAWS = (("recent", 20261209, 150), ("recent2", 20261210, 200), ("recent3", 20261211, 400))
GATE_SEED, GATE_TARGETS = 20261208, 180
GATE_WINDOW = ("2026-02-01", "2026-03-31")


def fundamentals_split(paper_id: str) -> str:
    return "test" if int(hashlib.sha1(f"fund-test:{paper_id}".encode()).hexdigest(), 16) % 3 == 0 else "dev"


def subfield(categories: list[str]) -> str:
    if not categories:
        return "none"
    first = categories[0]
    if first in ("cs.LG", "stat.ML"):
        return "ml"
    if first in ("cs.CL", "cs.CV", "cs.AI", "cs.IR", "cs.RO"):
        return first
    return "other"


def fundamentals_sample(
    corpus: list[dict],
    exclude: set[str],
    seed: int = FUND_SEED,
    per_year: int = FUND_PER_YEAR,
    since: str = "",
) -> list[dict]:
    rng = random.Random(seed)
    years = collections.defaultdict(list)
    for r in corpus:
        if r["id"] in exclude or len(r.get("abstract") or "") < 200 or r["published"] < since:
            continue
        year = r["published"][:4]
        years["-2019" if year < "2020" else year].append(r)
    out = []
    for year in sorted(years):
        strata = collections.defaultdict(list)
        for r in sorted(years[year], key=lambda r: r["id"]):
            strata[subfield(r.get("categories") or [])].append(r)
        total = sum(len(v) for v in strata.values())
        want = min(per_year, total)
        quotas = {k: max(1, round(want * len(v) / total)) for k, v in sorted(strata.items())}
        picked = []
        for k in sorted(strata):
            picked += rng.sample(strata[k], min(quotas[k], len(strata[k])))
        rng.shuffle(picked)
        out += picked[:want]
    return out


def write_sample(path: Path, papers: list[dict]) -> None:
    with open(path, "w", encoding="utf-8") as f:
        for r in papers:
            row = {"id": r["id"], "split": fundamentals_split(r["id"]), "published": r["published"]}
            row |= {"title": r["title"], "abstract": r["abstract"]}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")


def gate_targets(corpus: list[dict]) -> list[dict]:
    lo, hi = GATE_WINDOW
    window = sorted((r for r in corpus if lo <= r["published"] <= hi), key=lambda r: r["id"])
    return random.Random(GATE_SEED).sample(window, GATE_TARGETS)


def main() -> int:
    corpus = list(iter_corpus())
    labelled = {json.loads(line)["id"] for line in (LABELS / "fundamentals.jsonl").read_text().splitlines()}
    fund = fundamentals_sample(corpus, labelled)
    write_sample(draw_files("fundamentals")[0], fund)
    drawn = [("fundamentals", fund)]
    taken = labelled | {r["id"] for r in fund}
    for name, seed, per_year in RECENT_DRAWS:
        recent = fundamentals_sample(corpus, taken, seed, per_year, RECENT_SINCE)
        write_sample(draw_files(f"fundamentals_{name}")[0], recent)
        taken |= {r["id"] for r in recent}
        drawn.append((name, recent))
    gate = gate_targets(corpus)
    with open(LABELS / "gate_targets.jsonl", "w", encoding="utf-8") as f:
        for i, r in enumerate(gate):
            row = {
                "id": r["id"],
                "writer": "A" if i < GATE_TARGETS // 2 else "B",
                "published": r["published"],
            }
            row |= {"title": r["title"], "abstract": r["abstract"]}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    for name, sample in drawn:
        splits = collections.Counter(fundamentals_split(r["id"]) for r in sample)
        print(f"{name}: {len(sample)} papers ({dict(splits)})")
    print(f"gate: {len(gate)} targets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
