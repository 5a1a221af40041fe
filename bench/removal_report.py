"""The removal test of the hype rules, summarised: each rule switched off alone against all rules on.

    python bench/eval_hype.py --as-of 2025-06-01 2025-09-01 2025-12-01 2026-03-31 --out bench/results/hype_rules.json
    python bench/eval_hype.py --as-of ... --without facets --out bench/results/hype_without_facets.json  # per rule
    python bench/removal_report.py bench/results/hype_rules.json bench/results/hype_without_*.json

Per run, pooled over its dates (papers of one date count once each): precision and recall on the
lists the rules were not read against (heldout, fresh) and on dev, and the strict view's share of
all HYPE flags that sit on a young keyword topic, each with a 95% Wilson interval. A rule stays when
switching it off lowers the held-out numbers or the strict view (docs/decisions/hype.md).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.eval_hype import wilson  # noqa: E402


def pooled(results: list[dict], lists: set[str]) -> tuple[int, int, int]:
    """True positives, flagged and positives summed over the dates of the given lists."""
    tp = flagged = pos = 0
    for r in results:
        if r["keywords"] in lists and r["positives"]:
            hit = round((r["recall"] or 0) * r["positives"])
            tp, flagged, pos = tp + hit, flagged + r["flagged"], pos + r["positives"]
    return tp, flagged, pos


def row(name: str, results: list[dict]) -> str:
    cells = []
    for lists in ({"heldout", "fresh"}, {"dev"}):
        tp, flagged, pos = pooled(results, lists)
        p, r = wilson(tp, flagged), wilson(tp, pos)
        cells.append(f"{tp / flagged:.3f} [{p[0]:.2f}, {p[1]:.2f}]" if flagged else "–")
        cells.append(f"{tp / pos:.3f} [{r[0]:.2f}, {r[1]:.2f}]" if pos else "–")
    strict = {r["as_of"]: r["strict"] for r in results}.values()
    k = sum(round(s["young_share"] * s["flagged"]) for s in strict if s["young_share"] is not None)
    n = sum(s["flagged"] for s in strict)
    ci = wilson(k, n)
    cells.append(f"{k / n:.3f} [{ci[0]:.2f}, {ci[1]:.2f}] of {n}" if n else "–")
    return f"| {name} | " + " | ".join(cells) + " |"


def main() -> None:
    paths = [Path(p) for p in sys.argv[1:]]
    if not paths:
        sys.exit(__doc__)
    print(
        "| run | held-out precision | held-out recall | dev precision | dev recall | strict view: young share of flags |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for path in paths:
        results = json.loads(path.read_text())["results"]
        name = path.stem.removeprefix("hype_without_").removeprefix("abl_")
        print(row("all rules" if name in ("hype_rules", "hype_eval", "none") else f"without {name}", results))


if __name__ == "__main__":
    main()
