"""Fit the fundamentals linker's logistic model on dev labels and check it by cross-validation.

    python bench/fit_linker.py            # cross-validate, print the table, write triage/data/fundamentals_model.json
    python bench/fit_linker.py --dry-run  # cross-validate and print only
    python bench/fit_linker.py --variant "no margin"  # also cross-validate without a feature, paired
    python bench/fit_linker.py --dry-run --variant "before term rates"  # against the model before term_rate
    python bench/fit_linker.py --dry-run --variant "sim terms usage"  # any list of features, paired
    python bench/fit_linker.py --dry-run --errors  # the shipped features' out-of-fold dev errors
    python bench/fit_linker.py --dry-run --cv readers --by-year  # folds of readers, not of papers

Training data: the dev split of every labelled draw (each pair's target is the share of its two readers
who gave the link: 0, 0.5 or 1, as sample weights) plus the 160 older one-reader labels. The test split is
never read here. The corpus statistics behind z_gap (each idea's cosine mean and spread) come from
REFERENCE random corpus papers that are not labelled.

Cross-validation is grouped by paper: 5 folds over the dev papers (the old labels always train); in
each, the term rates and the logistic model are fitted on the training part only, then the fold is
scored. So the reported numbers come from papers the model was not fitted on. `--cv readers` holds out
one pair of readers at a time instead (16 pairs), so each fold is scored on labels by readers whose
way of labelling the model never saw, as on the labels of people who check the product. The operating point is
fixed, not searched (POINT: a first link when a reader is more likely than not to list it), because a
threshold searched under a precision floor jumped between 0.25 and 0.85 from fold to fold. A variant
(one feature dropped) runs on the same folds, so its difference from the shipped features gets a
paired bootstrap interval, for the three metrics and for the out-of-fold log loss (which sees every
probability, not only the links made, so it is less noisy). The shipped model is then fitted on all
the training data; a rerun writes the same bytes.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import iter_corpus  # noqa: E402
from bench.eval_fundamentals import (  # noqa: E402
    DRAWS,
    RESULTS,
    labelled,
    metrics,
    paper_metrics,
    sampled_ids,
    summarise,
    table,
)
from triage import config  # noqa: E402
from triage.embed import Embedder, paper_text  # noqa: E402
from triage.link import FEATURES, MODEL_FILE, Linker, corpus_statistics, decide  # noqa: E402
from triage.store import Store  # noqa: E402
from triage.term_rates import KINDS, STRENGTH, TermRates, pair_keys  # noqa: E402

REFERENCE, SEED, FOLDS, C = 1000, 20261207, 5, 1.0
MAX_TERMS = 3  # term counts (variants' columns) stop at 3: a fourth says little the third did not
# The operating point (first-link threshold, further-link threshold, most links): a first link when
# the model gives a reader's listing it better than even odds (its probabilities are fitted to the
# readers' shares); further links at 0.2, at most 3 (out of fold on dev, 0.2 gives 13 fewer wrong
# further links than 0.1 for one agreed link: --curve, docs/decisions/fundamentals.md).
POINT = (0.5, 0.2, 3)
THRESHOLDS = np.round(np.arange(0.10, 0.91, 0.05), 2)  # the first-link thresholds --curve prints
# Publication years of the sample's strata, grouped for --by-year; the product links 2025-26 papers.
YEAR_BANDS = {"up to 2019": ("0000", "2019"), "2020-24": ("2020", "2024"), "2025-26": ("2025", "2026")}
# Columns a variant may use besides FEATURES: the raw cosine `sim`, `usage_margin` (usage minus the
# background cosine), `all_terms` (key and broad terms in one count, as before #17), and `terms` and
# `broad` (key and broad terms counted apart, as before the term rates).
COLUMNS = (*FEATURES, "sim", "usage_margin", "all_terms", "terms", "broad")
RATE = COLUMNS.index("term_rate")  # filled per fold from the training labels (with_rates)
VARIANTS = (
    {"shipped": FEATURES}
    | {f"no {f}": tuple(g for g in FEATURES if g != f) for f in FEATURES}
    | {"before #17": ("sim", "z_gap", "margin", "all_terms")}
    | {"before term rates": ("z_gap", "margin", "terms", "broad", "usage")}
    | {"+ terms": (*FEATURES, "terms")}
)


# Variants that keep the shipped features but drop one kind of term from the term rates.
WITHOUT_KIND = {f"no {kind} terms": kind for kind in KINDS}


def variant_columns(name: str) -> tuple[str, ...]:
    """A named variant, or any space-separated list of COLUMNS (an alternative feature set)."""
    cols = VARIANTS.get(name) or (FEATURES if name in WITHOUT_KIND else tuple(name.split()))
    unknown = [c for c in cols if c not in COLUMNS]
    if unknown:
        raise SystemExit(f"--variant {name!r}: unknown feature(s) {unknown}; known: {', '.join(COLUMNS)}")
    return cols


def variant_papers(papers: list[dict], name: str) -> list[dict]:
    """The papers as a variant sees them: without one kind of term's keys for WITHOUT_KIND variants."""
    kind = WITHOUT_KIND.get(name)
    if kind is None:
        return papers
    mark = f"|{kind}|"
    return [
        p | {"term_keys": [tuple(k for k in cell if mark not in k) for cell in p["term_keys"]]}
        for p in papers
    ]


