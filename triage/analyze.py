"""The analysis step: embed papers, link them to fundamentals, then update topics.

Incremental: a paper is redone only when its (model, text hash) or the linker changed since its last
analysis (table paper_analysis); `all_=True` redoes everything. Vectors come from the embedding cache
whenever the same text was encoded by the same model before, so relinking alone never re-encodes.
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass, field

from tqdm import tqdm

from triage import topics
from triage.config import Settings
from triage.embed import Embedder, paper_text, text_hash
from triage.link import Linker, fingerprint
from triage.store import Store

CHUNK = 2048  # papers per embed-link-write round: a crash loses at most one chunk of work


@dataclass
class AnalyzeReport:
    papers: int = 0  # papers in the linking window (the last [gate] recent_days up to as_of)
    analyzed: int = 0  # papers embedded and linked this run
    unchanged: int = 0  # skipped: same model, text and linker as last time
    encoded: int = 0  # texts run through the model (the rest came from the cache)
    linked: int = 0  # analyzed papers that got at least one fundamental
    model_changes: list[str] = field(default_factory=list)
    topics: dict | None = None  # the topics step's summary

    def lines(self) -> list[str]:
        out = list(self.model_changes)
        out.append(
            f"Analyzed {self.analyzed} of {self.papers} recent papers ({self.unchanged} unchanged); "
            f"encoded {self.encoded} texts, the rest from the cache; "
            f"{self.linked} of {self.analyzed} linked to at least one fundamental."
        )
        if self.topics is not None:
            t = self.topics
            out.insert(
                0,
                f"Topics as of {t['as_of']} ({t['mode']}): {t['topics']} topics over {t['papers']} papers; "
                f"hype {t['hype_true']}, not hype {t['hype_false']}, unknown {t['hype_null']}; in {t['seconds']} s.",
            )
        return out


def analyze(store: Store, settings: Settings, as_of: str | None = None, all: bool = False, progress=True):
    """Topics over the whole history up to `as_of` (default: the newest day held), then embed and
    link the papers of the last [gate] recent_days that need it.

    Topics come first and read titles (~20x faster to encode than abstracts), so a new user's
    first run gives hype verdicts early; full-text vectors and fundamentals are only needed for
    the papers a reader can still unlock, so older history is not embedded in full.
    """
    embedder = Embedder(settings.embeddings, store)
    report = AnalyzeReport()
    as_of = as_of or store.latest_day()
    if as_of is None:
        return report
    report.topics = topics.update_topics(store, settings, embedder, as_of, progress)
    since = (dt.date.fromisoformat(as_of) - dt.timedelta(days=settings.gate.recent_days)).isoformat()
    model, linker_key = embedder.model_name, fingerprint()
    papers = list(store.iter_papers(since=since, until=as_of))
    state = store.analysis_state()
    report.papers = len(papers)

    todo, previous = [], {}
    for p in papers:
        text = paper_text(p.title, p.abstract)
        key = (model, text_hash(text), linker_key)
        old = state.get(p.id)
        if not all and old == key:
            continue
        if old is not None and old[0] != model:
            previous[old[0]] = previous.get(old[0], 0) + 1
        todo.append((p, text, key[1]))
    report.unchanged = len(papers) - len(todo)
    for old_model, n in sorted(previous.items()):
        report.model_changes.append(
            f"embedding model changed from {old_model} to {model}: re-embedding {n} papers"
        )
    if progress:
        for line in report.model_changes:  # said up front too: a re-embed can take a while
            tqdm.write(line, file=sys.stderr)

    if todo:
        todo.sort(key=lambda t: -len(t[1]))  # similar lengths share a batch: less padding
        linker = Linker(embedder, settings.fundamentals.max_links)
        before = embedder.encoded  # the catalogue may have been encoded just now; count papers only
        with tqdm(total=len(todo), desc="embedding abstracts", unit="paper", disable=not progress) as bar:
            for start in range(0, len(todo), CHUNK):
                chunk = todo[start : start + CHUNK]
                vectors = embedder.embed([t for _, t, _ in chunk], bar=bar)
                links = linker.link(
                    [p.title for p, _, _ in chunk], [p.abstract for p, _, _ in chunk], vectors
                )
                store.record_analysis(
                    model, linker_key, {p.id: (h, ls) for (p, _, h), ls in zip(chunk, links, strict=True)}
                )
                report.linked += sum(1 for ls in links if ls)
        report.analyzed = len(todo)
        report.encoded = embedder.encoded - before
    return report
