"""The month x source grid the shares live in: papers per source and month, which months are
filled well enough to read a share from, and the topics' monthly curves."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from triage.config import HypeConfig
from triage.papers import Paper

SMALL = "(small sources)"


def month_index(iso: str) -> int:
    return int(iso[:4]) * 12 + int(iso[5:7]) - 1


def month_name(i: int) -> str:
    return f"{i // 12:04d}-{i % 12 + 1:02d}"


@dataclass
class Grid:
    """The month x source cells the shares live in: months first..last, the sources seen
    (sources too small to fill any month pooled as SMALL, through `alias`)."""

    first: int
    last: int
    sources: list[str]
    totals: np.ndarray  # (S, M) papers per source and month
    valid: np.ndarray  # (S, M) months well filled enough to read a share from
    alias: dict[str, str] = field(default_factory=dict)

    @property
    def months(self) -> int:
        return self.last - self.first + 1

    def cell(self, source: str, month: int) -> tuple[int, int] | None:
        source = self.alias.get(source, source)
        if month < self.first or month > self.last or source not in self.sources:
            return None
        return self.sources.index(source), month - self.first


def build_grid(rows: list[tuple[str, str, int]], as_of_month: int, cfg: HypeConfig) -> Grid:
    """Grid from (month, source, n) totals, starting at the first month any source fills well.
    Sources that never fill a month (min_month_papers) are pooled into one: a file whose records
    name many small lists still has a history, instead of papers that count nowhere."""
    rows = [(m, s, n) for m, s, n in rows if month_index(m) <= as_of_month]
    full = {s for _, s, n in rows if n >= cfg.min_month_papers}
    alias = {s: SMALL for _, s, _ in rows if s not in full}
    merged: Counter = Counter()
    for m, s, n in rows:
        merged[(month_index(m), alias.get(s, s))] += n
    good = [m for (m, _), n in merged.items() if n >= cfg.min_month_papers]
    first = min(good) if good else as_of_month
    sources = sorted({s for _, s in merged})
    totals = np.zeros((len(sources), as_of_month - first + 1), dtype=np.float64)
    for (m, s), n in merged.items():
        if m >= first:
            totals[sources.index(s), m - first] += n
    return grid_of(first, as_of_month, sources, totals, cfg, alias)


def grid_of(
    first: int, last: int, sources: list[str], totals: np.ndarray, cfg: HypeConfig, alias=None
) -> Grid:
    """The grid, with its well-filled months: min_month_papers papers, and either at least
    partial_month_ratio of the median of the source's well-filled neighbours (3 months either
    side; neighbours, so a source that grows over the years keeps its early months) or enough
    papers that one paper is at most min_share of them. A thin month (the source began
    mid-month or half missed it, the as-of month's first days) gives shares from a few papers,
    where one paper reads as a fashion's level: "o1" at 1.5% of HF's 67-paper first month, then
    in none of the next 907 papers."""
    full = totals >= cfg.min_month_papers
    valid = full & (totals * cfg.min_share >= 1)
    for s, m in zip(*np.nonzero(full & ~valid), strict=True):
        near = [
            totals[s, j] for j in range(max(0, m - 3), min(totals.shape[1], m + 4)) if j != m and full[s, j]
        ]
        valid[s, m] = not near or totals[s, m] >= cfg.partial_month_ratio * np.median(near)
    return Grid(first, last, sources, totals, valid, alias or {})


def history_months(grid: Grid) -> int:
    """Months before the as-of month in which at least one source is well filled."""
    valid = grid.valid.any(axis=0)
    return int(valid[:-1].sum())


def source_sizes(grid: Grid) -> np.ndarray:
    """(S,) each source's usual size: mean papers per well-filled month."""
    valid = grid.valid
    return np.where(valid, grid.totals, 0.0).sum(axis=1) / np.maximum(valid.sum(axis=1), 1)


def curves(counts: np.ndarray, grid: Grid, sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Monthly share per topic over the well-filled sources (NaN where none is): each source's
    own share, weighted by its usual size (`source_sizes`). Own shares, so a source joining the mix cannot fake a
    rise; size weights, so a small curated list (trending papers, early on every fashion) does
    not count as much as a listing ten times its size."""
    valid = grid.valid
    w = np.where(valid, sizes[:, None], 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = counts / np.where(valid, grid.totals, 1)[None]
        mean = (share * w[None]).sum(axis=1) / w.sum(axis=0)
    return np.where(valid.any(axis=0)[None], mean, np.nan), valid.any(axis=0)


def cells(papers: list[Paper], grid: Grid) -> np.ndarray:
    """Flat cell index (source * months + month) per paper, -1 outside the grid."""
    out = np.full(len(papers), -1, dtype=np.int64)
    for i, p in enumerate(papers):
        c = grid.cell(p.source, month_index(p.published))
        if c is not None:
            out[i] = c[0] * grid.months + c[1]
    return out


def cell_counts(member: sparse.csr_matrix, cells: np.ndarray, grid: Grid) -> np.ndarray:
    """(T, S, M) counts from a papers x topics membership matrix."""
    keep = np.flatnonzero(cells >= 0)
    ncell = len(grid.sources) * grid.months
    g = sparse.csr_matrix((np.ones(len(keep)), (cells[keep], keep)), shape=(ncell, member.shape[0]))
    dense = (g @ member).toarray().T.astype(np.float32)
    return dense.reshape(member.shape[1], len(grid.sources), grid.months)


def month_totals(papers: list[Paper]) -> list[tuple[str, str, int]]:
    c = Counter((p.published[:7], p.source) for p in papers)
    return [(m, s, n) for (m, s), n in sorted(c.items())]