def reference_papers(exclude: set[str]) -> list[dict]:
    pool = sorted(
        (r for r in iter_corpus() if r["id"] not in exclude and len(r.get("abstract") or "") >= 200),
        key=lambda r: r["id"],
    )
    return random.Random(SEED).sample(pool, REFERENCE)


def extra_columns(x: np.ndarray, evidence: list) -> np.ndarray:
    """papers x fundamentals x (sim, usage_margin, all_terms, terms, broad): the COLUMNS beyond FEATURES."""
    sim = np.array([[e.sim for e in row] for row in evidence], dtype=np.float32)
    background = sim - x[..., FEATURES.index("margin")]
    terms = np.array([[len(e.terms) for e in row] for row in evidence], dtype=np.float32)
    broad = np.array([[len(e.broad) for e in row] for row in evidence], dtype=np.float32)
    return np.minimum(
        np.stack([sim, x[..., FEATURES.index("usage")] - background, terms + broad, terms, broad], axis=-1),
        [np.inf, np.inf, MAX_TERMS, MAX_TERMS, MAX_TERMS],
    )


def embed(embedder: Embedder, papers: list[dict]) -> np.ndarray:
    return embedder.embed([paper_text(p["title"], p["abstract"]) for p in papers], progress="embedding")


def targets(papers: list[dict], fids: list[str]) -> np.ndarray:
    """papers x fundamentals: the share of readers who gave each link."""
    y = np.zeros((len(papers), len(fids)))
    for k, p in enumerate(papers):
        for i, f in enumerate(fids):
            y[k, i] = ((f in p["A"]) + (f in p["B"])) / 2
    return y


def fit(x: np.ndarray, y: np.ndarray):
    """Logistic regression on standardised features; soft targets as two weighted rows per pair."""
    from sklearn.linear_model import LogisticRegression

    x2 = x.reshape(-1, x.shape[-1])
    mean, scale = x2.mean(axis=0), x2.std(axis=0) + 1e-9
    xs, ys, w = soft_rows((x2 - mean) / scale, y)
    model = LogisticRegression(C=C, max_iter=2000).fit(xs.astype(np.float64), ys, sample_weight=w)
    return mean, scale, model.coef_[0], float(model.intercept_[0])


