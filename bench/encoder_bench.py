"""Embedding backends side by side: throughput, agreement with torch, and eval parity.

    python bench/encoder_bench.py [--texts 2000] [--backends torch onnx onnx-int8] [--no-evals]

A backend that falls back to torch (its export failed) is reported as unavailable. On the same
fixed-seed sample of dev-corpus papers (their titles, and "title. abstract" as analyze embeds
them), each backend encodes the texts in chunks, the backends taking turns chunk by chunk in rotating order, so load from other processes
on a shared machine falls on all of them alike. Throughput is texts/s of Embedder.encode (no cache).
Agreement: cosine of each backend's vector with torch's for the same text (mean, 1st percentile,
minimum) and the share of each abstract's 10 nearest neighbours (among the sample) kept.

Quality parity runs the evals as they are, once per backend, through a config that sets only
[embeddings] backend: bench/eval_fundamentals.py --split dev (recall@3, precision@1 on the dev papers)
and bench/eval_hype.py at its default dates (precision and recall per date). A backend keeps
parity when every eval number is within 0.02 of torch's and the 1st-percentile cosine is >= 0.98.

Table to stdout, JSON to bench/results/encoder_bench.json (or --out); exported models, eval stores and the
title cache of the hype eval under bench/results/encoder/ (reruns of the evals are faster).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.corpus import iter_corpus  # noqa: E402
from triage.config import EmbeddingsConfig  # noqa: E402
from triage.embed import Embedder, paper_text  # noqa: E402

RESULTS = REPO / "bench" / "results"
WORK = RESULTS / "encoder"
CHUNK = 100
PARITY_DELTA, PARITY_P1_COSINE = 0.02, 0.98


def sample(n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    """(titles, title-and-abstract texts) of n fixed-seed corpus papers."""
    rows = sorted(iter_corpus(), key=lambda r: r["id"])
    picked = random.Random(seed).sample(rows, n)
    return [r["title"] for r in picked], [paper_text(r["title"], r["abstract"]) for r in picked]


def throughput(embedders: dict[str, Embedder], texts: list[str]) -> tuple[dict[str, float], dict]:
    """texts/s per backend, chunks taken in turns (rotating order), and each backend's vectors."""
    secs = dict.fromkeys(embedders, 0.0)
    vectors = {b: np.zeros((len(texts), 384), dtype=np.float32) for b in embedders}
    names = list(embedders)
    for i, start in enumerate(range(0, len(texts), CHUNK)):
        chunk = texts[start : start + CHUNK]
        for b in names[i % len(names) :] + names[: i % len(names)]:
            t0 = time.perf_counter()
            vectors[b][start : start + len(chunk)] = embedders[b].encode(chunk)
            secs[b] += time.perf_counter() - t0
    return {b: round(len(texts) / s, 1) for b, s in secs.items()}, vectors


def agreement(v: np.ndarray, ref: np.ndarray, k: int = 10) -> dict:
    cos = (v * ref).sum(axis=1)
    sims_v, sims_r = v @ v.T, ref @ ref.T
    np.fill_diagonal(sims_v, -2)
    np.fill_diagonal(sims_r, -2)
    top_v = np.argsort(-sims_v, axis=1)[:, :k]
    top_r = np.argsort(-sims_r, axis=1)[:, :k]
    kept = np.mean([len(set(a) & set(b)) / k for a, b in zip(top_v, top_r, strict=True)])
    return {
        "cosine_mean": round(float(cos.mean()), 5),
        "cosine_p1": round(float(np.percentile(cos, 1)), 5),
        "cosine_min": round(float(cos.min()), 5),
        "top10_neighbours_kept": round(float(kept), 3),
    }


