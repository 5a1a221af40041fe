"""Hype evaluation on the dev corpus: keyword topics with onsets measured from the data.

The system never sees the keyword lists: it gets the papers (all of them, up to each as-of
date) and returns a verdict per paper; only this script matches keywords to score it.

Ground truth. Each keyword topic's onset is measured with hindsight on the whole corpus with
one rule: pooling all sources, over months with >= 100 papers, the onset is the first month
whose share and the next two months' shares are all >= 25% of the mean of the topic's six
highest monthly shares. At an as-of date, the papers evaluated are those published in the 61
days up to it; a paper matching a young keyword topic (onset <= as-of, age < 6 months) is a
positive; one matching only old topics (the steady list, or keyword topics older than 12
months) is a negative; papers matching a 6-12-month-old topic and nothing younger are left out.

    python bench/eval_hype.py [--as-of 2025-06-01 ...] [--cache bench/results/hype_emb.db] [--cli]

One run scores the same verdicts against four keyword lists (--keywords, all by default): dev
(15 young candidates, 4 old topics; the rules were read against it), heldout (24 young, 9 old,
written before any run on it), fresh (28 young, 12 old, written before the nameable-topic
rules and before any run on it) and bursts (26 young, named by a blind reader from the phrases
whose share rose from about zero in the corpus, bench/burst_candidates.py, after every rule and
before any run on it: how the issue's own check finds young topics). In the held-out lists the
other lists' topics still mark papers as young or old; only papers of that list's young topics are
positives. --steady-negatives takes negatives only from the steady old topics: a fashion of 2024
("vision-language models", "RAG") is old by 2025-07, but its papers in 2025 often carry a younger
fashion no keyword names.

The strict view scores every HYPE flag in the window, not only those on keyword papers: the share
of flagged papers that match a keyword topic (any list) under 6 months old at that date (a lower
bound on precision: a young topic no list names counts as wrong), and the most frequent flagged
labels. --without RULE switches one rule off (the removal test, docs/decisions/hype.md).

--sample F --seed N gives the system a fixed random fraction of the papers (how the rules hold on a
smaller corpus); --truth-ratio R moves the ground truth's onset bar from 25% of the peak (how much
the scores owe to the rule's shape).

--cli gets the verdicts the way a user does: `triage import` of the papers as a JSONL file, then
per date `triage analyze --as-of D` and `triage export --format jsonl` (slower: analyze also
embeds the recent abstracts for fundamentals).

Prints a table and writes bench/results/hype_eval.json. The embedding cache makes reruns fast.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from scipy import sparse

os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import iter_corpus, scratch  # noqa: E402
from triage import config  # noqa: E402
from triage.embed import Embedder  # noqa: E402
from triage.sources.files import jsonl_paper  # noqa: E402
from triage.store import Store  # noqa: E402
from triage.topics import update_topics  # noqa: E402
from triage.topics.build import Structure, count_rows, judge, structure  # noqa: E402
from triage.topics.grid import build_grid, month_index, month_totals  # noqa: E402
from triage.topics.text import embed_texts  # noqa: E402

AS_OF = ["2024-03-01", "2025-03-01", "2025-06-01", "2025-09-01", "2025-12-01", "2026-01-01", "2026-03-31"]
WINDOW_DAYS = 61
# Candidate young topics (case-sensitive patterns are acronyms).
YOUNG = {
    "direct preference optimization": r"(?i:direct preference optimi[sz]ation)|\bDPO\b",
    "mamba": r"(?i:\bmamba\b)",
    "grpo": r"\bGRPO\b|(?i:group relative policy optimi)",
    "test-time scaling": r"(?i:test[- ]time (scaling|compute))",
    "model context protocol": r"(?i:model context protocol)|\bMCP\b",
    "context engineering": r"(?i:context engineering)",
    "large reasoning models": r"(?i:\b(large )?reasoning models?\b)|\bLRMs?\b",
    "rlvr": r"\bRLVR\b|(?i:verifiable rewards?)",
    "deepseek-r1": r"(?i:deepseek[- ]r1)",
    "deep research": r"(?i:deep research)",
    "agentic rl": r"(?i:agentic (rl|reinforcement))",
    "diffusion language models": r"(?i:diffusion (large )?language models?)|\bdLLMs?\b",
    "vision-language-action": r"(?i:vision[- ]language[- ]action)|\bVLAs?\b",
    "agent skills": r"(?i:agent skills?|agentic skills?)",
    "vibe coding": r"(?i:vibe coding)",
}
OLD = {
    "policy gradient": r"(?i:policy gradient)",
    "gaussian process": r"(?i:gaussian process)",
    "monte carlo": r"(?i:monte carlo)",
    "bayesian": r"(?i:\bbayesian\b)",
}
# A second keyword set, written after the rules above were built: `--keywords heldout` scores
# the same verdicts against topics the rules were not built on (one rule, the thin months, came
# from reading a held-out miss at 2025-03).
HELDOUT_YOUNG = {
    "gui agents": r"(?i:\bGUI agents?\b)",
    "computer-use agents": r"(?i:computer[- ]use agents?)|\bCUAs?\b",
    "process reward models": r"(?i:process[- ](supervised )?reward models?)",
    "long chain-of-thought": r"(?i:long (chain[- ]of[- ]thought|CoT))",
    "overthinking": r"(?i:\boverthinking\b)",
    "llm-as-a-judge": r"(?i:LLMs?[- ]as[- ]an?[- ]judges?)",
    "tool-integrated reasoning": r"(?i:tool[- ]integrated reasoning)",
    "flow matching": r"(?i:flow matching)",
    "gaussian splatting": r"(?i:gaussian splatting)|\b3DGS\b",
    "speculative decoding": r"(?i:speculative decoding)",
    "mixture of experts": r"(?i:mixture[- ]of[- ]experts)|\bMoE\b",
    "world models": r"(?i:\bworld models?\b)",
    "thinking with images": r"(?i:thinking with images)",
    "reward hacking": r"(?i:reward hacking)",
    "self-evolving agents": r"(?i:self[- ]evolving agents?)",
    "latent reasoning": r"(?i:latent (reasoning|chain[- ]of[- ]thought))",
    "openai o1": r"(?i:openai[- ]o1)|\bo1\b",
    "swe agents": r"(?i:SWE[- ]bench|software engineering agents?)",
    "kolmogorov-arnold networks": r"(?i:kolmogorov[- ]arnold networks?)|\bKANs?\b",
    "jailbreaks": r"(?i:jailbreak)",
    "retrieval-augmented generation": r"(?i:retrieval[- ]augmented generation)|\bRAG\b",
    "lora": r"\bLoRA\b|(?i:low[- ]rank adaptation)",
    "vision-language models": r"(?i:vision[- ]language models?)|\bVLMs?\b",
    "text-to-video": r"(?i:text[- ]to[- ]video)",
}
HELDOUT_OLD = {
    "support vector machines": r"(?i:support vector machines?)|\bSVMs?\b",
    "random forests": r"(?i:random forests?)",
    "hidden markov models": r"(?i:hidden markov)",
    "variational inference": r"(?i:variational inference)",
    "q-learning": r"(?i:\bq[- ]learning)",
    "k-means": r"(?i:k[- ]means)",
    "principal component analysis": r"(?i:principal component analysis)|\bPCA\b",
    "markov chains": r"(?i:markov chains?)",
    "lstm": r"\bLSTMs?\b|(?i:long short[- ]term memory)",
}
# A third list, "fresh", written before the nameable-topic rework and before any run on it: the
# removal test of every rule kept reads it (docs/decisions/hype.md).
FRESH_YOUNG = {
    "dapo": r"\bDAPO\b",
    "gspo": r"\bGSPO\b|(?i:group sequence policy optimi)",
    "muon optimizer": r"(?i:\bmuon\b)",
    "agent2agent": r"\bA2A\b|(?i:agent2agent|agent[- ]to[- ]agent protocol)",
    "on-policy distillation": r"(?i:on[- ]policy distillation)",
    "test-time training": r"(?i:test[- ]time training)|\bTTT\b",
    "unified multimodal models": r"(?i:unified multimodal (understanding and generation|models?))",
    "adaptive thinking": r"(?i:adaptive (thinking|reasoning))",
    "entropy collapse": r"(?i:entropy collapse)",
    "self/diffusion forcing": r"(?i:(self|diffusion)[- ]forcing)",
    "gpt-5": r"(?i:\bgpt[- ]?5)",
    "qwen3": r"(?i:\bqwen[- ]?3)",
    "gemini 2.5": r"(?i:gemini[- ]?2\.5)",
    "claude code": r"(?i:claude code)",
    "search agents": r"(?i:(agentic|deep) search|search agents?)",
    "multi-head latent attention": r"(?i:multi[- ]head latent attention)|\bMLA\b",
    "native sparse attention": r"(?i:native sparse attention)",
    "sparse autoencoders": r"(?i:sparse autoencoders?)|\bSAEs?\b",
    "visual autoregressive": r"(?i:visual autoregressive|next[- ]scale prediction)",
    "nano banana": r"(?i:nano[- ]banana)",
    "spatial intelligence": r"(?i:spatial intelligence)",
    "coding agents": r"(?i:agentic coding|coding agents?)",
    "generative reward models": r"(?i:generative reward models?)",
    "rubrics as rewards": r"(?i:rubrics? as rewards?|rubric[- ]based (rewards?|RL))",
    "sora": r"(?i:\bsora\b)",
    "veo 3": r"(?i:\bveo[- ]?3)",
    "dinov3": r"(?i:dinov3)",
    "llada": r"(?i:\bllada\b)",
}
FRESH_OLD = {
    "convolutional neural networks": r"(?i:convolutional neural networks?)",
    "recurrent neural networks": r"(?i:recurrent neural networks?)",
    "decision trees": r"(?i:decision trees?)",
    "gradient boosting": r"(?i:gradient boosting|xgboost)",
    "kalman filter": r"(?i:kalman filter)",
    "expectation maximization": r"(?i:expectation[- ]maximi[sz]ation)",
    "knowledge distillation": r"(?i:knowledge distillation)",
    "dropout": r"(?i:\bdropout\b)",
    "batch normalization": r"(?i:batch normali[sz]ation)",
    "contrastive learning": r"(?i:contrastive learning)",
    "graph neural networks": r"(?i:graph neural networks?)|\bGNNs?\b",
    "generative adversarial networks": r"(?i:generative adversarial)|\bGANs?\b",
}
BURSTS_FILE = Path(__file__).resolve().parent / "labels" / "hype_bursts" / "young.jsonl"


def bursts_young(known: dict[str, str]) -> dict[str, str]:
    """A fourth list, "bursts": the young topics a blind reader named among phrases whose share rose
    from about zero in this corpus (bench/burst_candidates.py; bench/labels/hype_bursts/), written
    after every rule and before any run on it, as the issue's own check finds young topics. A name
    another list also has is kept apart ("grpo [bursts]"): each list is scored on its own patterns."""
    rows = [json.loads(line) for line in BURSTS_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {(r["name"] if r["name"] not in known else f"{r['name']} [bursts]"): r["pattern"] for r in rows}


LISTED_YOUNG = {**YOUNG, **HELDOUT_YOUNG, **FRESH_YOUNG}  # the three lists written from memory
BURSTS_YOUNG = bursts_young(LISTED_YOUNG)
ALL_YOUNG = {**LISTED_YOUNG, **BURSTS_YOUNG}
ALL_OLD = {**OLD, **HELDOUT_OLD, **FRESH_OLD}
# young topics, old topics, and the young ones whose papers are scored as positives. Held out,
# the dev topics still mark papers as young (a GRPO paper on VLMs is no old-topic paper); only
# the held-out ones are scored.
KEYWORDS = {
    "dev": (YOUNG, OLD, set(YOUNG)),
    "heldout": ({**YOUNG, **HELDOUT_YOUNG}, {**OLD, **HELDOUT_OLD}, set(HELDOUT_YOUNG)),
    "fresh": (LISTED_YOUNG, ALL_OLD, set(FRESH_YOUNG)),
    "bursts": (ALL_YOUNG, ALL_OLD, set(BURSTS_YOUNG)),
}
# With --truth all (the default), every list reads papers with what all the lists know and
# scores only its own young topics: a paper of a young topic any list names is never a false alarm
# (a search-agent paper that mentions RAG is no old-RAG paper), as the issue's own check counts.
# --truth own reads each list alone, as the lists were first scored.
TRUTH = {"all": lambda name: (ALL_YOUNG, ALL_OLD, KEYWORDS[name][2]), "own": KEYWORDS.__getitem__}


def _without_broad(verdicts):
    return lambda counts, grid, as_of, cfg, kinds=None: verdicts(
        counts, grid, as_of, replace(cfg, max_label_share=1.0), kinds
    )


def _without_collisions(definitions):
    def found(*args):
        d = definitions(*args)
        return replace(d, collisions=set())

    return found


# The removal test: each rule switched off alone (`--without NAME`), the rest as they are; a
# code rule by replacing its function (module.name in triage.topics) with a no-op.
WITHOUT_CODE = {
    "names": ("phrases.written_as_name", lambda f: lambda *a: True),
    "clusters": (
        "build.verdicts",
        lambda f: lambda counts, grid, as_of, cfg, kinds=None: f(counts, grid, as_of, cfg),
    ),
    "broad": ("build.verdicts", _without_broad),
    "split": ("build.split_broad_clusters", lambda f: lambda vectors, cluster_of, *a: cluster_of),
    "facets": ("phrases._facets", lambda f: lambda member, *a: [False] * member.shape[1]),
    "pairings": (
        "phrases._new_pairings",
        lambda f: lambda vocabulary, rising: np.ones(len(rising), dtype=bool),
    ),
    "spellings": ("phrases.join_spellings", lambda f: lambda groups, *a: groups),
    "collisions": ("phrases.definitions", _without_collisions),
}
WITHOUT_CONFIG = {
    "coherence": {"min_coherence": -1.0},
    "collocations": {"min_title_share": 0.0},
    "thin-months": {"partial_month_ratio": 0.0},
}


def matches(rows: list[dict], topics: dict[str, str]) -> dict[str, set[str]]:
    out = {}
    for name, pat in topics.items():
        rx = re.compile(pat)
        out[name] = {r["id"] for r in rows if rx.search(r["title"] + " " + r["abstract"])}
    return out


def ground_truth_onsets(
    rows: list[dict], hits: dict[str, set[str]], ratio: float = 0.25
) -> dict[str, str | None]:
    month = {r["id"]: r["published"][:7] for r in rows}
    total = Counter(month.values())
    months = sorted(m for m, n in total.items() if n >= 100)
    out = {}
    for name, ids in hits.items():
        c = Counter(month[i] for i in ids)
        share = [c[m] / total[m] for m in months]
        if len(ids) < 20:
            out[name] = None
            continue
        peak = sum(sorted(share)[-6:]) / 6
        out[name] = next(
            (months[j] for j in range(len(months) - 2) if min(share[j : j + 3]) >= ratio * peak), None
        )
    return out


def in_sample(paper_id: str, fraction: float, seed: int) -> bool:
    """A fixed random subset: the same papers for the same seed on every run and machine."""
    digest = hashlib.sha256(f"{seed}:{paper_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") < fraction * 2**64


def wilson(k: int, n: int, z: float = 1.96) -> list[float] | None:
    """95% Wilson interval of a proportion k/n: with ~20 positives a date's recall is +-0.2."""
    if not n:
        return None
    p = k / n
    mid = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return [round(max(0.0, mid - half), 3), round(min(1.0, mid + half), 3)]