def soft_rows(x2: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows, 0/1 targets, weights) for a classifier from pairs with soft targets (the readers' share):
    each pair once as a link weighted by its share and once as no link weighted by the rest."""
    y2 = y.reshape(-1)
    xs = np.concatenate([x2, x2])
    ys = np.concatenate([np.ones(len(x2)), np.zeros(len(x2))])
    w = np.concatenate([y2, 1 - y2])
    keep = w > 0
    return xs[keep], ys[keep], w[keep]


def predict(params, x: np.ndarray) -> np.ndarray:
    mean, scale, coef, intercept = params
    return 1 / (1 + np.exp(-(((x - mean) / scale) @ coef + intercept)))


def decide_all(probs: np.ndarray, point: tuple[float, float, int]) -> list[list[int]]:
    return [decide(row, *point) for row in probs]


def decision_metrics(papers: list[dict], fids: list[str], chosen: list[list[int]], keep=None) -> dict:
    """The three metrics (with intervals) of the links chosen per paper, over the papers `keep` admits."""
    return metrics(
        [
            (p["A"], p["B"], [fids[i] for i in c])
            for p, c in zip(papers, chosen, strict=True)
            if keep is None or keep(p)
        ]
    )


def counts(papers: list[dict], fids: list[str], chosen: list[list[int]]) -> np.ndarray:
    return np.array(
        [paper_metrics(p["A"], p["B"], [fids[i] for i in c]) for p, c in zip(papers, chosen, strict=True)],
        dtype=float,
    ).reshape(-1, 6)


def paired(
    per_paper: dict[str, np.ndarray], losses: dict[str, np.ndarray], ranks: dict[str, np.ndarray]
) -> str:
    """Each variant's metric minus the shipped one's, with a 95% paired bootstrap interval over papers."""
    base = per_paper["shipped"]
    rng = np.random.default_rng(SEED)
    draws = [rng.integers(0, len(base), len(base)) for _ in range(2000)]
    lines = [
        "| variant | recall@3 | precision@1 | no-link rate | log loss per paper | ranked recall@3 |",
        "| --- | --- | --- | --- | --- | --- |",
    ]

    def cell(diff: float, boot: list[float]) -> str:
        lo, hi = np.nanpercentile(boot, [2.5, 97.5])
        return f"{diff:+.3f} [{lo:+.3f}, {hi:+.3f}]"

    for name, c in per_paper.items():
        if name == "shipped":
            continue
        cells = []
        for key in ("recall_at_3", "precision_at_1", "no_link_rate_on_empty"):
            diff = summarise(c)[key] - summarise(base)[key]
            cells.append(cell(diff, [summarise(c[d])[key] - summarise(base[d])[key] for d in draws]))
        loss = losses[name] - losses["shipped"]
        cells.append(cell(loss.mean(), [loss[d].mean() for d in draws]))
        r, r0 = ranks[name], ranks["shipped"]
        cells.append(
            cell(
                ranked_share(r) - ranked_share(r0), [ranked_share(r[d]) - ranked_share(r0[d]) for d in draws]
            )
        )
        lines.append(f"| {name} | {' | '.join(cells)} |")
    return "\n".join(lines)


def folds(papers: list[dict], held: np.ndarray, by: str) -> list[np.ndarray]:
    """The held-out sets of paper positions (`held`, the papers folds score): FOLDS random folds
    (`by` "paper": a paper's pairs stay together), or one per pair of readers (`by` "readers": each
    fold is scored on labels by readers none of whose labels the model was fitted on)."""
    if by == "readers":
        pair = np.array([papers[i]["readers"] for i in held])
        return [held[pair == r] for r in sorted(set(pair))]
    idx = np.random.default_rng(SEED).permutation(len(held))
    return [held[idx[i::FOLDS]] for i in range(FOLDS)]


def scored(papers: list[dict]) -> np.ndarray:
    """The papers folds hold out: the two readers' (the older one-reader labels only ever train)."""
    return np.array([i for i, p in enumerate(papers) if p["split"] != "old"], dtype=int)


def ranked_recall(probs: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Per paper: (agreed links among its 3 most probable ideas, agreed links), whatever the threshold."""
    top3 = np.argsort(-probs, axis=1, kind="stable")[:, :3]
    agreed = y == 1
    return np.stack([np.take_along_axis(agreed, top3, axis=1).sum(axis=1), agreed.sum(axis=1)], axis=1)


def log_loss(probs: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Each paper's cross-entropy (nats, summed over ideas) of the probabilities against the readers' shares."""
    p = np.clip(probs, 1e-6, 1 - 1e-6)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p)).sum(axis=-1)


