"""Alternatives to the shipped linker, scored on the same cross-validation as bench/fit_linker.py.

    python bench/linker_alternatives.py [--only NAME ...]

Each alternative changes one thing: a feature set, or the model over the shipped features. The dev
papers are scored out of fold at the same fixed operating point (fit_linker.POINT), so the rows
compare with fit_linker's "dev CV: shipped" (the first row here); each other row's difference from it
gets a 95% paired bootstrap interval over papers. Nothing is written to the
shipped model; the table goes to stdout and bench/results/linker_alternatives.json. The test split is
never read. docs/decisions/fundamentals.md says what each row showed.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import fit_linker as fl  # noqa: E402
from bench.eval_fundamentals import RESULTS, table  # noqa: E402
from triage.embed import paper_text  # noqa: E402
from triage.fundamentals import catalogue  # noqa: E402
from triage.lexical import LexicalIndex, tokens  # noqa: E402
from triage.link import FEATURES, Linker, find_terms  # noqa: E402


def bm25_to_ideas(papers: list[dict]) -> np.ndarray:
    """papers x fundamentals: BM25 of the paper's title and abstract against one document per idea
    (its name, summary, prototypes, key and broad terms, and usage texts), IDF over the ideas."""
    docs = [
        tokens(" ".join([f.name, f.summary, *f.prototypes, *f.terms, *f.broad, *f.usage]))
        for f in catalogue()
    ]
    index = LexicalIndex(docs)
    return np.stack([index.scores(tokens(paper_text(p["title"], p["abstract"]))) for p in papers])


def sentence_closeness(data: fl.Dataset) -> tuple[np.ndarray, np.ndarray]:
    """papers x fundamentals: the best cosine of any one sentence of the paper (title included) to
    the idea's catalogue texts, and to its usage texts. A whole-abstract vector dilutes an idea the
    paper rests on in one sentence ("we retrieve statutes with BM25")."""
    embedder = fl.cached_embedder()
    linker = Linker(embedder, model={"corpus": data.stats})
    owner, sentences = [], []
    for i, p in enumerate(data.papers):
        for s in [p["title"], *re.split(r"(?<=[.!?])\s+", p["abstract"])]:
            if len(s.split()) >= 4:
                owner.append(i)
                sentences.append(s)
    vectors = embedder.embed(sentences)
    proto, _ = linker.similarities(vectors)
    usage = linker.usage_similarities(vectors)
    out = np.full((2, len(data.papers), proto.shape[1]), -1.0, dtype=np.float32)
    for row, i in enumerate(owner):
        out[0, i] = np.maximum(out[0, i], proto[row])
        out[1, i] = np.maximum(out[1, i], usage[row])
    return out[0], out[1]


def extra_features(data: fl.Dataset) -> dict[str, np.ndarray]:
    """papers x fundamentals columns the shipped model does not use."""
    z = np.array([[e.z for e in row] for row in data.evidence], dtype=np.float32)
    rank = np.argsort(np.argsort(-z, axis=1), axis=1).astype(np.float32)
    title = np.array(
        [[min(len(find_terms(f, p["title"])[0]), 2) for f in catalogue()] for p in data.papers],
        dtype=np.float32,
    )
    bm25 = bm25_to_ideas(data.papers)
    spread = bm25.std(axis=1, keepdims=True)
    sent_proto, sent_usage = sentence_closeness(data)
    return {
        "sent_proto": sent_proto,
        "sent_usage": sent_usage,
        "z": z,
        "z_rank": np.minimum(rank, 5),
        "title_terms": title,
        "bm25_share": bm25 / np.maximum(bm25.max(axis=1, keepdims=True), 1e-9),
        "bm25_z": (bm25 - bm25.mean(axis=1, keepdims=True)) / np.maximum(spread, 1e-9),
    }


def with_vectors(columns, dim: int):
    """A (fit, predict) pair for inputs whose last `dim` columns are the paper's vector: those become
    `columns(v_query, v_train, y_train, leave_self_out)` before the shipped logistic model sees them."""

    def split(x):
        return x[..., :-dim], x[:, 0, -dim:]

    def fit_(x, y):
        f, v = split(x)
        return fl.fit(np.concatenate([f, columns(v, v, y, True)], axis=-1), y), v, y

    def predict_(params, x):
        inner, vt, yt = params
        f, v = split(x)
        return fl.predict(inner, np.concatenate([f, columns(v, vt, yt, False)], axis=-1))

    return fit_, predict_


def nearest_labelled(vq, vt, yt, leave_self_out):
    """Per idea: the cosine to the closest training paper a reader linked to it (kNN over labels)."""
    s = vq @ vt.T
    if leave_self_out:
        np.fill_diagonal(s, -1.0)
    out = np.full((len(vq), yt.shape[1]), -0.2, dtype=np.float32)
    for i in range(yt.shape[1]):
        pos = yt[:, i] > 0
        if pos.any():
            out[:, i] = s[:, pos].max(axis=1)
    return out[..., None]


def vector_scores(vq, vt, target, leave_self_out, c: float) -> np.ndarray:
    """A logistic model's scores on paper vectors for a 0/1 target: for the training papers themselves
    (leave_self_out) out of fold, so a paper's own label does not leak into its feature."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict

    clf = LogisticRegression(C=c, max_iter=3000)
    if leave_self_out:
        return cross_val_predict(clf, vt, target, cv=5, method="decision_function")
    return clf.fit(vt, target).decision_function(vq)


