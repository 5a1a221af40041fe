"""Known-item evaluation of the gate: does the paper that would unblock a researcher unlock?

    python bench/eval_gate.py                 # report every method on each case set (A, B, smoke)
    python bench/eval_gate.py --fit A         # fit the fusion weights and the floor on A, report on B
    python bench/eval_gate.py --fit B         # ... and the other way round

Cases: bench/labels/gate_cases_{A,B}.jsonl, written by two writers who saw only the rule
(bench/labels/README.md) and their 90 target papers (bench/draw_samples.py); a case is a practitioner's
attempt {problem, tried, bottleneck} whose target paper would unblock it. gate_cases_smoke.jsonl holds
5 cases written while building the harness; it is a smoke test, never counted.

The real path: a SQLite store under bench/results/ holding the whole corpus up to 2026-03-31,
triage.analyze.analyze() (topics, embeddings, fundamentals), and the gate's own window, signals, fusion
and adjustments. Every paper published 2026-02-01..2026-03-31 is a candidate (~2,400), the same set for
every method. Metrics: hit@5, hit@20 and MRR (of the target's rank), each with a 95% bootstrap interval
over cases; `unlocked@5` is hit@5 of what the gate would actually unlock (the floor and weak matches).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import iter_corpus  # noqa: E402
from triage import config, gate  # noqa: E402
from triage import fundamentals as fund  # noqa: E402
from triage.analyze import analyze  # noqa: E402
from triage.embed import Embedder  # noqa: E402
from triage.sources.files import jsonl_paper  # noqa: E402
from triage.store import Store  # noqa: E402

LABELS = ROOT / "bench" / "labels"
RESULTS = ROOT / "bench" / "results"
SINCE, UNTIL = "2026-02-01", "2026-03-31"
SETS = ("A", "B", "smoke")
BOOT, SEED = 2000, 20261207
NEGATIVES = 50  # random window papers per case, the floor's unrelated class

GRID = {
    "dense_context": (0.0, 0.2, 0.35, 0.5, 0.65),
    "lexical_context": (0.0, 0.2, 0.35, 0.5, 0.65),
    "lexical_share": (0.3, 0.4, 0.5, 0.6, 0.7),
    "k": (5.0, 20.0, 60.0),
}


def open_store() -> tuple[Store, config.Settings]:
    """The eval store: the corpus up to UNTIL, analysed so that every window paper is embedded and linked."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    db = RESULTS / "gate_eval.db"
    settings = config.load(None, str(db))
    settings.gate.recent_days = (dt.date.fromisoformat(UNTIL) - dt.date.fromisoformat(SINCE)).days
    store = Store(db)
    store.init()
    if store.count_papers() == 0:
        store.upsert_papers(jsonl_paper(r) for r in iter_corpus() if r["published"] <= UNTIL)
    analyze(store, settings, as_of=UNTIL, progress=True)
    return store, settings


def load_cases(name: str) -> list[dict]:
    path = LABELS / f"gate_cases_{name}.jsonl"
    if not path.exists():
        return []
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if "skip" not in r]


@dataclasses.dataclass
class Case:
    target: int  # index of the target in the window
    sig: gate.Signals
    closeness_bottleneck: np.ndarray  # catalogue order
    closeness_attempt: dict  # Fusion -> catalogue-order closeness (filled lazily)


def prepare(win: gate.Window, embedder: Embedder, cases: list[dict]) -> list[Case]:
    index = {pid: i for i, pid in enumerate(win.ids)}
    out = []
    for c in cases:
        if c["target"] not in index:
            print(f"target {c['target']} is not in the window; case left out", file=sys.stderr)
            continue
        sig = gate.signals(win, embedder, gate.Attempt(c["problem"], c["tried"], c["bottleneck"]))
        out.append(Case(index[c["target"]], sig, closeness(embedder, sig.query[2]), {}))
    return out


def closeness(embedder: Embedder, vec: np.ndarray) -> np.ndarray:
    near = gate.fundamental_closeness(embedder, vec / (float(np.linalg.norm(vec)) or 1.0))
    return np.array([near.get(f.id, 0.0) for f in fund.catalogue()], dtype=np.float32)


def rank_of(scores: np.ndarray, target: int) -> int:
    """1-based rank of the target; ties count against it."""
    return int(
        (scores > scores[target]).sum()
        + (scores[np.arange(len(scores)) != target] == scores[target]).sum()
        + 1
    )