def rated(xs, y, keys, rate: int, strength: float = STRENGTH) -> tuple[np.ndarray, TermRates]:
    """A copy of `xs` with its term_rate column (at position `rate`) filled from term rates fitted on
    these very rows, each pair's own label left out; and those rates."""
    rates = TermRates.fit(keys, y, strength)
    out = xs.copy()
    out[..., rate] = rates.column(keys, y)
    return out, rates


def with_rates(xs, y, papers, train, test, rate: int | None, strength: float = STRENGTH):
    """The training and held-out rows of `xs`, their term_rate column (at position `rate`, if any)
    filled from term rates fitted on the training rows alone, each training pair's own label left out."""
    if rate is None:
        return xs[train].copy(), xs[test].copy()
    a, rates = rated(xs[train], y[train], [papers[i]["term_keys"] for i in train], rate, strength)
    b = xs[test].copy()
    b[..., rate] = rates.column([papers[i]["term_keys"] for i in test])
    return a, b


def cross_validate(
    x, y, papers, cols: list[int], model=None, by: str = "paper", strength: float = STRENGTH
) -> tuple[list[list[int]], np.ndarray]:
    """Out-of-fold decisions (at POINT) and probabilities for the two readers' papers. `cols` index
    x's last axis; the term_rate column, if among them, is RATE. `model` is a (fit, predict) pair, the
    shipped logistic by default (bench/linker_alternatives.py passes others); `by` as in `folds`;
    `strength`, the term rates' shrinkage."""
    fit_, predict_ = model or (fit, predict)
    xs = x[..., cols]
    rate = cols.index(RATE) if RATE in cols else None
    held = scored(papers)
    probs = np.zeros(y.shape)
    for test in folds(papers, held, by):
        train = np.setdiff1d(np.arange(len(papers)), test)
        a, b = with_rates(xs, y, papers, train, test, rate, strength)
        probs[test] = predict_(fit_(a, y[train]), b)
    return decide_all(probs[held], POINT), probs[held]


def ranked_share(ranks: np.ndarray) -> float:
    """Ranked recall@3 over papers: agreed links in the top 3 / agreed links (rows of ranked_recall)."""
    return float(ranks[:, 0].sum() / ranks[:, 1].sum())


def score_cv(x, y, papers, fids, cols, model=None, by: str = "paper", strength: float = STRENGTH) -> dict:
    """One feature set or model under the CV: its out-of-fold dev decisions, the three metrics, and
    the per-paper log loss and ranked-recall counts."""
    chosen, probs = cross_validate(x, y, papers, list(cols), model, by, strength)
    dev = [p for p in papers if p["split"] != "old"]
    held = y[scored(papers)]
    return {
        "chosen": chosen,
        "metrics": decision_metrics(dev, fids, chosen),
        "losses": log_loss(probs, held),
        "ranks": ranked_recall(probs, held),
        "probs": probs,
    }


def print_curve(dev: list[dict], fids: list[str], probs: np.ndarray, more: float = POINT[1]) -> None:
    """The trade the out-of-fold probabilities allow: the three metrics at each first-link threshold
    (further links at `more`, up to 3; where no row clears the bar, no threshold can), then what each
    further-link threshold adds at the shipped first one."""
    print("\nOut-of-fold trade (first-link threshold: papers linked, recall@3, precision@1, no-link):")
    for t in THRESHOLDS:
        found, agreed, linked, right, empty, quiet = counts(
            dev, fids, decide_all(probs, (float(t), min(more, float(t)), 3))
        ).sum(0)
        print(
            f"  {t:.2f}: {int(linked)}, {found / agreed:.3f}, {right / max(linked, 1):.3f}, {quiet / empty:.3f}"
        )
    print(
        f"\nFurther links (first link at {POINT[0]}; threshold: further links, share either reader gave, recall@3):"
    )
    for more in (0.1, 0.2, 0.3, 0.5):
        chosen = decide_all(probs, (POINT[0], more, 3))
        further = [(p, fids[i]) for p, c in zip(dev, chosen, strict=True) for i in c[1:]]
        right = sum(f in p["A"] or f in p["B"] for p, f in further)
        recall = decision_metrics(dev, fids, chosen)["recall_at_3"]["value"]
        print(f"  {more:.1f}: {len(further)}, {right / max(len(further), 1):.3f}, {recall}")


