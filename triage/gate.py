"""The gate: papers stay locked until a specific, blocked attempt unlocks the few that fit it.

Both faces (CLI `attempt`/`queue`, the web app) call these functions; neither ranks on its own.
Ranking: cosine similarity of the bottleneck to each candidate paper, nudged up when the paper
rests on a fundamental the bottleneck is close to (fundamentals first), and down when the paper
sits on a young, hyped topic. Every unlock keeps the reasons it was chosen.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import numpy as np

from triage import fundamentals as fund
from triage.config import Settings
from triage.embed import Embedder, paper_text
from triage.errors import UserError
from triage.link import Linker
from triage.papers import Paper

OUTCOMES = ("paper", "fundamental", "myself", "abandoned")
HYPE_PENALTY = 0.85  # a hyped topic's paper keeps this share of its similarity
FUNDAMENTAL_BONUS = (
    0.15  # added per unit of (paper link score x bottleneck closeness) to a shared fundamental
)
REPEAT_SIMILARITY = 0.95  # a bottleneck this close to an earlier one is a repeat, not a new attempt


@dataclass
class Unlock:
    paper: Paper
    score: float
    similarity: float
    shared: list[tuple[str, float]] = field(default_factory=list)  # (fundamental id, closeness)
    hype: bool | None = None

    @property
    def reason(self) -> str:
        parts = [f"similarity {self.similarity:.2f} to your bottleneck"]
        names = fund.by_id()
        if self.shared:
            parts.append("rests on " + ", ".join(names[f].name for f, _ in self.shared if f in names))
        if self.hype:
            parts.append("young topic, ranked down")
        return "; ".join(parts)


@dataclass
class AttemptResult:
    attempt_id: int
    unlocked: list[Unlock]
    revisit: list[tuple[fund.Fundamental, float]]  # fundamentals to revisit first, closest first


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def _normalise(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def validate_attempt(store, settings: Settings, problem: str, tried: str, bottleneck: str) -> None:
    """Refuse vague or repeated attempts with a sentence that says what to fix."""
    for name, value in (("problem", problem), ("what you tried", tried), ("bottleneck", bottleneck)):
        if not value or not value.strip():
            raise UserError(f"The {name} is empty: say it in a sentence.")
    minimum = settings.gate.min_bottleneck_chars
    if len(bottleneck.strip()) < minimum:
        raise UserError(
            f"The bottleneck is too vague ({len(bottleneck.strip())} characters; at least {minimum}): "
            "say exactly where you are blocked."
        )
    if len(_words(bottleneck)) < 6:
        raise UserError(
            "The bottleneck is too vague: use at least six different words to say where you are stuck."
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


def closest_fundamentals(
    embedder: Embedder, text_vec: np.ndarray, k: int = 3
) -> list[tuple[fund.Fundamental, float]]:
    names = fund.by_id()
    closeness = fundamental_closeness(embedder, text_vec)
    return [(names[fid], c) for fid, c in sorted(closeness.items(), key=lambda t: -t[1])[:k]]


def revisit(embedder: Embedder, bottleneck: str, k: int = 3) -> list[tuple[fund.Fundamental, float]]:
    """The fundamentals closest to a bottleneck: what to revisit before reading."""
    return closest_fundamentals(embedder, embedder.embed([bottleneck])[0], k)


def relevant(ranked: list[Unlock], settings: Settings) -> list[Unlock]:
    """The ranked papers close enough to the bottleneck to be worth its reader's time."""
    return [u for u in ranked if u.similarity >= settings.gate.min_similarity]


def day_relevance(store, embedder: Embedder, settings: Settings, day: str) -> dict[str, tuple[float, int]]:
    """{paper_id: (best score, attempt id)} of `day`'s relevant papers against the open bottlenecks.

    Scores are cached per (attempt, day) and recomputed only when the day gains papers, so the
    daily page never embeds on a repeat view.
    """
    open_ids = {a["id"]: a["bottleneck"] for a in store.attempts(open_only=True)}
    if not open_ids:
        return {}
    held = store.count_day(day)
    stale = set(open_ids) - store.relevance_fresh(day, list(open_ids), held)
    if stale and held:
        papers = list(store.iter_papers(since=day, until=day))
        for attempt_id in sorted(stale):
            ranked = rank(store, embedder, open_ids[attempt_id], papers)
            scores = [(u.paper.id, u.score) for u in relevant(ranked, settings)]
            store.set_relevance(attempt_id, day, scores, papers=len(papers))
    return store.relevance(day, list(open_ids))


def candidates(store, settings: Settings, today: str | None = None) -> list[Paper]:
    """Locked papers announced within [gate] recent_days of `today` (default: the newest day held)."""
    today = today or store.latest_day()
    if today is None:
        return []
    since = (dt.date.fromisoformat(today) - dt.timedelta(days=settings.gate.recent_days)).isoformat()
    papers = list(store.iter_papers(since=since, until=today))
    unlocked = store.unlocked_ids([p.id for p in papers])
    return [p for p in papers if p.id not in unlocked]


def rank(store, embedder: Embedder, bottleneck: str, papers: list[Paper]) -> list[Unlock]:
    """Rank papers for a bottleneck, best first, each with the evidence for its place."""
    if not papers:
        return []
    qvec = embedder.embed([bottleneck])[0]
    pvecs = embedder.embed([paper_text(p.title, p.abstract) for p in papers])
    sims = pvecs @ qvec
    closeness = fundamental_closeness(embedder, qvec)
    links = store.fundamentals_for([p.id for p in papers])
    topics = store.topic_for([p.id for p in papers])
    out = []
    for p, sim in zip(papers, sims, strict=True):
        shared = sorted(
            (
                (fid, closeness.get(fid, 0.0))
                for fid, _ in links.get(p.id, [])
                if closeness.get(fid, 0.0) > 0.25
            ),
            key=lambda t: -t[1],
        )
        bonus = FUNDAMENTAL_BONUS * sum(score * closeness.get(fid, 0.0) for fid, score in links.get(p.id, []))
        hype = topics.get(p.id, {}).get("hype")
        score = (float(sim) + bonus) * (HYPE_PENALTY if hype else 1.0)
        out.append(Unlock(paper=p, score=score, similarity=float(sim), shared=shared, hype=hype))
    out.sort(key=lambda u: -u.score)
    return out


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
    """Record an attempt and unlock the papers that fit its bottleneck into the reading queue."""
    validate_attempt(store, settings, problem, tried, bottleneck)
    qvec = embedder.embed([bottleneck])[0]
    earlier = store.attempt_bottlenecks()
    if earlier:
        sims = embedder.embed(earlier) @ qvec
        if float(sims.max()) >= REPEAT_SIMILARITY:
            raise UserError(
                "This bottleneck says the same as an earlier attempt: describe where you are stuck now."
            )
    ranked = rank(store, embedder, bottleneck, candidates(store, settings, today))
    ranked = relevant(ranked, settings)[: settings.gate.unlock_per_attempt]
    attempt_id = store.add_attempt(
        problem.strip(), tried.strip(), bottleneck.strip(), (evidence or "").strip() or None
    )
    store.add_unlocks(attempt_id, [(u.paper.id, u.score, u.reason) for u in ranked])
    return AttemptResult(attempt_id, ranked, closest_fundamentals(embedder, qvec))


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