def run_evals(backend: str) -> dict:
    """The fundamentals and hype evals, unchanged, with only [embeddings] backend set."""
    WORK.mkdir(parents=True, exist_ok=True)
    cfg = WORK / f"config-{backend}.toml"
    cfg.write_text(f'[embeddings]\nbackend = "{backend}"\nexport_dir = "{WORK / "models"}"\n')
    env = {**os.environ, "TRIAGE_CONFIG": str(cfg), "PYTHONPATH": str(REPO)}
    py = sys.executable
    # The dev split: the test split is scored once, for the shipped model, not once per backend.
    subprocess.run(
        [py, "bench/eval_fundamentals.py", "--split", "dev"],
        cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    fund = json.loads((RESULTS / "fundamentals_eval_dev.json").read_text())["dev"]
    out = WORK / f"hype-{backend}.json"
    subprocess.run(
        [py, "bench/eval_hype.py", "--config", str(cfg), "--db", str(WORK / f"hype-{backend}.db"),
         "--cache", str(WORK / "hype-cache.db"), "--out", str(out)],
        cwd=REPO, env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    hype = json.loads(out.read_text())["results"]
    return {
        "fundamentals_recall_at_3": fund["recall_at_3"]["value"],
        "fundamentals_precision_at_1": fund["precision_at_1"]["value"],
        **{f"hype_{r['keywords']}_{r['as_of']}_precision": r["precision"] for r in hype},
        **{f"hype_{r['keywords']}_{r['as_of']}_recall": r["recall"] for r in hype},
    }


def parity(evals: dict, ref: dict, agree: dict) -> tuple[bool, float | None]:
    """(keeps parity, largest eval difference from torch)."""
    diffs = [abs(evals[k] - ref[k]) for k in ref if evals.get(k) is not None and ref[k] is not None]
    worst = max(diffs) if diffs else None
    p1 = min(a["cosine_p1"] for a in agree.values())
    return (worst is not None and worst <= PARITY_DELTA and p1 >= PARITY_P1_COSINE), worst


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--texts", type=int, default=2000, help="titles and abstracts each")
    ap.add_argument("--backends", nargs="+", default=list(EmbeddingsConfig.BACKENDS))
    ap.add_argument("--no-evals", action="store_true", help="throughput and agreement only")
    ap.add_argument("--out", default=str(RESULTS / "encoder_bench.json"))
    ap.add_argument("--eval-backends", nargs="+", help="run the evals for these backends only (default: all)")
    args = ap.parse_args()
    if args.backends[0] != "torch":
        sys.exit("the first backend must be torch: the others are compared with it")
    import torch

    titles, abstracts = sample(args.texts)
    embedders, setup = {}, {}
    for b in args.backends:
        emb = Embedder(EmbeddingsConfig(backend=b, export_dir=str(WORK / "models")))
        t0 = time.perf_counter()
        if emb.backend != b:
            print(f"{b}: unavailable (fell back to torch); left out", file=sys.stderr)
            continue
        emb.encode(titles[:32] + abstracts[:32])  # warm-up: first-call allocations and graph setup
        setup[b] = round(time.perf_counter() - t0, 1)
        embedders[b] = emb
    result = {
        "machine": {
            "cpus": os.cpu_count(),
            "torch_threads": torch.get_num_threads(),
            "load_average_start": os.getloadavg(),
            "processor": platform.processor() or platform.machine(),
        },
        "texts": args.texts,
        "load_and_export_s": setup,
        "backends": {},
    }
    evals = {}  # first: they take longest and a failure should not waste the timing run
    for b in [] if args.no_evals else [b for b in embedders if b in (args.eval_backends or embedders)]:
        evals[b] = run_evals(b)
        print(b, json.dumps(evals[b]), file=sys.stderr, flush=True)
    rates, agree = {}, {}
    for kind, texts in (("titles", titles), ("abstracts", abstracts)):
        rates[kind], vectors = throughput(embedders, texts)
        agree[kind] = {b: agreement(vectors[b], vectors["torch"]) for b in embedders}
    result["machine"]["load_average_end"] = os.getloadavg()
    for b in embedders:
        row = {
            "titles_per_s": rates["titles"][b],
            "abstracts_per_s": rates["abstracts"][b],
            "titles_speedup": round(rates["titles"][b] / rates["titles"]["torch"], 2),
            "abstracts_speedup": round(rates["abstracts"][b] / rates["abstracts"]["torch"], 2),
            "agreement": {kind: agree[kind][b] for kind in agree},
        }
        if b in evals:
            row["evals"] = evals[b]
            row["parity"], row["max_eval_diff"] = parity(
                evals[b], evals["torch"], {k: agree[k][b] for k in agree}
            )
        result["backends"][b] = row
    print_table(result)
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")


def print_table(result: dict) -> None:
    print(
        "| backend | titles/s (x torch) | abstracts/s (x torch) | cosine mean / p1 (abstracts) | "
        "cosine mean / p1 (titles) | top-10 kept | recall@3 | precision@1 | max eval diff | parity |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for b, r in result["backends"].items():
        a, t = r["agreement"]["abstracts"], r["agreement"]["titles"]
        ev = r.get("evals", {})
        print(
            f"| {b} | {r['titles_per_s']} ({r['titles_speedup']}x) | {r['abstracts_per_s']} "
            f"({r['abstracts_speedup']}x) | {a['cosine_mean']:.4f} / {a['cosine_p1']:.4f} | "
            f"{t['cosine_mean']:.4f} / {t['cosine_p1']:.4f} | {a['top10_neighbours_kept']} | "
            f"{ev.get('fundamentals_recall_at_3', '-')} | {ev.get('fundamentals_precision_at_1', '-')} | "
            f"{r.get('max_eval_diff', '-')} | {r.get('parity', '-')} |"
        )
    m = result["machine"]
    print(
        f"{result['texts']} titles and {result['texts']} abstracts; {m['cpus']} CPUs, torch threads "
        f"{m['torch_threads']}, load average {m['load_average_start'][0]:.1f} at start, "
        f"{m['load_average_end'][0]:.1f} at end."
    )


if __name__ == "__main__":
    main()