def print_errors(dev: list[dict], chosen: list[list[int]], fids: list[str], evidence: list, probs) -> None:
    """Where the out-of-fold errors are, then each dev paper whose links differ from a reader's, with the
    evidence of each idea involved."""
    missed = Counter()
    for p, c, row, ev in zip(dev, chosen, probs, evidence, strict=True):
        pred = {fids[i] for i in c}
        for f in (set(p["A"]) & set(p["B"])) - pred:
            i = fids.index(f)
            if not (ev[i].terms or ev[i].broad or ev[i].related):
                missed["agreed links missed whose paper writes none of the idea's terms"] += 1
            top = row[i] >= row.max()
            missed[
                "on linked papers"
                if c
                else "on unlinked papers, the paper's most probable idea"
                if top
                else "on unlinked papers, not its most probable idea"
            ] += 1
        if c and fids[c[0]] not in set(p["A"]) | set(p["B"]):
            missed[
                "wrong first links, "
                + ("both readers left it empty" if not p["A"] + p["B"] else "readers gave other ideas")
            ] += 1
    print("\nOut-of-fold errors: agreed links missed, and wrong first links:")
    for what, n in sorted(missed.items()):
        print(f"  {what}: {n}")
    for p, c, ev in zip(dev, chosen, evidence, strict=True):
        pred = [fids[i] for i in c]
        if pred == p["A"] == p["B"]:
            continue
        print(f"\n{p['id']} {p['title'][:100]}\n  A={p['A']} B={p['B']} -> {pred}")
        for f in dict.fromkeys(p["A"] + p["B"] + pred):
            print(f"    {f}: {ev[fids.index(f)].why()}")


@dataclass
class Dataset:
    """The training papers (dev and old) with every pair's COLUMNS, targets and vectors."""

    papers: list[dict]
    x: np.ndarray  # papers x fundamentals x COLUMNS
    y: np.ndarray  # papers x fundamentals: the share of readers who gave the link
    vectors: np.ndarray  # papers x dimensions, as the default encoder embeds them
    fids: list[str]
    evidence: list
    stats: dict  # the corpus statistics behind z_gap
    model_name: str  # the embedding cache key (model and backend)


