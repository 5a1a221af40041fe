"""Blind audit of the HYPE badges and the topic labels, rerunnable with a fixed seed.

Write (default): analyze the whole dev corpus as a new user would (every paper, as-of the newest
day), then write to --dir:
  flags.jsonl   100 papers flagged HYPE among those of the last 60 days: id, title, abstract,
                topic label, onset, why;
  labels.jsonl  100 topic labels drawn from those the papers of the last 60 days carry, with 3
                example titles each;
  definition.md what a second reader judges, seeing only these files.

    python bench/audit_hype.py [--seed 0] [--dir bench/labels/hype_audit]
    python bench/audit_hype.py --analyzed bench/results/hype_eval_after.db   # a store already analyzed
                                  # over the whole corpus as of its newest day (eval_hype's last date)

Score: read the readers' judged_flags*.jsonl ({id, defensible, note}) and judged_labels*.jsonl
({label, nameable, note}), one file per reader, and print the shares with 95% Wilson intervals and
how often a later reader agrees with the first.

    python bench/audit_hype.py --score [--dir bench/labels/hype_audit]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import iter_corpus, scratch  # noqa: E402
from bench.eval_hype import wilson  # noqa: E402
from triage import config  # noqa: E402
from triage.embed import Embedder  # noqa: E402
from triage.sources.files import jsonl_paper  # noqa: E402
from triage.store import Store  # noqa: E402
from triage.topics import update_topics  # noqa: E402

WINDOW_DAYS = 60
SAMPLE = 100
DEFINITION = """# What to judge

You see papers an automatic tool flagged HYPE, and topic labels it shows. Judge each from the
file alone; do not look anything up beyond your own knowledge of the field.

A *young topic* is a topic a researcher would name (a method or system family, a defined term,
an acronym the papers define, a benchmark family, a named model line), popular for under six
months at the date given in the line (its "as_of"); "popular" means many papers a month work on
it or with it, not a first mention.

flags.jsonl: for each paper, is the HYPE flag defensible? `defensible: true` when the topic label
names a topic a researcher would name, the paper is materially about or built on that topic
(not a passing word), and it is plausible that the topic became popular within six months
before as_of (the `onset` and `why` say when the tool thinks it did). Otherwise false, with a
short note (e.g. "not a topic: ordinary word", "paper not about it", "topic older than that").
Write judged_flags.jsonl, one line per paper: {"id": ..., "defensible": true|false, "note": "..."}.

