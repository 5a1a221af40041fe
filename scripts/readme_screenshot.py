"""Write docs/today.png, the README's picture of the daily page: Today at 1280 px in Chromium over a
real slice of the dev corpus (every paper of the last week held, one in four of the 18 months before:
enough history for topic verdicts, small enough to analyse in minutes), imported and analysed by the
real CLI, with one open attempt so the page shows what fits it.

The database is built once under bench/results/ (import + analyze: a few minutes, embeddings
cached) and reused on later runs.

    python scripts/readme_screenshot.py [--out docs/today.png] [--since 2024-10-01] [--every 4]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.web_bench import corpus_path  # noqa: E402

RESULTS = ROOT / "bench" / "results"
CHROMIUM = "/usr/bin/chromium"
BOTTLENECK = (
    "My reasoning model's chains of thought grow longer during reinforcement-learning post-training "
    "without the answers getting more accurate, and a length penalty made accuracy drop"
)


def build(slice_path: Path, since: str, every: int, full_from: str, env: dict) -> None:
    """Import the slice of the corpus and analyse it, through the CLI a user would run."""
    with corpus_path().open(encoding="utf-8") as src, slice_path.open("w", encoding="utf-8") as out:
        for n, line in enumerate(src):
            published = json.loads(line)["published"]
            if published >= full_from or (published >= since and n % every == 0):
                out.write(line)
    for args in (["init"], ["import", str(slice_path)], ["analyze"]):
        subprocess.run([sys.executable, "-m", "triage", *args], env=env, cwd=RESULTS, check=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "docs" / "today.png"))
    ap.add_argument("--since", default="2024-10-01")
    ap.add_argument("--every", type=int, default=4, help="keep one in this many papers before the last week")
    ap.add_argument("--full-from", default="2026-03-24", help="keep every paper from this day on")
    args = ap.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = f"readme_{args.since}_{args.every}_{args.full_from}"
    db = RESULTS / f"{name}.db"
    env = {**os.environ, "TRIAGE_DB": str(db), "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    env.pop("TRIAGE_CONFIG", None)
    env.pop("TRIAGE_WEB_PASSWORD", None)
    if not db.exists():
        build(RESULTS / f"{name}.jsonl", args.since, args.every, args.full_from, env)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "triage", "serve", "--port", str(port), "--no-schedule"],
        env=env,
        cwd=RESULTS,
        stdout=subprocess.DEVNULL,
    )
    try:
        session = requests.Session()
        for _ in range(150):
            try:
                token = session.get(base + "/api/csrf", timeout=2).json()["csrf_token"]
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        if not session.get(base + "/api/queue", timeout=10).json()["queue"]:
            session.post(
                base + "/api/attempts",
                json={
                    "problem": "Efficient reasoning",
                    "tried": "A length penalty",
                    "bottleneck": BOTTLENECK,
                },
                headers={"X-CSRFToken": token},
                timeout=600,
            ).raise_for_status()
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM,
                args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
            )
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(base + "/", timeout=120_000)
            Path(args.out).parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=args.out)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"wrote {args.out} ({Path(args.out).stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
