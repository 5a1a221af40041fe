"""The Paper record every source yields and the store keeps."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date

# Papers drawn from arXiv's own listings (API, RSS, the OAI snapshot, saved feeds) are one
# population, whichever way they came in: topic shares pool them. A curated list (a JSONL
# record's own "source", e.g. a trending-papers feed) covers months differently and keeps its
# name, so topics normalise its shares apart.
ARXIV = "arxiv"
_VERSIONED_ID = re.compile(r"^(?P<id>.+?)(?:v(?P<version>\d+))?$", re.S)
_ABS_URL = re.compile(r"^(?:https?://)?(?:export\.)?arxiv\.org/(?:abs|pdf)/")
# Limits on what a record may hold: arXiv's own are far below them (ids of ~20 characters,
# abstracts of 1,920), so only a broken or hostile file reaches them.
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,63}")
_CATEGORY = re.compile(r"[^\x00-\x20\x7f][^\x00-\x1f\x7f]{0,63}")  # API terms include "I.2.6; F.1.1"
MAX_VERSION = 1000
MAX_TEXT = {"title": 2_000, "abstract": 20_000}
MAX_AUTHORS, MAX_NAME = 10_000, 1_000
MAX_CATEGORIES = 100
YEARS = (1900, 2200)  # dates outside stay out of the date arithmetic that pages and digests do


def arxiv_url(paper_id: str, version: int | None = None, kind: str = "abs") -> str:
    """The one place that builds a paper's arXiv page ("abs") or PDF ("pdf") address."""
    return f"https://arxiv.org/{kind}/{paper_id}{f'v{version}' if version else ''}"


def split_id(raw: str) -> tuple[str, int]:
    """'http://arxiv.org/abs/2501.00001v2' or 'oai:arXiv.org:2501.00001v2' -> ('2501.00001', 2)."""
    s = raw.strip()
    s = _ABS_URL.sub("", s)
    s = s.removeprefix("oai:arXiv.org:").removeprefix("arXiv:")
    m = _VERSIONED_ID.match(s)
    if m is None:
        raise ValueError(f"id {raw!r} is empty")
    return m["id"], int(m["version"] or 1)


def clean_text(s: str | None) -> str:
    """Collapse whitespace: the API keeps newlines inside titles and summaries."""
    if s is not None and not isinstance(s, str):
        raise TypeError(f"expected text, got {type(s).__name__}")
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

    def check(self) -> Paper:
        """Refuse (ValueError or TypeError naming the field) a record that would break a later step.

        Sources call this on every record before it is stored: a date that is not a real date
        would become "the newest day" everywhere, and a non-string author breaks the exports.
        """
        if not isinstance(self.id, str) or not _ID.fullmatch(self.id):
            raise ValueError(f"id {self.id!r} is not an arXiv id (letters, digits, '._/-', at most 64)")
        if isinstance(self.version, bool) or not isinstance(self.version, int):
            raise TypeError(f"version must be an integer, got {self.version!r}")
        if not 1 <= self.version <= MAX_VERSION:
            raise ValueError(f"version {self.version} is outside 1..{MAX_VERSION}")
        for name, limit in MAX_TEXT.items():
            _check_text(name, getattr(self, name), limit)
        _check_list("authors", self.authors, MAX_AUTHORS)
        for a in self.authors:
            _check_text("an author", a, MAX_NAME)
        _check_list("categories", self.categories, MAX_CATEGORIES)
        for c in [*self.categories, *([self.primary_category] if self.primary_category is not None else [])]:
            if not isinstance(c, str) or not _CATEGORY.fullmatch(c):
                raise ValueError(f"category {c!r} is not a category name (1-64 printable characters)")
        check_date("published", self.published)
        if self.updated is not None:
            check_date("updated", self.updated)
        for name in ("announce_type", "source"):
            value = getattr(self, name)
            if value is not None:
                _check_text(name, value, 200)
        return self


def check_date(name: str, value) -> None:
    """A real calendar date written YYYY-MM-DD, within YEARS."""
    if not isinstance(value, str) or len(value) != 10:
        raise ValueError(f"{name} {value!r} is not a date YYYY-MM-DD")
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name} {value!r} is not a real date") from None
    if not YEARS[0] <= day.year <= YEARS[1]:
        raise ValueError(f"{name} {value} is outside the years {YEARS[0]}..{YEARS[1]}")


def _check_text(name: str, value, limit: int) -> None:
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a string, got {type(value).__name__}")
    if len(value) > limit:
        raise ValueError(f"{name} is longer than {limit} characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{name} holds a lone surrogate (not text)") from None


def _check_list(name: str, value, limit: int) -> None:
    if not isinstance(value, list):
        raise TypeError(f"{name} must be a list, got {type(value).__name__}")
    if len(value) > limit:
        raise ValueError(f"{name} has more than {limit} items")