def attempt_closeness(embedder: Embedder, case: Case, fusion: gate.Fusion) -> np.ndarray:
    key = fusion.dense_context
    if key not in case.closeness_attempt:
        case.closeness_attempt[key] = closeness(embedder, gate._blend(case.sig.query, fusion.dense_context))
    return case.closeness_attempt[key]


def method_scores(win, embedder, settings, case: Case, fusion: gate.Fusion, coef) -> dict[str, np.ndarray]:
    """Every method's scores over the window for one case (higher is better)."""
    sig = case.sig
    f = gate.fuse(sig, fusion, coef)
    old_bonus = 0.15 * (win.links @ case.closeness_bottleneck)  # the gate before: bottleneck cosine
    final, _ = gate.adjust(win, f, attempt_closeness(embedder, case, fusion), settings)
    return {
        "cosine (bottleneck)": sig.cosine[2],
        "BM25 (bottleneck)": sig.lexical[2],
        "previous gate": (sig.cosine[2] + old_bonus) * np.where(win.hype, 0.85, 1.0),
        "cosine (attempt)": f.cosine,
        "BM25 (attempt)": f.lexical,
        "fusion (attempt)": f.fused,
        "gate": final,
        "_clears": gate.relevant(f, settings),
    }


def unlocked(scores: np.ndarray, clears: np.ndarray, settings) -> list[int]:
    """What log_attempt unlocks: the top ones clearing the floor, else the closest few (weak)."""
    top = list(np.argsort(-scores, kind="stable")[: settings.gate.unlock_per_attempt])
    chosen = [i for i in top if clears[i]]
    return chosen or top[: settings.gate.weak_matches]


def metrics(ranks: list[int], rng: np.random.Generator) -> dict:
    r = np.array(ranks, dtype=float)
    values = {"hit@5": r <= 5, "hit@20": r <= 20, "MRR": 1 / r}
    out = {"cases": len(r)}
    for name, v in values.items():
        v = v.astype(float)
        boot = v[rng.integers(0, len(v), (BOOT, len(v)))].mean(axis=1)
        out[name] = [
            round(float(v.mean()), 3),
            round(float(np.quantile(boot, 0.025)), 3),
            round(float(np.quantile(boot, 0.975)), 3),
        ]
    return out


def evaluate(win, embedder, settings, cases: list[Case], fusion, coef) -> dict:
    rng = np.random.default_rng(SEED)
    ranks: dict[str, list[int]] = {}
    hits_unlocked = []
    passed = weak = 0
    window_passing = []
    for c in cases:
        scores = method_scores(win, embedder, settings, c, fusion, coef)
        clears = scores.pop("_clears")
        for name, s in scores.items():
            ranks.setdefault(name, []).append(rank_of(s, c.target))
        chosen = unlocked(scores["gate"], clears, settings)
        hits_unlocked.append(c.target in chosen)
        passed += sum(1 for i in chosen if clears[i])
        weak += not any(clears[i] for i in chosen)
        window_passing.append(int(clears.sum()))
    report = {name: metrics(r, rng) for name, r in ranks.items()}
    if cases:
        v = np.array(hits_unlocked, dtype=float)
        boot = v[rng.integers(0, len(v), (BOOT, len(v)))].mean(axis=1)
        report["gate"]["unlocked@5"] = [
            round(float(v.mean()), 3),
            round(float(np.quantile(boot, 0.025)), 3),
            round(float(np.quantile(boot, 0.975)), 3),
        ]
        report["gate"]["unlocks_per_attempt"] = round(passed / len(cases), 2)
        report["gate"]["weak_share"] = round(weak / len(cases), 3)
        report["gate"]["window_passing_median"] = int(np.median(window_passing))
    return report


def fit_fusion(win, cases: list[Case]) -> gate.Fusion:
    """The grid point with the best MRR of the fused ranking (adjustments off) on the fitting cases."""
    best, best_mrr = None, -1.0
    keys = list(GRID)
    for values in np.array(np.meshgrid(*GRID.values(), indexing="ij")).reshape(len(keys), -1).T:
        fusion = gate.Fusion(**dict(zip(keys, (float(v) for v in values), strict=True)))
        mrr = np.mean([1 / rank_of(gate.fuse(c.sig, fusion).fused, c.target) for c in cases])
        if mrr > best_mrr:
            best, best_mrr = fusion, mrr
    print(f"fitted fusion {best} (MRR {best_mrr:.3f} on the fitting cases)")
    return best


