"""The labels a day's papers carry, from an analyzed store: how many papers each label covers on
the newest day and over the last 30 days, and its kind and verdict, biggest first. The check
behind "no topic label covers more than max_label_share of a day's papers".

    python bench/label_report.py --db bench/results/hype_eval_after.db [--top 25]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from triage.store import Store  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="a store after `triage analyze` (or an eval run)")
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    store = Store(args.db)
    last = store.latest_day()
    lo = (date.fromisoformat(last) - timedelta(days=30)).isoformat()
    papers = [p for p in store.iter_papers(since=lo, until=last)]
    topic = store.topic_for([p.id for p in papers])
    day = [p.id for p in papers if p.published == last]
    by_day = Counter(topic[i]["label"] for i in day if i in topic)
    by_month = Counter(topic[p.id]["label"] for p in papers if p.id in topic)
    info = {t["label"]: t for t in topic.values()}
    print(f"{len(day)} papers on {last}, {len(papers)} since {lo}")
    print("| label | kind | hype | onset | papers on the day (share) | papers in 30 days (share) |")
    print("| --- | --- | --- | --- | --- | --- |")
    for label, n in by_month.most_common(args.top):
        t = info[label]
        print(
            f"| {label} | {t['kind']} | {t['hype']} | {t['onset'] or ''} | {by_day[label]} "
            f"({by_day[label] / max(1, len(day)):.1%}) | {n} ({n / max(1, len(papers)):.1%}) |"
        )
    print(
        f"largest share of the day's papers under one label: {max(by_day.values(), default=0) / max(1, len(day)):.1%}"
    )


if __name__ == "__main__":
    main()
