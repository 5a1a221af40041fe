"""The Paper record every source yields and the store keeps."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

# Papers drawn from arXiv's own listings (API, RSS, the OAI snapshot, saved feeds) are one
# population, whichever way they came in: topic shares pool them. A curated list (a JSONL
# record's own "source", e.g. a trending-papers feed) covers months differently and keeps its
# name, so topics normalise its shares apart.
ARXIV = "arxiv"
_VERSIONED_ID = re.compile(r"^(?P<id>.+?)(?:v(?P<version>\d+))?$")
_ABS_URL = re.compile(r"^(?:https?://)?(?:export\.)?arxiv\.org/(?:abs|pdf)/")


def split_id(raw: str) -> tuple[str, int]:
    """'http://arxiv.org/abs/2501.00001v2' or 'oai:arXiv.org:2501.00001v2' -> ('2501.00001', 2)."""
    s = raw.strip()
    s = _ABS_URL.sub("", s)
    s = s.removeprefix("oai:arXiv.org:").removeprefix("arXiv:")
    m = _VERSIONED_ID.match(s)
    return m["id"], int(m["version"] or 1)


def clean_text(s: str | None) -> str:
    """Collapse whitespace: the API keeps newlines inside titles and summaries."""
    return " ".join((s or "").split())


@dataclass
class Paper:
    id: str
    title: str
    abstract: str
    published: str  # ISO date YYYY-MM-DD (first version)
    version: int = 1
    authors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    primary_category: str | None = None
    updated: str | None = None  # ISO date of this version
    announce_type: str | None = None  # new | cross | replace | replace-cross
    source: str = "unknown"

    def __post_init__(self):
        if self.primary_category is None and self.categories:
            self.primary_category = self.categories[0]

    def to_dict(self) -> dict:
        return asdict(self)
