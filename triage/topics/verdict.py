"""Onset, popularity, age and the hype verdict of each topic, from its monthly counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from triage.config import HypeConfig
from triage.topics.grid import Grid, curves, history_months, month_index, month_name, source_sizes

# The baseline a rise is measured against: the mean share over this many months before it (a
# year, so a seasonal dip or one conference month is not "about zero").
BASELINE_SPAN = 12


def _prior_peak(counts: np.ndarray, grid: Grid, cfg: HypeConfig) -> np.ndarray:
    """(T, M): the highest mean share over sustain_months that any source showed before each month
    (the same span that makes a rise a level, so an earlier level is read the same way)."""
    t, _, m = counts.shape
    w = cfg.sustain_months
    peak = np.zeros((t, m + 1))
    for s in range(len(grid.sources)):
        idx = np.flatnonzero(grid.valid[s])
        if len(idx) < w:
            continue
        share = counts[:, s, idx] / grid.totals[s, idx]
        csum = np.concatenate([np.zeros((t, 1)), np.cumsum(share, axis=1)], axis=1)
        rolling = (csum[:, w:] - csum[:, :-w]) / w
        peak[:, idx[w - 1 :] + 1] = np.maximum(peak[:, idx[w - 1 :] + 1], rolling)
    return np.maximum.accumulate(peak, axis=1)[:, :m]


def onsets(counts: np.ndarray, grid: Grid, cfg: HypeConfig) -> np.ndarray:
    """Onset month index (absolute) per topic, -1 when its share never rose; counts is (T, S, M).

    A source shows an onset at month j when
    * the share in j, and the pooled share of j and the following months up to sustain_months
      (at least two months of evidence), are >= rise_ratio x its baseline and >= min_share;
    * the baseline (mean share over the BASELINE_SPAN months before j, less the last ramp_months)
      is below min_share: a young topic rose from about zero; a phrase that was already a topic and grew
      ("long horizon" at 1.3% for a year, then 6%) is not new;
    * those months hold >= min_topic_papers papers of the topic in all sources together (a
      young topic has a few papers a month, spread over the sources: counting evidence);
    * no source held the topic at >= prior_ratio of that level (mean over sustain_months) before
      the ramp: a topic common elsewhere earlier is not new, whatever one source's mix says.
    The ramp (the ramp_months before j) is left out of the baseline and of that last check: a
    young topic's own build-up before its clear rise is not evidence that it is old.
    """
    t = counts.shape[0]
    never = np.iinfo(np.int64).max
    out = np.full(t, never, dtype=np.int64)
    prior = _prior_peak(counts, grid, cfg)
    every = counts.sum(axis=1)
    for s in range(len(grid.sources)):
        idx = np.flatnonzero(grid.valid[s])
        if len(idx) <= cfg.baseline_months:
            continue
        share = counts[:, s, idx] / grid.totals[s, idx]
        csum = np.concatenate([np.zeros((t, 1)), np.cumsum(share, axis=1)], axis=1)
        found = np.zeros(t, dtype=bool)
        for j in range(cfg.baseline_months, len(idx) - 1):
            lo, hi = max(0, j - BASELINE_SPAN), min(j + cfg.sustain_months, len(idx))
            b = max(lo + 1, j - cfg.ramp_months)
            base = (csum[:, b] - csum[:, lo]) / (b - lo)
            thr = np.maximum(cfg.min_share, cfg.rise_ratio * base)
            level = counts[:, s, idx[j:hi]].sum(axis=1) / grid.totals[s, idx[j:hi]].sum()
            n = every[:, idx[j:hi]].sum(axis=1)
            ok = (
                (share[:, j] >= thr)
                & (level >= thr)
                & (base < cfg.min_share)
                & (n >= cfg.min_topic_papers)
                & (prior[:, max(0, idx[j] - cfg.ramp_months)] < cfg.prior_ratio * level)
                & ~found
            )
            out[ok] = np.minimum(out[ok], grid.first + idx[j])
            found |= ok
    out[out == never] = -1
    return out


def _first_popular(share: np.ndarray, cfg: HypeConfig) -> int:
    """Index of the first month whose share, and the mean of it and the next months up to
    sustain_months, are >= popular_ratio x the peak so far (the highest such mean); 0 if none is."""
    w = min(cfg.sustain_months, len(share))
    bar = cfg.popular_ratio * np.convolve(share, np.ones(w) / w, mode="valid").max()
    return next((i for i in range(len(share)) if share[i] >= bar and share[i : i + w].mean() >= bar), 0)


def popular_since(counts: np.ndarray, rise: int, grid: Grid, cfg: HypeConfig) -> tuple[int, str]:
    """The month a risen topic became popular, from which its age counts, and a note saying how
    each source read it ("" with one source); counts is (S, M).

    Each source is read against itself (`_first_popular` on its own shares since the rise): a
    trending list carries a fashion at several times a listing's share, so one source's months
    must not be measured against another's peak, least of all across the month a source joined.
    The topic became popular in the first month any source shows it popular: a fashion a
    community has been reading for months is not young because a bigger listing came to it late.
    Left out: a source with fewer than min_topic_papers papers of the topic since the rise
    (noise), and one that began after the rise with the topic already there (min_share of its
    first month): it cannot tell when the topic became popular, only that it was present when it
    began. With no source left, the sources are pooled."""
    valid = grid.valid
    start = rise - grid.first
    months, read = [], []
    for s in range(len(grid.sources)):
        idx = np.flatnonzero(valid[s])
        after = idx[idx >= start]
        if not len(after):
            continue
        n = int(counts[s, after].sum())
        if n < cfg.min_topic_papers:
            read.append(f"{grid.sources[s]}: {n} paper{'' if n == 1 else 's'} since, too few to date")
            continue
        i = _first_popular(counts[s, after] / grid.totals[s, after], cfg)
        if idx[0] < start or (i > 0 and counts[s, idx[0]] < cfg.min_share * grid.totals[s, idx[0]]):
            months.append(after[i])
            read.append(f"{grid.sources[s]}: {month_name(grid.first + after[i])}")
        else:
            read.append(f"{grid.sources[s]}: began after the rise, with the topic already there")
    if not months:
        after = np.flatnonzero(valid.any(axis=0))
        after = after[after >= start]
        if not len(after):
            return rise, ""
        n = np.where(valid, counts, 0).sum(axis=0)[after]
        months = [after[_first_popular(n / np.where(valid, grid.totals, 0).sum(axis=0)[after], cfg)]]
        read.append("sources pooled")
    sources = f" ({'; '.join(read)})" if len(read) > 1 else ""
    return grid.first + int(min(months)), f", first in any source{sources}" if len(months) > 1 else sources


@dataclass(frozen=True)
class Age:
    """A topic's age: whole calendar months from its onset month to the as-of month (what the
    hype rule compares with max_topic_age_months), and how every view writes it."""

    months: int

    @property
    def text(self) -> str:
        if self.months < 1:
            return "under a month"
        if self.months < 24:
            return f"{self.months} month{'' if self.months == 1 else 's'}"
        return f"{self.months // 12} years"


def topic_age(onset: str | None, age_days: int | None) -> Age | None:
    """The one age of a topic, from what every stored topic carries (onset "YYYY-MM", age_days
    since the onset month's first day, i.e. the as-of date); None without an onset. The badge,
    the why, `triage topics` and the digest all read it here."""
    if onset is None or age_days is None:
        return None
    as_of = date.fromisoformat(f"{onset}-01") + timedelta(days=age_days)
    return Age(month_index(as_of.isoformat()) - month_index(onset))


def age_text(onset: str | None, age_days: int | None) -> str:
    """'under a month', '3 months', '2 years', or 'unknown' when the topic has no onset."""
    age = topic_age(onset, age_days)
    return "unknown" if age is None else age.text


def verdicts(counts: np.ndarray, grid: Grid, as_of: date, cfg: HypeConfig, kinds=None) -> list[dict]:
    """Onset, age, activity, hype and the why, per topic row of counts (T, S, M); "rose" is the
    month it rose from about zero (None if it never did), for its first papers. Only a nameable
    topic (a phrase, not a cluster of similar titles: `kinds`) can be young, and only if it holds at
    least min_popular_share of the papers since it became popular (fewer is a niche, not a
    fashion). An established topic in more than max_label_share of recent papers is "broad": too
    broad to label a paper."""
    on = onsets(counts, grid, cfg)
    sizes = source_sizes(grid)
    share, valid = curves(counts, grid, sizes)
    months = [grid.first + i for i in np.flatnonzero(valid)]
    hist = history_months(grid)
    recent = np.flatnonzero(valid)[-cfg.active_months :]
    # Weighted by the month's papers: the as-of month may hold one day of a big listing.
    weight = np.where(grid.valid, grid.totals, 0).sum(axis=0)[recent]
    out = []
    for k in range(counts.shape[0]):
        curve = [[month_name(m), round(float(share[k, m - grid.first]), 5)] for m in months]
        cluster = kinds is not None and kinds[k] == "cluster"
        rise = -1 if cluster else int(on[k])
        onset, by_source = popular_since(counts[k], rise, grid, cfg) if rise >= 0 else (-1, "")
        since = [m - grid.first for m in months if onset < 0 or m >= onset]
        level = float(np.mean(share[k, since])) if since else 0.0
        now = float(np.average(share[k, recent], weights=weight)) if len(recent) else 0.0
        active = now > 0 and now >= cfg.active_ratio * level
        v = {"curve": curve, "active": active, "onset": None, "age_days": None, "rose": None}
        age = None
        if onset >= 0:
            v["onset"], v["rose"] = month_name(onset), month_name(rise)
            v["age_days"] = (as_of - date(onset // 12, onset % 12 + 1, 1)).days
            age = topic_age(v["onset"], v["age_days"])
        niche = level < cfg.min_popular_share
        young = age is not None and age.months < cfg.max_topic_age_months and active and not niche
        # A young topic at its peak may hold more than max_label_share of the papers (o1 in 6% of a
        # trending list's in 2025-02); breadth bars established topics ("llm") from labels only.
        v["broad"] = broad = now > cfg.max_label_share and not young
        if hist < cfg.min_history_months:
            v["hype"] = None
            v["why"] = (
                f"Only {hist} months of history before {as_of} (need {cfg.min_history_months}): "
                "too short to tell a new topic from an old one."
            )
        elif cluster:
            v["hype"] = False
            v["why"] = (
                "No young topic a researcher could name: none of its phrases rose as a name or a "
                "phrase of its own; shown with its nearest established topic (papers of similar titles)."
            )
        elif broad:
            v["hype"] = False
            v["why"] = (
                f"In {now:.0%} of recent papers (over {cfg.max_label_share:.0%}): too broad to be one "
                "topic, so it says nothing about a paper's age."
            )
        elif age is None:
            v["hype"] = False
            v["why"] = (
                f"Its share never rose above its baseline in {hist} months of history: "
                "older than the history."
            )
        else:
            v["hype"] = young
            state = "active now" if active else "fading now"
            if niche:
                state += (
                    f", but in only {level:.2%} of papers since (under {cfg.min_popular_share:.2%}): a niche"
                )
            v["why"] = (
                f"Rose from about zero in {month_name(rise)}, popular (>= {cfg.popular_ratio:g} of its "
                f"peak share) since {month_name(onset)}{by_source}: {age.text} old at {as_of}, {state}."
            )
        out.append(v)
    return out
