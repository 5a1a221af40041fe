"""The catalogue of decades-old fundamentals (triage/fundamentals.toml) and its loading."""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass, field
from importlib import resources

from triage.errors import UserError

CATALOGUE_FILE = "fundamentals.toml"


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


@functools.cache
def catalogue() -> tuple[Fundamental, ...]:
    """Every fundamental in file order. Read once per process."""
    text = resources.files("triage").joinpath(CATALOGUE_FILE).read_text(encoding="utf-8")
    data = tomllib.loads(text)
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
                )
            )
        except (KeyError, TypeError) as e:
            raise UserError(
                f"{CATALOGUE_FILE}: entry {i + 1} ({entry.get('id', '?')}) is incomplete: {e}."
            ) from None
    return tuple(out)


def by_id() -> dict[str, Fundamental]:
    return {f.id: f for f in catalogue()}
