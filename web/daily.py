"""The daily page's data: one day's papers, filtered, searched and ordered for a reader with a bottleneck.

Relevant-to-an-open-bottleneck first (scores from gate.day_relevance, cached per attempt and
day), young-topic papers after the rest; the young ones are also summarised by topic at the top,
so they are one click away instead of buried on the last page. Filtering runs over one light row
per paper of the day (store.day_facets); only the page being shown is loaded in full.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass

from triage import fundamentals as fund
from triage import gate
from triage.papers import arxiv_url
from web.charts import sparkline
from web.verdict import verdict

AGES = {"young": True, "established": False, "unknown": None}
MAX_QUERY_CHARS = 200
MAX_CATEGORY_CHARS = 40  # arXiv category names are short (cs.LG, physics.comp-ph)
TOPIC_OPTIONS = 40  # the topic filter lists the day's topics with the most papers (and the chosen one)
YOUNG_LISTED = 10  # the young-topic summary lists at most this many topics; a link shows them all
YOUNG_NAMED = 3  # ... and names this many of them in its one-line heading


@dataclass
class Filters:
    """What the reader asked the page for; every field round-trips through the URL."""

    topic: int | None = None
    age: str = ""
    category: str = ""
    fundamental: bool = False
    q: str = ""

    @classmethod
    def from_args(cls, args) -> Filters:
        age = args.get("age", "")
        return cls(
            topic=args.get("topic", None, type=int),
            age=age if age in AGES else "",
            category=args.get("category", "").strip()[:MAX_CATEGORY_CHARS],
            fundamental=args.get("fundamental") == "1",
            q=" ".join(args.get("q", "").split())[:MAX_QUERY_CHARS],
        )

    def active(self) -> bool:
        return bool(self.topic is not None or self.age or self.category or self.fundamental or self.q)

    def args(self) -> dict:
        """The non-empty filters as URL query arguments."""
        out = {"topic": self.topic, "age": self.age, "category": self.category, "q": self.q}
        out = {k: v for k, v in out.items() if v not in (None, "")}
        if self.fundamental:
            out["fundamental"] = "1"
        return out

    def keep(self, row: dict, allowed: set[str] | None) -> bool:
        """Whether a day_facets row passes; `allowed` holds the ids the search and category left, if any."""
        if self.topic is not None and row["topic_id"] != self.topic:
            return False
        if self.age and row["hype"] is not AGES[self.age]:
            return False
        if self.fundamental and not row["fundamentals"]:
            return False
        return allowed is None or row["id"] in allowed


def in_unlock_window(store, settings, day: str) -> bool:
    """Whether an attempt can still unlock papers of `day` ([gate] recent_days before the newest day)."""
    latest = store.latest_day()
    if latest is None:
        return False
    since = dt.date.fromisoformat(latest) - dt.timedelta(days=settings.gate.recent_days)
    return day >= since.isoformat()


def day_view(
    store, embedder, settings, day: str, page: int, page_size: int, filters: Filters | None = None
) -> dict:
    filters = filters or Filters()
    rows = store.day_facets(day)
    relevant = gate.day_relevance(store, embedder, settings, day) if rows else {}
    allowed = None
    if filters.q:
        allowed = store.search_day(day, filters.q)
    if filters.category:
        in_category = store.day_in_category(day, filters.category)
        allowed = in_category if allowed is None else allowed & in_category
    shown = [r for r in rows if filters.keep(r, allowed)]

    def order(row):
        score = relevant.get(row["id"], (None,))[0]
        return (score is None, -(score or 0.0), row["hype"] is True, row["id"])

    shown.sort(key=order)
    total = len(shown)
    pages = max(1, math.ceil(total / page_size))
    page = min(max(1, page), pages)
    page_rows = shown[(page - 1) * page_size : page * page_size]
    ids = [r["id"] for r in page_rows]
    day_topics = Counter(r["topic_id"] for r in rows if r["topic_id"] is not None)
    young_counts = Counter(r["topic_id"] for r in rows if r["hype"] is True)
    options = [
        t for i, (t, _) in enumerate(day_topics.most_common()) if i < TOPIC_OPTIONS or t == filters.topic
    ]
    # Labels only for the topics the page names: its papers', the filter's and the young summary's.
    named = (
        {r["topic_id"] for r in page_rows}
        | set(options)
        | {t for t, _ in young_counts.most_common(YOUNG_LISTED)}
    )
    topics = store.topic_labels(sorted(named - {None}))
    papers = store.get_papers(ids)
    curves = store.topic_badges_for(ids)
    links = store.fundamentals_detail(ids)
    unlocked = store.unlocked_ids(ids)
    catalogue = fund.by_id()
    open_attempts = {a["id"]: store.attempt_unlock_count(a["id"]) for a in store.attempts(open_only=True)}
    limit = settings.web.max_unlocks_per_attempt
    window = in_unlock_window(store, settings, day)
    items = []
    for row in page_rows:
        pid = row["id"]
        score, attempt_id = relevant.get(pid, (None, None))
        topic = topics.get(row["topic_id"])
        curve = curves.get(pid, {}).get("curve")
        items.append(
            {
                "paper": papers[pid],
                "locked": pid not in unlocked,
                "topic": topic,
                "spark": sparkline(curve, topic["onset"]) if topic and curve else None,
                "fundamentals": None  # not analysed
                if links[pid] is None
                else [(catalogue.get(fid), fid, s, why) for fid, s, why in links[pid]],
                "analysed": row["analysed"],
                "relevance": score,
                "attempt_id": attempt_id,
                "can_unlock": window and attempt_id in open_attempts and open_attempts[attempt_id] < limit,
            }
        )
    hype_count = sum(1 for r in rows if r["hype"] is True)
    return {
        "day": day,
        "all": len(rows),
        "total": total,
        "relevant_count": len(relevant),
        "hype_count": hype_count,
        "unknown_count": sum(1 for r in rows if r["hype"] is None),
        "hype_share": hype_count / len(rows) if rows else 0.0,
        "young_papers": sum(young_counts.values()),
        "young_topics": len(young_counts),
        "young_shown": [
            {"topic": topics[t], "count": n} for t, n in young_counts.most_common(YOUNG_LISTED) if t in topics
        ],
        "topic_options": [(topics[t], day_topics[t]) for t in options if t in topics],
        "category_options": store.day_categories(day),
        "filters": filters,
        "in_window": window,
        "unlock_limit": limit,
        "page": page,
        "pages": pages,
        "items": items,
    }


def item_json(item: dict) -> dict:
    """A day item for the JSON API; the abstract and links appear only once unlocked."""
    p, topic = item["paper"], item["topic"]
    out = {
        "id": p.id,
        "title": p.title,
        "authors": p.authors,
        "categories": p.categories,
        "published": p.published,
        "locked": item["locked"],
        "relevance": item["relevance"],
        "topic": None
        if topic is None
        else {
            "id": topic["id"],
            "label": topic["label"],
            "onset": topic["onset"],
            "age_days": topic["age_days"],
            "age": verdict(topic)["age"],
            "why": verdict(topic)["line"],
            "hype": topic["hype"],
        },
        "fundamentals": None
        if item["fundamentals"] is None
        else [
            {"id": fid, "name": f.name if f else fid, "year": f.year if f else None, "score": score}
            for f, fid, score, _ in item["fundamentals"]
        ],
    }
    if not item["locked"]:
        out.update(
            abstract=p.abstract,
            abs_url=arxiv_url(p.id),
            pdf_url=arxiv_url(p.id, kind="pdf"),
        )
    return out
