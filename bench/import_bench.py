"""Import throughput and peak memory: the dev corpus, and a 10x OAI-snapshot file built from it.

Each import runs as `python -m triage import` in a fresh subprocess on a fresh database;
peak RSS is the child's resident memory sampled every 50 ms with psutil. Memory must stay
flat (< 300 MB) as the file grows, since the real OAI snapshot is several GB.

    python bench/import_bench.py [--copies 10]

Prints a table and writes bench/results/import.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("TRIAGE_SHARED_DATA") or REPO.parent / "shared" / "data")
LIMIT_MB = 300


def make_oai(corpus: Path, out: Path, copies: int) -> int:
    """Write `copies` passes over the corpus in OAI snapshot form, ids made unique per pass."""
    n = 0
    with corpus.open(encoding="utf-8") as src, out.open("w", encoding="utf-8") as dst:
        records = [json.loads(line) for line in src]
        for c in range(copies):
            for d in records:
                dst.write(
                    json.dumps(
                        {
                            "id": d["id"] if c == 0 else f"{d['id']}-c{c}",
                            "submitter": None,
                            "authors": ", ".join(d["authors"]),
                            "title": d["title"],
                            "abstract": d["abstract"],
                            "categories": " ".join(d["categories"]) or "cs.LG",
                            "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}],
                            "update_date": d["published"],
                        }
                    )
                    + "\n"
                )
                n += 1
    return n


def run_import(path: Path, workdir: Path) -> dict:
    db = workdir / f"{path.stem}.db"
    env = {**os.environ, "PYTHONPATH": str(REPO), "TRIAGE_DB": str(db), "TQDM_DISABLE": "1"}
    env.pop("TRIAGE_CONFIG", None)
    t = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "triage", "import", str(path)],
        env=env,
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    # Sampled, not ru_maxrss: a forked child's ru_maxrss counts the parent's pages from
    # before exec, and this parent holds the corpus in memory.
    child, peak = psutil.Process(proc.pid), 0
    while proc.poll() is None:
        with contextlib.suppress(psutil.Error):
            peak = max(peak, child.memory_info().rss)
        time.sleep(0.05)
    seconds = time.perf_counter() - t
    if proc.returncode != 0:
        sys.exit(f"import of {path} failed: {proc.stderr.read().decode().strip()}")
    count = sqlite3.connect(db).execute("SELECT count(*) FROM papers").fetchone()[0]
    return {
        "file": path.name,
        "bytes": path.stat().st_size,
        "papers": count,
        "seconds": round(seconds, 2),
        "papers_per_s": round(count / seconds),
        "peak_rss_mb": round(peak / 2**20, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--copies", type=int, default=10)
    args = ap.parse_args()
    corpus = SHARED / "corpus" / "papers.jsonl"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        oai1 = work / "oai_1x.json"
        oaiN = work / f"oai_{args.copies}x.json"
        make_oai(corpus, oai1, 1)
        make_oai(corpus, oaiN, args.copies)
        rows = [run_import(p, work) for p in (corpus, oai1, oaiN)]
    print(f"{'file':<16}{'MB':>8}{'papers':>10}{'s':>8}{'papers/s':>10}{'peak RSS MB':>13}")
    for r in rows:
        print(
            f"{r['file']:<16}{r['bytes'] / 1e6:>8.1f}{r['papers']:>10}{r['seconds']:>8.1f}"
            f"{r['papers_per_s']:>10}{r['peak_rss_mb']:>13}"
        )
    growth = rows[-1]["peak_rss_mb"] - rows[1]["peak_rss_mb"]
    ok = all(r["peak_rss_mb"] < LIMIT_MB for r in rows)
    print(f"peak RSS growth 1x -> {args.copies}x OAI: {growth:+.1f} MB; all under {LIMIT_MB} MB: {ok}")
    out = REPO / "bench" / "results" / "import.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"rows": rows, "rss_growth_mb": growth, "under_limit": ok}, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