def _with_ci(value: float | None, ci: list[float] | None) -> str:
    return "–" if value is None else f"{value:.3f} ({ci[0]:.2f}-{ci[1]:.2f})"


def months_between(onset: str, as_of: date) -> int:
    return (as_of.year * 12 + as_of.month) - (int(onset[:4]) * 12 + int(onset[5:7]))


def labels_at(as_of: date, rows, young_hits, old_hits, onsets, scored, steady=False) -> dict[str, bool]:
    """Positives: papers of a `scored` young topic; negatives: papers of old topics only.
    Papers of an unscored young topic, or of a 6-12-month-old one, are left out; with `steady`
    so are those of a young candidate over 12 months old (only the steady topics are negatives)."""
    lo = (as_of - timedelta(days=WINDOW_DAYS)).isoformat()
    window = {r["id"] for r in rows if lo < r["published"] <= as_of.isoformat()}
    young, unscored, middle, old = set(), set(), set(), set()
    for name, ids in young_hits.items():
        onset = onsets[name]
        if onset is None or onset > as_of.isoformat()[:7]:
            continue
        age = months_between(onset, as_of)
        if age < 6:
            (young if name in scored else unscored).update(ids & window)
        else:
            (middle if age <= 12 or steady else old).update(ids & window)
    for ids in old_hits.values():
        old.update(ids & window)
    labels = {i: True for i in young}
    labels.update({i: False for i in old - young - unscored - middle})
    return labels


