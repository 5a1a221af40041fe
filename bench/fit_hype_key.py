"""Fit verdict-only [hype] keys on the keyword lists, leaving one list out.

    python bench/fit_hype_key.py                         # min_popular_share over its default values
    python bench/fit_hype_key.py popular_ratio=0.25,0.35,0.5 min_popular_share=0.003,0.004,0.005
                                 [--snapshots bench/results/hype_snapshots]

Runs bench/eval_hype.py once per setting (every combination of the values given; verdict-only keys,
so after the first run every setting replays the saved topic structures), pools each keyword list's
flags and positives over the seven dates, and the strict view (of all flags, the share on a young
keyword topic; no setting is chosen on it), and chooses the setting the issue's way: the most recall
whose precision is >= 0.85 on every list. Leave one list out: the setting is chosen on the other
lists and scored on the one left out, so each list's row comes from a setting not fitted on it.
Table to stdout, JSON to bench/results/hype_keys.json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import scratch  # noqa: E402
from triage import config  # noqa: E402

LISTS = ("dev", "heldout", "fresh", "bursts")
PRECISION = 0.85
# The keys this fits (verdict-only: bench/eval_hype.py's VERDICT_ONLY), and their default values.
KEYS = {
    "min_popular_share": (0, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01),
    "popular_ratio": (0.1, 0.15, 0.25, 0.35, 0.5),
    "active_ratio": (0.1, 0.2, 0.3, 0.4, 0.5),
}
Setting = tuple[tuple[str, float], ...]


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


def strict(results: list[dict]) -> dict:
    """The strict view pooled over the dates: of all HYPE flags, the share on a young keyword topic."""
    views = {r["as_of"]: r["strict"] for r in results}
    flagged = sum(v["flagged"] for v in views.values())
    right = sum(round(v["young_share"] * v["flagged"]) for v in views.values() if v["flagged"])
    return {"young_share": right / flagged if flagged else float("nan"), "flagged": flagged}


def choose(runs: dict[Setting, list[dict]], lists) -> Setting:
    """The setting with the most pooled recall on `lists` whose precision is >= PRECISION on each of
    them, as the issue's bar reads (pooled precision would let the biggest list carry the others);
    ties: the more precise. If none reaches it, the one whose least precise list is most precise."""
    least = {s: min(pooled(r, [k])["precision"] for k in lists) for s, r in runs.items()}
    ok = [s for s in runs if least[s] >= PRECISION]
    if not ok:
        return max(runs, key=lambda s: least[s])
    return max(ok, key=lambda s: (pooled(runs[s], lists)["recall"], least[s]))


def name(setting: Setting) -> str:
    return " ".join(f"{k}={v:g}" for k, v in setting)


def run(setting: Setting, snapshots: str, tmp: Path) -> list[dict]:
    stem = "_".join(f"{k}{v:g}" for k, v in setting)
    cfg, out = tmp / f"{stem}.toml", tmp / f"{stem}.json"
    cfg.write_text("[hype]\n" + "".join(f"{k} = {v}\n" for k, v in setting))
    cmd = [sys.executable, str(ROOT / "bench" / "eval_hype.py"), "--snapshots", snapshots]
    cmd += ["--config", str(cfg), "--db", str(tmp / f"{stem}.db"), "--out", str(out)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return json.loads(out.read_text())["results"]


def grid(specs: list[str]) -> list[Setting]:
    """Every combination of KEY=V1,V2,... (a key alone: its default values)."""
    axes = []
    for spec in specs or ["min_popular_share"]:
        key, _, values = spec.partition("=")
        if key not in KEYS:
            raise SystemExit(f"{key}: not a key this fits ({', '.join(KEYS)})")
        axes.append([(key, float(v)) for v in values.split(",")] if values else [(key, v) for v in KEYS[key]])
    return [tuple(c) for c in itertools.product(*axes)]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("keys", nargs="*", metavar="KEY=V1,V2", help=f"keys to fit: {', '.join(KEYS)}")
    ap.add_argument("--snapshots", default=scratch("hype_snapshots"))
    args = ap.parse_args()
    settings = grid(args.keys)
    hype = config.load(None, ":memory:").hype
    shipped = tuple((k, float(getattr(hype, k))) for k, _ in settings[0])
    report = {"runs": {}, "held_out": {}}
    with tempfile.TemporaryDirectory() as tmp:
        runs = {}
        for s in settings:
            runs[s] = run(s, args.snapshots, Path(tmp))
            row = report["runs"][name(s)] = {k: pooled(runs[s], [k]) for k in LISTS} | {
                "strict": strict(runs[s])
            }
            cells = ", ".join(f"{k} {row[k]['precision']:.3f}/{row[k]['recall']:.3f}" for k in LISTS)
            view = row["strict"]
            print(
                f"{name(s)}: precision/recall {cells}; strict view {view['young_share']:.3f} of {view['flagged']} flags",
                flush=True,
            )
    print(
        f"\n| scored on | chosen on the other lists | precision | recall | at the shipped {name(shipped)}: "
        "precision | recall |"
    )
    print("| --- | --- | --- | --- | --- | --- |")
    for held in LISTS:
        s = choose(runs, [k for k in LISTS if k != held])
        got, base = pooled(runs[s], [held]), pooled(runs[shipped], [held]) if shipped in runs else None
        report["held_out"][held] = {"setting": name(s), **got}
        at_shipped = f"{base['precision']:.3f} | {base['recall']:.3f}" if base else "- | -"
        print(f"| {held} | {name(s)} | {got['precision']:.3f} | {got['recall']:.3f} | {at_shipped} |")
    report["chosen"] = name(choose(runs, LISTS))
    print(f"\nchosen on every list: {report['chosen']} (shipped: {name(shipped)})")
    Path(scratch("hype_keys.json")).write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