labels.jsonl: for each label, with its three example titles, is it *nameable*: a topic a
researcher would recognise and could name (it may be old or young; age does not matter here)?
`nameable: false` for a lone common word, a phrase fragment, or a list of words with nothing in
common. Write judged_labels.jsonl: {"label": ..., "nameable": true|false, "note": "..."}.
"""


def analyze_corpus(db: str, cache: str) -> tuple[Store, date]:
    """The whole corpus in a fresh store, topics and verdicts as of its newest day."""
    if os.path.exists(db):
        os.remove(db)
    store = Store(db)
    store.init()
    store.upsert_papers(jsonl_paper(r) for r in iter_corpus())
    settings = config.load(None, db)
    cache_store = Store(cache)
    cache_store.init()
    as_of = date.fromisoformat(store.latest_day())
    update_topics(store, settings, Embedder(settings.embeddings, cache_store), as_of=as_of, rebuild_all=True)
    return store, as_of


def write(args) -> None:
    if args.analyzed:
        store = Store(args.analyzed)
        as_of = date.fromisoformat(store.latest_day())
        built = {t["as_of"] for t in store.topics()}
        if built != {as_of.isoformat()}:
            sys.exit(f"{args.analyzed}: topics are as of {sorted(built)}, not its newest day {as_of}")
    else:
        store, as_of = analyze_corpus(args.db, args.cache)
    lo = (as_of - timedelta(days=WINDOW_DAYS)).isoformat()
    papers = list(store.iter_papers(since=lo, until=as_of.isoformat()))
    papers = [p for p in papers if p.published > lo]
    topic = store.topic_for([p.id for p in papers])
    # One random stream per file, so a rule that changes the flags does not redraw the labels.
    rng = random.Random(f"{args.seed}-flags")
    flagged = sorted((p for p in papers if topic.get(p.id, {}).get("hype") is True), key=lambda p: p.id)
    out = Path(args.dir)
    out.mkdir(parents=True, exist_ok=True)
    with (out / "flags.jsonl").open("w", encoding="utf-8") as f:
        for p in rng.sample(flagged, min(SAMPLE, len(flagged))):
            t = topic[p.id]
            line = {"id": p.id, "as_of": as_of.isoformat(), "title": p.title, "abstract": p.abstract}
            line.update(label=t["label"], onset=t["onset"], why=t["why"])
            f.write(json.dumps(line, ensure_ascii=False) + "\n")
    titles = defaultdict(list)
    for p in sorted(papers, key=lambda p: p.id):
        if p.id in topic:
            titles[topic[p.id]["label"]].append(p.title)

    # Drawn by a hash of seed and label, not one random stream: a rule that renames a few labels
    # redraws only those, so earlier judgments of the others still count.
    def draw(label: str) -> str:
        return hashlib.sha256(f"{args.seed}-labels:{label}".encode()).hexdigest()

    labels = sorted(titles)
    with (out / "labels.jsonl").open("w", encoding="utf-8") as f:
        for label in sorted(labels, key=draw)[:SAMPLE]:
            rng = random.Random(draw(label))
            examples = rng.sample(titles[label], min(3, len(titles[label])))
            f.write(json.dumps({"label": label, "examples": examples}, ensure_ascii=False) + "\n")
    (out / "definition.md").write_text(DEFINITION, encoding="utf-8")
    print(
        f"as of {as_of}: {len(papers)} papers in the last {WINDOW_DAYS} days, {len(flagged)} flagged HYPE, "
        f"{len(labels)} distinct labels; wrote {out}/flags.jsonl, labels.jsonl, definition.md"
    )


def score(args) -> None:
    """Shares over the items of the current flags.jsonl and labels.jsonl, per reader (one
    judged_<kind>*.jsonl file each): a judgment of an item the current rules no longer draw is left
    out, and an item not judged yet is counted and named. With two readers or more, how often each
    agrees with the first on the items both judged."""
    out = Path(args.dir)
    for drawn, kind, key, field in (
        ("flags.jsonl", "flags", "id", "defensible"),
        ("labels.jsonl", "labels", "label", "nameable"),
    ):
        files = sorted(out.glob(f"judged_{kind}*.jsonl"))
        if not files:
            print(f"{out}/judged_{kind}.jsonl: not there yet")
            continue
        items = [json.loads(line)[key] for line in (out / drawn).open(encoding="utf-8") if line.strip()]
        readers = []
        for judged in files:
            verdict = {}
            for line in judged.open(encoding="utf-8"):
                if line.strip():
                    row = json.loads(line)
                    verdict[row[key]] = bool(row[field])
            readers.append(verdict)
            got = [verdict[i] for i in items if i in verdict]
            k = sum(got)
            missing = [i for i in items if i not in verdict]
            print(
                f"{judged.name}: {field} {k} of {len(got)} = {k / max(1, len(got)):.3f} "
                f"(95% CI {wilson(k, len(got))})"
            )
            if missing:
                print(
                    f"  {len(missing)} of the {len(items)} in {drawn} not judged yet: {', '.join(missing[:5])}"
                )
        for judged, verdict in zip(files[1:], readers[1:], strict=True):
            both = [i for i in items if i in verdict and i in readers[0]]
            same = sum(verdict[i] == readers[0][i] for i in both)
            print(f"  {judged.name} agrees with {files[0].name} on {same} of {len(both)}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", default="bench/labels/hype_audit")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--db", default=scratch("hype_audit.db"))
    ap.add_argument("--cache", default=scratch("hype_emb.db"), help="embedding cache (SQLite)")
    ap.add_argument("--analyzed", help="a store analyzed over the whole corpus as of its newest day")
    ap.add_argument("--score", action="store_true", help="score the judged files instead of writing")
    args = ap.parse_args()
    score(args) if args.score else write(args)


if __name__ == "__main__":
    main()