def score(got: dict[str, dict], labels: dict[str, bool], title, keywords_of, errors: int) -> dict:
    """Precision, recall and null rate of the verdicts `got` against the keyword labels."""
    tp = fp = fn = nulls = 0
    wrong = []
    for pid, truth in labels.items():
        t = got.get(pid)
        verdict = None if t is None else t["hype"]
        if verdict is None:
            nulls += 1
            fn += truth
        elif verdict and truth:
            tp += 1
        elif verdict:
            fp += 1
            wrong.append(("FP", t["kind"], pid, title[pid], t["label"], t["onset"]))
        elif truth:
            fn += 1
            wrong.append(("FN", t["kind"], pid, title[pid], t["label"], t["onset"]))
    for w in wrong[:errors]:
        print("   ", *w)
    pos = sum(labels.values())
    return {
        "positives": pos,
        "negatives": len(labels) - pos,
        "precision": round(tp / (tp + fp), 3) if tp + fp else None,
        "recall": round(tp / pos, 3) if pos else None,
        "precision_ci95": wilson(tp, tp + fp),
        "recall_ci95": wilson(tp, pos),
        "flagged": tp + fp,
        "null_rate": round(nulls / len(labels), 3) if labels else None,
        "wrong_by_kind": dict(Counter(f"{w[0]} {w[1]}" for w in wrong)),
        "wrong_by_keyword": dict(Counter(f"{w[0]} {keywords_of(w[2])}" for w in wrong)),
    }


