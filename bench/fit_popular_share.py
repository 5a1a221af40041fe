"""Fit [hype] min_popular_share: the smallest share of papers a young topic must hold to be fashion.

    python bench/fit_popular_share.py [--values 0 0.002 0.003 0.004 0.005 0.0075 0.01]
                                      [--snapshots bench/results/hype_snapshots]

Runs bench/eval_hype.py once per value (a verdict-only key, so after the first run every value
replays the saved topic structures), pools each keyword list's flags and positives over the seven
dates, and chooses the value the issue's way: the most recall whose precision is >= 0.85. Leave one
list out: the value is chosen on two lists and scored on the third, so each list's row comes from a
value not fitted on it; the shipped value is the one chosen on all three. Table to stdout, JSON to
bench/results/popular_share.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import scratch  # noqa: E402

LISTS = ("dev", "heldout", "fresh")
PRECISION = 0.85


def pooled(results: list[dict], lists) -> dict:
    """Flags, right flags, positives and found positives of `lists`, summed over the dates."""
    rows = [r for r in results if r["keywords"] in lists]
    flagged = sum(r["flagged"] for r in rows)
    right = sum(round((r["precision"] or 0) * r["flagged"]) for r in rows)
    positives = sum(r["positives"] for r in rows)
    found = sum(round((r["recall"] or 0) * r["positives"]) for r in rows)
    return {
        "precision": right / flagged if flagged else float("nan"),
        "recall": found / positives if positives else float("nan"),
        "flagged": flagged,
        "positives": positives,
    }


def choose(runs: dict[float, list[dict]], lists) -> float:
    """The value with the most pooled recall on `lists` whose pooled precision is >= PRECISION."""
    ok = [v for v in runs if pooled(runs[v], lists)["precision"] >= PRECISION]
    return max(ok, key=lambda v: (pooled(runs[v], lists)["recall"], -v)) if ok else max(runs)


def run(value: float, snapshots: str, tmp: Path) -> list[dict]:
    cfg, out = tmp / f"{value}.toml", tmp / f"{value}.json"
    cfg.write_text(f"[hype]\nmin_popular_share = {value}\n")
    cmd = [sys.executable, str(ROOT / "bench" / "eval_hype.py"), "--snapshots", snapshots]
    cmd += ["--config", str(cfg), "--db", str(tmp / f"{value}.db"), "--out", str(out)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return json.loads(out.read_text())["results"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--values", type=float, nargs="+", default=[0, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01])
    ap.add_argument("--snapshots", default=scratch("hype_snapshots"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        runs = {}
        for v in args.values:
            runs[v] = run(v, args.snapshots, Path(tmp))
            cells = [
                f"{k} {pooled(runs[v], [k])['precision']:.3f}/{pooled(runs[v], [k])['recall']:.3f}"
                for k in LISTS
            ]
            print(f"min_popular_share {v:g}: precision/recall " + ", ".join(cells), flush=True)
    print(
        "\n| scored on | value chosen on the other lists | precision | recall | without the rule (0): precision | recall |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    report = {"runs": {str(v): {k: pooled(r, [k]) for k in LISTS} for v, r in runs.items()}, "held_out": {}}
    for held in LISTS:
        v = choose(runs, [k for k in LISTS if k != held])
        got, base = pooled(runs[v], [held]), pooled(runs[min(runs)], [held])
        report["held_out"][held] = {"value": v, **got}
        print(
            f"| {held} | {v:g} | {got['precision']:.3f} | {got['recall']:.3f} | "
            f"{base['precision']:.3f} | {base['recall']:.3f} |"
        )
    report["shipped"] = choose(runs, LISTS)
    print(f"\nchosen on all three lists: {report['shipped']:g}")
    out = ROOT / "bench" / "results" / "popular_share.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
