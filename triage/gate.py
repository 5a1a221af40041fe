"""The gate: papers stay locked until a specific, blocked attempt unlocks the few that fit it.

Both faces (CLI `attempt`/`queue`, the web app) and the digest call `rank`; none ranks on its own.

1. The query is the whole attempt: the problem and what was tried carry context a bottleneck alone
   leaves out, so they join it (for words the bottleneck weighs most; for meaning the context does).
2. Two rankers over the window's papers: embedding cosine finds the area, BM25 finds the paper in a
   crowded area by the reader's own words. Reciprocal-rank fusion joins them.
3. The product's adjustments, each a bounded factor named in the why: a paper resting on a
   fundamental close to the attempt moves up, a young-topic paper moves down.
4. A relevance floor fitted on labelled cases (bench/eval_gate.py --fit): a match probability from
   how far a paper's cosine and BM25 stand above the window's own, and a cosine the paper must reach
   at all. When nothing clears it, the closest few are shown anyway, marked weak match.

The weights below were fitted on writer A's known-item cases and checked on writer B's (docs/decisions/gate.md).
A window's vectors, hype flags, links and word index stay in memory, rebuilt only when the store
says the window changed (papers arrived, analyze re-linked, topics moved).
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import re
import sys
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import ThreadpoolController

from triage import fundamentals as fund
from triage.config import Settings
from triage.embed import Embedder, paper_text, text_hash
from triage.errors import UserError
from triage.lexical import LexicalIndex, tokens
from triage.link import Linker
from triage.papers import Paper

OUTCOMES = ("paper", "fundamental", "myself", "abandoned")
REPEAT_SIMILARITY = 0.95  # a bottleneck this close to an earlier one is a repeat, not a new attempt
CLOSE_FUNDAMENTAL = 0.25  # an attempt this close to a fundamental shares it with papers linked to it
MATCH_MIN_PAPERS = 50  # fewer window papers than this give no spread for the match model's z-scores
WINDOWS_KEPT = 3  # windows held in memory per process (the unlock window and a couple of day views)
REVISIT_SHOWN = 3  # fundamentals named to revisit before reading, after an attempt


@dataclass(frozen=True)
class Fusion:
    """How the attempt's fields and the two rankers combine (fitted by bench/eval_gate.py --fit)."""

    dense_context: float = 0.65  # share of the query vector from problem + tried; the rest is the bottleneck
    lexical_context: float = 0.35  # the same for the BM25 query
    lexical_share: float = 0.5  # weight of the BM25 ranking in the fusion; embeddings get the rest
    k: float = 20.0  # reciprocal-rank constant: larger flattens the head of each ranking


FUSION = Fusion()
# Match probability = logistic(intercept + cos x cosine + z_cos x cosine z-score + z_lex x BM25 z-score),
# z-scores over the window: fitted on writer A's targets against random window papers.
MATCH_COEF = (-6.411, 0.379, 2.452, 1.0)


@dataclass(frozen=True)
class Attempt:
    problem: str
    tried: str
    bottleneck: str

    @classmethod
    def of(cls, row: dict) -> Attempt:
        return cls(row["problem"], row["tried"], row["bottleneck"])

    def fields(self) -> list[str]:
        return [self.problem, self.tried, self.bottleneck]


@dataclass
class Unlock:
    paper: Paper
    score: float  # the ranking score (fused, then adjusted)
    similarity: float  # cosine of the attempt to the paper
    match: float  # how far the paper stands out of the window; the floor compares it with [gate] min_match
    dense_rank: int
    lexical_rank: int | None  # None when the paper shares no word with the attempt
    words: list[str] = field(default_factory=list)  # the attempt's words that weigh most in the paper
    shared: list[tuple[str, float]] = field(default_factory=list)  # (fundamental id, closeness)
    hype: bool | None = None
    relevant: bool = True  # cleared the relevance floor ([gate] min_match and min_similarity)
    weak: bool = False  # shown although it did not clear the relevance floor

    @property
    def reason(self) -> str:
        parts = ["weak match: nothing cleared the relevance floor"] if self.weak else []
        parts.append(
            f"match {self.match:.2f}; by meaning #{self.dense_rank} (similarity {self.similarity:.2f})"
        )
        if self.lexical_rank is not None:
            parts.append(f"by words #{self.lexical_rank} ({', '.join(self.words)})")
        names = fund.by_id()
        if self.shared:
            parts.append(
                "rests on " + ", ".join(names[f].name for f, _ in self.shared if f in names) + ", ranked up"
            )
        if self.hype:
            parts.append("young topic, ranked down")
        return "; ".join(parts)