def strict_view(got: dict[str, dict], window: list[str], young_hits, onsets, as_of: date) -> dict:
    """Every HYPE flag in the window, keyword or not: the share whose paper matches a keyword topic
    (any list) under 6 months old at as-of, and the most frequent flagged labels. The keyword view
    scores only papers that match a keyword, so flags on papers of no keyword are invisible there."""
    young = set()
    for name, ids in young_hits.items():
        onset = onsets[name]
        if onset and onset <= as_of.isoformat()[:7] and months_between(onset, as_of) < 6:
            young |= ids
    flagged = [pid for pid in window if got.get(pid, {}).get("hype") is True]
    k = sum(pid in young for pid in flagged)
    return {
        "papers": len(window),
        "flagged": len(flagged),
        "young_share": round(k / len(flagged), 3) if flagged else None,
        "young_share_ci95": wilson(k, len(flagged)),
        "top_labels": Counter(got[pid]["label"] for pid in flagged).most_common(10),
    }


# Keys that only move verdicts, not which topics exist: a snapshot is reused across them.
VERDICT_ONLY = {
    "popular_ratio",
    "min_popular_share",
    "max_topic_age_months",
    "active_months",
    "active_ratio",
    "min_history_months",
}


def snapshot_key(args, hype) -> str:
    """What decides a rebuild's structure (clusters, rising phrases) besides the code."""
    keys = {k: v for k, v in vars(hype).items() if k not in VERDICT_ONLY}
    run = [args.sample, args.seed, args.without, args.source, args.since, args.one_source]
    return hashlib.sha256(json.dumps([run, keys], sort_keys=True, default=str).encode()).hexdigest()[:12]


