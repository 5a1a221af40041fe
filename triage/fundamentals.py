"""The catalogue of decades-old fundamentals (triage/fundamentals.toml) and its loading."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field
from importlib import resources

from triage.errors import UserError

CATALOGUE_FILE = "fundamentals.toml"
USAGE_FILE = "data/fundamentals_usage.toml"
RELATED_FILE = "data/fundamentals_related.toml"


@dataclass(frozen=True)
class Reference:
    authors: str
    title: str
    year: int
    link: str


@dataclass(frozen=True)
class Fundamental:
    id: str
    name: str
    year: int
    summary: str
    terms: tuple[str, ...]
    exercise: str
    references: tuple[Reference, ...] = field(default_factory=tuple)
    prototypes: tuple[str, ...] = field(default_factory=tuple)
    broad: tuple[str, ...] = field(default_factory=tuple)
    usage: tuple[str, ...] = field(default_factory=tuple)
    related: tuple[str, ...] = field(default_factory=tuple)

    def texts(self) -> list[str]:
        """What the linker embeds for this idea: its name and summary, then each prototype."""
        return [f"{self.name}. {self.summary}", *self.prototypes]


def read(name: str) -> str:
    return resources.files("triage").joinpath(name).read_text(encoding="utf-8")


@functools.cache
def _data() -> dict:
    return tomllib.loads(read(CATALOGUE_FILE))


@functools.cache
def _usage() -> dict:
    return tomllib.loads(read(USAGE_FILE)).get("usage", {})


@functools.cache
def related_terms() -> dict:
    """{fundamental id: its related terms} (triage/data/fundamentals_related.toml), as the file has them."""
    return tomllib.loads(read(RELATED_FILE)).get("related", {})


def background() -> tuple[str, ...]:
    """Descriptions of generic ML papers that rest on no single fundamental (the linker's baseline)."""
    return tuple(" ".join(t.split()) for t in _data().get("background", []))


@functools.cache
def catalogue() -> tuple[Fundamental, ...]:
    """Every fundamental in file order. Read once per process."""
    data = _data()
    out = []
    for i, entry in enumerate(data.get("fundamental", [])):
        try:
            refs = tuple(Reference(**r) for r in entry.get("references", []))
            out.append(
                Fundamental(
                    id=entry["id"],
                    name=entry["name"],
                    year=entry["year"],
                    summary=" ".join(entry["summary"].split()),
                    terms=tuple(entry["terms"]),
                    exercise=" ".join(entry["exercise"].split()),
                    references=refs,
                    prototypes=tuple(" ".join(p.split()) for p in entry.get("prototypes", [])),
                    broad=tuple(entry.get("broad", [])),
                    usage=tuple(" ".join(u.split()) for u in _usage().get(entry["id"], [])),
                    related=tuple(related_terms().get(entry["id"], [])),
                )
            )
        except (KeyError, TypeError) as e:
            raise UserError(
                f"{CATALOGUE_FILE}: entry {i + 1} ({entry.get('id', '?')}) is incomplete: {e}."
            ) from None
    return tuple(out)


def by_id() -> dict[str, Fundamental]:
    return {f.id: f for f in catalogue()}
