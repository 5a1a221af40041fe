"""Settings from config.toml into typed objects.

Every key has a default, so an absent file is fine; an unknown key, a wrong type, a number
that is not finite or beyond MAX_NUMBER, or a value outside its class's BOUNDS is a UserError
naming the file and the key, because a silently ignored typo is worse than a stop (a negative
share or a zero-month window would run; recent_days = 99999999999 would crash every page).
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from triage.errors import UserError

# No setting needs a larger number, and date arithmetic overflows on some (days before year 1).
MAX_NUMBER = 100_000


@dataclass
class StorageConfig:
    db: str = "triage.db"

    def validate(self, where: str) -> None:
        if not self.db.strip():
            raise UserError(f"{where}: [storage] db is empty; give the path of the database file.")


@dataclass
class ArxivConfig:
    categories: list[str] = field(default_factory=lambda: ["cs.LG", "cs.AI", "cs.CL"])
    api_url: str = "https://export.arxiv.org/api/query"
    rss_url: str = "https://rss.arxiv.org/rss/"
    delay_seconds: float = 3.0
    page_size: int = 200
    max_retries: int = 4
    timeout_seconds: float = 30.0
    announce_types: list[str] = field(default_factory=lambda: ["new", "cross"])
    BOUNDS: ClassVar[dict] = {
        "page_size": (1, 2000),
        "max_retries": (0, None),
        "timeout_seconds": (0.1, None),
    }

    def validate(self, where: str) -> None:
        if self.delay_seconds < 3:
            raise UserError(f"{where}: [arxiv] delay_seconds must be >= 3 (arXiv's terms of use).")
        allowed = {"new", "cross", "replace", "replace-cross"}
        bad = sorted(set(self.announce_types) - allowed)
        if bad:
            raise UserError(f"{where}: [arxiv] announce_types has unknown {bad}; use {sorted(allowed)}.")


@dataclass
class EmbeddingsConfig:
    model: str = "packaged"
    batch_size: int = 64
    max_seq_length: int = 256
    backend: str = "onnx-int8"
    export_dir: str = ""
    BOUNDS: ClassVar[dict] = {"batch_size": (1, None), "max_seq_length": (1, None)}
    BACKENDS: ClassVar[tuple[str, ...]] = ("torch", "onnx", "onnx-int8")

    def validate(self, where: str) -> None:
        if self.backend not in self.BACKENDS:
            raise UserError(
                f"{where}: [embeddings] backend must be one of {', '.join(self.BACKENDS)}, got {self.backend!r}."
            )


@dataclass
class FundamentalsConfig:
    max_links: int = 3
    BOUNDS: ClassVar[dict] = {"max_links": (0, 10)}


@dataclass
class HypeConfig:
    max_topic_age_months: int = 6
    min_history_months: int = 12
    embed_abstracts: bool = False
    cluster_size: int = 40
    min_month_papers: int = 30
    partial_month_ratio: float = 0.33
    baseline_months: int = 6
    rise_ratio: float = 4.0
    min_share: float = 0.002
    sustain_months: int = 3
    prior_ratio: float = 0.25
    ramp_months: int = 3
    popular_ratio: float = 0.25
    min_popular_share: float = 0.003
    min_topic_papers: int = 8
    phrase_overlap: float = 0.5
    min_coherence: float = 0.2
    min_title_share: float = 0.1
    facet_share: float = 0.67
    facet_lift: float = 50.0
    name_share: float = 0.5
    max_label_share: float = 0.05
    name_sample: int = 200
    active_months: int = 2
    active_ratio: float = 0.3
    rebuild_days: int = 30

    BOUNDS: ClassVar[dict] = {
        **dict.fromkeys(
            "partial_month_ratio min_share prior_ratio popular_ratio min_popular_share phrase_overlap "
            "min_title_share facet_share active_ratio name_share max_label_share".split(),
            (0, 1),
        ),
        **dict.fromkeys(
            "max_topic_age_months min_history_months cluster_size min_month_papers baseline_months "
            "rise_ratio sustain_months min_topic_papers facet_lift active_months name_sample".split(),
            (1, None),
        ),
        "ramp_months": (0, None),
        "rebuild_days": (0, None),
        "min_coherence": (-1, 1),
    }


@dataclass
class GateConfig:
    unlock_per_attempt: int = 5
    daily_read_budget: int = 5
    min_bottleneck_chars: int = 40
    min_bottleneck_words: int = 6
    max_field_chars: int = 2000
    recent_days: int = 30
    min_match: float = 0.971
    min_similarity: float = 0.381
    weak_matches: int = 3
    hype_penalty: float = 0.9
    fundamental_bonus: float = 0.05
    BOUNDS: ClassVar[dict] = {
        "unlock_per_attempt": (1, None),
        "daily_read_budget": (0, None),
        "min_bottleneck_chars": (0, None),
        "min_bottleneck_words": (0, None),
        "max_field_chars": (1, None),
        "recent_days": (1, None),
        "min_match": (0, 1),
        "min_similarity": (-1, 1),
        "weak_matches": (0, None),
        "hype_penalty": (0, 1),
        "fundamental_bonus": (0, None),
    }

    def validate(self, where: str) -> None:
        if self.max_field_chars < self.min_bottleneck_chars:
            raise UserError(
                f"{where}: [gate] max_field_chars ({self.max_field_chars}) is below min_bottleneck_chars "
                f"({self.min_bottleneck_chars}): no bottleneck could pass."
            )


@dataclass
class DigestConfig:
    to: list[str] = field(default_factory=list)
    from_: str = "triage@localhost"
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_user: str = ""
    starttls: bool = False
    ssl: bool = False
    send_at: str = "07:30"
    base_url: str = "http://127.0.0.1:8080"
    per_bottleneck: int = 3
    BOUNDS: ClassVar[dict] = {"smtp_port": (1, 65535), "per_bottleneck": (1, None)}

    def validate(self, where: str) -> None:
        if self.starttls and self.ssl:
            raise UserError(f"{where}: [digest] starttls and ssl are exclusive; set one of them to false.")
        self.send_time(where)

    def send_time(self, where: str = "config") -> tuple[int, int, int]:
        """[digest] send_at as (hour, minute, second); HH:MM, or HH:MM:SS."""
        parts = self.send_at.split(":")
        try:
            h, m, s = (int(p) for p in [*parts, "0"][:3])
            ok = len(parts) in (2, 3) and 0 <= h < 24 and 0 <= m < 60 and 0 <= s < 60
        except ValueError:
            ok = False
        if not ok:
            raise UserError(f"{where}: [digest] send_at must be a local time HH:MM, got {self.send_at!r}.")
        return h, m, s


@dataclass
class WebConfig:
    host: str = "127.0.0.1"
    port: int = 8080
    allowed_hosts: list[str] = field(default_factory=lambda: ["localhost", "127.0.0.1", "::1"])
    proxy_hops: int = 0
    max_request_kib: int = 256
    max_field_chars: int = 2000
    session_days: int = 30
    topics_per_page: int = 30
    topic_papers_shown: int = 50
    max_unlocks_per_attempt: int = 10
    source_names: dict[str, str] = field(
        default_factory=lambda: {
            "arxiv": "arXiv listings",
            "dw-dengwei/daily-arXiv-ai-enhanced": "arXiv cs.CV/cs.CL new listings",
            "qhduan/cn-chat-arxiv": "arXiv RSS (cs.LG, cs.AI, cs.CL)",
            "2404589803/hf-daily-paper-newsletter-chinese": "Hugging Face Daily Papers",
            "TatsuyaShirakawa/daily-arxiv-gatsby": "Twitter-trending arXiv papers",
            "rmovva/LLM-publication-patterns-public": "top-cited language-model papers",
        }
    )
    BOUNDS: ClassVar[dict] = {
        "port": (1, 65535),
        "proxy_hops": (0, 5),
        "max_request_kib": (1, None),
        "max_field_chars": (1, None),
        "session_days": (1, None),
        "topics_per_page": (1, 500),
        "topic_papers_shown": (1, 1000),
        "max_unlocks_per_attempt": (1, None),
    }

    def validate(self, where: str) -> None:
        for name in self.allowed_hosts:
            # A DNS name or IPv4 address, or an IPv6 address without brackets; never a port or scheme.
            if not re.fullmatch(r"[A-Za-z0-9.-]+|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*", name):
                raise UserError(
                    f"{where}: [web] allowed_hosts takes bare host names (no scheme or port), got {name!r}."
                )


@dataclass
class Settings:
    storage: StorageConfig = field(default_factory=StorageConfig)
    arxiv: ArxivConfig = field(default_factory=ArxivConfig)
    embeddings: EmbeddingsConfig = field(default_factory=EmbeddingsConfig)
    fundamentals: FundamentalsConfig = field(default_factory=FundamentalsConfig)
    hype: HypeConfig = field(default_factory=HypeConfig)
    gate: GateConfig = field(default_factory=GateConfig)
    digest: DigestConfig = field(default_factory=DigestConfig)
    web: WebConfig = field(default_factory=WebConfig)
    source: str = "(defaults)"


def _toml_key(f: dataclasses.Field) -> str:
    # "from" is a Python keyword; the TOML key stays "from".
    return f.name.rstrip("_")


def _check_type(value, hint, where: str):
    origin = typing.get_origin(hint)
    if origin is dict:
        _, item = typing.get_args(hint)
        if not isinstance(value, dict):
            raise UserError(f"{where} must be a table, got {type(value).__name__} {value!r}.")
        return {k: _check_type(v, item, f"{where}.{k}") for k, v in value.items()}
    if origin is list:
        (item,) = typing.get_args(hint)
        if not isinstance(value, list):
            raise UserError(f"{where} must be a list, got {type(value).__name__} {value!r}.")
        return [_check_type(v, item, f"{where}[{i}]") for i, v in enumerate(value)]
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint is int and isinstance(value, bool) or not isinstance(value, hint):
        raise UserError(f"{where} must be {hint.__name__}, got {type(value).__name__} {value!r}.")
    if hint in (int, float) and not (math.isfinite(value) and abs(value) <= MAX_NUMBER):
        raise UserError(f"{where} must be a finite number within +-{MAX_NUMBER:,}, got {value}.")
    return value


def _build(cls, table: dict, path: str, section: str):
    hints = typing.get_type_hints(cls)
    fields = {_toml_key(f): f for f in dataclasses.fields(cls)}
    unknown = sorted(set(table) - set(fields))
    if unknown:
        raise UserError(
            f"{path}: unknown key [{section}] {unknown[0]}; known keys are {', '.join(sorted(fields))}."
        )
    kwargs = {
        fields[k].name: _check_type(v, hints[fields[k].name], f"{path}: [{section}] {k}")
        for k, v in table.items()
    }
    obj = cls(**kwargs)
    for key, (lo, hi) in getattr(cls, "BOUNDS", {}).items():
        value = getattr(obj, key)
        if value < lo or hi is not None and value > hi:
            span = f"between {lo} and {hi}" if hi is not None else f">= {lo}"
            raise UserError(f"{path}: [{section}] {key} must be {span}, got {value}.")
    if hasattr(obj, "validate"):
        obj.validate(path)
    return obj


def load(path: str | os.PathLike | None = None, db: str | None = None) -> Settings:
    """Read config from `path` (or TRIAGE_CONFIG, or ./config.toml if present), then apply `db`."""
    path = path or os.environ.get("TRIAGE_CONFIG")
    if path is None and Path("config.toml").exists():
        path = "config.toml"
    data: dict = {}
    if path is not None:
        p = Path(path)
        if not p.exists():
            raise UserError(f"Config file {p} does not exist.")
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as e:
            raise UserError(f"{p}: not valid TOML ({e}).") from None
        except UnicodeDecodeError as e:
            line = e.object[: e.start].count(b"\n") + 1
            raise UserError(f"{p}:{line}: not UTF-8 text (byte {e.object[e.start]:#04x}).") from None
        except OSError as e:
            raise UserError(f"Config file {p} cannot be read ({e.strerror}).") from None
    where = str(path) if path else "(defaults)"
    hints = typing.get_type_hints(Settings)
    sections = {f.name for f in dataclasses.fields(Settings) if f.name != "source"}
    kwargs = {}
    for name, table in data.items():
        if name not in sections:
            raise UserError(
                f"{where}: unknown section [{name}]; known sections are {', '.join(sorted(sections))}."
            )
        if not isinstance(table, dict):
            raise UserError(f"{where}: [{name}] must be a table.")
        kwargs[name] = _build(hints[name], table, where, name)
    settings = Settings(**kwargs, source=where)
    db = os.environ.get("TRIAGE_DB") if db is None else db
    if db is not None:
        if not db.strip():
            raise UserError("--db (or TRIAGE_DB) is empty; give the path of the database file.")
        settings.storage.db = db
    return settings


def documented_keys() -> dict[str, list[str]]:
    """Every section and key the loader knows; the docs test compares this with config.toml."""
    hints = typing.get_type_hints(Settings)
    return {
        f.name: [_toml_key(g) for g in dataclasses.fields(hints[f.name])]
        for f in dataclasses.fields(Settings)
        if f.name != "source"
    }