def _save(path: Path, s: Structure) -> None:
    m = s.member.tocsc()
    np.savez(
        path,
        cluster_of=s.cluster_of,
        centroids=np.stack(s.centroids[: s.n_clusters]),
        data=m.data,
        indices=m.indices,
        indptr=m.indptr,
        shape=np.asarray(m.shape),
        meta=np.asarray(json.dumps({"terms": s.terms, "kinds": s.kinds, "n": s.n_clusters})),
    )


def _load(path: Path) -> Structure:
    z = np.load(path)
    meta = json.loads(str(z["meta"]))
    n_phrases = len(meta["kinds"]) - meta["n"]
    return Structure(
        cluster_of=z["cluster_of"],
        n_clusters=meta["n"],
        centroids=list(z["centroids"]) + [None] * n_phrases,
        terms=meta["terms"],
        kinds=meta["kinds"],
        member=sparse.csc_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(z["shape"])),
    )


def structure_at(papers, grid, cfg, embedder, path: Path | None) -> Structure:
    """The rebuild's structure of these papers: read from `path` when an earlier run saved it,
    else built (and saved there)."""
    if path is not None and path.exists():
        return _load(path)
    s = structure(papers, embedder.embed(embed_texts(papers, cfg)), grid, cfg)
    if path is not None:
        _save(path, s)
    return s