@dataclass
class AttemptResult:
    attempt_id: int
    unlocked: list[Unlock]
    revisit: list[tuple[fund.Fundamental, float]]  # fundamentals to revisit first, closest first
    weak: bool = False  # nothing cleared the floor: the unlocks are the closest few, marked weak


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def _normalise(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def validate_attempt(store, settings: Settings, problem: str, tried: str, bottleneck: str) -> None:
    """Refuse vague, oversized or repeated attempts with a sentence that says what to fix."""
    limit = settings.gate.max_field_chars
    for name, value in (("problem", problem), ("what you tried", tried), ("bottleneck", bottleneck)):
        if not value or not value.strip():
            raise UserError(f"The {name} is empty: say it in a sentence.")
        if len(value.strip()) > limit:
            raise UserError(
                f"The {name} is too long ({len(value.strip())} characters; at most {limit}, "
                "[gate] max_field_chars): keep to what matters for this attempt."
            )
    minimum = settings.gate.min_bottleneck_chars
    if len(bottleneck.strip()) < minimum:
        raise UserError(
            f"The bottleneck is too vague ({len(bottleneck.strip())} characters; at least {minimum}): "
            "say exactly where you are blocked."
        )
    words = settings.gate.min_bottleneck_words
    if len(_words(bottleneck)) < words:
        raise UserError(
            f"The bottleneck is too vague: use at least {words} different words to say where you are stuck."
        )
    key = _normalise(bottleneck)
    if any(_normalise(b) == key for b in store.attempt_bottlenecks()):
        raise UserError(
            "This bottleneck repeats an earlier attempt word for word: describe where you are stuck now."
        )


def fundamental_closeness(embedder: Embedder, text_vec: np.ndarray) -> dict[str, float]:
    """{fundamental id: cosine of the text to its closest catalogue prototype} (the linker's own view)."""
    linker = Linker(embedder)
    best, _ = linker.similarities(text_vec[None, :])
    return {f.id: float(best[0, i]) for i, f in enumerate(linker.fundamentals)}


def revisit(
    embedder: Embedder, bottleneck: str, k: int = REVISIT_SHOWN, vector: np.ndarray | None = None
) -> list[tuple[fund.Fundamental, float]]:
    """The fundamentals a bottleneck rests on most, by the linker's own fitted scorer (with its key
    terms, so a retrieval bottleneck brings up information retrieval): what to revisit before reading."""
    return Linker(embedder).closest(bottleneck, k, vector)


# --- the window held in memory ----------------------------------------------------------------


@dataclass
class Window:
    """One window's papers as arrays aligned with `ids`: what ranking reads, without touching SQL."""

    stamp: tuple
    ids: list[str]
    published: np.ndarray  # ISO dates
    vectors: np.ndarray  # papers x dimension, normalised
    hype: np.ndarray  # bool: the paper's topic is young
    links: np.ndarray  # papers x catalogue: link score (0 = not linked)
    lexical: LexicalIndex
    words: dict[str, tuple[str, ...]]  # text hash -> tokens, reused when the window is rebuilt
    hashes: list[str]


_WINDOWS: OrderedDict[tuple, Window] = OrderedDict()
_WINDOWS_LOCK = threading.Lock()


def window(store, embedder: Embedder, since: str, until: str) -> Window:
    """The papers published in [since, until], from memory unless the store changed them.

    One lock: concurrent attempts share one build instead of each holding its own copy.
    """
    key = (store.path, embedder.model_name, since, until)
    stamp = store.window_stamp(since, until)
    with _WINDOWS_LOCK:
        held = _WINDOWS.get(key)
        if held is None or held.stamp != stamp:
            old = held.words if held else next(reversed(_WINDOWS.values())).words if _WINDOWS else {}
            held = _build_window(store, embedder, since, until, stamp, old)
            _WINDOWS[key] = held
            # The model and the window live as long as the process: freezing them keeps every later
            # attempt's garbage from triggering full collections that walk their ~440k objects again.
            gc.collect()
            gc.freeze()
        _WINDOWS.move_to_end(key)
        while len(_WINDOWS) > WINDOWS_KEPT:
            _WINDOWS.popitem(last=False)
        return held


def _build_window(store, embedder: Embedder, since: str, until: str, stamp: tuple, old_words: dict) -> Window:
    rows = store.window_rows(since, until, embedder.model_name)
    texts = [paper_text(title, abstract) for _, _, title, abstract, _, _, _ in rows]
    hashes = [text_hash(t) for t in texts]
    vectors = np.zeros((len(rows), embedder.dimension), dtype=np.float32)
    stale = []
    for i, (row, h) in enumerate(zip(rows, hashes, strict=True)):
        if row[5] is not None and row[4] == h:
            vectors[i] = np.frombuffer(row[5], dtype=np.float32)
        else:
            stale.append(i)  # not analysed yet, or its text changed since: embed (cached by text)
    if stale:
        vectors[stale] = embedder.embed([texts[i] for i in stale])
    words = {
        h: old_words.get(h) or tuple(sys.intern(w) for w in tokens(t))
        for h, t in zip(hashes, texts, strict=True)
    }
    ids = [r[0] for r in rows]
    catalogue = [f.id for f in fund.catalogue()]
    column = {fid: j for j, fid in enumerate(catalogue)}
    links = np.zeros((len(ids), len(catalogue)), dtype=np.float32)
    linked = store.fundamentals_for(ids)
    for i, pid in enumerate(ids):
        for fid, score in linked.get(pid, []):
            if fid in column:
                links[i, column[fid]] = score
    return Window(
        stamp=stamp,
        ids=ids,
        published=np.array([r[1] for r in rows], dtype=object),
        vectors=vectors,
        hype=np.array([bool(r[6]) for r in rows], dtype=bool),
        links=links,
        lexical=LexicalIndex([list(words[h]) for h in hashes]),
        words=words,
        hashes=hashes,
    )


# --- ranking --------------------------------------------------------------------------------


@dataclass
class Signals:
    """An attempt's per-field scores over a window: rows problem, tried, bottleneck."""

    cosine: np.ndarray  # 3 x papers
    lexical: np.ndarray  # 3 x papers
    query: np.ndarray  # 3 x dimension: the fields' vectors
    words: list[list[str]]  # the fields' tokens


@functools.cache
def _pools() -> ThreadpoolController:
    """The process's OpenMP and BLAS pools; looked up once the model is loaded, so torch's is among them."""
    return ThreadpoolController()


def signals(win: Window, embedder: Embedder, attempt: Attempt) -> Signals:
    """Cosine and BM25 of each field against every window paper.

    The three short texts are encoded on one thread: on a busy machine waiting for torch's second
    thread cost 0.5-2 s per attempt at 15,000 papers (bench/gate_bench.py), one thread ~0.1 s.
    """
    embedder.model  # noqa: B018 - loads the model first, so _pools() sees torch's pool
    with _pools().limit(limits=1):
        query = embedder.embed(attempt.fields())
        cosine = query @ win.vectors.T
    field_words = [tokens(t) for t in attempt.fields()]
    return Signals(
        cosine=cosine,
        lexical=np.stack([win.lexical.scores(w) for w in field_words]),
        query=query,
        words=field_words,
    )


def _blend(rows: np.ndarray, context: float) -> np.ndarray:
    """(1 - context) x bottleneck + context x the mean of problem and tried."""
    return (1 - context) * rows[2] + context * (rows[0] + rows[1]) / 2


def _ranks(scores: np.ndarray) -> np.ndarray:
    """1-based rank of each score, highest first."""
    out = np.empty(len(scores), dtype=np.int64)
    out[np.argsort(-scores, kind="stable")] = np.arange(1, len(scores) + 1)
    return out


def _z(x: np.ndarray) -> np.ndarray:
    sd = float(x.std())
    return (x - float(x.mean())) / sd if sd > 0 else np.zeros_like(x)


@dataclass
class Fused:
    """Query-level scores over a window, aligned with Window.ids."""

    cosine: np.ndarray
    lexical: np.ndarray
    dense_rank: np.ndarray
    lexical_rank: np.ndarray
    fused: np.ndarray
    match: np.ndarray


def fuse(sig: Signals, fusion: Fusion = FUSION, coef: tuple = MATCH_COEF) -> Fused:
    """Reciprocal-rank fusion of cosine and BM25 over the blended fields, and each paper's match."""
    q = _blend(sig.query, fusion.dense_context)
    norm = float(np.linalg.norm(q)) or 1.0
    cosine = _blend(sig.cosine, fusion.dense_context) / norm
    lexical = _blend(sig.lexical, fusion.lexical_context)
    dense_rank, lexical_rank = _ranks(cosine), _ranks(lexical)
    fused = (1 - fusion.lexical_share) / (fusion.k + dense_rank) + np.where(
        lexical > 0, fusion.lexical_share / (fusion.k + lexical_rank), 0.0
    )
    logit = coef[0] + coef[1] * cosine + coef[2] * _z(cosine) + coef[3] * _z(lexical)
    match = 1 / (1 + np.exp(-logit))
    return Fused(cosine, lexical, dense_rank, lexical_rank, fused, match)


def relevant(fused: Fused, settings: Settings) -> np.ndarray:
    """The relevance floor: a paper stands out from the window (match) and is close in absolute terms
    (similarity), so the best of an unrelated window is not called relevant. A window of fewer than
    MATCH_MIN_PAPERS has no spread to stand out from: there the similarity decides alone."""
    close = fused.cosine >= settings.gate.min_similarity
    if len(fused.match) < MATCH_MIN_PAPERS:
        return close
    return close & (fused.match >= settings.gate.min_match)


def adjust(
    win: Window, fused: Fused, closeness: np.ndarray, settings: Settings
) -> tuple[np.ndarray, np.ndarray]:
    """(final score, fundamentals strength): fused x (1 + bonus x strength) x hype penalty.

    Strength sums link score x closeness over the fundamentals the attempt is close to, so a paper
    rests on the idea the reader is stuck on, not merely on any idea.
    """
    near = np.where(closeness > CLOSE_FUNDAMENTAL, closeness, 0.0).astype(np.float32)
    strength = win.links @ near
    final = fused.fused * (1 + settings.gate.fundamental_bonus * strength)
    return np.where(win.hype, final * settings.gate.hype_penalty, final), strength


def rank(
    store,
    embedder: Embedder,
    settings: Settings,
    attempt: Attempt,
    *,
    until: str | None = None,
    day: str | None = None,
    exclude_unlocked: bool = False,
    relevant_only: bool = False,
    limit: int | None = None,
) -> list[Unlock]:
    """The best papers for an attempt, each with the evidence for its place.

    Candidates: the [gate] recent_days up to `until` (default the newest day held), only `day`'s
    papers when given, without already-unlocked ones when `exclude_unlocked`, and only those that
    clear the relevance floor when `relevant_only`. At most `limit` (default [gate] unlock_per_attempt).
    """
    until = until or store.latest_day()
    if until is None:
        return []
    since = (dt.date.fromisoformat(until) - dt.timedelta(days=settings.gate.recent_days)).isoformat()
    win = window(store, embedder, since, until)
    if not win.ids:
        return []
    sig = signals(win, embedder, attempt)
    fused = fuse(sig)
    catalogue = [f.id for f in fund.catalogue()]
    qvec = _blend(sig.query, FUSION.dense_context)
    qvec = qvec / (float(np.linalg.norm(qvec)) or 1.0)
    near = fundamental_closeness(embedder, qvec)
    closeness = np.array([near.get(fid, 0.0) for fid in catalogue], dtype=np.float32)
    final, strength = adjust(win, fused, closeness, settings)

    allowed = np.ones(len(win.ids), dtype=bool)
    if day is not None:
        allowed &= win.published == day
    if exclude_unlocked:
        unlocked = store.unlocked_within(since, until)
        allowed &= np.array([pid not in unlocked for pid in win.ids])
    clears = relevant(fused, settings)
    if relevant_only:
        allowed &= clears
    order = np.argsort(-final, kind="stable")
    order = [
        int(i) for i in order[allowed[order]][: settings.gate.unlock_per_attempt if limit is None else limit]
    ]
    papers = store.get_papers([win.ids[i] for i in order])
    present = set().union(*(win.words[win.hashes[i]] for i in order)) if order else set()
    why_words = win.lexical.top_words([w for ws in sig.words for w in ws if w in present], order)
    out = []
    for i, words in zip(order, why_words, strict=True):
        shared = sorted(
            (
                (catalogue[j], float(closeness[j]))
                for j in np.flatnonzero(win.links[i])
                if closeness[j] > CLOSE_FUNDAMENTAL
            ),
            key=lambda t: -t[1],
        )
        out.append(
            Unlock(
                paper=papers[win.ids[i]],
                score=float(final[i]),
                similarity=float(fused.cosine[i]),
                match=float(fused.match[i]),
                dense_rank=int(fused.dense_rank[i]),
                lexical_rank=int(fused.lexical_rank[i]) if fused.lexical[i] > 0 else None,
                words=words,
                shared=shared,
                hype=bool(win.hype[i]),
                relevant=bool(clears[i]),
            )
        )
    return out


def day_relevance(store, embedder: Embedder, settings: Settings, day: str) -> dict[str, tuple[float, int]]:
    """{paper_id: (match, attempt id)} of `day`'s papers that clear the floor for an open attempt.

    Scores are cached per (attempt, day) and recomputed only when the day gains papers, so the
    daily page never embeds on a repeat view.
    """
    open_attempts = {a["id"]: Attempt.of(a) for a in store.attempts(open_only=True)}
    if not open_attempts:
        return {}
    held = store.count_day(day)
    stale = set(open_attempts) - store.relevance_fresh(day, list(open_attempts), held)
    if stale and held:
        for attempt_id in sorted(stale):
            fits = rank(
                store,
                embedder,
                settings,
                open_attempts[attempt_id],
                until=day,
                day=day,
                relevant_only=True,
                limit=held,
            )
            store.set_relevance(attempt_id, day, [(u.paper.id, u.match) for u in fits], papers=held)
    return store.relevance(day, list(open_attempts))


def log_attempt(
    store,
    embedder: Embedder,
    settings: Settings,
    problem: str,
    tried: str,
    bottleneck: str,
    evidence: str | None = None,
    today: str | None = None,
) -> AttemptResult:
    """Record an attempt and unlock the papers that fit it into the reading queue.

    The papers that clear the relevance floor among the best unlock_per_attempt; when none does, the
    closest [gate] weak_matches, marked weak match, so a reader always sees where the window stands.
    """
    validate_attempt(store, settings, problem, tried, bottleneck)
    attempt = Attempt(problem.strip(), tried.strip(), bottleneck.strip())
    qvec = embedder.embed([attempt.bottleneck])[0]
    earlier = store.attempt_bottlenecks()
    if earlier:
        sims = embedder.embed(earlier) @ qvec
        if float(sims.max()) >= REPEAT_SIMILARITY:
            raise UserError(
                "This bottleneck says the same as an earlier attempt: describe where you are stuck now."
            )
    ranked = rank(store, embedder, settings, attempt, until=today, exclude_unlocked=True)
    chosen = [u for u in ranked if u.relevant]
    weak = not chosen
    if weak:
        chosen = ranked[: settings.gate.weak_matches]
        for u in chosen:
            u.weak = True
    attempt_id = store.add_attempt(
        attempt.problem, attempt.tried, attempt.bottleneck, (evidence or "").strip() or None
    )
    store.add_unlocks(attempt_id, [(u.paper.id, u.score, u.reason) for u in chosen])
    return AttemptResult(attempt_id, chosen, revisit(embedder, attempt.bottleneck, vector=qvec), weak=weak)


def attempt_unlocks(store, attempt_id: int) -> list[dict]:
    """The queue rows an attempt unlocked, in its ranking order."""
    rows = [r for r in store.queue("all") if r["attempt_id"] == attempt_id]
    return sorted(rows, key=lambda r: r["rank"])


def queue(store, state: str = "queued") -> list[dict]:
    """The reading queue: unlocked papers with their reason and read state."""
    if state not in ("queued", "read", "all"):
        raise UserError(f"Unknown queue state {state!r}: use queued, read or all.")
    return store.queue(state)


def mark_read(store, paper_id: str, note: str | None = None, unblocked: bool = False) -> None:
    if not store.mark_read(paper_id, (note or "").strip() or None, unblocked):
        raise UserError(f"Paper {paper_id} is not in the reading queue.")


def close_attempt(store, attempt_id: int, outcome: str, note: str | None = None) -> None:
    if outcome not in OUTCOMES:
        raise UserError(f"Unknown outcome {outcome!r}: use one of {', '.join(OUTCOMES)}.")
    if not store.close_attempt(attempt_id, outcome, (note or "").strip() or None):
        raise UserError(f"Attempt {attempt_id} does not exist or is already closed.")


def budget(store, settings: Settings, today: dt.date | None = None) -> dict:
    """Papers read today against the daily budget; `enough` says when to stop reading."""
    today = today or dt.date.today()
    read = store.read_count_on(today.isoformat())
    limit = settings.gate.daily_read_budget
    return {"read": read, "budget": limit, "left": max(0, limit - read), "enough": read >= limit}


def streak(store, today: dt.date | None = None) -> int:
    """Consecutive days, ending today or yesterday, with at least one attempt logged."""
    today = today or dt.date.today()
    days = {dt.date.fromisoformat(d) for d in store.attempt_days()}
    day = today if today in days else today - dt.timedelta(days=1)
    count = 0
    while day in days:
        count += 1
        day -= dt.timedelta(days=1)
    return count
