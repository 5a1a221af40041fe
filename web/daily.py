"""The daily page's data: one day's papers ordered for a reader who has a bottleneck.

Relevant-to-an-open-bottleneck first (scores from gate.day_relevance, cached per attempt and
day), young-topic papers last. Only the page being shown is loaded in full, in batched queries.
"""

from __future__ import annotations

import math

from triage import fundamentals as fund
from triage import gate
from web.charts import sparkline


def day_view(store, embedder, settings, day: str, page: int, page_size: int) -> dict:
    overview = store.day_overview(day)
    relevant = gate.day_relevance(store, embedder, settings, day) if overview else {}

    def order(item):
        pid, hype = item
        score = relevant.get(pid, (None,))[0]
        return (score is None, -(score or 0.0), hype is True, pid)

    ordered = sorted(overview, key=order)
    total = len(ordered)
    pages = max(1, math.ceil(total / page_size))
    page = min(max(1, page), pages)
    ids = [pid for pid, _ in ordered[(page - 1) * page_size : page * page_size]]
    papers = store.get_papers(ids)
    topics = store.topic_badges_for(ids)
    links = store.fundamentals_detail(ids)
    unlocked = store.unlocked_ids(ids)
    catalogue = fund.by_id()
    items = []
    for pid in ids:
        score, attempt_id = relevant.get(pid, (None, None))
        items.append(
            {
                "paper": papers[pid],
                "locked": pid not in unlocked,
                "topic": topics.get(pid),
                "spark": sparkline(topics[pid]["curve"], topics[pid]["onset"]) if pid in topics else None,
                "fundamentals": None  # not analysed
                if links[pid] is None
                else [(catalogue.get(fid), fid, s, why) for fid, s, why in links[pid]],
                "relevance": score,
                "attempt_id": attempt_id,
            }
        )
    hype_count = sum(1 for _, h in overview if h is True)
    return {
        "day": day,
        "total": total,
        "relevant_count": len(relevant),
        "hype_count": hype_count,
        "unknown_count": sum(1 for _, h in overview if h is None),
        "hype_share": hype_count / total if total else 0.0,
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
            abs_url=f"https://arxiv.org/abs/{p.id}",
            pdf_url=f"https://arxiv.org/pdf/{p.id}",
        )
    return out