def replay(store, settings, embedder, as_of: date, window: list[str], path: Path):
    """The verdicts of a rebuild as of `as_of`, with the structure (clusters, rising phrases) read
    from `path` when an earlier run saved it: the verdict rules (onset, age, activity, breadth)
    can then be compared in seconds a date instead of minutes. The store holds the topics as a
    rebuild leaves them (for bench/audit_hype.py --analyzed)."""
    cfg = settings.hype
    papers = list(store.iter_papers(until=as_of.isoformat()))
    totals = month_totals(papers)
    grid = build_grid(totals, month_index(as_of.isoformat()), cfg)
    s = structure_at(papers, grid, cfg, embedder, path)
    rows, counts, assigned = judge(papers, s, grid, as_of, cfg)
    store.replace_topics(rows, assigned, count_rows(counts, grid), totals)
    got = {pid: rows[assigned[pid] - 1] for pid in window if pid in assigned}
    flagged = sum(r["hype"] is True for r in got.values())
    return got, {"topics": len(rows), "hype_true_in_window": flagged}


def _triage(db: str, config_path: str | None, *args: str) -> str:
    cmd = [
        sys.executable,
        "-m",
        "triage",
        "--db",
        db,
        *(["--config", config_path] if config_path else []),
        *args,
    ]
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def cli_import(db: str, config_path: str | None, papers: list[dict], cache: str) -> None:
    """`triage import` of the papers as one JSONL file; title vectors seeded from the cache."""
    with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as f:
        f.writelines(json.dumps(r) + "\n" for r in papers)
    _triage(db, config_path, "import", f.name)
    os.remove(f.name)
    if os.path.exists(cache):
        store = Store(db)
        store.conn.execute("ATTACH DATABASE ? AS cache", (cache,))
        store.conn.execute("INSERT OR IGNORE INTO embeddings SELECT * FROM cache.embeddings")
        store.conn.commit()
        store.close()


