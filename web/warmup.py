"""The embedding model, loaded on a background thread when the server starts.

Loading takes seconds (import plus weights), so `serve` starts it at once instead of on the first
attempt. Requests that need the model wait for that load to finish rather than start a second
one; pages that do not need it never wait. The attempt form says while it is still loading.
"""

from __future__ import annotations

import threading

from triage.config import EmbeddingsConfig
from triage.embed import Embedder, load_model

_started = threading.Event()
_loaded = threading.Event()


def start(cfg: EmbeddingsConfig) -> None:
    """Begin loading the model on a daemon thread (once per process)."""
    if _started.is_set():
        return
    _started.set()
    threading.Thread(target=_load, args=(cfg,), name="model-warmup", daemon=True).start()


def _load(cfg: EmbeddingsConfig) -> None:
    try:
        load_model(cfg.model, cfg.max_seq_length)
    except Exception:  # noqa: BLE001 - the first request that needs the model reports the error itself
        pass
    finally:
        _loaded.set()


def warming() -> bool:
    """True while the background load is under way."""
    return _started.is_set() and not _loaded.is_set()


class WarmEmbedder(Embedder):
    """An Embedder that waits for the background load instead of loading the model a second time."""

    @property
    def model(self):
        if _started.is_set():
            _loaded.wait()
        return super().model