def fit_floor(win, cases: list[Case], fusion, keep: float) -> tuple[tuple, float, float]:
    """The floor's two parts, each keeping `keep` of the targets the fused ranking puts in its top 5
    (so the floor rarely hides a find): a logistic match model of targets against random window
    papers (how far a paper stands out of the window), and a cosine floor (how close it is at all)."""
    from sklearn.linear_model import LogisticRegression

    rng = np.random.default_rng(SEED)
    x, y, found = [], [], []
    for c in cases:
        f = gate.fuse(c.sig, fusion)
        feats = np.stack([f.cosine, gate._z(f.cosine), gate._z(f.lexical)], axis=1)
        negatives = rng.choice(np.delete(np.arange(len(win.ids)), c.target), NEGATIVES, replace=False)
        x += [feats[c.target], *feats[negatives]]
        y += [1] + [0] * NEGATIVES
        if rank_of(f.fused, c.target) <= 5:
            found.append(feats[c.target])
    model = LogisticRegression(class_weight="balanced", max_iter=1000).fit(np.array(x), np.array(y))
    coef = (round(float(model.intercept_[0]), 3), *(round(float(v), 3) for v in model.coef_[0]))
    found = np.array(found)
    match = 1 / (1 + np.exp(-(coef[0] + found @ np.array(coef[1:]))))
    min_match = round(float(np.quantile(match, 1 - keep)), 3)
    min_similarity = round(float(np.quantile(found[:, 0], 1 - keep)), 3)
    print(
        f"fitted MATCH_COEF {coef}; min_match {min_match}, min_similarity {min_similarity}: each keeps "
        f"{keep:.0%} of the {len(found)} top-5 targets"
    )
    return coef, min_match, min_similarity


def print_table(name: str, report: dict) -> None:
    print(f"\n{name} ({next(iter(report.values()))['cases']} cases)")
    print("| method | hit@5 | hit@20 | MRR |")
    print("| --- | --- | --- | --- |")
    for method, m in report.items():
        cells = [f"{m[k][0]:.2f} [{m[k][1]:.2f}, {m[k][2]:.2f}]" for k in ("hit@5", "hit@20", "MRR")]
        print(f"| {method} | {' | '.join(cells)} |")
    g = report["gate"]
    u = g["unlocked@5"]
    print(
        f"gate unlocks: hit {u[0]:.2f} [{u[1]:.2f}, {u[2]:.2f}]; {g['unlocks_per_attempt']} clear the floor per "
        f"attempt; weak-match only {g['weak_share']:.0%}; window papers clearing the floor per attempt "
        f"(median) {g['window_passing_median']}"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fit", choices=["A", "B"], help="fit fusion and floor on this set, report on the other")
    ap.add_argument("--keep", type=float, default=0.98, help="share of top-5 targets the fitted floor keeps")
    args = ap.parse_args()
    store, settings = open_store()
    embedder = Embedder(settings.embeddings, store)
    win = gate.window(store, embedder, SINCE, UNTIL)
    print(f"window {SINCE}..{UNTIL}: {len(win.ids)} candidate papers")
    cases = {name: prepare(win, embedder, load_cases(name)) for name in SETS}
    fusion, coef = gate.FUSION, gate.MATCH_COEF
    fitted = "gate.py constants"
    if args.fit:
        fusion = fit_fusion(win, cases[args.fit])
        coef, settings.gate.min_match, settings.gate.min_similarity = fit_floor(
            win, cases[args.fit], fusion, args.keep
        )
        fitted = f"fitted on {args.fit}"
    out = {"window": [SINCE, UNTIL], "candidates": len(win.ids), "parameters": fitted}
    out["fusion"], out["match_coef"], out["min_match"] = (
        dataclasses.asdict(fusion),
        coef,
        settings.gate.min_match,
    )
    for name in SETS:
        if cases[name]:
            out[name] = evaluate(win, embedder, settings, cases[name], fusion, coef)
            print_table(f"set {name} ({fitted})", out[name])
    suffix = f"_fit{args.fit}" if args.fit else ""
    (RESULTS / f"gate_eval{suffix}.json").write_text(json.dumps(out, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