def cli_verdicts(db: str, config_path: str | None, as_of: str) -> dict[str, dict]:
    """Per paper id, the topic as `triage export` gives it after `triage analyze --as-of`."""
    _triage(db, config_path, "analyze", "--as-of", as_of)
    got = {}
    for line in _triage(db, config_path, "export", "--format", "jsonl").splitlines():
        d = json.loads(line)
        if d["topic"]:
            got[d["id"]] = {"hype": d["hype"], "kind": "cli", **d["topic"]}
    return got


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--as-of", nargs="*", default=AS_OF)
    ap.add_argument("--cache", default=scratch("hype_emb.db"), help="embedding cache (SQLite)")
    ap.add_argument("--db", default=scratch("hype_eval.db"))
    ap.add_argument("--out", default="bench/results/hype_eval.json")
    ap.add_argument("--config", help="a config.toml whose [hype] keys override the defaults")
    ap.add_argument(
        "--embed-abstracts", action="store_true", help="embed title+abstract (default: titles, fast)"
    )
    ap.add_argument("--source", help="keep only this source's papers (a subset run)")
    ap.add_argument(
        "--one-source",
        action="store_true",
        help="drop the records' source (all papers one source, as an import of records without one)",
    )
    ap.add_argument("--since", help="keep only papers published on or after this date")
    ap.add_argument(
        "--sample",
        type=float,
        default=1.0,
        help="give the system only this random fraction of the papers (ground truth stays measured on all)",
    )
    ap.add_argument("--seed", type=int, default=0, help="which random sample --sample draws")
    ap.add_argument(
        "--truth-ratio",
        type=float,
        default=0.25,
        help="the ground truth's onset bar, a fraction of the topic's peak (to see how much the "
        "scores owe to the rule's shape)",
    )
    ap.add_argument(
        "--keywords",
        nargs="+",
        choices=sorted(KEYWORDS),
        default=["dev", "heldout", "fresh", "bursts"],
        help="which keyword lists score the verdicts: dev (the rules were read against it), heldout, "
        "fresh (written before the nameable-topic rework), bursts (named blind from the corpus's word "
        "bursts, after every rule); one run scores all given",
    )
    ap.add_argument(
        "--truth",
        choices=sorted(TRUTH),
        default="all",
        help="what marks a paper young or old: every list (default) or only the scored list's own",
    )
    ap.add_argument(
        "--steady-negatives",
        action="store_true",
        help="negatives only from the steady old topics, not from young candidates over 12 months old",
    )
    ap.add_argument(
        "--without",
        choices=sorted({**WITHOUT_CODE, **WITHOUT_CONFIG}),
        help="switch one rule off (the removal test: does the score fall without it?)",
    )
    ap.add_argument("--errors", type=int, default=0, help="print this many wrong verdicts per date")
    ap.add_argument("--cli", action="store_true", help="verdicts through triage import / analyze / export")
    ap.add_argument(
        "--snapshots",
        help="folder of saved rebuild structures (clusters, rising phrases) per date and settings: a "
        "rerun that changes only verdict rules (onset, age, activity) reads them instead of rebuilding. "
        "Empty it after changing how topics are found",
    )
    args = ap.parse_args()
    rows = [
        r
        for r in iter_corpus()
        if (not args.source or r["source"] == args.source) and r["published"] >= (args.since or "")
    ]
    all_young, all_old = matches(rows, ALL_YOUNG), matches(rows, ALL_OLD)

    def keywords_of(pid: str) -> str:
        """The keyword topics a paper matches, to count wrong verdicts by topic."""
        return "+".join(n for hits in (all_young, all_old) for n, ids in hits.items() if pid in ids) or "none"

    onsets = ground_truth_onsets(rows, all_young, args.truth_ratio)
    print("ground-truth onsets:", json.dumps(onsets))
    rows = [r for r in rows if in_sample(r["id"], args.sample, args.seed)]
    if os.path.exists(args.db):
        os.remove(args.db)
    # The corpus's own source per paper: topics normalise shares per source.
    papers = [{**r, "source": None} if args.one_source else r for r in rows]
    store = Store(args.db)
    store.init()
    if args.cli:
        cli_import(args.db, args.config, papers, args.cache)
    else:
        store.upsert_papers(jsonl_paper(r) for r in papers)
    settings = config.load(args.config, args.db)
    settings = replace(
        settings,
        hype=replace(
            settings.hype, embed_abstracts=args.embed_abstracts, **WITHOUT_CONFIG.get(args.without, {})
        ),
    )
    if args.without in WITHOUT_CODE:
        where, switch_off = WITHOUT_CODE[args.without]
        module, name = where.split(".")
        module = importlib.import_module(f"triage.topics.{module}")
        setattr(module, name, switch_off(getattr(module, name)))
    cache = Store(args.cache)
    cache.init()
    embedder = Embedder(settings.embeddings, cache)
    title = {r["id"]: r["title"] for r in rows}
    results = []
    for d in args.as_of:
        as_of = date.fromisoformat(d)
        lo = (as_of - timedelta(days=WINDOW_DAYS)).isoformat()
        window = [r["id"] for r in rows if lo < r["published"] <= d]
        t0 = time.perf_counter()
        if args.cli:
            got, summary = cli_verdicts(args.db, args.config, d), {"topics": None}
        elif args.snapshots:
            Path(args.snapshots).mkdir(parents=True, exist_ok=True)
            path = Path(args.snapshots) / f"{d}_{snapshot_key(args, settings.hype)}.npz"
            got, summary = replay(store, settings, embedder, as_of, window, path)
        else:
            summary = update_topics(store, settings, embedder, as_of=as_of, rebuild_all=True)
            got = store.topic_for(window)
        secs = time.perf_counter() - t0
        strict = strict_view(got, window, all_young, onsets, as_of)
        print(
            json.dumps({"as_of": d, "strict": strict, "topics": summary["topics"], "seconds": round(secs, 1)})
        )
        for name in args.keywords:
            young, old, scored = TRUTH[args.truth](name)
            young_hits = {n: all_young[n] for n in young}
            old_hits = {n: all_old[n] for n in old}
            labels = labels_at(as_of, rows, young_hits, old_hits, onsets, scored, args.steady_negatives)
            res = score(got, labels, title, keywords_of, args.errors)
            res.update(
                keywords=name,
                as_of=d,
                young_topics=sorted(
                    n
                    for n, o in onsets.items()
                    if n in scored and o and o <= d[:7] and months_between(o, as_of) < 6
                ),
                strict=strict,
                topics=summary["topics"],
                seconds=round(secs, 1),
            )
            results.append(res)
            print(json.dumps({k: v for k, v in res.items() if k != "strict"}))
    for name in args.keywords:
        print(f"\nkeywords: {name}")
        print(
            "| as-of | positives | negatives | flagged | precision (95% CI) | recall (95% CI) | null rate "
            "| young keyword topics |"
        )
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for r in results:
            if r["keywords"] == name:
                print(
                    f"| {r['as_of']} | {r['positives']} | {r['negatives']} | {r['flagged']} | "
                    f"{_with_ci(r['precision'], r['precision_ci95'])} | "
                    f"{_with_ci(r['recall'], r['recall_ci95'])} | {r['null_rate']} | "
                    f"{', '.join(r['young_topics'])} |"
                )
    print(
        "\nstrict view: every HYPE flag in the 61-day window; the share whose paper matches a keyword topic"
    )
    print("(any list) under 6 months old at that date, and the most frequent flagged labels")
    print("| as-of | papers | flagged | young-keyword share (95% CI) | top flagged labels |")
    print("| --- | --- | --- | --- | --- |")
    for r in results:
        if r["keywords"] == args.keywords[0]:
            st = r["strict"]
            top = "; ".join(f"{lab} {n}" for lab, n in st["top_labels"][:6])
            print(
                f"| {r['as_of']} | {st['papers']} | {st['flagged']} | "
                f"{_with_ci(st['young_share'], st['young_share_ci95'])} | {top} |"
            )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"onsets": onsets, "results": results}, indent=2))


if __name__ == "__main__":
    main()
