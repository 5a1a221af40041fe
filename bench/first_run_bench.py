"""A new user's first `triage analyze`: ~100k papers of history, nothing embedded yet.

    python bench/first_run_bench.py [--copies 3] [--papers 100000] [--recent 15000] [--config config.toml]

Builds a database with the dev corpus plus perturbed copies (new ids, one title word dropped,
dates shifted by up to 20 days, so every title is a new text the model must encode), sampled
down to --papers if given, then runs
the real `python -m triage analyze` in a subprocess with an empty embedding cache and the
default config. Reports the time until hype verdicts are stored (the topics step, which runs
first) and the total (plus the abstracts of the last [gate] recent_days and fundamentals).
Table to stdout, JSON to bench/results/first_run.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.corpus import iter_corpus  # noqa: E402
from triage.sources.files import jsonl_paper  # noqa: E402
from triage.store import Store  # noqa: E402


def perturbed(paper, copy: int, rng: random.Random):
    words = paper.title.split()
    if len(words) > 3:
        del words[rng.randrange(len(words))]
    shifted = date.fromisoformat(paper.published) + timedelta(days=rng.randint(-20, 20))
    paper.id = f"{paper.id}c{copy}"
    paper.title = " ".join(words)
    paper.published = min(shifted, date(2026, 3, 31)).isoformat()
    return paper


def build(db: str, copies: int, recent: int = 0, cap: int = 0) -> int:
    """The corpus and its copies (a random `cap` of them if given); with `recent`, papers are moved
    into the last 30 days (a realistic month to embed and link) until that window holds `recent`."""
    store = Store(db)
    store.init()
    rng = random.Random(0)
    papers = [jsonl_paper(r) for r in iter_corpus()]
    papers += [perturbed(jsonl_paper(r), copy, rng) for copy in range(1, copies + 1) for r in iter_corpus()]
    if cap and cap < len(papers):
        papers = rng.sample(papers, cap)
    if recent:
        end = max(date.fromisoformat(p.published[:10]) for p in papers)
        start = (end - timedelta(days=29)).isoformat()
        inside = sum(p.published[:10] >= start for p in papers)
        movable = [p for p in papers if p.published[:10] < start]
        for p in rng.sample(movable, min(len(movable), max(0, recent - inside))):
            p.published = (end - timedelta(days=rng.randrange(30))).isoformat()
    for i in range(0, len(papers), 5000):
        store.upsert_papers(papers[i : i + 5000])
    n = store.count_papers()
    store.close()
    return n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=2, help="perturbed copies of the 29.5k-paper corpus")
    ap.add_argument("--papers", type=int, default=0, help="sample the history down to this many papers")
    ap.add_argument("--recent", type=int, default=0, help="papers in the last 30 days (copies moved there)")
    ap.add_argument("--config", help="a config.toml for analyze (default: the built-in defaults)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = os.path.join(tmp, "first.db")
        papers = build(db, args.copies, args.recent, args.papers)
        env = {**os.environ, "PYTHONPATH": str(REPO), "TRIAGE_DB": db}
        env.pop("TRIAGE_CONFIG", None)
        if args.config:
            env["TRIAGE_CONFIG"] = str(Path(args.config).resolve())
        started = time.perf_counter()
        out = subprocess.run(
            [sys.executable, "-m", "triage", "analyze"], env=env, cwd=tmp, capture_output=True, text=True
        )
        total = time.perf_counter() - started
        if out.returncode != 0:
            sys.exit(f"analyze failed ({out.returncode}): {out.stderr[-2000:]}")
        rate = re.findall(r"topics: 100%.*?([\d.]+)text/s", out.stderr)
        store = Store(db)
        summary = store.conn.execute(
            "SELECT count(*), sum(hype = 1), sum(hype IS NULL) FROM topics"
        ).fetchone()
        store.close()
    topic_seconds = _topic_seconds(out.stdout)
    result = {
        "papers": papers,
        "analyze_total_s": round(total, 1),
        "topics_step_s": topic_seconds,
        "title_encode_rate_per_s": float(rate[-1]) if rate else None,
        "topics": summary[0],
        "hype_topics": summary[1],
        "stdout": out.stdout.strip().splitlines(),
    }
    print(f"{'papers':>8} {'to verdicts (s)':>16} {'analyze total (s)':>18} {'titles/s':>9} {'topics':>7}")
    print(
        f"{papers:>8,} {topic_seconds:>16.0f} {total:>18.0f} {result['title_encode_rate_per_s'] or 0:>9.0f} "
        f"{summary[0]:>7,}"
    )
    for line in result["stdout"]:
        print("  " + line)
    out_path = REPO / "bench" / "results" / "first_run.json"
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(json.dumps(result, indent=2))


def _topic_seconds(stdout: str) -> float:
    m = re.search(r"in ([\d.]+) s\b", stdout)
    return float(m[1]) if m else 0.0


if __name__ == "__main__":
    main()
