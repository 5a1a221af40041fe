"""A topic's verdict in words: its age and the one line of evidence every page shows.

Every view that names a topic's age goes through triage.topics.age_text, the count the hype verdict
itself uses (months from the onset month to the as-of month), so a card, the topic page, the radar,
the CLI and the digest agree. Source names in the stored evidence are replaced by
the human names of [web] source_names.
"""

from __future__ import annotations

import re

from flask import Flask, current_app

from triage import topics

_ROSE = re.compile(r"Rose from about zero in (\d{4}-\d{2})")
_HISTORY = re.compile(r"Only (\d+) months of history")
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def month_text(month: str | None) -> str:
    """'2025-10' -> 'Oct 2025'; anything else as given."""
    if not month or not re.fullmatch(r"\d{4}-\d{2}.*", month):
        return month or ""
    return f"{MONTHS[int(month[5:7]) - 1]} {month[:4]}"


def age_text(topic: dict | None) -> str:
    """'3 months', '2 years', or 'unknown': the one age of triage.topics (what the hype verdict counts)."""
    return "unknown" if topic is None else topics.age_text(topic.get("onset"), topic.get("age_days"))


def human_sources(text: str | None, names: dict[str, str] | None = None) -> str:
    """The stored evidence with each source's stored name replaced by its human name."""
    names = current_app.config["SETTINGS"].web.source_names if names is None else names
    out = text or ""
    for raw, human in sorted(names.items(), key=lambda kv: -len(kv[0])):
        out = out.replace(raw, human)
    return out


def verdict(topic: dict | None) -> dict:
    """{kind: young|established|unknown|none, age, line}: what a card says about its topic.

    `line` is one line of evidence: for a young topic the month it rose from about zero and the
    month it became popular; for an established one since when; for an unknown one why."""
    if topic is None:
        return {"kind": "none", "age": "unknown", "line": "not assigned to a topic yet (run triage analyze)"}
    age = age_text(topic)
    why = topic.get("why") or ""
    if topic.get("hype") is None:
        history = _HISTORY.search(why)
        line = (
            f"only {history.group(1)} months of history: too short to tell new from old"
            if history
            else "too little history to tell new from old"
        )
        return {"kind": "unknown", "age": "unknown", "line": line}
    rose = _ROSE.search(why)
    popular = f"popular since {month_text(topic['onset'])}" if topic.get("onset") else ""
    if topic["hype"]:
        parts = [f"rose from about zero in {month_text(rose.group(1))}" if rose else "", popular]
        return {"kind": "young", "age": age, "line": ", ".join(p for p in parts if p)}
    line = popular or "its share never rose above its baseline: older than the history"
    if topic.get("onset") and not topic.get("active", True):
        line += ", fading now"
    return {"kind": "established", "age": age, "line": line}


def init_app(app: Flask) -> None:
    app.add_template_filter(age_text, "age")
    app.add_template_filter(verdict, "verdict")
    app.add_template_filter(month_text, "month")
    app.add_template_filter(human_sources, "human_sources")