def linkability(vq, vt, yt, leave_self_out):
    """Per paper (same for every idea): a logistic model on the paper's vector of whether any reader
    linked it."""
    score = vector_scores(vq, vt, (yt.max(axis=1) > 0).astype(int), leave_self_out, 0.1)
    return np.broadcast_to(score[:, None, None], (len(vq), yt.shape[1], 1)).astype(np.float32)


def idea_classifiers(vq, vt, yt, leave_self_out):
    """Per idea: a logistic model on the paper's vector of whether a reader linked the idea (ideas with
    fewer than 5 training links get a constant)."""
    out = np.full((len(vq), yt.shape[1]), -5.0, dtype=np.float32)
    for i in range(yt.shape[1]):
        target = (yt[:, i] > 0).astype(int)
        if target.sum() >= 5:
            out[:, i] = vector_scores(vq, vt, target, leave_self_out, 0.5)
    return out[..., None]


def boosted():
    """Gradient-boosted trees over the same soft targets as the logistic model."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    def fit_(x, y):
        xs, ys, w = fl.soft_rows(x.reshape(-1, x.shape[-1]), y)
        model = HistGradientBoostingClassifier(
            max_iter=150,
            learning_rate=0.05,
            max_leaf_nodes=8,
            min_samples_leaf=40,
            l2_regularization=1.0,
            random_state=0,
        )
        return model.fit(xs, ys, sample_weight=w)

    def predict_(model, x):
        return model.predict_proba(x.reshape(-1, x.shape[-1]))[:, 1].reshape(x.shape[:-1])

    return fit_, predict_


def main() -> int:
    from threadpoolctl import threadpool_limits

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="+", help="run only these rows (and the shipped one)")
    args = ap.parse_args()
    data = fl.dataset()
    base = data.x[..., [fl.COLUMNS.index(f) for f in FEATURES]]  # z_gap first
    extra = extra_features(data)
    n, k = base.shape[:2]
    ideas = np.broadcast_to(np.eye(k, dtype=np.float32)[None], (n, k, k))
    vectors = np.broadcast_to(data.vectors[:, None, :], (n, k, data.vectors.shape[1]))
    dim = data.vectors.shape[1]

    def cols(*names):
        return np.concatenate([base, *(extra[c][..., None] for c in names)], axis=-1)

    rows = {
        "shipped (logistic: z_gap margin usage term_rate)": (base, None),
        "+ key terms in the title": (cols("title_terms"), None),
        "+ BM25 to the idea's texts (share of the paper's best)": (cols("bm25_share"), None),
        "+ BM25 to the idea's texts (z over the ideas)": (cols("bm25_z"), None),
        "+ best sentence's closeness to the idea's uses": (cols("sent_usage"), None),
        "+ best sentence's closeness to the idea and to its uses": (cols("sent_proto", "sent_usage"), None),
        "z in place of z_gap": (np.concatenate([extra["z"][..., None], base[..., 1:]], axis=-1), None),
        "+ z and its rank among the ideas": (cols("z", "z_rank"), None),
        "+ an intercept per idea": (np.concatenate([base, ideas], axis=-1), None),
        "+ nearest labelled paper per idea (kNN)": (
            np.concatenate([base, vectors], axis=-1),
            with_vectors(nearest_labelled, dim),
        ),
        "+ linkability of the paper (logistic on its vector)": (
            np.concatenate([base, vectors], axis=-1),
            with_vectors(linkability, dim),
        ),
        "+ a classifier per idea on the paper's vector": (
            np.concatenate([base, vectors], axis=-1),
            with_vectors(idea_classifiers, dim),
        ),
        "gradient-boosted trees (shipped features)": (base, boosted()),
    }
    names = [r for r in rows if r == next(iter(rows)) or not args.only or any(o in r for o in args.only)]
    dev = [p for p in data.papers if p["split"] != "old"]
    found, report, per_paper, losses, ranks = {}, {}, {}, {}, {}
    with threadpool_limits(1):
        for name in names:
            x, model = rows[name]
            got = fl.score_cv(x, data.y, data.papers, data.fids, list(range(x.shape[-1])), model)
            loss, ranked = float(got["losses"].mean()), round(fl.ranked_share(got["ranks"]), 3)
            found[name] = got["metrics"]
            key = "shipped" if name == names[0] else name  # fl.paired's baseline
            per_paper[key] = fl.counts(dev, data.fids, got["chosen"])
            losses[key], ranks[key] = got["losses"], got["ranks"]
            report[name] = got["metrics"] | {
                "log_loss": round(loss, 3),
                "ranked_recall_at_3": ranked,
            }
            print(f"{name}: log loss {loss:.3f}, ranked recall@3 {ranked}", flush=True)
    print(table(found))
    if len(names) > 1:
        print("\nPaired differences against the shipped row (row minus shipped, same folds):\n")
        print(fl.paired(per_paper, losses, ranks))
    out = RESULTS / "linker_alternatives.json"
    out.write_text(json.dumps({"point": fl.POINT, "rows": report}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