def cached_embedder() -> Embedder:
    """The default encoder with this bench's embedding cache (bench/results/fit_linker.db)."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    store = Store(RESULTS / "fit_linker.db")
    store.init()
    return Embedder(config.load(None, str(RESULTS / "fit_linker.db")).embeddings, store)


def dataset(with_old: bool = True) -> Dataset:
    papers = [p for p in labelled(with_old=with_old) if p["split"] in ("dev", "old")]
    embedder = cached_embedder()
    ref = reference_papers(sampled_ids())
    stats = corpus_statistics(Linker(embedder, model={}), embed(embedder, ref))
    linker = Linker(embedder, model={"corpus": stats})
    fids = [f.id for f in linker.fundamentals]
    vectors = embed(embedder, papers)
    x, evidence = linker.features([p["title"] for p in papers], [p["abstract"] for p in papers], vectors)
    x = np.concatenate([x, extra_columns(x, evidence)], axis=-1)
    for p, row in zip(papers, evidence, strict=True):
        p["term_keys"] = [pair_keys(f, e.terms, e.broad, e.related) for f, e in zip(fids, row, strict=True)]
    y = targets(papers, fids)
    return Dataset(papers, x, y, vectors, fids, evidence, stats, embedder.model_name)


def main() -> int:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # many small fits: threads only contend (100x slower on a busy machine)
        return run()


def run() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dry-run", action="store_true", help="do not write the model file")
    ap.add_argument(
        "--variant",
        action="append",
        help=f"also cross-validate these: {', '.join([*VARIANTS, *WITHOUT_KIND])}, or feature lists",
    )
    ap.add_argument(
        "--errors", action="store_true", help="print the shipped features' out-of-fold dev errors"
    )
    ap.add_argument("--no-old", action="store_true", help="train without the 160 older one-reader labels")
    ap.add_argument(
        "--curve", action="store_true", help="print the metrics at every first-link threshold, out of fold"
    )
    ap.add_argument(
        "--by-year",
        action="store_true",
        help="also split each row's out-of-fold dev metrics by publication year and by draw (the product "
        "links new papers)",
    )
    ap.add_argument(
        "--cv",
        choices=("paper", "readers"),
        default="paper",
        help="folds of random papers (default), or one fold per pair of readers: scored only on labels "
        "by readers the model never saw",
    )
    ap.add_argument(
        "--strength",
        type=float,
        default=STRENGTH,
        help=f"pseudo-pairs each term rate is shrunk by towards its kind's rate (shipped: {STRENGTH:g})",
    )
    args = ap.parse_args()

    data = dataset(with_old=not args.no_old)
    papers, x, y, fids, evidence = data.papers, data.x, data.y, data.fids, data.evidence
    dev = [p for p in papers if p["split"] == "dev"]
    cv = "dev CV by readers" if args.cv == "readers" else "dev CV"

    rows, report, per_paper, losses, ranks = {}, {}, {}, {}, {}
    for name in ["shipped", *(args.variant or [])]:
        cols = [COLUMNS.index(f) for f in variant_columns(name)]
        got = score_cv(x, y, variant_papers(papers, name), fids, cols, by=args.cv, strength=args.strength)
        losses[name], ranks[name] = got["losses"], got["ranks"]
        rows[f"{cv}: {name}"] = got["metrics"]
        per_paper[name] = counts(dev, fids, got["chosen"])
        if args.curve and name == "shipped":
            print_curve(dev, fids, got["probs"])
        if args.by_year:
            for band, (lo, hi) in YEAR_BANDS.items():
                rows[f"{cv}: {name}, published {band}"] = decision_metrics(
                    dev, fids, got["chosen"], lambda p, lo=lo, hi=hi: lo <= p["published"][:4] <= hi
                )
            for d in DRAWS:
                rows[f"{cv}: {name}, {d} draw"] = decision_metrics(
                    dev, fids, got["chosen"], lambda p, d=d: p["draw"] == d
                )
        if args.errors and name == "shipped":
            print_errors(dev, got["chosen"], fids, [evidence[i] for i in scored(papers)], got["probs"])
        report[name] = {
            "metrics": got["metrics"],
            "log_loss": round(float(losses[name].mean()), 4),
            "ranked_recall_at_3": round(ranked_share(ranks[name]), 4),
        }
    print(table(rows))
    print("\nThreshold-free, out of fold: log loss per paper (nats, lower is better) and ranked recall@3")
    print("(agreed links among each paper's 3 most probable ideas, as if every paper were linked):")
    for name in losses:
        print(f"  {name}: {losses[name].mean():.3f}, {ranked_share(ranks[name]):.3f}")
    if len(per_paper) > 1:
        print("\nPaired differences against the shipped features (variant minus shipped, same folds):\n")
        print(paired(per_paper, losses, ranks))

    shipped, rates = rated(x[..., : len(FEATURES)], y, [p["term_keys"] for p in papers], RATE, args.strength)
    params = fit(shipped, y)
    t, more, m = POINT
    model = {
        "about": "Fitted by bench/fit_linker.py on the dev split of every labelled draw and the older labels.",
        "embedding_model": data.model_name,
        "features": list(FEATURES),
        "mean": [round(float(v), 6) for v in params[0]],
        "scale": [round(float(v), 6) for v in params[1]],
        "coef": [round(float(v), 6) for v in params[2]],
        "intercept": round(params[3], 6),
        "threshold": t,
        "threshold_more": more,
        "max_links": m,
        "training_papers": len(papers),
        "corpus": data.stats,
        "term_rates": rates.to_json(),
    }
    print(
        f"\nshipped: first link at p >= {t}, further links at p >= {more}, at most {m}; standardised coefficients:"
    )
    for name, c in zip(FEATURES, params[2], strict=True):
        print(f"  {name:12s} {c:+.3f}")
    (RESULTS / "fit_linker.json").write_text(json.dumps(report, indent=2) + "\n")
    if not args.dry_run:
        (ROOT / "triage" / MODEL_FILE).write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
